/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_refs.c — branches, tags and merges.
 *
 * merge: with the library's townorg_merge (townorg/merge.h): up to date,
 * fast-forward, or a three-way merge at field level from the merge base;
 * conflicts are listed with the base, target and source values of each
 * conflicting field, and nothing is committed.
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* ------------------------------------------------------------ branch */

static void list_refs(const townorg_repo *repo, int tags, int json)
{
	size_t n = tags ? townorg_repo_tag_count(repo) : townorg_repo_branch_count(repo);
	if (json) {
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++) {
			const townorg_version *v = NULL;
			const char *name;
			if (tags) {
				name = townorg_repo_tag_name(repo, i, &v);
			} else {
				name = townorg_repo_branch_name(repo, i);
				townorg_repo_branch_head(&v, repo, name);
			}
			int f = 1;
			fputs(i ? ",\n {" : "\n {", stdout);
			cli_json_key(stdout, &f, "name");
			cli_json_str(stdout, name);
			cli_json_key(stdout, &f, "version");
			cli_json_str(stdout, v ? townorg_version_id(v) : NULL);
			cli_json_key(stdout, &f, "effective_date");
			cli_json_str(stdout, v ? townorg_version_meta(v)->effective_date : NULL);
			fputc('}', stdout);
		}
		fputs("\n]\n", stdout);
		return;
	}
	const char *hdr[] = { tags ? _("tag") : _("branch"), _("version"), _("date"), _("document") };
	cli_table *t = cli_table_new(4, hdr);
	for (size_t i = 0; i < n; i++) {
		const townorg_version *v = NULL;
		const char *name;
		if (tags) {
			name = townorg_repo_tag_name(repo, i, &v);
		} else {
			name = townorg_repo_branch_name(repo, i);
			townorg_repo_branch_head(&v, repo, name);
		}
		cli_table_add(t, name);
		cli_table_add(t, v ? cli_short_id(v) : _("(empty)"));
		cli_table_add(t, v ? cli_or_dash(townorg_version_meta(v)->effective_date) : "-");
		cli_table_add(t, v ? cli_or_dash(townorg_version_meta(v)->doc_number) : "-");
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
}

int cmd_branch(int argc, char **argv)
{
	int json = 0, del = 0;
	const cli_option opts[] = {
		{ "json", 0, 0, NULL, &json },
		{ "delete", 'd', 0, NULL, &del },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[3];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 3, &npos, 1, &ec) < 0)
		return ec;
	if (del && npos != 2)
		return cli_usage_error(_("--delete needs exactly one branch name"));
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], npos > 1)) != 0)
		return ec;
	int rc = 0;
	if (npos == 1) {
		list_refs(repo, 0, json);
	} else if (del) {
		rc = townorg_repo_branch_delete(repo, pos[1]);
		if (rc == 0)
			printf(_("Deleted branch '%s'.\n"), pos[1]);
	} else {
		const townorg_version *at = NULL;
		if (npos > 2)
			ec = cli_lookup(&at, repo, pos[2]);
		else if ((rc = townorg_repo_branch_head(&at, repo, "main")) == TOWNORG_ENOTFOUND)
			rc = 0, at = NULL;
		if (ec == 0 && rc == 0) {
			rc = townorg_repo_branch_create(repo, pos[1], at);
			if (rc == 0 && at)
				printf(_("Created branch '%s' at %s.\n"), pos[1], cli_short_id(at));
			else if (rc == 0)
				printf(_("Created empty branch '%s'.\n"), pos[1]);
		}
	}
	if (rc < 0)
		ec = cli_lib_error(rc);
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ tag */

int cmd_tag(int argc, char **argv)
{
	int json = 0;
	const cli_option opts[] = { { "json", 0, 0, NULL, &json }, { NULL, 0, 0, NULL, NULL } };
	const char *pos[3];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 3, &npos, 1, &ec) < 0)
		return ec;
	if (npos == 2)
		return cli_usage_error(_("tag needs a NAME and a VERSION"));
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], npos > 1)) != 0)
		return ec;
	if (npos == 1) {
		list_refs(repo, 1, json);
	} else {
		const townorg_version *at;
		if ((ec = cli_lookup(&at, repo, pos[2])) == 0) {
			int rc = townorg_repo_tag_create(repo, pos[1], at);
			if (rc < 0)
				ec = cli_lib_error(rc);
			else
				printf(_("Tagged %s as '%s'.\n"), cli_short_id(at), pos[1]);
		}
	}
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ merge */

static const char *side_word(townorg_merge_side s)
{
	return s == TOWNORG_MERGE_SIDE_ADDED     ? N_("added")
	       : s == TOWNORG_MERGE_SIDE_REMOVED ? N_("removed")
	       : s == TOWNORG_MERGE_SIDE_CHANGED ? N_("changed")
						 : N_("unchanged");
}

static void json_outcome(const char *result, const char *from, const char *into, const townorg_version *base,
	const townorg_version *v)
{
	int f = 1;
	fputc('{', stdout);
	cli_json_key(stdout, &f, "result");
	cli_json_str(stdout, result);
	cli_json_key(stdout, &f, "from");
	cli_json_str(stdout, from);
	cli_json_key(stdout, &f, "into");
	cli_json_str(stdout, into);
	cli_json_key(stdout, &f, "base");
	cli_json_str(stdout, base ? townorg_version_id(base) : NULL);
	cli_json_key(stdout, &f, "version");
	cli_json_str(stdout, v ? townorg_version_id(v) : NULL);
}

/* List the conflicts, grouped by entity: the entity, what each side did,
 * and for each field its base, here (ours) and there (theirs) values. */
static void print_conflicts(const townorg_merge_result *r, int json)
{
	size_t n = townorg_merge_result_conflict_count(r), entities = 0;
	if (json)
		fputs(", \"conflicts\": [", stdout);
	for (size_t i = 0; i < n;) {
		const townorg_merge_conflict *c = townorg_merge_result_conflict_at(r, i);
		int g = 1;
		if (json) {
			int f = 1;
			fputs(entities ? ",\n  {" : "\n  {", stdout);
			cli_json_key(stdout, &f, "id");
			cli_json_str(stdout, c->id);
			cli_json_key(stdout, &f, "ours");
			cli_json_str(stdout, side_word(c->ours));
			cli_json_key(stdout, &f, "theirs");
			cli_json_str(stdout, side_word(c->theirs));
			cli_json_key(stdout, &f, "fields");
			fputc('{', stdout);
		} else {
			printf(_("conflict %s: %s here, %s there\n"), c->id, _(side_word(c->ours)), _(side_word(c->theirs)));
		}
		const char *id = c->id;
		for (; i < n && strcmp((c = townorg_merge_result_conflict_at(r, i))->id, id) == 0; i++) {
			if (json) {
				cli_json_key(stdout, &g, c->field);
				fputc('[', stdout);
				cli_json_str(stdout, c->base_value);
				fputs(", ", stdout);
				cli_json_str(stdout, c->ours_value);
				fputs(", ", stdout);
				cli_json_str(stdout, c->theirs_value);
				fputc(']', stdout);
			} else {
				printf(_("  %s: base %s, here %s, there %s\n"), c->field, cli_or_dash(c->base_value),
					cli_or_dash(c->ours_value), cli_or_dash(c->theirs_value));
			}
		}
		if (json)
			fputs("}}", stdout);
		entities++;
	}
	if (json)
		fputs("\n]}\n", stdout);
	else
		printf(_("%zu conflicts; nothing was committed.\n"), n);
}

int cmd_merge(int argc, char **argv)
{
	int json = 0;
	const char *into = "main", *message = NULL, *document = NULL, *date = NULL, *author = NULL;
	const cli_option opts[] = {
		{ "into", 0, 1, &into, NULL },
		{ "message", 'm', 1, &message, NULL },
		{ "document", 0, 1, &document, NULL },
		{ "date", 0, 1, &date, NULL },
		{ "author", 0, 1, &author, NULL },
		{ "json", 0, 0, NULL, &json },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 2, &ec) < 0)
		return ec;
	if (date && townorg_date_check(date) < 0)
		return cli_usage_error(_("'%s' is not a date (YYYY-MM-DD)"), date);
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 1)) != 0)
		return ec;
	const townorg_version *src, *dst = NULL, *base, *made = NULL;
	townorg_merge_result *res = NULL;
	int rc;
	if ((ec = cli_lookup(&src, repo, pos[1])) != 0)
		goto done;
	if ((rc = townorg_repo_branch_head(&dst, repo, into)) < 0 ||
	    (rc = townorg_merge(&res, repo, dst, src, NULL)) < 0)
		goto fail;
	base = townorg_merge_result_base(res);
	switch (townorg_merge_result_status(res)) {
	case TOWNORG_MERGE_UP_TO_DATE:
		if (json) {
			json_outcome("up-to-date", pos[1], into, src, dst);
			fputs("}\n", stdout);
		} else {
			printf(_("Already up to date: %s is in '%s'.\n"), pos[1], into);
		}
		goto done;
	case TOWNORG_MERGE_FAST_FORWARD:
		if ((rc = townorg_merge_result_commit(&made, res, NULL, into)) < 0)
			goto fail;
		if (json) {
			json_outcome("fast-forward", pos[1], into, dst, src);
			fputs("}\n", stdout);
		} else {
			printf(_("Fast-forward: '%s' now at %s.\n"), into, cli_short_id(src));
		}
		goto done;
	case TOWNORG_MERGE_CONFLICTS:
		if (json)
			json_outcome("conflicts", pos[1], into, base, NULL);
		print_conflicts(res, json);
		ec = EXIT_NO;
		goto done;
	default:
		break;
	}
	townorg_meta m = TOWNORG_META_INIT;
	char msg[512];
	const char *d_src = townorg_version_meta(src)->effective_date, *d_dst = townorg_version_meta(dst)->effective_date;
	snprintf(msg, sizeof msg, "Merge %s into %s", pos[1], into);
	m.message = message ? message : msg;
	m.doc_number = document;
	m.author = author;
	m.effective_date = date ? date : (d_src && d_dst && strcmp(d_src, d_dst) > 0 ? d_src : d_dst);
	if ((rc = townorg_merge_result_commit(&made, res, &m, into)) < 0)
		goto fail;
	if (json) {
		json_outcome("merged", pos[1], into, base, made);
		printf(", \"applied\": %zu}\n", townorg_merge_result_applied(res));
	} else {
		printf(_("Merged %s into '%s' (base %s): %zu changes applied, new version %s.\n"), pos[1], into,
			base ? cli_short_id(base) : _("none"), townorg_merge_result_applied(res), cli_short_id(made));
	}
	goto done;
fail:
	ec = cli_lib_error(rc);
done:
	townorg_merge_result_free(res);
	townorg_repo_free(repo);
	return ec;
}

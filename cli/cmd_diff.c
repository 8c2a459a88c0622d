/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_diff.c — what changed and where it came from: diff, blame,
 * lineage, and validate (which judges a version against a policy).
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* Split "a,b,c" into a NULL-terminated array of strings (in place). */
static size_t split_list(char *s, const char **out, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
		if (*tok)
			out[n++] = tok;
	return n;
}

/* ------------------------------------------------------------ diff */

int cmd_diff(int argc, char **argv)
{
	int json = 0;
	const char *kinds_s = NULL, *under = NULL, *fields_s = NULL;
	const cli_option opts[] = {
		{ "json", 0, 0, NULL, &json },
		{ "kind", 'k', 1, &kinds_s, NULL },
		{ "under", 'u', 1, &under, NULL },
		{ "field", 0, 1, &fields_s, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[3];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 3, &npos, 3, &ec) < 0)
		return ec;
	townorg_diff_options o = TOWNORG_DIFF_OPTIONS_INIT;
	char kbuf[512], fbuf[1024];
	const char *list[64];
	const char *fields[64];
	if (kinds_s) {
		snprintf(kbuf, sizeof kbuf, "%s", kinds_s);
		size_t n = split_list(kbuf, list, 64);
		for (size_t i = 0; i < n; i++) {
			townorg_kind k;
			if (townorg_kind_parse(&k, list[i]) < 0)
				return cli_usage_error(_("unknown kind '%s'"), list[i]);
			o.kinds |= TOWNORG_KIND_BIT(k);
		}
		if (!n)
			return cli_usage_error(_("--kind needs at least one kind"));
	}
	if (fields_s) {
		snprintf(fbuf, sizeof fbuf, "%s", fields_s);
		o.field_count = split_list(fbuf, fields, 64);
		o.fields = fields;
	}
	o.under = under;

	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *from, *to;
	townorg_diff *d = NULL;
	if ((ec = cli_lookup(&from, repo, pos[1])) != 0 || (ec = cli_lookup(&to, repo, pos[2])) != 0)
		goto done;
	/* an id or a field that names nothing is an error, not an empty diff */
	if (under) {
		const townorg_entity *ue = NULL;
		if (townorg_version_get(&ue, to, under) < 0 && townorg_version_get(&ue, from, under) < 0) {
			townorg_error_clear();
			ec = cli_entity_error(to, under);
			goto done;
		}
	}
	for (size_t i = 0; i < o.field_count; i++)
		if ((ec = cli_check_field(from, to, o.fields[i])) != EXIT_OK)
			goto done;
	int rc = townorg_diff_versions(&d, from, to, &o);
	char *text = NULL;
	if (rc == 0)
		rc = json ? townorg_diff_to_json(&text, d, TOWNORG_JSON_PRETTY) : townorg_diff_to_text(&text, d, cli_lang);
	if (rc < 0) {
		ec = cli_lib_error(rc);
	} else {
		fputs(text, stdout);
		if (*text && text[strlen(text) - 1] != '\n')
			fputc('\n', stdout);
	}
	townorg_free(text);
done:
	townorg_diff_free(d);
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ blame */

/* A field's name in the output language (the token itself in English and
 * for fields without a label: attributes, other quota types). */
static const char *field_label(const char *field)
{
	static const struct {
		const char *token, *label;
	} labels[] = {
		{ "parent_id", N_("parent_id") }, { "name", N_("name") }, { "kind", N_("kind") },
		{ "class", N_("class") }, { "population", N_("population") }, { "area_km2", N_("area_km2") },
		{ "revenue_per_capita", N_("revenue_per_capita") }, { "leader_posts", N_("leader_posts") },
		{ "actual_staff", N_("actual_staff") }, { "chief_posts", N_("chief_posts") },
		{ "deputy_posts", N_("deputy_posts") }, { "admin_quota", N_("admin_quota") },
		{ "inst_quota", N_("inst_quota") },
	};
	if (cli_lang != TOWNORG_LANG_ZH)
		return field;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(labels[i].token, field))
			return _(labels[i].label);
	return field;
}

/* The first event of a version naming an entity (the approving document of
 * a change an importer recorded as an event, e.g. an MCA row), or NULL. */
static const townorg_event *event_naming(const townorg_version *v, const char *id)
{
	for (size_t i = 0; v && i < townorg_version_event_count(v); i++) {
		const townorg_event *e = townorg_version_event(v, i);
		for (size_t k = 0; e && k < e->from_count + e->to_count; k++)
			if (!strcmp(k < e->from_count ? e->from_ids[k] : e->to_ids[k - e->from_count], id))
				return e;
	}
	return NULL;
}

static int version_at(const townorg_version **v, const townorg_repo *repo, const char *at)
{
	return at ? cli_lookup(v, repo, at) : cli_branch_head(v, repo, "main");
}

int cmd_blame(int argc, char **argv)
{
	int json = 0;
	const char *at = NULL;
	const cli_option opts[] = {
		{ "json", 0, 0, NULL, &json },
		{ "at", 0, 1, &at, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 2, &ec) < 0)
		return ec;
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v;
	townorg_blame *b = NULL;
	if ((ec = version_at(&v, repo, at)) != 0)
		goto done;
	int rc = townorg_blame_entity(&b, v, pos[1]);
	if (rc == TOWNORG_ENOTFOUND) {
		ec = cli_entity_error(v, pos[1]);
		goto done;
	}
	if (rc < 0) {
		ec = cli_lib_error(rc);
		goto done;
	}
	if (json) {
		char *text = NULL;
		rc = townorg_blame_to_json(&text, b);
		if (rc < 0) {
			ec = cli_lib_error(rc);
			goto done;
		}
		fputs(text, stdout);
		fputc('\n', stdout);
		townorg_free(text);
		goto done;
	}
	const townorg_entity *e = townorg_blame_entity_value(b);
	const townorg_version *created = townorg_blame_created(b);
	printf("%s  %s  (%s)\n", townorg_entity_id(e), townorg_entity_name(e), cli_kind_label(townorg_entity_kind(e)));
	if (created)
		printf(_("created in %s, %s, %s\n"), cli_short_id(created),
			cli_or_dash(townorg_version_meta(created)->effective_date),
			cli_or_dash(townorg_version_meta(created)->doc_number));
	const char *hdr[] = { _("field"), _("value"), _("version"), _("date"), _("document"), _("author") };
	cli_table *t = cli_table_new(6, hdr);
	for (size_t i = 0; i < townorg_blame_count(b); i++) {
		const townorg_blame_entry *x = townorg_blame_at(b, i);
		char val[256];
		snprintf(val, sizeof val, "%s", x->value ? x->value : "");
		cli_table_add(t, field_label(x->field));
		cli_table_add(t, val);
		cli_table_add(t, cli_short_id(x->version));
		/* no document of the version's own: the approving document of the
		 * event that changed the entity there, with its date */
		const townorg_event *ev = x->doc_number ? NULL : event_naming(x->version, townorg_entity_id(e));
		if (ev && ev->date)
			cli_table_addf(t, "%s (%s)", cli_or_dash(x->effective_date), ev->date);
		else
			cli_table_add(t, cli_or_dash(x->effective_date));
		cli_table_add(t, ev && ev->document_count ? ev->documents[0] : cli_or_dash(x->doc_number));
		cli_table_add(t, cli_or_dash(x->author));
	}
	putchar('\n');
	cli_table_print(t, stdout);
	cli_table_free(t);
done:
	townorg_blame_free(b);
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ lineage */

int cmd_lineage(int argc, char **argv)
{
	int json = 0, dot = 0, family = 0;
	const char *at = NULL;
	const cli_option opts[] = {
		{ "json", 0, 0, NULL, &json },
		{ "dot", 0, 0, NULL, &dot },
		{ "family", 0, 0, NULL, &family },
		{ "at", 0, 1, &at, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 2, &ec) < 0)
		return ec;
	if (json && dot)
		return cli_usage_error(_("--json and --dot exclude each other"));
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v;
	townorg_lineage *l = NULL;
	char *text = NULL;
	if ((ec = version_at(&v, repo, at)) != 0)
		goto done;
	unsigned int flags = family ? TOWNORG_LINEAGE_FAMILY : 0;
	int rc = townorg_lineage_of(&l, v, pos[1], flags);
	/* an id that is not in the version, in no event and in no earlier
	 * version names nothing: an error, with the closest id */
	if (rc == 0 && townorg_lineage_edge_count(l) == 0 && !townorg_lineage_node_at(l, 0)->present) {
		townorg_history *h = NULL;
		size_t seen = townorg_history_entity(&h, v, pos[1]) == 0 ? townorg_history_count(h) : 0;
		townorg_history_free(h);
		townorg_error_clear();
		if (!seen) {
			ec = cli_entity_error(v, pos[1]);
			goto done;
		}
	}
	if (rc == 0)
		rc = json ? townorg_lineage_to_json(&text, l)
			  : dot ? townorg_lineage_to_dot_lang(&text, l, cli_lang) : townorg_lineage_to_text(&text, l, cli_lang);
	if (rc < 0) {
		ec = cli_lib_error(rc);
		goto done;
	}
	fputs(text, stdout);
	if (*text && text[strlen(text) - 1] != '\n')
		fputc('\n', stdout);
done:
	townorg_free(text);
	townorg_lineage_free(l);
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ validate */

/* cmd_validate: cmd_validate.c */

/*
 * cli/cmd_refs.c — branches, tags and merges.
 *
 * merge: fast-forward when the target is an ancestor of the source;
 * otherwise a three-way merge from the merge base, entity by entity, with
 * the diff API: the changes base→source are applied on the target, unless
 * the target changed the same entity differently (a conflict: listed with
 * the base, target and source values of each differing field, and nothing
 * is committed).
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

/* A set of versions, keyed by id (open addressing). */
typedef struct {
	const townorg_version **slots;
	size_t cap, count;
} vset;

static size_t vhash(const townorg_version *v)
{
	const char *id = townorg_version_id(v);
	size_t h = 0;
	for (int i = 0; i < 16 && id[i]; i++)
		h = h * 16 + (size_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
	return h;
}

static int vset_has(const vset *s, const townorg_version *v)
{
	if (!s->cap)
		return 0;
	for (size_t i = vhash(v) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slots[i])
			return 0;
		if (strcmp(townorg_version_id(s->slots[i]), townorg_version_id(v)) == 0)
			return 1;
	}
}

static int vset_add(vset *s, const townorg_version *v)
{
	if (vset_has(s, v))
		return 0;
	if ((s->count + 1) * 2 > s->cap) {
		vset bigger = { NULL, s->cap ? s->cap * 2 : 64, 0 };
		bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
		if (!bigger.slots)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i])
				vset_add(&bigger, s->slots[i]);
		free(s->slots);
		*s = bigger;
	}
	size_t i = vhash(v) & (s->cap - 1);
	while (s->slots[i])
		i = (i + 1) & (s->cap - 1);
	s->slots[i] = v;
	s->count++;
	return 1;
}

/* Every ancestor of v (v included). */
static int ancestors(vset *out, const townorg_version *v)
{
	size_t cap = 64, n = 0;
	const townorg_version **stack = malloc(cap * sizeof *stack);
	if (!stack)
		return -1;
	stack[n++] = v;
	while (n) {
		const townorg_version *x = stack[--n];
		int added = vset_add(out, x);
		if (added < 0) {
			free(stack);
			return -1;
		}
		if (!added)
			continue;
		for (size_t i = 0; i < townorg_version_parent_count(x); i++) {
			if (n == cap) {
				const townorg_version **t = realloc(stack, (cap *= 2) * sizeof *stack);
				if (!t) {
					free(stack);
					return -1;
				}
				stack = t;
			}
			stack[n++] = townorg_version_parent(x, i);
		}
	}
	free(stack);
	return 0;
}

/* The merge base: a common ancestor of a and b that is not an ancestor of
 * another common ancestor.  Walks from b, stopping at the first common
 * ancestors on each path, then keeps the best of those.  NULL: none. */
static const townorg_version *merge_base(const townorg_version *a, const townorg_version *b)
{
	vset anc_a = { NULL, 0, 0 }, seen = { NULL, 0, 0 };
	const townorg_version *best = NULL;
	size_t cap = 64, n = 0, ncand = 0, candcap = 8;
	const townorg_version **stack = malloc(cap * sizeof *stack);
	const townorg_version **cand = malloc(candcap * sizeof *cand);
	if (!stack || !cand || ancestors(&anc_a, a) < 0)
		goto out;
	stack[n++] = b;
	while (n) {
		const townorg_version *x = stack[--n];
		if (vset_add(&seen, x) != 1)
			continue;
		if (vset_has(&anc_a, x)) {
			if (ncand == candcap) {
				const townorg_version **t = realloc(cand, (candcap *= 2) * sizeof *cand);
				if (!t)
					goto out;
				cand = t;
			}
			cand[ncand++] = x;
			continue;
		}
		for (size_t i = 0; i < townorg_version_parent_count(x); i++) {
			if (n == cap) {
				const townorg_version **t = realloc(stack, (cap *= 2) * sizeof *stack);
				if (!t)
					goto out;
				stack = t;
			}
			stack[n++] = townorg_version_parent(x, i);
		}
	}
	for (size_t i = 0; i < ncand && !best; i++) {
		int dominated = 0;
		for (size_t j = 0; j < ncand && !dominated; j++)
			if (i != j && strcmp(townorg_version_id(cand[i]), townorg_version_id(cand[j])) != 0 &&
			    townorg_version_is_ancestor(cand[i], cand[j]))
				dominated = 1;
		if (!dominated)
			best = cand[i];
	}
out:
	free(stack);
	free(cand);
	free(anc_a.slots);
	free(seen.slots);
	return best;
}

static const townorg_diff_field *find_field(const townorg_diff_delta *d, const char *name)
{
	for (size_t i = 0; d && i < d->field_count; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

static int same_outcome(const townorg_diff_delta *a, const townorg_diff_delta *b)
{
	if (!a->new_entity || !b->new_entity)
		return !a->new_entity && !b->new_entity;
	return townorg_entity_equal(a->new_entity, b->new_entity);
}

static const char *status_word(const townorg_diff_delta *d)
{
	if (!d)
		return N_("unchanged");
	return d->status == TOWNORG_DELTA_ADDED ? N_("added")
	       : d->status == TOWNORG_DELTA_REMOVED ? N_("removed") : N_("changed");
}

/* Print one conflict: the entity and, field by field, base / ours / theirs. */
static void print_conflict(const townorg_diff_delta *ours, const townorg_diff_delta *theirs, int json, int first)
{
	const char *id = theirs->id;
	if (json) {
		int f = 1;
		fputs(first ? "\n  {" : ",\n  {", stdout);
		cli_json_key(stdout, &f, "id");
		cli_json_str(stdout, id);
		cli_json_key(stdout, &f, "ours");
		cli_json_str(stdout, status_word(ours));
		cli_json_key(stdout, &f, "theirs");
		cli_json_str(stdout, status_word(theirs));
		cli_json_key(stdout, &f, "fields");
		fputc('{', stdout);
	} else {
		printf(_("conflict %s: %s here, %s there\n"), id, _(status_word(ours)), _(status_word(theirs)));
	}
	int g = 1;
	for (int side = 0; side < 2; side++) {
		const townorg_diff_delta *d = side ? theirs : ours, *other = side ? ours : theirs;
		for (size_t i = 0; i < d->field_count; i++) {
			const townorg_diff_field *fd = &d->fields[i];
			const townorg_diff_field *fo = find_field(other, fd->name);
			if (side && fo)
				continue; /* listed with ours */
			const char *base = fd->old_value;
			const char *o = side ? (fo ? fo->new_value : base) : fd->new_value;
			const char *t = side ? fd->new_value : (fo ? fo->new_value : base);
			if ((o == NULL) == (t == NULL) && (!o || strcmp(o, t) == 0))
				continue;
			if (json) {
				cli_json_key(stdout, &g, fd->name);
				fputc('[', stdout);
				cli_json_str(stdout, base);
				fputs(", ", stdout);
				cli_json_str(stdout, o);
				fputs(", ", stdout);
				cli_json_str(stdout, t);
				fputc(']', stdout);
			} else {
				printf(_("  %s: base %s, here %s, there %s\n"), fd->name, cli_or_dash(base), cli_or_dash(o),
					cli_or_dash(t));
			}
		}
	}
	if (json)
		fputs("}}", stdout);
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
	const townorg_version *src, *dst = NULL, *base = NULL, *made = NULL;
	townorg_diff *ours = NULL, *theirs = NULL;
	townorg_txn *txn = NULL;
	int rc;
	if ((ec = cli_lookup(&src, repo, pos[1])) != 0)
		goto done;
	if ((rc = townorg_repo_branch_head(&dst, repo, into)) < 0) {
		ec = cli_lib_error(rc);
		goto done;
	}
	if (dst && townorg_version_is_ancestor(src, dst)) {
		if (json) {
			json_outcome("up-to-date", pos[1], into, src, dst);
			fputs("}\n", stdout);
		} else {
			printf(_("Already up to date: %s is in '%s'.\n"), pos[1], into);
		}
		goto done;
	}
	if (!dst || townorg_version_is_ancestor(dst, src)) {
		if ((rc = townorg_repo_branch_set(repo, into, src)) < 0) {
			ec = cli_lib_error(rc);
			goto done;
		}
		if (json) {
			json_outcome("fast-forward", pos[1], into, dst, src);
			fputs("}\n", stdout);
		} else {
			printf(_("Fast-forward: '%s' now at %s.\n"), into, cli_short_id(src));
		}
		goto done;
	}
	base = merge_base(dst, src);
	if ((rc = townorg_diff_versions(&ours, base, dst, NULL)) < 0 ||
	    (rc = townorg_diff_versions(&theirs, base, src, NULL)) < 0) {
		ec = cli_lib_error(rc);
		goto done;
	}
	size_t conflicts = 0, applied = 0;
	for (size_t i = 0; i < townorg_diff_num_deltas(theirs); i++) {
		const townorg_diff_delta *t = townorg_diff_delta_at(theirs, i);
		const townorg_diff_delta *o = townorg_diff_delta_by_id(ours, t->id);
		if (o && !same_outcome(o, t)) {
			if (json && conflicts == 0) {
				json_outcome("conflicts", pos[1], into, base, NULL);
				fputs(", \"conflicts\": [", stdout);
			}
			print_conflict(o, t, json, conflicts == 0);
			conflicts++;
		}
	}
	if (conflicts) {
		if (json)
			fputs("\n]}\n", stdout);
		else
			printf(_("%zu conflicts; nothing was committed.\n"), conflicts);
		ec = EXIT_NO;
		goto done;
	}
	if ((rc = townorg_txn_new_on_branch(&txn, repo, into)) < 0 || (rc = townorg_txn_add_parent(txn, src)) < 0)
		goto fail;
	for (size_t i = 0; i < townorg_diff_num_deltas(theirs); i++) {
		const townorg_diff_delta *t = townorg_diff_delta_at(theirs, i);
		if (townorg_diff_delta_by_id(ours, t->id))
			continue; /* the same change on both sides */
		rc = t->new_entity ? townorg_txn_put(txn, t->new_entity) : townorg_txn_remove(txn, t->id);
		if (rc < 0)
			goto fail;
		applied++;
	}
	townorg_meta m = TOWNORG_META_INIT;
	char msg[512];
	const char *d_src = townorg_version_meta(src)->effective_date, *d_dst = townorg_version_meta(dst)->effective_date;
	snprintf(msg, sizeof msg, "Merge %s into %s", pos[1], into);
	m.message = message ? message : msg;
	m.doc_number = document;
	m.author = author;
	m.effective_date = date ? date : (d_src && d_dst && strcmp(d_src, d_dst) > 0 ? d_src : d_dst);
	if ((rc = townorg_txn_set_meta(txn, &m)) < 0 || (rc = townorg_txn_commit(&made, txn)) < 0)
		goto fail;
	if (json) {
		json_outcome("merged", pos[1], into, base, made);
		printf(", \"applied\": %zu}\n", applied);
	} else {
		printf(_("Merged %s into '%s' (base %s): %zu changes applied, new version %s.\n"), pos[1], into,
			base ? cli_short_id(base) : _("none"), applied, cli_short_id(made));
	}
	goto done;
fail:
	ec = cli_lib_error(rc);
done:
	townorg_txn_free(txn);
	townorg_diff_free(ours);
	townorg_diff_free(theirs);
	townorg_repo_free(repo);
	return ec;
}

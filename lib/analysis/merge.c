/*
 * merge.c — merge base, field-level three-way merge, and patches.
 *
 * A three-way merge diffs the base against each side (no events, no
 * totals: O(k log n) each) and walks the deltas of theirs: an entity only
 * theirs touched is taken whole; one both touched is rebuilt from ours with
 * the fields only theirs changed, and every field both changed differently
 * is a conflict.  Field names and values are the diff's
 * (townorg__entity_fields_diff), so conflicts read exactly as diffs do.
 */
#include "analysis/diff_internal.h"
#include "townorg/merge.h"
#include <stdlib.h>

/* ------------------------------------------------------------ merge base */

/* Position in the repository (detached versions last). */
static size_t vpos(const townorg_version *v) { return v->repo ? v->seq : SIZE_MAX; }

typedef struct {
	const townorg_version **v;
	size_t n, cap;
} vstack;

static int vs_push(vstack *s, const townorg_version *v)
{
	if (s->n == s->cap && TOWNORG__GROW(s->v, s->cap, 32) < 0)
		return TOWNORG_ENOMEM;
	s->v[s->n++] = v;
	return 0;
}

int townorg_merge_base(const townorg_version **out, const townorg_version *a, const townorg_version *b)
{
	townorg__strmap anc = { 0 }, seen = { 0 };
	vstack st = { 0 }, cand = { 0 };
	int rc = 0;
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge_base: out is NULL");
	*out = NULL;
	if (!a || !b)
		return 0;
	/* every ancestor of a */
	if ((rc = vs_push(&st, a)) < 0)
		goto done;
	while (st.n) {
		const townorg_version *x = st.v[--st.n];
		if (townorg__strmap_get(&anc, x->id))
			continue;
		if ((rc = townorg__strmap_put(&anc, x->id, (void *)1)) < 0)
			goto done;
		for (size_t i = 0; i < x->n_parents; i++)
			if ((rc = vs_push(&st, x->parents[i])) < 0)
				goto done;
	}
	/* from b: the first common ancestors on each path */
	if ((rc = vs_push(&st, b)) < 0)
		goto done;
	while (st.n) {
		const townorg_version *x = st.v[--st.n];
		if (townorg__strmap_get(&seen, x->id))
			continue;
		if ((rc = townorg__strmap_put(&seen, x->id, (void *)1)) < 0)
			goto done;
		if (townorg__strmap_get(&anc, x->id)) {
			if ((rc = vs_push(&cand, x)) < 0)
				goto done;
			continue;
		}
		for (size_t i = 0; i < x->n_parents; i++)
			if ((rc = vs_push(&st, x->parents[i])) < 0)
				goto done;
	}
	/* the best: not an ancestor of another candidate; the newest of those */
	const townorg_version *best = NULL;
	for (size_t i = 0; i < cand.n; i++) {
		bool dominated = false;
		for (size_t j = 0; j < cand.n && !dominated; j++) {
			int anc_rc = i != j && strcmp(cand.v[i]->id, cand.v[j]->id) ? townorg__is_ancestor(cand.v[i], cand.v[j]) : 0;
			if (anc_rc < 0) {
				rc = TOWNORG_ENOMEM;
				goto done;
			}
			dominated = anc_rc > 0;
		}
		if (dominated)
			continue;
		if (!best || vpos(cand.v[i]) > vpos(best) ||
		    (vpos(cand.v[i]) == vpos(best) && strcmp(cand.v[i]->id, best->id) < 0))
			best = cand.v[i];
	}
	*out = best;
done:
	townorg__strmap_free(&anc);
	townorg__strmap_free(&seen);
	townorg__free((void *)st.v);
	townorg__free((void *)cand.v);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

/* ------------------------------------------------------------ fields */

/* The text of one field of e (NULL when unset or e is NULL), as diffs show it. */
static int field_value(townorg__arena *a, const townorg_entity *e, const char *name, const char **out)
{
	townorg_diff_field *f;
	size_t n;
	*out = NULL;
	if (!e)
		return 0;
	int rc = townorg__entity_fields_diff(a, NULL, e, &name, 1, &f, &n);
	if (rc < 0)
		return rc;
	if (n)
		*out = f[0].new_value;
	return 0;
}

static bool same_text(const char *x, const char *y) { return (!x && !y) || (x && y && !strcmp(x, y)); }

static const struct townorg__attr *find_attr(const townorg_entity *e, const char *name)
{
	const struct townorg__ext *x = e ? townorg__entity_ext(e) : NULL;
	for (size_t i = 0; x && i < x->n_attrs; i++)
		if (!strcmp(x->attrs[i].name, name))
			return &x->attrs[i];
	return NULL;
}

/* Set field `name` of the draft b (a copy of `dst`) to its value in src. */
static int copy_field(townorg_entity_builder *b, const townorg_entity *dst, const char *name,
		      const townorg_entity *src)
{
	int rc;
	if (!strcmp(name, "parent_id"))
		return townorg_entity_builder_set_parent(b, townorg_entity_parent_id(src));
	if (!strcmp(name, "name"))
		return townorg_entity_builder_set_name(b, townorg_entity_name(src));
	if (!strcmp(name, "kind"))
		return townorg_entity_builder_set_kind(b, townorg_entity_kind(src));
	if (!strcmp(name, "class"))
		return townorg_entity_builder_set_class(b, townorg_entity_class(src));
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++) {
		if (strcmp(name, townorg_field_token((townorg_field)f)))
			continue;
		int64_t v;
		if (townorg_entity_int(src, (townorg_field)f, &v) == 0)
			return townorg_entity_builder_set_int(b, (townorg_field)f, v);
		return townorg_entity_builder_unset_int(b, (townorg_field)f);
	}
	size_t len = strlen(name);
	if (len > 6 && !strcmp(name + len - 6, "_quota")) {
		char type[80];
		int64_t v;
		if (len - 6 >= sizeof type)
			return townorg__err(TOWNORG_EINVALID, "field '%s' is not a field name", name);
		memcpy(type, name, len - 6);
		type[len - 6] = 0;
		if (townorg_entity_quota(src, type, &v) == 0)
			return townorg_entity_builder_set_quota(b, type, v);
		return townorg_entity_builder_unset_quota(b, type);
	}
	/* a text or list attribute */
	const struct townorg__attr *old = find_attr(dst, name), *want = find_attr(src, name);
	if (old && old->is_list)
		townorg_entity_builder_list_clear(b, name);
	else if (old && (rc = townorg_entity_builder_set_text(b, name, NULL)) < 0)
		return rc;
	if (!want)
		return 0;
	if (!want->is_list)
		return townorg_entity_builder_set_text(b, name, want->values[0]);
	for (size_t i = 0; i < want->n; i++)
		if ((rc = townorg_entity_builder_list_add(b, name, want->values[i])) < 0)
			return rc;
	return 0;
}

/* ------------------------------------------------------------ merge */

struct townorg_merge_result {
	townorg_repo *repo;
	townorg_merge_status status;
	const townorg_version *ours, *theirs, *base, *target;
	townorg__arena arena;
	size_t n_conflicts, cap_conflicts;
	townorg_merge_conflict *conflicts;
	size_t applied;
	townorg_txn *txn;
	townorg_version *preview;
};

static int add_conflict(townorg_merge_result *r, const char *id, townorg_kind kind, const char *field,
			townorg_value_type type, const char *base, const char *ours, const char *theirs,
			townorg_merge_side so, townorg_merge_side st)
{
	if (r->n_conflicts == r->cap_conflicts && TOWNORG__GROW(r->conflicts, r->cap_conflicts, 8) < 0)
		return TOWNORG_ENOMEM;
	townorg_merge_conflict c;
	c.id = townorg__arena_strdup(&r->arena, id);
	c.kind = kind;
	c.field = townorg__arena_strdup(&r->arena, field);
	c.type = type;
	c.base_value = townorg__arena_strdup(&r->arena, base);
	c.ours_value = townorg__arena_strdup(&r->arena, ours);
	c.theirs_value = townorg__arena_strdup(&r->arena, theirs);
	c.ours = so;
	c.theirs = st;
	if (!c.id || !c.field || (base && !c.base_value) || (ours && !c.ours_value) || (theirs && !c.theirs_value))
		return TOWNORG_ENOMEM;
	r->conflicts[r->n_conflicts++] = c;
	return 0;
}

static const townorg_diff_field *find_field(const townorg_diff_delta *d, const char *name)
{
	for (size_t i = 0; d && i < d->field_count; i++)
		if (!strcmp(d->fields[i].name, name))
			return &d->fields[i];
	return NULL;
}

/* Entity changed on one side, removed on the other: one conflict per field
 * the changing side changed. */
static int conflict_remove_change(townorg_merge_result *r, const townorg_diff_delta *o, const townorg_diff_delta *t)
{
	const townorg_diff_delta *ch = o->status == TOWNORG_DELTA_REMOVED ? t : o;
	int rc;
	for (size_t i = 0; i < ch->field_count; i++) {
		const townorg_diff_field *f = &ch->fields[i];
		if ((rc = add_conflict(r, t->id, ch->kind, f->name, f->type, f->old_value, ch == o ? f->new_value : NULL,
				       ch == t ? f->new_value : NULL, (townorg_merge_side)o->status,
				       (townorg_merge_side)t->status)) < 0)
			return rc;
	}
	return 0;
}

/* Both sides touched the entity: merge field by field, or list conflicts. */
static int merge_entity(townorg_merge_result *r, const townorg_diff_delta *o, const townorg_diff_delta *t)
{
	int rc;
	if (o->status == TOWNORG_DELTA_REMOVED && t->status == TOWNORG_DELTA_REMOVED)
		return 0;
	if (o->new_entity && t->new_entity && townorg_entity_equal(o->new_entity, t->new_entity))
		return 0; /* the same outcome on both sides */
	if (o->status == TOWNORG_DELTA_REMOVED || t->status == TOWNORG_DELTA_REMOVED)
		return conflict_remove_change(r, o, t);
	if (o->status == TOWNORG_DELTA_ADDED || t->status == TOWNORG_DELTA_ADDED) {
		/* added on both sides (a base entity cannot be added on one side
		 * and changed on the other), with different content */
		townorg_diff_field *f;
		size_t n;
		if ((rc = townorg__entity_fields_diff(&r->arena, o->new_entity, t->new_entity, NULL, 0, &f, &n)) < 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			if ((rc = add_conflict(r, t->id, t->kind, f[i].name, f[i].type, NULL, f[i].old_value,
					       f[i].new_value, (townorg_merge_side)o->status,
					       (townorg_merge_side)t->status)) < 0)
				return rc;
		return 0;
	}
	/* changed on both sides: ours, plus the fields only theirs changed */
	townorg_entity_builder *b = NULL;
	size_t before = r->n_conflicts;
	bool take = false;
	for (size_t i = 0; i < t->field_count; i++) {
		const townorg_diff_field *tf = &t->fields[i], *of = find_field(o, tf->name);
		if (!of) {
			take = true;
			continue;
		}
		if (same_text(of->new_value, tf->new_value))
			continue;
		if ((rc = add_conflict(r, t->id, o->kind, tf->name, tf->type, tf->old_value, of->new_value, tf->new_value,
				       TOWNORG_MERGE_SIDE_CHANGED, TOWNORG_MERGE_SIDE_CHANGED)) < 0)
			return rc;
	}
	if (r->n_conflicts > before || !take)
		return 0;
	if ((rc = townorg_entity_builder_from(&b, o->new_entity)) < 0)
		return rc;
	for (size_t i = 0; i < t->field_count && rc == 0; i++)
		if (!find_field(o, t->fields[i].name))
			rc = copy_field(b, o->new_entity, t->fields[i].name, t->new_entity);
	townorg_entity *e = NULL;
	if (rc == 0 && (rc = townorg_entity_builder_build(&e, b)) == 0) {
		if (r->txn)
			rc = townorg_txn_put(r->txn, e);
		r->applied++;
	}
	townorg_entity_free(e);
	townorg_entity_builder_free(b);
	return rc;
}

static int check_merge_options(const townorg_merge_options *o)
{
	if (o->version != TOWNORG_MERGE_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge_options: version %u is not supported (expected %d)",
				    o->version, TOWNORG_MERGE_OPTIONS_VERSION);
	if (o->flags)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge_options: unknown flags 0x%x", o->flags);
	return 0;
}

int townorg_merge(townorg_merge_result **out, townorg_repo *repo, const townorg_version *ours,
		  const townorg_version *theirs, const townorg_merge_options *opts)
{
	static const townorg_merge_options defaults = TOWNORG_MERGE_OPTIONS_INIT;
	const townorg_merge_options *o = opts ? opts : &defaults;
	townorg_diff *dours = NULL, *dtheirs = NULL;
	int rc;
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge: out is NULL");
	*out = NULL;
	if (!repo || !theirs)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge: %s is NULL", !repo ? "repo" : "theirs");
	if ((rc = check_merge_options(o)) < 0)
		return rc;
	if ((ours && ours->repo != repo) || theirs->repo != repo)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge: both versions must belong to the repository");
	townorg_merge_result *r = townorg__calloc(1, sizeof *r);
	if (!r)
		return townorg__oom();
	r->repo = repo;
	r->ours = ours;
	r->theirs = theirs;
	int up = townorg__is_ancestor(theirs, ours), ff = up > 0 || !ours ? 0 : townorg__is_ancestor(ours, theirs);
	if (up < 0 || ff < 0) {
		townorg__free(r);
		return townorg__oom();
	}
	if (up) {
		r->status = TOWNORG_MERGE_UP_TO_DATE;
		r->target = ours;
		r->base = theirs;
		*out = r;
		return 0;
	}
	if (!ours || ff) {
		r->status = TOWNORG_MERGE_FAST_FORWARD;
		r->target = theirs;
		r->base = ours;
		*out = r;
		return 0;
	}
	if ((rc = townorg_merge_base(&r->base, ours, theirs)) < 0)
		goto fail;
	townorg_diff_options dopt = TOWNORG_DIFF_OPTIONS_INIT;
	dopt.flags = TOWNORG_DIFF_SKIP_EVENTS | TOWNORG_DIFF_SKIP_TOTALS;
	if ((rc = townorg_diff_versions(&dours, r->base, ours, &dopt)) < 0 ||
	    (rc = townorg_diff_versions(&dtheirs, r->base, theirs, &dopt)) < 0)
		goto fail;
	if ((rc = townorg_txn_new(&r->txn, repo, ours)) < 0 || (rc = townorg_txn_add_parent(r->txn, theirs)) < 0)
		goto fail;
	size_t n = townorg_diff_num_deltas(dtheirs);
	for (size_t i = 0; i < n; i++) {
		const townorg_diff_delta *t = townorg_diff_delta_at(dtheirs, i);
		const townorg_diff_delta *od = townorg_diff_delta_by_id(dours, t->id);
		if (od) {
			if ((rc = merge_entity(r, od, t)) < 0)
				goto fail;
			continue;
		}
		rc = t->new_entity ? townorg_txn_put(r->txn, t->new_entity) : townorg_txn_remove(r->txn, t->id);
		if (rc < 0)
			goto fail;
		r->applied++;
	}
	if (r->n_conflicts) {
		r->status = TOWNORG_MERGE_CONFLICTS;
		r->applied = 0;
		townorg_txn_free(r->txn);
		r->txn = NULL;
	} else {
		r->status = TOWNORG_MERGE_CLEAN;
	}
	townorg_diff_free(dours);
	townorg_diff_free(dtheirs);
	*out = r;
	return 0;
fail:
	townorg_diff_free(dours);
	townorg_diff_free(dtheirs);
	townorg_merge_result_free(r);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

void townorg_merge_result_free(townorg_merge_result *r)
{
	if (!r)
		return;
	townorg_version_free(r->preview);
	townorg_txn_free(r->txn);
	townorg__free(r->conflicts);
	townorg__arena_free(&r->arena);
	townorg__free(r);
}

townorg_merge_status townorg_merge_result_status(const townorg_merge_result *r) { return r->status; }
int townorg_merge_result_is_fast_forward(const townorg_merge_result *r)
{
	return r->status == TOWNORG_MERGE_FAST_FORWARD;
}
const townorg_version *townorg_merge_result_base(const townorg_merge_result *r)
{
	return r->status == TOWNORG_MERGE_CLEAN || r->status == TOWNORG_MERGE_CONFLICTS ? r->base : NULL;
}
const townorg_version *townorg_merge_result_target(const townorg_merge_result *r) { return r->target; }
size_t townorg_merge_result_conflict_count(const townorg_merge_result *r) { return r->n_conflicts; }
const townorg_merge_conflict *townorg_merge_result_conflict_at(const townorg_merge_result *r, size_t i)
{
	return i < r->n_conflicts ? &r->conflicts[i] : NULL;
}
size_t townorg_merge_result_applied(const townorg_merge_result *r) { return r->applied; }
townorg_txn *townorg_merge_result_txn(townorg_merge_result *r) { return r->txn && !r->txn->spent ? r->txn : NULL; }

int townorg_merge_result_preview(const townorg_version **out, townorg_merge_result *r)
{
	int rc;
	if (!out || !r)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge_result_preview: NULL argument");
	*out = NULL;
	if (r->status == TOWNORG_MERGE_CONFLICTS)
		return townorg__err(TOWNORG_ECONFLICT, "the merge has %zu conflicts", r->n_conflicts);
	if (r->status != TOWNORG_MERGE_CLEAN) {
		*out = r->target;
		return 0;
	}
	if (!r->txn || r->txn->spent)
		return townorg__err(TOWNORG_EINVALID, "the merge was already committed");
	townorg_version_free(r->preview);
	r->preview = NULL;
	if ((rc = townorg_txn_preview(&r->preview, r->txn)) < 0)
		return rc;
	*out = r->preview;
	return 0;
}

/* Does `branch` point at `want` (a missing or empty branch counts as NULL)? */
static int branch_at(const townorg_repo *repo, const char *branch, const townorg_version *want, bool *exists)
{
	const townorg_version *head = NULL;
	int rc = townorg_repo_branch_head(&head, repo, branch);
	*exists = rc == 0;
	if (rc == TOWNORG_ENOTFOUND)
		townorg_error_clear();
	else if (rc < 0)
		return rc;
	if (head != want)
		return townorg__err(TOWNORG_ECONFLICT, "branch %s is not at the merged version %.12s", branch,
				    want ? want->id : "(empty)");
	return 0;
}

int townorg_merge_result_commit(const townorg_version **out, townorg_merge_result *r, const townorg_meta *meta,
				const char *branch)
{
	int rc;
	bool exists;
	if (out)
		*out = NULL;
	if (!r)
		return townorg__err(TOWNORG_EINVALID, "townorg_merge_result_commit: result is NULL");
	if (branch && !townorg__valid_ref_name(branch))
		return townorg__err(TOWNORG_EINVALID, "'%s' is not a valid branch name", branch);
	switch (r->status) {
	case TOWNORG_MERGE_CONFLICTS:
		return townorg__err(TOWNORG_ECONFLICT, "the merge has %zu conflicts; nothing was committed",
				    r->n_conflicts);
	case TOWNORG_MERGE_UP_TO_DATE:
		if (branch && (rc = branch_at(r->repo, branch, r->ours, &exists)) < 0)
			return rc;
		if (out)
			*out = r->ours;
		return 0;
	case TOWNORG_MERGE_FAST_FORWARD:
		if (branch) {
			if ((rc = branch_at(r->repo, branch, r->ours, &exists)) < 0)
				return rc;
			rc = exists ? townorg_repo_branch_set(r->repo, branch, r->theirs)
				    : townorg_repo_branch_create(r->repo, branch, r->theirs);
			if (rc < 0)
				return rc;
		}
		if (out)
			*out = r->theirs;
		return 0;
	default:
		break;
	}
	if (!r->txn || r->txn->spent)
		return townorg__err(TOWNORG_EINVALID, "the merge was already committed");
	if (meta && (rc = townorg_txn_set_meta(r->txn, meta)) < 0)
		return rc;
	if (branch) {
		if ((rc = branch_at(r->repo, branch, r->ours, &exists)) < 0)
			return rc;
		if (!(r->txn->branch = townorg__strdup(branch)))
			return townorg__oom();
		r->txn->expect = r->ours;
	}
	rc = townorg_txn_commit(out, r->txn);
	if (rc < 0 && branch) {
		townorg__free(r->txn->branch);
		r->txn->branch = NULL;
		r->txn->expect = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------ patch */

typedef struct {
	char *id;
	townorg_entity *orig; /* NULL: absent before */
} undo_item;

static void undo(townorg_txn *txn, undo_item *u, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		if (u[i].orig)
			townorg_txn_put(txn, u[i].orig);
		else
			townorg_txn_remove(txn, u[i].id);
	}
}

int townorg_patch_apply(townorg_txn *txn, const townorg_diff *diff, const townorg_patch_options *opts)
{
	static const townorg_patch_options defaults = TOWNORG_PATCH_OPTIONS_INIT;
	const townorg_patch_options *o = opts ? opts : &defaults;
	townorg__arena a = { 0 };
	undo_item *u = NULL;
	size_t nu = 0;
	int rc = 0;
	if (!txn || !diff)
		return townorg__err(TOWNORG_EINVALID, "townorg_patch_apply: %s is NULL", !txn ? "txn" : "diff");
	if (txn->spent)
		return townorg__err(TOWNORG_EINVALID, "townorg_patch_apply: the transaction was already committed");
	if (o->version != TOWNORG_PATCH_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, "townorg_patch_options: version %u is not supported (expected %d)",
				    o->version, TOWNORG_PATCH_OPTIONS_VERSION);
	if (o->flags & ~TOWNORG_PATCH_EVENTS)
		return townorg__err(TOWNORG_EINVALID, "townorg_patch_options: unknown flags 0x%x", o->flags);
	size_t n = townorg_diff_num_deltas(diff);
	/* check everything first */
	for (size_t i = 0; i < n; i++) {
		const townorg_diff_delta *d = townorg_diff_delta_at(diff, i);
		const townorg_entity *cur = townorg__hamt_get(&txn->entities, &townorg__entity_trie, d->id);
		if (d->status == TOWNORG_DELTA_ADDED) {
			if (cur) {
				rc = townorg__err(TOWNORG_ECONFLICT, "patch: entity %s: added by the patch but already present",
						  d->id);
				goto done;
			}
			continue;
		}
		if (!cur) {
			rc = townorg__err(TOWNORG_ECONFLICT, "patch: entity %s: %s by the patch but not present", d->id,
					  d->status == TOWNORG_DELTA_REMOVED ? "removed" : "changed");
			goto done;
		}
		if (d->status == TOWNORG_DELTA_REMOVED) {
			if (!townorg_entity_equal(cur, d->old_entity)) {
				townorg_diff_field *f;
				size_t nf;
				if ((rc = townorg__entity_fields_diff(&a, d->old_entity, cur, NULL, 0, &f, &nf)) < 0)
					goto done;
				rc = townorg__err(TOWNORG_ECONFLICT,
						  "patch: entity %s: removed by the patch but changed here (field %s: %s, patch "
						  "expects %s)",
						  d->id, nf ? f[0].name : "?", nf && f[0].new_value ? f[0].new_value : "(unset)",
						  nf && f[0].old_value ? f[0].old_value : "(unset)");
				goto done;
			}
			continue;
		}
		for (size_t j = 0; j < d->field_count; j++) {
			const townorg_diff_field *f = &d->fields[j];
			const char *now;
			if ((rc = field_value(&a, cur, f->name, &now)) < 0)
				goto done;
			if (!same_text(now, f->old_value)) {
				rc = townorg__err(TOWNORG_ECONFLICT,
						  "patch: entity %s: field %s is %s, the patch expects %s", d->id, f->name,
						  now ? now : "(unset)", f->old_value ? f->old_value : "(unset)");
				goto done;
			}
		}
	}
	/* then apply, undoing on failure */
	if (n && !(u = townorg__calloc(n, sizeof *u))) {
		rc = TOWNORG_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const townorg_diff_delta *d = townorg_diff_delta_at(diff, i);
		const townorg_entity *cur = townorg__hamt_get(&txn->entities, &townorg__entity_trie, d->id);
		if (!(u[nu].id = townorg__strdup(d->id))) {
			rc = TOWNORG_ENOMEM;
			break;
		}
		u[nu].orig = cur ? townorg_entity_ref(cur) : NULL;
		nu++;
		if (d->status == TOWNORG_DELTA_ADDED) {
			rc = townorg_txn_put(txn, d->new_entity);
		} else if (d->status == TOWNORG_DELTA_REMOVED) {
			rc = townorg_txn_remove(txn, d->id);
		} else {
			townorg_entity_builder *b = NULL;
			townorg_entity *e = NULL;
			if ((rc = townorg_entity_builder_from(&b, cur)) < 0)
				break;
			for (size_t j = 0; j < d->field_count && rc == 0; j++)
				rc = copy_field(b, cur, d->fields[j].name, d->new_entity);
			if (rc == 0 && (rc = townorg_entity_builder_build(&e, b)) == 0)
				rc = townorg_txn_put(txn, e);
			townorg_entity_free(e);
			townorg_entity_builder_free(b);
		}
	}
	if (rc == 0 && (o->flags & TOWNORG_PATCH_EVENTS)) {
		size_t mark = txn->n_events;
		for (size_t i = 0; i < townorg_diff_num_events(diff) && rc == 0; i++)
			rc = townorg_txn_add_event(txn, townorg_diff_event_at(diff, i)->event);
		if (rc < 0) {
			while (txn->n_events > mark)
				townorg__event_free(&txn->events[--txn->n_events]);
		}
	}
	if (rc < 0)
		undo(txn, u, nu);
done:
	for (size_t i = 0; i < nu; i++) {
		townorg__free(u[i].id);
		townorg_entity_free(u[i].orig);
	}
	townorg__free(u);
	townorg__arena_free(&a);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

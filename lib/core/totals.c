/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * totals.c — the quota totals index: per county, the sums of the organs'
 * quotas, staff and count over its township-level units, kept up to date
 * by each put and remove of a transaction (see repo_internal.h).
 *
 * Why an index: the questions asked most of a county — its quota total at a
 * version, the five-year cap over a window of versions — would otherwise
 * walk every organ (430,000 nationally) per version.  With the index a
 * county total is one lookup, and the change of all totals between two
 * versions is a diff of two small tries that share every untouched leaf.
 *
 * Invariant: leaf(C) sums, over the township-level units T whose parent is
 * C in the current state, the organs in T's children set (those whose
 * parent is T).  An organ's change adjusts the leaf of its unit's county.
 * A unit's change of parent (or of its own pools), arrival or removal
 * moves its whole sum between counties; that sum is read off the unit's
 * children set at that moment, which the caller keeps up to date before
 * each change reaches the totals.  So the order of puts within a
 * transaction does not matter: organs put before their unit are counted
 * when the unit arrives.
 *
 * Only counties have leaves.  A township-level unit's sums are its
 * children set's, read when asked (townorg_version_quota_total); keeping
 * them as leaves too cost a copied leaf and trie path per touched unit and
 * version — 18 MB of a national history's 190.
 *
 * Leaves are copied on write, except those the transaction made itself,
 * which it edits in place (the same token scheme as the children sets).
 */
#include "core/repo_internal.h"

static const char *tot_key(const void *l) { return ((const townorg__totals *)l)->key; }
static void tot_ref(void *l) { TOWNORG__INC(&((townorg__totals *)l)->refcnt); }
static void tot_unref(void *l)
{
	townorg__totals *t = l;
	if (TOWNORG__DEC(&t->refcnt) == 0)
		townorg__pfree(t, sizeof *t + strlen(t->key) + 1);
}

const townorg__hamt_type townorg__totals_trie = { tot_key, tot_ref, tot_unref, NULL };

const townorg__totals *townorg__totals_get(const townorg__hamt *totals, const char *id)
{
	return id ? townorg__hamt_get(totals, &townorg__totals_trie, id) : NULL;
}

/* The county leaf of `key`, writable by this token: made or copied as
 * needed. */
static townorg__totals *leaf_for(townorg__hamt *tr, const char *key, uint32_t token)
{
	townorg__totals *old = townorg__hamt_get(tr, &townorg__totals_trie, key);
	if (old && old->owner == token)
		return old;
	size_t kl = strlen(key);
	townorg__totals *n = townorg__palloc(sizeof *n + kl + 1);
	if (!n)
		return NULL;
	if (old)
		memcpy(n, old, sizeof *n);
	else
		memset(n, 0, sizeof *n);
	memcpy(n->key, key, kl + 1);
	n->refcnt = 1; /* ours while the trie takes its own */
	n->owner = token;
	if (townorg__hamt_set(tr, &townorg__totals_trie, n, token) < 0) {
		townorg__pfree(n, sizeof *n + kl + 1);
		return NULL;
	}
	n->refcnt--;
	return n;
}

void townorg__organ_contrib(townorg__contrib *c, const townorg_entity *o)
{
	*c = (townorg__contrib){ 1, 0, { 0, 0, 0 } };
	townorg_entity_int(o, TOWNORG_FIELD_ACTUAL_STAFF, &c->staff);
	townorg_entity_int(o, TOWNORG_FIELD_ADMIN_QUOTA, &c->q[0]);
	townorg_entity_int(o, TOWNORG_FIELD_INST_QUOTA, &c->q[1]);
	c->q[2] = townorg_entity_quota_total(o);
}

void townorg__unit_sums(townorg__contrib *sum, const townorg__hamt *children, townorg__lookup_fn lookup, void *ctx,
			const char *unit_id)
{
	*sum = (townorg__contrib){ 0, 0, { 0, 0, 0 } };
	const townorg__childset *cs = townorg__children_get(children, unit_id);
	for (size_t i = 0; cs && i < cs->n; i++) {
		/* the set says who the children are; their values are looked up */
		const townorg_entity *o = lookup(ctx, townorg__entity_id(cs->items[i]));
		if (!o || !townorg_kind_is_organ((townorg_kind)o->kind))
			continue;
		townorg__contrib c;
		townorg__organ_contrib(&c, o);
		sum->organs += c.organs;
		sum->staff += c.staff;
		for (int t = 0; t < 3; t++)
			sum->q[t] += c.q[t];
	}
}

static void add_contrib(townorg__totals *l, const townorg__contrib *c, int sign)
{
	l->organs += sign * c->organs;
	l->staff += sign * c->staff;
	for (int t = 0; t < 3; t++)
		l->osum[t] += sign * c->q[t];
	for (int t = 0; t < 2; t++)
		l->capped[t] += sign * c->q[t]; /* the callers take it back for pooled units */
}

static bool pool_of(const townorg_entity *u, int t, int64_t *v)
{
	return townorg_entity_int(u, t == 0 ? TOWNORG_FIELD_ADMIN_QUOTA : TOWNORG_FIELD_INST_QUOTA, v) == 0;
}

/* Add (sign +1) or take away (-1) unit u, whose organs sum to us, from its
 * county's leaf. */
static int unit_to_county(townorg__hamt *tr, const townorg_entity *u, const townorg__contrib *us, int sign,
			  uint32_t token)
{
	const char *cid = townorg_entity_parent_id(u);
	if (!cid)
		return 0;
	int64_t p[2];
	bool has[2] = { pool_of(u, 0, &p[0]), pool_of(u, 1, &p[1]) };
	if (!us->organs && !has[0] && !has[1])
		return 0;
	townorg__totals *cl = leaf_for(tr, cid, token);
	if (!cl)
		return TOWNORG_ENOMEM;
	add_contrib(cl, us, sign);
	for (int t = 0; t < 2; t++)
		if (has[t])
			cl->capped[t] += sign * (p[t] - us->q[t]);
	return 0;
}

/* An organ's contribution to its unit's county. */
static int organ_apply(townorg__hamt *tr, townorg__lookup_fn lookup, void *ctx, const townorg_entity *o,
		       const townorg__contrib *c, int sign, uint32_t token)
{
	const char *tid = townorg_entity_parent_id(o);
	if (!tid)
		return 0;
	const townorg_entity *u = lookup(ctx, tid);
	if (!u || !townorg_kind_is_township_level((townorg_kind)u->kind) || !townorg_entity_parent_id(u))
		return 0;
	townorg__totals *cl = leaf_for(tr, townorg_entity_parent_id(u), token);
	if (!cl)
		return TOWNORG_ENOMEM;
	add_contrib(cl, c, sign);
	for (int t = 0; t < 2; t++) {
		int64_t p;
		if (pool_of(u, t, &p))
			cl->capped[t] -= sign * c->q[t];
	}
	return 0;
}

static bool same_unit_placement(const townorg_entity *a, const townorg_entity *b)
{
	const char *pa = townorg_entity_parent_id(a), *pb = townorg_entity_parent_id(b);
	if ((pa == NULL) != (pb == NULL) || (pa && strcmp(pa, pb)))
		return false;
	for (int t = 0; t < 2; t++) {
		int64_t x, y;
		bool hx = pool_of(a, t, &x), hy = pool_of(b, t, &y);
		if (hx != hy || (hx && x != y))
			return false;
	}
	return true;
}

/*
 * Update the index for a put (old → e), a new entity (old NULL) or a
 * removal (e NULL).  lookup(ctx, id) reads the entities after the change;
 * children is the children index after it.  Returns 0 or TOWNORG_ENOMEM.
 */
int townorg__totals_update(townorg__hamt *tr, townorg__lookup_fn lookup, void *ctx, const townorg__hamt *children,
			   const townorg_entity *old, const townorg_entity *e, uint32_t token)
{
	int rc;
	bool old_organ = old && townorg_kind_is_organ((townorg_kind)old->kind);
	bool new_organ = e && townorg_kind_is_organ((townorg_kind)e->kind);
	townorg__contrib a, b;
	if (old_organ)
		townorg__organ_contrib(&a, old);
	if (new_organ)
		townorg__organ_contrib(&b, e);
	if (old_organ && new_organ) {
		const char *pa = townorg_entity_parent_id(old), *pb = townorg_entity_parent_id(e);
		if (!memcmp(&a, &b, sizeof a) && ((!pa && !pb) || (pa && pb && !strcmp(pa, pb))))
			return 0; /* a rename or another change that moves no number */
	}
	if (old_organ && (rc = organ_apply(tr, lookup, ctx, old, &a, -1, token)) < 0)
		return rc;
	if (new_organ && (rc = organ_apply(tr, lookup, ctx, e, &b, +1, token)) < 0)
		return rc;
	bool old_unit = old && townorg_kind_is_township_level((townorg_kind)old->kind);
	bool new_unit = e && townorg_kind_is_township_level((townorg_kind)e->kind);
	if (old_unit && new_unit && same_unit_placement(old, e))
		return 0;
	if (old_unit || new_unit) {
		townorg__contrib us;
		townorg__unit_sums(&us, children, lookup, ctx, townorg__entity_id(e ? e : old));
		if (old_unit && (rc = unit_to_county(tr, old, &us, -1, token)) < 0)
			return rc;
		if (new_unit && (rc = unit_to_county(tr, e, &us, +1, token)) < 0)
			return rc;
	}
	return 0;
}

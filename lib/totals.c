/*
 * totals.c — the quota totals index: per township-level unit and per
 * county, the sums of their organs' quotas, staff and count, kept up to
 * date by each put and remove of a transaction (see repo_internal.h).
 *
 * Why an index: the questions asked most of a county — its quota total at a
 * version, the five-year cap over a window of versions — would otherwise
 * walk every organ (430,000 nationally) per version.  With the index a
 * county total is one lookup, and the change of all totals between two
 * versions is a diff of two small tries that share every untouched leaf.
 *
 * Invariant: leaf(T) sums the organs whose parent is T; leaf(C) sums
 * leaf(T) over the township-level units T whose parent is C, in the current
 * state.  An organ's change adjusts its parent's leaf and, when the parent
 * is a township-level unit with a parent, that county's leaf.  A unit's
 * change of parent (or of its own pools) moves its whole leaf between
 * counties.  Because each unit carries its sums with it, the order of puts
 * within a transaction does not matter.
 *
 * Leaves are copied on write, except those the transaction made itself,
 * which it edits in place (the same token scheme as the children sets).
 * A township-level unit's leaf is "small": it stops before the pool fields
 * only counties use and keeps its key there (80 bytes with malloc's header
 * instead of 112; there are about four unit leaves to one county leaf, and
 * each version copies those its changes touch).
 */
#include "repo_internal.h"

/* A small leaf (level 1, no pool fields) keeps its key where pool_sum
 * would start. */
#define SMALL_SIZE offsetof(townorg__totals, pool_sum)

static const char *tot_key(const void *l)
{
	const townorg__totals *t = l;
	return t->small ? (const char *)t + SMALL_SIZE : t->key;
}
static void tot_ref(void *l) { TOWNORG__INC(&((townorg__totals *)l)->refcnt); }
static void tot_unref(void *l)
{
	townorg__totals *t = l;
	if (TOWNORG__DEC(&t->refcnt) == 0)
		townorg__free(t);
}

const townorg__hamt_type townorg__totals_trie = { tot_key, tot_ref, tot_unref, NULL };

const townorg__totals *townorg__totals_get(const townorg__hamt *totals, const char *id)
{
	return id ? townorg__hamt_get(totals, &townorg__totals_trie, id) : NULL;
}

static bool has_pools(const townorg__totals *l)
{
	return !l->small && (l->pool_sum[0] || l->pool_sum[1] || l->pooled_osum[0] || l->pooled_osum[1]);
}

/* The leaf of `key`, writable by this token: made or copied as needed.
 * Level-1 leaves are made small (no pool fields); a leaf asked for at
 * level 2 is always whole. */
static townorg__totals *leaf_for(townorg__hamt *tr, const char *key, uint32_t token, uint8_t level)
{
	townorg__totals *old = townorg__hamt_get(tr, &townorg__totals_trie, key);
	if (old && old->owner == token && (level < 2 || !old->small))
		return old;
	bool small = level < 2 && (!old || (old->level < 2 && !has_pools(old)));
	size_t kl = strlen(key), sz = small ? SMALL_SIZE : offsetof(townorg__totals, key);
	townorg__totals *n = townorg__malloc(sz + kl + 1);
	if (!n)
		return NULL;
	memset(n, 0, sz);
	if (old)
		memcpy(n, old, old->small || small ? SMALL_SIZE : offsetof(townorg__totals, key));
	else
		n->level = level;
	n->small = small;
	memcpy((char *)n + sz, key, kl + 1);
	n->refcnt = 1; /* ours while the trie takes its own */
	n->owner = token;
	if (townorg__hamt_set(tr, &townorg__totals_trie, n, token) < 0) {
		townorg__free(n);
		return NULL;
	}
	n->refcnt--;
	return n;
}

typedef struct {
	int64_t organs, staff, q[3];
} contrib;

static contrib organ_contrib(const townorg_entity *o)
{
	contrib c = { 1, 0, { 0, 0, 0 } };
	townorg_entity_int(o, TOWNORG_FIELD_ACTUAL_STAFF, &c.staff);
	townorg_entity_int(o, TOWNORG_FIELD_ADMIN_QUOTA, &c.q[0]);
	townorg_entity_int(o, TOWNORG_FIELD_INST_QUOTA, &c.q[1]);
	c.q[2] = townorg_entity_quota_total(o);
	return c;
}

static void add_contrib(townorg__totals *l, const contrib *c, int sign)
{
	l->organs += sign * c->organs;
	l->staff += sign * c->staff;
	for (int t = 0; t < 3; t++)
		l->osum[t] += sign * c->q[t];
}

static bool pool_of(const townorg_entity *u, int t, int64_t *v)
{
	return townorg_entity_int(u, t == 0 ? TOWNORG_FIELD_ADMIN_QUOTA : TOWNORG_FIELD_INST_QUOTA, v) == 0;
}

/* Add (sign +1) or take away (-1) unit u's leaf from its county's leaf. */
static int unit_to_county(townorg__hamt *tr, const townorg_entity *u, const townorg__totals *ul, int sign,
			  uint32_t token)
{
	const char *cid = townorg_entity_parent_id(u);
	if (!cid)
		return 0;
	int64_t p[2];
	bool has[2] = { pool_of(u, 0, &p[0]), pool_of(u, 1, &p[1]) };
	if (!ul && !has[0] && !has[1])
		return 0;
	townorg__totals *cl = leaf_for(tr, cid, token, 2);
	if (!cl)
		return TOWNORG_ENOMEM;
	if (ul) {
		cl->organs += sign * ul->organs;
		cl->staff += sign * ul->staff;
		for (int t = 0; t < 3; t++)
			cl->osum[t] += sign * ul->osum[t];
	}
	for (int t = 0; t < 2; t++)
		if (has[t]) {
			cl->pool_sum[t] += sign * p[t];
			cl->pooled_osum[t] += sign * (ul ? ul->osum[t] : 0);
		}
	return 0;
}

/* An organ's contribution to its unit and the unit's county. */
static int organ_apply(townorg__hamt *tr, townorg__lookup_fn lookup, void *ctx, const townorg_entity *o, int sign,
		       uint32_t token)
{
	const char *tid = townorg_entity_parent_id(o);
	if (!tid)
		return 0;
	contrib c = organ_contrib(o);
	townorg__totals *tl = leaf_for(tr, tid, token, 1);
	if (!tl)
		return TOWNORG_ENOMEM;
	add_contrib(tl, &c, sign);
	const townorg_entity *u = lookup(ctx, tid);
	if (!u || !townorg_kind_is_township_level((townorg_kind)u->kind) || !townorg_entity_parent_id(u))
		return 0;
	townorg__totals *cl = leaf_for(tr, townorg_entity_parent_id(u), token, 2);
	if (!cl)
		return TOWNORG_ENOMEM;
	add_contrib(cl, &c, sign);
	for (int t = 0; t < 2; t++) {
		int64_t p;
		if (pool_of(u, t, &p))
			cl->pooled_osum[t] += sign * c.q[t];
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
 * removal (e NULL).  lookup(ctx, id) reads the entities after the change.
 * Returns 0 or TOWNORG_ENOMEM.
 */
int townorg__totals_update(townorg__hamt *tr, townorg__lookup_fn lookup, void *ctx, const townorg_entity *old,
			   const townorg_entity *e, uint32_t token)
{
	int rc;
	bool old_organ = old && townorg_kind_is_organ((townorg_kind)old->kind);
	bool new_organ = e && townorg_kind_is_organ((townorg_kind)e->kind);
	if (old_organ && new_organ) {
		contrib a = organ_contrib(old), b = organ_contrib(e);
		const char *pa = townorg_entity_parent_id(old), *pb = townorg_entity_parent_id(e);
		if (!memcmp(&a, &b, sizeof a) && ((!pa && !pb) || (pa && pb && !strcmp(pa, pb))))
			return 0; /* a rename or another change that moves no number */
	}
	if (old_organ && (rc = organ_apply(tr, lookup, ctx, old, -1, token)) < 0)
		return rc;
	if (new_organ && (rc = organ_apply(tr, lookup, ctx, e, +1, token)) < 0)
		return rc;
	bool old_unit = old && townorg_kind_is_township_level((townorg_kind)old->kind);
	bool new_unit = e && townorg_kind_is_township_level((townorg_kind)e->kind);
	if (old_unit && new_unit && same_unit_placement(old, e))
		return 0;
	if (old_unit || new_unit) {
		const char *id = townorg__entity_id(e ? e : old);
		const townorg__totals *ul = townorg__hamt_get(tr, &townorg__totals_trie, id);
		if (old_unit && (rc = unit_to_county(tr, old, ul, -1, token)) < 0)
			return rc;
		/* the county leaf may have been copied: ul is the unit's own leaf,
		 * which unit_to_county does not touch */
		if (new_unit && (rc = unit_to_county(tr, e, ul, +1, token)) < 0)
			return rc;
	}
	return 0;
}

struct rebuild {
	townorg__hamt *tr;
	const townorg__hamt *entities;
	uint32_t token;
	int rc;
	bool units; /* second pass */
};

static int rebuild_cb(const void *leaf, void *p)
{
	struct rebuild *r = p;
	const townorg_entity *e = leaf;
	if (!r->units) {
		if (townorg_kind_is_organ((townorg_kind)e->kind) && townorg_entity_parent_id(e)) {
			contrib c = organ_contrib(e);
			townorg__totals *tl = leaf_for(r->tr, townorg_entity_parent_id(e), r->token, 1);
			if (!tl)
				return r->rc = TOWNORG_ENOMEM;
			add_contrib(tl, &c, +1);
		}
		return 0;
	}
	if (townorg_kind_is_township_level((townorg_kind)e->kind)) {
		const townorg__totals *ul = townorg__hamt_get(r->tr, &townorg__totals_trie, townorg__entity_id(e));
		if (unit_to_county(r->tr, e, ul, +1, r->token) < 0)
			return r->rc = TOWNORG_ENOMEM;
	}
	return 0;
}

int townorg__totals_rebuild(townorg__hamt *out, const townorg__hamt *entities, uint32_t token)
{
	struct rebuild r = { out, entities, token, 0, false };
	townorg__hamt_foreach(entities, rebuild_cb, &r);
	if (r.rc == 0) {
		r.units = true;
		townorg__hamt_foreach(entities, rebuild_cb, &r);
	}
	if (r.rc < 0) {
		townorg__hamt_release(out, &townorg__totals_trie);
		return r.rc;
	}
	townorg__hamt_freeze(out, &townorg__totals_trie, token);
	return 0;
}

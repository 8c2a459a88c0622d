/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * hamt.c — the persistent hash array mapped trie that holds every version.
 *
 * Why this structure
 * ------------------
 * A version is an immutable map from entity id to entity value.  Three
 * needs decide its shape:
 *
 *  1. Committing k changes into n entities must cost O(k log n) time and
 *     memory, so versions share structure: the trie is persistent, and an
 *     update copies only the path from the root to the changed leaf (path
 *     copying).  Unchanged subtrees are shared, by reference count, between
 *     every version that holds them.
 *
 *  2. Diff of any two versions must cost O(k log n) — also for two versions
 *     loaded separately from a file, which share no pointers.  So the shape
 *     of the trie depends only on its set of keys, never on the order of
 *     edits, and every node has a SHA-256 of its subtree (a Merkle trie),
 *     stored in it unless it is small (SMALL_NODE below: then computed from
 *     its few children when asked).  Two equal subtrees have equal hashes
 *     wherever they were built, and diff skips them without looking inside.
 *     The root hash is the version's state hash.
 *
 *  3. Many threads read a version at once without locks: committed nodes
 *     are never written again (only their reference counts move, atomically).
 *
 * The trie is keyed by a 64-bit hash of the entity id (FNV-1a with murmur's
 * finaliser: deterministic across platforms and runs, which the canonical
 * shape needs), 5 bits a level, so 430,000 entities sit about four levels
 * deep.  A leaf lives at the shallowest level at which its hash prefix is
 * unique (a subtree exists exactly where two or more keys share a prefix),
 * which is what makes the shape canonical: insertion pushes a colliding
 * leaf down into a new subtree, and removal collapses a subtree left with a
 * single leaf back into its parent.  After 13 levels the hash bits are
 * spent and equal-hash keys share a collision node sorted by key.
 *
 * Transactions edit in place (as immer's transients and Clojure's editable
 * nodes do): a node a transaction creates is marked transient and is the
 * transaction's own until commit, so a second change in the same subtree
 * does not copy the path again.  Commit ("freeze") walks only the
 * transient nodes, computes their hashes bottom-up, and clears the mark;
 * from then on they are as immutable as the rest.  Node hashes are
 * therefore computed once per commit per changed node, not once per edit.
 * One bit suffices (no per-node edit token) because a trie is shared —
 * handed to a version or to another transaction — only once frozen, so a
 * transient node is reachable from exactly one transaction.
 *
 * A trie type may carry no hashes: the derived indexes (children of a
 * parent, quota totals) use the same code without hashing, and their diff
 * compares pointers.  Those indexes are never part of an entity's content.
 * Their nodes are allocated without the 32-byte hash field (see struct
 * townorg__hnode), which is most of a small node.
 */
#include "core/hamt.h"
#include "base/pool.h"
#include <stdlib.h>

#define BITS 5
#define MAXDEPTH 13 /* levels 0..12 use hash bits; 13 is the collision level */

/* A node is one allocation: an 8-byte header and its slots.  In a hashed
 * trie its SHA-256 sits just before the header (node_hash); the derived
 * indexes' tries carry none, which saves 32 of a node's 24 to 300 bytes
 * without moving the slots.  The slot count is the bitmap's population
 * (a collision node keeps its count in `bitmap` instead), and two flags
 * ride in the top bits of the reference count: TRANSIENT, a node made by a
 * transaction that has not been frozen yet (it belongs to that
 * transaction, which edits it in place: a trie is shared only once
 * frozen), and COLLISION. */
struct townorg__hnode {
	uint32_t refcnt; /* low 30 bits: references; RC_TRANSIENT, RC_COLLISION */
	uint32_t bitmap; /* branch node: used slots; collision node: slot count */
	void *slot[];    /* leaves, or child nodes tagged with the low bit */
};

typedef struct townorg__hnode hnode;

#define RC_TRANSIENT 0x80000000u
#define RC_COLLISION 0x40000000u
#define RC_MASK 0x3fffffffu

/* A hashed trie's nodes of up to SMALL_NODE slots store no hash: it is
 * computed when a parent's hash or a diff asks for it (node_hash_of).  They
 * are a third of a national history's nodes (the pairs of keys that share
 * a five-bit digit below the last full level), and the 32 bytes would be
 * more than half of each. */
#define SMALL_NODE 3

static inline bool stores_hash(const townorg__hamt_type *ty, unsigned n) { return ty->hash && n > SMALL_NODE; }

/* The stored hash of a node that has one (stores_hash). */
static inline unsigned char *node_hash(const hnode *nd)
{
	return (unsigned char *)nd - TOWNORG__HASH_SIZE;
}

static uint64_t nodes_allocated;
static uint32_t token_counter;

uint64_t townorg__hamt_nodes_allocated(void) { return __atomic_load_n(&nodes_allocated, __ATOMIC_RELAXED); }

uint32_t townorg__hamt_new_token(void)
{
	uint32_t t;
	do
		t = __atomic_add_fetch(&token_counter, 1, __ATOMIC_RELAXED);
	while (t == 0);
	return t;
}

/* Population count; __builtin_popcount is a libgcc call on the x86-64
 * baseline (no POPCNT), and this runs at every level of every lookup. */
static inline unsigned popc(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (x * 0x01010101u) >> 24;
}

/* Flags are read atomically: other threads may be moving the count of a
 * committed node. */
static inline uint32_t node_flags(const hnode *nd) { return __atomic_load_n(&nd->refcnt, __ATOMIC_RELAXED) & ~RC_MASK; }
static inline bool is_collision(const hnode *nd) { return (node_flags(nd) & RC_COLLISION) != 0; }
static inline bool is_transient(const hnode *nd) { return (node_flags(nd) & RC_TRANSIENT) != 0; }

static inline unsigned node_n(const hnode *nd) { return is_collision(nd) ? nd->bitmap : popc(nd->bitmap); }

static inline bool is_node(const void *s) { return ((uintptr_t)s & 1) != 0; }
static inline hnode *as_node(const void *s) { return (hnode *)((uintptr_t)s & ~(uintptr_t)1); }
static inline void *tag(const hnode *n) { return (void *)((uintptr_t)n | 1); }
static inline unsigned idx_at(uint64_t h, int depth) { return (unsigned)((h >> (BITS * depth)) & 31); }

static uint64_t leaf_h(const townorg__hamt_type *ty, const void *leaf)
{
	const char *k = ty->key(leaf);
	return townorg__keyhash(k, strlen(k));
}

/* Bytes of a node with room for n slots (its hash, if the trie has them,
 * included: it sits before the node). */
static inline size_t node_size(const townorg__hamt_type *ty, unsigned n)
{
	return (stores_hash(ty, n) ? TOWNORG__HASH_SIZE : 0) + sizeof(hnode) + (n ? n : 1) * sizeof(void *);
}

/* A transient node with room for n slots; the caller sets the bitmap (and
 * for a collision node the flag and the count). */
static hnode *node_alloc(const townorg__hamt_type *ty, unsigned n, uint32_t token)
{
	(void)token;
	unsigned char *m = townorg__palloc(node_size(ty, n));
	if (!m)
		return NULL;
	hnode *nd = (hnode *)(m + (stores_hash(ty, n) ? TOWNORG__HASH_SIZE : 0));
	nd->refcnt = 1 | RC_TRANSIENT;
	nd->bitmap = 0;
	__atomic_add_fetch(&nodes_allocated, 1, __ATOMIC_RELAXED);
	return nd;
}

/* Free a node made with room for n slots (node_n(nd) for every node but
 * one a failed build leaves half filled). */
static void node_free_n(hnode *nd, const townorg__hamt_type *ty, unsigned n)
{
	townorg__pfree(stores_hash(ty, n) ? (void *)node_hash(nd) : (void *)nd, node_size(ty, n));
}

static void node_free(hnode *nd, const townorg__hamt_type *ty) { node_free_n(nd, ty, node_n(nd)); }

static void slot_ref(const townorg__hamt_type *ty, void *s)
{
	if (is_node(s))
		TOWNORG__INC(&as_node(s)->refcnt);
	else
		ty->ref(s);
}

static void node_unref(hnode *nd, const townorg__hamt_type *ty);

static void slot_unref(const townorg__hamt_type *ty, void *s)
{
	if (!s)
		return;
	if (is_node(s))
		node_unref(as_node(s), ty);
	else
		ty->unref(s);
}

static void node_unref(hnode *nd, const townorg__hamt_type *ty)
{
	if (!nd || (TOWNORG__DEC(&nd->refcnt) & RC_MASK) != 0)
		return;
	for (unsigned i = 0, n = node_n(nd); i < n; i++)
		slot_unref(ty, nd->slot[i]);
	node_free(nd, ty);
}

/* A copy of nd with room for n_new slots, holding references to all of nd's
 * slots (the first min(n, n_new) are copied). */
static hnode *node_copy(const hnode *nd, const townorg__hamt_type *ty, uint32_t token)
{
	unsigned n = node_n(nd);
	hnode *c = node_alloc(ty, n, token);
	if (!c)
		return NULL;
	c->bitmap = nd->bitmap;
	c->refcnt |= node_flags(nd) & RC_COLLISION;
	/* the children's reference counts are scattered (a leaf's is in its
	 * value): fetch them all before the first increment */
	for (unsigned i = 0; i < n; i++)
		__builtin_prefetch(as_node(nd->slot[i]), 1);
	for (unsigned i = 0; i < n; i++) {
		c->slot[i] = nd->slot[i];
		slot_ref(ty, c->slot[i]);
	}
	return c;
}

/* ------------------------------------------------------------------ lookup */

void *townorg__hamt_get(const townorg__hamt *t, const townorg__hamt_type *ty, const char *key)
{
	const hnode *nd = t->root;
	if (!nd || !key)
		return NULL;
	uint64_t h = townorg__keyhash(key, strlen(key));
	for (int depth = 0;; depth++) {
		if (is_collision(nd)) {
			for (unsigned i = 0, n = nd->bitmap; i < n; i++)
				if (!strcmp(ty->key(nd->slot[i]), key))
					return nd->slot[i];
			return NULL;
		}
		uint32_t bit = 1u << idx_at(h, depth);
		if (!(nd->bitmap & bit))
			return NULL;
		void *s = nd->slot[popc(nd->bitmap & (bit - 1))];
		if (!is_node(s))
			return strcmp(ty->key(s), key) ? NULL : s;
		nd = as_node(s);
	}
}

/* Lookups of many keys at once, in groups walked down the trie in step:
 * each level's nodes of the whole group are fetched together (prefetch),
 * so a group waits for memory about once a level instead of once a level
 * per key.  Reading the children of a parent at a version is n lookups of
 * keys at random places in the trie. */
void townorg__hamt_get_many(const townorg__hamt *t, const townorg__hamt_type *ty, const char *const *keys, size_t n,
			    void **out)
{
	enum { G = 16 };
	for (size_t b = 0; b < n; b += G) {
		size_t m = n - b < G ? n - b : G;
		uint64_t h[G];
		const hnode *nd[G];
		unsigned char walking[G];
		size_t active = 0;
		for (size_t i = 0; i < m; i++) {
			out[b + i] = NULL;
			walking[i] = t->root && keys[b + i];
			if (!walking[i])
				continue;
			h[i] = townorg__keyhash(keys[b + i], strlen(keys[b + i]));
			nd[i] = t->root;
			active++;
		}
		for (int depth = 0; active; depth++)
			for (size_t i = 0; i < m; i++) {
				if (!walking[i])
					continue;
				const hnode *x = nd[i];
				void *found = NULL;
				bool done = true;
				if (is_collision(x)) {
					for (unsigned j = 0, c = x->bitmap; j < c && !found; j++)
						if (!strcmp(ty->key(x->slot[j]), keys[b + i]))
							found = x->slot[j];
				} else {
					uint32_t bit = 1u << idx_at(h[i], depth);
					if (x->bitmap & bit) {
						void *s = x->slot[popc(x->bitmap & (bit - 1))];
						if (is_node(s)) {
							nd[i] = as_node(s);
							__builtin_prefetch(nd[i]);
							done = false;
						} else {
							found = s;
							__builtin_prefetch(s);
						}
					}
				}
				if (done) {
					out[b + i] = found;
					walking[i] = 0;
					active--;
				}
			}
		for (size_t i = 0; i < m; i++)
			if (out[b + i] && strcmp(ty->key(out[b + i]), keys[b + i]))
				out[b + i] = NULL;
	}
}

/* ------------------------------------------------------------------ insert */

typedef struct {
	const townorg__hamt_type *ty;
	uint32_t token;
	bool added;
	void **replaced; /* NULL: drop the replaced leaf's reference */
} setctx;

/* The slot's reference to a replaced leaf: hand it over or drop it. */
static void give_up(setctx *c, void *old)
{
	if (c->replaced)
		*c->replaced = old;
	else
		c->ty->unref(old);
}

/* A subtree at `depth` holding two leaves with different keys (each gets a
 * reference). */
static hnode *make_pair(setctx *c, int depth, void *l1, uint64_t h1, void *l2, uint64_t h2)
{
	hnode *nd;
	if (depth >= MAXDEPTH) {
		nd = node_alloc(c->ty, 2, c->token);
		if (!nd)
			return NULL;
		nd->refcnt |= RC_COLLISION;
		nd->bitmap = 2;
		bool first = strcmp(c->ty->key(l1), c->ty->key(l2)) < 0;
		nd->slot[0] = first ? l1 : l2;
		nd->slot[1] = first ? l2 : l1;
		c->ty->ref(l1);
		c->ty->ref(l2);
		return nd;
	}
	unsigned i1 = idx_at(h1, depth), i2 = idx_at(h2, depth);
	if (i1 == i2) {
		hnode *sub = make_pair(c, depth + 1, l1, h1, l2, h2);
		if (!sub)
			return NULL;
		nd = node_alloc(c->ty, 1, c->token);
		if (!nd) {
			node_unref(sub, c->ty);
			return NULL;
		}
		nd->bitmap = 1u << i1;
		nd->slot[0] = tag(sub);
		return nd;
	}
	nd = node_alloc(c->ty, 2, c->token);
	if (!nd)
		return NULL;
	nd->bitmap = (1u << i1) | (1u << i2);
	nd->slot[0] = i1 < i2 ? l1 : l2;
	nd->slot[1] = i1 < i2 ? l2 : l1;
	c->ty->ref(l1);
	c->ty->ref(l2);
	return nd;
}

/* nd with a new slot at pos.  If nd is owned it is consumed (its slot
 * references move to the new node); otherwise it is left untouched. */
static hnode *node_insert_slot(setctx *c, hnode *nd, unsigned pos, void *s, uint32_t bit)
{
	unsigned n = node_n(nd);
	bool coll = is_collision(nd);
	hnode *x = node_alloc(c->ty, n + 1u, c->token);
	if (!x)
		return NULL;
	x->bitmap = coll ? n + 1u : nd->bitmap | bit;
	if (coll)
		x->refcnt |= RC_COLLISION;
	bool owned = is_transient(nd);
	for (unsigned i = 0, j = 0; i <= n; i++) {
		if (i == pos) {
			x->slot[i] = s;
			continue;
		}
		x->slot[i] = nd->slot[j++];
		if (!owned)
			slot_ref(c->ty, x->slot[i]);
	}
	if (owned)
		node_free(nd, c->ty);
	return x;
}

/* Insert or replace leaf in the subtree nd.  Returns the new subtree (nd
 * itself when edited in place), or NULL on allocation failure with nothing
 * changed.  The caller's reference to nd: consumed when nd is owned, else
 * left for the caller to drop when the result differs. */
static hnode *set_rec(setctx *c, hnode *nd, int depth, uint64_t h, void *leaf, const char *key)
{
	const townorg__hamt_type *ty = c->ty;
	if (is_collision(nd)) {
		unsigned i = 0, n = nd->bitmap;
		int cmp = 1;
		while (i < n && (cmp = strcmp(ty->key(nd->slot[i]), key)) < 0)
			i++;
		if (i < n && cmp == 0) {
			hnode *x = is_transient(nd) ? nd : node_copy(nd, ty, c->token);
			if (!x)
				return NULL;
			give_up(c, x->slot[i]);
			x->slot[i] = leaf;
			ty->ref(leaf);
			return x;
		}
		ty->ref(leaf);
		hnode *x = node_insert_slot(c, nd, i, leaf, 0);
		if (!x) {
			ty->unref(leaf);
			return NULL;
		}
		c->added = true;
		return x;
	}
	uint32_t bit = 1u << idx_at(h, depth);
	unsigned pos = (unsigned)popc(nd->bitmap & (bit - 1));
	if (!(nd->bitmap & bit)) {
		ty->ref(leaf);
		hnode *x = node_insert_slot(c, nd, pos, leaf, bit);
		if (!x) {
			ty->unref(leaf);
			return NULL;
		}
		c->added = true;
		return x;
	}
	void *s = nd->slot[pos];
	if (is_node(s)) {
		hnode *child = as_node(s);
		bool child_owned = is_transient(child);
		hnode *nc = set_rec(c, child, depth + 1, h, leaf, key);
		if (!nc)
			return NULL;
		if (nc == child)
			return nd;
		/* A child owned by the token has an owned parent (paths are copied
		 * from the root down), so this cannot allocate when child_owned. */
		hnode *x = is_transient(nd) ? nd : node_copy(nd, ty, c->token);
		if (!x) {
			node_unref(nc, ty);
			return NULL;
		}
		if (!child_owned)
			node_unref(child, ty);
		x->slot[pos] = tag(nc);
		return x;
	}
	if (!strcmp(ty->key(s), key)) {
		if (s == leaf) {
			if (c->replaced) {
				ty->ref(leaf);
				*c->replaced = leaf;
			}
			return nd;
		}
		hnode *x = is_transient(nd) ? nd : node_copy(nd, ty, c->token);
		if (!x)
			return NULL;
		give_up(c, x->slot[pos]);
		x->slot[pos] = leaf;
		ty->ref(leaf);
		return x;
	}
	hnode *sub = make_pair(c, depth + 1, s, leaf_h(ty, s), leaf, h);
	if (!sub)
		return NULL;
	hnode *x = is_transient(nd) ? nd : node_copy(nd, ty, c->token);
	if (!x) {
		node_unref(sub, ty);
		return NULL;
	}
	ty->unref(x->slot[pos]);
	x->slot[pos] = tag(sub);
	c->added = true;
	return x;
}

int townorg__hamt_set(townorg__hamt *t, const townorg__hamt_type *ty, void *leaf, uint32_t token)
{
	return townorg__hamt_put(t, ty, leaf, token, NULL);
}

int townorg__hamt_put(townorg__hamt *t, const townorg__hamt_type *ty, void *leaf, uint32_t token, void **replaced)
{
	setctx c = { ty, token, false, replaced };
	if (replaced)
		*replaced = NULL;
	const char *key = ty->key(leaf);
	uint64_t h = townorg__keyhash(key, strlen(key));
	if (!t->root) {
		hnode *nd = node_alloc(ty, 1, token);
		if (!nd)
			return TOWNORG_ENOMEM;
		nd->bitmap = 1u << idx_at(h, 0);
		nd->slot[0] = leaf;
		ty->ref(leaf);
		t->root = nd;
		t->count = 1;
		return 0;
	}
	hnode *old = t->root;
	bool owned = is_transient(old);
	hnode *nr = set_rec(&c, old, 0, h, leaf, key);
	if (!nr) {
		/* a copy deeper down may have handed over its reference before an
		 * upper copy failed: that copy is gone, so drop the reference */
		if (replaced && *replaced) {
			ty->unref(*replaced);
			*replaced = NULL;
		}
		return TOWNORG_ENOMEM;
	}
	if (nr != old && !owned)
		node_unref(old, ty);
	t->root = nr;
	if (c.added)
		t->count++;
	return 0;
}

/* ------------------------------------------------------------------ build */

/*
 * A whole trie at once, from n leaves with distinct keys (a first version
 * of 430,000 entities): the leaves sorted by their hash's 5-bit digits,
 * level 0 first, then each node made once with its final slot count.  The
 * same shape as n inserts (the shape depends only on the keys) without the
 * insert's walk from the root and its node reallocation per added slot.
 */
typedef struct {
	uint64_t sk; /* the hash's digits, level 0 in the top five bits */
	void *leaf;
} bleaf;

static uint64_t sort_key(uint64_t h)
{
	uint64_t k = h >> 60; /* level 12: the last four bits */
	for (int d = 0; d < 12; d++)
		k |= (uint64_t)idx_at(h, d) << (59 - 5 * d);
	return k;
}

/* idx_at(h, depth) read from h's sort key */
static unsigned sk_digit(uint64_t sk, int depth)
{
	return depth < 12 ? (unsigned)(sk >> (59 - 5 * depth)) & 31 : (unsigned)sk & 15;
}

static int key_cmp(const townorg__hamt_type *ty, const void *a, const void *b)
{
	return strcmp(ty->key(a), ty->key(b));
}

/* Free a subtree build_rec made, without touching its leaves (whose
 * references townorg__hamt_build holds and drops itself). */
static void free_built(hnode *nd, const townorg__hamt_type *ty)
{
	if (!is_collision(nd))
		for (unsigned i = 0, n = node_n(nd); i < n; i++)
			if (is_node(nd->slot[i]))
				free_built(as_node(nd->slot[i]), ty);
	node_free(nd, ty);
}

static int bleaf_cmp(const void *a, const void *b)
{
	uint64_t x = ((const bleaf *)a)->sk, y = ((const bleaf *)b)->sk;
	return x < y ? -1 : x > y;
}

/* The levels whose digits the radix sort orders (the top 32 bits of the
 * sort key hold the first six digits); deeper, build_rec sorts each group
 * itself, and such groups hold a leaf or two. */
#define SORTED_DEPTH 6

/* The subtree of v[0..n) (n >= 2, or the root) at depth, its slots taking
 * over the references townorg__hamt_build took; NULL: no memory, or dup
 * set when two keys are equal. */
static hnode *build_rec(const townorg__hamt_type *ty, bleaf *v, size_t n, int depth, bool *dup)
{
	hnode *nd;
	if (depth == SORTED_DEPTH) {
		if (n <= 16) {
			for (size_t i = 1; i < n; i++)
				for (size_t j = i; j > 0 && v[j - 1].sk > v[j].sk; j--) {
					bleaf x = v[j];
					v[j] = v[j - 1];
					v[j - 1] = x;
				}
		} else {
			qsort(v, n, sizeof *v, bleaf_cmp);
		}
	}
	if (depth >= MAXDEPTH) {
		/* equal hashes: a collision node sorted by key (they hold two
		 * or three leaves, if any exist at all) */
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && key_cmp(ty, v[j - 1].leaf, v[j].leaf) > 0; j--) {
				bleaf x = v[j];
				v[j] = v[j - 1];
				v[j - 1] = x;
			}
		for (size_t i = 1; i < n; i++)
			if (!key_cmp(ty, v[i - 1].leaf, v[i].leaf)) {
				*dup = true;
				return NULL;
			}
		if (!(nd = node_alloc(ty, (unsigned)n, 0)))
			return NULL;
		nd->refcnt |= RC_COLLISION;
		nd->bitmap = (uint32_t)n;
		for (size_t i = 0; i < n; i++)
			nd->slot[i] = v[i].leaf;
		return nd;
	}
	uint32_t bitmap = 0;
	for (size_t i = 0; i < n; i++)
		bitmap |= 1u << sk_digit(v[i].sk, depth);
	if (!(nd = node_alloc(ty, popc(bitmap), 0)))
		return NULL;
	nd->bitmap = bitmap;
	unsigned filled = 0;
	for (size_t lo = 0; lo < n;) {
		unsigned d = sk_digit(v[lo].sk, depth);
		size_t hi = lo + 1;
		while (hi < n && sk_digit(v[hi].sk, depth) == d)
			hi++;
		if (hi - lo == 1) {
			nd->slot[filled] = v[lo].leaf;
		} else {
			hnode *sub = build_rec(ty, v + lo, hi - lo, depth + 1, dup);
			if (!sub) {
				/* free what is in place: the node now counts the slots
				 * filled so far (a collision node's count is its bitmap),
				 * and free_built frees the subtrees among them */
				nd->bitmap = filled;
				nd->refcnt &= ~RC_COLLISION;
				for (unsigned i = 0; i < filled; i++)
					if (is_node(nd->slot[i]))
						free_built(as_node(nd->slot[i]), ty);
				node_free_n(nd, ty, popc(bitmap)); /* the room it was made with */
				return NULL;
			}
			nd->slot[filled] = tag(sub);
		}
		filled++;
		lo = hi;
	}
	return nd;
}

/* LSD radix sort on the top 32 bits of sk, a byte a pass; passes whose
 * byte is the same in every key are skipped. */
static int sort_bleaves(bleaf *v, size_t n)
{
	bleaf *tmp = townorg__malloc(n * sizeof *tmp);
	if (!tmp)
		return TOWNORG_ENOMEM;
	size_t (*cnt)[256] = townorg__calloc(4, sizeof *cnt);
	if (!cnt) {
		townorg__free(tmp);
		return TOWNORG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			cnt[b][(v[i].sk >> (32 + 8 * b)) & 255]++;
	bleaf *src = v, *dst = tmp;
	for (int b = 0; b < 4; b++) {
		int sh = 32 + 8 * b;
		if (cnt[b][(src[0].sk >> sh) & 255] == n)
			continue;
		size_t pos = 0;
		for (int d = 0; d < 256; d++) {
			size_t c = cnt[b][d];
			cnt[b][d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[b][(src[i].sk >> sh) & 255]++] = src[i];
		bleaf *x = src;
		src = dst;
		dst = x;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	townorg__free(tmp);
	townorg__free(cnt);
	return 0;
}

int townorg__hamt_build(townorg__hamt *t, const townorg__hamt_type *ty, void *const *leaves, size_t n)
{
	if (t->root)
		return TOWNORG_EINVALID;
	if (!n)
		return 0;
	bleaf *v = townorg__malloc(n * sizeof *v);
	if (!v)
		return TOWNORG_ENOMEM;
	/* the references are taken here, in the caller's order (an importer's
	 * entities lie in memory in that order), not in the trie's */
	for (size_t i = 0; i < n; i++) {
		v[i].sk = sort_key(leaf_h(ty, leaves[i]));
		v[i].leaf = leaves[i];
		ty->ref(leaves[i]);
	}
	bool dup = false;
	hnode *root = NULL;
	if (sort_bleaves(v, n) == 0)
		root = build_rec(ty, v, n, 0, &dup);
	townorg__free(v);
	if (!root) {
		for (size_t i = 0; i < n; i++)
			ty->unref(leaves[i]);
		return dup ? TOWNORG_EEXISTS : TOWNORG_ENOMEM;
	}
	t->root = root;
	t->count = n;
	return 0;
}

/* ------------------------------------------------------------------ remove */

enum { RM_NOTFOUND, RM_DONE, RM_NOMEM };

/* Remove key from the subtree nd without touching nd (deletions copy their
 * path, which keeps this simple; they are the rarer edit).  On RM_DONE
 * *out is the new slot value, holding its own reference: a tagged node, a
 * single leaf (the subtree collapsed), or NULL (empty). */
static int rm_rec(const townorg__hamt_type *ty, uint32_t token, hnode *nd, int depth, uint64_t h, const char *key,
		  void **out)
{
	unsigned pos;
	void *repl = NULL; /* new value for slot pos; NULL: drop the slot */
	unsigned n = node_n(nd);
	bool coll = is_collision(nd);
	if (coll) {
		for (pos = 0; pos < n; pos++)
			if (!strcmp(ty->key(nd->slot[pos]), key))
				break;
		if (pos == n)
			return RM_NOTFOUND;
	} else {
		uint32_t bit = 1u << idx_at(h, depth);
		if (!(nd->bitmap & bit))
			return RM_NOTFOUND;
		pos = (unsigned)popc(nd->bitmap & (bit - 1));
		void *s = nd->slot[pos];
		if (is_node(s)) {
			int r = rm_rec(ty, token, as_node(s), depth + 1, h, key, &repl);
			if (r != RM_DONE)
				return r;
		} else if (strcmp(ty->key(s), key)) {
			return RM_NOTFOUND;
		}
	}
	unsigned remaining = n - (repl ? 0u : 1u);
	/* Collapse: a non-root subtree left with one leaf becomes that leaf. */
	if (depth > 0 && remaining == 1) {
		void *only = repl;
		if (!only)
			only = nd->slot[pos == 0 ? 1 : 0];
		else if (n != 1)
			only = NULL;
		if (only && !is_node(only)) {
			if (only != repl)
				ty->ref(only);
			*out = only;
			return RM_DONE;
		}
	}
	if (remaining == 0) {
		*out = NULL;
		return RM_DONE;
	}
	hnode *x = node_alloc(ty, remaining, token);
	if (!x) {
		slot_unref(ty, repl);
		return RM_NOMEM;
	}
	if (coll)
		x->refcnt |= RC_COLLISION;
	x->bitmap = coll ? remaining : nd->bitmap;
	unsigned j = 0;
	for (unsigned i = 0; i < n; i++) {
		if (i == pos) {
			if (repl)
				x->slot[j++] = repl;
			continue;
		}
		x->slot[j] = nd->slot[i];
		slot_ref(ty, x->slot[j++]);
	}
	if (!repl && !coll)
		x->bitmap &= ~(1u << idx_at(h, depth));
	*out = tag(x);
	return RM_DONE;
}

int townorg__hamt_remove(townorg__hamt *t, const townorg__hamt_type *ty, const char *key, uint32_t token,
			 bool *found)
{
	*found = false;
	if (!t->root || !key)
		return 0;
	uint64_t h = townorg__keyhash(key, strlen(key));
	void *out = NULL;
	int r = rm_rec(ty, token, t->root, 0, h, key, &out);
	if (r == RM_NOTFOUND)
		return 0;
	if (r == RM_NOMEM)
		return TOWNORG_ENOMEM;
	node_unref(t->root, ty);
	/* At the root a single leaf stays in a one-slot node. */
	if (out && !is_node(out)) {
		hnode *nd = node_alloc(ty, 1, token);
		if (!nd) {
			/* cannot happen at depth 0: rm_rec never collapses the root */
			ty->unref(out);
			return TOWNORG_ENOMEM;
		}
		nd->bitmap = 1u << idx_at(leaf_h(ty, out), 0);
		nd->slot[0] = out;
		out = tag(nd);
	}
	t->root = out ? as_node(out) : NULL;
	t->count--;
	*found = true;
	return 0;
}

/* ------------------------------------------------------------------ freeze */

/* SHA-256 over "townorg-node-1\0", a kind byte and bitmap (or count), then
 * per slot 'N' or 'L' and the child's hash.  The bytes are gathered in a
 * stack buffer so that SHA sees a few large updates, not 2n+2 tiny ones. */
static void hash_node(const hnode *nd, const townorg__hamt_type *ty, unsigned char out[TOWNORG__HASH_SIZE]);

/* A frozen node's hash: the stored one, or a small node's computed into buf. */
static const unsigned char *node_hash_of(const hnode *nd, const townorg__hamt_type *ty,
					 unsigned char buf[TOWNORG__HASH_SIZE])
{
	if (node_n(nd) > SMALL_NODE)
		return node_hash(nd);
	hash_node(nd, ty, buf);
	return buf;
}

static void hash_node(const hnode *nd, const townorg__hamt_type *ty, unsigned char out[TOWNORG__HASH_SIZE])
{
	townorg__sha s;
	unsigned char buf[15 + 5 + 32 * 33];
	size_t len = 0;
	townorg__sha_init(&s);
	memcpy(buf, "townorg-node-1", 15);
	len = 15;
	buf[len++] = is_collision(nd) ? 'C' : 'B';
	uint32_t v = nd->bitmap; /* a collision node's count */
	buf[len++] = (unsigned char)v;
	buf[len++] = (unsigned char)(v >> 8);
	buf[len++] = (unsigned char)(v >> 16);
	buf[len++] = (unsigned char)(v >> 24);
	/* The children's hashes are scattered over memory (a leaf's is in its
	 * value): ask for all of them before reading the first, so that the
	 * cache misses overlap instead of following one another. */
	unsigned n = node_n(nd);
	for (unsigned i = 0; i < n && i < 32; i++) {
		void *sl = nd->slot[i];
		/* a child node's hash, if stored, sits just before it */
		const unsigned char *h = is_node(sl) ? (const unsigned char *)as_node(sl) - TOWNORG__HASH_SIZE
						     : ty->hash(sl);
		__builtin_prefetch(h);
		__builtin_prefetch(h + TOWNORG__HASH_SIZE + sizeof(hnode) + SMALL_NODE * sizeof(void *) - 1);
	}
	/* A small child has no stored hash: its own children's are read below
	 * (node_hash_of), so ask for those too, once the child has arrived. */
	for (unsigned i = 0; i < n && i < 32; i++) {
		void *sl = nd->slot[i];
		if (!is_node(sl))
			continue;
		const hnode *c = as_node(sl);
		unsigned cn = node_n(c);
		if (cn > SMALL_NODE)
			continue;
		for (unsigned j = 0; j < cn; j++) {
			void *cs = c->slot[j];
			__builtin_prefetch(is_node(cs) ? (const void *)as_node(cs) : (const void *)ty->hash(cs));
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (len + 33 > sizeof buf) { /* only large collision nodes get here */
			townorg__sha_update(&s, buf, len);
			len = 0;
		}
		void *sl = nd->slot[i];
		buf[len++] = is_node(sl) ? 'N' : 'L';
		unsigned char tmp[TOWNORG__HASH_SIZE];
		memcpy(buf + len, is_node(sl) ? node_hash_of(as_node(sl), ty, tmp) : ty->hash(sl), TOWNORG__HASH_SIZE);
		len += TOWNORG__HASH_SIZE;
	}
	townorg__sha_update(&s, buf, len);
	townorg__sha_final(&s, out);
}

static void freeze_rec(hnode *nd, const townorg__hamt_type *ty, uint32_t token)
{
	if (!is_transient(nd))
		return;
	for (unsigned i = 0, n = node_n(nd); i < n; i++)
		if (is_node(nd->slot[i]))
			freeze_rec(as_node(nd->slot[i]), ty, token);
	if (stores_hash(ty, node_n(nd)))
		hash_node(nd, ty, node_hash(nd));
	__atomic_and_fetch(&nd->refcnt, ~RC_TRANSIENT, __ATOMIC_RELAXED);
}

void townorg__hamt_freeze_range(townorg__hamt *t, const townorg__hamt_type *ty, uint32_t token, unsigned lo,
				unsigned hi)
{
	hnode *r = t->root;
	if (!r || !is_transient(r) || is_collision(r))
		return;
	for (unsigned i = lo; i < hi && i < 32; i++) {
		uint32_t bit = 1u << i;
		if (!(r->bitmap & bit))
			continue;
		void *s = r->slot[popc(r->bitmap & (bit - 1))];
		if (is_node(s))
			freeze_rec(as_node(s), ty, token);
	}
}

void townorg__hamt_freeze(townorg__hamt *t, const townorg__hamt_type *ty, uint32_t token)
{
	if (t->root)
		freeze_rec(t->root, ty, token);
}

void townorg__hamt_root_hash(const townorg__hamt *t, const townorg__hamt_type *ty, unsigned char out[32])
{
	if (t->root) {
		unsigned char buf[TOWNORG__HASH_SIZE];
		memcpy(out, node_hash_of(t->root, ty, buf), TOWNORG__HASH_SIZE);
		return;
	}
	hnode empty = { 0, 0 };
	hash_node(&empty, ty, out);
}

townorg__hamt townorg__hamt_share(const townorg__hamt *t)
{
	if (t->root)
		TOWNORG__INC(&t->root->refcnt);
	return *t;
}

void townorg__hamt_release(townorg__hamt *t, const townorg__hamt_type *ty)
{
	node_unref(t->root, ty);
	t->root = NULL;
	t->count = 0;
}

/* ------------------------------------------------------------------ iterate */

void townorg__hamt_iter_init(townorg__hamt_iter *it, const townorg__hamt *t)
{
	it->depth = t->root ? 0 : -1;
	it->node[0] = t->root;
	it->pos[0] = 0;
}

void *townorg__hamt_iter_next(townorg__hamt_iter *it)
{
	while (it->depth >= 0) {
		const hnode *nd = it->node[it->depth];
		if (it->pos[it->depth] >= node_n(nd)) {
			it->depth--;
			continue;
		}
		void *s = nd->slot[it->pos[it->depth]++];
		if (!is_node(s))
			return s;
		it->depth++;
		it->node[it->depth] = as_node(s);
		it->pos[it->depth] = 0;
	}
	return NULL;
}

static int foreach_rec(const hnode *nd, int (*cb)(const void *, void *), void *ctx)
{
	for (unsigned i = 0, n = node_n(nd); i < n; i++) {
		int r = is_node(nd->slot[i]) ? foreach_rec(as_node(nd->slot[i]), cb, ctx) : cb(nd->slot[i], ctx);
		if (r)
			return r;
	}
	return 0;
}

int townorg__hamt_foreach(const townorg__hamt *t, int (*cb)(const void *leaf, void *ctx), void *ctx)
{
	return t->root ? foreach_rec(t->root, cb, ctx) : 0;
}

/* ------------------------------------------------------------------ diff */

/* Leaf pairs met in the walk wait here, their lines prefetched, and are
 * compared PEND at a time: in a wide diff most bottom nodes differ in one
 * slot, so comparing each pair where it is found waits for its cache
 * misses one pair after another; batched, they overlap. */
enum { PEND = 32 };

typedef struct {
	const townorg__hamt_type *ty;
	townorg__hamt_diff_cb cb;
	void *ctx;
	bool a_side; /* for emit_all */
	unsigned np;
	const void *pa[PEND], *pb[PEND];
} diffctx;

static bool leaves_equal(const townorg__hamt_type *ty, const void *a, const void *b)
{
	if (a == b)
		return true;
	if (!ty->hash)
		return false;
	return !memcmp(ty->hash(a), ty->hash(b), TOWNORG__HASH_SIZE);
}

static int emit_all(diffctx *d, const void *s, bool a_side)
{
	if (!s)
		return 0;
	if (!is_node(s))
		return a_side ? d->cb(s, NULL, d->ctx) : d->cb(NULL, s, d->ctx);
	const hnode *nd = as_node(s);
	for (unsigned i = 0, n = node_n(nd); i < n; i++) {
		int r = emit_all(d, nd->slot[i], a_side);
		if (r)
			return r;
	}
	return 0;
}

/* leaf versus subtree: look the leaf's key up in the subtree by walking it. */
struct leafvs {
	diffctx *d;
	const void *leaf;
	bool leaf_is_a;
	bool matched;
};

static int leafvs_rec(struct leafvs *lv, const void *s)
{
	if (!is_node(s)) {
		const townorg__hamt_type *ty = lv->d->ty;
		if (!strcmp(ty->key(s), ty->key(lv->leaf))) {
			lv->matched = true;
			if (leaves_equal(ty, lv->leaf, s))
				return 0;
			return lv->leaf_is_a ? lv->d->cb(lv->leaf, s, lv->d->ctx) : lv->d->cb(s, lv->leaf, lv->d->ctx);
		}
		return lv->leaf_is_a ? lv->d->cb(NULL, s, lv->d->ctx) : lv->d->cb(s, NULL, lv->d->ctx);
	}
	const hnode *nd = as_node(s);
	for (unsigned i = 0, n = node_n(nd); i < n; i++) {
		int r = leafvs_rec(lv, nd->slot[i]);
		if (r)
			return r;
	}
	return 0;
}

/* Slot s of branch node nd for the 5-bit index i, or NULL (nd may be NULL). */
static const void *slot_at(const hnode *nd, unsigned i)
{
	uint32_t bit = 1u << i;
	return nd && (nd->bitmap & bit) ? nd->slot[popc(nd->bitmap & (bit - 1))] : NULL;
}

static int diff_slots(diffctx *d, const void *a, const void *b);

/* Ask for what a slot points at: a node's hash (just before it), header
 * and first slots; a leaf's first two lines. */
static inline void prefetch_slot(const void *s)
{
	if (!s)
		return;
	const char *p = (const char *)as_node(s);
	if (is_node(s)) {
		__builtin_prefetch(p - TOWNORG__HASH_SIZE);
		__builtin_prefetch(p + 32);
	} else {
		__builtin_prefetch(p);
		__builtin_prefetch(p + 64);
	}
}

/* Two subtrees that certainly hold the same: one node, or equal stored
 * hashes (frozen nodes of a hashed trie).  Small nodes store none; a diff
 * compares their few leaves instead, which costs less than hashing them. */
static bool nodes_same(const townorg__hamt_type *ty, const hnode *a, const hnode *b)
{
	if (a == b)
		return true;
	if (!ty->hash || is_transient(a) || is_transient(b))
		return false;
	unsigned na = node_n(a), nb = node_n(b);
	return na == nb && na > SMALL_NODE && !memcmp(node_hash(a), node_hash(b), TOWNORG__HASH_SIZE);
}

static int diff_nodes(diffctx *d, const hnode *a, const hnode *b)
{
	if (nodes_same(d->ty, a, b))
		return 0;
	int r;
	if (is_collision(a) || is_collision(b)) {
		/* both are collision nodes (same depth): merge by key */
		unsigned i = 0, j = 0, an = a->bitmap, bn = b->bitmap;
		while (i < an || j < bn) {
			int cmp = i >= an ? 1 : j >= bn ? -1 : strcmp(d->ty->key(a->slot[i]), d->ty->key(b->slot[j]));
			if (cmp < 0)
				r = d->cb(a->slot[i++], NULL, d->ctx);
			else if (cmp > 0)
				r = d->cb(NULL, b->slot[j++], d->ctx);
			else {
				r = leaves_equal(d->ty, a->slot[i], b->slot[j]) ? 0 : d->cb(a->slot[i], b->slot[j], d->ctx);
				i++, j++;
			}
			if (r)
				return r;
		}
		return 0;
	}
	/* Two passes: gather the slots that differ and prefetch what they
	 * point at, then descend.  A diff's time is memory latency (each node
	 * and leaf is a cache miss at a random address); issuing the loads of
	 * all of a node's differing children at once overlaps them. */
	const void *pa[32], *pb[32];
	unsigned m = 0;
	uint32_t all = a->bitmap | b->bitmap;
	while (all) {
		unsigned bitn = (unsigned)__builtin_ctz(all);
		all &= all - 1;
		const void *sa = slot_at(a, bitn), *sb = slot_at(b, bitn);
		if (sa == sb)
			continue;
		prefetch_slot(sa);
		prefetch_slot(sb);
		pa[m] = sa;
		pb[m++] = sb;
	}
	for (unsigned i = 0; i < m; i++)
		if ((r = diff_slots(d, pa[i], pb[i])))
			return r;
	return 0;
}

/* Compare the waiting leaf pairs (see PEND), in the order met. */
static int flush_leaves(diffctx *d)
{
	unsigned n = d->np;
	d->np = 0;
	for (unsigned i = 0; i < n; i++) {
		const void *a = d->pa[i], *b = d->pb[i];
		int r;
		if (!strcmp(d->ty->key(a), d->ty->key(b)))
			r = leaves_equal(d->ty, a, b) ? 0 : d->cb(a, b, d->ctx);
		else if (!(r = d->cb(a, NULL, d->ctx)))
			r = d->cb(NULL, b, d->ctx);
		if (r)
			return r;
	}
	return 0;
}

static int diff_slots(diffctx *d, const void *a, const void *b)
{
	if (a == b)
		return 0;
	if (!a)
		return emit_all(d, b, false);
	if (!b)
		return emit_all(d, a, true);
	bool na = is_node(a), nb = is_node(b);
	if (na && nb)
		return diff_nodes(d, as_node(a), as_node(b));
	if (!na && !nb) {
		prefetch_slot(a);
		prefetch_slot(b);
		d->pa[d->np] = a;
		d->pb[d->np++] = b;
		return d->np == PEND ? flush_leaves(d) : 0;
	}
	struct leafvs lv = { d, na ? b : a, !na, false };
	int r = leafvs_rec(&lv, na ? a : b);
	if (r)
		return r;
	if (!lv.matched)
		return lv.leaf_is_a ? d->cb(lv.leaf, NULL, d->ctx) : d->cb(NULL, lv.leaf, d->ctx);
	return 0;
}

/*
 * The walk breadth first.  Depth first, each node pair is read as soon as
 * its parent shows it differs, so the walk waits for one cache miss after
 * another (a wide diff touches some 10,000 bottom nodes per side, each at a
 * random address).  Here the differing node pairs of one level are listed
 * (a frontier), and each pair is prefetched LOOKAHEAD pairs before it is
 * read, so that many misses are in flight at once.  Leaf pairs go to the
 * leaf batch (flush_leaves) as before; rarer shapes (a leaf against a
 * subtree, collision nodes, a side missing) are handled where met.  If a
 * frontier cannot grow, the pair is walked depth first there and then: the
 * result is the same, only slower.
 */

enum { LOOKAHEAD = 32 };

typedef struct {
	const hnode *a, *b;
} npair;

typedef struct {
	npair *v;
	size_t n, cap;
} frontier;

/* Append a pair; false if the frontier cannot grow (the caller then walks
 * the pair depth first). */
static bool front_push(frontier *f, const hnode *a, const hnode *b)
{
	if (f->n == f->cap && TOWNORG__GROW(f->v, f->cap, 256) < 0)
		return false;
	f->v[f->n++] = (npair){ a, b };
	return true;
}

/* The node pair (a, b): compare, and list its differing child node pairs
 * in next. */
static int visit_pair(diffctx *d, const hnode *a, const hnode *b, frontier *next)
{
	if (nodes_same(d->ty, a, b))
		return 0;
	if (is_collision(a) || is_collision(b))
		return diff_nodes(d, a, b);
	int r;
	uint32_t all = a->bitmap | b->bitmap;
	while (all) {
		unsigned bitn = (unsigned)__builtin_ctz(all);
		all &= all - 1;
		const void *sa = slot_at(a, bitn), *sb = slot_at(b, bitn);
		if (sa == sb)
			continue;
		if (sa && sb && is_node(sa) && is_node(sb) && front_push(next, as_node(sa), as_node(sb)))
			continue;
		if ((r = diff_slots(d, sa, sb)))
			return r;
	}
	return 0;
}

static void prefetch_node(const hnode *nd)
{
	const char *p = (const char *)nd;
	__builtin_prefetch(p - TOWNORG__HASH_SIZE);
	__builtin_prefetch(p + 32);
}

/* The walk from the n node pairs of start (consumed). */
static int diff_bfs(diffctx *d, frontier *cur)
{
	frontier next = { NULL, 0, 0 };
	int r = 0;
	while (cur->n && !r) {
		next.n = 0;
		for (size_t i = 0; i < cur->n && i < LOOKAHEAD; i++) {
			prefetch_node(cur->v[i].a);
			prefetch_node(cur->v[i].b);
		}
		for (size_t i = 0; i < cur->n && !r; i++) {
			if (i + LOOKAHEAD < cur->n) {
				prefetch_node(cur->v[i + LOOKAHEAD].a);
				prefetch_node(cur->v[i + LOOKAHEAD].b);
			}
			r = visit_pair(d, cur->v[i].a, cur->v[i].b, &next);
		}
		frontier t = *cur;
		*cur = next;
		next = t;
	}
	townorg__free(next.v);
	townorg__free(cur->v);
	*cur = (frontier){ NULL, 0, 0 };
	return r ? r : flush_leaves(d);
}

/* Two slots that certainly hold the same subtree or leaf. */
static bool slots_same(const townorg__hamt_type *ty, const void *a, const void *b)
{
	if (a == b)
		return true;
	if (!a || !b || is_node(a) != is_node(b))
		return false;
	if (!is_node(a))
		return leaves_equal(ty, a, b);
	return nodes_same(ty, as_node(a), as_node(b));
}

size_t townorg__hamt_diff_width(const townorg__hamt *a, const townorg__hamt *b, const townorg__hamt_type *ty)
{
	size_t w = 0;
	if (a->root == b->root)
		return 0;
	for (unsigned i = 0; i < 32; i++) {
		const void *sa = slot_at(a->root, i), *sb = slot_at(b->root, i);
		if (slots_same(ty, sa, sb))
			continue;
		if (!sa || !sb || !is_node(sa) || !is_node(sb)) {
			/* a subtree against nothing or a leaf: all of its slots differ */
			const void *s1 = sa && is_node(sa) ? sa : sb && is_node(sb) ? sb : NULL;
			w += s1 && !is_collision(as_node(s1)) ? popc(as_node(s1)->bitmap) : 1;
			continue;
		}
		const hnode *x = as_node(sa), *y = as_node(sb);
		if (is_collision(x) || is_collision(y)) {
			w++;
			continue;
		}
		for (unsigned j = 0; j < 32; j++)
			w += !slots_same(ty, slot_at(x, j), slot_at(y, j));
	}
	return w;
}

int townorg__hamt_diff_range(const townorg__hamt *a, const townorg__hamt *b, const townorg__hamt_type *ty,
			     unsigned lo, unsigned hi, townorg__hamt_diff_cb cb, void *ctx)
{
	diffctx d = { .ty = ty, .cb = cb, .ctx = ctx };
	if (a->root == b->root)
		return 0;
	frontier f = { NULL, 0, 0 };
	for (unsigned i = lo; i < hi && i < 32; i++) {
		const void *sa = slot_at(a->root, i), *sb = slot_at(b->root, i);
		int r = 0;
		if (sa && sb && sa != sb && is_node(sa) && is_node(sb) && front_push(&f, as_node(sa), as_node(sb)))
			continue;
		if ((r = diff_slots(&d, sa, sb))) {
			townorg__free(f.v);
			return r;
		}
	}
	return diff_bfs(&d, &f);
}

int townorg__hamt_diff(const townorg__hamt *a, const townorg__hamt *b, const townorg__hamt_type *ty,
		       townorg__hamt_diff_cb cb, void *ctx)
{
	diffctx d = { .ty = ty, .cb = cb, .ctx = ctx };
	if (a->root == b->root)
		return 0;
	if (!a->root)
		return emit_all(&d, tag(b->root), false);
	if (!b->root)
		return emit_all(&d, tag(a->root), true);
	frontier f = { townorg__malloc(sizeof(npair)), 0, 1 };
	if (!f.v) { /* depth first, then */
		int r = diff_nodes(&d, a->root, b->root);
		return r ? r : flush_leaves(&d);
	}
	f.v[f.n++] = (npair){ a->root, b->root };
	return diff_bfs(&d, &f);
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* hamt.h — the persistent hash trie under every version (internal).
 * See the essay at the top of hamt.c. */
#ifndef TOWNORG_HAMT_H
#define TOWNORG_HAMT_H

#include "base/internal.h"

typedef struct townorg__hnode townorg__hnode;

typedef struct {
	const char *(*key)(const void *leaf);
	void (*ref)(void *leaf);
	void (*unref)(void *leaf);
	/* Content hash of a leaf, or NULL for a trie whose nodes carry no hash
	 * (derived indexes). */
	const unsigned char *(*hash)(const void *leaf);
} townorg__hamt_type;

/* A trie handle: a root (NULL when empty) and the number of leaves. */
typedef struct {
	townorg__hnode *root;
	size_t count;
} townorg__hamt;

/* Number of trie nodes allocated since the process started (tests use it to
 * prove structural sharing deterministically). */
uint64_t townorg__hamt_nodes_allocated(void);

/* Allocate a fresh edit token.  Trie nodes made by edits are updated in
 * place until townorg__hamt_freeze; they record only that they are
 * transient, so share a trie (townorg__hamt_share) only after freezing it.
 * The token names the edits for the leaves' own copy-on-write (children
 * sets, totals leaves). */
uint32_t townorg__hamt_new_token(void);

void *townorg__hamt_get(const townorg__hamt *t, const townorg__hamt_type *ty, const char *key);

/* out[i] = townorg__hamt_get(t, ty, keys[i]) for i < n, faster than n
 * calls for keys scattered over a large trie. */
void townorg__hamt_get_many(const townorg__hamt *t, const townorg__hamt_type *ty, const char *const *keys, size_t n,
			    void **out);

/* Insert or replace (the trie takes a reference to leaf).  *replaced, if
 * given, is set to the leaf that was there (borrowed, still referenced by
 * older tries) or NULL.  Returns 0 or TOWNORG_ENOMEM (trie unchanged). */
int townorg__hamt_set(townorg__hamt *t, const townorg__hamt_type *ty, void *leaf, uint32_t token);

/* As townorg__hamt_set, and *replaced receives the leaf that was there
 * (NULL if none) with the reference the trie held on it, which the caller
 * now owns.  One walk instead of a lookup and an insert. */
int townorg__hamt_put(townorg__hamt *t, const townorg__hamt_type *ty, void *leaf, uint32_t token, void **replaced);

/* Fill an empty trie with n leaves at once (each gets a reference): the
 * trie n inserts would make, faster.  Its nodes are transient, as an
 * edit's: freeze it before sharing.  0; TOWNORG_EEXISTS if two leaves have
 * the same key, TOWNORG_ENOMEM (the trie stays empty either way);
 * TOWNORG_EINVALID if the trie is not empty. */
int townorg__hamt_build(townorg__hamt *t, const townorg__hamt_type *ty, void *const *leaves, size_t n);

/* Remove key; *found set to whether it was there.  0 or TOWNORG_ENOMEM. */
int townorg__hamt_remove(townorg__hamt *t, const townorg__hamt_type *ty, const char *key, uint32_t token,
			 bool *found);

/* Compute the hashes of nodes edited under token and retire the token for
 * them: after this the trie is immutable. */
void townorg__hamt_freeze(townorg__hamt *t, const townorg__hamt_type *ty, uint32_t token);

/* Freeze only the subtrees under the root's slots lo..hi-1 (the first
 * five bits of the key hash), not the root: two threads may each take a
 * range of a trie nobody edits meanwhile; townorg__hamt_freeze then
 * finishes the root. */
void townorg__hamt_freeze_range(townorg__hamt *t, const townorg__hamt_type *ty, uint32_t token, unsigned lo,
				unsigned hi);

/* Root hash (32 bytes) of a frozen, hashed trie; the empty trie has the
 * hash of the empty node. */
void townorg__hamt_root_hash(const townorg__hamt *t, const townorg__hamt_type *ty, unsigned char out[32]);

/* Share: a copy of the handle that holds its own reference. */
townorg__hamt townorg__hamt_share(const townorg__hamt *t);
void townorg__hamt_release(townorg__hamt *t, const townorg__hamt_type *ty);

/* Iteration in trie order.  Depth is bounded: 13 levels of 5 bits, then a
 * collision node. */
typedef struct {
	const townorg__hnode *node[16];
	unsigned pos[16];
	int depth;
} townorg__hamt_iter;
void townorg__hamt_iter_init(townorg__hamt_iter *it, const townorg__hamt *t);
void *townorg__hamt_iter_next(townorg__hamt_iter *it);

/* Diff: calls cb(a_leaf, b_leaf, ctx) for each key whose leaves differ (one
 * side NULL when absent), skipping subtrees with equal hashes (or equal
 * pointers for unhashed tries).  Stops at and returns cb's first non-zero
 * result. */
typedef int (*townorg__hamt_diff_cb)(const void *a, const void *b, void *ctx);
int townorg__hamt_diff(const townorg__hamt *a, const townorg__hamt *b, const townorg__hamt_type *ty,
		       townorg__hamt_diff_cb cb, void *ctx);

/* The same diff restricted to the root's slots lo..hi-1 (the first five
 * bits of the key hash): the ranges of a split partition the diff, so two
 * threads can each take one.  Same callback contract. */
int townorg__hamt_diff_range(const townorg__hamt *a, const townorg__hamt *b, const townorg__hamt_type *ty,
			     unsigned lo, unsigned hi, townorg__hamt_diff_cb cb, void *ctx);

/* How wide a diff is, cheaply: the number of differing slot pairs two
 * levels down (at most 1,024), read from the two top levels only.  A diff
 * of k scattered changes into a national version has about min(k, 1024). */
size_t townorg__hamt_diff_width(const townorg__hamt *a, const townorg__hamt *b, const townorg__hamt_type *ty);

/* Visit every leaf under a trie; stop on non-zero. */
int townorg__hamt_foreach(const townorg__hamt *t, int (*cb)(const void *leaf, void *ctx), void *ctx);

#endif

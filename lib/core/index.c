/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * index.c — the two tries every version holds: the entity trie (id ->
 * entity) and the children index (parent id -> the set of its children),
 * with the lookups the rest of the core uses on them.  It calls only the
 * entity, the trie and the pool, so the totals (totals.c) and the version
 * readers (version.c) both build on it without calling each other.
 */
#include "core/repo_internal.h"

/* ------------------------------------------------------------ trie types */

static const char *ent_key(const void *l) { return townorg__entity_id(l); }
static void ent_ref(void *l) { townorg_entity_ref(l); }
static void ent_unref(void *l) { townorg_entity_free(l); }
static const unsigned char *ent_hash(const void *l) { return ((const townorg_entity *)l)->hash; }

const townorg__hamt_type townorg__entity_trie = { ent_key, ent_ref, ent_unref, ent_hash };

static const char *cs_key(const void *l) { return ((const townorg__childset *)l)->key; }
static void cs_ref(void *l) { TOWNORG__INC(&((townorg__childset *)l)->refcnt); }
static void cs_unref(void *l)
{
	townorg__childset *c = l;
	if (TOWNORG__DEC(&c->refcnt))
		return;
	for (size_t i = 0; i < c->n; i++)
		townorg_entity_free(c->items[i]);
	size_t kl = strlen(c->key), room = townorg__childset_room(c, kl);
	if (c->items != townorg__childset_inline(c, kl))
		townorg__free(c->items);
	townorg__pfree(c, townorg__childset_size(kl, room));
}

const townorg__hamt_type townorg__children_trie = { cs_key, cs_ref, cs_unref, NULL };

const townorg__childset *townorg__children_get(const townorg__hamt *children, const char *parent_id)
{
	return townorg__hamt_get(children, &townorg__children_trie, parent_id ? parent_id : "");
}

void townorg__children_values(const townorg__hamt *entities, const townorg__childset *c, const townorg_entity **out)
{
	enum { CHUNK = 64 };
	const char *keys[CHUNK];
	for (size_t b = 0; b < c->n; b += CHUNK) {
		size_t m = c->n - b < CHUNK ? c->n - b : CHUNK;
		for (size_t i = 0; i < m; i++)
			__builtin_prefetch(c->items[b + i]);
		for (size_t i = 0; i < m; i++)
			keys[i] = townorg__entity_id(c->items[b + i]);
		townorg__hamt_get_many(entities, &townorg__entity_trie, keys, m, (void **)(out + b));
		for (size_t i = 0; i < m; i++)
			if (!out[b + i])
				out[b + i] = c->items[b + i];
	}
}

const townorg_entity **townorg__children_resolve(const townorg__hamt *entities, const townorg__childset *c,
						 const townorg_entity **buf, size_t nbuf)
{
	const townorg_entity **vals = c->n <= nbuf ? buf : townorg__malloc(c->n * sizeof *vals);
	if (vals)
		townorg__children_values(entities, c, vals);
	return vals;
}


/* SPDX-License-Identifier: MulanPSL-2.0 */
/* entity_internal.h — the layout of entity values (internal). */
#ifndef TOWNORG_ENTITY_INTERNAL_H
#define TOWNORG_ENTITY_INTERNAL_H

#include "base/internal.h"
#include <stddef.h>

#define TOWNORG__MAX_ID 256
#define TOWNORG__MAX_NAME 4096
#define TOWNORG__MAX_NUMBER 1000000000000000LL /* 10^15: larger values are refused */

struct townorg__attr {
	char *name;
	bool is_list;
	size_t n;
	char **values; /* sorted, unique for lists; n == 1 for text */
};

struct townorg__xquota {
	char *type;
	int64_t value;
};

/*
 * An entity value: one allocation holding a fixed 40-byte header, then —
 * only if the value has rare attributes (extra quota types, text and list
 * attributes: `has_ext`) — a pointer to them (two words, read with
 * memcpy), the integer fields that are set (packed, in field order:
 * `present` says which) and the id, name and parent strings, one after
 * the other (the name is found past the id's NUL, the parent past the
 * name's: two short strlens, cheaper than 4 bytes of offsets in each of
 * 600,000 values).  The integers
 * are 32-bit when every one of them fits (nearly all: counts, posts,
 * quotas), else 64-bit (`wide`; read them with memcpy, they are 4-byte
 * aligned).  Immutable once built; the reference count is the only thing
 * that changes.  A national workload organ takes 104 to 112 bytes (it is
 * allocated from the pool: pool.c).
 */
struct townorg__ext {
	size_t n_xq;
	struct townorg__xquota *xq;
	size_t n_attrs;
	struct townorg__attr *attrs;
};

struct townorg_entity {
	uint32_t refcnt;
	uint16_t present;
	uint8_t kind;
	uint8_t cls : 2, wide : 1, has_ext : 1, has_parent : 1, shares : 1, heap : 1; /* heap: from malloc, not the pool */
	unsigned char hash[TOWNORG__HASH_SIZE];
	int32_t data[]; /* [the ext pointer: 2 words if has_ext], popcount(present)
	                   values (twice as many words when wide), then
	                   "id\0name\0parent\0" -- or, if `shares`, a pointer
	                   (2 words, read with memcpy) to the value whose strings
	                   these are (see townorg__entity_twin) */
};

#define TOWNORG__ENTITY_HEADER offsetof(struct townorg_entity, data)

/* The rare attributes, or NULL. */
static inline const struct townorg__ext *townorg__entity_ext(const townorg_entity *e)
{
	if (!e->has_ext)
		return NULL;
	const struct townorg__ext *x;
	memcpy(&x, e->data, sizeof x);
	return x;
}

/* Where the integers start. */
static inline const int32_t *townorg__entity_ints(const townorg_entity *e)
{
	return e->data + (e->has_ext ? sizeof(void *) / sizeof(int32_t) : 0);
}

/* Where the strings (or a twin's pointer to its owner) start. */
static inline const char *townorg__entity_tail(const townorg_entity *e)
{
	return (const char *)(townorg__entity_ints(e) + ((unsigned)townorg__popc(e->present) << e->wide));
}

/* The value whose strings a twin uses (it never is a twin itself). */
static inline const townorg_entity *townorg__entity_owner(const townorg_entity *e)
{
	const townorg_entity *o;
	memcpy(&o, townorg__entity_tail(e), sizeof o);
	return o;
}

static inline const char *townorg__entity_strings(const townorg_entity *e)
{
	return e->shares ? townorg__entity_tail(townorg__entity_owner(e)) : townorg__entity_tail(e);
}

/* The i-th stored integer (in field order among those present). */
static inline int64_t townorg__entity_value(const townorg_entity *e, unsigned i)
{
	const int32_t *d = townorg__entity_ints(e);
	if (!e->wide)
		return d[i];
	int64_t v;
	memcpy(&v, d + 2 * i, sizeof v);
	return v;
}

static inline const char *townorg__entity_id(const townorg_entity *e) { return townorg__entity_strings(e); }

/* Canonical encoding: the bytes hashed into the entity hash, and the form
 * the store keeps.  Decoding verifies nothing but structure; callers that
 * need integrity compare the recomputed hash. */
void townorg__entity_encode(townorg__buf *b, const townorg_entity *e);

/* Lay out and hash a new entity value from checked parts (the builder and
 * the CSV importer both make entities here).  ints_by_field holds a value
 * for each bit of `present`; ext_take (may be NULL) is owned by the entity
 * on success.  scratch, if not NULL, is reused for the encoding (an
 * importer making 630,000 values keeps one buffer). */
int townorg__entity_assemble(townorg_entity **out, townorg_kind kind, townorg_class cls, uint16_t present,
			     const int64_t *ints_by_field, const char *id, const char *name, const char *parent,
			     struct townorg__ext *ext_take, townorg__buf *scratch);
/* The same, allocated from malloc instead of the pool: for a value that
 * will be replaced by townorg__entity_settle (the pool keeps the holes of
 * freed objects for objects of the same size; malloc_trim returns them). */
int townorg__entity_assemble_heap(townorg_entity **out, townorg_kind kind, townorg_class cls, uint16_t present,
				  const int64_t *ints_by_field, const char *id, const char *name, const char *parent,
				  townorg__buf *scratch);
int townorg__entity_decode(townorg_entity **out, const unsigned char *data, size_t len);

/* A twin: a copy of e that keeps no strings of its own but a reference to
 * `prev`, whose id, name and parent are e's (the caller checked: an update
 * that changes only numbers, as most of a history's do).  Equal to e in
 * every respect (content, hash), 40-odd bytes smaller.  NULL (nothing
 * made, not an error: keep using e) when e has rare attributes, its
 * strings differ, or memory ran out. */
townorg_entity *townorg__entity_twin(const townorg_entity *e, const townorg_entity *prev);

/* For a value made by townorg__entity_assemble_heap that is about to be
 * stored: its twin with prev if it can be one, else a copy in the pool.
 * NULL: keep e (it has rare attributes, or memory ran out). */
townorg_entity *townorg__entity_settle(const townorg_entity *e, const townorg_entity *prev);

/* The tokens of kind k and class c (schema.c), NULL when out of range. */
const char *townorg__kind_token_at(int k);
const char *townorg__class_token_at(int c);

#endif

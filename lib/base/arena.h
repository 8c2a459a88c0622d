/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * arena.h — the library's one bump allocator (base layer, internal): many
 * small strings and arrays, freed all at once.  Chunks of at least
 * TOWNORG__ARENA_CHUNK bytes (a larger request gets a chunk of its own
 * size); townorg__arena_alloc aligns to max_align_t, the string copies take
 * exactly their bytes.  A zeroed townorg__arena is empty.
 */
#ifndef TOWNORG_BASE_ARENA_H
#define TOWNORG_BASE_ARENA_H
#include "base/internal.h"

#define TOWNORG__ARENA_CHUNK 32768

typedef struct townorg__chunk townorg__chunk;
typedef struct {
	townorg__chunk *head;
} townorg__arena;

/* n bytes aligned for any type; NULL when out of memory. */
void *townorg__arena_alloc(townorg__arena *a, size_t n);
/* A copy of s (NULL stays NULL; NULL also when out of memory). */
char *townorg__arena_strdup(townorg__arena *a, const char *s);
/* A copy of the n bytes at s, NUL-terminated; NULL when out of memory. */
char *townorg__arena_strndup(townorg__arena *a, const char *s, size_t n);
/* Move every chunk of from into a (what was allocated from either stays
 * valid until a is freed); from is empty after. */
void townorg__arena_join(townorg__arena *a, townorg__arena *from);
/* Free every chunk; the arena is empty again. */
void townorg__arena_free(townorg__arena *a);

#endif

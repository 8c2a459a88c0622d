/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * arena.c — the bump allocator (see arena.h), used by the diff and merge
 * results and by the CSV tables importer's rows.
 */
#include "base/arena.h"
#include <stddef.h>

struct townorg__chunk {
	townorg__chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* n bytes from the current chunk, after rounding its use up to align. */
static void *take(townorg__arena *a, size_t n, size_t align)
{
	townorg__chunk *c = a->head;
	size_t at = c ? (c->used + align - 1) / align * align : 0;
	if (!c || at > c->cap || c->cap - at < n) {
		if (n > SIZE_MAX - sizeof *c)
			return NULL;
		size_t cap = n > TOWNORG__ARENA_CHUNK ? n : TOWNORG__ARENA_CHUNK;
		c = townorg__malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	c->used = at + n;
	return (char *)c->data + at;
}

void *townorg__arena_alloc(townorg__arena *a, size_t n)
{
	return take(a, n, _Alignof(max_align_t));
}

char *townorg__arena_strndup(townorg__arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *d = take(a, n + 1, 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

char *townorg__arena_strdup(townorg__arena *a, const char *s)
{
	return s ? townorg__arena_strndup(a, s, strlen(s)) : NULL;
}

void townorg__arena_join(townorg__arena *a, townorg__arena *from)
{
	townorg__chunk **tail = &from->head;
	while (*tail)
		tail = &(*tail)->next;
	*tail = a->head;
	a->head = from->head;
	from->head = NULL;
}

void townorg__arena_free(townorg__arena *a)
{
	townorg__chunk *c = a->head;
	while (c) {
		townorg__chunk *n = c->next;
		townorg__free(c);
		c = n;
	}
	a->head = NULL;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* pool.h — the size-class allocator for values, trie nodes and index leaves
 * (internal).  See the essay at the top of pool.c. */
#ifndef TOWNORG_POOL_H
#define TOWNORG_POOL_H

#include "base/internal.h"

/* Requests up to this many bytes come from slabs; larger ones from malloc. */
#define TOWNORG__POOL_MAX 512
/* Each size class fills slabs of this many bytes, aligned to their size. */
#define TOWNORG__POOL_SLAB ((size_t)64 * 1024)

/* The library's shared pool (or plain townorg__malloc/townorg__free when
 * the pool is off: AddressSanitizer, valgrind, TOWNORG_POOL=0).  NULL on
 * failure; fault injection counts each call.  Free with the size
 * allocated (at least on the same side of TOWNORG__POOL_MAX). */
void *townorg__palloc(size_t size);
/* The same for objects that need only 4-byte alignment (entity values):
 * sizes round to 4 instead of 8. */
void *townorg__palloc4(size_t size);
void townorg__pfree(void *o, size_t size);
bool townorg__pool_enabled(void);
/* The shared pool now: slabs held and bytes of live objects (counted at
 * their class's size). */
void townorg__pool_usage(size_t *slabs, size_t *live_bytes);

/* A private pool, always on (the tests check the pool itself with one). */
typedef struct townorg__pool townorg__pool;
townorg__pool *townorg__pool_new(void);
/* Destroy an empty pool (every object freed: it then holds no slab). */
void townorg__pool_destroy(townorg__pool *p);
void *townorg__pool_get(townorg__pool *p, size_t size);
void *townorg__pool_get4(townorg__pool *p, size_t size);
void townorg__pool_put(townorg__pool *p, void *o, size_t size);
/* Slabs the pool holds now. */
size_t townorg__pool_slabs(townorg__pool *p);

#endif

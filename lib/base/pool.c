/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pool.c — a size-class allocator for the small objects every version holds.
 *
 * Why
 * ---
 * A national history is about 1.3 million small immutable objects: entity
 * values (60 to 200 bytes), trie nodes (24 to 300 bytes), children sets and
 * county totals.  The C library's malloc adds a header of 8 bytes to each
 * and rounds it to 16 bytes, so about 12 bytes of every object — some
 * 15 MiB of a national history — are the allocator's.  Here objects of one
 * size class (a multiple of 4 bytes, up to TOWNORG__POOL_MAX) share a slab
 * of 64 KiB, aligned to its size, with no header per object: the slab an
 * object belongs to is its address rounded down, and the slab's header
 * says its class.  Larger requests go to the ordinary allocator.
 *
 * How
 * ---
 * Each thread allocates from a pool of its own (one of four, round robin:
 * the reader, index and diff threads do not wait for one another).  In a
 * pool each class has a spin lock (held for a few instructions), the slab
 * it is filling (`cur`) and a list of other slabs that have free objects
 * (`partial`).  An allocation takes a freed object of `cur`, else its next
 * never-used one (a bump pointer, so a new slab's pages are touched only as
 * it fills), else switches `cur` to a partial slab or a new one.  A free
 * goes to the pool of the object's slab (its header says which): the
 * object joins its slab's free list, and a slab with no live object left
 * is returned at once, so the pool holds nothing once every object is
 * freed (leak checkers and the tests that count the host allocator's calls
 * see no difference).  Slabs come from mmap, or — when the host set its
 * own allocator (townorg_set_allocator) — from the host's malloc_fn,
 * over-allocated to align them.  (A pthread mutex per class, shared by all
 * threads, made a national import 20% slower: two threads parse base.csv
 * at once.)
 *
 * Callers pass the size again when freeing (sized free): it says whether
 * the object came from a slab or from malloc, and must fall on the same
 * side of TOWNORG__POOL_MAX as the size allocated.
 *
 * Under AddressSanitizer, under valgrind, or with TOWNORG_POOL=0 in the
 * environment the pool is off and every object is its own malloc, so the
 * memory checkers see each object; the pool's own code is checked with a
 * private pool (townorg__pool_new) that those runs exercise directly.
 * TOWNORG_POOL=1 turns it on regardless: CI runs suites so under UBSan, whose
 * alignment checks then see values at 4-byte boundaries.
 */
#include "base/internal.h"
#include "base/pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifndef POOL_ASAN
#define POOL_ASAN 0
#endif

#define SLAB_SIZE TOWNORG__POOL_SLAB
#define GRAIN 4
#define NCLASS (TOWNORG__POOL_MAX / GRAIN)

typedef struct slab slab;
struct slab {
	slab *prev, *next; /* on its class's partial list */
	void *raw;         /* what the allocator returned */
	void *free;        /* freed objects, linked through their first word */
	uint32_t live;     /* objects handed out, not yet freed */
	uint32_t bump;     /* offset of the next never-used object */
	uint16_t cls;
	uint8_t listed; /* on the partial list */
	uint8_t hosted; /* from the host's malloc_fn, not mmap */
	townorg__pool *pool;
};

/* Objects start after the header, 16-byte aligned. */
#define SLAB_HEAD ((sizeof(slab) + 15) & ~(size_t)15)

typedef struct {
	int lock; /* a spin lock: it is held for a few instructions */
	slab *cur;
	slab *partial;
	size_t slabs; /* slabs held */
	size_t live;  /* objects handed out, not yet freed */
} pclass;

struct townorg__pool {
	pclass cls[NCLASS];
};

static inline size_t class_size(unsigned c) { return (size_t)(c + 1) * GRAIN; }

static inline void spin_lock(int *l)
{
	for (unsigned n = 0;; n++) {
		if (!__atomic_load_n(l, __ATOMIC_RELAXED) && !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
			return;
		if (n >= 64)
			sched_yield(); /* the holder may have been descheduled */
#if defined(__x86_64__) || defined(__i386__)
		else
			__asm__ __volatile__("pause");
#endif
	}
}

static inline void spin_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

townorg__pool *townorg__pool_new(void)
{
	return townorg__calloc(1, sizeof(townorg__pool));
}

void townorg__pool_destroy(townorg__pool *p)
{
	townorg__free(p);
}

size_t townorg__pool_slabs(townorg__pool *p)
{
	size_t n = 0;
	for (unsigned c = 0; c < NCLASS; c++) {
		spin_lock(&p->cls[c].lock);
		n += p->cls[c].slabs;
		spin_unlock(&p->cls[c].lock);
	}
	return n;
}

static slab *slab_new(townorg__pool *p, unsigned c)
{
	void *raw = NULL;
	slab *s;
	bool hosted = !townorg__allocator_is_default();
	if (!hosted) {
		/* straight from the kernel: map twice the size and unmap what
		 * lies outside the aligned half.  (posix_memalign would leave a
		 * free hole before each slab, which the heap's small allocations
		 * then fill sparsely: ~14 MiB more resident nationally.) */
		char *m = mmap(NULL, 2 * SLAB_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		char *a = (char *)(((uintptr_t)m + SLAB_SIZE - 1) & ~(uintptr_t)(SLAB_SIZE - 1));
		if (a > m)
			munmap(m, (size_t)(a - m));
		if (a + SLAB_SIZE < m + 2 * SLAB_SIZE)
			munmap(a + SLAB_SIZE, (size_t)(m + 2 * SLAB_SIZE - (a + SLAB_SIZE)));
		raw = s = (slab *)(void *)a;
	} else {
		/* the host's allocator aligns to 16 at best: take twice the
		 * size and use the aligned half (the rest is never touched) */
		raw = townorg__host_malloc(2 * SLAB_SIZE);
		if (!raw)
			return NULL;
		s = (slab *)(((uintptr_t)raw + SLAB_SIZE - 1) & ~(uintptr_t)(SLAB_SIZE - 1));
	}
	memset(s, 0, sizeof *s);
	s->raw = raw;
	s->hosted = hosted;
	s->pool = p;
	s->cls = (uint16_t)c;
	s->bump = (uint32_t)SLAB_HEAD;
	return s;
}

static void slab_release(slab *s)
{
	if (s->hosted)
		townorg__host_free(s->raw);
	else
		munmap(s, SLAB_SIZE);
}

static void unlist(pclass *k, slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		k->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->listed = 0;
}

static void *take(slab *s, size_t size)
{
	void *o = s->free;
	if (o) {
		memcpy(&s->free, o, sizeof(void *));
	} else if (s->bump + size <= SLAB_SIZE) {
		o = (char *)s + s->bump;
		s->bump += (uint32_t)size;
	} else {
		return NULL;
	}
	s->live++;
	return o;
}

/* Classes step by 4 bytes: an object is 8-byte aligned when its class size
 * is a multiple of 8 (slabs start aligned, the header is 16 bytes), else
 * 4-byte aligned.  townorg__pool_get rounds requests to 8, so its objects
 * are always 8-byte aligned; townorg__pool_get4 rounds to 4, for objects
 * that need no more (entity values: 2 bytes a value on average). */
static void *pool_get(townorg__pool *p, size_t size);

void *townorg__pool_get(townorg__pool *p, size_t size)
{
	return pool_get(p, (size + 7) & ~(size_t)7);
}

void *townorg__pool_get4(townorg__pool *p, size_t size)
{
	return pool_get(p, (size + 3) & ~(size_t)3);
}

static void *pool_get(townorg__pool *p, size_t size)
{
	if (size == 0 || size > TOWNORG__POOL_MAX)
		return townorg__malloc(size);
	if (size < sizeof(void *)) /* room for the free list's link */
		size = sizeof(void *);
	if (townorg__fault_hit())
		return NULL;
	unsigned c = (unsigned)((size + GRAIN - 1) / GRAIN - 1);
	size_t csz = class_size(c);
	pclass *k = &p->cls[c];
	spin_lock(&k->lock);
	void *o = k->cur ? take(k->cur, csz) : NULL;
	if (!o) {
		/* cur is full (it goes on the partial list when something in
		 * it is freed): fill a partial slab, or a new one */
		slab *s = k->partial;
		if (s) {
			unlist(k, s);
		} else if ((s = slab_new(p, c)) != NULL) {
			k->slabs++;
		} else {
			spin_unlock(&k->lock);
			return NULL;
		}
		k->cur = s;
		o = take(s, csz);
	}
	k->live++;
	spin_unlock(&k->lock);
	return o;
}

void townorg__pool_put(townorg__pool *p, void *o, size_t size)
{
	if (!o)
		return;
	if (size == 0 || size > TOWNORG__POOL_MAX) {
		townorg__free(o);
		return;
	}
	slab *s = (slab *)((uintptr_t)o & ~(uintptr_t)(SLAB_SIZE - 1));
	(void)p;
	pclass *k = &s->pool->cls[s->cls]; /* the pool of the thread that made it */
	spin_lock(&k->lock);
	memcpy(o, &s->free, sizeof(void *));
	s->free = o;
	k->live--;
	bool release = --s->live == 0;
	if (release) {
		if (s->listed)
			unlist(k, s);
		if (k->cur == s)
			k->cur = NULL;
		k->slabs--;
	} else if (!s->listed && k->cur != s) {
		s->next = k->partial;
		if (s->next)
			s->next->prev = s;
		s->prev = NULL;
		k->partial = s;
		s->listed = 1;
	}
	spin_unlock(&k->lock);
	if (release)
		slab_release(s);
}

/* ------------------------------------------------------------ the shared pool */

/* One pool per thread, round robin over a few: the threads that read a
 * table, keep the indexes and diff each allocate from their own without
 * waiting for one another.  A free goes to the pool of the object's slab. */
#define NPOOL 4
static townorg__pool shared_storage[NPOOL];
static int shared_state; /* 0: not decided yet, 1: on, 2: off */
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static unsigned next_pool;
static __thread unsigned my_pool; /* 1 + the index of this thread's pool; 0: none yet */

/* fork(): no lock may be held across it, or the child (one thread) would
 * wait forever on a lock another parent thread held.  Take them all (in one
 * order; an allocation holds one at a time) and release them on both sides,
 * as the C library does for malloc. */
static void fork_prepare(void)
{
	for (unsigned i = 0; i < NPOOL; i++)
		for (unsigned c = 0; c < NCLASS; c++)
			spin_lock(&shared_storage[i].cls[c].lock);
}

static void fork_done(void)
{
	for (unsigned i = NPOOL; i-- > 0;)
		for (unsigned c = NCLASS; c-- > 0;)
			spin_unlock(&shared_storage[i].cls[c].lock);
}

static void shared_init(void)
{
	bool off = POOL_ASAN;
#ifdef RUNNING_ON_VALGRIND
	if (RUNNING_ON_VALGRIND)
		off = true;
#endif
	const char *e = getenv("TOWNORG_POOL");
	if (e && !strcmp(e, "0"))
		off = true;
	else if (e && !strcmp(e, "1"))
		off = false; /* on even under the memory checkers (CI runs UBSan so) */
	/* static: objects may outlive any repository, and the pools hold no
	 * memory once they are all freed */
	if (!off && pthread_atfork(fork_prepare, fork_done, fork_done) != 0)
		off = true;
	__atomic_store_n(&shared_state, off ? 2 : 1, __ATOMIC_RELEASE);
}

static inline bool shared_on(void)
{
	int st = __atomic_load_n(&shared_state, __ATOMIC_ACQUIRE);
	if (!st) {
		pthread_once(&shared_once, shared_init);
		st = __atomic_load_n(&shared_state, __ATOMIC_ACQUIRE);
	}
	return st == 1;
}

static inline townorg__pool *thread_pool(void)
{
	if (!my_pool)
		my_pool = 1 + __atomic_fetch_add(&next_pool, 1, __ATOMIC_RELAXED) % NPOOL;
	return &shared_storage[my_pool - 1];
}

void *townorg__palloc(size_t size) { return shared_on() ? townorg__pool_get(thread_pool(), size) : townorg__malloc(size); }

void *townorg__palloc4(size_t size)
{
	return shared_on() ? townorg__pool_get4(thread_pool(), size) : townorg__malloc(size);
}

void townorg__pfree(void *o, size_t size)
{
	if (shared_on())
		townorg__pool_put(NULL, o, size);
	else
		townorg__free(o);
}

bool townorg__pool_enabled(void) { return shared_on(); }

void townorg__pool_usage(size_t *slabs, size_t *live_bytes)
{
	*slabs = *live_bytes = 0;
	if (!shared_on())
		return;
	for (unsigned i = 0; i < NPOOL; i++)
		for (unsigned c = 0; c < NCLASS; c++) {
			pclass *k = &shared_storage[i].cls[c];
			spin_lock(&k->lock);
			*slabs += k->slabs;
			*live_bytes += k->live * class_size(c);
			spin_unlock(&k->lock);
		}
}

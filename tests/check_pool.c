/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_pool.c — the size-class allocator under values, trie nodes and
 * index leaves: objects never overlap, a class packs into few slabs, a slab
 * goes back once empty (from any thread), large requests and the host's
 * allocator are honoured, and fault injection reaches it.  These use a
 * private pool, which is on even under valgrind and AddressSanitizer, so
 * the memory checkers watch the pool's own code. */
#include <config.h>
#include "testutil.h"
#include "base/pool.h"
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
	unsigned char *p;
	size_t size;
	unsigned char tag;
} obj;

static void fill(obj *o) { memset(o->p, o->tag, o->size); }

static void check(const obj *o)
{
	size_t i = 0;
	while (i < o->size && o->p[i] == o->tag)
		i++;
	ck_assert_uint_eq(i, o->size); /* the first byte another object overwrote */
}

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

START_TEST(objects_do_not_overlap_and_slabs_return)
{
	townorg__pool *p = townorg__pool_new();
	ck_assert_ptr_nonnull(p);
	enum { N = 5000 };
	obj *o = calloc(N, sizeof *o);
	unsigned seed = 7;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			if (o[i].p && rnd(&seed) % 2)
				continue;
			if (o[i].p) {
				check(&o[i]);
				townorg__pool_put(p, o[i].p, o[i].size);
			}
			o[i].size = 1 + rnd(&seed) % (TOWNORG__POOL_MAX + 100); /* some above the pool's limit */
			o[i].tag = (unsigned char)(i * 31 + round);
			o[i].p = townorg__pool_get(p, o[i].size);
			ck_assert_ptr_nonnull(o[i].p);
			ck_assert_uint_eq((uintptr_t)o[i].p % 8, 0);
			fill(&o[i]);
		}
		/* every object still holds what was written: none overlaps another */
		for (int i = 0; i < N; i++)
			check(&o[i]);
		ck_assert_uint_gt(townorg__pool_slabs(p), 0);
	}
	for (int i = 0; i < N; i++)
		townorg__pool_put(p, o[i].p, o[i].size);
	ck_assert_uint_eq(townorg__pool_slabs(p), 0);
	free(o);
	townorg__pool_destroy(p);
}
END_TEST

START_TEST(one_class_packs_densely)
{
	townorg__pool *p = townorg__pool_new();
	enum { N = 10000, SZ = 120 };
	void **v = malloc(N * sizeof *v);
	for (int i = 0; i < N; i++)
		ck_assert_ptr_nonnull(v[i] = townorg__pool_get(p, SZ));
	/* no header per object: 10,000 × 120 bytes fill 19 slabs of 64 KiB */
	size_t slabs = townorg__pool_slabs(p);
	ck_assert_uint_ge(slabs * TOWNORG__POOL_SLAB, (size_t)N * SZ);
	ck_assert_uint_le(slabs, (size_t)N * SZ / TOWNORG__POOL_SLAB + 1);
	/* freeing every other object keeps the slabs, and their holes are
	 * filled before any new slab is taken */
	for (int i = 0; i < N; i += 2)
		townorg__pool_put(p, v[i], SZ);
	ck_assert_uint_eq(townorg__pool_slabs(p), slabs);
	for (int i = 0; i < N; i += 2)
		ck_assert_ptr_nonnull(v[i] = townorg__pool_get(p, SZ));
	ck_assert_uint_eq(townorg__pool_slabs(p), slabs);
	for (int i = 0; i < N; i += 2)
		townorg__pool_put(p, v[i], SZ);
	for (int i = 1; i < N; i += 2)
		townorg__pool_put(p, v[i], SZ);
	ck_assert_uint_eq(townorg__pool_slabs(p), 0);
	free(v);
	townorg__pool_destroy(p);
}
END_TEST

START_TEST(four_byte_objects_pack_closer)
{
	townorg__pool *p = townorg__pool_new();
	enum { N = 10000, SZ = 106 }; /* rounds to 108 with get4, 112 with get */
	void **v = malloc(N * sizeof *v), **w = malloc(N * sizeof *w);
	for (int i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(v[i] = townorg__pool_get4(p, SZ));
		ck_assert_uint_eq((uintptr_t)v[i] % 4, 0);
		memset(v[i], 0x11, SZ);
	}
	size_t s4 = townorg__pool_slabs(p);
	ck_assert_uint_le(s4, (size_t)N * 108 / (TOWNORG__POOL_SLAB - 64) + 1);
	for (int i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(w[i] = townorg__pool_get(p, SZ));
		ck_assert_uint_eq((uintptr_t)w[i] % 8, 0);
		memset(w[i], 0x22, SZ);
	}
	ck_assert_uint_ge(townorg__pool_slabs(p) - s4, (size_t)N * 112 / TOWNORG__POOL_SLAB + 1);
	for (int i = 0; i < N; i++) {
		const unsigned char *a = v[i], *b = w[i];
		ck_assert(a[0] == 0x11 && a[SZ - 1] == 0x11 && b[0] == 0x22 && b[SZ - 1] == 0x22);
		townorg__pool_put(p, v[i], SZ);
		townorg__pool_put(p, w[i], SZ);
	}
	/* tiny requests still hold the free list's link */
	void *t = townorg__pool_get4(p, 1);
	townorg__pool_put(p, t, 1);
	ck_assert_uint_eq(townorg__pool_slabs(p), 0);
	free(v);
	free(w);
	townorg__pool_destroy(p);
}
END_TEST

START_TEST(large_requests_go_to_malloc)
{
	townorg__pool *p = townorg__pool_new();
	void *big = townorg__pool_get(p, TOWNORG__POOL_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 1, TOWNORG__POOL_MAX + 1);
	ck_assert_uint_eq(townorg__pool_slabs(p), 0);
	void *small = townorg__pool_get(p, TOWNORG__POOL_MAX);
	ck_assert_uint_eq(townorg__pool_slabs(p), 1);
	townorg__pool_put(p, big, TOWNORG__POOL_MAX + 1);
	townorg__pool_put(p, small, TOWNORG__POOL_MAX);
	ck_assert_uint_eq(townorg__pool_slabs(p), 0);
	townorg__pool_destroy(p);
}
END_TEST

START_TEST(fault_injection_reaches_the_pool)
{
	townorg__pool *p = townorg__pool_new();
	townorg__fault_set(2);
	void *a = townorg__pool_get(p, 40);
	void *b = townorg__pool_get(p, 40);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(townorg__fault_count(), 2);
	townorg__fault_set(0);
	townorg__pool_put(p, a, 40);
	ck_assert_uint_eq(townorg__pool_slabs(p), 0);
	townorg__pool_destroy(p);
}
END_TEST

/* Threads allocate, and free what another thread allocated. */
enum { TN = 4, PER = 5000 };
static townorg__pool *tpool;
static void *handoff[TN][PER];

static void *alloc_thread(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int i = 0; i < PER; i++) {
		size_t sz = 8 + (size_t)((i * 7 + t) % 300);
		unsigned char *o = townorg__pool_get(tpool, sz);
		if (!o)
			return (void *)1;
		memset(o, t + 1, sz);
		handoff[t][i] = o;
	}
	return NULL;
}

static void *free_thread(void *arg)
{
	int t = (int)(intptr_t)arg, from = (t + 1) % TN; /* another thread's objects */
	for (int i = 0; i < PER; i++) {
		size_t sz = 8 + (size_t)((i * 7 + from) % 300);
		unsigned char *o = handoff[from][i];
		if (o[0] != from + 1 || o[sz - 1] != from + 1)
			return (void *)1;
		townorg__pool_put(tpool, o, sz);
		/* and keep allocating meanwhile */
		void *x = townorg__pool_get(tpool, 64);
		if (!x)
			return (void *)1;
		townorg__pool_put(tpool, x, 64);
	}
	return NULL;
}

START_TEST(threads_allocate_and_free_across)
{
	tpool = townorg__pool_new();
	pthread_t th[TN];
	void *r;
	for (int t = 0; t < TN; t++)
		ck_assert_int_eq(pthread_create(&th[t], NULL, alloc_thread, (void *)(intptr_t)t), 0);
	for (int t = 0; t < TN; t++) {
		pthread_join(th[t], &r);
		ck_assert_ptr_null(r);
	}
	ck_assert_uint_gt(townorg__pool_slabs(tpool), 0);
	for (int t = 0; t < TN; t++)
		ck_assert_int_eq(pthread_create(&th[t], NULL, free_thread, (void *)(intptr_t)t), 0);
	for (int t = 0; t < TN; t++) {
		pthread_join(th[t], &r);
		ck_assert_ptr_null(r);
	}
	ck_assert_uint_eq(townorg__pool_slabs(tpool), 0);
	townorg__pool_destroy(tpool);
}
END_TEST

static long host_mallocs, host_frees;
static void *host_malloc(size_t n)
{
	host_mallocs++;
	return malloc(n);
}
static void host_free(void *p)
{
	if (p)
		host_frees++;
	free(p);
}

START_TEST(slabs_come_from_the_hosts_allocator)
{
	townorg_allocator a = { host_malloc, realloc, host_free };
	townorg__pool *p = townorg__pool_new(); /* before: its own memory from malloc */
	OK(townorg_set_allocator(&a));
	host_mallocs = host_frees = 0;
	void *v[3000];
	for (int i = 0; i < 3000; i++) {
		v[i] = townorg__pool_get(p, 96);
		ck_assert_ptr_nonnull(v[i]);
		ck_assert_uint_eq((uintptr_t)v[i] % 8, 0);
		memset(v[i], 0x5a, 96);
	}
	ck_assert_int_eq(host_mallocs, (long)townorg__pool_slabs(p));
	ck_assert_int_ge(host_mallocs, 3000 * 96 / TOWNORG__POOL_SLAB + 1);
	for (int i = 0; i < 3000; i++)
		townorg__pool_put(p, v[i], 96);
	ck_assert_int_eq(host_frees, host_mallocs);
	OK(townorg_set_allocator(NULL));
	townorg__pool_destroy(p);
}
END_TEST

/* The library's shared pool: values and nodes are counted in it when it is
 * on, and everything is given back when the repository goes. */
START_TEST(shared_pool_holds_values_and_nodes)
{
	size_t slabs0, live0, slabs1, live1;
	townorg__pool_usage(&slabs0, &live0);
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	townorg_txn *t;
	OK(townorg_txn_new(&t, r, NULL));
	put(t, mk("c", TOWNORG_KIND_COUNTY, "黟县", NULL));
	char id[32], name[64];
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof id, "c-%03d", i);
		snprintf(name, sizeof name, "第%d镇", i);
		put(t, mk(id, TOWNORG_KIND_TOWN, name, "c"));
	}
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	townorg__pool_usage(&slabs1, &live1);
	if (townorg__pool_enabled()) {
		ck_assert_uint_gt(slabs1, slabs0);
		ck_assert_uint_gt(live1, live0 + 500 * 40); /* 501 values, nodes, sets */
	} else {
		ck_assert_uint_eq(slabs1, 0);
		ck_assert_uint_eq(live1, 0);
	}
	townorg_repo_free(r);
	townorg__pool_usage(&slabs1, &live1);
	ck_assert_uint_eq(live1, live0);
	ck_assert_uint_eq(slabs1, slabs0);
}
END_TEST

/* A process that forks while another thread allocates: the child can still
 * allocate and free, also into that thread's pool (no lock is left held in
 * the child, whose only thread would wait for it forever). */
static volatile int spinning;
static void *kept[64];
static void *churn(void *arg)
{
	(void)arg;
	for (int i = 0; i < 64; i++) /* objects of this thread's pool */
		kept[i] = townorg__palloc(48);
	__atomic_store_n(&spinning, 2, __ATOMIC_RELEASE);
	while (__atomic_load_n(&spinning, __ATOMIC_RELAXED)) {
		void *o = townorg__palloc(48);
		townorg__pfree(o, 48);
	}
	return NULL;
}

START_TEST(fork_leaves_no_lock_held)
{
	/* With the pool off (valgrind, ASan) there is no lock of ours to
	 * leave held, and valgrind would count the other thread's object in
	 * flight as lost in every child.  CI runs this with the pool on:
	 * plain, under TSan, and under ASan with TOWNORG_POOL=1. */
	if (!townorg__pool_enabled())
		return;
	pthread_t th;
	__atomic_store_n(&spinning, 1, __ATOMIC_RELAXED);
	ck_assert_int_eq(pthread_create(&th, NULL, churn, NULL), 0);
	while (__atomic_load_n(&spinning, __ATOMIC_ACQUIRE) != 2)
		;
	for (int i = 0; i < 64; i++) {
		pid_t pid = fork();
		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			townorg__pfree(kept[i], 48); /* the other thread's pool */
			void *o = townorg__palloc(48);
			townorg_entity *e = mk("c", TOWNORG_KIND_COUNTY, "黟县", NULL);
			townorg_entity_free(e);
			townorg__pfree(o, 48);
			_exit(o ? 0 : 1);
		}
		int st;
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	__atomic_store_n(&spinning, 0, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	for (int i = 0; i < 64; i++)
		townorg__pfree(kept[i], 48);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, objects_do_not_overlap_and_slabs_return);
	tcase_add_test(tc, one_class_packs_densely);
	tcase_add_test(tc, four_byte_objects_pack_closer);
	tcase_add_test(tc, large_requests_go_to_malloc);
	tcase_add_test(tc, fault_injection_reaches_the_pool);
	tcase_add_test(tc, threads_allocate_and_free_across);
	tcase_add_test(tc, slabs_come_from_the_hosts_allocator);
	tcase_add_test(tc, shared_pool_holds_values_and_nodes);
	tcase_add_test(tc, fork_leaves_no_lock_held);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

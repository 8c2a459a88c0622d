/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_base.c — the base layer's toolkit: the one varint/string codec
 * (bounds checks on every read), the growable-array step (overflow and
 * allocation failure leave the array as it was), and the library's gettext
 * domain. */
#include <config.h>
#include <stdint.h>
#include "testutil.h"
#include "base/codec.h"
#include "base/arena.h"
#include <stddef.h>

static size_t enc(unsigned char *out, uint64_t v) { return townorg__varint_encode(out, v); }

START_TEST(varint_round_trip)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, (uint64_t)1 << 63, UINT64_MAX };
	static const size_t lens[] = { 1, 1, 1, 2, 2, 2, 3, 5, 10, 10 };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		unsigned char b[TOWNORG__VARINT_MAX];
		size_t n = enc(b, vals[i]);
		ck_assert_uint_eq(n, lens[i]);
		townorg__rd r;
		townorg__rd_init(&r, b, n);
		ck_assert_uint_eq(townorg__rd_varint(&r), vals[i]);
		ck_assert(!r.bad);
		ck_assert_ptr_eq(r.p, b + n);
		/* the same bytes cut short are refused */
		townorg__rd_init(&r, b, n - 1);
		ck_assert_uint_eq(townorg__rd_varint(&r), 0);
		ck_assert(r.bad);
	}
}
END_TEST

START_TEST(varint_malformed)
{
	/* eleven continuation bytes: longer than any 64-bit value */
	unsigned char longer[11];
	memset(longer, 0x80, sizeof longer);
	townorg__rd r;
	townorg__rd_init(&r, longer, sizeof longer);
	ck_assert_uint_eq(townorg__rd_varint(&r), 0);
	ck_assert(r.bad);
	/* a tenth byte with more than bit 63 would overflow */
	unsigned char over[10];
	memset(over, 0xff, 9);
	over[9] = 0x02;
	townorg__rd_init(&r, over, sizeof over);
	townorg__rd_varint(&r);
	ck_assert(r.bad);
	/* once bad, every read stays refused */
	unsigned char ok[1] = { 5 };
	r.p = ok;
	r.end = ok + 1;
	ck_assert_uint_eq(townorg__rd_varint(&r), 0);
	ck_assert(r.bad);
	/* an empty input */
	townorg__rd_init(&r, ok, 0);
	townorg__rd_varint(&r);
	ck_assert(r.bad);
}
END_TEST

START_TEST(strings)
{
	townorg__buf b = { 0 };
	townorg__buf_str(&b, "渔亭镇");
	townorg__buf_str(&b, NULL);
	townorg__buf_str(&b, "");
	ck_assert(!b.failed);
	townorg__rd r;
	bool oom = false;
	townorg__rd_init(&r, b.data, b.len);
	char *s = townorg__rd_str(&r, &oom);
	ck_assert_str_eq(s, "渔亭镇");
	townorg__free(s);
	ck_assert_ptr_null(townorg__rd_str(&r, &oom)); /* NULL, not an error */
	ck_assert(!r.bad && !oom);
	s = townorg__rd_str(&r, &oom);
	ck_assert_str_eq(s, "");
	townorg__free(s);
	ck_assert(!r.bad && r.p == r.end);
	/* a length beyond the end */
	townorg__rd_init(&r, b.data, 4);
	ck_assert_ptr_null(townorg__rd_str(&r, &oom));
	ck_assert(r.bad && !oom);
	townorg__buf_free(&b);
	/* a NUL inside a string */
	unsigned char nul[] = { 4, 'a', 0, 'b' };
	townorg__rd_init(&r, nul, sizeof nul);
	ck_assert_ptr_null(townorg__rd_str(&r, &oom));
	ck_assert(r.bad);
	/* an allocation failure is told apart from bad bytes */
	unsigned char abc[] = { 4, 'a', 'b', 'c' };
	townorg__rd_init(&r, abc, sizeof abc);
	townorg__fault_set(1);
	s = townorg__rd_str(&r, &oom);
	townorg__fault_set(0);
	ck_assert_ptr_null(s);
	ck_assert(r.bad && r.oom && oom);
}
END_TEST

START_TEST(bytes)
{
	unsigned char d[] = { 1, 2, 3 };
	townorg__rd r;
	townorg__rd_init(&r, d, sizeof d);
	ck_assert_ptr_eq(townorg__rd_bytes(&r, 2), d);
	ck_assert_ptr_null(townorg__rd_bytes(&r, 2));
	ck_assert(r.bad);
}
END_TEST

START_TEST(grow)
{
	int *a = NULL;
	size_t cap = 0, n = 0;
	for (int i = 0; i < 1000; i++) {
		if (n == cap)
			ck_assert_int_eq(TOWNORG__GROW(a, cap, 16), 0);
		a[n++] = i;
	}
	ck_assert_uint_ge(cap, 1000);
	ck_assert_uint_lt(cap, 2048 + 1);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(a[i], i);
	/* an allocation failure leaves the array and its capacity */
	int *before = a;
	size_t cap_before = cap;
	townorg__fault_set(1);
	int rc = TOWNORG__GROW(a, cap, 16);
	townorg__fault_set(0);
	ck_assert_int_eq(rc, TOWNORG_ENOMEM);
	ck_assert_ptr_eq(a, before);
	ck_assert_uint_eq(cap, cap_before);
	ck_assert_int_eq(a[999], 999);
	townorg__free(a);
	/* a size that would wrap around is refused without calling realloc */
	struct big { char x[1 << 20]; } *h = NULL;
	size_t hcap = SIZE_MAX / sizeof *h / 2 + 1;
	ck_assert_int_eq(TOWNORG__GROW(h, hcap, 1), TOWNORG_ENOMEM);
	ck_assert_ptr_null(h);
	/* the first step gives the minimum */
	long *l = NULL;
	size_t lcap = 0;
	ck_assert_int_eq(TOWNORG__GROW(l, lcap, 64), 0);
	ck_assert_uint_eq(lcap, 64);
	townorg__free(l);
}
END_TEST

START_TEST(arena)
{
	townorg__arena a = { 0 }, b = { 0 };
	char *s1 = townorg__arena_strndup(&a, "渔亭镇xyz", strlen("渔亭镇"));
	ck_assert_str_eq(s1, "渔亭镇");
	ck_assert_ptr_null(townorg__arena_strdup(&a, NULL));
	/* aligned blocks after odd-sized strings */
	for (int i = 0; i < 100; i++) {
		townorg__arena_strdup(&a, "x");
		void *p = townorg__arena_alloc(&a, 24);
		ck_assert_uint_eq((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 0xab, 24);
	}
	/* a request larger than a chunk gets its own */
	char *big = townorg__arena_alloc(&a, 3 * TOWNORG__ARENA_CHUNK);
	ck_assert_ptr_nonnull(big);
	memset(big, 1, 3 * TOWNORG__ARENA_CHUNK);
	char *s2 = townorg__arena_strdup(&b, "黟县");
	townorg__arena_join(&a, &b);
	ck_assert_ptr_null(b.head);
	ck_assert_str_eq(s1, "渔亭镇");
	ck_assert_str_eq(s2, "黟县");
	/* out of memory: NULL, the arena still usable */
	townorg__fault_set(1);
	char *none = townorg__arena_alloc(&a, 2 * TOWNORG__ARENA_CHUNK);
	townorg__fault_set(0);
	ck_assert_ptr_null(none);
	ck_assert_ptr_null(townorg__arena_alloc(&a, SIZE_MAX - 8));
	ck_assert_str_eq(townorg__arena_strdup(&a, "ok"), "ok");
	townorg__arena_free(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(text_domain)
{
	ck_assert_str_eq(townorg_text_domain(), "townorg");
	/* under the C locale a library message stays in English */
	const townorg_version *v;
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	ck_assert_int_eq(townorg_repo_lookup(&v, r, "nosuch"), TOWNORG_ENOTFOUND);
	ck_assert_str_eq(townorg_error_last(), "no branch, tag or version named 'nosuch'");
	townorg_repo_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("base");
	tcase_add_test(tc, varint_round_trip);
	tcase_add_test(tc, varint_malformed);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, bytes);
	tcase_add_test(tc, grow);
	tcase_add_test(tc, arena);
	tcase_add_test(tc, text_domain);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

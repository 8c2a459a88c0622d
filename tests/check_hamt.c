/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_hamt.c — the persistent trie: canonical shape, structural sharing
 * (counted in nodes, not timed), removal, diff and iteration against a
 * brute-force model. */
#include <config.h>
#include "testutil.h"
#include "core/repo_internal.h"

static const townorg__hamt_type *TY = &townorg__entity_trie;

static townorg_entity *ent(int i, int variant)
{
	char id[32], name[32];
	snprintf(id, sizeof id, "id-%d", i);
	snprintf(name, sizeof name, "n%d-%d", i, variant);
	return mk(id, TOWNORG_KIND_COUNTY, name, NULL);
}

static void build(townorg__hamt *t, const int *order, int n, int variant)
{
	uint32_t tok = townorg__hamt_new_token();
	for (int i = 0; i < n; i++) {
		townorg_entity *e = ent(order[i], variant);
		ck_assert_int_eq(townorg__hamt_set(t, TY, e, tok), 0);
		townorg_entity_free(e);
	}
	townorg__hamt_freeze(t, TY, tok);
}

static void shuffle(int *a, int n, unsigned seed)
{
	srand(seed);
	for (int i = n - 1; i > 0; i--) {
		int j = rand() % (i + 1), x = a[i];
		a[i] = a[j];
		a[j] = x;
	}
}

START_TEST(shape_depends_only_on_content)
{
	enum { N = 5000 };
	int *order = malloc(N * sizeof *order);
	for (int i = 0; i < N; i++)
		order[i] = i;
	townorg__hamt a = { 0 }, b = { 0 };
	build(&a, order, N, 0);
	shuffle(order, N, 7);
	build(&b, order, N, 0);
	unsigned char ha[32], hb[32];
	townorg__hamt_root_hash(&a, TY, ha);
	townorg__hamt_root_hash(&b, TY, hb);
	ck_assert_mem_eq(ha, hb, 32);
	ck_assert_uint_eq(a.count, N);
	/* add 1000 extra keys then remove them again: same hash as before */
	townorg__hamt c = townorg__hamt_share(&b);
	uint32_t tok = townorg__hamt_new_token();
	for (int i = N; i < N + 1000; i++) {
		townorg_entity *e = ent(i, 0);
		ck_assert_int_eq(townorg__hamt_set(&c, TY, e, tok), 0);
		townorg_entity_free(e);
	}
	for (int i = N + 999; i >= N; i--) {
		char id[32];
		bool found;
		snprintf(id, sizeof id, "id-%d", i);
		ck_assert_int_eq(townorg__hamt_remove(&c, TY, id, tok, &found), 0);
		ck_assert(found);
	}
	townorg__hamt_freeze(&c, TY, tok);
	unsigned char hc[32];
	townorg__hamt_root_hash(&c, TY, hc);
	ck_assert_mem_eq(ha, hc, 32);
	ck_assert_uint_eq(c.count, N);
	/* a changed value changes the root hash */
	townorg_entity *e = ent(17, 1);
	tok = townorg__hamt_new_token();
	ck_assert_int_eq(townorg__hamt_set(&c, TY, e, tok), 0);
	townorg__hamt_freeze(&c, TY, tok);
	townorg_entity_free(e);
	townorg__hamt_root_hash(&c, TY, hc);
	ck_assert(memcmp(ha, hc, 32) != 0);
	townorg__hamt_release(&a, TY);
	townorg__hamt_release(&b, TY);
	townorg__hamt_release(&c, TY);
	free(order);
}
END_TEST

START_TEST(one_change_allocates_few_nodes)
{
	enum { N = 100000 };
	int *order = malloc(N * sizeof *order);
	for (int i = 0; i < N; i++)
		order[i] = i;
	townorg__hamt a = { 0 };
	build(&a, order, N, 0);
	townorg__hamt b = townorg__hamt_share(&a);
	uint64_t before = townorg__hamt_nodes_allocated();
	uint32_t tok = townorg__hamt_new_token();
	townorg_entity *e = ent(4242, 1);
	ck_assert_int_eq(townorg__hamt_set(&b, TY, e, tok), 0);
	townorg_entity_free(e);
	townorg__hamt_freeze(&b, TY, tok);
	uint64_t used = townorg__hamt_nodes_allocated() - before;
	ck_assert_uint_lt(used, 100);
	ck_assert_uint_ge(used, 1);
	/* and 1,000 changes in one commit stay O(k log n), far below n */
	before = townorg__hamt_nodes_allocated();
	tok = townorg__hamt_new_token();
	for (int i = 0; i < 1000; i++) {
		e = ent(i * 97, 2);
		ck_assert_int_eq(townorg__hamt_set(&b, TY, e, tok), 0);
		townorg_entity_free(e);
	}
	townorg__hamt_freeze(&b, TY, tok);
	used = townorg__hamt_nodes_allocated() - before;
	ck_assert_uint_lt(used, 1000 * 5);
	/* the old trie is untouched */
	const townorg_entity *old = townorg__hamt_get(&a, TY, "id-4242");
	ck_assert_str_eq(townorg_entity_name(old), "n4242-0");
	ck_assert_str_eq(townorg_entity_name(townorg__hamt_get(&b, TY, "id-4242")), "n4242-1");
	townorg__hamt_release(&a, TY);
	townorg__hamt_release(&b, TY);
	free(order);
}
END_TEST

struct diffrec {
	int added, removed, changed;
};
static int count_cb(const void *a, const void *b, void *ctx)
{
	struct diffrec *d = ctx;
	if (!a)
		d->added++;
	else if (!b)
		d->removed++;
	else
		d->changed++;
	return 0;
}

START_TEST(random_ops_match_model)
{
	enum { KEYS = 3000, OPS = 20000 };
	int *model = calloc(KEYS, sizeof *model); /* 0 absent, else variant */
	townorg__hamt t = { 0 };
	srand(12345);
	uint32_t tok = townorg__hamt_new_token();
	townorg__hamt snap = { 0 };
	int *snapmodel = calloc(KEYS, sizeof *snapmodel);
	for (int op = 0; op < OPS; op++) {
		int k = rand() % KEYS;
		if (rand() % 3 == 0) {
			char id[32];
			bool found;
			snprintf(id, sizeof id, "id-%d", k);
			ck_assert_int_eq(townorg__hamt_remove(&t, TY, id, tok, &found), 0);
			ck_assert_int_eq(found, model[k] != 0);
			model[k] = 0;
		} else {
			int var = 1 + rand() % 3;
			townorg_entity *e = ent(k, var);
			ck_assert_int_eq(townorg__hamt_set(&t, TY, e, tok), 0);
			townorg_entity_free(e);
			model[k] = var;
		}
		if (op == OPS / 2) {
			townorg__hamt_freeze(&t, TY, tok);
			tok = townorg__hamt_new_token();
			snap = townorg__hamt_share(&t);
			memcpy(snapmodel, model, KEYS * sizeof *model);
		}
	}
	townorg__hamt_freeze(&t, TY, tok);
	size_t live = 0;
	for (int k = 0; k < KEYS; k++) {
		char id[32];
		snprintf(id, sizeof id, "id-%d", k);
		const townorg_entity *e = townorg__hamt_get(&t, TY, id);
		ck_assert_int_eq(e != NULL, model[k] != 0);
		live += model[k] != 0;
		if (e) {
			char name[32];
			snprintf(name, sizeof name, "n%d-%d", k, model[k]);
			ck_assert_str_eq(townorg_entity_name(e), name);
		}
		/* the snapshot still shows the old state */
		const townorg_entity *s = townorg__hamt_get(&snap, TY, id);
		ck_assert_int_eq(s != NULL, snapmodel[k] != 0);
	}
	ck_assert_uint_eq(t.count, live);
	/* iteration visits each leaf once */
	townorg__hamt_iter it;
	townorg__hamt_iter_init(&it, &t);
	size_t seen = 0;
	while (townorg__hamt_iter_next(&it))
		seen++;
	ck_assert_uint_eq(seen, live);
	/* rebuilding the final state from scratch gives the same root hash */
	townorg__hamt fresh = { 0 };
	uint32_t t2 = townorg__hamt_new_token();
	for (int k = KEYS - 1; k >= 0; k--)
		if (model[k]) {
			townorg_entity *e = ent(k, model[k]);
			townorg__hamt_set(&fresh, TY, e, t2);
			townorg_entity_free(e);
		}
	townorg__hamt_freeze(&fresh, TY, t2);
	unsigned char h1[32], h2[32];
	townorg__hamt_root_hash(&t, TY, h1);
	townorg__hamt_root_hash(&fresh, TY, h2);
	ck_assert_mem_eq(h1, h2, 32);
	/* diff against the snapshot equals the model's difference, both from
	 * shared pointers and from the separately built trie */
	struct diffrec expect = { 0 }, got = { 0 }, got2 = { 0 };
	for (int k = 0; k < KEYS; k++) {
		if (!snapmodel[k] && model[k])
			expect.added++;
		else if (snapmodel[k] && !model[k])
			expect.removed++;
		else if (snapmodel[k] && model[k] && snapmodel[k] != model[k])
			expect.changed++;
	}
	ck_assert_int_eq(townorg__hamt_diff(&snap, &t, TY, count_cb, &got), 0);
	ck_assert_int_eq(townorg__hamt_diff(&snap, &fresh, TY, count_cb, &got2), 0);
	ck_assert_int_eq(got.added, expect.added);
	ck_assert_int_eq(got.removed, expect.removed);
	ck_assert_int_eq(got.changed, expect.changed);
	ck_assert_int_eq(got2.added, expect.added);
	ck_assert_int_eq(got2.removed, expect.removed);
	ck_assert_int_eq(got2.changed, expect.changed);
	struct diffrec none = { 0 };
	townorg__hamt_diff(&t, &fresh, TY, count_cb, &none);
	ck_assert_int_eq(none.added + none.removed + none.changed, 0);
	townorg__hamt_release(&t, TY);
	townorg__hamt_release(&snap, TY);
	townorg__hamt_release(&fresh, TY);
	free(model);
	free(snapmodel);
}
END_TEST

START_TEST(remove_to_empty)
{
	townorg__hamt t = { 0 };
	uint32_t tok = townorg__hamt_new_token();
	townorg_entity *e = ent(1, 1);
	ck_assert_int_eq(townorg__hamt_set(&t, TY, e, tok), 0);
	townorg_entity_free(e);
	bool found;
	ck_assert_int_eq(townorg__hamt_remove(&t, TY, "id-2", tok, &found), 0);
	ck_assert(!found);
	ck_assert_int_eq(townorg__hamt_remove(&t, TY, "id-1", tok, &found), 0);
	ck_assert(found);
	ck_assert_ptr_null(t.root);
	ck_assert_uint_eq(t.count, 0);
	unsigned char h[32], h0[32];
	townorg__hamt empty = { 0 };
	townorg__hamt_root_hash(&t, TY, h);
	townorg__hamt_root_hash(&empty, TY, h0);
	ck_assert_mem_eq(h, h0, 32);
}
END_TEST

START_TEST(allocation_failure_leaves_trie_unchanged)
{
	enum { N = 2000 };
	int *order = malloc(N * sizeof *order);
	for (int i = 0; i < N; i++)
		order[i] = i;
	townorg__hamt a = { 0 };
	build(&a, order, N, 0);
	unsigned char h0[32];
	townorg__hamt_root_hash(&a, TY, h0);
	for (long n = 1; n < 50; n++) {
		townorg__hamt b = townorg__hamt_share(&a);
		uint32_t tok = townorg__hamt_new_token();
		townorg_entity *e = ent(N + 5, 0), *e2 = ent(3, 9);
		townorg__fault_set(n);
		int rc = townorg__hamt_set(&b, TY, e, tok);
		if (rc == 0)
			rc = townorg__hamt_set(&b, TY, e2, tok);
		bool found;
		if (rc == 0)
			rc = townorg__hamt_remove(&b, TY, "id-7", tok, &found);
		townorg__fault_set(0);
		townorg_entity_free(e);
		townorg_entity_free(e2);
		ck_assert(rc == 0 || rc == TOWNORG_ENOMEM);
		townorg__hamt_freeze(&b, TY, tok);
		townorg__hamt_release(&b, TY);
		unsigned char h[32];
		townorg__hamt_root_hash(&a, TY, h);
		ck_assert_mem_eq(h, h0, 32);
	}
	townorg__hamt_release(&a, TY);
	free(order);
}
END_TEST

/* townorg__hamt_build makes the trie that inserts make: same root hash,
 * count and leaves, and it takes edits afterwards like any other. */
START_TEST(build_matches_inserts)
{
	static const int sizes[] = { 0, 1, 2, 3, 33, 1000, 20000 };
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		int n = sizes[k];
		int *order = malloc((n + 1) * sizeof *order);
		townorg_entity **ents = malloc((n + 1) * sizeof *ents);
		for (int i = 0; i < n; i++) {
			order[i] = i;
			ents[i] = ent(i, 0);
		}
		townorg__hamt a = { 0 }, b = { 0 };
		build(&a, order, n, 0);
		ck_assert_int_eq(townorg__hamt_build(&b, TY, (void *const *)ents, (size_t)n), 0);
		uint32_t tok = townorg__hamt_new_token();
		townorg__hamt_freeze(&b, TY, tok);
		unsigned char ha[32], hb[32];
		townorg__hamt_root_hash(&a, TY, ha);
		townorg__hamt_root_hash(&b, TY, hb);
		ck_assert_mem_eq(ha, hb, 32);
		ck_assert_uint_eq(b.count, (size_t)n);
		for (int i = 0; i < n; i += 1 + n / 50) {
			char id[32];
			snprintf(id, sizeof id, "id-%d", i);
			ck_assert_ptr_eq(townorg__hamt_get(&b, TY, id), ents[i]);
		}
		/* a filled trie is refused */
		if (n)
			ck_assert_int_eq(townorg__hamt_build(&b, TY, (void *const *)ents, (size_t)n), TOWNORG_EINVALID);
		/* the same edits on both: the same result */
		townorg__hamt a2 = townorg__hamt_share(&a), b2 = townorg__hamt_share(&b);
		uint32_t ta = townorg__hamt_new_token(), tb = townorg__hamt_new_token();
		for (int i = 0; i < n; i += 7) {
			townorg_entity *e = ent(i, 1);
			ck_assert_int_eq(townorg__hamt_set(&a2, TY, e, ta), 0);
			ck_assert_int_eq(townorg__hamt_set(&b2, TY, e, tb), 0);
			townorg_entity_free(e);
			char id[32];
			bool fa, fb;
			snprintf(id, sizeof id, "id-%d", i + 3);
			ck_assert_int_eq(townorg__hamt_remove(&a2, TY, id, ta, &fa), 0);
			ck_assert_int_eq(townorg__hamt_remove(&b2, TY, id, tb, &fb), 0);
			ck_assert_int_eq(fa, fb);
		}
		townorg__hamt_freeze(&a2, TY, ta);
		townorg__hamt_freeze(&b2, TY, tb);
		townorg__hamt_root_hash(&a2, TY, ha);
		townorg__hamt_root_hash(&b2, TY, hb);
		ck_assert_mem_eq(ha, hb, 32);
		ck_assert_uint_eq(a2.count, b2.count);
		/* the built original is untouched by the edits of its share */
		townorg__hamt_root_hash(&a, TY, ha);
		townorg__hamt_root_hash(&b, TY, hb);
		ck_assert_mem_eq(ha, hb, 32);
		townorg__hamt_release(&a, TY);
		townorg__hamt_release(&b, TY);
		townorg__hamt_release(&a2, TY);
		townorg__hamt_release(&b2, TY);
		for (int i = 0; i < n; i++)
			townorg_entity_free(ents[i]);
		free(ents);
		free(order);
	}
}
END_TEST

START_TEST(build_refuses_duplicates_and_survives_no_memory)
{
	enum { N = 3000 };
	townorg_entity **ents = malloc(N * sizeof *ents);
	for (int i = 0; i < N; i++)
		ents[i] = ent(i == N - 1 ? 1234 : i, i == N - 1); /* the last repeats id-1234 */
	townorg__hamt t = { 0 };
	ck_assert_int_eq(townorg__hamt_build(&t, TY, (void *const *)ents, N), TOWNORG_EEXISTS);
	ck_assert_ptr_null(t.root);
	ck_assert_uint_eq(t.count, 0);
	/* every allocation failure leaves the trie empty and leaks nothing
	 * (valgrind and ASan check the latter) */
	int failed = 0;
	for (long n = 1; n < 400; n += 7) {
		townorg__fault_set(n);
		int rc = townorg__hamt_build(&t, TY, (void *const *)ents, N - 1);
		townorg__fault_set(0);
		if (rc == TOWNORG_ENOMEM) {
			failed++;
			ck_assert_ptr_null(t.root);
			ck_assert_uint_eq(t.count, 0);
		} else {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(t.count, N - 1);
			townorg__hamt_freeze(&t, TY, townorg__hamt_new_token());
			townorg__hamt_release(&t, TY);
		}
	}
	ck_assert_int_gt(failed, 0);
	for (int i = 0; i < N; i++)
		townorg_entity_free(ents[i]);
	free(ents);
}
END_TEST

/* townorg__hamt_get_many answers as townorg__hamt_get does, key by key:
 * present and absent keys, NULL keys, groups of any length, an empty trie. */
START_TEST(get_many_matches_get)
{
	static const int sizes[] = { 0, 1, 40, 5000 };
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		int n = sizes[k];
		int *order = malloc((n + 1) * sizeof *order);
		for (int i = 0; i < n; i++)
			order[i] = i;
		shuffle(order, n, 5);
		townorg__hamt t = { 0 };
		build(&t, order, n, 0);
		enum { Q = 1237 }; /* not a multiple of the group size */
		static char ids[Q][32];
		const char *keys[Q];
		void *got[Q];
		for (int q = 0; q < Q; q++) {
			snprintf(ids[q], sizeof ids[q], "id-%d", rand() % (2 * n + 3)); /* about half absent */
			keys[q] = q % 97 == 5 ? NULL : ids[q];
			got[q] = (void *)1;
		}
		for (size_t m = 0; m <= Q; m += m < 40 ? 1 : 301) {
			townorg__hamt_get_many(&t, TY, keys, m, got);
			size_t present = 0;
			for (size_t q = 0; q < m; q++) {
				void *want = keys[q] ? townorg__hamt_get(&t, TY, keys[q]) : NULL;
				ck_assert_ptr_eq(got[q], want);
				present += want != NULL;
			}
			if (n >= 40 && m >= 100)
				ck_assert_uint_gt(present, 0);
		}
		townorg__hamt_release(&t, TY);
		free(order);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hamt");
	TCase *tc = tcase_create("hamt");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, shape_depends_only_on_content);
	tcase_add_test(tc, one_change_allocates_few_nodes);
	tcase_add_test(tc, random_ops_match_model);
	tcase_add_test(tc, remove_to_empty);
	tcase_add_test(tc, allocation_failure_leaves_trie_unchanged);
	tcase_add_test(tc, build_matches_inserts);
	tcase_add_test(tc, build_refuses_duplicates_and_survives_no_memory);
	tcase_add_test(tc, get_many_matches_get);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

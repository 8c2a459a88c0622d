/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_entity.c — entity values, builders, tokens, areas, encoding. */
#include <config.h>
#include "testutil.h"
#include "core/entity_internal.h"

START_TEST(kind_tokens_roundtrip)
{
	static const char *tokens[] = { "province", "prefecture", "county", "department", "town", "township",
					"subdistrict", "township_like", "office", "center", "station", "team",
					"listed", "dispatched", "village", "community" };
	for (int i = 0; i < TOWNORG_KIND_COUNT; i++) {
		townorg_kind k;
		OK(townorg_kind_parse(&k, tokens[i]));
		ck_assert_int_eq(k, i + 1);
		ck_assert_str_eq(townorg_kind_token(k), tokens[i]);
	}
	townorg_kind k;
	ck_assert_int_eq(townorg_kind_parse(&k, "Town"), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "Town"));
	ck_assert_ptr_null(townorg_kind_token(0));
	ck_assert_ptr_null(townorg_kind_token(99));
	ck_assert(townorg_kind_is_township_level(TOWNORG_KIND_SUBDISTRICT));
	ck_assert(!townorg_kind_is_township_level(TOWNORG_KIND_COUNTY));
	ck_assert(townorg_kind_is_organ(TOWNORG_KIND_DISPATCHED));
	ck_assert(!townorg_kind_is_organ(TOWNORG_KIND_VILLAGE));
}
END_TEST

START_TEST(class_and_field_tokens)
{
	townorg_class c;
	OK(townorg_class_parse(&c, "medium"));
	ck_assert_int_eq(c, TOWNORG_CLASS_MEDIUM);
	OK(townorg_class_parse(&c, ""));
	ck_assert_int_eq(c, TOWNORG_CLASS_NONE);
	ck_assert_int_eq(townorg_class_parse(&c, "huge"), TOWNORG_EINVALID);
	ck_assert_str_eq(townorg_class_token(TOWNORG_CLASS_SMALL), "small");
	townorg_field f;
	OK(townorg_field_parse(&f, "area_km2"));
	ck_assert_int_eq(f, TOWNORG_FIELD_AREA);
	ck_assert_int_eq(townorg_field_parse(&f, "areas"), TOWNORG_EINVALID);
	ck_assert_str_eq(townorg_field_token(TOWNORG_FIELD_INST_QUOTA), "inst_quota");
}
END_TEST

START_TEST(builder_values)
{
	townorg_entity_builder *b;
	townorg_entity *e;
	OK(townorg_entity_builder_new(&b, "341023-001-08", TOWNORG_KIND_CENTER, "碧阳镇为民服务中心", "341023-001"));
	OK(townorg_entity_builder_set_quota(b, "inst", 117));
	OK(townorg_entity_builder_set_quota(b, "worker", 3));
	OK(townorg_entity_builder_set_quota(b, "aux", 2));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, 110));
	OK(townorg_entity_builder_set_text(b, "funding", "full"));
	OK(townorg_entity_builder_set_text(b, "regime", "township_led"));
	OK(townorg_entity_builder_set_text(b, "rank", "股级"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "计生所"));
	OK(townorg_entity_builder_list_add(b, "functions", "农业技术推广"));
	OK(townorg_entity_builder_list_add(b, "functions", "文化广播"));
	OK(townorg_entity_builder_list_add(b, "functions", "农业技术推广")); /* duplicate ignored */
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);

	ck_assert_str_eq(townorg_entity_id(e), "341023-001-08");
	ck_assert_str_eq(townorg_entity_name(e), "碧阳镇为民服务中心");
	ck_assert_str_eq(townorg_entity_parent_id(e), "341023-001");
	ck_assert_int_eq(townorg_entity_kind(e), TOWNORG_KIND_CENTER);
	int64_t v;
	OK(townorg_entity_quota(e, "inst", &v));
	ck_assert_int_eq(v, 117);
	OK(townorg_entity_int(e, TOWNORG_FIELD_INST_QUOTA, &v));
	ck_assert_int_eq(v, 117);
	ck_assert_int_eq(townorg_entity_quota(e, "admin", &v), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_entity_int(e, TOWNORG_FIELD_POPULATION, &v), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_entity_quota_total(e), 122);
	ck_assert_uint_eq(townorg_entity_quota_count(e), 3);
	const char *type;
	OK(townorg_entity_quota_at(e, 0, &type, &v));
	ck_assert_str_eq(type, "aux");
	OK(townorg_entity_quota_at(e, 1, &type, &v));
	ck_assert_str_eq(type, "inst");
	ck_assert_int_eq(v, 117);
	OK(townorg_entity_quota_at(e, 2, &type, &v));
	ck_assert_str_eq(type, "worker");
	ck_assert_int_eq(townorg_entity_quota_at(e, 3, &type, &v), TOWNORG_ENOTFOUND);
	ck_assert_str_eq(townorg_entity_text(e, "funding"), "full");
	ck_assert_str_eq(townorg_entity_text(e, "rank"), "股级");
	ck_assert_ptr_null(townorg_entity_text(e, "nature"));
	size_t n;
	const char *const *fn = townorg_entity_list(e, "functions", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(fn[0], "农业技术推广");
	ck_assert_str_eq(fn[1], "文化广播");
	ck_assert_ptr_null(townorg_entity_list(e, "colocated_with", &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(townorg_entity_attr_count(e), 5);
	townorg_entity_free(e);
}
END_TEST

START_TEST(hash_independent_of_order)
{
	townorg_entity_builder *a, *b;
	townorg_entity *ea, *eb, *ec;
	OK(townorg_entity_builder_new(&a, "x1", TOWNORG_KIND_TOWN, "宏村镇", "341023"));
	OK(townorg_entity_builder_set_class(a, TOWNORG_CLASS_MEDIUM));
	OK(townorg_entity_builder_set_int(a, TOWNORG_FIELD_POPULATION, 20000));
	OK(townorg_entity_builder_list_add(a, "functions", "b"));
	OK(townorg_entity_builder_list_add(a, "functions", "a"));
	OK(townorg_entity_builder_new(&b, "x1", TOWNORG_KIND_TOWN, "宏村镇", "341023"));
	OK(townorg_entity_builder_list_add(b, "functions", "a"));
	OK(townorg_entity_builder_list_add(b, "functions", "b"));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 20000));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_MEDIUM));
	OK(townorg_entity_builder_build(&ea, a));
	OK(townorg_entity_builder_build(&eb, b));
	ck_assert(townorg_entity_equal(ea, eb));
	ck_assert_mem_eq(townorg_entity_hash(ea), townorg_entity_hash(eb), 32);
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 20001));
	OK(townorg_entity_builder_build(&ec, b));
	ck_assert(!townorg_entity_equal(ea, ec));
	townorg_entity_free(ea);
	townorg_entity_free(eb);
	townorg_entity_free(ec);
	townorg_entity_builder_free(a);
	townorg_entity_builder_free(b);
}
END_TEST

START_TEST(builder_from_copies)
{
	townorg_entity *e = mk_organ("o1", TOWNORG_KIND_OFFICE, "党政办", "t1", 10, -1, 9), *e2;
	townorg_entity_builder *b;
	OK(townorg_entity_builder_from(&b, e));
	OK(townorg_entity_builder_build(&e2, b));
	ck_assert(townorg_entity_equal(e, e2));
	OK(townorg_entity_builder_set_name(b, "党政综合办公室"));
	townorg_entity_free(e2);
	OK(townorg_entity_builder_build(&e2, b));
	ck_assert(!townorg_entity_equal(e, e2));
	ck_assert_str_eq(townorg_entity_name(e), "党政办");
	townorg_entity_free(e2);
	townorg_entity_builder_free(b);
	townorg_entity_free(e);
}
END_TEST

START_TEST(builder_rejects_bad_input)
{
	townorg_entity_builder *b = NULL;
	ck_assert_int_eq(townorg_entity_builder_new(&b, "", TOWNORG_KIND_TOWN, "x", NULL), TOWNORG_EINVALID);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(townorg_entity_builder_new(&b, NULL, TOWNORG_KIND_TOWN, "x", NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_new(&b, "a b", TOWNORG_KIND_TOWN, "x", NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_new(&b, "\xff\xfe", TOWNORG_KIND_TOWN, "x", NULL), TOWNORG_EENCODING);
	ck_assert_int_eq(townorg_entity_builder_new(&b, "ok", 0, "x", NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_new(&b, "ok", TOWNORG_KIND_TOWN, "bad\xc3", NULL), TOWNORG_EENCODING);
	ck_assert_int_eq(townorg_entity_builder_new(&b, "ok", TOWNORG_KIND_TOWN, "x", "ok"), TOWNORG_EINTEGRITY);
	char longid[300];
	memset(longid, 'a', sizeof longid - 1);
	longid[299] = 0;
	ck_assert_int_eq(townorg_entity_builder_new(&b, longid, TOWNORG_KIND_TOWN, "x", NULL), TOWNORG_EINVALID);

	OK(townorg_entity_builder_new(&b, "t1", TOWNORG_KIND_TOWN, "镇", "c1"));
	ck_assert_int_eq(townorg_entity_builder_set_quota(b, "admin", -1), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "t1"));
	ck_assert_int_eq(townorg_entity_builder_set_quota(b, "Admin", 1), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_quota(b, "", 1), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 1000000000000000000LL),
			 TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_int(b, 42, 1), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_text(b, "funding", "plenty"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_text(b, "nameplates", "x"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_text(b, "population", "x"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_list_add(b, "functions", ""), TOWNORG_EENCODING);
	ck_assert_int_eq(townorg_entity_builder_list_remove(b, "functions", "none"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_entity_builder_set_class(b, 7), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_entity_builder_set_kind(b, 0), TOWNORG_EINVALID);
	/* nothing above changed the draft */
	townorg_entity *e;
	OK(townorg_entity_builder_build(&e, b));
	ck_assert_uint_eq(townorg_entity_quota_count(e), 0);
	ck_assert_uint_eq(townorg_entity_attr_count(e), 0);
	townorg_entity_free(e);
	townorg_entity_builder_free(b);
}
END_TEST

START_TEST(unset_and_remove)
{
	townorg_entity_builder *b;
	townorg_entity *e;
	OK(townorg_entity_builder_new(&b, "o", TOWNORG_KIND_STATION, "林业站", "t"));
	OK(townorg_entity_builder_set_quota(b, "inst", 39));
	OK(townorg_entity_builder_set_quota(b, "worker", 1));
	OK(townorg_entity_builder_unset_quota(b, "inst"));
	OK(townorg_entity_builder_unset_quota(b, "worker"));
	OK(townorg_entity_builder_set_text(b, "supervisor", "dept-forestry"));
	OK(townorg_entity_builder_set_text(b, "supervisor", NULL));
	OK(townorg_entity_builder_list_add(b, "colocated_with", "o2"));
	OK(townorg_entity_builder_list_remove(b, "colocated_with", "o2"));
	OK(townorg_entity_builder_list_add(b, "functions", "a"));
	OK(townorg_entity_builder_list_clear(b, "functions"));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_CHIEF_POSTS, 1));
	OK(townorg_entity_builder_unset_int(b, TOWNORG_FIELD_CHIEF_POSTS));
	OK(townorg_entity_builder_build(&e, b));
	ck_assert_uint_eq(townorg_entity_quota_count(e), 0);
	ck_assert_uint_eq(townorg_entity_attr_count(e), 0);
	townorg_entity *plain = mk("o", TOWNORG_KIND_STATION, "林业站", "t");
	ck_assert(townorg_entity_equal(e, plain));
	townorg_entity_free(plain);
	townorg_entity_free(e);
	townorg_entity_builder_free(b);
}
END_TEST

START_TEST(area_fixed_point)
{
	int64_t t;
	char buf[32];
	OK(townorg_area_parse(&t, "146.7"));
	ck_assert_int_eq(t, 1467);
	OK(townorg_area_parse(&t, "12"));
	ck_assert_int_eq(t, 120);
	OK(townorg_area_parse(&t, "0.5"));
	ck_assert_int_eq(t, 5);
	ck_assert_int_eq(townorg_area_parse(&t, "1.25"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_area_parse(&t, "-3"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_area_parse(&t, "1e3"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_area_parse(&t, ""), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_area_parse(&t, "."), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_area_parse(&t, "99999999999999999999"), TOWNORG_EINVALID);
	OK(townorg_area_format(buf, sizeof buf, 1467));
	ck_assert_str_eq(buf, "146.7");
	OK(townorg_area_format(buf, sizeof buf, 5));
	ck_assert_str_eq(buf, "0.5");
	ck_assert_int_eq(townorg_area_format(buf, 3, 1467), TOWNORG_EINVALID);
}
END_TEST

START_TEST(encode_decode_roundtrip)
{
	townorg_entity_builder *b;
	townorg_entity *e, *d;
	OK(townorg_entity_builder_new(&b, "p", TOWNORG_KIND_TEAM, "综合行政执法队", "t"));
	OK(townorg_entity_builder_set_quota(b, "admin", 6));
	OK(townorg_entity_builder_set_quota(b, "inst", 5));
	OK(townorg_entity_builder_set_quota(b, "zz", 0));
	OK(townorg_entity_builder_set_text(b, "nature", "administrative"));
	OK(townorg_entity_builder_list_add(b, "functions", "执法"));
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);
	townorg__buf buf = { 0 };
	townorg__entity_encode(&buf, e);
	ck_assert(!buf.failed);
	OK(townorg__entity_decode(&d, (const unsigned char *)buf.data, buf.len));
	ck_assert(townorg_entity_equal(e, d));
	/* truncated and trailing bytes are refused */
	townorg_entity *d2 = NULL;
	ck_assert_int_eq(townorg__entity_decode(&d2, (const unsigned char *)buf.data, buf.len - 1) < 0, 1);
	ck_assert_ptr_null(d2);
	townorg__buf_putc(&buf, 0);
	ck_assert_int_eq(townorg__entity_decode(&d2, (const unsigned char *)buf.data, buf.len), TOWNORG_ECORRUPT);
	ck_assert_ptr_null(d2);
	townorg__buf_free(&buf);
	townorg_entity_free(d);
	townorg_entity_free(e);
}
END_TEST

START_TEST(ref_and_free_null)
{
	townorg_entity *e = mk("c", TOWNORG_KIND_COUNTY, "黟县", NULL);
	ck_assert_ptr_eq(townorg_entity_ref(e), e);
	townorg_entity_free(e);
	ck_assert_str_eq(townorg_entity_name(e), "黟县");
	ck_assert_ptr_null(townorg_entity_parent_id(e));
	townorg_entity_free(e);
	townorg_entity_free(NULL);
	townorg_entity_builder_free(NULL);
	townorg_free(NULL);
}
END_TEST

START_TEST(errors_and_version)
{
	townorg_error_clear();
	ck_assert_ptr_null(townorg_error_last());
	ck_assert_int_eq(townorg_error_last_code(), 0);
	townorg_kind k;
	townorg_kind_parse(&k, "nope");
	ck_assert_int_eq(townorg_error_last_code(), TOWNORG_EINVALID);
	ck_assert_str_eq(townorg_error_name(TOWNORG_ENOTFOUND), "not found");
	ck_assert_str_eq(townorg_library_version(), TOWNORG_VERSION);
	int ma, mi, pa;
	townorg_library_version_numbers(&ma, &mi, &pa);
	ck_assert_int_eq(ma * 10000 + mi * 100 + pa, TOWNORG_VERSION_NUMBER);
	townorg_allocator bad = { NULL, NULL, NULL };
	ck_assert_int_eq(townorg_set_allocator(&bad), TOWNORG_EINVALID);
	OK(townorg_set_allocator(NULL));
}
END_TEST

static long counted;
static void *count_malloc(size_t n)
{
	counted++;
	return malloc(n);
}
START_TEST(custom_allocator_used)
{
	townorg_allocator a = { count_malloc, realloc, free };
	OK(townorg_set_allocator(&a));
	counted = 0;
	townorg_entity *e = mk("c", TOWNORG_KIND_COUNTY, "黟县", NULL);
	townorg_entity_free(e);
	OK(townorg_set_allocator(NULL));
	ck_assert_int_gt(counted, 0);
}
END_TEST

START_TEST(allocation_failures_are_clean)
{
	/* Fail each allocation of building an entity in turn. */
	for (long n = 1; n < 200; n++) {
		townorg_entity_builder *b = NULL;
		townorg_entity *e = NULL;
		townorg__fault_set(n);
		int rc = townorg_entity_builder_new(&b, "o", TOWNORG_KIND_CENTER, "中心", "t");
		if (rc == 0)
			rc = townorg_entity_builder_set_quota(b, "worker", 1);
		if (rc == 0)
			rc = townorg_entity_builder_list_add(b, "functions", "f");
		if (rc == 0)
			rc = townorg_entity_builder_build(&e, b);
		long used = townorg__fault_count();
		townorg__fault_set(0);
		townorg_entity_builder_free(b);
		townorg_entity_free(e);
		if (rc == 0) {
			ck_assert_int_lt(used, n);
			return;
		}
		ck_assert_int_eq(rc, TOWNORG_ENOMEM);
	}
	ck_abort_msg("never succeeded");
}
END_TEST

/* A twin keeps no strings of its own: it reads its owner's, keeps the
 * owner alive, and is equal to the value it stands for in every respect. */
START_TEST(twins_share_their_owners_strings)
{
	townorg_entity *a = mk_organ("130102-001-01", TOWNORG_KIND_OFFICE, "某镇党政综合办公室", "130102-001", 7, -1, 8);
	townorg_entity *b = mk_organ("130102-001-01", TOWNORG_KIND_OFFICE, "某镇党政综合办公室", "130102-001", 6, -1, 7);
	townorg_entity *t = townorg__entity_twin(b, a);
	ck_assert_ptr_nonnull(t);
	ck_assert(t->shares);
	ck_assert(townorg_entity_equal(t, b));
	ck_assert_mem_eq(townorg_entity_hash(t), townorg_entity_hash(b), 32);
	ck_assert_str_eq(townorg_entity_id(t), "130102-001-01");
	ck_assert_str_eq(townorg_entity_name(t), "某镇党政综合办公室");
	ck_assert_str_eq(townorg_entity_parent_id(t), "130102-001");
	ck_assert_ptr_eq(townorg_entity_name(t), townorg_entity_name(a)); /* the owner's own bytes */
	int64_t v;
	OK(townorg_entity_int(t, TOWNORG_FIELD_ADMIN_QUOTA, &v));
	ck_assert_int_eq(v, 6);
	/* the same encoding as b: the store keeps twins as whole values */
	townorg__buf eb = { 0 }, et = { 0 };
	townorg__entity_encode(&eb, b);
	townorg__entity_encode(&et, t);
	ck_assert_uint_eq(eb.len, et.len);
	ck_assert_mem_eq(eb.data, et.data, eb.len);
	townorg__buf_free(&eb);
	townorg__buf_free(&et);
	/* a twin of a twin reads the first owner; the owner outlives them */
	townorg_entity *c = mk_organ("130102-001-01", TOWNORG_KIND_OFFICE, "某镇党政综合办公室", "130102-001", 5, -1, 7);
	townorg_entity *t2 = townorg__entity_twin(c, t);
	ck_assert_ptr_nonnull(t2);
	ck_assert_ptr_eq(townorg__entity_owner(t2), a);
	townorg_entity_free(a); /* the twins keep it */
	townorg_entity_free(t);
	ck_assert_str_eq(townorg_entity_parent_id(t2), "130102-001");
	townorg_entity_free(t2); /* frees the owner too (valgrind: nothing left) */
	/* no twin when a string differs, or for a value with rare attributes */
	townorg_entity *r = mk_organ("130102-001-01", TOWNORG_KIND_OFFICE, "某镇党建办公室", "130102-001", 5, -1, 7);
	ck_assert_ptr_null(townorg__entity_twin(r, c));
	townorg_entity *m = mk_organ("130102-001-01", TOWNORG_KIND_OFFICE, "某镇党政综合办公室", "130102-002", 5, -1, 7);
	ck_assert_ptr_null(townorg__entity_twin(m, c));
	townorg_entity_builder *bb;
	OK(townorg_entity_builder_from(&bb, c));
	OK(townorg_entity_builder_set_text(bb, "note", "冀民函〔2022〕79号"));
	townorg_entity *x;
	OK(townorg_entity_builder_build(&x, bb));
	townorg_entity_builder_free(bb);
	ck_assert_ptr_null(townorg__entity_twin(x, c));
	townorg_entity_free(x);
	townorg_entity_free(r);
	townorg_entity_free(m);
	townorg_entity_free(c);
	townorg_entity_free(b);
}
END_TEST

/* A value made on the heap settles into the pool as a twin when it can,
 * else as a copy, equal either way. */
START_TEST(settle_makes_a_twin_or_a_copy)
{
	int64_t ints[TOWNORG_FIELD_COUNT] = { 0 };
	ints[TOWNORG_FIELD_ADMIN_QUOTA] = 9;
	uint16_t present = 1u << TOWNORG_FIELD_ADMIN_QUOTA;
	townorg_entity *h, *h2;
	OK(townorg__entity_assemble_heap(&h, TOWNORG_KIND_OFFICE, TOWNORG_CLASS_NONE, present, ints, "c-1-01", "办公室",
					 "c-1", NULL));
	ck_assert(h->heap);
	townorg_entity *prev = mk_organ("c-1-01", TOWNORG_KIND_OFFICE, "办公室", "c-1", 8, -1, -1);
	townorg_entity *t = townorg__entity_settle(h, prev);
	ck_assert_ptr_nonnull(t);
	ck_assert(t->shares && !t->heap);
	ck_assert(townorg_entity_equal(t, h));
	OK(townorg__entity_assemble_heap(&h2, TOWNORG_KIND_OFFICE, TOWNORG_CLASS_NONE, present, ints, "c-1-01", "综合办",
					 "c-1", NULL));
	townorg_entity *cp = townorg__entity_settle(h2, prev);
	ck_assert_ptr_nonnull(cp);
	ck_assert(!cp->shares && !cp->heap);
	ck_assert(townorg_entity_equal(cp, h2));
	ck_assert_str_eq(townorg_entity_name(cp), "综合办");
	townorg_entity_free(h);
	townorg_entity_free(h2);
	townorg_entity_free(prev);
	ck_assert_str_eq(townorg_entity_name(t), "办公室");
	townorg_entity_free(t);
	townorg_entity_free(cp);
}
END_TEST


/* The schema: the attributes defined once (lib/core/schema.def). */
START_TEST(schema_attributes)
{
	size_t n = townorg_attr_count();
	ck_assert_uint_ge(n, 14);
	const townorg_attr_info *a;
	/* the CSV columns come first, in the tables' order */
	char header[512] = "";
	size_t i = 0;
	for (; i < n; i++) {
		OK(townorg_attr_info_at(&a, i));
		if (!a->in_csv)
			break;
		if (i)
			strcat(header, ",");
		strcat(header, a->name);
	}
	char path[4200], line[512];
	snprintf(path, sizeof path, "%s/tests/data/tables/mini/base.csv", TEST_SRCDIR);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	fclose(f);
	line[strcspn(line, "\r\n")] = 0;
	ck_assert_str_eq(header, line);
	for (; i < n; i++) {
		OK(townorg_attr_info_at(&a, i));
		ck_assert_msg(!a->in_csv, "%s: the CSV columns are not together", a->name);
	}
	/* every field has one attribute of the same token and a numeric type */
	for (int fld = 0; fld < TOWNORG_FIELD_COUNT; fld++) {
		OK(townorg_attr_info_find(&a, townorg_field_token((townorg_field)fld)));
		ck_assert_int_eq(a->field, fld);
		ck_assert(a->type == TOWNORG_ATTR_INTEGER || a->type == TOWNORG_ATTR_DECIMAL);
	}
	OK(townorg_attr_info_find(&a, "population"));
	ck_assert_str_eq(a->label_zh, "人口");
	ck_assert_str_eq(a->unit_zh, "人");
	ck_assert(a->in_json);
	OK(townorg_attr_info_find(&a, "admin_quota"));
	ck_assert(!a->in_json && a->in_csv);
	OK(townorg_attr_info_find(&a, "area_km2"));
	ck_assert_int_eq(a->type, TOWNORG_ATTR_DECIMAL);
	OK(townorg_attr_info_find(&a, "regime"));
	ck_assert_int_eq(a->type, TOWNORG_ATTR_ENUM);
	ck_assert_int_eq(a->field, -1);
	ck_assert_str_eq(a->values[0].token, "township_led");
	ck_assert_str_eq(a->values[0].label_zh, "以块为主");
	ck_assert_ptr_null(a->values[2].token);
	OK(townorg_attr_info_find(&a, "kind"));
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++)
		ck_assert_str_eq(a->values[k - 1].token, townorg_kind_token((townorg_kind)k));
	ck_assert_ptr_null(a->values[TOWNORG_KIND_COUNT].token);
	OK(townorg_attr_info_find(&a, "nameplates"));
	ck_assert_int_eq(a->type, TOWNORG_ATTR_LIST);
	/* names not in the schema, and out of range */
	ck_assert_int_eq(townorg_attr_info_find(&a, "police_quota"), TOWNORG_ENOTFOUND);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "police_quota"));
	ck_assert_int_eq(townorg_attr_info_find(&a, NULL), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_attr_info_at(&a, n), TOWNORG_ENOTFOUND);
	ck_assert_ptr_null(a);
	townorg_error_clear();
}
END_TEST

START_TEST(schema_labels)
{
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++) {
		const char *zh = townorg_kind_label((townorg_kind)k, TOWNORG_LANG_ZH);
		const char *en = townorg_kind_label((townorg_kind)k, TOWNORG_LANG_EN);
		ck_assert_ptr_nonnull(zh);
		ck_assert_ptr_nonnull(en);
		ck_assert_str_ne(zh, en);
	}
	ck_assert_str_eq(townorg_kind_label(TOWNORG_KIND_TOWN, TOWNORG_LANG_ZH), "镇");
	ck_assert_str_eq(townorg_kind_label(TOWNORG_KIND_SUBDISTRICT, TOWNORG_LANG_ZH), "街道");
	ck_assert_ptr_null(townorg_kind_label(TOWNORG_KIND_INVALID, TOWNORG_LANG_ZH));
	ck_assert_ptr_null(townorg_kind_label((townorg_kind)99, TOWNORG_LANG_EN));
	ck_assert_str_eq(townorg_class_label(TOWNORG_CLASS_LARGE, TOWNORG_LANG_ZH), "大乡镇");
	ck_assert_str_eq(townorg_class_label(TOWNORG_CLASS_SMALL, TOWNORG_LANG_EN), "small");
	ck_assert_ptr_null(townorg_class_label(TOWNORG_CLASS_NONE, TOWNORG_LANG_ZH));
	/* the tokens are the schema's too */
	townorg_kind k;
	OK(townorg_kind_parse(&k, "township_like"));
	ck_assert_int_eq(k, TOWNORG_KIND_TOWNSHIP_LIKE);
	townorg_class c;
	OK(townorg_class_parse(&c, "medium"));
	ck_assert_int_eq(c, TOWNORG_CLASS_MEDIUM);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("entity");
	TCase *tc = tcase_create("entity");
	tcase_add_test(tc, kind_tokens_roundtrip);
	tcase_add_test(tc, class_and_field_tokens);
	tcase_add_test(tc, builder_values);
	tcase_add_test(tc, hash_independent_of_order);
	tcase_add_test(tc, builder_from_copies);
	tcase_add_test(tc, builder_rejects_bad_input);
	tcase_add_test(tc, unset_and_remove);
	tcase_add_test(tc, area_fixed_point);
	tcase_add_test(tc, encode_decode_roundtrip);
	tcase_add_test(tc, ref_and_free_null);
	tcase_add_test(tc, errors_and_version);
	tcase_add_test(tc, custom_allocator_used);
	tcase_add_test(tc, allocation_failures_are_clean);
	tcase_add_test(tc, twins_share_their_owners_strings);
	tcase_add_test(tc, settle_makes_a_twin_or_a_copy);
	tcase_add_test(tc, schema_attributes);
	tcase_add_test(tc, schema_labels);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

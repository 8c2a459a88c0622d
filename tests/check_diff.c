/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_diff.c — diffs: deltas and fields, filters, events between,
 * aggregates and reduction rates (篇4, 篇7), rendering, versions from
 * separate repositories, and the O(k log n) cost. */
#include <config.h>
#include <jansson.h>
#include <unistd.h>
#include "testutil.h"
#include "analysis/diff_internal.h"
#include "townorg/store.h"

static townorg_repo *repo;

static void setup(void) { ck_assert_int_eq(townorg_repo_new(&repo), 0); }
static void teardown(void) { townorg_repo_free(repo); }

static void meta(townorg_txn *t, const char *date, const char *doc)
{
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = date;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = doc;
	m.author = "黟县编办";
	OK(townorg_txn_set_meta(t, &m));
}

static const townorg_version *commit(townorg_txn *t)
{
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

/* The seven institutions of 碧阳镇 (篇7) that merge into 为民服务中心. */
static const char *const seven[7][2] = {
	{ "341023-001-11", "碧阳镇文化广播电视站" }, { "341023-001-12", "碧阳镇农业综合服务站" },
	{ "341023-001-13", "碧阳镇农经站" },         { "341023-001-14", "碧阳镇水利站" },
	{ "341023-001-15", "碧阳镇计生所" },         { "341023-001-16", "碧阳镇蚕桑站" },
	{ "341023-001-17", "碧阳镇畜牧兽医站" },
};

/* 黟县 before the 2008 reform: 碧阳镇 with three offices, the seven
 * stations, 林业站 and 国土所; 渔亭镇 with one office. */
static void put_base(townorg_txn *t)
{
	townorg_entity_builder *b;
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	OK(townorg_entity_builder_new(&b, "341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_LARGE));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_LEADER_POSTS, 9));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 1467));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 41000));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "碧阳镇党政办公室", "341023-001", 10, -1, 10));
	put(t, mk_organ("341023-001-02", TOWNORG_KIND_OFFICE, "碧阳镇经济发展办公室", "341023-001", 8, -1, 7));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_OFFICE, "碧阳镇社会事务办公室", "341023-001", 6, -1, 6));
	for (int i = 0; i < 7; i++)
		put(t, mk_organ(seven[i][0], TOWNORG_KIND_STATION, seven[i][1], "341023-001", -1, 4, 4));
	put(t, mk_organ("341023-001-21", TOWNORG_KIND_STATION, "碧阳镇林业站", "341023-001", -1, 5, 5));
	put(t, mk_organ("341023-001-22", TOWNORG_KIND_STATION, "碧阳镇国土所", "341023-001", -1, 2, 2));
	put(t, mk_organ("341023-002-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办公室", "341023-002", 7, -1, 6));
}

/* The reform: the seven stations abolished into 为民服务中心 (hanging the
 * 计生所 nameplate); 林业站 and 国土所 led by their county bureaus. */
static void put_reform(townorg_txn *t)
{
	townorg_entity_builder *b;
	const char *from[7];
	for (int i = 0; i < 7; i++) {
		OK(townorg_txn_remove(t, seven[i][0]));
		from[i] = seven[i][0];
	}
	OK(townorg_entity_builder_new(&b, "341023-001-30", TOWNORG_KIND_CENTER, "碧阳镇为民服务中心", "341023-001"));
	OK(townorg_entity_builder_set_quota(b, "inst", 25));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, 24));
	OK(townorg_entity_builder_list_add(b, "nameplates", "计生所"));
	OK(townorg_entity_builder_set_text(b, "regime", "township_led"));
	OK(townorg_entity_builder_set_text(b, "funding", "full"));
	OK(townorg_entity_builder_set_text(b, "rank", "股级"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	const char *dept[2][3] = { { "341023-001-21", "dept-forest", "碧阳镇林业站" },
				   { "341023-001-22", "dept-land", "碧阳镇国土所" } };
	for (int i = 0; i < 2; i++) {
		const townorg_entity *e;
		OK(townorg_txn_get(&e, t, dept[i][0]));
		OK(townorg_entity_builder_from(&b, e));
		OK(townorg_entity_builder_set_text(b, "regime", "department_led"));
		OK(townorg_entity_builder_set_text(b, "supervisor", dept[i][1]));
		OK(townorg_txn_put_builder(t, b));
		townorg_entity_builder_free(b);
	}
	const char *to[1] = { "341023-001-30" }, *docs[1] = { "黟编〔2008〕5号" };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_MERGE;
	ev.event_id = "reform-2008";
	ev.from_ids = from;
	ev.from_count = 7;
	ev.to_ids = to;
	ev.to_count = 1;
	ev.documents = docs;
	ev.document_count = 1;
	ev.wording = "撤销七站所，组建为民服务中心";
	OK(townorg_txn_add_event(t, &ev));
}

static const townorg_version *commit_base(townorg_repo *r)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put_base(t);
	meta(t, "2008-01-01", "黟政〔2008〕1号");
	return commit(t);
}

static const townorg_version *commit_reform(townorg_repo *r)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put_reform(t);
	meta(t, "2008-06-01", "黟编〔2008〕5号");
	return commit(t);
}

START_TEST(yixian_merge_deltas)
{
	const townorg_version *v0 = commit_base(repo), *v1 = commit_reform(repo);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 10);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), 1);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED), 7);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_CHANGED), 2);
	/* sorted by id */
	for (size_t i = 1; i < townorg_diff_num_deltas(d); i++)
		ck_assert_int_lt(strcmp(townorg_diff_delta_at(d, i - 1)->id, townorg_diff_delta_at(d, i)->id), 0);
	ck_assert_ptr_null(townorg_diff_delta_at(d, 10));
	const townorg_diff_delta *dl = townorg_diff_delta_by_id(d, "341023-001-30");
	ck_assert_ptr_nonnull(dl);
	ck_assert_int_eq(dl->status, TOWNORG_DELTA_ADDED);
	ck_assert_int_eq(dl->kind, TOWNORG_KIND_CENTER);
	ck_assert_ptr_null(dl->old_entity);
	ck_assert_str_eq(townorg_entity_name(dl->new_entity), "碧阳镇为民服务中心");
	dl = townorg_diff_delta_by_id(d, "341023-001-15");
	ck_assert_int_eq(dl->status, TOWNORG_DELTA_REMOVED);
	ck_assert_ptr_null(dl->new_entity);
	dl = townorg_diff_delta_by_id(d, "341023-001-21");
	ck_assert_int_eq(dl->status, TOWNORG_DELTA_CHANGED);
	ck_assert_uint_eq(dl->field_count, 2);
	ck_assert_str_eq(dl->fields[0].name, "regime");
	ck_assert_ptr_null(dl->fields[0].old_value);
	ck_assert_str_eq(dl->fields[0].new_value, "department_led");
	ck_assert_str_eq(dl->fields[1].name, "supervisor");
	ck_assert_str_eq(dl->fields[1].new_value, "dept-forest");
	ck_assert_ptr_null(townorg_diff_delta_by_id(d, "341023-001-01"));
	ck_assert_ptr_eq(townorg_diff_from(d), v0);
	ck_assert_ptr_eq(townorg_diff_to(d), v1);
	/* the merge event between them */
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_FORWARD);
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	const townorg_diff_event *de = townorg_diff_event_at(d, 0);
	ck_assert_ptr_eq(de->version, v1);
	ck_assert_int_eq(de->event->kind, TOWNORG_EVENT_MERGE);
	ck_assert_uint_eq(de->event->from_count, 7);
	ck_assert_ptr_null(townorg_diff_event_at(d, 1));
	/* aggregates: 碧阳镇 12 → 6 organs, quota 24+28+7 → 24+25+7 */
	const townorg_diff_totals *t = townorg_diff_totals_by_id(d, "341023-001");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "碧阳镇");
	ck_assert_int_eq(t->organs.before, 12);
	ck_assert_int_eq(t->organs.after, 6);
	ck_assert_int_eq(t->organs.numerator, 6);
	ck_assert_int_eq(t->organs.denominator, 12);
	ck_assert(t->organs.available);
	ck_assert_double_eq_tol(t->organs.value, 0.5, 1e-12);
	ck_assert_uint_eq(t->kind_before[TOWNORG_KIND_STATION], 9);
	ck_assert_uint_eq(t->kind_after[TOWNORG_KIND_STATION], 2);
	ck_assert_uint_eq(t->kind_after[TOWNORG_KIND_CENTER], 1);
	ck_assert_int_eq(t->quota.before, 24 + 28 + 7);
	ck_assert_int_eq(t->quota.after, 24 + 25 + 7);
	ck_assert_uint_eq(t->quota_type_count, 2);
	ck_assert_str_eq(t->quotas[0].type, "admin");
	ck_assert_int_eq(t->quotas[0].quota.before, 24);
	ck_assert_int_eq(t->quotas[0].quota.after, 24);
	ck_assert_str_eq(t->quotas[1].type, "inst");
	ck_assert_int_eq(t->quotas[1].quota.before, 35);
	ck_assert_int_eq(t->quotas[1].quota.after, 32);
	ck_assert_int_eq(t->staff.before, 23 + 28 + 7);
	/* the county counts its whole subtree: 渔亭镇's office too */
	ck_assert_uint_eq(townorg_diff_totals_count(d, TOWNORG_UNIT_COUNTY), 1);
	ck_assert_uint_eq(townorg_diff_totals_count(d, TOWNORG_UNIT_TOWNSHIP), 1);
	t = townorg_diff_totals_at(d, TOWNORG_UNIT_COUNTY, 0);
	ck_assert_str_eq(t->id, "341023");
	ck_assert_int_eq(t->organs.before, 13);
	ck_assert_int_eq(t->organs.after, 7);
	ck_assert_uint_eq(t->kind_before[TOWNORG_KIND_TOWN], 2);
	const townorg_diff_totals *all = townorg_diff_totals_all(d);
	ck_assert_ptr_null(all->id);
	ck_assert_int_eq(all->organs.before, 13);
	ck_assert_int_eq(all->quota.after, 24 + 25 + 7 + 7);
	townorg_diff_free(d);
	/* backward: the same deltas the other way, the event undone */
	OK(townorg_diff_versions(&d, v1, v0, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), 7);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED), 1);
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_BACKWARD);
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	townorg_diff_free(d);
	/* same version: nothing */
	OK(townorg_diff_versions(&d, v1, v1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 0);
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_SAME);
	ck_assert_uint_eq(townorg_diff_num_events(d), 0);
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.before, 0);
	ck_assert(!townorg_diff_totals_all(d)->organs.available);
	townorg_diff_free(d);
	/* from the empty state: everything added */
	OK(townorg_diff_versions(&d, NULL, v0, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), townorg_version_entity_count(v0));
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_FORWARD);
	townorg_diff_free(d);
}
END_TEST

static int count_cb(const townorg_diff_delta *dl, void *payload)
{
	size_t *n = payload;
	(*n)++;
	return dl->status == TOWNORG_DELTA_REMOVED ? 42 : 0;
}

START_TEST(foreach_stops)
{
	const townorg_version *v0 = commit_base(repo), *v1 = commit_reform(repo);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	size_t n = 0;
	/* ids in order: -001-11 (removed) comes first */
	ck_assert_int_eq(townorg_diff_foreach(d, count_cb, &n), 42);
	ck_assert_uint_eq(n, 1);
	townorg_diff_free(d);
}
END_TEST

START_TEST(filters)
{
	const townorg_version *v0 = commit_base(repo), *v1 = commit_reform(repo);
	townorg_diff *d;
	townorg_diff_options o = TOWNORG_DIFF_OPTIONS_INIT;
	/* kinds: only centres */
	o.kinds = TOWNORG_KIND_BIT(TOWNORG_KIND_CENTER);
	OK(townorg_diff_versions(&d, v0, v1, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 1);
	ck_assert_str_eq(townorg_diff_delta_at(d, 0)->id, "341023-001-30");
	ck_assert_uint_eq(townorg_diff_num_events(d), 1); /* names the centre */
	townorg_diff_free(d);
	/* kinds: offices: nothing changed, no event */
	o.kinds = TOWNORG_KIND_BIT(TOWNORG_KIND_OFFICE);
	OK(townorg_diff_versions(&d, v0, v1, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 0);
	ck_assert_uint_eq(townorg_diff_num_events(d), 0);
	townorg_diff_free(d);
	/* fields: only the supervisor (added/removed deltas stay) */
	o.kinds = 0;
	const char *fields[] = { "supervisor" };
	o.fields = fields;
	o.field_count = 1;
	OK(townorg_diff_versions(&d, v0, v1, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_CHANGED), 2);
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 10);
	const townorg_diff_delta *dl = townorg_diff_delta_by_id(d, "341023-001-22");
	ck_assert_uint_eq(dl->field_count, 1);
	ck_assert_str_eq(dl->fields[0].name, "supervisor");
	townorg_diff_free(d);
	const char *fields2[] = { "population" };
	o.fields = fields2;
	OK(townorg_diff_versions(&d, v0, v1, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_CHANGED), 0);
	townorg_diff_free(d);
	/* bad options */
	const char *bad[] = { "名字" };
	o.fields = bad;
	ck_assert_int_eq(townorg_diff_versions(&d, v0, v1, &o), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "名字"));
	o.fields = NULL;
	o.field_count = 0;
	o.version = 99;
	ck_assert_int_eq(townorg_diff_versions(&d, v0, v1, &o), TOWNORG_EINVALID);
	o.version = TOWNORG_DIFF_OPTIONS_VERSION;
	o.kinds = 1; /* TOWNORG_KIND_INVALID */
	ck_assert_int_eq(townorg_diff_versions(&d, v0, v1, &o), TOWNORG_EINVALID);
	o.kinds = 0;
	/* subtree: 渔亭镇 is untouched by the reform */
	o.under = "341023-002";
	OK(townorg_diff_versions(&d, v0, v1, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 0);
	ck_assert_uint_eq(townorg_diff_num_events(d), 0);
	/* totals of the whole are those of the subtree */
	ck_assert_str_eq(townorg_diff_totals_all(d)->id, "341023-002");
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.before, 1);
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.after, 1);
	townorg_diff_free(d);
	o.under = "341023-001";
	OK(townorg_diff_versions(&d, v0, v1, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 10);
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.before, 12);
	townorg_diff_free(d);
	/* an organ moved out of the subtree is still listed (it was below) */
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办公室二", "341023-002", 10, -1, 10));
	const townorg_version *v2 = commit(t);
	o.under = "341023-001";
	OK(townorg_diff_versions(&d, v1, v2, &o));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 1);
	dl = townorg_diff_delta_at(d, 0);
	ck_assert_str_eq(dl->fields[0].name, "parent_id");
	ck_assert_str_eq(dl->fields[0].old_value, "341023-001");
	ck_assert_str_eq(dl->fields[0].new_value, "341023-002");
	ck_assert_str_eq(dl->fields[1].name, "name");
	townorg_diff_free(d);
	/* both townships are touched by the move */
	OK(townorg_diff_versions(&d, v1, v2, NULL));
	ck_assert_uint_eq(townorg_diff_totals_count(d, TOWNORG_UNIT_TOWNSHIP), 2);
	ck_assert_int_eq(townorg_diff_totals_by_id(d, "341023-002")->organs.after, 2);
	ck_assert_int_eq(townorg_diff_totals_by_id(d, "341023-001")->organs.after, 5);
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.before, 7);
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.after, 7);
	townorg_diff_free(d);
	/* skipping */
	o.under = NULL;
	o.flags = TOWNORG_DIFF_SKIP_EVENTS | TOWNORG_DIFF_SKIP_TOTALS;
	OK(townorg_diff_versions(&d, v0, v2, &o));
	ck_assert_uint_eq(townorg_diff_num_events(d), 0);
	ck_assert_ptr_null(townorg_diff_totals_all(d));
	ck_assert_uint_eq(townorg_diff_totals_count(d, TOWNORG_UNIT_COUNTY), 0);
	townorg_diff_free(d);
}
END_TEST

START_TEST(field_values)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	OK(townorg_txn_new(&t, repo, NULL));
	put(t, mk("c", TOWNORG_KIND_COUNTY, "县", NULL));
	OK(townorg_entity_builder_new(&b, "t1", TOWNORG_KIND_TOWNSHIP, "宏潭乡", "c"));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_SMALL));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 1467));
	OK(townorg_entity_builder_set_quota(b, "police", 3));
	OK(townorg_entity_builder_list_add(b, "functions", "农业"));
	OK(townorg_txn_put_builder(t, b));
	const townorg_version *v0 = commit(t);
	OK(townorg_txn_new(&t, repo, v0));
	OK(townorg_entity_builder_set_kind(b, TOWNORG_KIND_TOWN));
	OK(townorg_entity_builder_set_name(b, "宏潭镇"));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 1500));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_REVENUE_PER_CAPITA, 800));
	OK(townorg_entity_builder_set_quota(b, "police", 2));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_MEDIUM));
	OK(townorg_entity_builder_list_add(b, "functions", "林业"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	const townorg_version *v1 = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	const townorg_diff_delta *dl = townorg_diff_delta_by_id(d, "t1");
	ck_assert_uint_eq(dl->field_count, 7);
	const char *names[] = { "name", "kind", "class", "area_km2", "revenue_per_capita", "police_quota", "functions" };
	for (size_t i = 0; i < 7; i++)
		ck_assert_str_eq(dl->fields[i].name, names[i]);
	ck_assert_str_eq(dl->fields[1].old_value, "township");
	ck_assert_str_eq(dl->fields[1].new_value, "town");
	ck_assert_str_eq(dl->fields[3].old_value, "146.7");
	ck_assert_str_eq(dl->fields[3].new_value, "150.0");
	ck_assert_int_eq(dl->fields[3].type, TOWNORG_VALUE_AREA);
	ck_assert_ptr_null(dl->fields[4].old_value);
	ck_assert_str_eq(dl->fields[4].new_value, "800");
	ck_assert_str_eq(dl->fields[5].old_value, "3");
	ck_assert_int_eq(dl->fields[6].type, TOWNORG_VALUE_LIST);
	ck_assert_str_eq(dl->fields[6].old_value, "农业");
	ck_assert_str_eq(dl->fields[6].new_value, "农业; 林业");
	/* JSON: typed values */
	char *js;
	OK(townorg_diff_to_json(&js, d, 0));
	json_error_t err;
	json_t *root = json_loads(js, 0, &err);
	ck_assert_msg(root != NULL, "bad JSON: %s", err.text);
	json_t *f = json_object_get(json_array_get(json_object_get(root, "changed"), 0), "fields");
	ck_assert_double_eq_tol(json_real_value(json_array_get(json_object_get(f, "area_km2"), 0)), 146.7, 1e-9);
	ck_assert_ptr_nonnull(strstr(js, "\"area_km2\":[146.7,150.0]"));
	ck_assert(json_is_null(json_array_get(json_object_get(f, "revenue_per_capita"), 0)));
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(f, "revenue_per_capita"), 1)), 800);
	ck_assert_uint_eq(json_array_size(json_array_get(json_object_get(f, "functions"), 1)), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "kind"), 1)), "town");
	json_decref(root);
	townorg_free(js);
	townorg_diff_free(d);
}
END_TEST

/* 篇4: four townships' organ counts before and after, with the reported
 * reduction rates 76%, 75%, 59% (58.8), 70%. */
START_TEST(reduction_rates_pian4)
{
	static const struct {
		const char *id, *name;
		int before, after;
		const char *rate;
	} tw[] = {
		{ "t1", "甲镇", 17, 4, "76.5" },
		{ "t2", "乙乡", 12, 3, "75.0" },
		{ "t3", "碧阳镇", 17, 7, "58.8" },
		{ "t4", "丁镇", 10, 3, "70.0" },
	};
	townorg_txn *t;
	char id[32];
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("c1", TOWNORG_KIND_COUNTY, "某县", NULL));
	put(t, mk("c2", TOWNORG_KIND_COUNTY, "空县", NULL));
	for (int i = 0; i < 4; i++) {
		put(t, mk(tw[i].id, TOWNORG_KIND_TOWN, tw[i].name, "c1"));
		for (int k = 0; k < tw[i].before; k++) {
			snprintf(id, sizeof id, "%s-%02d", tw[i].id, k);
			put(t, mk_organ(id, TOWNORG_KIND_STATION, "站", tw[i].id, -1, 2, 2));
		}
	}
	meta(t, "2002-01-01", NULL);
	const townorg_version *v0 = commit(t);
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	for (int i = 0; i < 4; i++)
		for (int k = tw[i].after; k < tw[i].before; k++) {
			snprintf(id, sizeof id, "%s-%02d", tw[i].id, k);
			OK(townorg_txn_remove(t, id));
		}
	put(t, mk("c2-1", TOWNORG_KIND_TOWN, "新镇", "c2"));
	put(t, mk_organ("c2-1-01", TOWNORG_KIND_OFFICE, "新镇办公室", "c2-1", 3, -1, 3));
	meta(t, "2005-01-01", NULL);
	const townorg_version *v1 = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	char buf[32];
	for (int i = 0; i < 4; i++) {
		const townorg_diff_totals *u = townorg_diff_totals_by_id(d, tw[i].id);
		ck_assert_ptr_nonnull(u);
		ck_assert_int_eq(u->organs.before, tw[i].before);
		ck_assert_int_eq(u->organs.after, tw[i].after);
		ck_assert_int_eq(u->organs.numerator, tw[i].before - tw[i].after);
		ck_assert_int_eq(u->organs.denominator, tw[i].before);
		OK(townorg_reduction_format(buf, sizeof buf, &u->organs));
		ck_assert_str_eq(buf, tw[i].rate);
		ck_assert_int_eq(u->quota.before, 2 * tw[i].before);
	}
	ck_assert_double_eq_tol(townorg_diff_totals_by_id(d, "t3")->organs.value, 10.0 / 17.0, 1e-12);
	/* a unit with nothing before has no rate */
	const townorg_diff_totals *nu = townorg_diff_totals_by_id(d, "c2-1");
	ck_assert(!nu->organs.available);
	OK(townorg_reduction_format(buf, sizeof buf, &nu->organs));
	ck_assert_str_eq(buf, "n/a");
	ck_assert(!townorg_diff_totals_by_id(d, "c2")->organs.available);
	/* the whole: 56 → 17 + 1 */
	const townorg_diff_totals *all = townorg_diff_totals_all(d);
	ck_assert_int_eq(all->organs.before, 56);
	ck_assert_int_eq(all->organs.after, 18);
	townorg_reduction r = { 0 };
	r.before = 10, r.after = 11, r.numerator = -1, r.denominator = 10, r.available = 1;
	OK(townorg_reduction_format(buf, sizeof buf, &r));
	ck_assert_str_eq(buf, "-10.0");
	ck_assert_int_eq(townorg_reduction_format(buf, 3, &r), TOWNORG_EINVALID);
	/* text */
	char *txt;
	OK(townorg_diff_to_text(&txt, d, TOWNORG_LANG_ZH));
	ck_assert_msg(strstr(txt, "新增 2，撤销 39，变更 0"), "%s", txt);
	ck_assert_msg(strstr(txt, "碧阳镇: 机构 17 → 7, 精简 58.8%"), "%s", txt);
	ck_assert_msg(strstr(txt, "新镇: 机构 0 → 1, 精简 不适用"), "%s", txt);
	townorg_free(txt);
	OK(townorg_diff_to_text(&txt, d, TOWNORG_LANG_EN));
	ck_assert_msg(strstr(txt, "added 2, removed 39, changed 0"), "%s", txt);
	ck_assert_msg(strstr(txt, "碧阳镇: organs 17 → 7, reduction 58.8%"), "%s", txt);
	ck_assert_msg(strstr(txt, "all: organs 56 → 18"), "%s", txt);
	townorg_free(txt);
	/* JSON totals */
	char *js;
	OK(townorg_diff_to_json(&js, d, TOWNORG_JSON_PRETTY));
	json_t *root = json_loads(js, 0, NULL);
	ck_assert_ptr_nonnull(root);
	json_t *tws = json_object_get(json_object_get(root, "totals"), "townships");
	ck_assert_uint_eq(json_array_size(tws), 5);
	json_t *t3 = json_array_get(tws, 3); /* c2-1, t1, t2, t3, t4 */
	ck_assert_str_eq(json_string_value(json_object_get(t3, "id")), "t3");
	json_t *org = json_object_get(t3, "organs");
	ck_assert_int_eq(json_integer_value(json_object_get(org, "numerator")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(org, "denominator")), 17);
	ck_assert_double_eq_tol(json_real_value(json_object_get(org, "rate")), 10.0 / 17.0, 1e-9);
	json_t *c21 = json_array_get(tws, 0);
	ck_assert(json_is_null(json_object_get(json_object_get(c21, "organs"), "rate")));
	json_t *kinds = json_object_get(t3, "kinds");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(kinds, "station"), 0)), 17);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(kinds, "station"), 1)), 7);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "removed")), 39);
	json_t *a0 = json_array_get(json_object_get(root, "added"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(a0, "id")), "c2-1");
	ck_assert_str_eq(json_string_value(json_object_get(a0, "parent_id")), "c2");
	ck_assert(json_is_null(json_object_get(a0, "population")));
	json_decref(root);
	townorg_free(js);
	townorg_diff_free(d);
}
END_TEST

START_TEST(events_between_and_branches)
{
	const townorg_version *v0 = commit_base(repo);
	OK(townorg_repo_branch_create(repo, "plan", v0));
	const townorg_version *v1 = commit_reform(repo);
	/* a plan branch with its own event */
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	OK(townorg_txn_remove(t, "341023-002-01"));
	const char *from[] = { "341023-002-01" };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_ABOLISH;
	ev.from_ids = from;
	ev.from_count = 1;
	OK(townorg_txn_add_event(t, &ev));
	const townorg_version *p1 = commit(t);
	townorg_diff *d;
	/* not ancestors of each other: no events, all changes listed */
	OK(townorg_diff_versions(&d, v1, p1, NULL));
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_UNRELATED);
	ck_assert_uint_eq(townorg_diff_num_events(d), 0);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), 7);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED), 2);
	townorg_diff_free(d);
	/* merge the plan into main: events of both lines since v0 */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_add_parent(t, p1));
	OK(townorg_txn_remove(t, "341023-002-01"));
	const townorg_version *m = commit(t);
	OK(townorg_diff_versions(&d, v0, m, NULL));
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_FORWARD);
	ck_assert_uint_eq(townorg_diff_num_events(d), 2);
	ck_assert_int_eq(townorg_diff_event_at(d, 0)->event->kind, TOWNORG_EVENT_MERGE);
	ck_assert_int_eq(townorg_diff_event_at(d, 1)->event->kind, TOWNORG_EVENT_ABOLISH);
	townorg_diff_free(d);
	/* from the plan to the merge: only main's reform is new */
	OK(townorg_diff_versions(&d, p1, m, NULL));
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	ck_assert_int_eq(townorg_diff_event_at(d, 0)->event->kind, TOWNORG_EVENT_MERGE);
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 10);
	townorg_diff_free(d);
	/* a preview on top of m */
	OK(townorg_txn_new(&t, repo, m));
	put(t, mk_organ("341023-002-09", TOWNORG_KIND_OFFICE, "渔亭镇综合办", "341023-002", 5, -1, 0));
	ev.kind = TOWNORG_EVENT_CREATE;
	ev.from_ids = NULL;
	ev.from_count = 0;
	const char *to[] = { "341023-002-09" };
	ev.to_ids = to;
	ev.to_count = 1;
	OK(townorg_txn_add_event(t, &ev));
	townorg_version *pv;
	OK(townorg_txn_preview(&pv, t));
	OK(townorg_diff_versions(&d, m, pv, NULL));
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_FORWARD);
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 1);
	townorg_diff_free(d);
	townorg_version_free(pv);
	townorg_txn_free(t);
}
END_TEST

/* Build the same two states in another repository: nothing shared. */
START_TEST(separate_repositories)
{
	const townorg_version *a0 = commit_base(repo), *a1 = commit_reform(repo);
	townorg_repo *r2;
	OK(townorg_repo_new(&r2));
	townorg_txn *t;
	OK(townorg_txn_new(&t, r2, NULL));
	put_base(t);
	put_reform(t);
	const townorg_version *b1 = commit(t);
	ck_assert_str_eq(townorg_version_state_hash(a1), townorg_version_state_hash(b1));
	townorg_diff *d1, *d2;
	OK(townorg_diff_versions(&d1, a0, a1, NULL));
	OK(townorg_diff_versions(&d2, a0, b1, NULL));
	ck_assert_int_eq(townorg_diff_get_relation(d2), TOWNORG_DIFF_UNRELATED);
	ck_assert_uint_eq(townorg_diff_num_deltas(d1), townorg_diff_num_deltas(d2));
	for (size_t i = 0; i < townorg_diff_num_deltas(d1); i++) {
		const townorg_diff_delta *x = townorg_diff_delta_at(d1, i), *y = townorg_diff_delta_at(d2, i);
		ck_assert_str_eq(x->id, y->id);
		ck_assert_int_eq(x->status, y->status);
		ck_assert_uint_eq(x->field_count, y->field_count);
		for (size_t k = 0; k < x->field_count; k++)
			ck_assert_str_eq(x->fields[k].name, y->fields[k].name);
	}
	ck_assert_int_eq(townorg_diff_totals_all(d1)->organs.after, townorg_diff_totals_all(d2)->organs.after);
	townorg_diff_free(d1);
	townorg_diff_free(d2);
	/* equal states in two repositories: no deltas */
	OK(townorg_diff_versions(&d1, a1, b1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d1), 0);
	townorg_diff_free(d1);
	townorg_repo_free(r2);
}
END_TEST

/* 100 counties × 20 townships × 49 organs = 100,100 entities. */
static void put_big(townorg_txn *t, int changed_staff)
{
	char c[16], tw[24], o[32];
	for (int i = 0; i < 100; i++) {
		snprintf(c, sizeof c, "%06d", 110000 + i);
		put(t, mk(c, TOWNORG_KIND_COUNTY, "县", NULL));
		for (int j = 0; j < 20; j++) {
			snprintf(tw, sizeof tw, "%s-%03d", c, j);
			put(t, mk(tw, TOWNORG_KIND_TOWN, "镇", c));
			for (int k = 0; k < 49; k++) {
				snprintf(o, sizeof o, "%s-%02d", tw, k);
				long staff = (i == 50 && j == 7 && k == 3) ? changed_staff : 5;
				put(t, mk_organ(o, TOWNORG_KIND_STATION, "站", tw, -1, 6, staff));
			}
		}
	}
}

START_TEST(cost_is_k_log_n)
{
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, NULL));
	put_big(t, 5);
	const townorg_version *v0 = commit(t);
	ck_assert_uint_eq(townorg_version_entity_count(v0), 100100);
	/* one change in the same repository (shared structure) */
	OK(townorg_txn_new(&t, repo, v0));
	put(t, mk_organ("110050-007-03", TOWNORG_KIND_STATION, "站", "110050-007", -1, 6, 4));
	const townorg_version *v1 = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 1);
	uint64_t shared = townorg__diff_leaf_visits(d);
	ck_assert_int_eq(townorg_diff_totals_all(d)->staff.before - townorg_diff_totals_all(d)->staff.after, 1);
	ck_assert_int_eq(townorg_diff_totals_all(d)->organs.before, 20 * 49); /* one county only */
	townorg_diff_free(d);
	/* the same change built from scratch elsewhere: no pointer in common,
	 * equal subtrees recognised by hash */
	townorg_repo *r2;
	OK(townorg_repo_new(&r2));
	OK(townorg_txn_new(&t, r2, NULL));
	put_big(t, 4);
	const townorg_version *w1 = commit(t);
	ck_assert_str_eq(townorg_version_state_hash(v1), townorg_version_state_hash(w1));
	OK(townorg_diff_versions(&d, v0, w1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 1);
	ck_assert_str_eq(townorg_diff_delta_at(d, 0)->id, "110050-007-03");
	uint64_t separate = townorg__diff_leaf_visits(d);
	townorg_diff_free(d);
	/* a trie of 100,100 leaves is 4 levels of 32 slots: a path costs at most
	 * 4 × 32 slots × 4 accessor calls; a scan would be > 200,000 */
	fprintf(stderr, "# leaf visits for 1 change in 100,100: shared %llu, separate %llu\n",
		(unsigned long long)shared, (unsigned long long)separate);
	ck_assert_uint_le(shared, 512);
	ck_assert_uint_le(separate, 512);
	ck_assert_uint_ge(separate, 1);
	/* equal states: nothing visited */
	OK(townorg_diff_versions(&d, v1, w1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 0);
	ck_assert_uint_eq(townorg__diff_leaf_visits(d), 0);
	townorg_diff_free(d);
	townorg_repo_free(r2);
}
END_TEST

START_TEST(json_shape)
{
	const townorg_version *v0 = commit_base(repo), *v1 = commit_reform(repo);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	char *js;
	OK(townorg_diff_to_json(&js, d, 0));
	json_error_t err;
	json_t *root = json_loads(js, 0, &err);
	ck_assert_msg(root != NULL, "bad JSON: %s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(root, "from")), townorg_version_id(v0));
	ck_assert_str_eq(json_string_value(json_object_get(root, "to")), townorg_version_id(v1));
	ck_assert_str_eq(json_string_value(json_object_get(root, "relation")), "forward");
	json_t *added = json_object_get(root, "added"), *removed = json_object_get(root, "removed"),
	       *changed = json_object_get(root, "changed"), *events = json_object_get(root, "events");
	ck_assert_uint_eq(json_array_size(added), 1);
	ck_assert_uint_eq(json_array_size(removed), 7);
	ck_assert_uint_eq(json_array_size(changed), 2);
	ck_assert_uint_eq(json_array_size(events), 1);
	json_t *a = json_array_get(added, 0);
	ck_assert_str_eq(json_string_value(json_object_get(a, "id")), "341023-001-30");
	ck_assert_str_eq(json_string_value(json_object_get(a, "kind")), "center");
	ck_assert_str_eq(json_string_value(json_object_get(a, "name")), "碧阳镇为民服务中心");
	ck_assert_str_eq(json_string_value(json_object_get(a, "parent_id")), "341023-001");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "inst_quota")), 25);
	ck_assert(json_is_null(json_object_get(a, "admin_quota")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "nameplates"), 0)), "计生所");
	json_t *c = json_array_get(changed, 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "id")), "341023-001-21");
	ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "station");
	json_t *reg = json_object_get(json_object_get(c, "fields"), "regime");
	ck_assert(json_is_null(json_array_get(reg, 0)));
	ck_assert_str_eq(json_string_value(json_array_get(reg, 1)), "department_led");
	json_t *e = json_array_get(events, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "kind")), "merge");
	ck_assert_str_eq(json_string_value(json_object_get(e, "event_id")), "reform-2008");
	ck_assert_uint_eq(json_array_size(json_object_get(e, "from")), 7);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "documents"), 0)), "黟编〔2008〕5号");
	json_t *tot = json_object_get(root, "totals");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(tot, "all"), "organs"), "before")),
			 13);
	ck_assert_uint_eq(json_array_size(json_object_get(tot, "counties")), 1);
	json_decref(root);
	townorg_free(js);
	/* English and Chinese text */
	char *txt;
	OK(townorg_diff_to_text(&txt, d, TOWNORG_LANG_EN));
	ck_assert_msg(strstr(txt, "added 1, removed 7, changed 2"), "%s", txt);
	ck_assert_msg(strstr(txt, "merge 341023-001-11"), "%s", txt);
	ck_assert_msg(strstr(txt, "regime (unset) → department_led"), "%s", txt);
	townorg_free(txt);
	OK(townorg_diff_to_text(&txt, d, TOWNORG_LANG_ZH));
	ck_assert_msg(strstr(txt, "新增 1，撤销 7，变更 2"), "%s", txt);
	ck_assert_msg(strstr(txt, "碧阳镇: 机构 12 → 6, 精简 50.0%"), "%s", txt);
	ck_assert_msg(strstr(txt, "（黟编〔2008〕5号）"), "%s", txt);
	townorg_free(txt);
	townorg_diff_free(d);
}
END_TEST

/* Out of memory at every allocation: an error, never a crash or a leak. */
START_TEST(out_of_memory)
{
	const townorg_version *v0 = commit_base(repo), *v1 = commit_reform(repo);
	int failures = 0;
	for (long n = 1; n < 400; n++) {
		townorg_diff *d = NULL;
		char *s = NULL;
		townorg__fault_set(n);
		int rc = townorg_diff_versions(&d, v0, v1, NULL);
		if (rc == 0)
			rc = townorg_diff_to_text(&s, d, TOWNORG_LANG_ZH);
		townorg__fault_set(0);
		if (rc < 0) {
			ck_assert_int_eq(rc, TOWNORG_ENOMEM);
			failures++;
		}
		townorg_free(s);
		townorg_diff_free(d);
	}
	ck_assert_int_gt(failures, 5);
}
END_TEST

/* Versions loaded lazily from a repository file diff like in-memory ones,
 * against each other and against an in-memory repository. */
START_TEST(loaded_from_file)
{
	char dir[] = "/tmp/townorg-diff-XXXXXX", path[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/repo.townorg", dir);
	townorg_repo *fr;
	OK(townorg_repo_open(&fr, path, TOWNORG_OPEN_CREATE));
	commit_base(fr);
	commit_reform(fr);
	townorg_repo_free(fr);
	OK(townorg_repo_open(&fr, path, TOWNORG_OPEN_READONLY));
	const townorg_version *f0, *f1;
	OK(townorg_repo_lookup(&f1, fr, "main"));
	OK(townorg_repo_lookup(&f0, fr, "main~1"));
	townorg_diff *d;
	OK(townorg_diff_versions(&d, f0, f1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 10);
	ck_assert_int_eq(townorg_diff_get_relation(d), TOWNORG_DIFF_FORWARD);
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	ck_assert_int_eq(townorg_diff_totals_by_id(d, "341023-001")->organs.after, 6);
	townorg_diff_free(d);
	/* against the same states built in memory */
	const townorg_version *m0 = commit_base(repo);
	OK(townorg_diff_versions(&d, m0, f1, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 10);
	ck_assert_str_eq(townorg_diff_delta_at(d, 0)->id, "341023-001-11");
	townorg_diff_free(d);
	townorg_repo_free(fr);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ../shared/bench/sample: the workload's expected diffs (counts and the
 * SHA-256 over the sorted "A\tid", "R\tid", "C\tid\tfield" lines), with
 * the versions built here from base.csv and changes.csv (12 columns). */
static int split(char *line, char **f, int max)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = 0;
	for (char *p = line; n < max;) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = 0;
	}
	return n;
}

static void put_row(townorg_txn *t, char **c)
{
	townorg_entity_builder *b;
	townorg_kind k;
	townorg_class cls;
	OK(townorg_kind_parse(&k, c[2]));
	OK(townorg_entity_builder_new(&b, c[0], k, c[3], *c[1] ? c[1] : NULL));
	OK(townorg_class_parse(&cls, c[4]));
	OK(townorg_entity_builder_set_class(b, cls));
	static const townorg_field cols[7] = { TOWNORG_FIELD_POPULATION, TOWNORG_FIELD_AREA,
					       TOWNORG_FIELD_REVENUE_PER_CAPITA, TOWNORG_FIELD_ADMIN_QUOTA,
					       TOWNORG_FIELD_INST_QUOTA, TOWNORG_FIELD_LEADER_POSTS,
					       TOWNORG_FIELD_ACTUAL_STAFF };
	for (int i = 0; i < 7; i++) {
		int64_t v;
		if (!*c[5 + i])
			continue;
		if (cols[i] == TOWNORG_FIELD_AREA)
			OK(townorg_area_parse(&v, c[5 + i]));
		else
			v = strtoll(c[5 + i], NULL, 10);
		OK(townorg_entity_builder_set_int(b, cols[i], v));
	}
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
}

static int line_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

START_TEST(bench_sample_expected_diffs)
{
	char dir[1024], path[1100], line[4096], *c[16];
	snprintf(dir, sizeof dir, "%s/tests/data/bench-sample", TEST_SRCDIR);
	snprintf(path, sizeof path, "%s/base.csv", dir);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "the committed bench sample is missing: %s", path);
	const townorg_version *vs[64];
	size_t nv = 0;
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	while (fgets(line, sizeof line, f)) {
		ck_assert_int_eq(split(line, c, 16), 12);
		put_row(t, c);
	}
	fclose(f);
	vs[nv++] = commit(t);
	snprintf(path, sizeof path, "%s/changes.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	long cur = -1;
	t = NULL;
	while (fgets(line, sizeof line, f)) {
		ck_assert_int_eq(split(line, c, 16), 14);
		long ver = strtol(c[0], NULL, 10);
		if (ver != cur) {
			if (t)
				vs[nv++] = commit(t);
			ck_assert_int_eq(ver, (long)nv);
			OK(townorg_txn_new_on_branch(&t, repo, "main"));
			cur = ver;
		}
		if (!strcmp(c[1], "delete"))
			OK(townorg_txn_remove(t, c[2]));
		else
			put_row(t, c + 2);
	}
	if (t)
		vs[nv++] = commit(t);
	fclose(f);
	snprintf(path, sizeof path, "%s/expected_diffs.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	int checked = 0;
	while (fgets(line, sizeof line, f)) {
		ck_assert_int_eq(split(line, c, 16), 7);
		size_t a = strtoul(c[0], NULL, 10), b = strtoul(c[1], NULL, 10);
		ck_assert_uint_lt(b, nv);
		townorg_diff *d;
		OK(townorg_diff_versions(&d, vs[a], vs[b], NULL));
		ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), strtoul(c[2], NULL, 10));
		ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED), strtoul(c[3], NULL, 10));
		ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_CHANGED), strtoul(c[4], NULL, 10));
		size_t nl = 0, cap = 16;
		char **lines = malloc(cap * sizeof *lines);
		for (size_t i = 0; i < townorg_diff_num_deltas(d); i++) {
			const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
			size_t nf = dl->status == TOWNORG_DELTA_CHANGED ? dl->field_count : 1;
			for (size_t k = 0; k < nf; k++) {
				char buf[512];
				if (dl->status == TOWNORG_DELTA_CHANGED)
					snprintf(buf, sizeof buf, "C\t%s\t%s\n", dl->id, dl->fields[k].name);
				else
					snprintf(buf, sizeof buf, "%c\t%s\n", dl->status == TOWNORG_DELTA_ADDED ? 'A' : 'R', dl->id);
				if (nl == cap)
					lines = realloc(lines, (cap *= 2) * sizeof *lines);
				lines[nl++] = strdup(buf);
			}
		}
		qsort(lines, nl, sizeof *lines, line_cmp);
		townorg__sha sh;
		unsigned char dg[32];
		char hex[65];
		size_t changed_fields = 0;
		townorg__sha_init(&sh);
		for (size_t i = 0; i < nl; i++) {
			changed_fields += lines[i][0] == 'C';
			townorg__sha_update(&sh, lines[i], strlen(lines[i]));
			free(lines[i]);
		}
		free(lines);
		townorg__sha_final(&sh, dg);
		townorg__hex(hex, dg, 32);
		ck_assert_uint_eq(changed_fields, strtoul(c[5], NULL, 10));
		ck_assert_str_eq(hex, c[6]);
		townorg_diff_free(d);
		checked++;
	}
	fclose(f);
	ck_assert_int_ge(checked, 2);
}
END_TEST

/* Deltas come out in strcmp order of their ids whatever the ids look like:
 * the diff sorts them by a 16-byte key and falls back to strcmp for longer
 * ids that tie on it.  Ids: short and long, prefixes of each other, long
 * ones sharing 16+ bytes, bytes above 0x7f (UTF-8), a few thousand in all
 * so the trie's hash order is well shuffled. */
START_TEST(delta_order_is_strcmp)
{
	static const char *const fixed[] = { "1", "10", "100", "9", "a", "ab", "abcdefgh", "abcdefghi",
					     "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopA",
					     "abcdefghijklmnop-1", "abcdefghijklmnop-10", "abcdefghijklmnop-9",
					     "碧阳镇", "碧阳镇-1", "渔亭镇", "Z", "_", "~" };
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	meta(t, "2024-01-01", NULL);
	size_t nfixed = sizeof fixed / sizeof fixed[0], n = 0;
	for (size_t i = 0; i < nfixed; i++, n++)
		put(t, mk(fixed[i], TOWNORG_KIND_COUNTY, "县", NULL));
	char id[64];
	for (int i = 0; i < 3000; i++, n++) {
		switch (i % 4) {
		case 0: snprintf(id, sizeof id, "%d", i * 7919 % 100003); break;
		case 1: snprintf(id, sizeof id, "long-shared-prefix-%d", i); break;
		case 2: snprintf(id, sizeof id, "碧阳镇党政办公室%d", i); break;
		default: snprintf(id, sizeof id, "1234567890123456%c%d", 'a' + i % 26, i); break;
		}
		put(t, mk(id, TOWNORG_KIND_COUNTY, "县", NULL));
	}
	const townorg_version *v = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, NULL, v, NULL));
	ck_assert_uint_eq(townorg_diff_num_deltas(d), n);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(strcmp(townorg_diff_delta_at(d, i - 1)->id, townorg_diff_delta_at(d, i)->id) < 0,
			      "delta %zu '%s' not before '%s'", i - 1, townorg_diff_delta_at(d, i - 1)->id,
			      townorg_diff_delta_at(d, i)->id);
	for (size_t i = 0; i < nfixed; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_by_id(d, fixed[i]);
		ck_assert_ptr_nonnull(dl);
		ck_assert_str_eq(dl->id, fixed[i]);
	}
	townorg_diff_free(d);
}
END_TEST

/* A wide diff is collected by two threads (each half of the trie's root)
 * and must equal the one-thread diff delta for delta, field for field, and
 * inspect the same leaves; allocation failures in either thread fail the
 * whole diff cleanly. */
static const townorg_version *wide_pair(const townorg_version **from)
{
	townorg_txn *t;
	char id[32], name[64];
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	meta(t, "2024-01-01", NULL);
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof id, "c%05d", i);
		snprintf(name, sizeof name, "县%d", i);
		put(t, mk(id, TOWNORG_KIND_COUNTY, name, NULL));
	}
	*from = commit(t);
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	meta(t, "2024-06-01", NULL);
	for (int i = 0; i < 20000; i += 3) { /* renames, removals and additions all over the trie */
		snprintf(id, sizeof id, "c%05d", i);
		if (i % 2) {
			OK(townorg_txn_remove(t, id));
		} else {
			snprintf(name, sizeof name, "新县%d", i);
			put(t, mk(id, TOWNORG_KIND_COUNTY, name, NULL));
		}
		snprintf(id, sizeof id, "n%05d", i);
		put(t, mk(id, TOWNORG_KIND_COUNTY, "新设县", NULL));
	}
	return commit(t);
}

START_TEST(two_threads_same_as_one)
{
	const townorg_version *v0, *v1 = wide_pair(&v0);
	townorg_diff *d1, *d2;
	ck_assert_uint_ge(townorg__hamt_diff_width(&v0->entities, &v1->entities, &townorg__entity_trie), 256);
	townorg__diff_set_threads(1);
	OK(townorg_diff_versions(&d1, v0, v1, NULL));
	townorg__diff_set_threads(2);
	OK(townorg_diff_versions(&d2, v0, v1, NULL));
	size_t n = townorg_diff_num_deltas(d1);
	ck_assert_uint_eq(n, 6667 * 2);
	ck_assert_uint_eq(townorg_diff_num_deltas(d2), n);
	for (int st = 1; st <= 3; st++)
		ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d1, st), townorg_diff_num_deltas_of_status(d2, st));
	for (size_t i = 0; i < n; i++) {
		const townorg_diff_delta *a = townorg_diff_delta_at(d1, i), *b = townorg_diff_delta_at(d2, i);
		ck_assert_str_eq(a->id, b->id);
		ck_assert_int_eq(a->status, b->status);
		ck_assert_ptr_eq(a->old_entity, b->old_entity);
		ck_assert_ptr_eq(a->new_entity, b->new_entity);
		ck_assert_uint_eq(a->field_count, b->field_count);
		for (size_t f = 0; f < a->field_count; f++) {
			ck_assert_str_eq(a->fields[f].name, b->fields[f].name);
			ck_assert_str_eq(a->fields[f].old_value, b->fields[f].old_value);
			ck_assert_str_eq(a->fields[f].new_value, b->fields[f].new_value);
		}
		if (i)
			ck_assert_int_lt(strcmp(townorg_diff_delta_at(d2, i - 1)->id, b->id), 0);
	}
	ck_assert_uint_eq(townorg__diff_leaf_visits(d1), townorg__diff_leaf_visits(d2));
	/* the totals and events parts see the same deltas */
	char *s1, *s2;
	OK(townorg_diff_to_text(&s1, d1, TOWNORG_LANG_EN));
	OK(townorg_diff_to_text(&s2, d2, TOWNORG_LANG_EN));
	ck_assert_str_eq(s1, s2);
	townorg_free(s1);
	townorg_free(s2);
	townorg_diff_free(d1);
	townorg_diff_free(d2);
	/* every allocation failure, in whichever thread, is ENOMEM and leaks
	 * nothing, or is absorbed with the same answer (the trie walk's
	 * frontier falls back to walking depth first) */
	int failures = 0, absorbed = 0, ok = 0;
	for (long k = 1; k < 200000 && !ok; k = k < 64 ? k + 1 : k * 5 / 4) {
		townorg_diff *d = NULL;
		townorg__fault_set(k);
		int rc = townorg_diff_versions(&d, v0, v1, NULL);
		long used = townorg__fault_count();
		townorg__fault_set(0);
		if (rc < 0) {
			ck_assert_int_eq(rc, TOWNORG_ENOMEM);
			ck_assert_ptr_null(d);
			failures++;
		} else {
			ck_assert_uint_eq(townorg_diff_num_deltas(d), n);
			if (used >= k)
				absorbed++; /* the k-th allocation failed, and the walk went on */
			else
				ok = 1;
		}
		townorg_diff_free(d);
	}
	ck_assert_int_gt(absorbed, 0);
	ck_assert_int_gt(failures, 20);
	ck_assert_int_eq(ok, 1);
}
END_TEST

/* Aggregates against a walk: random counties, units and organs (some
 * with extra quota types, some units moving between counties, organs
 * moving, coming and going) over two versions; every county and township
 * the diff lists has, on each side, the kind counts, organs, staff and
 * quotas by type that a walk of the public API finds below it. */
struct walksum {
	size_t kinds[TOWNORG_KIND_COUNT + 1];
	long organs, staff, quota, admin, inst, extra;
};

static void walk_sum(const townorg_version *v, const char *id, struct walksum *w, int depth)
{
	const townorg_entity *e;
	if (townorg_version_get(&e, v, id) < 0) {
		townorg_error_clear();
		return;
	}
	townorg_kind k = townorg_entity_kind(e);
	if (depth > 0)
		w->kinds[k]++;
	if (townorg_kind_is_organ(k)) {
		int64_t x;
		w->organs++;
		if (townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &x) == 0)
			w->staff += x;
		w->quota += townorg_entity_quota_total(e);
		if (townorg_entity_quota(e, "admin", &x) == 0)
			w->admin += x;
		if (townorg_entity_quota(e, "inst", &x) == 0)
			w->inst += x;
		if (townorg_entity_quota(e, "special", &x) == 0)
			w->extra += x;
	}
	const townorg_entity *const *kids;
	size_t n;
	OK(townorg_version_children(&kids, &n, v, id));
	for (size_t i = 0; i < n; i++)
		walk_sum(v, townorg_entity_id(kids[i]), w, depth + 1);
}

static long type_quota(const townorg_diff_totals *t, const char *type, bool after)
{
	for (size_t i = 0; i < t->quota_type_count; i++)
		if (!strcmp(t->quotas[i].type, type))
			return (long)(after ? t->quotas[i].quota.after : t->quotas[i].quota.before);
	return 0;
}

static void check_side(const townorg_diff_totals *t, const townorg_version *v, bool after)
{
	struct walksum w = { { 0 }, 0, 0, 0, 0, 0, 0 };
	walk_sum(v, t->id, &w, 0);
	for (int k = 0; k <= TOWNORG_KIND_COUNT; k++)
		ck_assert_uint_eq((after ? t->kind_after : t->kind_before)[k], w.kinds[k]);
	ck_assert_int_eq(after ? t->organs.after : t->organs.before, w.organs);
	ck_assert_int_eq(after ? t->staff.after : t->staff.before, w.staff);
	ck_assert_int_eq(after ? t->quota.after : t->quota.before, w.quota);
	ck_assert_int_eq(type_quota(t, "admin", after), w.admin);
	ck_assert_int_eq(type_quota(t, "inst", after), w.inst);
	ck_assert_int_eq(type_quota(t, "special", after), w.extra);
}

static townorg_entity *rand_organ(const char *id, const char *unit)
{
	townorg_entity_builder *b;
	townorg_entity *e;
	OK(townorg_entity_builder_new(&b, id, rand() % 2 ? TOWNORG_KIND_OFFICE : TOWNORG_KIND_CENTER, "机构", unit));
	if (rand() % 3)
		OK(townorg_entity_builder_set_quota(b, "admin", rand() % 20));
	if (rand() % 3)
		OK(townorg_entity_builder_set_quota(b, "inst", rand() % 20));
	if (rand() % 7 == 0)
		OK(townorg_entity_builder_set_quota(b, "special", rand() % 5));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, rand() % 30));
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);
	return e;
}

START_TEST(totals_match_a_walk)
{
	srand(11);
	enum { NC = 8, NU = 60, NO = 500 };
	char id[32], pid[32];
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, NULL));
	for (int c = 0; c < NC; c++) {
		snprintf(id, sizeof id, "c%d", c);
		put(t, mk(id, TOWNORG_KIND_COUNTY, "县", NULL));
	}
	for (int u = 0; u < NU; u++) {
		snprintf(id, sizeof id, "u%02d", u);
		snprintf(pid, sizeof pid, "c%d", u % NC);
		put(t, mk(id, u % 3 ? TOWNORG_KIND_TOWN : TOWNORG_KIND_TOWNSHIP, "乡镇", pid));
	}
	for (int o = 0; o < NO; o++) {
		snprintf(id, sizeof id, "o%03d", o);
		snprintf(pid, sizeof pid, "u%02d", rand() % NU);
		put(t, rand_organ(id, pid));
	}
	meta(t, "2020-01-01", NULL);
	const townorg_version *v0 = commit(t);
	OK(townorg_txn_new(&t, repo, v0));
	for (int k = 0; k < 120; k++) {
		int o = rand() % NO, act = rand() % 5;
		snprintf(id, sizeof id, "o%03d", o);
		const townorg_entity *cur;
		if (act == 0) { /* a unit moves to another county */
			snprintf(id, sizeof id, "u%02d", rand() % NU);
			snprintf(pid, sizeof pid, "c%d", rand() % NC);
			put(t, mk(id, TOWNORG_KIND_TOWN, "乡镇", pid));
		} else if (act == 1) {
			if (townorg_txn_get(&cur, t, id) == 0)
				OK(townorg_txn_remove(t, id));
		} else { /* changed, moved or new */
			snprintf(pid, sizeof pid, "u%02d", rand() % NU);
			put(t, rand_organ(id, pid));
		}
	}
	meta(t, "2021-01-01", NULL);
	const townorg_version *v1 = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v1, NULL));
	size_t checked = 0;
	for (int level = TOWNORG_UNIT_COUNTY; level <= TOWNORG_UNIT_TOWNSHIP; level++)
		for (size_t i = 0; i < townorg_diff_totals_count(d, (townorg_unit_level)level); i++) {
			const townorg_diff_totals *u = townorg_diff_totals_at(d, (townorg_unit_level)level, i);
			check_side(u, v0, false);
			check_side(u, v1, true);
			checked++;
		}
	ck_assert_uint_eq(townorg_diff_totals_count(d, TOWNORG_UNIT_COUNTY), NC);
	ck_assert_uint_gt(checked, NC + NU / 2);
	townorg_diff_free(d);
}
END_TEST

static Suite *diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("diff");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, totals_match_a_walk);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, yixian_merge_deltas);
	tcase_add_test(tc, foreach_stops);
	tcase_add_test(tc, filters);
	tcase_add_test(tc, field_values);
	tcase_add_test(tc, reduction_rates_pian4);
	tcase_add_test(tc, events_between_and_branches);
	tcase_add_test(tc, separate_repositories);
	tcase_add_test(tc, cost_is_k_log_n);
	tcase_add_test(tc, json_shape);
	tcase_add_test(tc, out_of_memory);
	tcase_add_test(tc, loaded_from_file);
	tcase_add_test(tc, bench_sample_expected_diffs);
	tcase_add_test(tc, delta_order_is_strcmp);
	tcase_add_test(tc, two_threads_same_as_one);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return run_suite(diff_suite()); }

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_json.c — the JSON interchange format: byte-stable export, exact
 * round trips (same state hashes and version ids), snapshots, entity JSON,
 * exact areas, and every bad fixture under tests/data/json/bad refused with
 * the repository unchanged.
 *
 * TOWNORG_REGEN_FIXTURES=1 rewrites tests/data/json/good/ from the
 * repository built here (after a deliberate format change only). */
#include <config.h>
#include "testutil.h"
#include <jansson.h>
#include "core/repo_internal.h"

#define DATA TEST_SRCDIR "/tests/data/json/"

static townorg_repo *repo;

static void setup(void) { ck_assert_int_eq(townorg_repo_new(&repo), 0); }
static void teardown(void) { townorg_repo_free(repo); }

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

static void spit(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

static void set_meta(townorg_txn *t, const char *date, const char *rec, const char *num, const char *msg)
{
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = date;
	m.recorded_at = rec;
	m.author = "涞水县委机构编制委员会办公室";
	m.doc_issuer = "涞水县委机构编制委员会";
	m.doc_number = num;
	m.doc_date = date;
	m.doc_title = "关于义安镇机构改革的批复";
	m.message = msg;
	OK(townorg_txn_set_meta(t, &m));
}

static townorg_entity_builder *bld(const char *id, townorg_kind k, const char *name, const char *parent)
{
	townorg_entity_builder *b;
	OK(townorg_entity_builder_new(&b, id, k, name, parent));
	return b;
}

static void putb(townorg_txn *t, townorg_entity_builder *b)
{
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
}

static void event(townorg_txn *t, townorg_event_kind kind, const char *id, const char *from, const char *to,
		  const char *doc, const char *date, const char *wording)
{
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = kind;
	ev.event_id = id;
	ev.from_ids = &from;
	ev.from_count = from ? 1 : 0;
	ev.to_ids = &to;
	ev.to_count = to ? 1 : 0;
	ev.documents = &doc;
	ev.document_count = doc ? 1 : 0;
	ev.date = date;
	ev.wording = wording;
	OK(townorg_txn_add_event(t, &ev));
}

/* 涞水县 in miniature (篇10): every kind of attribute, events with documents,
 * a plan branch merged back, a tag and an empty branch. */
static void build_repo(townorg_repo *r)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	const townorg_version *v1, *v2, *v3, *v4;

	OK(townorg_txn_new_on_branch(&t, r, "main"));
	b = bld("130623", TOWNORG_KIND_COUNTY, "涞水县", NULL);
	OK(townorg_entity_builder_set_quota(b, "admin", 224));
	OK(townorg_entity_builder_set_quota(b, "inst", 169));
	OK(townorg_entity_builder_set_text(b, "code", "130623000000"));
	putb(t, b);
	putb(t, bld("130623-d01", TOWNORG_KIND_DEPARTMENT, "涞水县自然资源和规划局", "130623"));
	putb(t, bld("130623-d02", TOWNORG_KIND_DEPARTMENT, "涞水县司法局", "130623"));
	b = bld("130623-101", TOWNORG_KIND_TOWN, "义安镇", "130623");
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_MEDIUM));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 35210));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 1467));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_REVENUE_PER_CAPITA, 2310));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_LEADER_POSTS, 7));
	OK(townorg_entity_builder_set_quota(b, "admin", 31));
	OK(townorg_entity_builder_set_quota(b, "inst", 28));
	putb(t, b);
	b = bld("130623-201", TOWNORG_KIND_TOWNSHIP, "宝山乡", "130623");
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_SMALL));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 5));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 0));
	putb(t, b);
	b = bld("130623-101-01", TOWNORG_KIND_OFFICE, "义安镇党政综合办公室", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "admin", 10));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, 9));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_CHIEF_POSTS, 1));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_DEPUTY_POSTS, 1));
	OK(townorg_entity_builder_list_add(b, "functions", "党的建设"));
	OK(townorg_entity_builder_list_add(b, "functions", "综合协调"));
	OK(townorg_entity_builder_list_add(b, "colocated_with", "130623-101-07"));
	putb(t, b);
	b = bld("130623-101-02", TOWNORG_KIND_CENTER, "义安镇行政综合服务中心", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "inst", 8));
	OK(townorg_entity_builder_set_quota(b, "worker", 2));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_LEADER_POSTS, 2));
	OK(townorg_entity_builder_set_text(b, "funding", "full"));
	OK(townorg_entity_builder_set_text(b, "nature", "public_welfare"));
	OK(townorg_entity_builder_set_text(b, "rank", "股级"));
	OK(townorg_entity_builder_set_text(b, "regime", "township_led"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "计生所"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "便民服务站"));
	OK(townorg_entity_builder_set_text(b, "note", "名称含\"引号\"和\\反斜杠"));
	putb(t, b);
	b = bld("130623-101-03", TOWNORG_KIND_STATION, "义安镇林业站", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "inst", 3));
	OK(townorg_entity_builder_set_text(b, "regime", "department_led"));
	OK(townorg_entity_builder_set_text(b, "supervisor", "130623-d01"));
	OK(townorg_entity_builder_set_text(b, "funding", "partial"));
	putb(t, b);
	b = bld("130623-101-04", TOWNORG_KIND_DISPATCHED, "义安司法所", "130623-101");
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, 3));
	OK(townorg_entity_builder_set_text(b, "supervisor", "130623-d02"));
	putb(t, b);
	b = bld("130623-101-05", TOWNORG_KIND_TEAM, "义安镇综合行政执法队", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "admin", 6));
	OK(townorg_entity_builder_set_quota(b, "inst", 5));
	OK(townorg_entity_builder_set_text(b, "nature", "administrative"));
	putb(t, b);
	b = bld("130623-101-06", TOWNORG_KIND_LISTED, "义安镇纪委", "130623-101");
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_CHIEF_POSTS, 1));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_DEPUTY_POSTS, 1));
	putb(t, b);
	b = bld("130623-101-07", TOWNORG_KIND_OFFICE, "义安镇综治办", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "admin", 0));
	OK(townorg_entity_builder_set_text(b, "funding", "self"));
	putb(t, b);
	putb(t, bld("130623-101-201", TOWNORG_KIND_VILLAGE, "北龙门村", "130623-101"));
	putb(t, bld("130623-101-001", TOWNORG_KIND_COMMUNITY, "义安社区", "130623-101"));
	putb(t, bld("130623-201-01", TOWNORG_KIND_OFFICE, "宝山乡党政办公室", "130623-201"));
	putb(t, bld("130623-201-02", TOWNORG_KIND_STATION, "宝山乡文化站", "130623-201"));
	putb(t, bld("130623-301", TOWNORG_KIND_SUBDISTRICT, "永阳街道", "130623"));
	putb(t, bld("130623-401", TOWNORG_KIND_TOWNSHIP_LIKE, "涞水经济开发区", "130623"));
	set_meta(t, "2020-03-01", "2020-03-05T08:30:00Z", "涞办字〔2020〕10号", "义安镇“四办、一队、一站、两中心”");
	OK(townorg_txn_commit(&v1, t));
	townorg_txn_free(t);

	/* 2022: 宝山乡 merged into 义安镇; its office abolished, its station moved. */
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	OK(townorg_txn_remove(t, "130623-201-01"));
	b = bld("130623-201-02", TOWNORG_KIND_STATION, "义安镇文化站", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "inst", 2));
	putb(t, b);
	OK(townorg_txn_remove(t, "130623-201"));
	event(t, TOWNORG_EVENT_MERGE, "e-2022-1", "130623-201", "130623-101", "冀民函〔2022〕79号", "2022-06-30",
	      "撤销宝山乡，将其行政区域并入义安镇");
	event(t, TOWNORG_EVENT_MOVE, "e-2022-1", "130623-201-02", "130623-101", NULL, NULL, NULL);
	event(t, TOWNORG_EVENT_ABOLISH, NULL, "130623-201-01", NULL, "涞编〔2022〕3号", "2022-07-01", NULL);
	set_meta(t, "2022-07-01", "2022-07-02T00:00:00Z", "冀民函〔2022〕79号", "行政区划调整\n第二行 \"引号\"\ttab");
	OK(townorg_txn_commit(&v2, t));
	townorg_txn_free(t);
	OK(townorg_repo_tag_create(r, "2022-merge", v2));

	/* A plan from v1 that cuts a quota, then merged into main. */
	OK(townorg_repo_branch_create(r, "plan-2023", v1));
	OK(townorg_txn_new_on_branch(&t, r, "plan-2023"));
	b = bld("130623-101-05", TOWNORG_KIND_TEAM, "义安镇综合行政执法队", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "admin", 5));
	OK(townorg_entity_builder_set_quota(b, "inst", 5));
	putb(t, b);
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2023-01-01";
	m.recorded_at = "2022-11-11T11:11:11Z";
	m.author = "";
	OK(townorg_txn_set_meta(t, &m));
	OK(townorg_txn_commit(&v3, t));
	townorg_txn_free(t);

	OK(townorg_txn_new_on_branch(&t, r, "main"));
	OK(townorg_txn_add_parent(t, v3));
	b = bld("130623-101-05", TOWNORG_KIND_TEAM, "义安镇综合行政执法队", "130623-101");
	OK(townorg_entity_builder_set_quota(b, "admin", 5));
	OK(townorg_entity_builder_set_quota(b, "inst", 5));
	putb(t, b);
	event(t, TOWNORG_EVENT_TRANSFER_STAFF, NULL, "130623-101-05", "130623-101-02", NULL, "2023-01-01",
	      "执法队1名行政编制划出");
	set_meta(t, "2023-01-01", "2023-01-02T09:00:00Z", "涞编〔2023〕1号", NULL);
	OK(townorg_txn_commit(&v4, t));
	townorg_txn_free(t);
	OK(townorg_repo_tag_create(r, "2023-plan-adopted", v4));
	OK(townorg_repo_branch_create(r, "draft", NULL));
}

static void assert_same_repo(const townorg_repo *a, const townorg_repo *b)
{
	ck_assert_uint_eq(townorg_repo_version_count(a), townorg_repo_version_count(b));
	for (size_t i = 0; i < townorg_repo_version_count(a); i++) {
		const townorg_version *x = townorg_repo_version_at(a, i), *y = townorg_repo_version_at(b, i);
		ck_assert_str_eq(townorg_version_id(x), townorg_version_id(y));
		ck_assert_str_eq(townorg_version_state_hash(x), townorg_version_state_hash(y));
	}
	ck_assert_uint_eq(townorg_repo_branch_count(a), townorg_repo_branch_count(b));
	for (size_t i = 0; i < townorg_repo_branch_count(a); i++) {
		const townorg_version *x, *y;
		ck_assert_str_eq(townorg_repo_branch_name(a, i), townorg_repo_branch_name(b, i));
		OK(townorg_repo_branch_head(&x, a, townorg_repo_branch_name(a, i)));
		OK(townorg_repo_branch_head(&y, b, townorg_repo_branch_name(a, i)));
		if (!x)
			ck_assert_ptr_null(y);
		else
			ck_assert_str_eq(townorg_version_id(x), townorg_version_id(y));
	}
	ck_assert_uint_eq(townorg_repo_tag_count(a), townorg_repo_tag_count(b));
	for (size_t i = 0; i < townorg_repo_tag_count(a); i++) {
		const townorg_version *x, *y;
		ck_assert_str_eq(townorg_repo_tag_name(a, i, &x), townorg_repo_tag_name(b, i, &y));
		ck_assert_str_eq(townorg_version_id(x), townorg_version_id(y));
	}
}

/* ------------------------------------------------------------ round trips */

START_TEST(repo_round_trip)
{
	char *s1, *s2;
	size_t n1, n2;
	townorg_repo *r2;
	build_repo(repo);
	OK(townorg_json_export_repo(&s1, &n1, repo, NULL));
	ck_assert_uint_eq(strlen(s1), n1);
	if (getenv("TOWNORG_REGEN_FIXTURES"))
		spit(DATA "good/repo.json", s1);
	/* byte-stable: the committed fixture is exactly what we write */
	char *fixture = slurp(DATA "good/repo.json", NULL);
	ck_assert_str_eq(s1, fixture);
	free(fixture);
	OK(townorg_repo_new(&r2));
	OK(townorg_json_import_repo(r2, s1, n1, NULL));
	assert_same_repo(repo, r2);
	OK(townorg_json_export_repo(&s2, &n2, r2, NULL));
	ck_assert_str_eq(s1, s2);
	/* importing the same document again changes nothing */
	OK(townorg_json_import_repo(r2, s1, n1, NULL));
	assert_same_repo(repo, r2);
	/* metadata, events and attributes came through */
	const townorg_version *v;
	OK(townorg_repo_tag_lookup(&v, r2, "2022-merge"));
	ck_assert_str_eq(townorg_version_meta(v)->doc_number, "冀民函〔2022〕79号");
	ck_assert_str_eq(townorg_version_meta(v)->message, "行政区划调整\n第二行 \"引号\"\ttab");
	ck_assert_uint_eq(townorg_version_event_count(v), 3);
	ck_assert_str_eq(townorg_version_event(v, 0)->wording, "撤销宝山乡，将其行政区域并入义安镇");
	ck_assert_str_eq(townorg_version_event(v, 2)->event_id, "e3");
	const townorg_entity *e;
	OK(townorg_version_get(&e, v, "130623-101-02"));
	ck_assert_str_eq(townorg_entity_text(e, "note"), "名称含\"引号\"和\\反斜杠");
	townorg_free(s1);
	townorg_free(s2);
	townorg_repo_free(r2);
}
END_TEST

START_TEST(repo_round_trip_compact_and_files)
{
	char *s1, *s2;
	townorg_repo *r2;
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	o.flags = TOWNORG_JSON_COMPACT;
	build_repo(repo);
	OK(townorg_json_export_repo(&s1, NULL, repo, &o));
	ck_assert_ptr_null(strchr(s1, '\n'));
	ck_assert_ptr_null(strstr(s1, "\": "));
	const char *path = TEST_BUILDDIR "/tests/check_json.tmp.json";
	OK(townorg_json_export_repo_file(path, repo, &o));
	OK(townorg_repo_new(&r2));
	OK(townorg_json_import_repo_file(r2, path, NULL));
	assert_same_repo(repo, r2);
	OK(townorg_json_export_repo(&s2, NULL, r2, &o));
	ck_assert_str_eq(s1, s2);
	remove(path);
	ck_assert_int_eq(townorg_json_import_repo_file(r2, path, NULL), TOWNORG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "check_json.tmp.json"));
	ck_assert_int_eq(townorg_json_export_repo_file("/nonexistent-dir/x.json", repo, NULL), TOWNORG_EIO);
	o.version = 99;
	char *s3;
	ck_assert_int_eq(townorg_json_export_repo(&s3, NULL, repo, &o), TOWNORG_EINVALID);
	ck_assert_ptr_null(s3);
	townorg_free(s1);
	townorg_free(s2);
	townorg_repo_free(r2);
}
END_TEST

START_TEST(empty_repo_round_trip)
{
	char *s;
	townorg_repo *r2;
	OK(townorg_json_export_repo(&s, NULL, repo, NULL));
	ck_assert_str_eq(s, "{\n  \"format\": \"townorg/1\",\n  \"type\": \"repository\",\n  \"versions\": [],\n"
			    "  \"branches\": {},\n  \"tags\": {}\n}\n");
	OK(townorg_repo_new(&r2));
	OK(townorg_json_import_repo(r2, s, strlen(s), NULL));
	ck_assert_uint_eq(townorg_repo_version_count(r2), 0);
	townorg_free(s);
	townorg_repo_free(r2);
}
END_TEST

static int count_calls(size_t done, size_t total, void *p)
{
	(void)total;
	++*(int *)p;
	return done == 2 ? 7 : 0; /* positive: cancel with TOWNORG_ERROR */
}

START_TEST(import_cancelled_changes_nothing)
{
	char *s;
	int calls = 0;
	townorg_repo *r2;
	build_repo(repo);
	OK(townorg_json_export_repo(&s, NULL, repo, NULL));
	OK(townorg_repo_new(&r2));
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	o.progress = count_calls;
	o.payload = &calls;
	ck_assert_int_eq(townorg_json_import_repo(r2, s, strlen(s), &o), TOWNORG_ERROR);
	ck_assert_int_eq(calls, 2);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "cancelled"));
	ck_assert_uint_eq(townorg_repo_version_count(r2), 0);
	ck_assert_uint_eq(townorg_repo_branch_count(r2), 0);
	townorg_free(s);
	townorg_repo_free(r2);
}
END_TEST

START_TEST(import_onto_existing_branches)
{
	char *s;
	townorg_repo *r2;
	build_repo(repo);
	OK(townorg_json_export_repo(&s, NULL, repo, NULL));
	/* a repository whose main went elsewhere: conflict, nothing changes */
	OK(townorg_repo_new(&r2));
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r2, "main"));
	put(t, mk("999999", TOWNORG_KIND_COUNTY, "别县", NULL));
	OK(townorg_txn_commit(NULL, t));
	townorg_txn_free(t);
	ck_assert_int_eq(townorg_json_import_repo(r2, s, strlen(s), NULL), TOWNORG_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "branches.main"));
	ck_assert_uint_eq(townorg_repo_version_count(r2), 1);
	ck_assert_uint_eq(townorg_repo_branch_count(r2), 1);
	townorg_repo_free(r2);
	/* a repository holding the first versions: main moves forward */
	OK(townorg_repo_new(&r2));
	char *first;
	townorg_repo *r3;
	OK(townorg_repo_new(&r3));
	OK(townorg_json_import_repo(r3, s, strlen(s), NULL));
	OK(townorg_repo_branch_set(r3, "main", townorg_repo_version_at(r3, 0)));
	OK(townorg_json_export_repo(&first, NULL, r3, NULL));
	OK(townorg_json_import_repo(r2, first, strlen(first), NULL));
	OK(townorg_json_import_repo(r2, s, strlen(s), NULL));
	assert_same_repo(repo, r2);
	townorg_free(first);
	townorg_repo_free(r3);
	townorg_repo_free(r2);
	townorg_free(s);
}
END_TEST

/* ------------------------------------------------------------ snapshots */

START_TEST(snapshot_round_trip)
{
	char *s, *s2;
	build_repo(repo);
	const townorg_version *v2, *got, *got2;
	OK(townorg_repo_lookup(&v2, repo, "2022-merge"));
	OK(townorg_json_export_snapshot(&s, NULL, v2, NULL));
	if (getenv("TOWNORG_REGEN_FIXTURES"))
		spit(DATA "good/snapshot.json", s);
	char *fixture = slurp(DATA "good/snapshot.json", NULL);
	ck_assert_str_eq(s, fixture);
	free(fixture);

	townorg_repo *r2;
	OK(townorg_repo_new(&r2));
	townorg_meta m = TOWNORG_META_INIT;
	m.recorded_at = "2024-05-01T00:00:00Z";
	m.doc_number = "涞编〔2024〕2号";
	OK(townorg_json_import_snapshot(&got, r2, "main", &m, s, strlen(s), NULL));
	ck_assert_str_eq(townorg_version_state_hash(got), townorg_version_state_hash(v2));
	ck_assert_str_eq(townorg_version_meta(got)->effective_date, "2022-07-01"); /* from the snapshot */
	ck_assert_str_eq(townorg_version_meta(got)->doc_number, "涞编〔2024〕2号");
	ck_assert_uint_eq(townorg_version_parent_count(got), 0);

	/* onto a branch that holds another state: the result is exactly the snapshot */
	const townorg_version *v1 = townorg_repo_version_at(repo, 0);
	char *s1;
	OK(townorg_json_export_snapshot(&s1, NULL, v1, NULL));
	m.effective_date = "2024-06-01";
	m.recorded_at = "2024-06-01T00:00:00Z";
	OK(townorg_json_import_snapshot(&got2, r2, "main", &m, s1, strlen(s1), NULL));
	ck_assert_str_eq(townorg_version_state_hash(got2), townorg_version_state_hash(v1));
	ck_assert_ptr_eq(townorg_version_parent(got2, 0), got);
	ck_assert_str_eq(townorg_version_meta(got2)->effective_date, "2024-06-01");
	ck_assert_uint_eq(townorg_version_entity_count(got2), townorg_version_entity_count(v1));
	/* and back */
	OK(townorg_json_export_snapshot(&s2, NULL, got2, NULL));
	ck_assert_ptr_nonnull(strstr(s2, "\"entities\""));
	ck_assert_str_eq(strstr(s2, "\"entities\""), strstr(s1, "\"entities\""));
	/* a snapshot given to the repository importer, and the reverse */
	ck_assert_int_eq(townorg_json_import_repo(r2, s, strlen(s), NULL), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "snapshot"));
	const char *repo_doc = "{\"format\":\"townorg/1\",\"type\":\"repository\",\"versions\":[]}";
	ck_assert_int_eq(townorg_json_import_snapshot(NULL, r2, "main", NULL, repo_doc, strlen(repo_doc), NULL),
			 TOWNORG_EINVALID);
	townorg_free(s);
	townorg_free(s1);
	townorg_free(s2);
	townorg_repo_free(r2);
}
END_TEST

START_TEST(snapshot_of_preview)
{
	/* a detached version (dry run) can be written as a snapshot too */
	townorg_txn *t;
	townorg_version *pv;
	char *s;
	OK(townorg_txn_new(&t, repo, NULL));
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	OK(townorg_txn_preview(&pv, t));
	OK(townorg_json_export_snapshot(&s, NULL, pv, NULL));
	ck_assert_ptr_nonnull(strstr(s, "{\"id\": \"341023\", \"kind\": \"county\", \"name\": \"黟县\"}"));
	townorg_free(s);
	townorg_version_free(pv);
	townorg_txn_free(t);
}
END_TEST

/* ------------------------------------------------------------ entity JSON */

START_TEST(entity_json)
{
	townorg_entity_builder *b = bld("130623-101-02", TOWNORG_KIND_CENTER, "义安镇行政综合服务中心", "130623-101");
	townorg_entity *e, *back;
	char *s;
	OK(townorg_entity_builder_set_quota(b, "inst", 8));
	OK(townorg_entity_builder_set_quota(b, "admin", 1));
	OK(townorg_entity_builder_set_quota(b, "worker", 2));
	OK(townorg_entity_builder_set_quota(b, "aaa", 0));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 1467));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_DEPUTY_POSTS, 1));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_LARGE));
	OK(townorg_entity_builder_set_text(b, "funding", "full"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "计生所"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "便民服务站"));
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_to_json(&s, e));
	ck_assert_str_eq(s, "{\"id\": \"130623-101-02\", \"kind\": \"center\", \"name\": \"义安镇行政综合服务中心\", "
			    "\"parent_id\": \"130623-101\", \"class\": \"large\", \"area_km2\": 146.7, "
			    "\"deputy_posts\": 1, \"quotas\": {\"aaa\": 0, \"admin\": 1, \"inst\": 8, \"worker\": 2}, "
			    "\"attrs\": {\"funding\": \"full\", \"nameplates\": [\"便民服务站\", \"计生所\"]}}");
	OK(townorg_entity_from_json(&back, s));
	ck_assert(townorg_entity_equal(e, back));
	townorg_entity_free(back);
	/* members in any order; lists in any order */
	OK(townorg_entity_from_json(&back, "{\"attrs\": {\"nameplates\": [\"计生所\", \"便民服务站\"], \"funding\": "
					   "\"full\"}, \"quotas\": {\"worker\": 2, \"inst\": 8, \"admin\": 1, \"aaa\": 0}, "
					   "\"deputy_posts\": 1, \"area_km2\": 146.70, \"class\": \"large\", \"parent_id\": "
					   "\"130623-101\", \"name\": \"义安镇行政综合服务中心\", \"kind\": \"center\", "
					   "\"id\": \"130623-101-02\"}"));
	ck_assert(townorg_entity_equal(e, back));
	townorg_entity_free(back);
	townorg_entity_free(e);
	townorg_free(s);

	/* refusals name the member */
	static const struct {
		const char *json;
		int code;
		const char *msg;
	} bad[] = {
		{ "{\"id\": \"x\", \"kind\": \"towm\"}", TOWNORG_EINVALID, "kind: unknown kind 'towm'" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"populaton\": 1}", TOWNORG_EINVALID, "populaton: unknown member" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"admin_quota\": 1}", TOWNORG_EINVALID, "\"quotas\": {\"admin\": N}" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"population\": \"12\"}", TOWNORG_EINVALID,
		  "population: expected an integer, found a string" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"population\": 1.5}", TOWNORG_EINVALID, "population: expected an integer" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"population\": 1000000000000001}", TOWNORG_EINVALID, "too large" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"quotas\": {\"admin\": -1}}", TOWNORG_EINVALID, "quotas.admin: -1 is negative" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"quotas\": {\"Admin\": 1}}", TOWNORG_EINVALID, "quotas.Admin: " },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"area_km2\": 146.75}", TOWNORG_EINVALID, "more than one decimal" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"area_km2\": \"146.7\"}", TOWNORG_EINVALID, "area_km2: expected a decimal" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"area_km2\": -0.5}", TOWNORG_EINVALID, "negative" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"area_km2\": 1e300}", TOWNORG_EINVALID, "too large" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"class\": \"huge\"}", TOWNORG_EINVALID, "class: unknown class" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"attrs\": {\"funding\": \"lots\"}}", TOWNORG_EINVALID,
		  "attrs.funding: entity x: 'lots' is not a valid funding" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"attrs\": {\"nameplates\": \"一\"}}", TOWNORG_EINVALID,
		  "attrs.nameplates: " },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"attrs\": {\"functions\": []}}", TOWNORG_EINVALID, "must not be empty" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"attrs\": {\"functions\": [\"a\", \"a\"]}}", TOWNORG_EINVALID,
		  "attrs.functions[1]: duplicate value 'a'" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"attrs\": {\"functions\": [1]}}", TOWNORG_EINVALID,
		  "attrs.functions[0]: expected a string" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"parent_id\": null}", TOWNORG_EINVALID, "parent_id: expected a string" },
		{ "{\"id\": \"\", \"kind\": \"county\"}", TOWNORG_EINVALID, "id: " },
		{ "{\"id\": \"a b\", \"kind\": \"county\"}", TOWNORG_EINVALID, "id: " },
		{ "{\"kind\": \"county\"}", TOWNORG_EINVALID, "member \"id\" is missing" },
		{ "{\"id\": \"x\", \"id\": \"y\", \"kind\": \"county\"}", TOWNORG_EPARSE, "(entity):1:" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"name\": \"a\\u0000b\"}", TOWNORG_EPARSE, "(entity):1:" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"name\": \"a\\nb\"}", TOWNORG_EENCODING, "name" },
		{ "{\"id\": \"x\", \"kind\": \"county\", \"name\": \"\xe4\xb8\"}", TOWNORG_EENCODING, "(entity):1:" },
		{ "[1]", TOWNORG_EINVALID, "(document): expected an entity object, found an array" },
		{ "", TOWNORG_EPARSE, "(entity):" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		townorg_entity *x = (townorg_entity *)1;
		int rc = townorg_entity_from_json(&x, bad[i].json);
		ck_assert_msg(rc == bad[i].code, "%s: got %d (%s)", bad[i].json, rc, townorg_error_last());
		ck_assert_ptr_null(x);
		ck_assert_msg(strstr(townorg_error_last(), bad[i].msg), "%s: message '%s' lacks '%s'", bad[i].json,
			      townorg_error_last(), bad[i].msg);
	}
	ck_assert_int_eq(townorg_entity_from_json(&back, NULL), TOWNORG_EINVALID);
}
END_TEST

/* Every tenth of a km² survives the trip through a decimal literal and a
 * binary double: a pseudo-random sweep over the whole range, plus edges. */
START_TEST(areas_exact)
{
	uint64_t x = 88172645463325252ULL;
	int n = getenv("TOWNORG_VALGRIND") ? 3000 : 20000; /* shrink under valgrind */
	for (int i = 0; i < n; i++) {
		int64_t tenths;
		if (i < 1000)
			tenths = i;
		else if (i < 2000)
			tenths = 1000000000000000LL - (i - 1000);
		else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int digits = 1 + (int)(x % 15);
			int64_t mod = 1;
			while (digits--)
				mod *= 10;
			tenths = (int64_t)((x >> 8) % (uint64_t)mod);
		}
		townorg_entity_builder *b = bld("x", TOWNORG_KIND_COUNTY, "", NULL);
		townorg_entity *e, *back;
		char *s;
		int64_t got;
		OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, tenths));
		OK(townorg_entity_builder_build(&e, b));
		townorg_entity_builder_free(b);
		OK(townorg_entity_to_json(&s, e));
		OK(townorg_entity_from_json(&back, s));
		OK(townorg_entity_int(back, TOWNORG_FIELD_AREA, &got));
		ck_assert_msg(got == tenths, "%s came back as %lld", s, (long long)got);
		townorg_entity_free(e);
		townorg_entity_free(back);
		townorg_free(s);
	}
	/* integers are whole km²; exponents are accepted when they denote a tenth */
	townorg_entity *e;
	int64_t got;
	OK(townorg_entity_from_json(&e, "{\"id\": \"x\", \"kind\": \"county\", \"area_km2\": 12}"));
	OK(townorg_entity_int(e, TOWNORG_FIELD_AREA, &got));
	ck_assert_int_eq(got, 120);
	townorg_entity_free(e);
	OK(townorg_entity_from_json(&e, "{\"id\": \"x\", \"kind\": \"county\", \"area_km2\": 1.467e2}"));
	OK(townorg_entity_int(e, TOWNORG_FIELD_AREA, &got));
	ck_assert_int_eq(got, 1467);
	townorg_entity_free(e);
}
END_TEST

/* Out of memory at every allocation in turn: the import fails cleanly with
 * TOWNORG_ENOMEM and leaves nothing behind; the export returns nothing. */
START_TEST(allocation_failures_are_clean)
{
	char *s, *x;
	size_t len;
	long step = getenv("TOWNORG_VALGRIND") ? 7 : 1;
	build_repo(repo);
	OK(townorg_json_export_repo(&s, &len, repo, NULL));
	for (long n = 1;; n += step) {
		townorg_repo *r2;
		OK(townorg_repo_new(&r2));
		townorg__fault_set(n);
		int rc = townorg_json_import_repo(r2, s, len, NULL);
		townorg__fault_set(0);
		if (rc == 0) {
			assert_same_repo(repo, r2);
			townorg_repo_free(r2);
			ck_assert_int_gt(n, 50);
			break;
		}
		ck_assert_msg(rc == TOWNORG_ENOMEM, "allocation %ld: %d %s", n, rc, townorg_error_last());
		ck_assert_uint_eq(townorg_repo_version_count(r2), 0);
		ck_assert_uint_eq(townorg_repo_branch_count(r2), 0);
		ck_assert_uint_eq(townorg_repo_tag_count(r2), 0);
		townorg_repo_free(r2);
	}
	for (long n = 1;; n += step) {
		townorg__fault_set(n);
		int rc = townorg_json_export_repo(&x, NULL, repo, NULL);
		townorg__fault_set(0);
		if (rc == 0) {
			ck_assert_str_eq(x, s);
			townorg_free(x);
			break;
		}
		ck_assert_int_eq(rc, TOWNORG_ENOMEM);
		ck_assert_ptr_null(x);
	}
	townorg_free(s);
}
END_TEST

/* ------------------------------------------------------------ bad fixtures */

static const struct {
	const char *file;
	bool snapshot;
	int code;
	const char *msg;
} bad_fixtures[] = {
	{ "malformed.json", false, TOWNORG_EPARSE, "malformed.json:4:" },
	{ "truncated.json", false, TOWNORG_EPARSE, "truncated.json:" },
	{ "invalid_utf8.json", false, TOWNORG_EENCODING, "invalid_utf8.json:" },
	{ "not_object.json", false, TOWNORG_EINVALID, "(document): expected a JSON object" },
	{ "wrong_format.json", false, TOWNORG_EINVALID, "format: 'townorg/2' is not a format" },
	{ "missing_format.json", false, TOWNORG_EINVALID, "member \"format\" is missing" },
	{ "unknown_top_member.json", false, TOWNORG_EINVALID, "versionz: unknown member" },
	{ "unknown_version_member.json", false, TOWNORG_EINVALID, "versions[1].efective_date: unknown member" },
	{ "unknown_entity_member.json", false, TOWNORG_EINVALID, "versions[0].entities[3].populaton: unknown member" },
	{ "unknown_kind.json", false, TOWNORG_EINVALID, "versions[3].changes.put[0].kind: unknown kind 'towm'" },
	{ "wrong_type.json", false, TOWNORG_EINVALID, "versions[0].entities[3].population: expected an integer, found a string" },
	{ "negative_quota.json", false, TOWNORG_EINVALID, "versions[0].entities[4].quotas.admin: -10 is negative" },
	{ "huge_number.json", false, TOWNORG_EPARSE, "huge_number.json:" },
	{ "too_large.json", false, TOWNORG_EINVALID, "versions[0].entities[3].population: 10000000000000000 is too large" },
	{ "area_two_decimals.json", false, TOWNORG_EINVALID, "versions[0].entities[3].area_km2: area 146.75" },
	{ "duplicate_id.json", false, TOWNORG_EINTEGRITY, "versions[0].entities[5]: entity 130623-101-01 appears twice" },
	{ "duplicate_key.json", false, TOWNORG_EPARSE, "duplicate_key.json:" },
	{ "dangling_parent.json", false, TOWNORG_ENOTFOUND, "versions[1].parents[0]: parent version 0000000000" },
	{ "dangling_entity_parent.json", false, TOWNORG_EINTEGRITY, "parent 130623-999 does not exist" },
	{ "cycle.json", false, TOWNORG_EINVALID, "versions[4].parents[0]: parent bbbbbbbbbbbb comes later in the document" },
	{ "self_parent.json", false, TOWNORG_EINVALID, "names itself as its parent" },
	{ "tampered_entity.json", false, TOWNORG_ECORRUPT, "versions[0]: version " },
	{ "tampered_meta.json", false, TOWNORG_ECORRUPT, "versions[1]: version " },
	{ "tampered_event.json", false, TOWNORG_ECORRUPT, "versions[1]: version " },
	{ "bad_date.json", false, TOWNORG_EINVALID, "versions[0]: effective date: '2020-13-01' is not a date" },
	{ "bad_hash.json", false, TOWNORG_EINVALID, "versions[0].id: 'XYZ' is not 64 lowercase hex digits" },
	{ "remove_missing.json", false, TOWNORG_ENOTFOUND, "versions[1].changes.remove[0]: cannot remove '130623-777'" },
	{ "changes_on_root.json", false, TOWNORG_EINVALID, "versions[0]: a version without parents lists its \"entities\", not \"changes\"" },
	{ "unknown_event_kind.json", false, TOWNORG_EINVALID, "versions[1].events[0].kind: unknown event kind 'explode'" },
	{ "branch_unknown_version.json", false, TOWNORG_ENOTFOUND, "branches.main: names version ffffffffffff" },
	{ "bad_branch_name.json", false, TOWNORG_EINVALID, "branches.main branch: " },
	{ "wrong_type_versions.json", false, TOWNORG_EINVALID, "versions: expected an array of versions, found an object" },
	{ "null_character.json", false, TOWNORG_EPARSE, "null_character.json:" },
	{ "control_character.json", false, TOWNORG_EENCODING, "versions[0].entities[0].name: " },
	{ "snapshot_as_repo.json", false, TOWNORG_EINVALID, "type: this is a \"snapshot\" document, not a repository document" },
	{ "snapshot_duplicate_id.json", true, TOWNORG_EINTEGRITY, "entities[2]: entity 130623-101 appears twice" },
	{ "snapshot_tampered.json", true, TOWNORG_ECORRUPT, "the file was altered" },
	{ "snapshot_dangling_parent.json", true, TOWNORG_EINTEGRITY, "parent 130623-201 does not exist" },
	{ "snapshot_unknown_member.json", true, TOWNORG_EINVALID, "entities[0].colour: unknown member" },
};

/* A base repository: the good fixture, so the bad ones are refused on top
 * of real content and must leave all of it as it was. */
START_TEST(bad_fixture)
{
	size_t i = (size_t)_i;
	char path[1024];
	OK(townorg_json_import_repo_file(repo, DATA "good/repo.json", NULL));
	char *before;
	OK(townorg_json_export_repo(&before, NULL, repo, NULL));
	snprintf(path, sizeof path, DATA "bad/%s", bad_fixtures[i].file);
	int rc;
	const townorg_version *out = (const townorg_version *)1;
	if (bad_fixtures[i].snapshot)
		rc = townorg_json_import_snapshot_file(&out, repo, "main", NULL, path, NULL);
	else
		rc = townorg_json_import_repo_file(repo, path, NULL);
	const char *msg = townorg_error_last();
	ck_assert_msg(rc == bad_fixtures[i].code, "%s: expected %d, got %d (%s)", bad_fixtures[i].file,
		      bad_fixtures[i].code, rc, msg ? msg : "");
	ck_assert_msg(strstr(msg, bad_fixtures[i].msg) != NULL, "%s: message '%s' lacks '%s'", bad_fixtures[i].file, msg,
		      bad_fixtures[i].msg);
	ck_assert_msg(strstr(msg, bad_fixtures[i].file) != NULL, "%s: message '%s' does not name the file",
		      bad_fixtures[i].file, msg);
	if (bad_fixtures[i].snapshot)
		ck_assert_ptr_null(out);
	/* nothing changed */
	char *after;
	OK(townorg_json_export_repo(&after, NULL, repo, NULL));
	ck_assert_str_eq(before, after);
	townorg_free(before);
	townorg_free(after);
}
END_TEST

/* An empty repository stays empty too (no half-made branch). */
START_TEST(bad_fixture_into_empty_repo)
{
	for (size_t i = 0; i < sizeof bad_fixtures / sizeof bad_fixtures[0]; i++) {
		char path[1024];
		townorg_repo *r;
		OK(townorg_repo_new(&r));
		snprintf(path, sizeof path, DATA "bad/%s", bad_fixtures[i].file);
		int rc = bad_fixtures[i].snapshot ? townorg_json_import_snapshot_file(NULL, r, "main", NULL, path, NULL)
						  : townorg_json_import_repo_file(r, path, NULL);
		ck_assert_msg(rc < 0, "%s was accepted", bad_fixtures[i].file);
		ck_assert_uint_eq(townorg_repo_version_count(r), 0);
		ck_assert_uint_eq(townorg_repo_tag_count(r), 0);
		ck_assert_msg(townorg_repo_branch_count(r) == 0, "%s left a branch", bad_fixtures[i].file);
		townorg_repo_free(r);
	}
}
END_TEST


/* townorg_version_to_json / townorg_event_to_json: the objects the CLI's
 * log --json and show --json print. */
START_TEST(version_and_event_objects)
{
	townorg_repo *r;
	townorg_txn *t;
	const townorg_version *v1, *v2;
	OK(townorg_repo_new(&r));
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	townorg_entity *e = mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL);
	OK(townorg_txn_put(t, e));
	townorg_entity_free(e);
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2008-06-01";
	m.doc_number = "黟编〔2008〕5号";
	m.message = "a \"quoted\"\nline";
	OK(townorg_txn_set_meta(t, &m));
	const char *to[] = { "341023" };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_CREATE;
	ev.to_ids = to;
	ev.to_count = 1;
	ev.wording = "设立";
	OK(townorg_txn_add_event(t, &ev));
	OK(townorg_txn_commit(&v1, t));
	townorg_txn_free(t);
	OK(townorg_repo_tag_create(r, "t1", v1));
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	OK(townorg_txn_remove(t, "341023"));
	OK(townorg_txn_commit(&v2, t));
	townorg_txn_free(t);

	char *s = NULL;
	OK(townorg_version_to_json(&s, v1, r));
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	ck_assert_msg(j != NULL, "not JSON: %s: %s", err.text, s);
	ck_assert(!strchr(s, '\n'));
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), townorg_version_id(v1));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "parents")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "document"), "number")), "黟编〔2008〕5号");
	ck_assert(json_is_null(json_object_get(json_object_get(j, "document"), "issuer")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "message")), "a \"quoted\"\nline");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "branches")), 0); /* main moved on */
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "tags"), 0)), "t1");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "event_count")), 1);
	json_decref(j);
	townorg_free(s);
	/* without a repository: no branches or tags members */
	OK(townorg_version_to_json(&s, v2, NULL));
	j = json_loads(s, 0, &err);
	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_null(json_object_get(j, "branches"));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "parents"), 0)), townorg_version_id(v1));
	json_decref(j);
	townorg_free(s);

	OK(townorg_event_to_json(&s, townorg_version_event(v1, 0)));
	j = json_loads(s, 0, &err);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "create");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "to_ids"), 0)), "341023");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "from_ids")), 0);
	ck_assert(json_is_null(json_object_get(j, "date")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "wording")), "设立");
	json_decref(j);
	townorg_free(s);

	/* bad arguments and out of memory */
	ck_assert_int_eq(townorg_version_to_json(&s, NULL, r), TOWNORG_EINVALID);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(townorg_event_to_json(&s, NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_version_to_json(NULL, v1, r), TOWNORG_EINVALID);
	for (long n = 1; n < 64; n++) {
		townorg__fault_set(n);
		int rc = townorg_version_to_json(&s, v1, r);
		townorg__fault_set(0);
		if (rc == 0) {
			townorg_free(s);
			break;
		}
		ck_assert_int_eq(rc, TOWNORG_ENOMEM);
		ck_assert_ptr_null(s);
	}
	townorg_repo_free(r);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, repo_round_trip);
	tcase_add_test(tc, repo_round_trip_compact_and_files);
	tcase_add_test(tc, empty_repo_round_trip);
	tcase_add_test(tc, import_cancelled_changes_nothing);
	tcase_add_test(tc, import_onto_existing_branches);
	tcase_add_test(tc, snapshot_round_trip);
	tcase_add_test(tc, snapshot_of_preview);
	tcase_add_test(tc, entity_json);
	tcase_add_test(tc, version_and_event_objects);
	tcase_add_test(tc, areas_exact);
	tcase_add_test(tc, allocation_failures_are_clean);
	tcase_add_loop_test(tc, bad_fixture, 0, (int)(sizeof bad_fixtures / sizeof bad_fixtures[0]));
	tcase_add_test(tc, bad_fixture_into_empty_repo);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return run_suite(json_suite()); }

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_repo.c — transactions, integrity checks, versions, refs, names,
 * as-of, children, quota totals, headroom and concurrent readers. */
#include <config.h>
#include <pthread.h>
#include "testutil.h"
#include "core/repo_internal.h"

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

/* 黟县 (篇7) in miniature: a county, a pool, two towns and their organs. */
static const townorg_version *commit_base(void)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_entity_builder_new(&b, "341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	OK(townorg_entity_builder_set_quota(b, "admin", 224));
	OK(townorg_entity_builder_set_quota(b, "inst", 169));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_builder_new(&b, "341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_LARGE));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_LEADER_POSTS, 9));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
	put(t, mk_organ("341023-001-02", TOWNORG_KIND_OFFICE, "碧阳镇经济发展办公室", "341023-001", 8, -1, 7));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "碧阳镇党政办公室", "341023-001", 10, -1, 10));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_CENTER, "碧阳镇为民服务中心", "341023-001", -1, 20, 18));
	put(t, mk_organ("341023-001-04", TOWNORG_KIND_DISPATCHED, "碧阳司法所", "341023-001", -1, -1, 3));
	put(t, mk_organ("341023-002-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办公室", "341023-002", 7, -1, 6));
	meta(t, "2008-06-01", "黟政〔2008〕12号");
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

START_TEST(commit_and_read)
{
	const townorg_version *v = commit_base();
	ck_assert_uint_eq(townorg_version_entity_count(v), 8);
	ck_assert_uint_eq(townorg_version_kind_count(v, TOWNORG_KIND_TOWN), 2);
	ck_assert_uint_eq(townorg_version_kind_count(v, TOWNORG_KIND_OFFICE), 3);
	ck_assert_uint_eq(townorg_version_kind_count(v, 0), 0);
	ck_assert_uint_eq(strlen(townorg_version_id(v)), 64);
	ck_assert_uint_eq(strlen(townorg_version_state_hash(v)), 64);
	ck_assert_str_eq(townorg_version_meta(v)->doc_number, "黟政〔2008〕12号");
	ck_assert_str_eq(townorg_version_meta(v)->effective_date, "2008-06-01");
	ck_assert_uint_eq(townorg_version_parent_count(v), 0);
	const townorg_entity *e;
	OK(townorg_version_get(&e, v, "341023-001"));
	ck_assert_str_eq(townorg_entity_name(e), "碧阳镇");
	ck_assert_int_eq(townorg_version_get(&e, v, "nope"), TOWNORG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "nope"));
	const townorg_entity *const *kids;
	size_t n;
	OK(townorg_version_children(&kids, &n, v, "341023-001"));
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(townorg_entity_id(kids[0]), "341023-001-01");
	ck_assert_str_eq(townorg_entity_id(kids[3]), "341023-001-04");
	OK(townorg_version_children(&kids, &n, v, NULL));
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(townorg_entity_id(kids[0]), "341023");
	OK(townorg_version_children(&kids, &n, v, "missing"));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 1);
	ck_assert_ptr_eq(townorg_repo_version_at(repo, 0), v);
	ck_assert_ptr_null(townorg_repo_version_at(repo, 1));
	const townorg_version *head;
	OK(townorg_repo_branch_head(&head, repo, "main"));
	ck_assert_ptr_eq(head, v);
	/* iteration */
	townorg_iterator *it;
	OK(townorg_iterator_new(&it, v));
	size_t count = 0;
	while (townorg_iterator_next(&e, it) == 0)
		count++;
	ck_assert_int_eq(townorg_iterator_next(&e, it), TOWNORG_ITEROVER);
	townorg_iterator_free(it);
	ck_assert_uint_eq(count, 8);
}
END_TEST

START_TEST(quota_totals_and_headroom)
{
	const townorg_version *v = commit_base();
	int64_t q;
	OK(townorg_version_quota_total(&q, v, "341023-001", NULL));
	ck_assert_int_eq(q, 38);
	OK(townorg_version_quota_total(&q, v, "341023", "admin"));
	ck_assert_int_eq(q, 25);
	OK(townorg_version_quota_total(&q, v, "341023", "inst"));
	ck_assert_int_eq(q, 20);
	/* organ: quota - staff */
	OK(townorg_version_headroom(&q, v, "341023-001-02", "admin"));
	ck_assert_int_eq(q, 1);
	OK(townorg_version_headroom(&q, v, "341023-001-01", NULL));
	ck_assert_int_eq(q, 0);
	/* county pool: 224 - 25 */
	OK(townorg_version_headroom(&q, v, "341023", "admin"));
	ck_assert_int_eq(q, 199);
	OK(townorg_version_headroom(&q, v, "341023", NULL));
	ck_assert_int_eq(q, 224 + 169 - 45);
	/* a dispatched agency has no quota: no headroom to speak of */
	ck_assert_int_eq(townorg_version_headroom(&q, v, "341023-001-04", NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_version_headroom(&q, v, "341023-002", "admin"), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_version_headroom(&q, v, "zzz", NULL), TOWNORG_ENOTFOUND);
}
END_TEST

static void expect_commit_fails(townorg_txn *t, int code, const char *needle)
{
	size_t before = townorg_repo_version_count(repo);
	const townorg_version *head0 = NULL, *head1 = NULL;
	townorg_repo_branch_head(&head0, repo, "main");
	const townorg_version *v = (void *)1;
	int rc = townorg_txn_commit(&v, t);
	ck_assert_int_eq(rc, code);
	ck_assert_ptr_null(v);
	ck_assert_msg(strstr(townorg_error_last(), needle), "message '%s' lacks '%s'", townorg_error_last(), needle);
	ck_assert_uint_eq(townorg_repo_version_count(repo), before);
	townorg_repo_branch_head(&head1, repo, "main");
	ck_assert_ptr_eq(head0, head1);
}

START_TEST(integrity_missing_parent)
{
	commit_base();
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk_organ("x-01", TOWNORG_KIND_OFFICE, "无主办公室", "341023-099", 1, -1, 1));
	expect_commit_fails(t, TOWNORG_EINTEGRITY, "341023-099");
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "x-01"));
	ck_assert_int_eq(townorg_txn_check(t), TOWNORG_EINTEGRITY);
	/* fixing it in the same transaction lets it commit */
	OK(townorg_txn_remove(t, "x-01"));
	OK(townorg_txn_commit(NULL, t));
	townorg_txn_free(t);
}
END_TEST

START_TEST(integrity_kinds)
{
	commit_base();
	townorg_txn *t;
	/* a town at the top */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("t9", TOWNORG_KIND_TOWN, "孤镇", NULL));
	expect_commit_fails(t, TOWNORG_EINTEGRITY, "t9");
	townorg_txn_free(t);
	/* an office directly under a county */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("o9", TOWNORG_KIND_OFFICE, "县里的办公室", "341023"));
	expect_commit_fails(t, TOWNORG_EINTEGRITY, "o9");
	townorg_txn_free(t);
	/* a prefecture under a county */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("p9", TOWNORG_KIND_PREFECTURE, "地区", "341023"));
	expect_commit_fails(t, TOWNORG_EINTEGRITY, "p9");
	townorg_txn_free(t);
	/* turning a town into an office strands its organs */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("341023-002", TOWNORG_KIND_OFFICE, "渔亭镇", "341023"));
	expect_commit_fails(t, TOWNORG_EINTEGRITY, "341023-002");
	townorg_txn_free(t);
	/* a department under a county, a county under a province: fine */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("34", TOWNORG_KIND_PROVINCE, "安徽省", NULL));
	put(t, mk("3410", TOWNORG_KIND_PREFECTURE, "黄山市", "34"));
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", "3410"));
	put(t, mk("dept-forest", TOWNORG_KIND_DEPARTMENT, "县林业局", "341023"));
	put(t, mk("341023-002-v1", TOWNORG_KIND_VILLAGE, "某村", "341023-002"));
	OK(townorg_txn_commit(NULL, t));
	townorg_txn_free(t);
}
END_TEST

START_TEST(integrity_removed_parent)
{
	commit_base();
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_remove(t, "341023-002"));
	expect_commit_fails(t, TOWNORG_EINTEGRITY, "341023-002-01");
	ck_assert_int_eq(townorg_txn_remove(t, "ghost"), TOWNORG_ENOTFOUND);
	/* abolish the organ as well: now it commits */
	OK(townorg_txn_remove(t, "341023-002-01"));
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	ck_assert_uint_eq(townorg_version_kind_count(v, TOWNORG_KIND_TOWN), 1);
	const townorg_entity *const *kids;
	size_t n;
	OK(townorg_version_children(&kids, &n, v, "341023-002"));
	ck_assert_uint_eq(n, 0);
	townorg_txn_free(t);
}
END_TEST

START_TEST(state_hash_independent_of_edit_order)
{
	const townorg_version *v1 = commit_base();
	/* Build the same state in another repository in another order, with
	 * detours through other values. */
	townorg_repo *r2;
	OK(townorg_repo_new(&r2));
	townorg_txn *t;
	OK(townorg_txn_new(&t, r2, NULL));
	const townorg_entity *e;
	townorg_iterator *it;
	OK(townorg_iterator_new(&it, v1));
	townorg_entity *ents[16];
	size_t n = 0;
	while (townorg_iterator_next(&e, it) == 0)
		ents[n++] = (townorg_entity *)e;
	townorg_iterator_free(it);
	put(t, mk("zz", TOWNORG_KIND_COUNTY, "临时", NULL));
	for (size_t i = n; i-- > 0;)
		OK(townorg_txn_put(t, ents[i]));
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "改名", "341023"));
	OK(townorg_txn_put(t, ents[0]));
	for (size_t i = 0; i < n; i++)
		OK(townorg_txn_put(t, ents[i]));
	OK(townorg_txn_remove(t, "zz"));
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2008-06-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = "黟政〔2008〕12号";
	m.author = "黟县编办";
	OK(townorg_txn_set_meta(t, &m));
	const townorg_version *v2;
	OK(townorg_txn_commit(&v2, t));
	townorg_txn_free(t);
	ck_assert_str_eq(townorg_version_state_hash(v1), townorg_version_state_hash(v2));
	/* same state, parents, metadata and events: same version id */
	ck_assert_str_eq(townorg_version_id(v1), townorg_version_id(v2));
	/* different metadata: same state hash, different version id */
	OK(townorg_txn_new(&t, r2, NULL));
	OK(townorg_iterator_new(&it, v1));
	while (townorg_iterator_next(&e, it) == 0)
		OK(townorg_txn_put(t, e));
	townorg_iterator_free(it);
	m.message = "another message";
	OK(townorg_txn_set_meta(t, &m));
	const townorg_version *v3;
	OK(townorg_txn_commit(&v3, t));
	townorg_txn_free(t);
	ck_assert_str_eq(townorg_version_state_hash(v1), townorg_version_state_hash(v3));
	ck_assert_str_ne(townorg_version_id(v1), townorg_version_id(v3));
	townorg_repo_free(r2);
}
END_TEST

START_TEST(events_and_meta)
{
	const townorg_version *v0 = commit_base();
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk_organ("341023-001-05", TOWNORG_KIND_CENTER, "碧阳镇为民服务中心", "341023-001", -1, 30, 0));
	OK(townorg_txn_remove(t, "341023-001-03"));
	const char *from[] = { "341023-001-03" }, *to[] = { "341023-001-05" }, *docs[] = { "黟编〔2008〕5号" };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_MERGE;
	ev.from_ids = from;
	ev.from_count = 1;
	ev.to_ids = to;
	ev.to_count = 1;
	ev.documents = docs;
	ev.document_count = 1;
	ev.wording = "七站所合并为为民服务中心";
	OK(townorg_txn_add_event(t, &ev));
	/* bad events are refused */
	townorg_event bad = TOWNORG_EVENT_INIT;
	ck_assert_int_eq(townorg_txn_add_event(t, &bad), TOWNORG_EINVALID);
	bad.kind = TOWNORG_EVENT_ABOLISH;
	ck_assert_int_eq(townorg_txn_add_event(t, &bad), TOWNORG_EINVALID);
	bad.from_ids = from;
	bad.from_count = 1;
	bad.date = "2008-02-30";
	ck_assert_int_eq(townorg_txn_add_event(t, &bad), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_txn_add_event(t, NULL), TOWNORG_EINVALID);
	/* bad metadata is refused and leaves the old metadata */
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2008-13-01";
	ck_assert_int_eq(townorg_txn_set_meta(t, &m), TOWNORG_EINVALID);
	m.effective_date = "2008-12-01";
	m.recorded_at = "yesterday";
	ck_assert_int_eq(townorg_txn_set_meta(t, &m), TOWNORG_EINVALID);
	m.recorded_at = NULL;
	m.doc_number = "\xe4\xb8";
	ck_assert_int_eq(townorg_txn_set_meta(t, &m), TOWNORG_EENCODING);
	m.doc_number = NULL;
	OK(townorg_txn_set_meta(t, &m));
	const townorg_version *v1;
	OK(townorg_txn_commit(&v1, t));
	ck_assert_int_eq(townorg_txn_commit(NULL, t), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_txn_remove(t, "341023"), TOWNORG_EINVALID);
	townorg_txn_free(t);
	ck_assert_uint_eq(townorg_version_event_count(v1), 1);
	const townorg_event *e = townorg_version_event(v1, 0);
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_MERGE);
	ck_assert_str_eq(e->event_id, "e1");
	ck_assert_str_eq(e->from_ids[0], "341023-001-03");
	ck_assert_str_eq(e->documents[0], "黟编〔2008〕5号");
	ck_assert_str_eq(e->wording, "七站所合并为为民服务中心");
	ck_assert_ptr_null(townorg_version_event(v1, 1));
	ck_assert_uint_eq(townorg_version_parent_count(v1), 1);
	ck_assert_ptr_eq(townorg_version_parent(v1, 0), v0);
	ck_assert_ptr_null(townorg_version_parent(v1, 1));
	ck_assert_str_eq(townorg_version_meta(v1)->effective_date, "2008-12-01");
	ck_assert_uint_eq(strlen(townorg_version_meta(v1)->recorded_at), 20);
	ck_assert(townorg_version_is_ancestor(v0, v1));
	ck_assert(!townorg_version_is_ancestor(v1, v0));
	/* the old version is untouched */
	const townorg_entity *x;
	OK(townorg_version_get(&x, v0, "341023-001-03"));
	ck_assert_int_eq(townorg_version_get(&x, v1, "341023-001-03"), TOWNORG_ENOTFOUND);
	ck_assert_str_eq(townorg_event_kind_token(TOWNORG_EVENT_TRANSFER_ARCHIVES), "transfer_archives");
	townorg_event_kind k;
	OK(townorg_event_kind_parse(&k, "reclassify"));
	ck_assert_int_eq(k, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_int_eq(townorg_event_kind_parse(&k, "explode"), TOWNORG_EINVALID);
}
END_TEST

static const townorg_version *commit_change(const char *branch, const char *date, const char *name)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, branch));
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, name, "341023"));
	meta(t, date, NULL);
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

START_TEST(names_and_asof)
{
	const townorg_version *v0 = commit_base();
	const townorg_version *v1 = commit_change("main", "2012-03-01", "渔亭镇一");
	const townorg_version *v2 = commit_change("main", "2016-07-01", "渔亭镇二");
	const townorg_version *v, *got;
	OK(townorg_repo_lookup(&v, repo, "main"));
	ck_assert_ptr_eq(v, v2);
	OK(townorg_repo_lookup(&v, repo, "main~1"));
	ck_assert_ptr_eq(v, v1);
	OK(townorg_repo_lookup(&v, repo, "main~2"));
	ck_assert_ptr_eq(v, v0);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, "main~3"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, "main~x"), TOWNORG_EINVALID);
	OK(townorg_repo_lookup(&v, repo, "main@2012-03-01"));
	ck_assert_ptr_eq(v, v1);
	OK(townorg_repo_lookup(&v, repo, "main@2015-12-31"));
	ck_assert_ptr_eq(v, v1);
	OK(townorg_repo_lookup(&v, repo, "main@2030-01-01"));
	ck_assert_ptr_eq(v, v2);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, "main@2000-01-01"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, "main@2000-1-1"), TOWNORG_EINVALID);
	OK(townorg_repo_asof(&got, repo, "main", "2012-02-29"));
	ck_assert_ptr_eq(got, v0);
	ck_assert_int_eq(townorg_repo_asof(&got, repo, "nobranch", "2012-02-29"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_repo_asof(&got, repo, "main", "20120229"), TOWNORG_EINVALID);
	/* tags */
	OK(townorg_repo_tag_create(repo, "plan-2008", v0));
	ck_assert_int_eq(townorg_repo_tag_create(repo, "plan-2008", v1), TOWNORG_EEXISTS);
	ck_assert_int_eq(townorg_repo_tag_create(repo, "bad name", v1), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_repo_tag_create(repo, "t@x", v1), TOWNORG_EINVALID);
	OK(townorg_repo_lookup(&v, repo, "plan-2008"));
	ck_assert_ptr_eq(v, v0);
	OK(townorg_repo_tag_lookup(&v, repo, "plan-2008"));
	ck_assert_ptr_eq(v, v0);
	ck_assert_uint_eq(townorg_repo_tag_count(repo), 1);
	const townorg_version *tv;
	ck_assert_str_eq(townorg_repo_tag_name(repo, 0, &tv), "plan-2008");
	ck_assert_ptr_eq(tv, v0);
	/* ids and prefixes */
	OK(townorg_repo_lookup(&v, repo, townorg_version_id(v1)));
	ck_assert_ptr_eq(v, v1);
	char prefix[13];
	memcpy(prefix, townorg_version_id(v1), 12);
	prefix[12] = 0;
	OK(townorg_repo_lookup(&v, repo, prefix));
	ck_assert_ptr_eq(v, v1);
	OK(townorg_repo_version_by_id(&v, repo, townorg_version_id(v2)));
	ck_assert_ptr_eq(v, v2);
	ck_assert_int_eq(townorg_repo_version_by_id(&v, repo, "00"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, "abc"), TOWNORG_ENOTFOUND); /* too short a prefix */
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, ""), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, "@2012-01-01"), TOWNORG_EINVALID);
	/* an ambiguous prefix: commit small versions until two ids share
	 * their first four hex digits (the birthday bound makes it quick) */
	char hit[5] = { 0 };
	OK(townorg_repo_branch_create(repo, "side", v0));
	for (int i = 0; i < 5000 && !hit[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "名%d", i);
		const townorg_version *nv = commit_change("side", "2020-01-01", name);
		for (size_t j = 0; j + 1 < townorg_repo_version_count(repo); j++)
			if (!strncmp(townorg_version_id(townorg_repo_version_at(repo, j)), townorg_version_id(nv), 4)) {
				memcpy(hit, townorg_version_id(nv), 4);
				break;
			}
	}
	ck_assert(hit[0]);
	ck_assert_int_eq(townorg_repo_lookup(&v, repo, hit), TOWNORG_EAMBIGUOUS);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), hit));
}
END_TEST

START_TEST(branches)
{
	const townorg_version *v0 = commit_base();
	OK(townorg_repo_branch_create(repo, "plan-2025", v0));
	ck_assert_int_eq(townorg_repo_branch_create(repo, "plan-2025", v0), TOWNORG_EEXISTS);
	ck_assert_int_eq(townorg_repo_branch_create(repo, "-x", v0), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_repo_branch_create(repo, "a b", v0), TOWNORG_EINVALID);
	const townorg_version *p1 = commit_change("plan-2025", "2025-01-01", "渔亭镇计划");
	const townorg_version *h;
	OK(townorg_repo_branch_head(&h, repo, "main"));
	ck_assert_ptr_eq(h, v0);
	OK(townorg_repo_branch_head(&h, repo, "plan-2025"));
	ck_assert_ptr_eq(h, p1);
	ck_assert_uint_eq(townorg_repo_branch_count(repo), 2);
	ck_assert_str_eq(townorg_repo_branch_name(repo, 0), "main");
	ck_assert_str_eq(townorg_repo_branch_name(repo, 1), "plan-2025");
	ck_assert_ptr_null(townorg_repo_branch_name(repo, 2));
	/* a transaction whose branch moved meanwhile conflicts */
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "甲", "341023"));
	commit_change("main", "2010-01-01", "乙");
	expect_commit_fails(t, TOWNORG_ECONFLICT, "main");
	townorg_txn_free(t);
	/* fast-forward main to the plan, then delete the plan branch */
	OK(townorg_repo_branch_set(repo, "main", p1));
	OK(townorg_repo_branch_head(&h, repo, "main"));
	ck_assert_ptr_eq(h, p1);
	ck_assert_int_eq(townorg_repo_branch_set(repo, "nope", p1), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_repo_branch_set(repo, "main", NULL), TOWNORG_EINVALID);
	OK(townorg_repo_branch_delete(repo, "plan-2025"));
	ck_assert_int_eq(townorg_repo_branch_delete(repo, "plan-2025"), TOWNORG_ENOTFOUND);
	/* an empty branch has no head version */
	OK(townorg_repo_branch_create(repo, "empty", NULL));
	OK(townorg_repo_branch_head(&h, repo, "empty"));
	ck_assert_ptr_null(h);
	ck_assert_int_eq(townorg_repo_lookup(&h, repo, "empty"), TOWNORG_ENOTFOUND);
	/* a merge version with two parents */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_add_parent(t, v0));
	ck_assert_int_eq(townorg_txn_add_parent(t, v0), TOWNORG_EEXISTS);
	ck_assert_int_eq(townorg_txn_add_parent(t, NULL), TOWNORG_EINVALID);
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "合并后", "341023"));
	const townorg_version *m;
	OK(townorg_txn_commit(&m, t));
	townorg_txn_free(t);
	ck_assert_uint_eq(townorg_version_parent_count(m), 2);
	/* versions of another repository are refused */
	townorg_repo *r2;
	OK(townorg_repo_new(&r2));
	ck_assert_int_eq(townorg_repo_branch_create(r2, "x", v0), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_txn_new(&t, r2, v0), TOWNORG_EINVALID);
	townorg_repo_free(r2);
}
END_TEST

START_TEST(same_version_twice_refused)
{
	commit_base();
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, NULL));
	const townorg_version *head;
	OK(townorg_repo_branch_head(&head, repo, "main"));
	townorg_iterator *it;
	const townorg_entity *e;
	OK(townorg_iterator_new(&it, head));
	while (townorg_iterator_next(&e, it) == 0)
		OK(townorg_txn_put(t, e));
	townorg_iterator_free(it);
	meta(t, "2008-06-01", "黟政〔2008〕12号");
	ck_assert_int_eq(townorg_txn_commit(NULL, t), TOWNORG_EEXISTS);
	townorg_txn_free(t);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 1);
}
END_TEST

START_TEST(preview_is_detached)
{
	const townorg_version *v0 = commit_base();
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, v0));
	put(t, mk_organ("341023-002-02", TOWNORG_KIND_OFFICE, "渔亭镇经济发展办公室", "341023-002", 5, -1, 4));
	townorg_version *p;
	OK(townorg_txn_preview(&p, t));
	ck_assert_uint_eq(townorg_version_entity_count(p), 9);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 1);
	/* the transaction stays usable and commits the same content */
	const townorg_version *c;
	OK(townorg_txn_commit(&c, t));
	ck_assert_str_eq(townorg_version_state_hash(p), townorg_version_state_hash(c));
	townorg_version_free(p);
	townorg_version_free((townorg_version *)c); /* owned by the repo: ignored */
	ck_assert_uint_eq(townorg_version_entity_count(c), 9);
	townorg_txn_free(t);
	/* a preview of a broken state is refused */
	OK(townorg_txn_new(&t, repo, v0));
	put(t, mk("o", TOWNORG_KIND_OFFICE, "x", "none"));
	p = (void *)1;
	ck_assert_int_eq(townorg_txn_preview(&p, t), TOWNORG_EINTEGRITY);
	ck_assert_ptr_null(p);
	townorg_txn_free(t);
	townorg_txn_free(NULL);
	townorg_version_free(NULL);
	townorg_repo_free(NULL);
}
END_TEST

START_TEST(bad_arguments)
{
	townorg_txn *t;
	ck_assert_int_eq(townorg_txn_new(&t, NULL, NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_txn_new_on_branch(&t, repo, "bad~name"), TOWNORG_EINVALID);
	OK(townorg_txn_new(&t, repo, NULL));
	ck_assert_int_eq(townorg_txn_put(t, NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_txn_set_meta(t, NULL), TOWNORG_EINVALID);
	const townorg_entity *e;
	ck_assert_int_eq(townorg_txn_get(&e, t, "x"), TOWNORG_ENOTFOUND);
	put(t, mk("c", TOWNORG_KIND_COUNTY, "县", NULL));
	OK(townorg_txn_get(&e, t, "c"));
	ck_assert_uint_eq(townorg_txn_entity_count(t), 1);
	townorg_txn_free(t);
}
END_TEST

START_TEST(batch_rollback_restores_everything)
{
	const townorg_version *v0 = commit_base();
	for (int i = 0; i < 30; i++) {
		char d[16];
		snprintf(d, sizeof d, "2009-01-%02d", i + 1);
		char nm[16];
		snprintf(nm, sizeof nm, "镇%d", i);
		commit_change("main", d, nm);
	}
	const townorg_version *head0;
	OK(townorg_repo_branch_head(&head0, repo, "main"));
	size_t n0 = townorg_repo_version_count(repo);
	OK(townorg__repo_batch_begin(repo));
	ck_assert_int_eq(townorg__repo_batch_begin(repo), TOWNORG_EINVALID);
	const char *added[40];
	char ids[40][65];
	for (int i = 0; i < 40; i++) {
		char nm[16];
		snprintf(nm, sizeof nm, "新%d", i);
		const townorg_version *v = commit_change("main", "2011-01-01", nm);
		strcpy(ids[i], townorg_version_id(v));
		added[i] = ids[i];
	}
	OK(townorg_repo_tag_create(repo, "batch-tag", v0));
	OK(townorg_repo_branch_create(repo, "batch-branch", v0));
	OK(townorg__repo_batch_end(repo, false));
	ck_assert_int_eq(townorg__repo_batch_end(repo, false), TOWNORG_EINVALID);
	ck_assert_uint_eq(townorg_repo_version_count(repo), n0);
	const townorg_version *h;
	OK(townorg_repo_branch_head(&h, repo, "main"));
	ck_assert_ptr_eq(h, head0);
	ck_assert_int_eq(townorg_repo_tag_lookup(&h, repo, "batch-tag"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_repo_branch_head(&h, repo, "batch-branch"), TOWNORG_ENOTFOUND);
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(townorg_repo_version_by_id(&h, repo, added[i]), TOWNORG_ENOTFOUND);
	for (size_t i = 0; i < n0; i++) {
		const townorg_version *v = townorg_repo_version_at(repo, i);
		OK(townorg_repo_version_by_id(&h, repo, townorg_version_id(v)));
		ck_assert_ptr_eq(h, v);
	}
	/* a committed batch keeps what it made */
	OK(townorg__repo_batch_begin(repo));
	commit_change("main", "2012-01-01", "留下");
	OK(townorg__repo_batch_end(repo, true));
	ck_assert_uint_eq(townorg_repo_version_count(repo), n0 + 1);
}
END_TEST

/* Brute force: organ quotas summed by walking the children index. */
static int64_t walk_total(const townorg_version *v, const char *id, const char *type, int depth)
{
	const townorg_entity *const *kids;
	size_t n;
	int64_t sum = 0, q;
	townorg_version_children(&kids, &n, v, id);
	for (size_t i = 0; i < n; i++) {
		if (townorg_kind_is_organ(townorg_entity_kind(kids[i]))) {
			if (!type)
				sum += townorg_entity_quota_total(kids[i]);
			else if (townorg_entity_quota(kids[i], type, &q) == 0)
				sum += q;
		} else if (depth == 0 && townorg_kind_is_township_level(townorg_entity_kind(kids[i]))) {
			sum += walk_total(v, townorg_entity_id(kids[i]), type, 1);
		}
	}
	return sum;
}

START_TEST(totals_index_matches_brute_force)
{
	/* Random puts, moves, removals, kind changes across commits; the
	 * totals index must agree with a walk after every commit, in any order
	 * of puts (organs before their new township, townships moved between
	 * counties with their organs).  Loop 1 keeps the indexes on the
	 * importer's second thread (townorg__txn_async_index), whose view of
	 * the units is its own (txn.c); it tracks which unit each organ is
	 * under itself, since a preview would stop the thread. */
	srand(99);
	const char *types[] = { NULL, "admin", "inst" };
	int org_unit[60];
	for (int o = 0; o < 60; o++)
		org_unit[o] = -1;
	for (int round = 0; round < 40; round++) {
		townorg_txn *t;
		OK(townorg_txn_new_on_branch(&t, repo, "main"));
		if (_i == 1) {
			townorg__txn_async_index(t);
			/* (the first round starts from nothing: a bulk build) */
			ck_assert(round == 0 || !townorg__threads_allowed() || t->ix != NULL);
		}
		if (round == 0) {
			for (int c = 0; c < 3; c++) {
				char cid[16];
				snprintf(cid, sizeof cid, "c%d", c);
				put(t, mk(cid, TOWNORG_KIND_COUNTY, "县", NULL));
			}
		}
		for (int k = 0; k < 25; k++) {
			int u = rand() % 12, o = rand() % 60, act = rand() % 6;
			char uid[16], oid[16], cid[16];
			snprintf(uid, sizeof uid, "u%d", u);
			snprintf(oid, sizeof oid, "o%d", o);
			snprintf(cid, sizeof cid, "c%d", rand() % 3);
			const townorg_entity *cur;
			if (act == 0) { /* (re)place a unit, maybe in another county, maybe with a pool */
				townorg_entity_builder *b;
				OK(townorg_entity_builder_new(&b, uid, rand() % 2 ? TOWNORG_KIND_TOWN : TOWNORG_KIND_TOWNSHIP,
							      "乡镇", cid));
				if (rand() % 3 == 0)
					OK(townorg_entity_builder_set_quota(b, "admin", rand() % 50));
				OK(townorg_txn_put_builder(t, b));
				townorg_entity_builder_free(b);
			} else if (act <= 3) { /* an organ under an existing unit */
				if (townorg_txn_get(&cur, t, uid) < 0)
					continue;
				put(t, mk_organ(oid, rand() % 2 ? TOWNORG_KIND_OFFICE : TOWNORG_KIND_CENTER, "机构", uid,
						rand() % 4 ? rand() % 10 : -1, rand() % 2 ? rand() % 10 : -1, rand() % 12));
				org_unit[o] = u;
			} else if (act == 4) { /* remove an organ */
				if (townorg_txn_get(&cur, t, oid) == 0)
					OK(townorg_txn_remove(t, oid));
				org_unit[o] = -1;
			} else if (_i == 1) { /* the same, by the organs' own record */
				bool used = false;
				for (int j = 0; j < 60; j++)
					used |= org_unit[j] == u;
				if (!used && townorg_txn_get(&cur, t, uid) == 0)
					OK(townorg_txn_remove(t, uid));
			} else { /* remove a unit with no organs left */
				const townorg_entity *const *kids;
				size_t n = 0;
				if (townorg_txn_get(&cur, t, uid) == 0) {
					townorg_version *pv;
					OK(townorg_txn_preview(&pv, t));
					townorg_version_children(&kids, &n, pv, uid);
					townorg_version_free(pv);
					if (n == 0)
						OK(townorg_txn_remove(t, uid));
				}
			}
		}
		const townorg_version *v;
		int rc = townorg_txn_commit(&v, t);
		townorg_txn_free(t);
		if (rc == TOWNORG_EEXISTS)
			continue;
		ck_assert_int_eq(rc, 0);
		const townorg_entity *const *top;
		size_t nt;
		townorg_version_children(&top, &nt, v, NULL);
		for (size_t i = 0; i < nt; i++)
			for (int ty = 0; ty < 3; ty++) {
				int64_t fast;
				const char *id = townorg_entity_id(top[i]);
				OK(townorg_version_quota_total(&fast, v, id, types[ty]));
				ck_assert_int_eq(fast, walk_total(v, id, types[ty], 0));
				const townorg_entity *const *units;
				size_t nu;
				townorg_version_children(&units, &nu, v, id);
				for (size_t j = 0; j < nu; j++) {
					OK(townorg_version_quota_total(&fast, v, townorg_entity_id(units[j]), types[ty]));
					ck_assert_int_eq(fast, walk_total(v, townorg_entity_id(units[j]), types[ty], 1));
				}
			}
	}
}
END_TEST

/* townorg__txn_put_all: the first version's trie built at once is the one
 * puts make; a repeated id falls back to puts (the later value wins), and
 * a transaction with a parent takes ordinary puts. */
START_TEST(put_all_same_as_puts)
{
	enum { N = 500 };
	townorg_entity *ents[N + 1];
	for (int i = 0; i < N; i++) {
		char id[32];
		snprintf(id, sizeof id, "c%d", i);
		ents[i] = mk(id, TOWNORG_KIND_COUNTY, "县", NULL);
	}
	ents[N] = mk("c7", TOWNORG_KIND_COUNTY, "另一县", NULL); /* repeats c7 */
	for (int dup = 0; dup < 2; dup++) {
		townorg_txn *a, *b;
		townorg_version *va, *vb;
		OK(townorg_txn_new(&a, repo, NULL));
		OK(townorg_txn_new(&b, repo, NULL));
		for (int i = 0; i < N + dup; i++)
			OK(townorg_txn_put(a, ents[i]));
		OK(townorg__txn_put_all(b, ents, N + dup));
		ck_assert_uint_eq(townorg_txn_entity_count(b), N);
		OK(townorg_txn_preview(&va, a));
		OK(townorg_txn_preview(&vb, b));
		ck_assert_str_eq(townorg_version_state_hash(va), townorg_version_state_hash(vb));
		ck_assert_uint_eq(townorg_version_kind_count(vb, TOWNORG_KIND_COUNTY), N);
		const townorg_entity *c7;
		OK(townorg_version_get(&c7, vb, "c7"));
		ck_assert_str_eq(townorg_entity_name(c7), dup ? "另一县" : "县");
		const townorg_entity *const *top;
		size_t nt;
		OK(townorg_version_children(&top, &nt, vb, NULL));
		ck_assert_uint_eq(nt, N);
		/* on top of a version: puts, same result as one by one */
		const townorg_version *base;
		if (dup == 0) {
			townorg_txn *c;
			OK(townorg_txn_commit(&base, a));
			OK(townorg_txn_new(&c, repo, base));
			OK(townorg__txn_put_all(c, ents + N, 1));
			const townorg_entity *got;
			OK(townorg_txn_get(&got, c, "c7"));
			ck_assert_ptr_eq(got, ents[N]);
			townorg_txn_free(c);
		}
		townorg_version_free(va);
		townorg_version_free(vb);
		townorg_txn_free(a);
		townorg_txn_free(b);
	}
	for (int i = 0; i <= N; i++)
		townorg_entity_free(ents[i]);
}
END_TEST

/* The totals index built in bulk (a first version: bulk.c) holds the very
 * county leaves that per-put updates make (totals.c), pools included, and
 * quota totals of units and counties agree with a walk. */
static int leaf_into(const void *leaf, void *p)
{
	const townorg__totals *l = leaf;
	townorg__strmap *m = p;
	return townorg__strmap_put(m, l->key, (void *)l);
}

START_TEST(bulk_totals_match_per_put)
{
	srand(5);
	enum { NC = 6, NU = 40, NO = 300 };
	townorg_entity *ents[NC + NU + NO];
	size_t n = 0;
	char id[32], pid[32];
	for (int c = 0; c < NC; c++) {
		snprintf(id, sizeof id, "c%d", c);
		ents[n++] = mk(id, TOWNORG_KIND_COUNTY, "县", NULL);
	}
	for (int u = 0; u < NU; u++) {
		townorg_entity_builder *b;
		snprintf(id, sizeof id, "u%d", u);
		snprintf(pid, sizeof pid, "c%d", rand() % NC);
		OK(townorg_entity_builder_new(&b, id, u % 2 ? TOWNORG_KIND_TOWN : TOWNORG_KIND_TOWNSHIP, "乡镇", pid));
		if (rand() % 3 == 0)
			OK(townorg_entity_builder_set_quota(b, rand() % 2 ? "admin" : "inst", rand() % 50));
		OK(townorg_entity_builder_build(&ents[n++], b));
		townorg_entity_builder_free(b);
	}
	for (int o = 0; o < NO; o++) {
		snprintf(id, sizeof id, "o%d", o);
		snprintf(pid, sizeof pid, "u%d", rand() % (NU - 3)); /* the last units have no organs */
		ents[n++] = mk_organ(id, rand() % 2 ? TOWNORG_KIND_OFFICE : TOWNORG_KIND_CENTER, "机构", pid,
				     rand() % 4 ? rand() % 10 : -1, rand() % 2 ? rand() % 10 : -1, rand() % 12);
	}
	/* bulk: a transaction from nothing; per put: one on an empty version */
	townorg_txn *t;
	const townorg_version *bulk, *empty, *per_put;
	OK(townorg_txn_new(&t, repo, NULL));
	OK(townorg__txn_put_all(t, ents, n));
	OK(townorg_txn_commit(&bulk, t));
	townorg_txn_free(t);
	townorg_repo *r2;
	OK(townorg_repo_new(&r2));
	OK(townorg_txn_new(&t, r2, NULL));
	OK(townorg_txn_commit(&empty, t));
	townorg_txn_free(t);
	OK(townorg_txn_new(&t, r2, empty));
	for (size_t i = n; i-- > 0;) /* organs before their units */
		OK(townorg_txn_put(t, ents[i]));
	OK(townorg_txn_commit(&per_put, t));
	townorg_txn_free(t);
	ck_assert_str_eq(townorg_version_state_hash(bulk), townorg_version_state_hash(per_put));
	townorg__strmap mb = { 0 }, mp = { 0 };
	townorg__hamt_foreach(&bulk->totals, leaf_into, &mb);
	townorg__hamt_foreach(&per_put->totals, leaf_into, &mp);
	ck_assert_uint_eq(mb.n, mp.n);
	ck_assert_uint_gt(mb.n, 0);
	int pooled = 0;
	for (size_t i = 0; i < mb.cap; i++) {
		if (!mb.keys[i])
			continue;
		const townorg__totals *a = mb.vals[i], *b = townorg__strmap_get(&mp, mb.keys[i]);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a->key, mb.keys[i]);
		ck_assert_int_eq(a->organs, b->organs);
		ck_assert_int_eq(a->staff, b->staff);
		for (int q = 0; q < 3; q++)
			ck_assert_int_eq(a->osum[q], b->osum[q]);
		for (int q = 0; q < 2; q++) {
			ck_assert_int_eq(a->capped[q], b->capped[q]);
			pooled += a->capped[q] != a->osum[q];
		}
	}
	ck_assert_int_gt(pooled, 0);
	const char *types[] = { NULL, "admin", "inst" };
	for (size_t i = 0; i < NC + NU; i++)
		for (int ty = 0; ty < 3; ty++) {
			int64_t fast;
			const char *eid = townorg_entity_id(ents[i]);
			OK(townorg_version_quota_total(&fast, bulk, eid, types[ty]));
			ck_assert_int_eq(fast, walk_total(bulk, eid, types[ty], i < NC ? 0 : 1));
		}
	townorg__strmap_free(&mb);
	townorg__strmap_free(&mp);
	townorg_repo_free(r2);
	for (size_t i = 0; i < n; i++)
		townorg_entity_free(ents[i]);
}
END_TEST

/* ---- events: held encoded, the records made on request ---- */

/* The canonical bytes of v (docs/format.md "Canonical encoding"), its
 * events taken as added: how a version holds its events must not change
 * the bytes its id hashes. */
static void canonical(townorg__buf *b, const townorg_version *v, const townorg_event *evs, size_t n)
{
	const townorg_meta *m = townorg_version_meta(v);
	townorg__buf_str(b, townorg_version_state_hash(v));
	townorg__buf_varint(b, townorg_version_parent_count(v));
	for (size_t i = 0; i < townorg_version_parent_count(v); i++)
		townorg__buf_str(b, townorg_version_id(townorg_version_parent(v, i)));
	const char *ms[] = { m->effective_date, m->recorded_at, m->author,    m->doc_issuer,
			     m->doc_number,     m->doc_date,    m->doc_title, m->message };
	for (int i = 0; i < 8; i++)
		townorg__buf_str(b, ms[i]);
	townorg__buf_varint(b, n);
	for (size_t i = 0; i < n; i++) {
		const townorg_event *e = &evs[i];
		char made[24];
		snprintf(made, sizeof made, "e%zu", i + 1);
		townorg__buf_varint(b, (uint64_t)e->kind);
		townorg__buf_str(b, e->event_id ? e->event_id : made);
		townorg__buf_varint(b, e->from_count);
		for (size_t j = 0; j < e->from_count; j++)
			townorg__buf_str(b, e->from_ids[j]);
		townorg__buf_varint(b, e->to_count);
		for (size_t j = 0; j < e->to_count; j++)
			townorg__buf_str(b, e->to_ids[j]);
		townorg__buf_varint(b, e->document_count);
		for (size_t j = 0; j < e->document_count; j++)
			townorg__buf_str(b, e->documents[j]);
		townorg__buf_str(b, e->date);
		townorg__buf_str(b, e->wording);
	}
}

static bool in_block(const townorg_version *v, const char *s)
{
	return s >= (const char *)v->ev_data && s < (const char *)v->ev_data + v->ev_len;
}

/* A transaction on v0 (no branch) with a change and the sample events. */
static townorg_txn *txn_with_events(const townorg_version *v0)
{
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, v0));
	put(t, mk("341023-003", TOWNORG_KIND_TOWNSHIP, "宏村乡", "341023"));
	meta(t, "2022-03-01", "冀民函〔2022〕79号");
	add_sample_events(t);
	return t;
}

START_TEST(events_round_trip)
{
	const townorg_version *v0 = commit_base();
	townorg_event want[SAMPLE_EVENTS];
	sample_events(want);
	ck_assert_uint_eq(townorg_version_event_count(v0), 0);
	ck_assert_ptr_null(townorg_version_event(v0, 0));
	townorg_txn *t = txn_with_events(v0);
	/* a preview holds its own events, read before and after the commit */
	townorg_version *p;
	OK(townorg_txn_preview(&p, t));
	ck_sample_events(p);
	const townorg_version *c;
	OK(townorg_txn_commit(&c, t));
	townorg_txn_free(t);
	ck_assert_str_eq(townorg_version_id(p), townorg_version_id(c));
	ck_sample_events(p);
	townorg_version_free(p);
	/* counting and reading the encoded events makes no records */
	ck_assert_uint_eq(townorg_version_event_count(c), SAMPLE_EVENTS);
	ck_assert_ptr_null(c->ev_cache);
	/* the block: the strings given and a few bytes an event */
	size_t strbytes = 0;
	for (size_t i = 0; i < SAMPLE_EVENTS; i++) {
		const townorg_event *w = &want[i];
		const char *one[] = { w->event_id, w->date, w->wording };
		for (size_t j = 0; j < 3; j++)
			strbytes += one[j] ? strlen(one[j]) + 1 : 0;
		for (size_t j = 0; j < w->from_count; j++)
			strbytes += strlen(w->from_ids[j]) + 1;
		for (size_t j = 0; j < w->to_count; j++)
			strbytes += strlen(w->to_ids[j]) + 1;
		for (size_t j = 0; j < w->document_count; j++)
			strbytes += strlen(w->documents[j]) + 1;
	}
	ck_assert_uint_le(c->ev_len, strbytes + 3 * SAMPLE_EVENTS);
	townorg__event_iter it;
	townorg_event e;
	OK(townorg__event_iter_init(&it, c));
	size_t n = 0;
	while (townorg__event_iter_next(&it, &e)) {
		ck_assert_uint_eq(it.i, n + 1);
		ck_event_eq(&e, &want[n], n);
		for (size_t j = 0; j < e.from_count; j++)
			ck_assert(in_block(c, e.from_ids[j]));
		for (size_t j = 0; j < e.to_count; j++)
			ck_assert(in_block(c, e.to_ids[j]));
		n++;
	}
	townorg__event_iter_end(&it);
	ck_assert_uint_eq(n, SAMPLE_EVENTS);
	ck_assert_ptr_null(c->ev_cache);
	/* the id hashes the same bytes as before (events as added) */
	townorg__buf got = { 0 }, exp = { 0 };
	townorg__version_encode(&got, c);
	canonical(&exp, c, want, SAMPLE_EVENTS);
	ck_assert(!got.failed && !exp.failed);
	ck_assert_uint_eq(got.len, exp.len);
	ck_assert(!memcmp(got.data, exp.data, got.len));
	townorg__sha sha;
	unsigned char h[TOWNORG__HASH_SIZE];
	char hex[65];
	townorg__sha_init(&sha);
	townorg__sha_update(&sha, "townorg-version-1", 18);
	townorg__sha_update(&sha, exp.data, exp.len);
	townorg__sha_final(&sha, h);
	townorg__hex(hex, h, TOWNORG__HASH_SIZE);
	ck_assert_str_eq(townorg_version_id(c), hex);
	townorg__buf_free(&got);
	townorg__buf_free(&exp);
	/* the records: made on the first request, the same ever after */
	ck_sample_events(c);
	ck_assert_ptr_nonnull(c->ev_cache);
	ck_assert_ptr_eq(townorg_version_event(c, 0), &c->ev_cache[0]);
	ck_assert(in_block(c, townorg_version_event(c, 5)->documents[3]));
	/* the same transaction again: refused, and it keeps its events */
	t = txn_with_events(v0);
	ck_assert_int_eq(townorg_txn_commit(NULL, t), TOWNORG_EEXISTS);
	OK(townorg_txn_preview(&p, t));
	ck_assert_str_eq(townorg_version_id(p), townorg_version_id(c));
	ck_sample_events(p);
	townorg_version_free(p);
	townorg_txn_free(t);
	/* a commit that moves a branch */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("341023-004", TOWNORG_KIND_TOWNSHIP, "柯村乡", "341023"));
	meta(t, "2022-04-01", NULL);
	add_sample_events(t);
	OK(townorg_txn_commit(&c, t));
	townorg_txn_free(t);
	ck_sample_events(c);
}
END_TEST

struct first_call {
	const townorg_version *v;
	pthread_barrier_t *go;
	const townorg_event *first, *last;
};

static void *first_call(void *p)
{
	struct first_call *a = p;
	pthread_barrier_wait(a->go);
	a->last = townorg_version_event(a->v, SAMPLE_EVENTS - 1);
	a->first = townorg_version_event(a->v, 0);
	return NULL;
}

/* Threads asking a version for its events at once all get the same
 * records (one array made, the others' attempts lost). */
START_TEST(events_first_call_threads)
{
	const townorg_version *v0 = commit_base();
	enum { T = 8, ROUNDS = 64 };
	townorg_event want[SAMPLE_EVENTS];
	sample_events(want);
	for (int r = 0; r < ROUNDS; r++) {
		townorg_txn *t;
		char date[16];
		OK(townorg_txn_new(&t, repo, v0));
		snprintf(date, sizeof date, "%04d-%02d-01", 2000 + r / 12, r % 12 + 1);
		meta(t, date, "冀民函〔2022〕79号");
		add_sample_events(t);
		const townorg_version *v;
		OK(townorg_txn_commit(&v, t));
		townorg_txn_free(t);
		ck_assert_ptr_null(v->ev_cache);
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, T);
		pthread_t th[T];
		struct first_call a[T];
		for (int i = 0; i < T; i++) {
			a[i] = (struct first_call){ v, &go, NULL, NULL };
			ck_assert_int_eq(pthread_create(&th[i], NULL, first_call, &a[i]), 0);
		}
		for (int i = 0; i < T; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		for (int i = 0; i < T; i++) {
			ck_assert_ptr_eq(a[i].first, townorg_version_event(v, 0));
			ck_assert_ptr_eq(a[i].last, townorg_version_event(v, SAMPLE_EVENTS - 1));
		}
		ck_event_eq(a[0].first, &want[0], 0);
		ck_event_eq(a[0].last, &want[SAMPLE_EVENTS - 1], SAMPLE_EVENTS - 1);
	}
}
END_TEST

/* ---- concurrent readers ---- */

struct reader_arg {
	const townorg_version *v;
	long sum;
};

static void *reader(void *p)
{
	struct reader_arg *a = p;
	for (int round = 0; round < 200; round++) {
		const townorg_entity *const *kids;
		size_t n;
		townorg_version_children(&kids, &n, a->v, "341023-001");
		for (size_t i = 0; i < n; i++)
			a->sum += (long)townorg_entity_quota_total(kids[i]);
		const townorg_entity *e;
		if (townorg_version_get(&e, a->v, "341023-002") == 0)
			a->sum += (long)strlen(townorg_entity_name(e));
		int64_t q;
		townorg_version_quota_total(&q, a->v, "341023", NULL);
		a->sum += (long)q;
	}
	return NULL;
}

START_TEST(threads_read_while_committing)
{
	const townorg_version *v0 = commit_base();
	enum { T = 4 };
	pthread_t th[T];
	struct reader_arg args[T];
	for (int i = 0; i < T; i++) {
		args[i].v = v0;
		args[i].sum = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, &args[i]), 0);
	}
	for (int i = 0; i < 20; i++) {
		char date[16], name[32];
		snprintf(date, sizeof date, "20%02d-01-01", 10 + i);
		snprintf(name, sizeof name, "渔亭镇%d", i);
		commit_change("main", date, name);
	}
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	long expect = 200L * (38 + (long)strlen("渔亭镇") + 45);
	for (int i = 0; i < T; i++)
		ck_assert_int_eq(args[i].sum, expect);
}
END_TEST

/* Every entity's children at a version, by a scan of all its entities:
 * the values at that version, sorted by id. */
static void check_children_by_scan(const townorg_version *v)
{
	enum { MAXE = 256 };
	const townorg_entity *all[MAXE];
	size_t n = 0;
	townorg_iterator *it;
	const townorg_entity *e;
	OK(townorg_iterator_new(&it, v));
	while (townorg_iterator_next(&e, it) == 0) {
		ck_assert_uint_lt(n, MAXE);
		all[n++] = e;
	}
	townorg_iterator_free(it);
	for (size_t p = 0; p <= n; p++) {
		const char *pid = p < n ? townorg_entity_id(all[p]) : NULL;
		const townorg_entity *want[MAXE];
		size_t nw = 0;
		for (size_t i = 0; i < n; i++) {
			const char *q = townorg_entity_parent_id(all[i]);
			if ((!pid && !q) || (pid && q && !strcmp(pid, q)))
				want[nw++] = all[i];
		}
		for (size_t i = 1; i < nw; i++) /* insertion sort by id */
			for (size_t j = i; j > 0 && strcmp(townorg_entity_id(want[j - 1]), townorg_entity_id(want[j])) > 0; j--) {
				const townorg_entity *x = want[j];
				want[j] = want[j - 1];
				want[j - 1] = x;
			}
		const townorg_entity *const *kids, *const *again;
		size_t nk, n2;
		OK(townorg_version_children(&kids, &nk, v, pid));
		ck_assert_uint_eq(nk, nw);
		for (size_t i = 0; i < nk; i++)
			ck_assert_ptr_eq(kids[i], want[i]);
		OK(townorg_version_children(&again, &n2, v, pid)); /* kept: the same array */
		ck_assert_uint_eq(n2, nk);
		if (nk)
			ck_assert_ptr_eq(again, kids);
	}
}

/* The children index lists who the children are and changes only with the
 * membership; a child's value may change many times while its set stays.
 * Children read at any version — the newest and every older one, which
 * share sets with it — are that version's values: names, kinds, quotas and
 * moves across a random history, on both index paths. */
START_TEST(children_are_the_versions_values)
{
	srand(7);
	const townorg_version *vs[30];
	int nv = 0;
	for (int round = 0; round < 30; round++) {
		townorg_txn *t;
		OK(townorg_txn_new_on_branch(&t, repo, "main"));
		if (_i == 1)
			townorg__txn_async_index(t);
		if (round == 0) {
			put(t, mk("c0", TOWNORG_KIND_COUNTY, "甲县", NULL));
			put(t, mk("c1", TOWNORG_KIND_COUNTY, "乙县", NULL));
			for (int u = 0; u < 6; u++) {
				char uid[8];
				snprintf(uid, sizeof uid, "u%d", u);
				put(t, mk(uid, TOWNORG_KIND_TOWN, "镇", u % 2 ? "c1" : "c0"));
			}
		}
		for (int k = 0; k < 8; k++) {
			char oid[8], uid[8], name[32];
			int o = rand() % 40, act = rand() % 5;
			snprintf(oid, sizeof oid, "o%02d", o);
			snprintf(uid, sizeof uid, "u%d", rand() % 6);
			snprintf(name, sizeof name, "机构%d-%d", o, round);
			const townorg_entity *cur;
			bool exists = townorg_txn_get(&cur, t, oid) == 0;
			if (act == 0 && exists) {
				OK(townorg_txn_remove(t, oid));
			} else if (act <= 2 && exists) { /* a new value under the same unit */
				put(t, mk_organ(oid, rand() % 2 ? TOWNORG_KIND_OFFICE : TOWNORG_KIND_CENTER, name,
						townorg_entity_parent_id(cur), rand() % 9, -1, rand() % 9));
			} else { /* new, or moved to a (maybe) different unit */
				put(t, mk_organ(oid, TOWNORG_KIND_STATION, name, uid, -1, rand() % 9, rand() % 9));
			}
			if (rand() % 4 == 0) { /* a unit renamed: its organs' set is unchanged */
				snprintf(name, sizeof name, "镇%d", round);
				put(t, mk(uid, TOWNORG_KIND_TOWNSHIP, name, uid[1] % 2 ? "c1" : "c0"));
			}
		}
		int rc = townorg_txn_commit(&vs[nv], t);
		townorg_txn_free(t);
		if (rc == TOWNORG_EEXISTS)
			continue;
		ck_assert_int_eq(rc, 0);
		check_children_by_scan(vs[nv++]);
	}
	ck_assert_int_gt(nv, 20);
	for (int i = 0; i < nv; i++)
		check_children_by_scan(vs[i]);
}
END_TEST

/* The commit checks read a child's kind at the version being checked, not
 * the kind it had when it joined its parent's set. */
START_TEST(integrity_reads_current_child_kinds)
{
	townorg_txn *t;
	const townorg_version *v;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("c", TOWNORG_KIND_COUNTY, "县", NULL));
	put(t, mk("x", TOWNORG_KIND_DEPARTMENT, "县直部门", "c"));
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("x", TOWNORG_KIND_TOWN, "某镇", "c")); /* same parent: c's set stays */
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("c", TOWNORG_KIND_PROVINCE, "省", NULL));
	ck_assert_int_eq(townorg_txn_commit(&v, t), TOWNORG_EINTEGRITY);
	ck_assert_msg(strstr(townorg_error_last(), "x (town)") != NULL, "%s", townorg_error_last());
	townorg_txn_free(t);

	/* A transaction from nothing checks set by set; a preview retires its
	 * edit token, so a set made before it lists its children only. */
	townorg_repo *r2;
	townorg_version *pv;
	OK(townorg_repo_new(&r2));
	OK(townorg_txn_new_on_branch(&t, r2, "main"));
	put(t, mk("p", TOWNORG_KIND_PROVINCE, "省", NULL));
	put(t, mk("x", TOWNORG_KIND_COUNTY, "县", "p"));
	OK(townorg_txn_preview(&pv, t));
	townorg_version_free(pv);
	put(t, mk("x", TOWNORG_KIND_TOWN, "镇", "p")); /* a town cannot sit under a province */
	ck_assert_int_eq(townorg_txn_commit(&v, t), TOWNORG_EINTEGRITY);
	ck_assert_msg(strstr(townorg_error_last(), "x (town)") != NULL, "%s", townorg_error_last());
	townorg_txn_free(t);
	townorg_repo_free(r2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repo");
	TCase *tc = tcase_create("repo");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, commit_and_read);
	tcase_add_test(tc, quota_totals_and_headroom);
	tcase_add_test(tc, integrity_missing_parent);
	tcase_add_test(tc, integrity_kinds);
	tcase_add_test(tc, integrity_removed_parent);
	tcase_add_test(tc, state_hash_independent_of_edit_order);
	tcase_add_test(tc, events_and_meta);
	tcase_add_test(tc, names_and_asof);
	tcase_add_test(tc, branches);
	tcase_add_test(tc, same_version_twice_refused);
	tcase_add_test(tc, preview_is_detached);
	tcase_add_test(tc, events_round_trip);
	tcase_add_test(tc, events_first_call_threads);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, threads_read_while_committing);
	tcase_add_test(tc, batch_rollback_restores_everything);
	tcase_add_loop_test(tc, totals_index_matches_brute_force, 0, 2);
	tcase_add_test(tc, put_all_same_as_puts);
	tcase_add_test(tc, bulk_totals_match_per_put);
	tcase_add_loop_test(tc, children_are_the_versions_values, 0, 2);
	tcase_add_test(tc, integrity_reads_current_child_kinds);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

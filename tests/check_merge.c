/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_merge.c — merge base, fast-forward and field-level three-way
 * merges (conflicts: same field, remove vs change, add/add), events of
 * both sides, committing with two parents, patches; and the real NBS lists:
 * consecutive editions diffed and cross-checked against the CSV files. */
#include <config.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include "testutil.h"
#include "townorg/merge.h"
#include "base/internal.h"

static townorg_repo *repo;
static const townorg_version *v0;

static const townorg_version *commit(townorg_txn *t)
{
	const townorg_version *v;
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2024-01-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	OK(townorg_txn_set_meta(t, &m));
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

/* 黟县 with 碧阳镇 (population 41000), its offices 01 (admin 10) and
 * 02 (admin 8), and 渔亭镇 with nothing below it. */
static void setup(void)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	OK(townorg_repo_new(&repo));
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	OK(townorg_entity_builder_new(&b, "341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 41000));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "党政办公室", "341023-001", 10, -1, 10));
	put(t, mk_organ("341023-001-02", TOWNORG_KIND_OFFICE, "经济发展办公室", "341023-001", 8, -1, 7));
	v0 = commit(t);
	OK(townorg_repo_branch_create(repo, "plan", v0));
}

static void teardown(void) { townorg_repo_free(repo); }

/* Change one field of an entity on a branch's head. */
static void set_field(townorg_txn *t, const char *id, const char *field, const char *value)
{
	const townorg_entity *e;
	townorg_entity_builder *b;
	OK(townorg_txn_get(&e, t, id));
	OK(townorg_entity_builder_from(&b, e));
	if (!strcmp(field, "name"))
		OK(townorg_entity_builder_set_name(b, value));
	else if (!strcmp(field, "population"))
		OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, atol(value)));
	else if (!strcmp(field, "admin"))
		OK(townorg_entity_builder_set_quota(b, "admin", atol(value)));
	else if (!strcmp(field, "staff"))
		OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, atol(value)));
	else
		OK(townorg_entity_builder_set_text(b, field, value));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
}

static const townorg_version *change(const char *branch, const char *id, const char *field, const char *value)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, branch));
	set_field(t, id, field, value);
	return commit(t);
}

static const townorg_version *head(const char *branch)
{
	const townorg_version *v;
	OK(townorg_repo_branch_head(&v, repo, branch));
	return v;
}

static townorg_merge_result *merge_into_main(void)
{
	townorg_merge_result *r;
	OK(townorg_merge(&r, repo, head("main"), head("plan"), NULL));
	return r;
}

START_TEST(fast_forward)
{
	const townorg_version *p = change("plan", "341023-001-01", "name", "党建工作办公室");
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_FAST_FORWARD);
	ck_assert_int_eq(townorg_merge_result_is_fast_forward(r), 1);
	ck_assert_ptr_eq(townorg_merge_result_target(r), p);
	ck_assert_ptr_null(townorg_merge_result_txn(r));
	size_t n = townorg_repo_version_count(repo);
	const townorg_version *v;
	OK(townorg_merge_result_commit(&v, r, NULL, "main"));
	ck_assert_ptr_eq(v, p);
	ck_assert_ptr_eq(head("main"), p);
	ck_assert_uint_eq(townorg_repo_version_count(repo), n); /* nothing built */
	townorg_merge_result_free(r);
	/* and the other way round: up to date */
	OK(townorg_merge(&r, repo, p, v0, NULL));
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_UP_TO_DATE);
	ck_assert_int_eq(townorg_merge_result_is_fast_forward(r), 0);
	ck_assert_ptr_eq(townorg_merge_result_target(r), p);
	townorg_merge_result_free(r);
	/* an empty branch fast-forwards */
	OK(townorg_merge(&r, repo, NULL, p, NULL));
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_FAST_FORWARD);
	OK(townorg_merge_result_commit(&v, r, NULL, "fresh"));
	ck_assert_ptr_eq(head("fresh"), p);
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(merge_base_choice)
{
	const townorg_version *b, *m1 = change("main", "341023-001", "population", "42000");
	const townorg_version *p1 = change("plan", "341023-002", "name", "渔亭镇新");
	OK(townorg_merge_base(&b, m1, p1));
	ck_assert_ptr_eq(b, v0);
	OK(townorg_merge_base(&b, p1, m1));
	ck_assert_ptr_eq(b, v0);
	OK(townorg_merge_base(&b, v0, p1));
	ck_assert_ptr_eq(b, v0);
	OK(townorg_merge_base(&b, NULL, p1));
	ck_assert_ptr_null(b);
	/* two unrelated roots share no ancestor */
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, NULL));
	put(t, mk("341024", TOWNORG_KIND_COUNTY, "祁门县", NULL));
	const townorg_version *lone = commit(t);
	OK(townorg_merge_base(&b, lone, p1));
	ck_assert_ptr_null(b);
}
END_TEST

/* Criss-cross: two merges of the same pair give two best common
 * ancestors; the one added to the repository last is chosen. */
START_TEST(merge_base_criss_cross)
{
	const townorg_version *m1 = change("main", "341023-001", "population", "42000");
	const townorg_version *p1 = change("plan", "341023-002", "name", "渔亭");
	townorg_txn *t;
	OK(townorg_txn_new(&t, repo, m1));
	OK(townorg_txn_add_parent(t, p1));
	set_field(t, "341023-002", "name", "渔亭");
	const townorg_version *x = commit(t);
	OK(townorg_txn_new(&t, repo, p1));
	OK(townorg_txn_add_parent(t, m1));
	set_field(t, "341023-001", "population", "42000");
	set_field(t, "341023-001-01", "staff", "1");
	const townorg_version *y = commit(t), *b;
	OK(townorg_merge_base(&b, x, y));
	ck_assert_ptr_eq(b, p1);
	OK(townorg_merge_base(&b, y, x));
	ck_assert_ptr_eq(b, p1);
}
END_TEST

START_TEST(clean_fields_of_one_entity)
{
	const townorg_version *m = change("main", "341023-001", "population", "42000");
	const townorg_version *p = change("plan", "341023-001", "name", "碧阳街道");
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CLEAN);
	ck_assert_uint_eq(townorg_merge_result_conflict_count(r), 0);
	ck_assert_ptr_eq(townorg_merge_result_base(r), v0);
	ck_assert_uint_eq(townorg_merge_result_applied(r), 1);
	const townorg_version *pv;
	const townorg_entity *e;
	OK(townorg_merge_result_preview(&pv, r));
	OK(townorg_version_get(&e, pv, "341023-001"));
	ck_assert_str_eq(townorg_entity_name(e), "碧阳街道");
	int64_t pop;
	OK(townorg_entity_int(e, TOWNORG_FIELD_POPULATION, &pop));
	ck_assert_int_eq(pop, 42000);
	/* commit: two parents, ours first, branch moved */
	townorg_meta meta = TOWNORG_META_INIT;
	meta.message = "merge plan";
	meta.recorded_at = "2024-02-01T00:00:00Z";
	const townorg_version *v;
	OK(townorg_merge_result_commit(&v, r, &meta, "main"));
	ck_assert_ptr_eq(head("main"), v);
	ck_assert_uint_eq(townorg_version_parent_count(v), 2);
	ck_assert_ptr_eq(townorg_version_parent(v, 0), m);
	ck_assert_ptr_eq(townorg_version_parent(v, 1), p);
	ck_assert_str_eq(townorg_version_meta(v)->message, "merge plan");
	ck_assert_str_eq(townorg_version_state_hash(v), townorg_version_state_hash(pv) /* same state */);
	ck_assert_int_eq(townorg_merge_result_commit(NULL, r, NULL, NULL), TOWNORG_EINVALID); /* spent */
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(branch_moved_is_refused)
{
	change("main", "341023-001", "population", "42000");
	change("plan", "341023-001", "name", "碧阳街道");
	townorg_merge_result *r = merge_into_main();
	const townorg_version *moved = change("main", "341023-002", "name", "渔亭");
	ck_assert_int_eq(townorg_merge_result_commit(NULL, r, NULL, "main"), TOWNORG_ECONFLICT);
	ck_assert_ptr_eq(head("main"), moved);
	/* still committable without a branch */
	const townorg_version *v;
	OK(townorg_merge_result_commit(&v, r, NULL, NULL));
	ck_assert_ptr_eq(head("main"), moved);
	ck_assert_uint_eq(townorg_version_parent_count(v), 2);
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(same_field_conflict)
{
	change("main", "341023-001-01", "admin", "11");
	change("main", "341023-001", "population", "42000");
	change("plan", "341023-001-01", "admin", "9");
	change("plan", "341023-001-01", "name", "党建办"); /* a clean field of the same entity */
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CONFLICTS);
	ck_assert_uint_eq(townorg_merge_result_conflict_count(r), 1);
	const townorg_merge_conflict *c = townorg_merge_result_conflict_at(r, 0);
	ck_assert_str_eq(c->id, "341023-001-01");
	ck_assert_str_eq(c->field, "admin_quota");
	ck_assert_int_eq(c->type, TOWNORG_VALUE_INT);
	ck_assert_str_eq(c->base_value, "10");
	ck_assert_str_eq(c->ours_value, "11");
	ck_assert_str_eq(c->theirs_value, "9");
	ck_assert_int_eq(c->ours, TOWNORG_MERGE_SIDE_CHANGED);
	ck_assert_int_eq(c->theirs, TOWNORG_MERGE_SIDE_CHANGED);
	ck_assert_ptr_null(townorg_merge_result_conflict_at(r, 1));
	ck_assert_ptr_null(townorg_merge_result_txn(r));
	const townorg_version *pv, *before = head("main");
	size_t n = townorg_repo_version_count(repo);
	ck_assert_int_eq(townorg_merge_result_preview(&pv, r), TOWNORG_ECONFLICT);
	ck_assert_int_eq(townorg_merge_result_commit(NULL, r, NULL, "main"), TOWNORG_ECONFLICT);
	ck_assert_ptr_eq(head("main"), before);
	ck_assert_uint_eq(townorg_repo_version_count(repo), n);
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(same_change_on_both_sides)
{
	change("main", "341023-001-01", "admin", "11");
	change("plan", "341023-001-01", "staff", "9");
	change("plan", "341023-001-01", "admin", "11");
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CLEAN);
	const townorg_version *pv;
	const townorg_entity *e;
	int64_t q, s;
	OK(townorg_merge_result_preview(&pv, r));
	OK(townorg_version_get(&e, pv, "341023-001-01"));
	OK(townorg_entity_quota(e, "admin", &q));
	OK(townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &s));
	ck_assert_int_eq(q, 11);
	ck_assert_int_eq(s, 9);
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(remove_vs_change)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_remove(t, "341023-001-02"));
	commit(t);
	change("plan", "341023-001-02", "name", "经济发展和社会事务办公室");
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CONFLICTS);
	ck_assert_uint_eq(townorg_merge_result_conflict_count(r), 1);
	const townorg_merge_conflict *c = townorg_merge_result_conflict_at(r, 0);
	ck_assert_str_eq(c->id, "341023-001-02");
	ck_assert_str_eq(c->field, "name");
	ck_assert_str_eq(c->base_value, "经济发展办公室");
	ck_assert_ptr_null(c->ours_value);
	ck_assert_str_eq(c->theirs_value, "经济发展和社会事务办公室");
	ck_assert_int_eq(c->ours, TOWNORG_MERGE_SIDE_REMOVED);
	ck_assert_int_eq(c->theirs, TOWNORG_MERGE_SIDE_CHANGED);
	townorg_merge_result_free(r);
	/* removed on both sides: fine */
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	OK(townorg_txn_remove(t, "341023-001-02"));
	commit(t);
	r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CLEAN);
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(add_add)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_CENTER, "为民服务中心", "341023-001", -1, 25, -1));
	put(t, mk("341023-001-04", TOWNORG_KIND_OFFICE, "平安办", "341023-001"));
	commit(t);
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_CENTER, "便民服务中心", "341023-001", -1, 20, -1));
	put(t, mk("341023-001-04", TOWNORG_KIND_OFFICE, "平安办", "341023-001")); /* identical */
	commit(t);
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CONFLICTS);
	ck_assert_uint_eq(townorg_merge_result_conflict_count(r), 2);
	const townorg_merge_conflict *c = townorg_merge_result_conflict_at(r, 0);
	ck_assert_str_eq(c->id, "341023-001-03");
	ck_assert_str_eq(c->field, "name");
	ck_assert_ptr_null(c->base_value);
	ck_assert_str_eq(c->ours_value, "为民服务中心");
	ck_assert_str_eq(c->theirs_value, "便民服务中心");
	ck_assert_int_eq(c->ours, TOWNORG_MERGE_SIDE_ADDED);
	c = townorg_merge_result_conflict_at(r, 1);
	ck_assert_str_eq(c->field, "inst_quota");
	ck_assert_str_eq(c->ours_value, "25");
	ck_assert_str_eq(c->theirs_value, "20");
	townorg_merge_result_free(r);
}
END_TEST

static void add_event(townorg_txn *t, townorg_event_kind kind, const char *id, const char *doc)
{
	townorg_event ev = TOWNORG_EVENT_INIT;
	const char *ids[1] = { id };
	const char *docs[1] = { doc };
	ev.kind = kind;
	ev.to_ids = ids;
	ev.to_count = 1;
	ev.documents = docs;
	ev.document_count = 1;
	OK(townorg_txn_add_event(t, &ev));
}

START_TEST(events_of_both_sides)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	set_field(t, "341023-001-01", "name", "党建工作办公室");
	add_event(t, TOWNORG_EVENT_RENAME, "341023-001-01", "黟编〔2024〕1号");
	const townorg_version *m = commit(t);
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_CENTER, "为民服务中心", "341023-001", -1, 25, -1));
	add_event(t, TOWNORG_EVENT_CREATE, "341023-001-03", "黟编〔2024〕2号");
	commit(t);
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CLEAN);
	const townorg_version *v;
	OK(townorg_merge_result_commit(&v, r, NULL, "main"));
	townorg_merge_result_free(r);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, v, NULL));
	ck_assert_uint_eq(townorg_diff_num_events(d), 2);
	int seen_rename = 0, seen_create = 0;
	for (size_t i = 0; i < 2; i++) {
		const townorg_event *e = townorg_diff_event_at(d, i)->event;
		seen_rename += e->kind == TOWNORG_EVENT_RENAME;
		seen_create += e->kind == TOWNORG_EVENT_CREATE;
	}
	ck_assert(seen_rename == 1 && seen_create == 1);
	ck_assert_uint_eq(townorg_diff_num_deltas(d), 2);
	townorg_diff_free(d);
	/* from ours: theirs' event is what the merge brought */
	OK(townorg_diff_versions(&d, m, v, NULL));
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	ck_assert_int_eq(townorg_diff_event_at(d, 0)->event->kind, TOWNORG_EVENT_CREATE);
	townorg_diff_free(d);
}
END_TEST

START_TEST(dangling_parent_is_an_integrity_error)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_remove(t, "341023-002"));
	commit(t);
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	put(t, mk("341023-002-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办", "341023-002"));
	commit(t);
	townorg_merge_result *r = merge_into_main();
	ck_assert_int_eq(townorg_merge_result_status(r), TOWNORG_MERGE_CLEAN);
	const townorg_version *pv, *before = head("main");
	ck_assert_int_eq(townorg_merge_result_preview(&pv, r), TOWNORG_EINTEGRITY);
	ck_assert_int_eq(townorg_merge_result_commit(NULL, r, NULL, "main"), TOWNORG_EINTEGRITY);
	ck_assert_ptr_eq(head("main"), before);
	/* resolved in the result's transaction, it commits */
	OK(townorg_txn_remove(townorg_merge_result_txn(r), "341023-002-01"));
	OK(townorg_merge_result_commit(NULL, r, NULL, "main"));
	townorg_merge_result_free(r);
}
END_TEST

START_TEST(bad_arguments)
{
	townorg_merge_result *r;
	townorg_merge_options o = TOWNORG_MERGE_OPTIONS_INIT;
	o.version = 99;
	ck_assert_int_eq(townorg_merge(&r, repo, v0, v0, &o), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_merge(&r, repo, v0, NULL, NULL), TOWNORG_EINVALID);
	townorg_repo *other;
	OK(townorg_repo_new(&other));
	ck_assert_int_eq(townorg_merge(&r, other, v0, v0, NULL), TOWNORG_EINVALID);
	townorg_repo_free(other);
	townorg_merge_result_free(NULL);
}
END_TEST

START_TEST(patch_applies_and_refuses_stale)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	set_field(t, "341023-001-01", "admin", "12");
	set_field(t, "341023-001", "population", "43000");
	OK(townorg_txn_remove(t, "341023-001-02"));
	put(t, mk("341023-002-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办", "341023-002"));
	const townorg_version *p = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, p, NULL));
	/* onto v0: the same state */
	const townorg_version *pv;
	OK(townorg_txn_new(&t, repo, v0));
	OK(townorg_patch_apply(t, d, NULL));
	OK(townorg_txn_preview((townorg_version **)&pv, t));
	ck_assert_str_eq(townorg_version_state_hash(pv), townorg_version_state_hash(p));
	townorg_version_free((townorg_version *)pv);
	townorg_txn_free(t);
	/* onto a version where another field of 341023-001-01 changed: fine, kept */
	const townorg_version *m = change("main", "341023-001-01", "staff", "3");
	OK(townorg_txn_new(&t, repo, m));
	OK(townorg_patch_apply(t, d, NULL));
	const townorg_entity *e;
	int64_t q, s;
	OK(townorg_txn_get(&e, t, "341023-001-01"));
	OK(townorg_entity_quota(e, "admin", &q));
	OK(townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &s));
	ck_assert_int_eq(q, 12);
	ck_assert_int_eq(s, 3);
	townorg_txn_free(t);
	/* a stale before-value: refused, the transaction unchanged */
	m = change("main", "341023-001-01", "admin", "11");
	OK(townorg_txn_new(&t, repo, m));
	OK(townorg_txn_preview((townorg_version **)&pv, t));
	ck_assert_int_eq(townorg_patch_apply(t, d, NULL), TOWNORG_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "341023-001-01"));
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "admin_quota"));
	const townorg_version *after;
	OK(townorg_txn_preview((townorg_version **)&after, t));
	ck_assert_str_eq(townorg_version_state_hash(after), townorg_version_state_hash(pv));
	townorg_version_free((townorg_version *)after);
	townorg_version_free((townorg_version *)pv);
	townorg_txn_free(t);
	/* an added entity that exists, a removed one that changed */
	OK(townorg_txn_new(&t, repo, p));
	ck_assert_int_eq(townorg_patch_apply(t, d, NULL), TOWNORG_ECONFLICT); /* changed fields are stale */
	townorg_txn_free(t);
	townorg_diff *d2;
	OK(townorg_diff_versions(&d2, v0, p, NULL));
	OK(townorg_txn_new(&t, repo, v0));
	put(t, mk("341023-002-01", TOWNORG_KIND_OFFICE, "已有", "341023-002"));
	ck_assert_int_eq(townorg_patch_apply(t, d2, NULL), TOWNORG_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "341023-002-01"));
	townorg_txn_free(t);
	OK(townorg_txn_new(&t, repo, v0));
	set_field(t, "341023-001-02", "staff", "1");
	ck_assert_int_eq(townorg_patch_apply(t, d2, NULL), TOWNORG_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "341023-001-02"));
	OK(townorg_txn_get(&e, t, "341023-001-02"));
	townorg_txn_free(t);
	townorg_diff_free(d2);
	townorg_diff_free(d);
}
END_TEST

START_TEST(patch_with_events)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "plan"));
	set_field(t, "341023-001-01", "name", "党建工作办公室");
	add_event(t, TOWNORG_EVENT_RENAME, "341023-001-01", "黟编〔2024〕1号");
	const townorg_version *p = commit(t);
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, p, NULL));
	townorg_patch_options o = TOWNORG_PATCH_OPTIONS_INIT;
	o.flags = TOWNORG_PATCH_EVENTS;
	const townorg_version *m = change("main", "341023-002", "name", "渔亭");
	OK(townorg_txn_new(&t, repo, m));
	OK(townorg_patch_apply(t, d, &o));
	const townorg_version *v = commit(t);
	ck_assert_uint_eq(townorg_version_event_count(v), 1);
	ck_assert_int_eq(townorg_version_event(v, 0)->kind, TOWNORG_EVENT_RENAME);
	o.flags = 0x80;
	OK(townorg_txn_new(&t, repo, m));
	ck_assert_int_eq(townorg_patch_apply(t, d, &o), TOWNORG_EINVALID);
	townorg_txn_free(t);
	townorg_diff_free(d);
}
END_TEST

/* Every allocation failure is reported as TOWNORG_ENOMEM and leaks nothing. */
START_TEST(out_of_memory)
{
	change("main", "341023-001", "population", "42000");
	change("main", "341023-001-01", "admin", "11");
	change("plan", "341023-001", "name", "碧阳街道");
	change("plan", "341023-001-01", "admin", "12");
	const townorg_version *p = change("plan", "341023-001-02", "name", "经发办");
	int rc = -1;
	for (long n = 1; n < 100000 && rc != 0; n++) {
		townorg_merge_result *r = NULL;
		townorg__fault_set(n);
		rc = townorg_merge(&r, repo, head("main"), p, NULL);
		townorg__fault_set(0);
		ck_assert_msg(rc == 0 || rc == TOWNORG_ENOMEM, "fault %ld: %d", n, rc);
		if (rc == 0)
			ck_assert_uint_eq(townorg_merge_result_conflict_count(r), 1);
		townorg_merge_result_free(r);
	}
	townorg_diff *d;
	OK(townorg_diff_versions(&d, v0, p, NULL));
	rc = -1;
	for (long n = 1; n < 100000 && rc != 0; n++) {
		townorg_txn *t;
		OK(townorg_txn_new(&t, repo, v0));
		townorg__fault_set(n);
		rc = townorg_patch_apply(t, d, NULL);
		townorg__fault_set(0);
		ck_assert_msg(rc == 0 || rc == TOWNORG_ENOMEM, "fault %ld: %d", n, rc);
		townorg_txn_free(t);
	}
	townorg_diff_free(d);
}
END_TEST

/* ------------------------------------------------------------ NBS */

typedef struct {
	char code[16];
	char *name;
} row;

static bool ends_with(const char *s, size_t len, const char *suffix, size_t *slen)
{
	*slen = strlen(suffix);
	return len >= *slen && !memcmp(s + len - *slen, suffix, *slen);
}

/* docs/realdata.md "What is normalised": trim spaces (ASCII, tab, U+00A0,
 * U+3000), drop a trailing 办事处, a trailing 街道办 becomes 街道. */
static char *normalise(const char *s)
{
	size_t len = strlen(s), sl;
	for (;;) {
		if (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		else if (len >= 2 && !memcmp(s, "\xc2\xa0", 2))
			s += 2, len -= 2;
		else if (len >= 3 && !memcmp(s, "\xe3\x80\x80", 3))
			s += 3, len -= 3;
		else
			break;
	}
	for (;;) {
		if (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		else if (ends_with(s, len, "\xc2\xa0", &sl) || ends_with(s, len, "\xe3\x80\x80", &sl))
			len -= sl;
		else
			break;
	}
	char *out = malloc(len + 16);
	memcpy(out, s, len);
	out[len] = 0;
	if (ends_with(out, len, "办事处", &sl))
		out[len - sl] = 0;
	else if (ends_with(out, len, "街道办", &sl))
		strcpy(out + len - sl, "街道");
	return out;
}

/* A tiny CSV reader: the first two fields of each data row (quotes, "" escapes). */
static row *read_streets(const char *dir, size_t *n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/streets.csv", dir);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	size_t cap = 1024;
	row *rows = malloc(cap * sizeof *rows);
	char line[8192], field[2][4096];
	bool header = true;
	*n = 0;
	while (fgets(line, sizeof line, f)) {
		if (header) {
			header = false;
			continue;
		}
		const char *p = line;
		if (!memcmp(p, "\xef\xbb\xbf", 3))
			p += 3;
		for (int k = 0; k < 2; k++) {
			size_t m = 0;
			if (*p == '"') {
				for (p++; *p; p++) {
					if (*p == '"' && p[1] == '"')
						field[k][m++] = '"', p++;
					else if (*p == '"') {
						p++;
						break;
					} else
						field[k][m++] = *p;
				}
			} else {
				while (*p && *p != ',' && *p != '\n' && *p != '\r')
					field[k][m++] = *p++;
			}
			field[k][m] = 0;
			if (*p == ',')
				p++;
		}
		if (!field[0][0])
			continue;
		if (*n == cap)
			rows = realloc(rows, (cap *= 2) * sizeof *rows);
		snprintf(rows[*n].code, sizeof rows[*n].code, "%.15s", field[0]);
		rows[*n].name = normalise(field[1]);
		(*n)++;
	}
	fclose(f);
	return rows;
}

static int row_cmp(const void *x, const void *y) { return strcmp(((const row *)x)->code, ((const row *)y)->code); }

static void free_rows(row *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].name);
	free(r);
}

START_TEST(nbs_consecutive_editions)
{
	/* Tagged "shared": run by tests/check-shared-data.sh only, which says
	 * SKIP when the real data is absent; here its absence is a failure. */
	const char *shared = getenv("SHARED_DIR");
	char src[4096];
	struct stat st;
	ck_assert_msg(shared && *shared, "SHARED_DIR is not set");
	snprintf(src, sizeof src, "%s/data/real/nbs-townships", shared);
	ck_assert_msg(stat(src, &st) == 0, "%s is missing", src);
	townorg_repo *r;
	townorg_realdata_report *rep;
	OK(townorg_repo_new(&r));
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	o.recorded_at = "2024-01-01T00:00:00Z";
	OK(townorg_nbs_import(&rep, r, src, &o));
	size_t ne = townorg_realdata_report_edition_count(rep);
	ck_assert_uint_ge(ne, 2);
	townorg_diff_options dopt = TOWNORG_DIFF_OPTIONS_INIT;
	dopt.kinds = TOWNORG_KIND_BIT(TOWNORG_KIND_TOWN) | TOWNORG_KIND_BIT(TOWNORG_KIND_TOWNSHIP) |
		     TOWNORG_KIND_BIT(TOWNORG_KIND_SUBDISTRICT) | TOWNORG_KIND_BIT(TOWNORG_KIND_TOWNSHIP_LIKE);
	dopt.flags = TOWNORG_DIFF_SKIP_EVENTS | TOWNORG_DIFF_SKIP_TOTALS;
	size_t total_changes = 0;
	for (size_t i = 0; i + 1 < ne; i++) {
		const townorg_realdata_edition *ea = townorg_realdata_report_edition(rep, i);
		const townorg_realdata_edition *eb = townorg_realdata_report_edition(rep, i + 1);
		const townorg_version *va, *vb;
		OK(townorg_repo_lookup(&va, r, ea->tag));
		OK(townorg_repo_lookup(&vb, r, eb->tag));
		townorg_diff *d;
		OK(townorg_diff_versions(&d, va, vb, &dopt));
		size_t added = townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED);
		size_t removed = townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED);
		size_t renamed = 0;
		for (size_t k = 0; k < townorg_diff_num_deltas(d); k++) {
			const townorg_diff_delta *dl = townorg_diff_delta_at(d, k);
			for (size_t f = 0; dl->status == TOWNORG_DELTA_CHANGED && f < dl->field_count; f++)
				renamed += !strcmp(dl->fields[f].name, "name");
		}
		/* the independent count, from the two streets.csv files */
		size_t na, nb, ia = 0, ib = 0, xa = 0, xr = 0, xn = 0;
		row *ra = read_streets(ea->path, &na), *rb = read_streets(eb->path, &nb);
		qsort(ra, na, sizeof *ra, row_cmp);
		qsort(rb, nb, sizeof *rb, row_cmp);
		ck_assert_uint_eq(na, ea->townships);
		ck_assert_uint_eq(nb, eb->townships);
		while (ia < na || ib < nb) {
			int c = ia >= na ? 1 : ib >= nb ? -1 : strcmp(ra[ia].code, rb[ib].code);
			if (c < 0)
				xr++, ia++;
			else if (c > 0)
				xa++, ib++;
			else
				xn += strcmp(ra[ia].name, rb[ib].name) != 0, ia++, ib++;
		}
		ck_assert_msg(added == xa && removed == xr && renamed == xn,
			      "%s→%s: diff added %zu removed %zu renamed %zu; CSV added %zu removed %zu renamed %zu",
			      ea->year, eb->year, added, removed, renamed, xa, xr, xn);
		fprintf(stderr, "# %s→%s: added %zu, removed %zu, renamed %zu\n", ea->year, eb->year, added, removed,
			renamed);
		total_changes += added + removed + renamed;
		free_rows(ra, na);
		free_rows(rb, nb);
		townorg_diff_free(d);
	}
	ck_assert_uint_gt(total_changes, 0);
	townorg_realdata_report_free(rep);
	townorg_repo_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("merge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fast_forward);
	tcase_add_test(tc, merge_base_choice);
	tcase_add_test(tc, merge_base_criss_cross);
	tcase_add_test(tc, clean_fields_of_one_entity);
	tcase_add_test(tc, branch_moved_is_refused);
	tcase_add_test(tc, same_field_conflict);
	tcase_add_test(tc, same_change_on_both_sides);
	tcase_add_test(tc, remove_vs_change);
	tcase_add_test(tc, add_add);
	tcase_add_test(tc, events_of_both_sides);
	tcase_add_test(tc, dangling_parent_is_an_integrity_error);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, patch_applies_and_refuses_stale);
	tcase_add_test(tc, patch_with_events);
	tcase_add_test(tc, out_of_memory);
	suite_add_tcase(s, tc);
	TCase *nbs = tcase_create("nbs");
	tcase_set_tags(nbs, "shared");
	tcase_set_timeout(nbs, 120);
	tcase_add_test(nbs, nbs_consecutive_editions);
	suite_add_tcase(s, nbs);
	return run_suite(s);
}

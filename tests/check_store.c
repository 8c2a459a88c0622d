/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_store.c — the SQLite repository store: round trip, append-only
 * enforcement, lazy loading, verify on good and tampered files, bad files,
 * read-only opens, two processes writing, a reader refreshing, threads
 * loading while another commits, and a child killed mid-commit. */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "testutil.h"
#include "store/store_internal.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/townorg-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/county.townorg", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static bool under_valgrind(void) { return getenv("TOWNORG_VALGRIND") != NULL; }

static void meta(townorg_txn *t, const char *date, const char *doc)
{
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = date;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = doc;
	m.author = "黟县编办";
	m.message = "测试";
	OK(townorg_txn_set_meta(t, &m));
}

/* 黟县 in miniature (as check_repo.c), on main. */
static const townorg_version *commit_base(townorg_repo *r)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	OK(townorg_entity_builder_new(&b, "341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	OK(townorg_entity_builder_set_quota(b, "admin", 224));
	OK(townorg_entity_builder_set_quota(b, "inst", 169));
	OK(townorg_entity_builder_set_text(b, "code", "341023"));
	OK(townorg_entity_builder_list_add(b, "functions", "统筹"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_builder_new(&b, "341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_LARGE));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_LEADER_POSTS, 9));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "碧阳镇党政办公室", "341023-001", 10, -1, 10));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_CENTER, "碧阳镇为民服务中心", "341023-001", -1, 20, 18));
	put(t, mk_organ("341023-002-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办公室", "341023-002", 7, -1, 6));
	meta(t, "2008-06-01", "黟政〔2008〕12号");
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

/* One more version on a branch: organ number i under 渔亭镇, and every
 * third commit removes the organ of three commits before. */
static int commit_step(townorg_repo *r, const char *branch, int i, const townorg_version **out)
{
	townorg_txn *t;
	char id[64], name[64], date[16];
	int rc = townorg_txn_new_on_branch(&t, r, branch);
	if (rc < 0)
		return rc;
	snprintf(id, sizeof id, "341023-002-%04d", i);
	snprintf(name, sizeof name, "渔亭镇第%d办公室", i);
	put(t, mk_organ(id, TOWNORG_KIND_OFFICE, name, "341023-002", i % 7, -1, i % 5));
	if (i % 3 == 0 && i >= 3) {
		snprintf(id, sizeof id, "341023-002-%04d", i - 3);
		townorg_txn_remove(t, id); /* may be gone already */
		townorg_error_clear();
	}
	snprintf(date, sizeof date, "%04d-01-01", 2009 + i % 900);
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = date;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = name;
	OK(townorg_txn_set_meta(t, &m));
	rc = townorg_txn_commit(out, t);
	townorg_txn_free(t);
	return rc;
}

static void new_repo_with_history(int steps)
{
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_CREATE));
	commit_base(r);
	const townorg_version *v;
	for (int i = 1; i <= steps; i++)
		OK(commit_step(r, "main", i, &v));
	townorg_repo_free(r);
}

static const char *head_id(townorg_repo *r, const char *branch)
{
	const townorg_version *v;
	OK(townorg_repo_branch_head(&v, r, branch));
	return v ? townorg_version_id(v) : NULL;
}

/* ------------------------------------------------------------ round trip */

START_TEST(round_trip)
{
	townorg_repo *r;
	ck_assert_int_eq(townorg_repo_open(&r, path, 0), TOWNORG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), path));
	OK(townorg_repo_init(path));
	ck_assert_int_eq(townorg_repo_init(path), TOWNORG_EEXISTS);
	OK(townorg_repo_open(&r, path, 0));
	ck_assert_str_eq(townorg_repo_path(r), path);
	ck_assert_int_eq(townorg_repo_is_readonly(r), 0);
	const townorg_version *v1 = commit_base(r), *v2, *v3;
	OK(commit_step(r, "main", 1, &v2));
	OK(townorg_repo_branch_create(r, "plan-2025", v2));
	OK(commit_step(r, "plan-2025", 2, &v3));
	OK(townorg_repo_tag_create(r, "base", v1));
	OK(townorg_repo_branch_create(r, "empty", NULL));
	OK(townorg_repo_branch_create(r, "gone", v1));
	OK(townorg_repo_branch_delete(r, "gone"));
	/* a merge version with an event */
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	OK(townorg_txn_add_parent(t, v3));
	const char *from[] = { "341023-002-0001" }, *to[] = { "341023-001-03" }, *docs[] = { "黟编〔2009〕1号" };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_MERGE;
	ev.from_ids = from;
	ev.from_count = 1;
	ev.to_ids = to;
	ev.to_count = 1;
	ev.documents = docs;
	ev.document_count = 1;
	ev.wording = "并入为民服务中心";
	OK(townorg_txn_add_event(t, &ev));
	OK(townorg_txn_remove(t, "341023-002-0001"));
	meta(t, "2010-03-01", "黟编〔2010〕3号");
	const townorg_version *v4;
	OK(townorg_txn_commit(&v4, t));
	townorg_txn_free(t);

	char ids[4][65], states[4][65];
	const townorg_version *vs[4] = { v1, v2, v3, v4 };
	for (int i = 0; i < 4; i++) {
		strcpy(ids[i], townorg_version_id(vs[i]));
		strcpy(states[i], townorg_version_state_hash(vs[i]));
	}
	townorg_repo_free(r);

	OK(townorg_repo_open(&r, path, 0));
	ck_assert_uint_eq(townorg_repo_version_count(r), 4);
	for (int i = 0; i < 4; i++) {
		const townorg_version *v;
		OK(townorg_repo_version_by_id(&v, r, ids[i]));
		ck_assert_str_eq(townorg_version_state_hash(v), states[i]);
	}
	ck_assert_str_eq(head_id(r, "main"), ids[3]);
	ck_assert_str_eq(head_id(r, "plan-2025"), ids[2]);
	ck_assert_ptr_null(head_id(r, "empty"));
	ck_assert_uint_eq(townorg_repo_branch_count(r), 3);
	const townorg_version *v;
	ck_assert_int_eq(townorg_repo_branch_head(&v, r, "gone"), TOWNORG_ENOTFOUND);
	OK(townorg_repo_tag_lookup(&v, r, "base"));
	ck_assert_str_eq(townorg_version_id(v), ids[0]);
	OK(townorg_repo_asof(&v, r, "main", "2009-06-01"));
	ck_assert_str_eq(townorg_version_id(v), ids[0]);
	OK(townorg_repo_lookup(&v, r, "main~1"));
	ck_assert_str_eq(townorg_version_id(v), ids[1]);
	/* content */
	OK(townorg_repo_lookup(&v, r, "main"));
	ck_assert_uint_eq(townorg_version_parent_count(v), 2);
	ck_assert_uint_eq(townorg_version_event_count(v), 1);
	const townorg_event *e = townorg_version_event(v, 0);
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_MERGE);
	ck_assert_str_eq(e->wording, "并入为民服务中心");
	ck_assert_str_eq(e->documents[0], "黟编〔2009〕1号");
	ck_assert_str_eq(townorg_version_meta(v)->doc_number, "黟编〔2010〕3号");
	ck_assert_str_eq(townorg_version_meta(v)->message, "测试");
	const townorg_entity *ent;
	OK(townorg_version_get(&ent, v, "341023"));
	ck_assert_str_eq(townorg_entity_name(ent), "黟县");
	ck_assert_str_eq(townorg_entity_text(ent, "code"), "341023");
	int64_t q;
	OK(townorg_entity_quota(ent, "inst", &q));
	ck_assert_int_eq(q, 169);
	ck_assert_int_eq(townorg_version_get(&ent, v, "341023-002-0001"), TOWNORG_ENOTFOUND);
	ck_assert_uint_eq(townorg_version_entity_count(v), 6);
	ck_assert_uint_eq(townorg_version_kind_count(v, TOWNORG_KIND_OFFICE), 2);
	const townorg_entity *const *kids;
	size_t n;
	OK(townorg_version_children(&kids, &n, v, "341023-001"));
	ck_assert_uint_eq(n, 2);
	OK(townorg_repo_lookup(&v, r, "plan-2025"));
	ck_assert_uint_eq(townorg_version_entity_count(v), 8);
	OK(townorg_version_get(&ent, v, "341023-002-0002"));
	/* and keeps working: commit on top of a loaded-from-file version */
	OK(commit_step(r, "main", 5, &v));
	townorg_repo_free(r);
	OK(townorg_repo_open(&r, path, 0));
	ck_assert_uint_eq(townorg_repo_version_count(r), 5);
	ck_assert_str_eq(head_id(r, "main"), townorg_version_id(townorg_repo_version_at(r, 4)));
	townorg_repo_free(r);

	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	size_t no, nv, nl;
	townorg_verify_report_counts(rep, &no, &nv, &nl);
	ck_assert_uint_eq(nv, 5);
	ck_assert_uint_ge(no, 8);
	ck_assert_uint_eq(nl, 10);
	ck_assert_uint_eq(strlen(townorg_verify_report_log_head(rep)), 64);
	townorg_verify_report_free(rep);
}
END_TEST

/* Events written to the file come back the same (they are read with the
 * version's metadata, before and without its content), and a version
 * read from the file writes the same bytes as its child's parent. */
START_TEST(events_round_trip)
{
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_CREATE));
	commit_base(r);
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put(t, mk("341023-003", TOWNORG_KIND_TOWNSHIP, "宏村乡", "341023"));
	meta(t, "2022-03-01", "冀民函〔2022〕79号");
	add_sample_events(t);
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	ck_sample_events(v);
	char id[65];
	strcpy(id, townorg_version_id(v));
	townorg_repo_free(r);

	for (int ro = 0; ro < 2; ro++) {
		OK(townorg_repo_open(&r, path, ro ? TOWNORG_OPEN_READONLY : 0));
		OK(townorg_repo_version_by_id(&v, r, id));
		ck_assert_int_eq(v->loaded, 0);
		ck_assert_uint_eq(townorg_version_event_count(v), SAMPLE_EVENTS);
		ck_assert_ptr_null(v->ev_cache);
		ck_sample_events(v);
		ck_assert_int_eq(v->loaded, 0); /* events need not the content */
		if (!ro) {
			/* its canonical bytes, made again from what was read,
			 * still hash to its id */
			townorg__buf b = { 0 };
			townorg__version_encode(&b, v);
			ck_assert(!b.failed);
			townorg__sha sha;
			unsigned char h[TOWNORG__HASH_SIZE];
			char hex[65];
			townorg__sha_init(&sha);
			townorg__sha_update(&sha, "townorg-version-1", 18);
			townorg__sha_update(&sha, b.data, b.len);
			townorg__sha_final(&sha, h);
			townorg__hex(hex, h, TOWNORG__HASH_SIZE);
			ck_assert_str_eq(hex, id);
			townorg__buf_free(&b);
			const townorg_version *c;
			OK(commit_step(r, "main", 1, &c));
			ck_assert_ptr_eq(townorg_version_parent(c, 0), v);
		}
		townorg_repo_free(r);
	}
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);
}
END_TEST

START_TEST(in_memory_repo_has_no_path)
{
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	ck_assert_ptr_null(townorg_repo_path(r));
	size_t n = 9;
	OK(townorg_repo_refresh(r, &n));
	ck_assert_uint_eq(n, 0);
	townorg_repo_free(r);
	ck_assert_int_eq(townorg_repo_open(&r, NULL, 0), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_repo_open(&r, path, 0x80), TOWNORG_EINVALID);
}
END_TEST

/* ------------------------------------------------------------ append-only */

START_TEST(append_only_enforced)
{
	new_repo_with_history(3);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	const char *bad[] = {
		"UPDATE pack SET data = x'00'",       "DELETE FROM pack",
		"UPDATE version SET body = x'00'",    "DELETE FROM version",
		"UPDATE reflog SET name = 'x'",       "DELETE FROM reflog",
		"UPDATE meta SET value = 'sm3'",      "DELETE FROM meta",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err = NULL;
		ck_assert_int_ne(sqlite3_exec(db, bad[i], NULL, NULL, &err), SQLITE_OK);
		ck_assert_msg(err && strstr(err, "append-only"), "%s: %s", bad[i], err ? err : "");
		sqlite3_free(err);
	}
	sqlite3_close(db);
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);
}
END_TEST

/* ------------------------------------------------------------ lazy loading */

START_TEST(lazy_loading)
{
	new_repo_with_history(20);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY));
	const townorg__store *s = townorg__store_of(r);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(townorg_repo_version_count(r), 21);
	/* opening read metadata only */
	ck_assert_uint_eq(s->stat_decoded, 0);
	ck_assert_uint_eq(s->stat_loads, 0);
	for (size_t i = 0; i < 21; i++)
		ck_assert_int_eq(townorg_repo_version_at(r, i)->loaded, 0);
	const townorg_version *v;
	OK(townorg_repo_lookup(&v, r, "main@2015-06-01"));
	ck_assert_str_eq(townorg_version_meta(v)->effective_date, "2015-01-01"); /* metadata without loading */
	ck_assert_uint_eq(s->stat_loads, 0);
	/* the head: a snapshot at depth 16 plus four deltas, not all 21 */
	OK(townorg_repo_branch_head(&v, r, "main"));
	const townorg_entity *e;
	OK(townorg_version_get(&e, v, "341023-002-0020"));
	ck_assert_uint_le(s->stat_loads, TOWNORG__STORE_SNAPSHOT_EVERY);
	ck_assert_uint_ge(s->stat_loads, 1);
	ck_assert_int_eq(townorg_repo_version_at(r, 1)->loaded, 0);
	uint64_t decoded = s->stat_decoded;
	/* its first parent now loads from the objects already in memory */
	OK(townorg_repo_lookup(&v, r, "main~1"));
	OK(townorg_version_get(&e, v, "341023"));
	ck_assert_uint_eq(s->stat_decoded, decoded);
	/* every version loads and agrees with its state hash */
	for (size_t i = 0; i < 21; i++)
		ck_assert_uint_gt(townorg_version_entity_count(townorg_repo_version_at(r, i)), 5);
	townorg_repo_free(r);
}
END_TEST

/* ------------------------------------------------------------ verify, tampering */

static sqlite3 *raw_open(void)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err ? err : "");
}

static int find_problem(townorg_verify_report *rep, townorg_verify_kind kind, const char *what)
{
	for (size_t i = 0; i < townorg_verify_report_problem_count(rep); i++) {
		townorg_verify_kind k;
		const char *w, *m;
		OK(townorg_verify_report_problem(rep, i, &k, &w, &m));
		if (k == kind && (!what || !strcmp(w, what)))
			return 1;
	}
	return 0;
}

START_TEST(verify_tampered_object)
{
	new_repo_with_history(2);
	/* Rewrite the pack holding 黟县's record with its name changed:
	 * the stored hash stays, the bytes change. */
	sqlite3 *db = raw_open();
	raw_exec(db, "DROP TRIGGER pack_no_update");
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT first, data, hashes FROM pack ORDER BY first LIMIT 1", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t first = sqlite3_column_int64(st, 0);
	unsigned char *raw;
	size_t len;
	OK(townorg__store_unwrap(&raw, &len, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)));
	const char *needle = "黟县";
	unsigned char *hit = memmem(raw, len, needle, strlen(needle));
	ck_assert_ptr_nonnull(hit);
	memcpy(hit, "歙县", strlen("歙县")); /* same length in UTF-8 */
	/* the hash of the record we changed */
	size_t idx = 0;
	townorg__rd rd = { raw, raw + len, false, false };
	while (rd.p < rd.end) {
		uint64_t n = townorg__rd_varint(&rd);
		if (hit >= rd.p && hit < rd.p + n)
			break;
		rd.p += n;
		idx++;
	}
	char want[65];
	townorg__hex(want, (const unsigned char *)sqlite3_column_blob(st, 2) + idx * 32, 32);
	sqlite3_finalize(st);
	townorg__buf b = { 0 };
	townorg__buf_putc(&b, 0);
	townorg__buf_varint(&b, len);
	townorg__buf_put(&b, raw, len);
	townorg_free(raw);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE pack SET data = ? WHERE first = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, b.data, (int)b.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, first);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	townorg__buf_free(&b);
	sqlite3_close(db);

	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 0);
	ck_assert_msg(find_problem(rep, TOWNORG_VERIFY_OBJECT, want), "tampered object %s not listed", want);
	/* every version holds the county, so none can be rebuilt; and the
	 * trigger dropped to tamper is missing (issue 23) */
	ck_assert_uint_eq(townorg_verify_report_problem_count(rep), 1 + 3 + 1);
	ck_assert_msg(find_problem(rep, TOWNORG_VERIFY_SCHEMA, "pack_no_update"), "the dropped trigger is not listed");
	townorg_verify_report_free(rep);

	/* a normal open works (metadata), reading the content fails cleanly */
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	const townorg_version *v;
	OK(townorg_repo_lookup(&v, r, "main"));
	const townorg_entity *e;
	ck_assert_int_eq(townorg_version_get(&e, v, "341023"), TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), want));
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), path));
	ck_assert_uint_eq(townorg_version_entity_count(v), 0);
	townorg_txn *t;
	ck_assert_int_eq(townorg_txn_new_on_branch(&t, r, "main"), TOWNORG_ECORRUPT);
	/* nothing more is written through this handle, and it says why (issue 23) */
	const townorg_version *root;
	OK(townorg_repo_lookup(&root, r, "main~1"));
	ck_assert_int_eq(townorg_repo_tag_create(r, "after-damage", root), TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "refusing to write"));
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "failed their hash check"));
	ck_assert_int_eq(townorg_repo_branch_create(r, "after-damage", root), TOWNORG_ECORRUPT);
	townorg_repo_free(r);
	/* and nothing was written */
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY));
	ck_assert_int_eq(townorg_repo_tag_lookup(&v, r, "after-damage"), TOWNORG_ENOTFOUND);
	townorg_repo_free(r);
}
END_TEST

START_TEST(verify_tampered_version_and_log)
{
	new_repo_with_history(3);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	char id1[65];
	strcpy(id1, townorg_version_id(townorg_repo_version_at(r, 1)));
	townorg_repo_free(r);
	sqlite3 *db = raw_open();
	raw_exec(db, "DROP TRIGGER reflog_no_update; DROP TRIGGER version_no_update");
	/* point a log record elsewhere without fixing its hash */
	raw_exec(db, "UPDATE reflog SET new = (SELECT id FROM version WHERE seq = 1) WHERE seq = 3");
	/* change the message of version 2 (seq 2): its bytes no longer match its id */
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT body FROM version WHERE seq = 2", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_bytes(st, 0);
	unsigned char *body = malloc((size_t)n);
	memcpy(body, sqlite3_column_blob(st, 0), (size_t)n);
	sqlite3_finalize(st);
	unsigned char *hit = memmem(body, (size_t)n, "2010-01-01", 10);
	ck_assert_ptr_nonnull(hit);
	hit[3] = '1';
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE version SET body = ? WHERE seq = 2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, body, n, free);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);

	ck_assert_int_eq(townorg_repo_open(&r, path, 0), TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), id1));
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert(find_problem(rep, TOWNORG_VERIFY_VERSION, id1));
	ck_assert(find_problem(rep, TOWNORG_VERIFY_REFLOG, "3"));
	townorg_verify_report_free(rep);
}
END_TEST

static int cancel_early(uint64_t done, uint64_t total, void *payload)
{
	(*(int *)payload)++;
	ck_assert_uint_le(done, total);
	return 1;
}

START_TEST(verify_progress_cancels)
{
	new_repo_with_history(300);
	townorg_verify_report *rep = (void *)1;
	int calls = 0;
	ck_assert_int_eq(townorg_repo_verify(&rep, path, cancel_early, &calls), TOWNORG_ERROR);
	ck_assert_ptr_null(rep);
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "cancelled"));
}
END_TEST

/* ------------------------------------------------------------ bad files */

static void write_file(const char *p, const void *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void expect_bad(const char *p, int code)
{
	townorg_repo *r = (void *)1;
	ck_assert_int_eq(townorg_repo_open(&r, p, 0), code);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(townorg_error_last(), p), "message does not name the file: %s", townorg_error_last());
	townorg_verify_report *rep;
	ck_assert_int_eq(townorg_repo_verify(&rep, p, NULL, NULL), code);
}

START_TEST(bad_files)
{
	char p[160];
	snprintf(p, sizeof p, "%s/notes.txt", dir);
	const char text[] = "这不是数据库 — not a database, just some text that is long enough to fill a header.\n"
			    "It goes on for a while so that SQLite reads a full 100-byte header from it.\n";
	write_file(p, text, sizeof text - 1);
	expect_bad(p, TOWNORG_ECORRUPT);

	snprintf(p, sizeof p, "%s/empty", dir);
	write_file(p, "", 0);
	expect_bad(p, TOWNORG_ECORRUPT);

	snprintf(p, sizeof p, "%s/other.sqlite", dir);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	raw_exec(db, "CREATE TABLE meta(key, value); INSERT INTO meta VALUES('format', 'townorg-store/1');"
		     "CREATE TABLE version(x)");
	sqlite3_close(db);
	expect_bad(p, TOWNORG_ECORRUPT);

	/* the right application id but a foreign schema */
	snprintf(p, sizeof p, "%s/impostor.sqlite", dir);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	raw_exec(db, "PRAGMA application_id = 1414485838; CREATE TABLE meta(key, value);"
		     "INSERT INTO meta VALUES('format', 'townorg-store/1'), ('hash', 'sha256');");
	sqlite3_close(db);
	expect_bad(p, TOWNORG_ECORRUPT);

	/* a newer format and another hash algorithm */
	new_repo_with_history(2);
	char q[160], cmd[400];
	snprintf(q, sizeof q, "%s/sm3.townorg", dir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, q);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(sqlite3_open(q, &db), SQLITE_OK);
	raw_exec(db, "DROP TRIGGER meta_no_update; UPDATE meta SET value = 'sm3' WHERE key = 'hash'");
	sqlite3_close(db);
	expect_bad(q, TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "sm3"));

	/* truncated copies of a real repository, at several lengths */
	new_repo_with_history(0); /* no-op: the file exists already */
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	static unsigned char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	ck_assert_uint_gt(len, 8192);
	size_t cuts[] = { 50, 100, 4096, len / 2, len - 4096 };
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		snprintf(p, sizeof p, "%s/truncated-%zu", dir, i);
		write_file(p, buf, cuts[i]);
		townorg_repo *r = NULL;
		int rc = townorg_repo_open(&r, p, 0);
		if (rc == 0) {
			/* what the file still holds may open; its content must then
			 * fail cleanly or verify must list it */
			townorg_repo_free(r);
			townorg_verify_report *rep;
			rc = townorg_repo_verify(&rep, p, NULL, NULL);
			if (rc == 0) {
				ck_assert_msg(!townorg_verify_report_ok(rep), "truncated at %zu verifies", cuts[i]);
				townorg_verify_report_free(rep);
			}
		} else {
			ck_assert_msg(rc == TOWNORG_ECORRUPT, "cut %zu: %d %s", cuts[i], rc, townorg_error_last());
			ck_assert_ptr_nonnull(strstr(townorg_error_last(), p));
		}
	}
	/* a directory */
	townorg_repo *r;
	ck_assert_int_eq(townorg_repo_open(&r, dir, 0), TOWNORG_EINVALID);
}
END_TEST

/* ------------------------------------------------------------ read-only */

START_TEST(read_only_open)
{
	new_repo_with_history(2);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY));
	ck_assert_int_eq(townorg_repo_is_readonly(r), 1);
	townorg_txn *t;
	ck_assert_int_eq(townorg_txn_new_on_branch(&t, r, "main"), TOWNORG_EREADONLY);
	ck_assert_int_eq(townorg_repo_branch_create(r, "x", NULL), TOWNORG_EREADONLY);
	const townorg_version *v;
	OK(townorg_repo_branch_head(&v, r, "main"));
	ck_assert_uint_eq(townorg_version_entity_count(v), 8);
	townorg_repo_free(r);
	ck_assert_int_eq(townorg_repo_open(&r, "/nonexistent/dir/x.townorg", TOWNORG_OPEN_CREATE | TOWNORG_OPEN_READONLY),
			 TOWNORG_ENOTFOUND);

	/* A file the user cannot write opens read-only by itself.  root can
	 * write anything, so the check runs as nobody in a child. */
	ck_assert_int_eq(chmod(path, 0444), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(3);
		townorg_repo *rr;
		if (townorg_repo_open(&rr, path, 0) != 0)
			_exit(4);
		int ok = townorg_repo_is_readonly(rr) && townorg_repo_branch_head(&v, rr, "main") == 0 &&
			 townorg_version_entity_count(v) == 8;
		townorg_repo_free(rr);
		_exit(ok ? 0 : 5);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	ck_assert_int_eq(chmod(path, 0644), 0);
}
END_TEST

/* ------------------------------------------------------------ two processes */

START_TEST(conflict_across_processes_and_refresh)
{
	new_repo_with_history(1);
	townorg_repo *a, *b;
	OK(townorg_repo_open(&a, path, 0));
	OK(townorg_repo_open(&b, path, 0));
	const townorg_version *v;
	OK(commit_step(b, "main", 2, &v));
	char bid[65];
	strcpy(bid, townorg_version_id(v));
	/* a still believes main is at step 1: its commit must not overwrite b's */
	ck_assert_int_eq(commit_step(a, "main", 3, &v), TOWNORG_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "refresh"));
	ck_assert_int_eq(townorg_repo_branch_create(a, "main", NULL), TOWNORG_EEXISTS);
	OK(townorg_repo_branch_create(b, "plan", NULL));
	ck_assert_int_eq(townorg_repo_branch_create(a, "plan", NULL), TOWNORG_EEXISTS);
	size_t added;
	OK(townorg_repo_refresh(a, &added));
	ck_assert_uint_eq(added, 1);
	ck_assert_str_eq(head_id(a, "main"), bid);
	ck_assert_uint_eq(townorg_repo_branch_count(a), 2);
	OK(commit_step(a, "main", 3, &v));
	ck_assert_uint_eq(townorg_version_entity_count(v), 9);
	OK(townorg_repo_refresh(a, &added));
	ck_assert_uint_eq(added, 0);
	OK(townorg_repo_refresh(b, &added));
	ck_assert_uint_eq(added, 1);
	ck_assert_str_eq(head_id(b, "main"), townorg_version_id(v));
	townorg_repo_free(a);
	townorg_repo_free(b);
}
END_TEST

/* Two processes commit to main at once, refreshing and retrying on
 * conflict: every commit that returned success is on main's line. */
static int writer_child(int id, int n)
{
	townorg_repo *r;
	if (townorg_repo_open(&r, path, 0) != 0)
		return 10;
	int done = 0, tries = 0;
	while (done < n && tries < 50 * n) {
		const townorg_version *v;
		tries++;
		int rc = commit_step(r, "main", 1000 * id + done, &v);
		if (rc == 0)
			done++;
		else if (rc == TOWNORG_ECONFLICT || rc == TOWNORG_EBUSY) {
			if (townorg_repo_refresh(r, NULL) != 0)
				break;
		} else
			break;
	}
	townorg_repo_free(r);
	return done == n ? 0 : 11;
}

START_TEST(two_writers_lose_nothing)
{
	new_repo_with_history(0);
	int n = under_valgrind() ? 3 : 15;
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0)
			_exit(writer_child(k + 1, n));
	}
	for (int k = 0; k < 2; k++) {
		int status;
		ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %d", k, status);
	}
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	ck_assert_uint_eq(townorg_repo_version_count(r), 1 + 2 * (size_t)n);
	/* main's first-parent line holds every version */
	const townorg_version *v;
	OK(townorg_repo_branch_head(&v, r, "main"));
	size_t depth = 1;
	while (townorg_version_parent_count(v)) {
		v = townorg_version_parent(v, 0);
		depth++;
	}
	ck_assert_uint_eq(depth, 1 + 2 * (size_t)n);
	townorg_repo_free(r);
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);
}
END_TEST

/* ------------------------------------------------------------ threads */

typedef struct {
	townorg_repo *r;
	size_t n;
	int failures;
} reader_arg;

static void *reader(void *p)
{
	reader_arg *a = p;
	for (size_t i = a->n; i-- > 0;) {
		const townorg_version *v = townorg_repo_version_at(a->r, i);
		const townorg_entity *e;
		if (townorg_version_get(&e, v, "341023-001") != 0 || townorg_version_entity_count(v) < 6)
			a->failures++;
	}
	return NULL;
}

START_TEST(threads_load_while_committing)
{
	new_repo_with_history(30);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	pthread_t th[4];
	reader_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (reader_arg){ r, townorg_repo_version_count(r), 0 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, &args[i]), 0);
	}
	const townorg_version *v;
	for (int i = 100; i < 105; i++)
		OK(commit_step(r, "main", i, &v));
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(args[i].failures, 0);
	}
	townorg_repo_free(r);
}
END_TEST

/* ------------------------------------------------------------ batches */

START_TEST(batch_rollback_writes_nothing)
{
	new_repo_with_history(2);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	char before[65];
	strcpy(before, head_id(r, "main"));
	OK(townorg__repo_batch_begin(r));
	const townorg_version *v;
	OK(commit_step(r, "main", 3, &v));
	OK(commit_step(r, "main", 4, &v));
	OK(townorg_repo_tag_create(r, "t", v));
	OK(townorg__repo_batch_end(r, false));
	ck_assert_str_eq(head_id(r, "main"), before);
	/* the same commits again, kept this time */
	OK(townorg__repo_batch_begin(r));
	OK(commit_step(r, "main", 3, &v));
	OK(commit_step(r, "main", 4, &v));
	OK(townorg__repo_batch_end(r, true));
	townorg_repo_free(r);
	OK(townorg_repo_open(&r, path, 0));
	ck_assert_uint_eq(townorg_repo_version_count(r), 5);
	ck_assert_uint_eq(townorg_repo_tag_count(r), 0);
	ck_assert_uint_eq(townorg_version_entity_count(townorg_repo_version_at(r, 4)), 10);
	townorg_repo_free(r);
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);
}
END_TEST

/* ------------------------------------------------------------ crash */

/* The child commits in a loop and reports each version id that returned
 * through the pipe; the parent kills it at a random moment. */
static void crash_child(int fd, int start)
{
	townorg_repo *r;
	if (townorg_repo_open(&r, path, 0) != 0)
		_exit(2);
	for (int i = start;; i++) {
		const townorg_version *v;
		if (commit_step(r, "main", i, &v) != 0)
			_exit(3);
		char line[66];
		memcpy(line, townorg_version_id(v), 64);
		line[64] = '\n';
		if (write(fd, line, 65) != 65)
			_exit(4);
	}
}

START_TEST(crash_mid_commit)
{
	int rounds = under_valgrind() ? 2 : 50;
	new_repo_with_history(0);
	srand((unsigned)time(NULL));
	char (*ids)[65] = malloc(sizeof *ids * 20000);
	size_t n_ids = 0;
	int start = 1;
	for (int round = 0; round < rounds; round++) {
		int fds[2];
		ck_assert_int_eq(pipe(fds), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(fds[0]);
			crash_child(fds[1], start);
		}
		close(fds[1]);
		/* under valgrind the child needs far longer to commit at all */
		long ms = under_valgrind() ? 300 + rand() % 400 : 2 + rand() % 60;
		struct timespec ts = { 0, ms * 1000000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "child ended by itself: %d", status);
		char line[65];
		ssize_t got;
		while ((got = read(fds[0], line, 65)) == 65 && n_ids < 20000) {
			memcpy(ids[n_ids], line, 64);
			ids[n_ids++][64] = 0;
		}
		close(fds[0]);
		/* the file opens, holds every reported commit and verifies */
		townorg_repo *r;
		OK(townorg_repo_open(&r, path, 0));
		for (size_t i = 0; i < n_ids; i++) {
			const townorg_version *v;
			ck_assert_msg(townorg_repo_version_by_id(&v, r, ids[i]) == 0, "round %d: commit %s lost", round, ids[i]);
		}
		const townorg_version *head;
		OK(townorg_repo_branch_head(&head, r, "main"));
		ck_assert_uint_gt(townorg_version_entity_count(head), 5);
		start += (int)townorg_repo_version_count(r) + 7;
		townorg_repo_free(r);
		if (round % 10 == 9 || round == rounds - 1) {
			townorg_verify_report *rep;
			OK(townorg_repo_verify(&rep, path, NULL, NULL));
			ck_assert_msg(townorg_verify_report_ok(rep), "round %d: verify found %zu problems", round,
				      townorg_verify_report_problem_count(rep));
			townorg_verify_report_free(rep);
		}
	}
	free(ids);
	ck_assert_uint_gt(n_ids, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, events_round_trip);
	tcase_add_test(tc, in_memory_repo_has_no_path);
	tcase_add_test(tc, append_only_enforced);
	tcase_add_test(tc, lazy_loading);
	tcase_add_test(tc, verify_tampered_object);
	tcase_add_test(tc, verify_tampered_version_and_log);
	tcase_add_test(tc, verify_progress_cancels);
	tcase_add_test(tc, bad_files);
	tcase_add_test(tc, read_only_open);
	tcase_add_test(tc, conflict_across_processes_and_refresh);
	tcase_add_test(tc, two_writers_lose_nothing);
	tcase_add_test(tc, threads_load_while_committing);
	tcase_add_test(tc, batch_rollback_writes_nothing);
	tcase_add_test(tc, crash_mid_commit);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

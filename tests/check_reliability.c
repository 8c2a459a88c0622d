/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_reliability.c — SQLite-style fault testing (docs/reliability.md):
 *  - out of memory: the Nth library allocation fails, for N = 1, 2, …,
 *    through commit, diff, validate, store open (with lazy loads), store
 *    commit, and table and JSON imports into a store; each time the call
 *    fails cleanly with TOWNORG_ENOMEM, leaks nothing (valgrind / LSan) and
 *    leaves the repository — and its file — as it was;
 *  - I/O faults: a test-only SQLite VFS fails the Nth write or sync of a
 *    commit, and RLIMIT_FSIZE (SIGXFSZ ignored) makes a commit hit a full
 *    disk; the commit fails, nothing changes, the file verifies;
 *  - crashes: a child committing versions, tags and branches is killed at
 *    random points; the file opens, verifies, and holds everything that
 *    returned (TOWNORG_CRASH_ROUNDS rounds; scripts/soak.sh runs thousands);
 *  - concurrency: threads read, diff and validate shared versions while
 *    another thread commits (CI runs this under ThreadSanitizer).
 * CK_RUN_CASE=oom|io|crash|threads runs one part. */
#include <config.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "testutil.h"
#include "base/internal.h"

#define DATA TEST_SRCDIR "/tests/data/"

static char dir[64], path[128];
static bool slow(void) { return getenv("TOWNORG_VALGRIND") != NULL; }

static void setup(void)
{
	strcpy(dir, "/tmp/townorg-rel-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/county.townorg", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ------------------------------------------------------------ helpers */

/* One commit on a branch: organ i under 渔亭镇 (the base's second town),
 * every third one removing an earlier organ.  Returns the code. */
static int commit_step(townorg_repo *r, const char *branch, int i, const townorg_version **out)
{
	townorg_txn *t;
	townorg_entity_builder *b = NULL;
	char id[64], name[64], date[16];
	int rc = townorg_txn_new_on_branch(&t, r, branch);
	if (rc < 0)
		return rc;
	snprintf(id, sizeof id, "341023-002-%04d", i);
	snprintf(name, sizeof name, "渔亭镇第%d办公室", i);
	if ((rc = townorg_entity_builder_new(&b, id, TOWNORG_KIND_OFFICE, name, "341023-002")) < 0 ||
	    (rc = townorg_entity_builder_set_quota(b, "admin", i % 7)) < 0 ||
	    (rc = townorg_entity_builder_list_add(b, "functions", "综合协调")) < 0 ||
	    (rc = townorg_txn_put_builder(t, b)) < 0)
		goto out;
	if (i % 3 == 0 && i >= 3) {
		snprintf(id, sizeof id, "341023-002-%04d", i - 3);
		if ((rc = townorg_txn_remove(t, id)) < 0 && rc != TOWNORG_ENOTFOUND)
			goto out;
	}
	snprintf(date, sizeof date, "%04d-01-01", 2009 + i % 900);
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = date;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = "黟编〔2010〕3号";
	if ((rc = townorg_txn_set_meta(t, &m)) < 0)
		goto out;
	rc = townorg_txn_commit(out, t);
out:
	townorg_entity_builder_free(b);
	townorg_txn_free(t);
	return rc;
}

static const townorg_version *commit_base(townorg_repo *r)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put(t, mk_organ("341023", TOWNORG_KIND_COUNTY, "黟县", NULL, 224, 169, -1));
	put(t, mk("341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "碧阳镇党政办公室", "341023-001", 10, -1, 10));
	put(t, mk_organ("341023-001-03", TOWNORG_KIND_CENTER, "碧阳镇为民服务中心", "341023-001", -1, 20, 18));
	put(t, mk_organ("341023-002-01", TOWNORG_KIND_OFFICE, "渔亭镇党政办公室", "341023-002", 7, -1, 6));
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2008-06-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = "黟政〔2008〕12号";
	OK(townorg_txn_set_meta(t, &m));
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

static void make_store(int steps)
{
	townorg_repo *r;
	const townorg_version *v;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_CREATE));
	v = commit_base(r);
	for (int i = 1; i <= steps; i++)
		OK(commit_step(r, "main", i, &v));
	OK(townorg_repo_tag_create(r, "v-last", v));
	townorg_repo_free(r);
}

/* Versions (ids and state hashes), branch heads and tags, as text. */
static char *fingerprint(const townorg_repo *r)
{
	size_t cap = 1 << 16, len = 0;
	char *s = malloc(cap);
	len += (size_t)snprintf(s, cap, "versions %zu\n", townorg_repo_version_count(r));
	for (size_t i = 0; i < townorg_repo_version_count(r) && len < cap - 200; i++) {
		const townorg_version *v = townorg_repo_version_at(r, i);
		len += (size_t)snprintf(s + len, cap - len, "%s %s\n", townorg_version_id(v), townorg_version_state_hash(v));
	}
	for (size_t i = 0; i < townorg_repo_branch_count(r) && len < cap - 200; i++) {
		const townorg_version *h = NULL;
		const char *name = townorg_repo_branch_name(r, i);
		townorg_repo_branch_head(&h, r, name);
		len += (size_t)snprintf(s + len, cap - len, "branch %s %s\n", name, h ? townorg_version_id(h) : "-");
	}
	for (size_t i = 0; i < townorg_repo_tag_count(r) && len < cap - 200; i++) {
		const townorg_version *at;
		const char *name = townorg_repo_tag_name(r, i, &at);
		len += (size_t)snprintf(s + len, cap - len, "tag %s %s\n", name, townorg_version_id(at));
	}
	return s;
}

static char *file_fingerprint(void)
{
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY));
	char *s = fingerprint(r);
	townorg_repo_free(r);
	return s;
}

static void assert_verifies(void)
{
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	const char *what = "", *msg = "";
	townorg_verify_report_problem(rep, 0, NULL, &what, &msg);
	ck_assert_msg(townorg_verify_report_ok(rep), "verify found %zu problems, first %s: %s",
		      townorg_verify_report_problem_count(rep), what, msg);
	townorg_verify_report_free(rep);
}

static long oom_step(void) { return slow() ? 5 : 1; }

/* A loop over N = 1, 2, … ends when the call succeeds without having
 * reached the Nth allocation: a failure the library absorbs (a cache it
 * does without) may succeed earlier, and the loop goes on past it. */
static long fault_nth, fault_used;
static void fault_on(long n)
{
	fault_nth = n;
	townorg__fault_set(n);
}
static void fault_off(void)
{
	fault_used = townorg__fault_count();
	townorg__fault_set(0);
}
#define DONE(rc, n) ((rc) == 0 && fault_used < fault_nth)
#define OOM_OK(rc, n) ck_assert_msg((rc) == TOWNORG_ENOMEM, "allocation %ld: %d (%s)", (long)(n), (rc), \
				    townorg_error_last() ? townorg_error_last() : "")

/* ------------------------------------------------------------ out of memory */

START_TEST(oom_commit_in_memory)
{
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	commit_base(r);
	char *before = fingerprint(r);
	long n;
	int rc = -1;
	for (n = 1; !DONE(rc, n); n += oom_step()) {
		const townorg_version *v;
		fault_on(n);
		rc = commit_step(r, "main", 3, &v);
		fault_off();
		if (rc == 0)
			break; /* state changed: a fault absorbed on the way is fine */
		OOM_OK(rc, n);
		char *after = fingerprint(r);
		ck_assert_str_eq(after, before);
		free(after);
	}
	ck_assert_int_gt(n, 5);
	free(before);
	townorg_repo_free(r);
}
END_TEST

START_TEST(oom_diff_and_validate)
{
	townorg_repo *r;
	const townorg_version *a, *b;
	OK(townorg_repo_new(&r));
	a = commit_base(r);
	for (int i = 1; i <= 6; i++)
		OK(commit_step(r, "main", i, &b));
	townorg_policy *pol;
	OK(townorg_policy_new(&pol));
	int rc = -1;
	long n;
	for (n = 1; !DONE(rc, n); n += oom_step()) {
		townorg_diff *d = (void *)1;
		char *json = NULL;
		fault_on(n);
		rc = townorg_diff_versions(&d, a, b, NULL);
		if (rc == 0) {
			rc = townorg_diff_to_json(&json, d, 0);
			townorg_diff_free(d);
		}
		fault_off();
		townorg_free(json);
		if (rc)
			OOM_OK(rc, n);
	}
	ck_assert_int_gt(n, 5);
	for (n = 1, rc = -1; !DONE(rc, n); n += oom_step()) {
		townorg_validation *res = NULL;
		fault_on(n);
		rc = townorg_validate(&res, b, pol);
		fault_off();
		if (rc) {
			OOM_OK(rc, n);
			ck_assert_ptr_null(res);
		} else
			ck_assert_uint_gt(townorg_validation_count(res), 0);
		townorg_validation_free(res);
	}
	ck_assert_int_gt(n, 5);
	/* a policy made and applied under faults */
	for (n = 1, rc = -1; !DONE(rc, n); n += oom_step()) {
		townorg_policy *p = NULL;
		fault_on(n);
		rc = townorg_policy_new(&p);
		if (rc == 0)
			rc = townorg_policy_apply_file(p, DATA "policies/yuting-waivers.json");
		fault_off();
		if (rc)
			OOM_OK(rc, n);
		townorg_policy_free(p);
	}
	townorg_policy_free(pol);
	townorg_repo_free(r);
}
END_TEST

/* Found by fuzz_docnum (UBSan): a version with no findings at all made
 * townorg_validate pass qsort a NULL array. */
START_TEST(validate_without_findings)
{
	townorg_repo *r;
	townorg_txn *t;
	OK(townorg_repo_new(&r));
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2010-01-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = "黟编〔2010〕3号";
	OK(townorg_txn_set_meta(t, &m));
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	townorg_validation *res;
	OK(townorg_validate(&res, v, NULL));
	ck_assert_uint_eq(townorg_validation_count(res), 0);
	ck_assert_int_eq(townorg_validation_conforms(res), 1);
	townorg_validation_free(res);
	townorg_repo_free(r);
}
END_TEST

/* Open a store and read every version's entities, failing an allocation. */
START_TEST(oom_store_open_and_load)
{
	make_store(8);
	char *want = file_fingerprint();
	int rc = -1;
	long n;
	for (n = 1; !DONE(rc, n); n += oom_step()) {
		townorg_repo *r = NULL;
		fault_on(n);
		rc = townorg_repo_open(&r, path, 0);
		if (rc == 0) {
			ck_assert_uint_eq(townorg_repo_version_count(r), 9);
			for (size_t i = 0; i < 9 && rc == 0; i++) {
				const townorg_entity *e;
				rc = townorg_version_get(&e, townorg_repo_version_at(r, i), "341023-002");
			}
		} else
			ck_assert_ptr_null(r);
		fault_off();
		if (rc) {
			OOM_OK(rc, n);
			/* a load that failed for want of memory works once memory is back */
			for (size_t i = 0; r && i < 9; i++) {
				const townorg_entity *e;
				OK(townorg_version_get(&e, townorg_repo_version_at(r, i), "341023-002"));
			}
		}
		if (r) {
			char *got = fingerprint(r);
			ck_assert_str_eq(got, want);
			free(got);
		}
		townorg_repo_free(r);
	}
	ck_assert_int_gt(n, 10);
	free(want);
	assert_verifies();
}
END_TEST

/* Commit, tag and import into a store under faults: the handle and the file
 * are unchanged after each failure. */
START_TEST(oom_store_save_and_import)
{
	make_store(3);
	char *want = file_fingerprint();
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	int rc = -1;
	long n;
	for (n = 1; !DONE(rc, n); n += oom_step()) {
		const townorg_version *v;
		fault_on(n);
		rc = commit_step(r, "main", 4, &v);
		if (rc == 0)
			rc = townorg_repo_tag_create(r, "v4", v);
		fault_off();
		if (rc == 0)
			break; /* state changed: a fault absorbed on the way is fine */
		OOM_OK(rc, n);
		/* the commit may have made it (and the tag failed): undo nothing,
		 * but then the file must hold exactly what the handle holds */
		char *got = fingerprint(r), *disk = file_fingerprint();
		ck_assert_str_eq(got, disk);
		if (townorg_repo_version_count(r) == 4)
			ck_assert_str_eq(got, want);
		else {
			/* commit went through; retry only the tag from here */
			townorg_repo_free(r);
			OK(townorg_repo_open(&r, path, 0));
			free(want);
			want = disk;
			disk = NULL;
			const townorg_version *h;
			OK(townorg_repo_branch_head(&h, r, "main"));
			for (long m = 1;; m++) {
				townorg__fault_set(m);
				rc = townorg_repo_tag_create(r, "v4", h);
				fault_off();
				if (rc == 0)
					break;
				OOM_OK(rc, m);
				char *g2 = file_fingerprint();
				ck_assert_str_eq(g2, want);
				free(g2);
			}
		}
		free(got);
		free(disk);
	}
	townorg_repo_free(r);
	free(want);
	assert_verifies();

	/* a table set and a JSON document, imported into the file */
	want = file_fingerprint();
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	o.branch = "tables";
	o.recorded_at = "2024-01-01T00:00:00Z";
	OK(townorg_repo_open(&r, path, 0));
	for (n = 1, rc = -1; !DONE(rc, n); n += oom_step() * 3) {
		fault_on(n);
		rc = townorg_tables_import(NULL, r, DATA "tables/mini", &o);
		fault_off();
		if (rc == 0)
			break; /* state changed: a fault absorbed on the way is fine */
		OOM_OK(rc, n);
		char *got = fingerprint(r), *disk = file_fingerprint();
		ck_assert_str_eq(got, want);
		ck_assert_str_eq(disk, want);
		free(got);
		free(disk);
	}
	ck_assert_int_gt(n, 10);
	free(want);
	townorg_repo_free(r);
	/* the JSON document into a file of its own (its main is another line) */
	snprintf(path, sizeof path, "%s/json.townorg", dir);
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_CREATE));
	want = fingerprint(r);
	for (n = 1, rc = -1; !DONE(rc, n); n += oom_step() * 3) {
		fault_on(n);
		rc = townorg_json_import_repo_file(r, DATA "json/good/repo.json", NULL);
		fault_off();
		if (rc == 0)
			break; /* state changed: a fault absorbed on the way is fine */
		OOM_OK(rc, n);
		char *got = fingerprint(r), *disk = file_fingerprint();
		ck_assert_str_eq(got, want);
		ck_assert_str_eq(disk, want);
		free(got);
		free(disk);
	}
	free(want);
	townorg_repo_free(r);
	assert_verifies();
}
END_TEST

/* ------------------------------------------------------------ I/O faults */

/* A VFS registered as the default in this test binary only: it passes
 * everything to the real one but fails the Nth write, sync or truncate
 * (counted from when it is armed) with SQLITE_IOERR or SQLITE_FULL. */
typedef struct {
	sqlite3_file base;
	sqlite3_file *real;
} shim_file;

static sqlite3_vfs shim_vfs, *real_vfs;
static sqlite3_io_methods shim_io;
static long io_arm, io_count;
static int io_error = SQLITE_IOERR_WRITE;

static bool io_fail(void) { return io_arm && ++io_count == io_arm; }

static int shim_close(sqlite3_file *f)
{
	shim_file *s = (shim_file *)f;
	int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
	sqlite3_free(s->real);
	return rc;
}
static int shim_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xRead(s->real, p, n, off);
}
static int shim_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	shim_file *s = (shim_file *)f;
	if (io_fail())
		return io_error;
	return s->real->pMethods->xWrite(s->real, p, n, off);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	shim_file *s = (shim_file *)f;
	if (io_fail())
		return SQLITE_IOERR_TRUNCATE;
	return s->real->pMethods->xTruncate(s->real, size);
}
static int shim_sync(sqlite3_file *f, int flags)
{
	shim_file *s = (shim_file *)f;
	if (io_fail())
		return SQLITE_IOERR_FSYNC;
	return s->real->pMethods->xSync(s->real, flags);
}
#define PASS(name, proto, args)                                                                             \
	static int shim_##name proto                                                                        \
	{                                                                                                    \
		shim_file *s = (shim_file *)f;                                                               \
		return s->real->pMethods->x##name args;                                                      \
	}
PASS(FileSize, (sqlite3_file * f, sqlite3_int64 *size), (s->real, size))
PASS(Lock, (sqlite3_file * f, int l), (s->real, l))
PASS(Unlock, (sqlite3_file * f, int l), (s->real, l))
PASS(CheckReservedLock, (sqlite3_file * f, int *out), (s->real, out))
PASS(FileControl, (sqlite3_file * f, int op, void *arg), (s->real, op, arg))
PASS(SectorSize, (sqlite3_file * f), (s->real))
PASS(DeviceCharacteristics, (sqlite3_file * f), (s->real))

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)vfs;
	shim_file *s = (shim_file *)f;
	s->real = sqlite3_malloc(real_vfs->szOsFile);
	if (!s->real)
		return SQLITE_NOMEM;
	memset(s->real, 0, (size_t)real_vfs->szOsFile);
	int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		sqlite3_free(s->real);
		s->real = NULL;
		f->pMethods = NULL;
		return rc;
	}
	f->pMethods = &shim_io;
	return SQLITE_OK;
}

static void shim_install(void)
{
	if (real_vfs)
		return;
	real_vfs = sqlite3_vfs_find(NULL);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "townorg-test-shim";
	shim_vfs.szOsFile = sizeof(shim_file);
	shim_vfs.xOpen = shim_open;
	/* version 1 methods only: no WAL shared memory, no mmap */
	shim_io = (sqlite3_io_methods){ 1,	       shim_close,	 shim_read,	   shim_write,
					shim_truncate, shim_sync,	 shim_FileSize,	   shim_Lock,
					shim_Unlock,   shim_CheckReservedLock, shim_FileControl, shim_SectorSize,
					shim_DeviceCharacteristics };
	ck_assert_int_eq(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
}

START_TEST(io_error_at_every_write)
{
	shim_install();
	make_store(3);
	char *want = file_fingerprint();
	int rc = -1, failures = 0;
	for (int pass = 0; pass < 2; pass++) {
		io_error = pass ? SQLITE_FULL : SQLITE_IOERR_WRITE;
		rc = -1;
		for (long n = 1; rc != 0; n++) {
			townorg_repo *r;
			const townorg_version *v;
			OK(townorg_repo_open(&r, path, 0));
			io_count = 0;
			io_arm = n;
			rc = commit_step(r, "main", 10 + pass, &v);
			io_arm = 0;
			if (rc == 0) {
				townorg_repo_free(r);
				break;
			}
			failures++;
			ck_assert_msg(rc == TOWNORG_EIO || rc == TOWNORG_ERROR || rc == TOWNORG_ECORRUPT,
				      "write %ld: %d %s", n, rc, townorg_error_last());
			ck_assert_ptr_nonnull(strstr(townorg_error_last(), "county.townorg"));
			char *got = fingerprint(r);
			ck_assert_str_eq(got, want);
			free(got);
			/* the same handle commits once the disk is back */
			townorg_repo_free(r);
			got = file_fingerprint();
			ck_assert_str_eq(got, want);
			free(got);
		}
		free(want);
		want = file_fingerprint();
		assert_verifies();
	}
	ck_assert_int_gt(failures, 2);
	free(want);
}
END_TEST

/* A full disk, for real: the file may not grow past its size (plus a
 * little) and SIGXFSZ is ignored, so write() fails with EFBIG. */
START_TEST(file_size_limit)
{
	/* Under valgrind the forked child is checked for leaks of the parent's
	 * heap at _exit and changes its exit status; the plain and the
	 * sanitizer runs cover this test. */
	if (slow())
		return;
	make_store(2);
	char *want = file_fingerprint();
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		townorg_repo *r;
		free(want); /* the parent's */
		if (townorg_repo_open(&r, path, 0))
			_exit(2);
		char *before = fingerprint(r);
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit lim, old;
		getrlimit(RLIMIT_FSIZE, &old);
		lim = old;
		lim.rlim_cur = (rlim_t)st.st_size + 1024;
		if (setrlimit(RLIMIT_FSIZE, &lim))
			_exit(3);
		/* a big commit: many organs with long texts */
		townorg_txn *t;
		if (townorg_txn_new_on_branch(&t, r, "main"))
			_exit(4);
		char big[4096];
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = 0;
		for (int i = 0; i < 200; i++) {
			char id[32];
			townorg_entity_builder *b;
			snprintf(id, sizeof id, "341023-001-%03d", 100 + i);
			if (townorg_entity_builder_new(&b, id, TOWNORG_KIND_OFFICE, "办公室", "341023-001") ||
			    townorg_entity_builder_set_text(b, "note", big) || townorg_txn_put_builder(t, b))
				_exit(5);
			townorg_entity_builder_free(b);
		}
		const townorg_version *v;
		int rc = townorg_txn_commit(&v, t);
		if (rc != TOWNORG_EIO) {
			fprintf(stderr, "full disk: commit gave %d (%s)\n", rc, townorg_error_last());
			_exit(6);
		}
		char *after = fingerprint(r);
		if (strcmp(before, after))
			_exit(7);
		/* space again: the same transaction commits */
		setrlimit(RLIMIT_FSIZE, &old);
		if (townorg_txn_commit(&v, t)) {
			fprintf(stderr, "after the disk came back: %s\n", townorg_error_last());
			_exit(8);
		}
		townorg_txn_free(t);
		townorg_repo_free(r);
		free(before);
		free(after);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	char *got = file_fingerprint();
	ck_assert_str_ne(got, want); /* the retried commit is there */
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	ck_assert_uint_eq(townorg_repo_version_count(r), 4);
	townorg_repo_free(r);
	assert_verifies();
	free(got);
	free(want);
}
END_TEST

/* ------------------------------------------------------------ crashes */

/* The child commits, tags every commit and makes a branch every fifth,
 * writing a line per operation that returned: "v ID", "t NAME ID",
 * "b NAME ID". */
static void crash_child(int fd, int start)
{
	townorg_repo *r;
	if (townorg_repo_open(&r, path, 0) != 0)
		_exit(2);
	for (int i = start;; i++) {
		const townorg_version *v;
		char line[128], name[32];
		if (commit_step(r, "main", i, &v) != 0)
			_exit(3);
		int n = snprintf(line, sizeof line, "v %s\n", townorg_version_id(v));
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
		snprintf(name, sizeof name, "t%d", i);
		if (townorg_repo_tag_create(r, name, v) != 0)
			_exit(5);
		n = snprintf(line, sizeof line, "t %s %s\n", name, townorg_version_id(v));
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
		if (i % 5 == 0) {
			snprintf(name, sizeof name, "b%d", i);
			if (townorg_repo_branch_create(r, name, v) != 0)
				_exit(6);
			n = snprintf(line, sizeof line, "b %s %s\n", name, townorg_version_id(v));
			if (write(fd, line, (size_t)n) != n)
				_exit(4);
		}
	}
}

START_TEST(crash_at_random_points)
{
	const char *env = getenv("TOWNORG_CRASH_ROUNDS");
	int rounds = env ? atoi(env) : slow() ? 2 : 300;
	make_store(0);
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	fprintf(stderr, "crash_at_random_points: %d rounds, seed %u\n", rounds, seed);
	srand(seed);
	size_t cap = 1 << 16, len = 0;
	char *log = malloc(cap);
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
		long us = slow() ? 300000 + rand() % 400000 : 500 + rand() % 40000;
		struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "child ended by itself: %d", status);
		ssize_t got;
		char buf[4096];
		while ((got = read(fds[0], buf, sizeof buf)) > 0) {
			if (len + (size_t)got + 1 > cap)
				log = realloc(log, cap *= 2);
			memcpy(log + len, buf, (size_t)got);
			len += (size_t)got;
		}
		log[len] = 0;
		close(fds[0]);
		townorg_repo *r;
		OK(townorg_repo_open(&r, path, 0));
		/* every complete line is in the file */
		for (char *p = log, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
			char kind, name[64] = "", id[65];
			const townorg_version *v;
			*nl = 0;
			if (p[0] == 'v')
				ck_assert_int_eq(sscanf(p, "%c %64s", &kind, id), 2);
			else
				ck_assert_int_eq(sscanf(p, "%c %63s %64s", &kind, name, id), 3);
			if (kind == 'v')
				ck_assert_msg(townorg_repo_version_by_id(&v, r, id) == 0, "round %d: commit %s lost", round, id);
			else if (kind == 't') {
				ck_assert_msg(townorg_repo_tag_lookup(&v, r, name) == 0, "round %d: tag %s lost", round, name);
				ck_assert_str_eq(townorg_version_id(v), id);
			} else {
				ck_assert_msg(townorg_repo_branch_head(&v, r, name) == 0, "round %d: branch %s lost", round,
					      name);
				ck_assert_str_eq(townorg_version_id(v), id);
			}
			*nl = '\n';
		}
		const townorg_version *head;
		OK(townorg_repo_branch_head(&head, r, "main"));
		ck_assert_uint_ge(townorg_version_entity_count(head), 6);
		start += (int)townorg_repo_version_count(r) + 1;
		townorg_repo_free(r);
		if (round % 10 == 9 || round == rounds - 1)
			assert_verifies();
	}
	free(log);
}
END_TEST

/* ------------------------------------------------------------ threads */

typedef struct {
	const townorg_version **v;
	size_t n;
	const townorg_policy *policy;
	int failures;
	unsigned seed;
} reader_arg;

static void *reader(void *p)
{
	reader_arg *a = p;
	for (int round = 0; round < (slow() ? 1 : 4); round++) {
		for (size_t i = 0; i < a->n; i++) {
			const townorg_version *v = a->v[i], *w = a->v[rand_r(&a->seed) % a->n];
			const townorg_entity *e;
			const townorg_entity *const *kids;
			size_t nk;
			int64_t total;
			if (townorg_version_get(&e, v, "341023-002") || townorg_version_children(&kids, &nk, v, "341023-002") ||
			    townorg_version_quota_total(&total, v, "341023", NULL))
				a->failures++;
			townorg_iterator *it;
			if (townorg_iterator_new(&it, v) == 0) {
				size_t count = 0;
				while (townorg_iterator_next(&e, it) == 0)
					count++;
				if (count != townorg_version_entity_count(v))
					a->failures++;
				townorg_iterator_free(it);
			} else
				a->failures++;
			townorg_diff *d;
			if (townorg_diff_versions(&d, w, v, NULL) == 0) {
				char *text;
				if (townorg_diff_to_json(&text, d, 0) == 0)
					townorg_free(text);
				else
					a->failures++;
				townorg_diff_free(d);
			} else
				a->failures++;
			townorg_validation *res;
			if (townorg_validate(&res, v, a->policy) == 0)
				townorg_validation_free(res);
			else
				a->failures++;
		}
	}
	return NULL;
}

static void threads_while_committing(townorg_repo *r)
{
	enum { N = 4 };
	size_t n = townorg_repo_version_count(r);
	const townorg_version **vs = malloc(sizeof *vs * n);
	for (size_t i = 0; i < n; i++)
		vs[i] = townorg_repo_version_at(r, i);
	townorg_policy *pol;
	OK(townorg_policy_new(&pol));
	pthread_t th[N];
	reader_arg args[N];
	for (int i = 0; i < N; i++) {
		args[i] = (reader_arg){ vs, n, pol, 0, (unsigned)i + 1 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, &args[i]), 0);
	}
	const townorg_version *v;
	for (int i = 100; i < (slow() ? 103 : 120); i++)
		OK(commit_step(r, "main", i, &v));
	OK(townorg_repo_branch_create(r, "plan", v));
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(args[i].failures, 0);
	}
	townorg_policy_free(pol);
	free(vs);
}

START_TEST(threads_in_memory)
{
	townorg_repo *r;
	const townorg_version *v;
	OK(townorg_repo_new(&r));
	commit_base(r);
	for (int i = 1; i <= 12; i++)
		OK(commit_step(r, "main", i, &v));
	threads_while_committing(r);
	townorg_repo_free(r);
}
END_TEST

/* The same on a store opened afresh: the readers' first touches load the
 * versions lazily, from several threads at once. */
START_TEST(threads_on_store)
{
	make_store(12);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	threads_while_committing(r);
	townorg_repo_free(r);
	assert_verifies();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reliability");
	TCase *tc = tcase_create("oom");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, oom_commit_in_memory);
	tcase_add_test(tc, oom_diff_and_validate);
	tcase_add_test(tc, validate_without_findings);
	tcase_add_test(tc, oom_store_open_and_load);
	tcase_add_test(tc, oom_store_save_and_import);
	suite_add_tcase(s, tc);
	tc = tcase_create("io");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, io_error_at_every_write);
	tcase_add_test(tc, file_size_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("crash");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, crash_at_random_points);
	suite_add_tcase(s, tc);
	tc = tcase_create("threads");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, threads_in_memory);
	tcase_add_test(tc, threads_on_store);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

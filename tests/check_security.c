/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * check_security.c — issue 23 in the library: atomic output files and the
 * output-path guard, bounded input, atomic init and half-made files, and
 * pinned and signed log heads (townorg/files.h, townorg/sign.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include "testutil.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/townorg-sec-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/county.townorg", dir);
	townorg_set_max_input(0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	townorg_set_max_input(0);
}

static void write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *slurp(const char *p)
{
	static char buf[8192];
	FILE *f = fopen(p, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* Files in dir whose name ends with ".tmp". */
static int temp_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) > 4 && !strcmp(e->d_name + strlen(e->d_name) - 4, ".tmp"))
			n++;
	closedir(d);
	return n;
}

/* A repository with one version on main: one log record. */
static void make_repo(void)
{
	townorg_repo *r;
	townorg_txn *t;
	const townorg_version *v;
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_CREATE));
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	put(t, mk("341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2008-06-01";
	OK(townorg_txn_set_meta(t, &m));
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	townorg_repo_free(r);
}

/* ------------------------------------------------------------ output files */

START_TEST(atomic_write_replaces_and_guards)
{
	char p[160];
	snprintf(p, sizeof p, "%s/out.json", dir);
	OK(townorg_write_file_atomic(p, "first\n", 6));
	ck_assert_str_eq(slurp(p), "first\n");
	chmod(p, 0640);
	OK(townorg_write_file_atomic(p, "second, longer\n", 15));
	ck_assert_str_eq(slurp(p), "second, longer\n");
	struct stat sb;
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0640); /* the mode of the file replaced */
	ck_assert_int_eq(temp_files(), 0);

	/* never over a repository, through any name */
	make_repo();
	ck_assert_int_eq(townorg_output_path_check(path), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "is a townorg repository"));
	ck_assert_int_eq(townorg_write_file_atomic(path, "x", 1), TOWNORG_EINVALID);
	char link_path[160], wal[160];
	snprintf(link_path, sizeof link_path, "%s/alias.json", dir);
	ck_assert_int_eq(symlink(path, link_path), 0);
	ck_assert_int_eq(townorg_write_file_atomic(link_path, "x", 1), TOWNORG_EINVALID);
	snprintf(wal, sizeof wal, "%s-wal", path);
	ck_assert_int_eq(townorg_output_path_check(wal), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "SQLite's wal file"));
	snprintf(wal, sizeof wal, "%s-shm", path);
	ck_assert_int_eq(townorg_write_file_atomic(wal, "x", 1), TOWNORG_EINVALID);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0)); /* still a repository */
	ck_assert_int_eq(townorg_json_export_repo_file(path, r, NULL), TOWNORG_EINVALID);
	townorg_repo_free(r);
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);
	ck_assert_int_eq(temp_files(), 0);
	ck_assert_int_eq(townorg_output_path_check(NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_write_file_atomic(p, NULL, 3), TOWNORG_EINVALID);
}
END_TEST

START_TEST(failed_write_keeps_the_previous_file)
{
	char p[160];
	snprintf(p, sizeof p, "%s/out.json", dir);
	OK(townorg_write_file_atomic(p, "previous\n", 9));
	/* a file size limit of 4 KiB: the write of 64 KiB fails (EFBIG) */
	static char big[65536];
	memset(big, 'x', sizeof big);
	struct rlimit old, lim;
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = townorg_write_file_atomic(p, big, sizeof big);
	char msg[512];
	snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_int_eq(rc, TOWNORG_EIO);
	ck_assert_msg(strstr(msg, "write failed") && strstr(msg, "out.json"), "message: %s", msg);
	ck_assert_str_eq(slurp(p), "previous\n");
	ck_assert_int_eq(temp_files(), 0);
	/* a directory that does not exist: nothing is created */
	snprintf(p, sizeof p, "%s/no/such/dir/out.json", dir);
	ck_assert_int_eq(townorg_write_file_atomic(p, "x", 1), TOWNORG_EIO);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "out.json"));
}
END_TEST

/* ------------------------------------------------------------ input files */

START_TEST(input_is_bounded)
{
	ck_assert_uint_eq(townorg_max_input(), TOWNORG_MAX_INPUT_DEFAULT);
	townorg_policy *pol = NULL;
	/* a device never ends: refused before reading */
	ck_assert_int_eq(townorg_policy_load(&pol, "/dev/zero"), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "/dev/zero: not a regular file or a pipe"));
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	ck_assert_int_eq(townorg_json_import_repo_file(r, "/dev/zero", NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_json_import_repo_file(r, dir, NULL), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "a directory"));
	/* a file over the limit: refused by its size, naming the limit */
	char p[160];
	snprintf(p, sizeof p, "%s/big.json", dir);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)1 << 30), 0); /* 1 GiB, sparse */
	close(fd);
	ck_assert_int_eq(townorg_json_import_repo_file(r, p, NULL), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "larger than the input limit of 536870912 bytes"));
	/* a lower limit applies to policies as well */
	snprintf(p, sizeof p, "%s/policy.json", dir);
	write_text(p, "{\"format\": \"townorg-policy/1\", \"rules\": {}}                                        \n");
	townorg_set_max_input(16);
	ck_assert_uint_eq(townorg_max_input(), 16);
	ck_assert_int_eq(townorg_policy_load(&pol, p), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "input limit of 16 bytes"));
	townorg_set_max_input(0);
	ck_assert_uint_eq(townorg_max_input(), TOWNORG_MAX_INPUT_DEFAULT);
	/* a pipe is read, and stopped at the limit */
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		static char chunk[65536];
		memset(chunk, 'a', sizeof chunk);
		for (int i = 0; i < 1024 && write(fds[1], chunk, sizeof chunk) > 0; i++)
			;
		_exit(0);
	}
	close(fds[1]);
	char dev[64];
	snprintf(dev, sizeof dev, "/proc/self/fd/%d", fds[0]);
	townorg_set_max_input(1 << 20);
	ck_assert_int_eq(townorg_json_import_repo_file(r, dev, NULL), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "input limit of 1048576 bytes"));
	townorg_set_max_input(0);
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	townorg_repo_free(r);
}
END_TEST

/* ------------------------------------------------------------ init */

START_TEST(init_is_atomic_and_redoes_half_made)
{
	OK(townorg_repo_init(path));
	ck_assert_int_eq(temp_files(), 0);
	char side[160];
	snprintf(side, sizeof side, "%s-wal", path);
	ck_assert_int_eq(access(side, F_OK), -1); /* closed cleanly: no WAL beside it */
	ck_assert_int_eq(townorg_repo_init(path), TOWNORG_EEXISTS);
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	townorg_repo_free(r);

	/* an empty file: half-made */
	char p[160];
	snprintf(p, sizeof p, "%s/half.townorg", dir);
	write_text(p, "");
	ck_assert_int_eq(townorg_repo_open(&r, p, 0), TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "half-made repository"));
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), p));
	townorg_verify_report *rep = (void *)1;
	ck_assert_int_eq(townorg_repo_verify(&rep, p, NULL, NULL), TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "half-made repository"));
	OK(townorg_repo_init(p));
	OK(townorg_repo_open(&r, p, 0));
	townorg_repo_free(r);

	/* the schema without the format row: what an older init killed
	 * between its two transactions left */
	snprintf(p, sizeof p, "%s/half2.townorg", dir);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA application_id=1414485838;"
					  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
					  "CREATE TABLE reflog(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL);",
				  NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(townorg_repo_open(&r, p, TOWNORG_OPEN_READONLY), TOWNORG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "half-made repository"));
	OK(townorg_repo_init(p));
	OK(townorg_repo_verify(&rep, p, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);

	/* a file with content of its own is never replaced */
	snprintf(p, sizeof p, "%s/mine.sqlite", dir);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE notes(x); INSERT INTO notes VALUES(1);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(townorg_repo_init(p), TOWNORG_EEXISTS);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "SELECT x FROM notes", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	snprintf(p, sizeof p, "%s/text.txt", dir);
	write_text(p, "not a database at all, and not empty\n");
	ck_assert_int_eq(townorg_repo_init(p), TOWNORG_EEXISTS);
	ck_assert_str_eq(slurp(p), "not a database at all, and not empty\n");
	ck_assert_int_eq(temp_files(), 0);
}
END_TEST

/* init killed at random moments: every repository path is either absent
 * or a complete repository, never a half-made one */
START_TEST(killed_init_leaves_nothing_half_made)
{
	int complete = 0, absent = 0;
	srand(23);
	for (int round = 0; round < 12; round++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char p[160];
			for (int i = 0; i < 50; i++) {
				snprintf(p, sizeof p, "%s/r%d-%d.townorg", dir, round, i);
				townorg_repo_init(p);
			}
			_exit(0);
		}
		usleep((useconds_t)(50000 + rand() % 250000)); /* an init takes ~0.1 s (fsync) */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		for (int i = 0; i < 50; i++) {
			char p[160];
			snprintf(p, sizeof p, "%s/r%d-%d.townorg", dir, round, i);
			if (access(p, F_OK) != 0) {
				absent++;
				continue;
			}
			townorg_repo *r;
			int rc = townorg_repo_open(&r, p, TOWNORG_OPEN_READONLY);
			ck_assert_msg(rc == 0, "round %d, repository %d: %s", round, i, townorg_error_last());
			townorg_repo_free(r);
			complete++;
		}
	}
	ck_assert_int_gt(complete, 0);
	ck_assert_int_gt(absent, 0);
}
END_TEST

/* ------------------------------------------------------------ keys and signed heads */

START_TEST(keys_round_trip)
{
	townorg_secret_key k, k2;
	townorg_public_key pub;
	char sk[160], pk[160];
	snprintf(sk, sizeof sk, "%s/office.key", dir);
	snprintf(pk, sizeof pk, "%s/office.pub", dir);
	OK(townorg_key_generate(&k));
	OK(townorg_key_generate(&k2));
	ck_assert_int_ne(memcmp(k.seed, k2.seed, sizeof k.seed), 0);
	OK(townorg_key_save(&k, sk, pk));
	struct stat sb;
	ck_assert_int_eq(stat(sk, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(townorg_key_save(&k2, sk, NULL), TOWNORG_EEXISTS);
	townorg_secret_key back;
	OK(townorg_key_load_secret(&back, sk));
	ck_assert_int_eq(memcmp(back.seed, k.seed, 32), 0);
	ck_assert_int_eq(memcmp(back.pub.key, k.pub.key, 32), 0);
	OK(townorg_key_load_public(&pub, pk));
	ck_assert_int_eq(memcmp(pub.key, k.pub.key, 32), 0);
	/* the wrong kind of key, and garbage */
	ck_assert_int_eq(townorg_key_load_public(&pub, sk), TOWNORG_EPARSE);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "not a public key file"));
	ck_assert_int_eq(townorg_key_load_secret(&back, pk), TOWNORG_EPARSE);
	char bad[160];
	snprintf(bad, sizeof bad, "%s/bad.pub", dir);
	write_text(bad, "townorg-ed25519-public 0123\n");
	ck_assert_int_eq(townorg_key_load_public(&pub, bad), TOWNORG_EPARSE);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "bad.pub:1"));
	write_text(bad, "townorg-ed25519-public 9a4dab335ff173c92368a28c223cba7150fca66ea1990f8e035d633e10eea40g\n");
	ck_assert_int_eq(townorg_key_load_public(&pub, bad), TOWNORG_EPARSE);
	write_text(bad, "townorg-ed25519-public 9a4dab335ff173c92368a28c223cba7150fca66ea1990f8e035d633e10eea405 the office\n");
	OK(townorg_key_load_public(&pub, bad)); /* a comment after the key */
	ck_assert_int_eq(townorg_key_load_public(&pub, "/dev/zero"), TOWNORG_EINVALID);
	char id[17];
	townorg_key_id(id, &k.pub);
	ck_assert_uint_eq(strlen(id), 16);
}
END_TEST

START_TEST(sign_and_check_heads)
{
	make_repo();
	townorg_secret_key k, other;
	OK(townorg_key_generate(&k));
	OK(townorg_key_generate(&other));
	townorg_repo *r;
	OK(townorg_repo_open(&r, path, 0));
	int64_t seq;
	char head[65];
	OK(townorg_repo_log_head(r, &seq, head));
	ck_assert_int_eq(seq, 1);
	ck_assert_uint_eq(strlen(head), 64);
	ck_assert_uint_eq(townorg_repo_signed_head_count(r), 0);

	townorg_signed_head h, h2, back;
	OK(townorg_head_sign(&h, r, &k, TOWNORG_SIGN_STORE));
	ck_assert_int_eq(h.log_seq, 1);
	ck_assert_str_eq(h.log_head, head);
	OK(townorg_signed_head_verify(&h, &k.pub));
	OK(townorg_signed_head_verify(&h, NULL));
	ck_assert_int_eq(townorg_signed_head_verify(&h, &other.pub), TOWNORG_EINVALID);
	ck_assert_uint_eq(townorg_repo_signed_head_count(r), 1);
	OK(townorg_repo_signed_head(&back, r, 0));
	ck_assert_int_eq(memcmp(&back, &h, sizeof h), 0);
	ck_assert_int_eq(townorg_repo_signed_head(&back, r, 1), TOWNORG_ENOTFOUND);

	/* text round trip; any changed field breaks the signature */
	char text[TOWNORG_SIGNED_HEAD_TEXT_MAX];
	size_t n = townorg_signed_head_format(text, &h);
	ck_assert_uint_eq(n, strlen(text));
	ck_assert_uint_lt(n, TOWNORG_SIGNED_HEAD_TEXT_MAX);
	OK(townorg_signed_head_parse(&back, text, "h.sig"));
	ck_assert_int_eq(memcmp(&back, &h, sizeof h), 0);
	back.log_seq = 2;
	ck_assert_int_eq(townorg_signed_head_verify(&back, &k.pub), TOWNORG_ECORRUPT);
	OK(townorg_signed_head_parse(&back, text, "h.sig"));
	back.at[3] = back.at[3] == '6' ? '7' : '6';
	ck_assert_int_eq(townorg_signed_head_verify(&back, &k.pub), TOWNORG_ECORRUPT);
	OK(townorg_signed_head_parse(&back, text, "h.sig"));
	back.log_head[0] = back.log_head[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(townorg_signed_head_verify(&back, &k.pub), TOWNORG_ECORRUPT);
	ck_assert_int_eq(townorg_signed_head_parse(&back, "townorg-signed-head-1 1 abc", "x.sig"), TOWNORG_EPARSE);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "x.sig:1"));
	text[n - 1] = 'g'; /* not hex */
	ck_assert_int_eq(townorg_signed_head_parse(&back, text, NULL), TOWNORG_EPARSE);

	/* the log goes on: the head is now behind */
	townorg_head_status st;
	int64_t after = -1;
	OK(townorg_head_check(&st, &after, r, h.log_seq, h.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_CURRENT);
	ck_assert_int_eq(after, 0);
	const townorg_version *v;
	OK(townorg_repo_lookup(&v, r, "main"));
	OK(townorg_repo_tag_create(r, "approved", v));
	OK(townorg_head_check(&st, &after, r, h.log_seq, h.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_AHEAD);
	ck_assert_int_eq(after, 1);
	OK(townorg_head_check(&st, &after, r, 0, h.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_AHEAD);
	OK(townorg_head_sign(&h2, r, &k, 0)); /* not kept */
	ck_assert_int_eq(h2.log_seq, 2);
	ck_assert_uint_eq(townorg_repo_signed_head_count(r), 1);
	townorg_repo_free(r);

	/* roll the log back behind the library's back */
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER reflog_no_delete; DELETE FROM reflog WHERE seq = 2;", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY));
	OK(townorg_head_check(&st, &after, r, h2.log_seq, h2.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_ROLLED_BACK);
	OK(townorg_head_check(&st, &after, r, 0, h2.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_MISSING);
	OK(townorg_head_check(&st, &after, r, h.log_seq, h.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_CURRENT);
	townorg_repo_free(r);
	/* and rewrite it: a different record 2 */
	OK(townorg_repo_open(&r, path, 0));
	OK(townorg_repo_lookup(&v, r, "main"));
	OK(townorg_repo_tag_create(r, "other", v));
	OK(townorg_head_check(&st, &after, r, h2.log_seq, h2.log_head));
	ck_assert_int_eq(st, TOWNORG_HEAD_REWRITTEN);
	ck_assert_int_eq(townorg_head_check(&st, &after, r, 1, "xyz"), TOWNORG_EINVALID);
	townorg_repo_free(r);

	/* an in-memory repository has no log head */
	OK(townorg_repo_new(&r));
	ck_assert_int_eq(townorg_repo_log_head(r, &seq, head), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_head_sign(&h, r, &k, 0), TOWNORG_EINVALID);
	ck_assert_uint_eq(townorg_repo_signed_head_count(r), 0);
	townorg_repo_free(r);
	/* an empty log has nothing to sign */
	char p[160];
	snprintf(p, sizeof p, "%s/empty.townorg", dir);
	OK(townorg_repo_init(p));
	OK(townorg_repo_open(&r, p, 0));
	ck_assert_int_eq(townorg_head_sign(&h, r, &k, TOWNORG_SIGN_STORE), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "empty"));
	townorg_repo_free(r);
	/* storing needs write access */
	OK(townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY));
	ck_assert_int_eq(townorg_head_sign(&h, r, &k, TOWNORG_SIGN_STORE), TOWNORG_EREADONLY);
	townorg_repo_free(r);
}
END_TEST

/* verify counts the signed_head table as part of the schema, and its
 * triggers as the others */
START_TEST(verify_knows_signed_heads)
{
	make_repo();
	townorg_secret_key k;
	OK(townorg_key_generate(&k));
	townorg_repo *r;
	townorg_signed_head h;
	OK(townorg_repo_open(&r, path, 0));
	OK(townorg_head_sign(&h, r, &k, TOWNORG_SIGN_STORE));
	townorg_repo_free(r);
	townorg_verify_report *rep;
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 1);
	townorg_verify_report_free(rep);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER signed_head_no_delete", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	OK(townorg_repo_verify(&rep, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(rep), 0);
	townorg_verify_kind kind;
	const char *what, *msg;
	OK(townorg_verify_report_problem(rep, 0, &kind, &what, &msg));
	ck_assert_int_eq(kind, TOWNORG_VERIFY_SCHEMA);
	ck_assert_str_eq(what, "signed_head_no_delete");
	ck_assert_uint_eq(townorg_verify_report_problem_count(rep), 1);
	townorg_verify_report_free(rep);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("security");
	TCase *tc = tcase_create("security");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, atomic_write_replaces_and_guards);
	tcase_add_test(tc, failed_write_keeps_the_previous_file);
	tcase_add_test(tc, input_is_bounded);
	tcase_add_test(tc, init_is_atomic_and_redoes_half_made);
	tcase_add_test(tc, killed_init_leaves_nothing_half_made);
	tcase_add_test(tc, keys_round_trip);
	tcase_add_test(tc, sign_and_check_heads);
	tcase_add_test(tc, verify_knows_signed_heads);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * store_init.c — creating a repository file atomically, and recognising a
 * half-made one.
 *
 * townorg_repo_init builds the whole new repository (schema, triggers,
 * meta rows, WAL mode) in a temporary file beside the target
 * (`.NAME.init.<pid>.<n>.tmp`), closes it (SQLite checkpoints and removes
 * its WAL), fsyncs it and only then puts it in place: with link(2), which
 * fails when the target appeared meanwhile, or — on a file system without
 * hard links — rename(2) after checking that the target is still absent.
 * The directory is fsynced.  A process killed at any moment leaves either
 * no repository or a complete one (plus, at worst, a stray temporary
 * file, which no command reads).
 *
 * A *half-made* repository is what an interrupted init of an older
 * version (which created the file first and filled it in place) or a
 * copy cut short can leave: an empty file, or an SQLite file that holds
 * nothing but (part of) townorg's schema — no foreign table, no format
 * row, no object, version or log record.  Every command reports such a
 * file as "a half-made repository" (not as a foreign or damaged file),
 * and init replaces it, since nothing in it can be lost.
 */
#include "store/store_internal.h"
#include "base/files_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const own_objects[] = {
	"meta", "pack", "version", "reflog", "reflog_by_name", "sqlite_autoindex_version_1",
	"meta_no_update", "meta_no_delete", "pack_no_update", "pack_no_delete",
	"version_no_update", "version_no_delete", "reflog_no_update", "reflog_no_delete", NULL
};

static bool own_object(const char *name)
{
	for (int i = 0; own_objects[i]; i++)
		if (!strcmp(name, own_objects[i]))
			return true;
	return false;
}

/* Rows of a table that may be missing: 0 when it is missing or empty. */
static int64_t rows_of(sqlite3 *db, const char *table, bool *err)
{
	char sql[96];
	sqlite3_stmt *st;
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		if (!strstr(sqlite3_errmsg(db), "no such table"))
			*err = true;
		return 0;
	}
	int64_t n = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		*err = true;
	sqlite3_finalize(st);
	return n;
}

bool townorg__store_half_made(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return false;
	if (sb.st_size == 0)
		return true;
	sqlite3 *db = NULL;
	bool half = false, err = false;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK)
		goto out;
	int app = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (app != 0 && app != TOWNORG__STORE_APP_ID)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
		goto out;
	int rc;
	bool foreign = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!name || !own_object(name))
			foreign = true;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || foreign)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'format'", -1, &st, NULL) == SQLITE_OK) {
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) /* a format row, or unreadable */
			goto out;
	} else if (!strstr(sqlite3_errmsg(db), "no such table"))
		goto out;
	half = rows_of(db, "pack", &err) == 0 && rows_of(db, "version", &err) == 0 && rows_of(db, "reflog", &err) == 0 &&
	       !err;
out:
	sqlite3_close(db);
	return half;
}

int townorg__store_half_made_err(const char *path)
{
	return townorg__err(TOWNORG_ECORRUPT,
			    "%s: a half-made repository (an interrupted init?): re-run init on it (townorg init %s)", path,
			    path);
}

static void unlink_db(const char *path)
{
	size_t n = strlen(path);
	char *p = townorg__malloc(n + 10);
	unlink(path);
	if (!p)
		return;
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, n + 10, "%s%s", path, sfx[i]);
		unlink(p);
	}
	townorg__free(p);
}

static int build(const char *tmp, const char *schema_sql)
{
	townorg__store s = { 0 };
	s.path = (char *)tmp;
	char now[21], sql[512];
	int rc = sqlite3_open_v2(tmp, &s.db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		rc = townorg__store_sqlerr(&s, rc, "creating");
		goto out;
	}
	townorg__now(now);
	snprintf(sql, sizeof sql,
		 "INSERT INTO meta VALUES('format','" TOWNORG__STORE_FORMAT "'),('hash','sha256'),"
		 "('created','%s'),('library','%s'); COMMIT;",
		 now, TOWNORG_VERSION);
	/* WAL mode first (not allowed inside a transaction), then the schema
	 * and the meta rows in one transaction */
	char head[128];
	snprintf(head, sizeof head, "PRAGMA application_id=%d; PRAGMA journal_mode=WAL; BEGIN;", TOWNORG__STORE_APP_ID);
	rc = sqlite3_exec(s.db, head, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s.db, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s.db, sql, NULL, NULL, NULL);
	rc = rc == SQLITE_OK ? 0 : townorg__store_sqlerr(&s, rc, "creating");
out:
	if (sqlite3_close(s.db) != SQLITE_OK && rc == 0)
		rc = townorg__err(TOWNORG_EIO, "%s: cannot close the new repository", tmp);
	if (rc == 0) {
		int fd = open(tmp, O_RDWR | O_CLOEXEC);
		if (fd < 0 || fsync(fd) < 0)
			rc = townorg__err(TOWNORG_EIO, "%s: cannot sync the new repository: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

int townorg__store_init(const char *path, const char *schema_sql)
{
	static unsigned long counter;
	if (!path || !*path)
		return townorg__err(TOWNORG_EINVALID, "no repository path given");
	struct stat sb;
	bool redo = false;
	if (lstat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode) || !townorg__store_half_made(path))
			return townorg__err(TOWNORG_EEXISTS, "%s: the file already exists", path);
		redo = true;
	} else if (errno != ENOENT)
		return townorg__err(TOWNORG_EIO, "%s: %s", path, strerror(errno));
	size_t n = strlen(path), cap = n + 64;
	char *tmp = townorg__malloc(cap), *copy = townorg__strdup(path);
	if (!tmp || !copy) {
		townorg__free(tmp);
		townorg__free(copy);
		return townorg__oom();
	}
	char *slash = strrchr(copy, '/');
	int dirlen = slash ? (int)(slash - copy) + 1 : 0;
	int fd = -1;
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		snprintf(tmp, cap, "%.*s.%s.init.%ld.%lu.tmp", dirlen, copy, copy + dirlen, (long)getpid(),
			 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	townorg__free(copy);
	if (fd < 0) {
		int rc = townorg__err(TOWNORG_EIO, "%s: cannot create: %s", path, strerror(errno));
		townorg__free(tmp);
		return rc;
	}
	close(fd);
	int rc = build(tmp, schema_sql);
	if (rc == 0) {
		if (redo) {
			/* nothing of the half-made file is kept, not even a WAL */
			char *p = townorg__malloc(n + 10);
			if (!p)
				rc = townorg__oom();
			for (int i = 0; p && i < 3; i++) {
				snprintf(p, n + 10, "%s%s", path, i == 0 ? "-wal" : i == 1 ? "-shm" : "-journal");
				unlink(p);
			}
			townorg__free(p);
			if (rc == 0 && rename(tmp, path) < 0)
				rc = townorg__err(TOWNORG_EIO, "%s: cannot put the new repository in place: %s", path,
						  strerror(errno));
		} else if (link(tmp, path) < 0) {
			if (errno == EEXIST)
				rc = townorg__err(TOWNORG_EEXISTS, "%s: the file already exists", path);
			else if (access(path, F_OK) == 0)
				rc = townorg__err(TOWNORG_EEXISTS, "%s: the file already exists", path);
			else if (rename(tmp, path) < 0) /* no hard links here */
				rc = townorg__err(TOWNORG_EIO, "%s: cannot put the new repository in place: %s", path,
						  strerror(errno));
		}
	}
	if (rc == 0)
		(void)townorg__fsync_dir(path);
	unlink_db(tmp); /* the temporary name (after link), or a failed build */
	townorg__free(tmp);
	return rc;
}

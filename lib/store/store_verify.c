/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * store_verify.c — townorg_repo_verify: recompute every hash of a
 * repository file from its stored bytes.
 *
 * Four passes, each independent of the in-memory caches a normal open
 * builds up:
 *  1. SQLite's own integrity check of the file's pages and indexes;
 *  2. every entity object: decoded from its pack and hashed again, against
 *     the hash stored beside it;
 *  3. every version: its stored bytes hashed again against its id (done by
 *     the open), its content rebuilt from its delta (and also from its
 *     snapshot when it has both) and the state hash recomputed;
 *  4. the branch and tag log: each record's hash recomputed over the
 *     previous record's hash and its own fields, and each record's link to
 *     the one before checked.
 * A problem is listed with what it is about; the check goes on.
 */
#include "store/store_internal.h"
#include "store/verify_report.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct {
	townorg__store *s;
	townorg_verify_report *r;
	townorg_verify_progress_cb cb;
	void *payload;
	uint64_t done, total;
	bool cancelled;
} vctx;

static int step(vctx *c)
{
	c->done++;
	if (c->cb && (c->done % 256 == 0 || c->done == c->total) && c->cb(c->done, c->total, c->payload)) {
		c->cancelled = true;
		return 1;
	}
	return 0;
}

static int object_cb(int64_t loc, const unsigned char *hash, int rc, void *ctx)
{
	vctx *c = ctx;
	c->r->objects++;
	if (rc < 0) {
		char hex[65];
		townorg__hex(hex, hash, TOWNORG__HASH_SIZE);
		townorg__verify_add(c->r, TOWNORG_VERIFY_OBJECT, hex, "%s", townorg_error_last());
	}
	(void)loc;
	return step(c);
}

static int64_t count_of(townorg__store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return n;
}

static int check_file(vctx *c)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(c->s->db, "PRAGMA integrity_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return townorg__store_sqlerr(c->s, rc, "integrity check");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t && strcmp(t, "ok"))
			townorg__verify_add(c->r, TOWNORG_VERIFY_FILE, c->s->path, _("SQLite integrity check: %s"), t);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		townorg__verify_add(c->r, TOWNORG_VERIFY_FILE, c->s->path, _("SQLite integrity check failed: %s"),
				    sqlite3_errmsg(c->s->db));
	return 0;
}

static int check_versions(vctx *c)
{
	townorg_repo *repo = c->s->repo;
	for (size_t i = 0; i < repo->n_versions; i++) {
		townorg_version *v = repo->versions[i];
		townorg__vinfo *vi = v->loader_ctx;
		int rc = townorg__version_ensure(v);
		if (rc == TOWNORG_ENOMEM)
			return rc;
		if (rc < 0) {
			townorg__verify_add(c->r, TOWNORG_VERIFY_VERSION, v->id, "%s", townorg_error_last());
		} else if (vi && vi->has_snapshot && vi->has_delta && v->n_parents &&
			   __atomic_load_n(&v->parents[0]->loaded, __ATOMIC_ACQUIRE)) {
			/* Loaded through its delta: check its snapshot too. */
			townorg_version *tmp = townorg__version_alloc();
			if (!tmp)
				return townorg__oom();
			rc = townorg__store_materialise(c->s, v, vi, false, tmp);
			townorg__version_destroy(tmp);
			if (rc == TOWNORG_ENOMEM)
				return rc;
			if (rc < 0)
				townorg__verify_add(c->r, TOWNORG_VERIFY_VERSION, v->id, _("snapshot: %s"), townorg_error_last());
		}
		if (step(c))
			return 0;
	}
	return 0;
}

static int check_log(vctx *c)
{
	sqlite3_stmt *st;
	unsigned char prev[TOWNORG__HASH_SIZE] = { 0 }, h[TOWNORG__HASH_SIZE];
	int64_t last_seq = 0;
	int rc = sqlite3_prepare_v2(c->s->db, "SELECT seq, kind, name, op, old, new, at, prev, hash FROM reflog ORDER BY seq",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return townorg__store_sqlerr(c->s, rc, "reading the branch log");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		char what[32];
		snprintf(what, sizeof what, "%lld", (long long)seq);
		c->r->log_records++;
		const char *name = (const char *)sqlite3_column_text(st, 2), *at = (const char *)sqlite3_column_text(st, 6);
		const void *old = sqlite3_column_blob(st, 4);
		size_t oldn = (size_t)sqlite3_column_bytes(st, 4);
		const void *nw = sqlite3_column_blob(st, 5);
		size_t nwn = (size_t)sqlite3_column_bytes(st, 5);
		const unsigned char *sp = sqlite3_column_blob(st, 7), *sh = sqlite3_column_blob(st, 8);
		if (seq != last_seq + 1)
			townorg__verify_add(c->r, TOWNORG_VERIFY_REFLOG, what,
					    _("log record %lld follows record %lld: records are missing"), (long long)seq,
					    (long long)last_seq);
		if (!sp || sqlite3_column_bytes(st, 7) != TOWNORG__HASH_SIZE || memcmp(sp, prev, TOWNORG__HASH_SIZE))
			townorg__verify_add(c->r, TOWNORG_VERIFY_REFLOG, what,
					    _("log record %lld does not link to the record before it (the chain is broken)"),
					    (long long)seq);
		townorg__store_log_hash(h, sp && sqlite3_column_bytes(st, 7) == TOWNORG__HASH_SIZE ? sp : prev, seq,
					sqlite3_column_int(st, 1), name, sqlite3_column_int(st, 3), old, oldn, nw, nwn, at);
		if (!sh || sqlite3_column_bytes(st, 8) != TOWNORG__HASH_SIZE || memcmp(sh, h, TOWNORG__HASH_SIZE)) {
			townorg__verify_add(c->r, TOWNORG_VERIFY_REFLOG, what,
					    _("log record %lld (%s %s) does not match its hash: it was rewritten"),
					    (long long)seq, sqlite3_column_int(st, 1) ? _("tag") : _("branch"), name ? name : "?");
			memcpy(prev, sh && sqlite3_column_bytes(st, 8) == TOWNORG__HASH_SIZE ? sh : h, TOWNORG__HASH_SIZE);
		} else
			memcpy(prev, sh, TOWNORG__HASH_SIZE);
		last_seq = seq;
		if (step(c))
			break;
	}
	if (c->r->log_records)
		townorg__hex(c->r->log_head, prev, TOWNORG__HASH_SIZE);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = townorg__store_sqlerr(c->s, rc, "reading the branch log");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

/* A file that cannot be opened as a repository at all: when it is a
 * townorg file by its header (SQLite header, application id "TOWN") and
 * not a half-made one, report why it could not be opened, run SQLite's
 * integrity check on it if SQLite can, and say that the objects, versions
 * and log were not checked.  0 with the report filled, -1 when the file is
 * not a townorg file (the caller returns the open's error). */
int townorg__verify_salvage(struct townorg_verify_report *r, const char *path)
{
	unsigned char h[72];
	char why[1024];
	snprintf(why, sizeof why, "%s", townorg_error_last() ? townorg_error_last() : "cannot be opened");
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof h, f) : 0;
	if (f)
		fclose(f);
	if (n < 72 || memcmp(h, "SQLite format 3", 16) || memcmp(h + 68, "TOWN", 4) || townorg__store_half_made(path))
		return -1;
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	bool ran = false, sound = false;
	size_t before = r->n;
	townorg__verify_add(r, TOWNORG_VERIFY_FILE, path, _("the repository cannot be opened: %s"), why);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);
			ran = true;
			if (t && !strcmp(t, "ok"))
				sound = true;
			else if (t)
				townorg__verify_add(r, TOWNORG_VERIFY_FILE, path, _("SQLite integrity check: %s"), t);
		}
		if (sound && rc == SQLITE_DONE) {
			/* sound pages: the open failed on the format or schema,
			 * which is not damage; the caller reports that error */
			sqlite3_finalize(st);
			sqlite3_close(db);
			while (r->n > before) {
				r->n--;
				townorg__free(r->p[r->n].what);
				townorg__free(r->p[r->n].msg);
			}
			townorg__err(TOWNORG_ECORRUPT, "%s", why);
			return -1;
		}
		if (ran && rc != SQLITE_DONE)
			townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "file", _("SQLite's integrity check stopped early: %s"),
					    sqlite3_errmsg(db));
		ran = ran || rc == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	if (!ran)
		townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "file", _("SQLite's integrity check could not run: %s"),
				    db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_close(db);
	townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "repository",
			    _("objects, versions, the branch log and the schema could not be checked"));
	return r->oom ? -1 : 0;
}

int townorg_repo_verify(townorg_verify_report **out, const char *path, townorg_verify_progress_cb cb, void *payload)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, _("no place for the report"));
	*out = NULL;
	townorg_verify_report *r = townorg__calloc(1, sizeof *r);
	if (!r)
		return townorg__oom();
	townorg_repo *repo = NULL;
	int rc = townorg__store_open(&repo, path, TOWNORG_OPEN_READONLY, r);
	if (rc < 0) {
		/* a townorg file too damaged to open still gets a report */
		if ((rc == TOWNORG_ECORRUPT || rc == TOWNORG_EIO) && townorg__verify_salvage(r, path) == 0) {
			*out = r;
			return 0;
		}
		townorg_verify_report_free(r);
		return rc;
	}
	vctx c = { (townorg__store *)townorg__store_of(repo), r, cb, payload, 0, 0, false };
	c.total = (uint64_t)count_of(c.s, "SELECT COALESCE(SUM(count), 0) FROM pack") +
		  (uint64_t)count_of(c.s, "SELECT COUNT(*) FROM version") + (uint64_t)count_of(c.s, "SELECT COUNT(*) FROM reflog");
	r->versions = (size_t)count_of(c.s, "SELECT COUNT(*) FROM version");
	if ((rc = check_file(&c)) == 0 && !c.cancelled) {
		rc = townorg__store_each_object(c.s, object_cb, &c);
		if (c.cancelled)
			rc = 0;
		if (rc < 0 && rc != TOWNORG_ENOMEM) {
			/* damaged pages: the objects after them are not checked */
			townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "pack",
					    _("%zu objects were checked; the rest could not be read: %s"), r->objects,
					    townorg_error_last());
			rc = 0;
		}
	}
	if (rc == 0 && !c.cancelled)
		rc = check_versions(&c);
	if (rc == 0 && !c.cancelled) {
		rc = check_log(&c);
		if (rc < 0 && rc != TOWNORG_ENOMEM) {
			townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "reflog",
					    _("%zu log records were checked; the rest could not be read: %s"), r->log_records,
					    townorg_error_last());
			rc = 0;
		}
	}
	/* what the hashes do not cover (store_verify_schema.c) */
	if (rc == 0 && !c.cancelled)
		rc = townorg__verify_schema(c.s, r, townorg__store_schema());
	if (rc == 0 && !c.cancelled)
		rc = townorg__verify_version_rows(c.s, r);
	townorg_repo_free(repo);
	if (rc == 0 && c.cancelled)
		rc = townorg__err(TOWNORG_ERROR, _("%s: verify cancelled"), path);
	if (rc == 0 && r->oom)
		rc = townorg__oom();
	if (rc < 0) {
		townorg_verify_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

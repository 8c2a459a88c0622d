/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * store.c — repositories in a single SQLite file: open, commit, branch and
 * tag moves, refresh, and the lazy loading of versions.
 *
 * What is stored, and why
 * -----------------------
 * Entities are content-addressed objects: their canonical bytes (the bytes
 * hashed into the entity hash, townorg__entity_encode) are appended to
 * "packs", one or more rows per commit of up to 4096 records, compressed
 * with zlib when that is smaller.  Each pack row also keeps the 32-byte
 * hashes of its records, so every object can be checked on its own.  An
 * object has a number (the pack's first number + its index), which is how
 * versions refer to it: 1–3 bytes instead of a 32-byte hash.
 *
 * A version row holds the version's canonical bytes (townorg__version_encode,
 * whose hash is the version id), a *delta* — the object numbers put and the
 * ids removed relative to its first parent, which is exactly what the commit
 * changed — and, every eighth version along a first-parent line (and for
 * every root), a *snapshot*: the sorted object numbers of all its entities,
 * delta-coded and compressed (about 0.3 bytes an entity).  So a commit of k
 * changes writes O(k) bytes (plus an O(n) snapshot every eighth commit), and
 * any version can be materialised from at most one snapshot and seven
 * deltas.  We store deltas rather than trie nodes because the trie shape is
 * recomputed identically from the entities anyway (it depends only on the
 * keys), and deltas are several times smaller than the k log n nodes a
 * commit creates.
 *
 * Branch and tag moves are appended to a log whose records each hash the
 * previous record's hash; the current refs are the replay of the log.  The
 * tables meta, pack, version and reflog refuse UPDATE and DELETE (triggers):
 * the file only grows.  Each commit is one SQLite transaction (WAL journal,
 * synchronous=FULL), so a crash leaves the previous commit intact.
 *
 * Lazy loading: opening reads the version rows' metadata (not deltas,
 * snapshots or packs).  A version's entities are materialised on first use
 * through the version's loader hook: from its first parent plus its delta
 * when the parent is already in memory (O(k log n), and the tries share
 * structure with the parent), otherwise from its snapshot or, failing that,
 * by loading the parent first.  Entities already decoded are reused by
 * object number, so two versions loaded separately share entity values.
 * Every materialised version's state hash is recomputed and compared.
 *
 * The store's files: store.c (this: schema, open, commit, refs, refresh),
 * store_load.c (materialising versions), store_objects.c (shared helpers
 * and the map of known objects), store_verify.c (townorg_repo_verify).
 */
#include "store/store_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int exec(townorg__store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : townorg__store_sqlerr(s, rc, sql);
}

/* ------------------------------------------------------------ schema */

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE pack(first INTEGER PRIMARY KEY, count INTEGER NOT NULL,"
	" hashes BLOB NOT NULL, data BLOB NOT NULL);"
	"CREATE TABLE version(seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, depth INTEGER NOT NULL,"
	" n_entities INTEGER NOT NULL, body BLOB NOT NULL, delta BLOB, snapshot BLOB);"
	"CREATE TABLE reflog(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, name TEXT NOT NULL,"
	" op INTEGER NOT NULL, old BLOB, new BLOB, at TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE INDEX reflog_by_name ON reflog(kind, name, seq);"
	"CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, 'townorg: meta is append-only'); END;"
	"CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta BEGIN SELECT RAISE(ABORT, 'townorg: meta is append-only'); END;"
	"CREATE TRIGGER pack_no_update BEFORE UPDATE ON pack BEGIN SELECT RAISE(ABORT, 'townorg: pack is append-only'); END;"
	"CREATE TRIGGER pack_no_delete BEFORE DELETE ON pack BEGIN SELECT RAISE(ABORT, 'townorg: pack is append-only'); END;"
	"CREATE TRIGGER version_no_update BEFORE UPDATE ON version BEGIN SELECT RAISE(ABORT, 'townorg: version is append-only'); END;"
	"CREATE TRIGGER version_no_delete BEFORE DELETE ON version BEGIN SELECT RAISE(ABORT, 'townorg: version is append-only'); END;"
	"CREATE TRIGGER reflog_no_update BEFORE UPDATE ON reflog BEGIN SELECT RAISE(ABORT, 'townorg: reflog is append-only'); END;"
	"CREATE TRIGGER reflog_no_delete BEFORE DELETE ON reflog BEGIN SELECT RAISE(ABORT, 'townorg: reflog is append-only'); END;";

/* Atomically, in a temporary file put in place when complete; a
 * half-made file is redone (store_init.c). */
int townorg_repo_init(const char *path) { return townorg__store_init(path, schema_sql); }

const char *townorg__store_schema(void) { return schema_sql; }

/* ------------------------------------------------------------ versions */

/* The strings of one event of a version row, copied out of the row with a
 * NUL each so that townorg__event_pack can read them; reused from event to
 * event.  Slot k is the event's k-th string (id, from ids, to ids,
 * documents, date, wording); off[k] is where it begins in s, or SIZE_MAX
 * for NULL. */
typedef struct {
	townorg__buf s;
	size_t *off;
	const char **ptr;
	size_t cap;
} ev_scratch;

static void scr_str(townorg__rd *r, ev_scratch *x, size_t k, bool *oom)
{
	if (r->bad || *oom)
		return;
	if (k >= x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		while (cap <= k)
			cap *= 2;
		size_t *o = townorg__realloc(x->off, cap * sizeof *o);
		if (o)
			x->off = o;
		const char **pp = o ? townorg__realloc((void *)x->ptr, cap * sizeof *pp) : NULL;
		if (!pp) {
			*oom = true;
			return;
		}
		x->ptr = pp;
		x->cap = cap;
	}
	uint64_t n = townorg__rd_varint(r);
	if (r->bad)
		return;
	if (!n) {
		x->off[k] = SIZE_MAX;
		return;
	}
	n--;
	if ((uint64_t)(r->end - r->p) < n || memchr(r->p, 0, n)) {
		r->bad = true;
		return;
	}
	x->off[k] = x->s.len;
	townorg__buf_put(&x->s, r->p, n);
	townorg__buf_putc(&x->s, 0);
	if (x->s.failed)
		*oom = true;
	r->p += n;
}

/* The ne events of a version row, from its canonical bytes straight into
 * v's encoded block.  0, or -1 with r->bad (malformed) or *oom set. */
static int read_events(townorg__rd *r, townorg_version *v, uint64_t ne, bool *oom)
{
	ev_scratch x = { { 0 }, NULL, NULL, 0 };
	townorg__buf evb = { 0 };
	size_t maxlist = 0;
	for (uint64_t i = 0; i < ne && !r->bad && !*oom; i++) {
		uint64_t kind = townorg__rd_varint(r);
		size_t cnt[3] = { 0, 0, 0 }, k = 0;
		x.s.len = 0;
		scr_str(r, &x, k++, oom); /* event id */
		for (int l = 0; l < 3 && !r->bad && !*oom; l++) {
			uint64_t n = townorg__rd_varint(r);
			if (r->bad || n > (uint64_t)(r->end - r->p)) {
				r->bad = true;
				break;
			}
			cnt[l] = (size_t)n;
			for (uint64_t j = 0; j < n && !r->bad && !*oom; j++) {
				scr_str(r, &x, k++, oom);
				if (!r->bad && !*oom && x.off[k - 1] == SIZE_MAX)
					r->bad = true; /* a list holds no NULL */
			}
		}
		scr_str(r, &x, k++, oom); /* date */
		scr_str(r, &x, k++, oom); /* wording */
		if (r->bad || *oom)
			break;
		if (kind > TOWNORG_EVENT_TRANSFER_ARCHIVES || !townorg_event_kind_token((townorg_event_kind)kind)) {
			r->bad = true;
			break;
		}
		for (size_t j = 0; j < k; j++)
			x.ptr[j] = x.off[j] == SIZE_MAX ? NULL : x.s.data + x.off[j];
		townorg_event t = TOWNORG_EVENT_INIT;
		t.kind = (townorg_event_kind)kind;
		t.event_id = x.ptr[0];
		t.from_ids = cnt[0] ? x.ptr + 1 : NULL;
		t.from_count = cnt[0];
		t.to_ids = cnt[1] ? x.ptr + 1 + cnt[0] : NULL;
		t.to_count = cnt[1];
		t.documents = cnt[2] ? x.ptr + 1 + cnt[0] + cnt[1] : NULL;
		t.document_count = cnt[2];
		t.date = x.ptr[k - 2];
		t.wording = x.ptr[k - 1];
		townorg__event_pack(&evb, &t, (size_t)i, &maxlist);
		if (evb.failed)
			*oom = true;
	}
	townorg__buf_free(&x.s);
	townorg__free(x.off);
	townorg__free((void *)x.ptr);
	if (r->bad || *oom) {
		townorg__buf_free(&evb);
		return -1;
	}
	if (townorg__version_take_events(v, &evb, (size_t)ne, maxlist) < 0) {
		*oom = true;
		return -1;
	}
	return 0;
}

/* Decode a version row's canonical bytes into a new (unloaded) version:
 * its parents must already be in the repository. */
int townorg__store_version_decode(townorg__store *s, townorg_version **out, const unsigned char *body, size_t len,
				  const char *id_hex)
{
	static const unsigned char none[1];
	if (!body) /* SQLite gives NULL for an empty blob */
		body = none, len = 0;
	townorg__rd r = { body, body + len, false, false };
	bool oom = false;
	char *sh = NULL;
	townorg_version *v = townorg__version_alloc();
	*out = NULL;
	if (!v)
		return townorg__oom();
	sh = townorg__rd_str(&r, &oom);
	if (!sh || strlen(sh) != 64)
		goto bad;
	memcpy(v->state_hash, sh, 65);
	uint64_t np = townorg__rd_varint(&r);
	if (r.bad || np > 1024)
		goto bad;
	if (np) {
		v->parents = townorg__calloc(np, sizeof *v->parents);
		if (!v->parents)
			goto nomem;
	}
	for (uint64_t i = 0; i < np; i++) {
		char *pid = townorg__rd_str(&r, &oom);
		const townorg_version *p = pid ? townorg__strmap_get(&s->repo->by_id, pid) : NULL;
		if (!p) {
			int rc = oom ? townorg__oom()
				     : townorg__err(TOWNORG_ECORRUPT, _("%s: version %s names parent %s, which is not in the file"),
						    s->path, id_hex, pid ? pid : "(unreadable)");
			townorg__free(pid);
			townorg__free(sh);
			townorg__version_destroy(v);
			return rc;
		}
		townorg__free(pid);
		v->parents[v->n_parents++] = p;
	}
	townorg_meta *m = &v->meta;
	m->effective_date = townorg__rd_str(&r, &oom);
	m->recorded_at = townorg__rd_str(&r, &oom);
	m->author = townorg__rd_str(&r, &oom);
	m->doc_issuer = townorg__rd_str(&r, &oom);
	m->doc_number = townorg__rd_str(&r, &oom);
	m->doc_date = townorg__rd_str(&r, &oom);
	m->doc_title = townorg__rd_str(&r, &oom);
	m->message = townorg__rd_str(&r, &oom);
	uint64_t ne = townorg__rd_varint(&r);
	if (r.bad || ne > (uint64_t)(r.end - r.p) || !m->effective_date)
		goto bad;
	read_events(&r, v, ne, &oom);
	if (oom)
		goto nomem;
	if (r.bad || r.p != r.end)
		goto bad;
	/* The id is the hash of exactly these bytes. */
	unsigned char h[TOWNORG__HASH_SIZE];
	townorg__sha sha;
	townorg__sha_init(&sha);
	townorg__sha_update(&sha, "townorg-version-1", 18);
	townorg__sha_update(&sha, body, len);
	townorg__sha_final(&sha, h);
	townorg__hex(v->id, h, TOWNORG__HASH_SIZE);
	if (strcmp(v->id, id_hex)) {
		townorg__free(sh);
		townorg__version_destroy(v);
		return townorg__err(TOWNORG_ECORRUPT, _("%s: version %s: its stored bytes do not match its id"), s->path,
				    id_hex);
	}
	townorg__free(sh);
	*out = v;
	return 0;
nomem:
	townorg__free(sh);
	townorg__version_destroy(v);
	return townorg__oom();
bad:
	if (oom) /* a string that could not be copied is not a malformed record */
		goto nomem;
	townorg__free(sh);
	townorg__version_destroy(v);
	return townorg__err(TOWNORG_ECORRUPT, _("%s: version %s: malformed record"), s->path, id_hex);
}

static int vinfo_add(townorg__store *s, const char *id, int64_t seq, int depth, bool delta, bool snap,
		     townorg__vinfo **out)
{
	if (s->n_vinfos == s->cap_vinfos && TOWNORG__GROW(s->vinfos, s->cap_vinfos, 64) < 0)
		return townorg__oom();
	townorg__vinfo *vi = townorg__calloc(1, sizeof *vi);
	if (!vi)
		return townorg__oom();
	vi->s = s;
	vi->seq = seq;
	vi->depth = depth;
	vi->has_delta = delta;
	vi->has_snapshot = snap;
	memcpy(vi->id, id, 65);
	if (townorg__strmap_put(&s->vinfo_by_id, vi->id, vi) < 0) {
		townorg__free(vi);
		return townorg__oom();
	}
	s->vinfos[s->n_vinfos++] = vi;
	if (out)
		*out = vi;
	return 0;
}

/* Read version rows after s->last_version_seq; versions already held
 * (committed by this handle) are skipped. */
static int read_versions(townorg__store *s, size_t *added)
{
	sqlite3_stmt *st;
	int rc, src;
	if ((rc = townorg__store_prep(s, &st, "SELECT seq, id, depth, body, delta IS NOT NULL, snapshot IS NOT NULL FROM version "
			       "WHERE seq > ? ORDER BY seq")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, s->last_version_seq);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const void *idb = sqlite3_column_blob(st, 1);
		char id[65];
		s->last_version_seq = seq;
		if (sqlite3_column_bytes(st, 1) != TOWNORG__HASH_SIZE || !idb) {
			rc = townorg__err(TOWNORG_ECORRUPT, _("%s: version row %lld has a malformed id"), s->path, (long long)seq);
			if (s->report) {
				townorg__verify_add(s->report, TOWNORG_VERIFY_VERSION, "?", "%s", townorg_error_last());
				continue;
			}
			goto out;
		}
		townorg__hex(id, idb, TOWNORG__HASH_SIZE);
		if (townorg__strmap_get(&s->repo->by_id, id))
			continue;
		townorg_version *v;
		rc = townorg__store_version_decode(s, &v, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), id);
		if (rc == TOWNORG_ECORRUPT && s->report) {
			townorg__verify_add(s->report, TOWNORG_VERIFY_VERSION, id, "%s", townorg_error_last());
			continue;
		}
		if (rc < 0)
			goto out;
		townorg__vinfo *vi;
		if ((rc = vinfo_add(s, id, seq, sqlite3_column_int(st, 2), sqlite3_column_int(st, 4),
				    sqlite3_column_int(st, 5), &vi)) < 0) {
			townorg__version_destroy(v);
			goto out;
		}
		v->loaded = 0;
		v->loader = townorg__store_loader;
		v->loader_ctx = vi;
		if ((rc = townorg__repo_add_version(s->repo, v)) < 0) {
			townorg__version_destroy(v);
			goto out;
		}
		if (added)
			(*added)++;
	}
	rc = src == SQLITE_DONE ? 0 : townorg__store_sqlerr(s, src, "reading versions");
	if (rc < 0 && rc != TOWNORG_ENOMEM && s->report) {
		/* verify: report what could not be read, check the rest */
		townorg__verify_add(s->report, TOWNORG_VERIFY_UNCHECKED, "version",
				    _("the versions after row %lld could not be read: %s"), (long long)s->last_version_seq,
				    townorg_error_last());
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------ refs */

static townorg__ref **refs_of(townorg_repo *r, int kind, size_t **n)
{
	*n = kind ? &r->n_tags : &r->n_branches;
	return kind ? &r->tags : &r->branches;
}

static townorg__ref *ref_get(townorg_repo *r, int kind, const char *name, size_t *pos)
{
	size_t *n;
	townorg__ref *refs = *refs_of(r, kind, &n);
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(refs[i].name, name)) {
			if (pos)
				*pos = i;
			return &refs[i];
		}
	return NULL;
}

static void ref_drop(townorg_repo *r, int kind, const char *name)
{
	size_t *n, pos;
	townorg__ref **refs = refs_of(r, kind, &n);
	if (!ref_get(r, kind, name, &pos))
		return;
	townorg__free((*refs)[pos].name);
	memmove(*refs + pos, *refs + pos + 1, (*n - pos - 1) * sizeof **refs);
	(*n)--;
}

enum { OP_CREATE = 0, OP_MOVE = 1, OP_DELETE = 2 };

/* Replay log records after s->last_log_seq onto the repository's refs. */
static int read_log(townorg__store *s)
{
	sqlite3_stmt *st;
	int rc, src;
	if ((rc = townorg__store_prep(s, &st, "SELECT seq, kind, name, op, new FROM reflog WHERE seq > ? ORDER BY seq")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, s->last_log_seq);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int kind = sqlite3_column_int(st, 1), op = sqlite3_column_int(st, 3);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		const void *nb = sqlite3_column_blob(st, 4);
		int nlen = sqlite3_column_bytes(st, 4);
		s->last_log_seq = seq;
		const townorg_version *v = NULL;
		if (nb && nlen == TOWNORG__HASH_SIZE) {
			char id[65];
			townorg__hex(id, nb, TOWNORG__HASH_SIZE);
			v = townorg__strmap_get(&s->repo->by_id, id);
			if (!v) {
				rc = townorg__err(TOWNORG_ECORRUPT, _("%s: log record %lld moves %s to version %s, which is not in the file"),
						  s->path, (long long)seq, name ? name : "?", id);
				goto bad;
			}
		} else if (nb || nlen) {
			rc = townorg__err(TOWNORG_ECORRUPT, _("%s: log record %lld is malformed"), s->path, (long long)seq);
			goto bad;
		}
		if (!name || (kind != 0 && kind != 1) || op < OP_CREATE || op > OP_DELETE ||
		    !townorg__valid_ref_name(name) || (kind == 1 && !v && op != OP_DELETE)) {
			rc = townorg__err(TOWNORG_ECORRUPT, _("%s: log record %lld is malformed"), s->path, (long long)seq);
			goto bad;
		}
		if (op == OP_DELETE)
			ref_drop(s->repo, kind, name);
		else if ((rc = townorg__repo_set_ref_raw(s->repo, kind == 1, name, v)) < 0)
			goto out;
		continue;
	bad:
		if (!s->report)
			goto out;
		char what[32];
		snprintf(what, sizeof what, "%lld", (long long)seq);
		townorg__verify_add(s->report, TOWNORG_VERIFY_REFLOG, what, "%s", townorg_error_last());
	}
	rc = src == SQLITE_DONE ? 0 : townorg__store_sqlerr(s, src, "reading the branch log");
	if (rc < 0 && rc != TOWNORG_ENOMEM && s->report) {
		townorg__verify_add(s->report, TOWNORG_VERIFY_UNCHECKED, "reflog",
				    _("the branch log after record %lld could not be read: %s"), (long long)s->last_log_seq,
				    townorg_error_last());
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/* Feed the hash the same bytes townorg__buf_varint / _str would make,
 * without allocating: a log record's hash must never depend on memory. */
static void sha_varint(townorg__sha *sha, uint64_t v)
{
	unsigned char tmp[TOWNORG__VARINT_MAX];
	townorg__sha_update(sha, tmp, townorg__varint_encode(tmp, v));
}

static void sha_str(townorg__sha *sha, const char *str)
{
	if (!str) {
		sha_varint(sha, 0);
		return;
	}
	size_t n = strlen(str);
	sha_varint(sha, n + 1);
	townorg__sha_update(sha, str, n);
}

void townorg__store_log_hash(unsigned char out[TOWNORG__HASH_SIZE], const unsigned char prev[TOWNORG__HASH_SIZE],
			     int64_t seq, int kind, const char *name, int op, const void *old_id, size_t old_len,
			     const void *new_id, size_t new_len, const char *at)
{
	townorg__sha sha;
	townorg__sha_init(&sha);
	townorg__sha_update(&sha, "townorg-reflog-1", 17);
	townorg__sha_update(&sha, prev, TOWNORG__HASH_SIZE);
	sha_varint(&sha, (uint64_t)seq);
	sha_varint(&sha, (uint64_t)kind);
	sha_str(&sha, name);
	sha_varint(&sha, (uint64_t)op);
	sha_varint(&sha, old_len);
	townorg__sha_update(&sha, old_id, old_len);
	sha_varint(&sha, new_len);
	townorg__sha_update(&sha, new_id, new_len);
	sha_str(&sha, at);
	townorg__sha_final(&sha, out);
}

static int unhex(unsigned char *out, const char *hex)
{
	for (int i = 0; i < TOWNORG__HASH_SIZE; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			v = v * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c - '0');
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* The ref as the file has it now (inside a write transaction). */
static int db_ref(townorg__store *s, int kind, const char *name, bool *exists, unsigned char id[32], bool *has_v)
{
	sqlite3_stmt *st;
	int rc;
	*exists = *has_v = false;
	if ((rc = townorg__store_prep(s, &st, "SELECT op, new FROM reflog WHERE kind = ? AND name = ? ORDER BY seq DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	int src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*exists = sqlite3_column_int(st, 0) != OP_DELETE;
		if (*exists && sqlite3_column_bytes(st, 1) == TOWNORG__HASH_SIZE) {
			memcpy(id, sqlite3_column_blob(st, 1), TOWNORG__HASH_SIZE);
			*has_v = true;
		}
		rc = 0;
	} else
		rc = src == SQLITE_DONE ? 0 : townorg__store_sqlerr(s, src, "reading the branch log");
	sqlite3_finalize(st);
	return rc;
}

/* "tag" or "branch" in the user's language: looked up only when a message
 * is made (check_ref runs on every ref update). */
static const char *ref_word(int kind) { return kind ? _("tag") : _("branch"); }

/* Check that the file's ref is what this handle believes it is. */
static int check_ref(townorg__store *s, int kind, const char *name, bool create)
{
	bool exists, has_v;
	unsigned char id[32], mine[32];
	int rc = db_ref(s, kind, name, &exists, id, &has_v);
	if (rc < 0)
		return rc;
	townorg__ref *f = ref_get(s->repo, kind, name, NULL);
	if (create || !f) {
		if (exists)
			return townorg__err(create ? TOWNORG_EEXISTS : TOWNORG_ECONFLICT,
					    _("%s: %s %s was created by another process; refresh and retry"), s->path, ref_word(kind), name);
		return 0;
	}
	if (!exists)
		return townorg__err(TOWNORG_ECONFLICT, _("%s: %s %s was deleted by another process; refresh and retry"),
				    s->path, ref_word(kind), name);
	if (f->v)
		unhex(mine, f->v->id);
	if (has_v != (f->v != NULL) || (has_v && memcmp(id, mine, 32)))
		return townorg__err(TOWNORG_ECONFLICT, _("%s: %s %s was moved by another process; refresh and retry"),
				    s->path, ref_word(kind), name);
	return 0;
}

static int log_append(townorg__store *s, int kind, const char *name, int op, const townorg_version *old,
		      const townorg_version *nv)
{
	sqlite3_stmt *st;
	int rc, src;
	unsigned char prev[32] = { 0 }, oldb[32], newb[32], h[32];
	int64_t seq = 1;
	if ((rc = townorg__store_prep(s, &st, "SELECT seq, hash FROM reflog ORDER BY seq DESC LIMIT 1")) < 0)
		return rc;
	if ((src = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(prev, sqlite3_column_blob(st, 1), 32);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return townorg__store_sqlerr(s, src, "reading the branch log");
	if (old)
		unhex(oldb, old->id);
	if (nv)
		unhex(newb, nv->id);
	char now[21];
	townorg__now(now);
	townorg__store_log_hash(h, prev, seq, kind, name, op, oldb, old ? 32 : 0, newb, nv ? 32 : 0, now);
	if ((rc = townorg__store_prep(s, &st, "INSERT INTO reflog(seq, kind, name, op, old, new, at, prev, hash) "
			       "VALUES(?,?,?,?,?,?,?,?,?)")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, op);
	if (old)
		sqlite3_bind_blob(st, 5, oldb, 32, SQLITE_STATIC);
	if (nv)
		sqlite3_bind_blob(st, 6, newb, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, prev, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, h, 32, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? 0 : townorg__store_sqlerr(s, src, "writing the branch log");
}

/* ------------------------------------------------------------ write transactions */

static int begin_write(townorg__store *s)
{
	/* a damaged file is not written to (issue 23) */
	if (__atomic_load_n(&s->damaged, __ATOMIC_ACQUIRE))
		return townorg__err(TOWNORG_ECORRUPT,
				    _("%s: refusing to write: objects of this repository failed their hash check when loaded; "
				    "run 'townorg verify' on it"),
				    s->path);
	return exec(s, s->in_batch ? "SAVEPOINT townorg_commit" : "BEGIN IMMEDIATE");
}

static int end_write(townorg__store *s, int rc)
{
	if (rc == 0) {
		rc = exec(s, s->in_batch ? "RELEASE townorg_commit" : "COMMIT");
		if (rc == 0)
			return 0;
	}
	/* keep the first error's message */
	char msg[512];
	snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
	if (s->in_batch)
		sqlite3_exec(s->db, "ROLLBACK TO townorg_commit; RELEASE townorg_commit", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return townorg__err(rc, "%s", msg);
}

static int next_object(townorg__store *s, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = townorg__store_prep(s, &st, "SELECT first + count FROM pack ORDER BY first DESC LIMIT 1");
	if (rc < 0)
		return rc;
	int src = sqlite3_step(st);
	*out = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : townorg__store_sqlerr(s, src, "reading packs");
}

/* A pack being written. */
typedef struct {
	townorg__store *s;
	int64_t first, count;
	townorg__buf data, hashes;
	int rc;
} packw;

static int pack_flush(packw *pw)
{
	if (!pw->count || pw->rc < 0)
		return pw->rc;
	townorg__buf z = { 0 };
	sqlite3_stmt *st = NULL;
	int rc = pw->data.failed || pw->hashes.failed ? townorg__oom() : townorg__store_wrap(&z, pw->data.data, pw->data.len);
	if (rc == 0 && (rc = townorg__store_prep(pw->s, &st, "INSERT INTO pack(first, count, hashes, data) VALUES(?,?,?,?)")) == 0) {
		sqlite3_bind_int64(st, 1, pw->first);
		sqlite3_bind_int64(st, 2, pw->count);
		sqlite3_bind_blob(st, 3, pw->hashes.data, (int)pw->hashes.len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, z.data, (int)z.len, SQLITE_STATIC);
		int src = sqlite3_step(st);
		if (src != SQLITE_DONE)
			rc = townorg__store_sqlerr(pw->s, src, "writing a pack");
	}
	sqlite3_finalize(st);
	townorg__buf_free(&z);
	pw->first += pw->count;
	pw->count = 0;
	pw->data.len = pw->hashes.len = 0;
	return pw->rc = rc;
}

/* The object number of an entity: the one it already has, or a new one in
 * the pack being written. */
static int obj_loc(packw *pw, townorg_entity *e, int64_t *loc)
{
	long k = townorg__objmap_find_hash(&pw->s->objs, e->hash);
	if (k >= 0) {
		*loc = pw->s->objs.ents[k].loc;
		return 0;
	}
	if (pw->rc < 0)
		return pw->rc;
	townorg__buf rec = { 0 };
	townorg__entity_encode(&rec, e);
	townorg__buf_varint(&pw->data, rec.len);
	townorg__buf_put(&pw->data, rec.data, rec.len);
	townorg__buf_put(&pw->hashes, e->hash, TOWNORG__HASH_SIZE);
	bool failed = rec.failed;
	townorg__buf_free(&rec);
	*loc = pw->first + pw->count;
	if (failed || townorg__objmap_add(&pw->s->objs, e, *loc) < 0)
		return pw->rc = townorg__oom();
	if (++pw->count == TOWNORG__STORE_PACK_MAX)
		return pack_flush(pw);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct {
	packw *pw;
	int64_t *locs;
	size_t n, cap;
	const char **removed;
	size_t n_removed, cap_removed;
	int rc;
} collect;

static int push_loc(collect *c, int64_t loc)
{
	if (c->n == c->cap && TOWNORG__GROW(c->locs, c->cap, 256) < 0)
		return c->rc = townorg__oom();
	c->locs[c->n++] = loc;
	return 0;
}

static int delta_cb(const void *a, const void *b, void *ctx)
{
	collect *c = ctx;
	int64_t loc;
	if (b) {
		if ((c->rc = obj_loc(c->pw, (townorg_entity *)b, &loc)) < 0)
			return c->rc;
		return push_loc(c, loc);
	}
	if (c->n_removed == c->cap_removed && TOWNORG__GROW(c->removed, c->cap_removed, 64) < 0)
		return c->rc = townorg__oom();
	c->removed[c->n_removed++] = townorg__entity_id(a);
	return 0;
}

static int snap_cb(const void *leaf, void *ctx) { return delta_cb(NULL, leaf, ctx); }

static void put_locs(townorg__buf *b, int64_t *locs, size_t n)
{
	if (n)
		qsort(locs, n, sizeof *locs, cmp_i64);
	townorg__buf_varint(b, n);
	int64_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		townorg__buf_varint(b, (uint64_t)(locs[i] - prev));
		prev = locs[i];
	}
}

static int store_commit(void *sp, townorg_repo *r, const townorg_version *v, const char *branch)
{
	townorg__store *s = sp;
	packw pw = { 0 };
	collect c = { 0 };
	townorg__buf delta = { 0 }, snap = { 0 }, body = { 0 }, zd = { 0 }, zs = { 0 };
	sqlite3_stmt *st = NULL;
	int64_t mark = 0;
	int rc;
	pthread_mutex_lock(&s->lock);
	if ((rc = begin_write(s)) < 0) {
		pthread_mutex_unlock(&s->lock);
		return rc;
	}
	if (branch && (rc = check_ref(s, 0, branch, false)) < 0)
		goto out;
	if ((rc = next_object(s, &mark)) < 0)
		goto out;
	pw.s = s;
	pw.first = mark;
	c.pw = &pw;
	const townorg_version *p = v->n_parents ? v->parents[0] : NULL;
	townorg__vinfo *pvi = p ? townorg__strmap_get(&s->vinfo_by_id, p->id) : NULL;
	int depth = pvi ? pvi->depth + 1 : 0;
	bool snapshot = !pvi || depth >= TOWNORG__STORE_SNAPSHOT_EVERY;
	if (pvi) {
		townorg__hamt_diff(&p->entities, &v->entities, &townorg__entity_trie, delta_cb, &c);
		if ((rc = c.rc) < 0)
			goto out;
		put_locs(&delta, c.locs, c.n);
		if (c.n_removed)
			qsort((void *)c.removed, c.n_removed, sizeof *c.removed, cmp_str);
		townorg__buf_varint(&delta, c.n_removed);
		for (size_t i = 0; i < c.n_removed; i++)
			townorg__buf_str(&delta, c.removed[i]);
		if (delta.failed || (rc = townorg__store_wrap(&zd, delta.data, delta.len)) < 0) {
			rc = townorg__oom();
			goto out;
		}
	}
	if (snapshot) {
		depth = 0;
		c.n = 0;
		townorg__hamt_foreach(&v->entities, snap_cb, &c);
		if ((rc = c.rc) < 0)
			goto out;
		put_locs(&snap, c.locs, c.n);
		if (snap.failed || (rc = townorg__store_wrap(&zs, snap.data, snap.len)) < 0) {
			rc = townorg__oom();
			goto out;
		}
	}
	if ((rc = pack_flush(&pw)) < 0)
		goto out;
	townorg__version_encode(&body, v);
	if (body.failed) {
		rc = townorg__oom();
		goto out;
	}
	unsigned char idb[32];
	unhex(idb, v->id);
	if ((rc = townorg__store_prep(s, &st, "INSERT INTO version(id, depth, n_entities, body, delta, snapshot) VALUES(?,?,?,?,?,?)")) < 0)
		goto out;
	sqlite3_bind_blob(st, 1, idb, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, depth);
	sqlite3_bind_int64(st, 3, (int64_t)v->entities.count);
	sqlite3_bind_blob(st, 4, body.data, (int)body.len, SQLITE_STATIC);
	if (pvi)
		sqlite3_bind_blob(st, 5, zd.data, (int)zd.len, SQLITE_STATIC);
	if (snapshot)
		sqlite3_bind_blob(st, 6, zs.data, (int)zs.len, SQLITE_STATIC);
	int src = sqlite3_step(st);
	if (src != SQLITE_DONE) {
		rc = townorg__store_sqlerr(s, src, "writing a version");
		if (rc == TOWNORG_ECONFLICT)
			rc = townorg__err(TOWNORG_ECONFLICT, _("%s: version %.12s was already committed by another process; refresh"),
					  s->path, v->id);
		goto out;
	}
	int64_t seq = sqlite3_last_insert_rowid(s->db);
	if (branch) {
		townorg__ref *f = ref_get(r, 0, branch, NULL);
		if ((rc = log_append(s, 0, branch, f ? OP_MOVE : OP_CREATE, f ? f->v : NULL, v)) < 0)
			goto out;
	}
	rc = vinfo_add(s, v->id, seq, depth, pvi != NULL, snapshot, NULL);
out:
	sqlite3_finalize(st);
	rc = end_write(s, rc);
	if (rc < 0) {
		townorg__objmap_truncate(&s->objs, mark);
		/* a vinfo added just before a failed COMMIT */
		townorg__vinfo *last = s->n_vinfos ? s->vinfos[s->n_vinfos - 1] : NULL;
		if (last && !strcmp(last->id, v->id)) {
			townorg__strmap_del(&s->vinfo_by_id, last->id);
			townorg__free(last);
			s->n_vinfos--;
		}
	}
	pthread_mutex_unlock(&s->lock);
	townorg__buf_free(&pw.data);
	townorg__buf_free(&pw.hashes);
	townorg__free(c.locs);
	townorg__free((void *)c.removed);
	townorg__buf_free(&delta);
	townorg__buf_free(&snap);
	townorg__buf_free(&body);
	townorg__buf_free(&zd);
	townorg__buf_free(&zs);
	return rc;
}

static int store_ref_update(void *sp, bool is_tag, const char *name, const townorg_version *v, bool create)
{
	townorg__store *s = sp;
	int kind = is_tag ? 1 : 0, rc;
	pthread_mutex_lock(&s->lock);
	if ((rc = begin_write(s)) < 0) {
		pthread_mutex_unlock(&s->lock);
		return rc;
	}
	townorg__ref *f = ref_get(s->repo, kind, name, NULL);
	if ((rc = check_ref(s, kind, name, create)) == 0)
		rc = log_append(s, kind, name, create ? OP_CREATE : v ? OP_MOVE : OP_DELETE, f ? f->v : NULL, v);
	rc = end_write(s, rc);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void vinfos_truncate(townorg__store *s, size_t n)
{
	while (s->n_vinfos > n) {
		townorg__vinfo *vi = s->vinfos[--s->n_vinfos];
		townorg__strmap_del(&s->vinfo_by_id, vi->id);
		townorg__free(vi);
	}
}

static int store_batch(void *sp, int what)
{
	townorg__store *s = sp;
	int rc = 0;
	pthread_mutex_lock(&s->lock);
	if (what == 0) {
		if ((rc = exec(s, "BEGIN IMMEDIATE")) == 0 && (rc = next_object(s, &s->batch_mark)) < 0)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (rc == 0) {
			s->in_batch = true;
			s->batch_vinfos = s->n_vinfos;
		}
	} else if (what == 1) {
		/* On failure the caller rolls back with what == 2. */
		rc = exec(s, "COMMIT");
		if (rc == 0)
			s->in_batch = false;
	} else {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (s->in_batch) {
			townorg__objmap_truncate(&s->objs, s->batch_mark);
			vinfos_truncate(s, s->batch_vinfos);
		}
		s->in_batch = false;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void store_close(void *sp)
{
	townorg__store *s = sp;
	if (!s)
		return;
	sqlite3_close(s->db);
	townorg__objmap_free(&s->objs);
	vinfos_truncate(s, 0);
	townorg__free(s->vinfos);
	townorg__strmap_free(&s->vinfo_by_id);
	pthread_mutex_destroy(&s->lock);
	townorg__free(s->path);
	townorg__free(s);
}

static const townorg__store_ops store_ops = { store_commit, store_ref_update, store_close, store_batch };

/* ------------------------------------------------------------ open */

static int check_format(townorg__store *s)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA application_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return townorg__store_sqlerr(s, rc, "reading the header");
	rc = sqlite3_step(st);
	int app = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return townorg__store_sqlerr(s, rc, "reading the header");
	if (app != TOWNORG__STORE_APP_ID)
		return townorg__err(TOWNORG_ECORRUPT, _("%s: not a townorg repository (an SQLite database of another program)"),
				    s->path);
	char *format = NULL, *hash = NULL;
	rc = sqlite3_prepare_v2(s->db, "SELECT key, value FROM meta WHERE key IN ('format','hash')", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc == SQLITE_ERROR ? townorg__err(TOWNORG_ECORRUPT, _("%s: not a townorg repository (no meta table)"), s->path)
					  : townorg__store_sqlerr(s, rc, "reading the format");
	bool oom = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0), *val = (const char *)sqlite3_column_text(st, 1);
		char **dst = k && !strcmp(k, "format") ? &format : &hash;
		townorg__free(*dst);
		/* out of memory is not a missing marker */
		if (!(*dst = townorg__strdup(val ? val : "")))
			oom = true;
	}
	sqlite3_finalize(st);
	if (oom) {
		rc = townorg__oom();
	} else if (rc != SQLITE_DONE && s->report && (rc == SQLITE_CORRUPT || rc == SQLITE_IOERR)) {
		/* verify of a damaged file with townorg's application id: go on */
		townorg__verify_add(s->report, TOWNORG_VERIFY_UNCHECKED, "meta",
				    "the format marker could not be read (%s): the rest is checked as " TOWNORG__STORE_FORMAT,
				    sqlite3_errmsg(s->db));
		rc = 0;
	} else if (rc != SQLITE_DONE) {
		rc = townorg__store_sqlerr(s, rc, "reading the format");
	} else if (!format || !hash) {
		rc = townorg__err(TOWNORG_ECORRUPT, _("%s: not a townorg repository (no format marker)"), s->path);
	} else if (strcmp(format, TOWNORG__STORE_FORMAT)) {
		rc = townorg__err(TOWNORG_ECORRUPT, _("%s: repository format '%s' is not supported (this library reads %s)"),
				  s->path, format, TOWNORG__STORE_FORMAT);
	} else if (strcmp(hash, "sha256")) {
		rc = townorg__err(TOWNORG_ECORRUPT, _("%s: the repository uses hash algorithm '%s'; this library supports sha256"),
				  s->path, hash);
	} else
		rc = 0;
	townorg__free(format);
	townorg__free(hash);
	if (rc == 0) {
		/* every table the store reads must be there with its columns */
		rc = sqlite3_prepare_v2(s->db,
					"SELECT 1 FROM pack, version, reflog WHERE pack.first < 0 AND pack.count AND pack.hashes "
					"AND pack.data AND version.id AND version.depth AND version.n_entities AND version.body "
					"AND version.delta AND version.snapshot AND reflog.kind AND reflog.name AND reflog.op "
					"AND reflog.old AND reflog.new AND reflog.at AND reflog.prev AND reflog.hash",
					-1, &st, NULL);
		sqlite3_finalize(st);
		/* out of memory (or a failing disk) is not a foreign schema */
		rc = rc == SQLITE_OK		     ? 0
		     : (rc & 0xff) != SQLITE_ERROR ? townorg__store_sqlerr(s, rc, "reading the schema")
						     : townorg__err(TOWNORG_ECORRUPT, _("%s: not a townorg repository (schema: %s)"),
								    s->path, sqlite3_errmsg(s->db));
	}
	return rc;
}

static bool writable(const char *path)
{
	if (access(path, W_OK) != 0)
		return false;
	/* WAL needs to create files next to the repository. */
	char *dir = townorg__strdup(path);
	if (!dir)
		return true;
	char *slash = strrchr(dir, '/');
	bool ok = slash ? (slash == dir ? access("/", W_OK) : (*slash = 0, access(dir, W_OK))) == 0 : access(".", W_OK) == 0;
	townorg__free(dir);
	return ok;
}

int townorg__store_open(townorg_repo **out, const char *path, unsigned flags, struct townorg_verify_report *report)
{
	struct stat sb;
	int rc;
	*out = NULL;
	if (!path || !*path)
		return townorg__err(TOWNORG_EINVALID, _("no repository path given"));
	if (flags & ~(TOWNORG_OPEN_CREATE | TOWNORG_OPEN_READONLY))
		return townorg__err(TOWNORG_EINVALID, _("%s: unknown open flags 0x%x"), path, flags);
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return townorg__err(TOWNORG_EIO, "%s: %s", path, strerror(errno));
		if (!(flags & TOWNORG_OPEN_CREATE) || (flags & TOWNORG_OPEN_READONLY))
			return townorg__err(TOWNORG_ENOTFOUND, _("%s: no such repository file"), path);
		if ((rc = townorg_repo_init(path)) < 0 && rc != TOWNORG_EEXISTS)
			return rc;
	} else if (!S_ISREG(sb.st_mode))
		return townorg__err(TOWNORG_EINVALID, _("%s: not a regular file"), path);
	else if (sb.st_size == 0)
		/* nothing of ours (init builds in a temporary file and renames
		 * it), but an init of an older release may have left it: say both */
		return townorg__err(TOWNORG_ECORRUPT,
				    _("%s: not a townorg repository (an empty file); if an init was interrupted, a "
				    "half-made repository: re-run init on it (townorg init %s)"),
				    path, path);
	/* A file the user cannot write, or in a folder where the WAL's -shm and
	 * -wal files cannot be made, is opened immutable: read without any
	 * lock or side file (nothing is left behind).  Readers then do not see
	 * a write made by someone else while they are open. */
	bool can_write = writable(path), cannot_write = !can_write;
	if (cannot_write) {
		/* a write-ahead log left with committed data must be read, which
		 * an immutable open would not: open it as SQLite can (read-only) */
		townorg__buf wal = { 0 };
		struct stat wb;
		townorg__buf_printf(&wal, "%s-wal", path);
		townorg__buf_putc(&wal, 0);
		if (wal.failed) {
			townorg__buf_free(&wal);
			return townorg__oom();
		}
		if (stat(wal.data, &wb) == 0 && wb.st_size > 0)
			cannot_write = false;
		townorg__buf_free(&wal);
	}
	bool ro = (flags & TOWNORG_OPEN_READONLY) || !can_write;
	townorg_repo *r;
	if ((rc = townorg_repo_new(&r)) < 0)
		return rc;
	townorg__store *s = townorg__calloc(1, sizeof *s);
	if (!s || !(s->path = townorg__strdup(path))) {
		townorg__free(s);
		townorg_repo_free(r);
		return townorg__oom();
	}
	pthread_mutex_init(&s->lock, NULL);
	s->repo = r;
	s->report = report;
	r->store = s;
	r->store_ops = &store_ops;
	r->readonly = ro;
	if (cannot_write) {
		townorg__buf uri = { 0 };
		townorg__buf_puts(&uri, "file:");
		for (const char *p = path; *p; p++) {
			if (*p == '%' || *p == '?' || *p == '#')
				townorg__buf_printf(&uri, "%%%02X", (unsigned char)*p);
			else
				townorg__buf_putc(&uri, *p);
		}
		townorg__buf_puts(&uri, "?immutable=1");
		townorg__buf_putc(&uri, 0);
		if (uri.failed) {
			townorg__buf_free(&uri);
			rc = townorg__oom();
			goto fail;
		}
		rc = sqlite3_open_v2(uri.data, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, NULL);
		townorg__buf_free(&uri);
	} else
		rc = sqlite3_open_v2(path, &s->db,
				     (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = townorg__store_sqlerr(s, rc, "opening");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 30000);
	sqlite3_extended_result_codes(s->db, 0);
	if ((rc = check_format(s)) < 0) {
		if (townorg__store_half_made(path))
			rc = townorg__store_half_made_err(path);
		goto fail;
	}
	if (!ro && (rc = exec(s, "PRAGMA synchronous=FULL")) < 0)
		goto fail;
	if ((rc = exec(s, "BEGIN")) < 0)
		goto fail;
	if ((rc = read_versions(s, NULL)) < 0 || (rc = read_log(s)) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	if ((rc = exec(s, "COMMIT")) < 0) {
		if (!report || rc == TOWNORG_ENOMEM)
			goto fail;
		/* verify of a damaged file: what could be read was reported */
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		rc = 0;
	}
	*out = r;
	return 0;
fail:
	r->readonly = true; /* nothing to write back */
	townorg_repo_free(r);
	return rc;
}

int townorg_repo_open(townorg_repo **out, const char *path, unsigned int flags)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, _("no place for the repository"));
	return townorg__store_open(out, path, flags, NULL);
}

const char *townorg_repo_path(const townorg_repo *repo)
{
	return repo && repo->store_ops == &store_ops ? ((townorg__store *)repo->store)->path : NULL;
}

int townorg_repo_is_readonly(const townorg_repo *repo) { return repo && repo->readonly; }

const townorg__store *townorg__store_of(const townorg_repo *repo)
{
	return repo && repo->store_ops == &store_ops ? repo->store : NULL;
}

int townorg_repo_refresh(townorg_repo *repo, size_t *new_versions)
{
	size_t added = 0;
	int rc;
	if (new_versions)
		*new_versions = 0;
	if (!repo)
		return townorg__err(TOWNORG_EINVALID, _("no repository"));
	townorg__store *s = (townorg__store *)townorg__store_of(repo);
	if (!s)
		return 0;
	if (repo->in_batch)
		return townorg__err(TOWNORG_EINVALID, _("%s: cannot refresh while an import batch is open"), s->path);
	pthread_mutex_lock(&s->lock);
	if ((rc = exec(s, "BEGIN")) == 0) {
		if ((rc = read_versions(s, &added)) == 0 && (rc = read_log(s)) == 0)
			rc = exec(s, "COMMIT");
		else
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&s->lock);
	if (new_versions)
		*new_versions = added;
	return rc;
}


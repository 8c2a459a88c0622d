/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * sign.c — log heads: reading, pinning, signing (include/townorg/sign.h).
 *
 * Design.  The log head (the hash of the last record of the branch and tag
 * log) pins every version any branch or tag reached, because each record
 * hashes its predecessor and the version ids, and a version id hashes the
 * version's content.  So rollback detection needs no new hashing: only a
 * head kept where the file's administrator cannot change it, and a way to
 * compare.  townorg_head_check compares by record number and hash (or by
 * hash alone), giving current / ahead / rolled back / rewritten / missing.
 *
 * Signatures are Ed25519 (RFC 8032) through nettle's hogweed
 * (ed25519_sha512_*), which libtownorg already links for SHA-256: no new
 * dependency.  The signed message is fixed-size and carries its own
 * domain string (see sign.h); the public key is part of an Ed25519
 * signature's hash, so a signature cannot be moved to another key.  Secret
 * keys are the 32-byte seed RFC 8032 defines; keys come from getrandom(2).
 *
 * Signed heads kept in the repository go to the table signed_head
 * (TOWNORG__STORE_SIGNED_SCHEMA, append-only by trigger), created by the
 * first sign that stores; the table is additive — readers of older
 * versions ignore it, and verify counts it as part of the schema.  SM2
 * (the national standard's signature) is not implemented.
 */
#include "store/store_internal.h"
#include "base/files_internal.h"
#include "townorg/sign.h"
#include <errno.h>
#include <fcntl.h>
#include <nettle/eddsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIGNED_TAG "townorg-signed-head-1"
#define SECRET_TAG "townorg-ed25519-secret"
#define PUBLIC_TAG "townorg-ed25519-public"

static int unhex(unsigned char *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			if (c >= '0' && c <= '9')
				v = v * 16 + (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + (unsigned)(c - 'A' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* ------------------------------------------------------------ keys */

int townorg_key_generate(townorg_secret_key *out)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "no place for the key");
	size_t got = 0;
	while (got < sizeof out->seed) {
		ssize_t n = getrandom(out->seed + got, sizeof out->seed - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return townorg__err(TOWNORG_EIO, "no random bytes for a key: %s", strerror(errno));
		got += (size_t)n;
	}
	ed25519_sha512_public_key(out->pub.key, out->seed);
	return 0;
}

void townorg_key_id(char out[17], const townorg_public_key *key)
{
	unsigned char h[TOWNORG__HASH_SIZE];
	townorg__sha sha;
	townorg__sha_init(&sha);
	townorg__sha_update(&sha, key->key, TOWNORG_KEY_SIZE);
	townorg__sha_final(&sha, h);
	townorg__hex(out, h, 8);
}

int townorg_key_save(const townorg_secret_key *key, const char *secret_path, const char *public_path)
{
	char line[128], hex[65];
	if (!key || !secret_path || !*secret_path)
		return townorg__err(TOWNORG_EINVALID, "townorg_key_save: no key or no file name");
	townorg__hex(hex, key->seed, TOWNORG_KEY_SIZE);
	int len = snprintf(line, sizeof line, SECRET_TAG " %s\n", hex);
	int fd = open(secret_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return townorg__err(errno == EEXIST ? TOWNORG_EEXISTS : TOWNORG_EIO, "%s: cannot create the secret key file: %s",
				    secret_path, errno == EEXIST ? "it already exists" : strerror(errno));
	bool ok = write(fd, line, (size_t)len) == len && fsync(fd) == 0;
	int err = errno;
	ok = close(fd) == 0 && ok;
	memset(line, 0, sizeof line);
	memset(hex, 0, sizeof hex);
	if (!ok) {
		unlink(secret_path);
		return townorg__err(TOWNORG_EIO, "%s: cannot write the secret key: %s", secret_path, strerror(err ? err : EIO));
	}
	if (public_path) {
		townorg__hex(hex, key->pub.key, TOWNORG_KEY_SIZE);
		len = snprintf(line, sizeof line, PUBLIC_TAG " %s\n", hex);
		int rc = townorg_write_file_atomic(public_path, line, (size_t)len);
		if (rc < 0) {
			unlink(secret_path);
			return rc;
		}
	}
	return 0;
}

/* A key file: TAG, a space, 64 hex digits, then nothing, a newline or a
 * space and a comment. */
static int load_key(unsigned char out[TOWNORG_KEY_SIZE], const char *path, const char *tag, const char *what)
{
	char *data;
	size_t len;
	if (!path)
		return townorg__err(TOWNORG_EINVALID, "no key file given");
	int rc = townorg__read_input(path, &data, &len);
	if (rc < 0)
		return rc;
	size_t tl = strlen(tag);
	const char *p = data;
	if (len < tl + 1 + 64 || memcmp(p, tag, tl) || p[tl] != ' ' || unhex(out, p + tl + 1, TOWNORG_KEY_SIZE) < 0 ||
	    (p[tl + 65] && p[tl + 65] != '\n' && p[tl + 65] != ' ' && p[tl + 65] != '\r')) {
		bool other = !strncmp(p, "townorg-ed25519-", 16);
		rc = townorg__err(TOWNORG_EPARSE, "%s:1: not a %s file%s (it should read \"%s <64 hex digits>\")", path, what,
				  other ? " (a key of the other kind?)" : "", tag);
	}
	memset(data, 0, len);
	townorg__free(data);
	return rc;
}

int townorg_key_load_secret(townorg_secret_key *out, const char *path)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "no place for the key");
	int rc = load_key(out->seed, path, SECRET_TAG, "secret key");
	if (rc == 0)
		ed25519_sha512_public_key(out->pub.key, out->seed);
	return rc;
}

int townorg_key_load_public(townorg_public_key *out, const char *path)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "no place for the key");
	return load_key(out->key, path, PUBLIC_TAG, "public key");
}

/* ------------------------------------------------------------ signed heads */

/* The bytes signed. */
static size_t message(unsigned char *m, const townorg_signed_head *h, bool *ok)
{
	size_t n = sizeof SIGNED_TAG; /* with its NUL */
	memcpy(m, SIGNED_TAG, n);
	uint64_t seq = (uint64_t)h->log_seq;
	for (int i = 7; i >= 0; i--)
		m[n++] = (unsigned char)(seq >> (8 * i));
	*ok = strlen(h->log_head) == 64 && unhex(m + n, h->log_head, TOWNORG__HASH_SIZE) == 0 && strlen(h->at) == 20;
	n += TOWNORG__HASH_SIZE;
	memcpy(m + n, h->at, 20);
	return n + 20;
}

int townorg_signed_head_verify(const townorg_signed_head *h, const townorg_public_key *key)
{
	unsigned char m[128];
	bool ok;
	if (!h)
		return townorg__err(TOWNORG_EINVALID, "no signed head");
	if (key && memcmp(key->key, h->key.key, TOWNORG_KEY_SIZE)) {
		char a[17], b[17];
		townorg_key_id(a, &h->key);
		townorg_key_id(b, key);
		return townorg__err(TOWNORG_EINVALID, "the head of log record %lld was signed by key %s, not by key %s",
				    (long long)h->log_seq, a, b);
	}
	size_t n = message(m, h, &ok);
	if (!ok || h->log_seq < 1 || !ed25519_sha512_verify(h->key.key, n, m, h->signature))
		return townorg__err(TOWNORG_ECORRUPT, "the signature of the head of log record %lld (signed %s) is not valid",
				    (long long)h->log_seq, h->at);
	return 0;
}

size_t townorg_signed_head_format(char *buf, const townorg_signed_head *h)
{
	char key[65], sig[129];
	townorg__hex(key, h->key.key, TOWNORG_KEY_SIZE);
	townorg__hex(sig, h->signature, TOWNORG_SIGNATURE_SIZE);
	int n = snprintf(buf, TOWNORG_SIGNED_HEAD_TEXT_MAX, SIGNED_TAG " %lld %s %s %s %s", (long long)h->log_seq, h->log_head,
			 h->at, key, sig);
	return n < 0 ? 0 : (size_t)n;
}

int townorg_signed_head_parse(townorg_signed_head *out, const char *text, const char *source)
{
	if (!out || !text)
		return townorg__err(TOWNORG_EINVALID, "no signed head to read");
	memset(out, 0, sizeof *out);
	const char *src = source ? source : "signed head";
	char tag[32], head[80], at[32], key[80], sig[160];
	long long seq;
	char rest[2] = "";
	int n = sscanf(text, "%31s %lld %79s %31s %79s %159s %1s", tag, &seq, head, at, key, sig, rest);
	if (n != 6 || strcmp(tag, SIGNED_TAG) || seq < 1 || strlen(head) != 64 || strlen(at) != 20 || strlen(key) != 64 ||
	    strlen(sig) != 128 ||
	    unhex(out->key.key, key, TOWNORG_KEY_SIZE) < 0 || unhex(out->signature, sig, TOWNORG_SIGNATURE_SIZE) < 0) {
		memset(out, 0, sizeof *out);
		return townorg__err(TOWNORG_EPARSE, "%s:1: not a signed head (it should read \"" SIGNED_TAG
						    " SEQ HEAD AT KEY SIGNATURE\")",
				    src);
	}
	unsigned char tmp[TOWNORG__HASH_SIZE];
	if (unhex(tmp, head, TOWNORG__HASH_SIZE) < 0) {
		memset(out, 0, sizeof *out);
		return townorg__err(TOWNORG_EPARSE, "%s:1: the head is not 64 hex digits", src);
	}
	townorg__hex(out->log_head, tmp, TOWNORG__HASH_SIZE); /* lower case */
	out->log_seq = seq;
	memcpy(out->at, at, 21);
	return 0;
}

int townorg_signed_head_read(townorg_signed_head *out, const char *path)
{
	char *data;
	size_t len;
	int rc = townorg__read_input(path, &data, &len);
	if (rc < 0)
		return rc;
	rc = len > 4096 ? townorg__err(TOWNORG_EPARSE, "%s: not a signed head (too long)", path)
			: townorg_signed_head_parse(out, data, path);
	townorg__free(data);
	return rc;
}

/* ------------------------------------------------------------ the log head */

static townorg__store *store_of(const townorg_repo *repo, const char *what)
{
	townorg__store *s = (townorg__store *)townorg__store_of(repo);
	if (!s)
		townorg__err(TOWNORG_EINVALID, "%s: not a repository file (an in-memory repository has no log)", what);
	return s;
}

/* The last record, with s->lock held. */
static int log_head(townorg__store *s, int64_t *seq, char head[65])
{
	sqlite3_stmt *st;
	*seq = 0;
	head[0] = 0;
	int rc = townorg__store_prep(s, &st, "SELECT seq, hash FROM reflog ORDER BY seq DESC LIMIT 1");
	if (rc < 0)
		return rc;
	int src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != TOWNORG__HASH_SIZE)
			rc = townorg__err(TOWNORG_ECORRUPT, "%s: log record %lld has a malformed hash", s->path,
					  (long long)sqlite3_column_int64(st, 0));
		else {
			*seq = sqlite3_column_int64(st, 0);
			townorg__hex(head, sqlite3_column_blob(st, 1), TOWNORG__HASH_SIZE);
		}
	} else if (src != SQLITE_DONE)
		rc = townorg__store_sqlerr(s, src, "reading the branch log");
	sqlite3_finalize(st);
	return rc;
}

int townorg_repo_log_head(const townorg_repo *repo, int64_t *seq, char head[65])
{
	if (!seq || !head)
		return townorg__err(TOWNORG_EINVALID, "townorg_repo_log_head: no place for the result");
	*seq = 0;
	head[0] = 0;
	townorg__store *s = store_of(repo, "townorg_repo_log_head");
	if (!s)
		return TOWNORG_EINVALID;
	pthread_mutex_lock(&s->lock);
	int rc = log_head(s, seq, head);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static bool has_table(townorg__store *s, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	return yes;
}

static int exec(townorg__store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : townorg__store_sqlerr(s, rc, "keeping the signed head");
}

int townorg_head_sign(townorg_signed_head *out, townorg_repo *repo, const townorg_secret_key *key, unsigned int flags)
{
	if (!out || !key)
		return townorg__err(TOWNORG_EINVALID, "townorg_head_sign: no place for the result or no key");
	memset(out, 0, sizeof *out);
	if (flags & ~TOWNORG_SIGN_STORE)
		return townorg__err(TOWNORG_EINVALID, "townorg_head_sign: unknown flags 0x%x", flags);
	townorg__store *s = store_of(repo, "townorg_head_sign");
	if (!s)
		return TOWNORG_EINVALID;
	bool store = flags & TOWNORG_SIGN_STORE;
	if (store && repo->readonly)
		return townorg__err(TOWNORG_EREADONLY, "%s: the repository is read-only: cannot keep the signed head in it",
				    s->path);
	if (store && repo->in_batch)
		return townorg__err(TOWNORG_EINVALID, "%s: cannot sign while an import batch is open", s->path);
	pthread_mutex_lock(&s->lock);
	int rc = exec(s, store ? "BEGIN IMMEDIATE" : "BEGIN");
	if (rc < 0) {
		pthread_mutex_unlock(&s->lock);
		return rc;
	}
	townorg_signed_head h = { 0 };
	if ((rc = log_head(s, &h.log_seq, h.log_head)) < 0)
		goto out;
	if (!h.log_seq) {
		rc = townorg__err(TOWNORG_EINVALID, "%s: the branch log is empty: there is no head to sign", s->path);
		goto out;
	}
	townorg__now(h.at);
	h.key = key->pub;
	unsigned char m[128];
	bool ok;
	size_t n = message(m, &h, &ok);
	ed25519_sha512_sign(key->pub.key, key->seed, n, m, h.signature);
	if (store) {
		if (!has_table(s, "signed_head") && (rc = exec(s, TOWNORG__STORE_SIGNED_SCHEMA)) < 0)
			goto out;
		sqlite3_stmt *st;
		unsigned char hb[TOWNORG__HASH_SIZE];
		unhex(hb, h.log_head, TOWNORG__HASH_SIZE);
		if ((rc = townorg__store_prep(s, &st, "INSERT INTO signed_head(log_seq, log_head, at, public_key, signature) "
						     "VALUES(?,?,?,?,?)")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, h.log_seq);
		sqlite3_bind_blob(st, 2, hb, TOWNORG__HASH_SIZE, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, h.at, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, h.key.key, TOWNORG_KEY_SIZE, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, h.signature, TOWNORG_SIGNATURE_SIZE, SQLITE_STATIC);
		int src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_DONE) {
			rc = townorg__store_sqlerr(s, src, "keeping the signed head");
			goto out;
		}
	}
	rc = exec(s, "COMMIT");
out:
	if (rc < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		*out = h;
	return rc;
}

int townorg_head_check(townorg_head_status *status, int64_t *records_after, const townorg_repo *repo, int64_t seq,
		       const char *head)
{
	unsigned char hb[TOWNORG__HASH_SIZE];
	if (records_after)
		*records_after = 0;
	if (!status)
		return townorg__err(TOWNORG_EINVALID, "townorg_head_check: no place for the result");
	*status = TOWNORG_HEAD_MISSING;
	if (!head || strlen(head) != 64 || unhex(hb, head, TOWNORG__HASH_SIZE) < 0)
		return townorg__err(TOWNORG_EINVALID, "'%s' is not a log head (64 hex digits)", head ? head : "(null)");
	if (seq < 0)
		return townorg__err(TOWNORG_EINVALID, "log record number %lld is not valid", (long long)seq);
	townorg__store *s = store_of(repo, "townorg_head_check");
	if (!s)
		return TOWNORG_EINVALID;
	pthread_mutex_lock(&s->lock);
	int64_t last;
	char lasthead[65];
	sqlite3_stmt *st = NULL;
	int rc = exec(s, "BEGIN");
	if (rc < 0)
		goto unlock;
	if ((rc = log_head(s, &last, lasthead)) < 0)
		goto out;
	if (seq > 0) {
		if (seq > last) {
			*status = TOWNORG_HEAD_ROLLED_BACK;
			goto out;
		}
		if ((rc = townorg__store_prep(s, &st, "SELECT hash FROM reflog WHERE seq = ?")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, seq);
	} else {
		if ((rc = townorg__store_prep(s, &st, "SELECT seq FROM reflog WHERE hash = ? ORDER BY seq LIMIT 1")) < 0)
			goto out;
		sqlite3_bind_blob(st, 1, hb, TOWNORG__HASH_SIZE, SQLITE_STATIC);
	}
	int src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		int64_t at = seq;
		if (seq > 0 && (sqlite3_column_bytes(st, 0) != TOWNORG__HASH_SIZE ||
				memcmp(sqlite3_column_blob(st, 0), hb, TOWNORG__HASH_SIZE))) {
			*status = TOWNORG_HEAD_REWRITTEN;
			goto out;
		}
		if (seq == 0)
			at = sqlite3_column_int64(st, 0);
		*status = at == last ? TOWNORG_HEAD_CURRENT : TOWNORG_HEAD_AHEAD;
		if (records_after)
			*records_after = last - at;
	} else if (src == SQLITE_DONE) {
		/* a gap where that record was: it was removed */
		*status = seq > 0 ? TOWNORG_HEAD_REWRITTEN : TOWNORG_HEAD_MISSING;
	} else
		rc = townorg__store_sqlerr(s, src, "reading the branch log");
out:
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
unlock:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ------------------------------------------------------------ signed heads kept in the file */

size_t townorg_repo_signed_head_count(const townorg_repo *repo)
{
	townorg__store *s = (townorg__store *)townorg__store_of(repo);
	if (!s)
		return 0;
	size_t n = 0;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st;
	if (has_table(s, "signed_head") &&
	    sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM signed_head", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (size_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

int townorg_repo_signed_head(townorg_signed_head *out, const townorg_repo *repo, size_t i)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "no place for the signed head");
	memset(out, 0, sizeof *out);
	townorg__store *s = (townorg__store *)townorg__store_of(repo);
	if (!s)
		return townorg__err(TOWNORG_ENOTFOUND, "no signed head %zu (an in-memory repository keeps none)", i);
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = NULL;
	int rc;
	if (!has_table(s, "signed_head")) {
		rc = townorg__err(TOWNORG_ENOTFOUND, "%s: no signed head %zu (none is kept)", s->path, i);
		goto out;
	}
	if ((rc = townorg__store_prep(s, &st, "SELECT log_seq, log_head, at, public_key, signature FROM signed_head "
					      "ORDER BY seq LIMIT 1 OFFSET ?")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, (int64_t)i);
	int src = sqlite3_step(st);
	if (src == SQLITE_DONE) {
		rc = townorg__err(TOWNORG_ENOTFOUND, "%s: no signed head %zu", s->path, i);
	} else if (src != SQLITE_ROW) {
		rc = townorg__store_sqlerr(s, src, "reading the signed heads");
	} else {
		const char *at = (const char *)sqlite3_column_text(st, 2);
		if (sqlite3_column_bytes(st, 1) != TOWNORG__HASH_SIZE || !at || strlen(at) != 20 ||
		    sqlite3_column_bytes(st, 3) != TOWNORG_KEY_SIZE || sqlite3_column_bytes(st, 4) != TOWNORG_SIGNATURE_SIZE) {
			rc = townorg__err(TOWNORG_ECORRUPT, "%s: signed head %zu is malformed", s->path, i);
		} else {
			out->log_seq = sqlite3_column_int64(st, 0);
			townorg__hex(out->log_head, sqlite3_column_blob(st, 1), TOWNORG__HASH_SIZE);
			memcpy(out->at, at, 21);
			memcpy(out->key.key, sqlite3_column_blob(st, 3), TOWNORG_KEY_SIZE);
			memcpy(out->signature, sqlite3_column_blob(st, 4), TOWNORG_SIGNATURE_SIZE);
		}
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

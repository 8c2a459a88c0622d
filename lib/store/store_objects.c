/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * store_objects.c — pieces the store's files share (varints and strings are
 * read with base/codec.h): SQLite errors named by file, blob envelopes (zlib), and the
 * in-memory map of known objects (entity <-> object number), which gives
 * writes their deduplication and loads their sharing of entity values.
 */
#include "store/store_internal.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

/* ------------------------------------------------------------ helpers */

int townorg__store_sqlerr(townorg__store *s, int rc, const char *what)
{
	const char *path = s ? s->path : "(store)";
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		return townorg__err(TOWNORG_ECORRUPT, _("%s: not a townorg repository (not an SQLite database)"), path);
	case SQLITE_CORRUPT:
		return townorg__err(TOWNORG_ECORRUPT, _("%s: the file is damaged or truncated (%s: %s)"), path, what, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return townorg__err(TOWNORG_EBUSY, _("%s: locked by another writer (%s)"), path, what);
	case SQLITE_READONLY:
		return townorg__err(TOWNORG_EREADONLY, _("%s: the file cannot be written (%s)"), path, what);
	case SQLITE_NOMEM:
		return townorg__oom();
	case SQLITE_CANTOPEN:
		return townorg__err(TOWNORG_EIO, _("%s: cannot open (%s: %s)"), path, what, msg);
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return townorg__err(TOWNORG_EIO, _("%s: I/O error (%s: %s)"), path, what, msg);
	case SQLITE_CONSTRAINT:
		return townorg__err(TOWNORG_ECONFLICT, "%s: %s: %s", path, what, msg);
	default:
		return townorg__err(TOWNORG_ERROR, "%s: %s: %s", path, what, msg);
	}
}

int townorg__store_prep(townorg__store *s, sqlite3_stmt **st, const char *sql)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	return rc == SQLITE_OK ? 0 : townorg__store_sqlerr(s, rc, "reading the schema");
}

/* zlib's memory comes from the library's allocator (townorg__malloc), so
 * the host's allocator hooks and the tests' allocation faults reach it too:
 * compress2()/uncompress() would call the C library's malloc directly. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	if (size && items > SIZE_MAX / size)
		return Z_NULL;
	return townorg__malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	townorg__free(p);
}

/* compress2(z, clen, data, len, 6) through z_alloc: false when it did not
 * fit or memory ran out (the caller then stores the bytes raw). */
static bool z_deflate(unsigned char *z, uLongf *clen, const void *data, size_t len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	zs.zalloc = z_alloc;
	zs.zfree = z_free;
	if (len > UINT_MAX || *clen > UINT_MAX || deflateInit(&zs, 6) != Z_OK)
		return false;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = z;
	zs.avail_out = (uInt)*clen;
	int zr = deflate(&zs, Z_FINISH);
	*clen = zs.total_out;
	deflateEnd(&zs);
	return zr == Z_STREAM_END;
}

/* uncompress(d, raw, src, have) through z_alloc: 0, TOWNORG_ENOMEM, or
 * TOWNORG_ECORRUPT (not a zlib stream, or not exactly raw bytes). */
static int z_inflate(unsigned char *d, size_t raw, const unsigned char *src, size_t have)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	zs.zalloc = z_alloc;
	zs.zfree = z_free;
	if (have > UINT_MAX)
		return TOWNORG_ECORRUPT;
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)have;
	int zr = inflateInit(&zs);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? TOWNORG_ENOMEM : TOWNORG_ECORRUPT;
	zs.next_out = d;
	zs.avail_out = (uInt)raw;
	zr = inflate(&zs, Z_FINISH);
	uLong got = zs.total_out;
	inflateEnd(&zs);
	if (zr == Z_MEM_ERROR)
		return TOWNORG_ENOMEM;
	return zr == Z_STREAM_END && got == raw ? 0 : TOWNORG_ECORRUPT;
}

int townorg__store_wrap(townorg__buf *out, const void *data, size_t len)
{
	uLongf clen = compressBound(len);
	unsigned char *z = len > 64 ? townorg__malloc(clen) : NULL;
	bool packed = z && z_deflate(z, &clen, data, len) && clen + 2 < len;
	townorg__buf_putc(out, packed ? 1 : 0);
	townorg__buf_varint(out, len);
	townorg__buf_put(out, packed ? z : data, packed ? clen : len);
	townorg__free(z);
	return out->failed ? townorg__oom() : 0;
}

int townorg__store_unwrap(unsigned char **out, size_t *out_len, const void *blob, size_t len)
{
	static const unsigned char none[1];
	if (!blob) /* SQLite gives NULL for an empty blob */
		blob = none, len = 0;
	townorg__rd r = { blob, (const unsigned char *)blob + len, false, false };
	*out = NULL;
	*out_len = 0;
	if (len < 2)
		return TOWNORG_ECORRUPT;
	unsigned codec = *r.p++;
	uint64_t raw = townorg__rd_varint(&r);
	if (r.bad || codec > 1 || raw > (1ull << 31))
		return TOWNORG_ECORRUPT;
	size_t have = (size_t)(r.end - r.p);
	/* zlib expands at most about 1032:1: a length beyond that is a lie,
	 * refused before allocating it */
	if (codec == 0 ? have != raw : raw > (uint64_t)have * 1040 + 64)
		return TOWNORG_ECORRUPT;
	unsigned char *d = townorg__malloc(raw ? raw : 1);
	if (!d)
		return TOWNORG_ENOMEM;
	int rc = 0;
	if (codec == 0)
		memcpy(d, r.p, raw);
	else
		rc = z_inflate(d, (size_t)raw, r.p, have);
	if (rc < 0) {
		townorg__free(d);
		return rc;
	}
	*out = d;
	*out_len = raw;
	return 0;
}

/* ------------------------------------------------------------ object map */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hkey(const unsigned char *h)
{
	uint64_t x;
	memcpy(&x, h, 8);
	return x;
}

long townorg__objmap_find_hash(const townorg__objmap *m, const unsigned char *h)
{
	if (!m->tcap)
		return -1;
	for (size_t i = hkey(h) & (m->tcap - 1);; i = (i + 1) & (m->tcap - 1)) {
		uint32_t s = m->by_hash[i];
		if (!s)
			return -1;
		if (!memcmp(m->ents[s - 1].e->hash, h, TOWNORG__HASH_SIZE))
			return (long)s - 1;
	}
}

long townorg__objmap_find_loc(const townorg__objmap *m, int64_t loc)
{
	if (!m->tcap)
		return -1;
	for (size_t i = mix64((uint64_t)loc) & (m->tcap - 1);; i = (i + 1) & (m->tcap - 1)) {
		uint32_t s = m->by_loc[i];
		if (!s)
			return -1;
		if (m->ents[s - 1].loc == loc)
			return (long)s - 1;
	}
}

static void om_index(townorg__objmap *m, size_t k)
{
	size_t i = hkey(m->ents[k].e->hash) & (m->tcap - 1);
	while (m->by_hash[i])
		i = (i + 1) & (m->tcap - 1);
	m->by_hash[i] = (uint32_t)k + 1;
	/* The same hash may sit at two numbers (a value stored twice); only
	 * the first is found by hash, each by its number. */
	i = mix64((uint64_t)m->ents[k].loc) & (m->tcap - 1);
	while (m->by_loc[i])
		i = (i + 1) & (m->tcap - 1);
	m->by_loc[i] = (uint32_t)k + 1;
}

static int om_rehash(townorg__objmap *m, size_t tcap)
{
	uint32_t *bh = townorg__calloc(tcap, sizeof *bh), *bl = townorg__calloc(tcap, sizeof *bl);
	if (!bh || !bl) {
		townorg__free(bh);
		townorg__free(bl);
		return TOWNORG_ENOMEM;
	}
	townorg__free(m->by_hash);
	townorg__free(m->by_loc);
	m->by_hash = bh;
	m->by_loc = bl;
	m->tcap = tcap;
	for (size_t k = 0; k < m->n; k++)
		om_index(m, k);
	return 0;
}

/* Room for `extra` more objects without growing again: a snapshot's
 * 430,000 objects would otherwise re-index the map at every doubling,
 * each time reading every entity's hash from memory. */
int townorg__objmap_reserve(townorg__objmap *m, size_t extra)
{
	size_t want = m->n + extra, tcap = m->tcap ? m->tcap : 2048;
	if (want >= UINT32_MAX / 2)
		return 0; /* left to townorg__objmap_add */
	if (want > m->cap) {
		townorg__objent *n = townorg__realloc(m->ents, want * sizeof *n);
		if (!n)
			return TOWNORG_ENOMEM;
		m->ents = n;
		m->cap = want;
	}
	while ((want + 1) * 2 > tcap)
		tcap *= 2;
	return tcap != m->tcap ? om_rehash(m, tcap) : 0;
}

int townorg__objmap_add(townorg__objmap *m, townorg_entity *e, int64_t loc)
{
	if (m->n == m->cap && TOWNORG__GROW(m->ents, m->cap, 1024) < 0)
		return TOWNORG_ENOMEM;
	if ((m->n + 1) * 2 > m->tcap && om_rehash(m, m->tcap ? m->tcap * 2 : 2048) < 0)
		return TOWNORG_ENOMEM;
	m->ents[m->n].e = townorg_entity_ref(e);
	m->ents[m->n].loc = loc;
	om_index(m, m->n++);
	return 0;
}

/* Forget objects numbered mark or above (their rows were rolled back). */
void townorg__objmap_truncate(townorg__objmap *m, int64_t mark)
{
	size_t j = 0;
	for (size_t k = 0; k < m->n; k++) {
		if (m->ents[k].loc >= mark)
			townorg_entity_free(m->ents[k].e);
		else
			m->ents[j++] = m->ents[k];
	}
	if (j == m->n)
		return;
	m->n = j;
	memset(m->by_hash, 0, m->tcap * sizeof *m->by_hash);
	memset(m->by_loc, 0, m->tcap * sizeof *m->by_loc);
	for (size_t k = 0; k < m->n; k++)
		om_index(m, k);
}

void townorg__objmap_free(townorg__objmap *m)
{
	for (size_t k = 0; k < m->n; k++)
		townorg_entity_free(m->ents[k].e);
	townorg__free(m->ents);
	townorg__free(m->by_hash);
	townorg__free(m->by_loc);
	memset(m, 0, sizeof *m);
}


/*
 * store_load.c — materialising a version from the file: reading packs,
 * decoding and checking objects, rebuilding a state from a delta on its
 * first parent or in bulk from a snapshot, and the version loader hook.
 * See the essay at the top of store.c.
 */
#include "store/store_internal.h"
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

/* ------------------------------------------------------------ loading */

/* One decompressed pack: where each record starts and how long it is. */
typedef struct {
	int64_t first, count;
	unsigned char *data, *hashes;
	size_t len;
	size_t *off, *sz;
} pack_rd;

static void pack_rd_free(pack_rd *p)
{
	townorg__free(p->data);
	townorg__free(p->hashes);
	townorg__free(p->off);
	townorg__free(p->sz);
	memset(p, 0, sizeof *p);
}

int townorg__store_pack_split(const unsigned char *data, size_t len, int64_t count, size_t *off, size_t *sz)
{
	townorg__rd r = { data, data + len, false, false };
	for (int64_t i = 0; i < count && !r.bad; i++) {
		uint64_t n = townorg__rd_varint(&r);
		if (n > (uint64_t)(r.end - r.p))
			r.bad = true;
		else {
			off[i] = (size_t)(r.p - data);
			sz[i] = (size_t)n;
			r.p += n;
		}
	}
	return r.bad || r.p != r.end ? TOWNORG_ECORRUPT : 0;
}

static int pack_parse(townorg__store *s, sqlite3_stmt *st, pack_rd *p, int64_t loc)
{
	pack_rd_free(p);
	p->first = sqlite3_column_int64(st, 0);
	p->count = sqlite3_column_int64(st, 1);
	size_t hl = (size_t)sqlite3_column_bytes(st, 2);
	if ((loc >= 0 && loc >= p->first + p->count) || p->count <= 0 || p->count > TOWNORG__STORE_PACK_MAX ||
	    hl != (size_t)p->count * TOWNORG__HASH_SIZE)
		return townorg__err(TOWNORG_ECORRUPT, "%s: the pack at object %lld is malformed", s->path,
				    (long long)p->first);
	p->hashes = townorg__malloc(hl);
	p->off = townorg__malloc((size_t)p->count * sizeof *p->off);
	p->sz = townorg__malloc((size_t)p->count * sizeof *p->sz);
	if (!p->hashes || !p->off || !p->sz)
		return townorg__oom();
	memcpy(p->hashes, sqlite3_column_blob(st, 2), hl);
	int rc = townorg__store_unwrap(&p->data, &p->len, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3));
	if (rc == TOWNORG_ENOMEM)
		return townorg__oom();
	/* no arithmetic on a NULL p->data when the pack did not unwrap */
	if (rc < 0 || !p->data || townorg__store_pack_split(p->data, p->len, p->count, p->off, p->sz) < 0)
		return townorg__err(TOWNORG_ECORRUPT, "%s: the pack at object %lld is damaged (its data does not decode)",
				    s->path, (long long)p->first);
	return 0;
}

static int pack_read(townorg__store *s, int64_t loc, pack_rd *p)
{
	sqlite3_stmt *st;
	int rc = townorg__store_prep(s, &st, "SELECT first, count, hashes, data FROM pack WHERE first <= ? ORDER BY first DESC LIMIT 1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, loc);
	int src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		rc = pack_parse(s, st, p, loc);
	else if (src == SQLITE_DONE)
		rc = townorg__err(TOWNORG_ECORRUPT, "%s: object %lld is in no pack", s->path, (long long)loc);
	else
		rc = townorg__store_sqlerr(s, src, "reading a pack");
	sqlite3_finalize(st);
	return rc;
}

/* Decode record i of a pack and check it against its stored hash. */
static int pack_entity(townorg__store *s, pack_rd *p, int64_t i, townorg_entity **out)
{
	char hex[65]; /* the stored hash, for the messages only */
	int rc = townorg__entity_decode(out, p->data + p->off[i], p->sz[i]);
	__atomic_add_fetch(&s->stat_decoded, 1, __ATOMIC_RELAXED);
	if (rc == TOWNORG_ENOMEM)
		return rc;
	if (rc < 0) {
		townorg__hex(hex, p->hashes + i * TOWNORG__HASH_SIZE, TOWNORG__HASH_SIZE);
		return townorg__err(TOWNORG_ECORRUPT, "%s: object %s (number %lld) does not decode", s->path, hex,
				    (long long)(p->first + i));
	}
	if (memcmp((*out)->hash, p->hashes + i * TOWNORG__HASH_SIZE, TOWNORG__HASH_SIZE)) {
		townorg__hex(hex, p->hashes + i * TOWNORG__HASH_SIZE, TOWNORG__HASH_SIZE);
		rc = townorg__err(TOWNORG_ECORRUPT, "%s: object %s (entity %s, number %lld) does not match its hash",
				  s->path, hex, townorg_entity_id(*out), (long long)(p->first + i));
		townorg_entity_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

/* Verify's walk over every object: calls cb for each record, decoded and
 * checked (e NULL and the error message set when it fails). */
int townorg__store_each_object(townorg__store *s, int (*cb)(int64_t loc, const unsigned char *hash, int rc, void *ctx),
			       void *ctx)
{
	sqlite3_stmt *st;
	pack_rd p = { 0 };
	int rc = townorg__store_prep(s, &st, "SELECT first, count, hashes, data FROM pack ORDER BY first"), src;
	if (rc < 0)
		return rc;
	while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = pack_parse(s, st, &p, -1)) < 0) {
			if (rc == TOWNORG_ENOMEM)
				break;
			/* a damaged pack: every record in it is reported */
			const unsigned char *hb = sqlite3_column_blob(st, 2);
			int64_t n = sqlite3_column_int64(st, 1), first = sqlite3_column_int64(st, 0);
			bool hashes_ok = hb && sqlite3_column_bytes(st, 2) == n * TOWNORG__HASH_SIZE && n > 0 &&
					 n <= TOWNORG__STORE_PACK_MAX;
			static const unsigned char zero[TOWNORG__HASH_SIZE];
			rc = 0;
			for (int64_t i = 0; rc == 0 && i < (hashes_ok ? n : 1); i++)
				rc = cb(first + i, hashes_ok ? hb + i * TOWNORG__HASH_SIZE : zero, TOWNORG_ECORRUPT, ctx);
			continue;
		}
		for (int64_t i = 0; rc == 0 && i < p.count; i++) {
			townorg_entity *e = NULL;
			int erc = pack_entity(s, &p, i, &e);
			/* Keep good objects: the versions' check then reuses them
			 * instead of decoding every object a second time. */
			if (erc == 0 && townorg__objmap_find_loc(&s->objs, p.first + i) < 0 && townorg__objmap_add(&s->objs, e, p.first + i) < 0)
				erc = TOWNORG_ENOMEM;
			townorg_entity_free(e);
			if (erc == TOWNORG_ENOMEM) {
				rc = townorg__oom();
				break;
			}
			rc = cb(p.first + i, p.hashes + i * TOWNORG__HASH_SIZE, erc, ctx);
		}
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = townorg__store_sqlerr(s, src, "reading packs");
	sqlite3_finalize(st);
	pack_rd_free(&p);
	return rc;
}

/* Entities for sorted object numbers: from memory where known, else from
 * their packs.  out[i] are borrowed from the object map. */
static int resolve(townorg__store *s, const int64_t *locs, size_t n, townorg_entity **out)
{
	pack_rd p = { 0 };
	int rc = 0;
	bool reserved = false;
	for (size_t i = 0; i < n; i++) {
		long k = townorg__objmap_find_loc(&s->objs, locs[i]);
		if (k >= 0) {
			out[i] = s->objs.ents[k].e;
			continue;
		}
		/* at most n - i objects to add (all of them for a first snapshot) */
		if (!reserved && (reserved = true) && townorg__objmap_reserve(&s->objs, n - i) < 0) {
			rc = townorg__oom();
			break;
		}
		if (!p.data || locs[i] < p.first || locs[i] >= p.first + p.count)
			if ((rc = pack_read(s, locs[i], &p)) < 0)
				break;
		townorg_entity *e;
		if ((rc = pack_entity(s, &p, locs[i] - p.first, &e)) < 0)
			break;
		rc = townorg__objmap_add(&s->objs, e, locs[i]);
		townorg_entity_free(e);
		if (rc < 0) {
			rc = townorg__oom();
			break;
		}
		out[i] = s->objs.ents[s->objs.n - 1].e;
	}
	pack_rd_free(&p);
	return rc;
}

static int read_locs(townorg__rd *r, int64_t **out, size_t *n)
{
	uint64_t c = townorg__rd_varint(r);
	*out = NULL;
	*n = 0;
	if (r->bad || c > (uint64_t)(r->end - r->p))
		return r->bad = true, TOWNORG_ECORRUPT;
	int64_t *l = townorg__malloc((c ? c : 1) * sizeof *l);
	if (!l)
		return TOWNORG_ENOMEM;
	int64_t prev = 0;
	for (uint64_t i = 0; i < c; i++) {
		uint64_t d = townorg__rd_varint(r);
		if (r->bad || (i && d == 0) || d > (1ull << 48)) {
			townorg__free(l);
			return r->bad = true, TOWNORG_ECORRUPT;
		}
		l[i] = prev += (int64_t)d;
	}
	*out = l;
	*n = c;
	return 0;
}

int townorg__store_body_parse(const unsigned char *raw, size_t rawlen, bool delta, int64_t **locs, size_t *n,
			      char ***removed, size_t *n_removed)
{
	static const unsigned char none[1];
	const unsigned char *rp = raw ? raw : none; /* an empty blob: no arithmetic on NULL */
	townorg__rd r = { rp, rp + (raw ? rawlen : 0), false, false };
	*removed = NULL;
	*n_removed = 0;
	int rc = read_locs(&r, locs, n);
	if (rc == 0 && delta) {
		uint64_t nr = townorg__rd_varint(&r);
		if (r.bad || nr > rawlen)
			rc = TOWNORG_ECORRUPT;
		else if (nr && !(*removed = townorg__calloc(nr, sizeof **removed)))
			rc = TOWNORG_ENOMEM;
		bool oom = false;
		for (; rc == 0 && *n_removed < nr; (*n_removed)++)
			if (!((*removed)[*n_removed] = townorg__rd_str(&r, &oom)))
				rc = oom ? TOWNORG_ENOMEM : TOWNORG_ECORRUPT;
	}
	if (rc == 0 && r.p != r.end)
		rc = TOWNORG_ECORRUPT;
	if (rc < 0) {
		for (size_t i = 0; i < *n_removed; i++)
			townorg__free((*removed)[i]);
		townorg__free(*removed);
		townorg__free(*locs);
		*removed = NULL;
		*n_removed = 0;
		*locs = NULL;
		*n = 0;
	}
	return rc;
}

/* A whole state from a snapshot, without a transaction: the entity trie
 * at once (townorg__hamt_build), and the indexes grouped by parent
 * (townorg__bulk_indexes, as the importer's first version; a transaction
 * would copy a parent's set at each of its children).  The tries' shapes
 * depend only on their keys, so the result is the one commits make.
 * TOWNORG_EEXISTS (nothing built, no message): the snapshot names an
 * entity twice. */
static int bulk_build(townorg_version *dst, townorg_entity **ents, size_t n)
{
	uint32_t token = townorg__hamt_new_token();
	int rc = townorg__hamt_build(&dst->entities, &townorg__entity_trie, (void *const *)ents, n);
	if (rc == TOWNORG_EEXISTS)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		dst->kind_count[ents[i]->kind]++;
	townorg__hamt_freeze(&dst->entities, &townorg__entity_trie, token);
	if (rc == 0 && (rc = townorg__bulk_indexes(&dst->children, &dst->totals, ents, n, token)) == 0)
		townorg__hamt_freeze(&dst->children, &townorg__children_trie, token);
	if (rc < 0) {
		townorg__hamt_release(&dst->entities, &townorg__entity_trie);
		memset(dst->kind_count, 0, sizeof dst->kind_count);
		return townorg__oom();
	}
	return 0;
}

int townorg__store_materialise(townorg__store *s, const townorg_version *v, townorg__vinfo *vi, bool via_delta,
			       townorg_version *dst)
{
	const townorg_version *p = via_delta ? v->parents[0] : NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = 0, n = 0, n_removed = 0;
	int64_t *locs = NULL;
	char **removed = NULL;
	townorg_entity **ents = NULL;
	townorg_txn *t = NULL;
	int rc;
	if (p && (rc = townorg__version_ensure(p)) < 0)
		return townorg__err(rc, "version %s: its parent could not be loaded: %s", v->id, townorg_error_last());
	pthread_mutex_lock(&s->lock);
	rc = townorg__store_prep(s, &st, via_delta ? "SELECT delta FROM version WHERE seq = ?" : "SELECT snapshot FROM version WHERE seq = ?");
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, vi->seq);
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB)
			rc = townorg__store_unwrap(&raw, &rawlen, sqlite3_column_blob(st, 0),
						   (size_t)sqlite3_column_bytes(st, 0));
		else if (src == SQLITE_ROW || src == SQLITE_DONE)
			rc = TOWNORG_ECORRUPT;
		else
			rc = townorg__store_sqlerr(s, src, "reading a version");
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = townorg__store_body_parse(raw, rawlen, via_delta, &locs, &n, &removed, &n_removed);
	if (rc == TOWNORG_ECORRUPT)
		rc = townorg__err(rc, "%s: version %s: its stored %s is malformed", s->path, v->id,
				  via_delta ? "delta" : "snapshot");
	else if (rc == TOWNORG_ENOMEM)
		rc = townorg__oom();
	if (rc == 0 && !(ents = townorg__calloc(n ? n : 1, sizeof *ents)))
		rc = townorg__oom();
	if (rc == 0 && (rc = resolve(s, locs, n, ents)) < 0)
		rc = townorg__err(rc, "version %s: %s", v->id, townorg_error_last());
	/* Take references: the entities must outlive a concurrent om_truncate. */
	bool refd = rc == 0;
	for (size_t i = 0; refd && i < n; i++)
		townorg_entity_ref(ents[i]);
	pthread_mutex_unlock(&s->lock);
	if (rc < 0)
		goto out;
	if (!via_delta) {
		if ((rc = bulk_build(dst, ents, n)) == TOWNORG_EEXISTS)
			rc = townorg__err(TOWNORG_ECORRUPT, "%s: version %s: its snapshot names an entity twice", s->path, v->id);
		if (rc < 0)
			goto out;
		goto check;
	}
	if ((rc = townorg__txn_new_raw(&t, s->repo, p)) < 0)
		goto out;
	for (size_t i = 0; i < n_removed && rc == 0; i++)
		if ((rc = townorg_txn_remove(t, removed[i])) == TOWNORG_ENOTFOUND)
			rc = townorg__err(TOWNORG_ECORRUPT, "%s: version %s: its delta removes %s, which its parent lacks",
					  s->path, v->id, removed[i]);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = townorg_txn_put(t, ents[i]);
	if (rc < 0)
		goto out;
	townorg__txn_fill(t, dst);
check:;
	unsigned char h[TOWNORG__HASH_SIZE];
	char hex[65];
	townorg__hamt_root_hash(&dst->entities, &townorg__entity_trie, h);
	townorg__hex(hex, h, TOWNORG__HASH_SIZE);
	if (strcmp(hex, v->state_hash)) {
		rc = townorg__err(TOWNORG_ECORRUPT, "%s: version %s: its stored content has state hash %s, not %s", s->path,
				  v->id, hex, v->state_hash);
		townorg__hamt_release(&dst->entities, &townorg__entity_trie);
		townorg__hamt_release(&dst->children, &townorg__children_trie);
		townorg__hamt_release(&dst->totals, &townorg__totals_trie);
		memset(dst->kind_count, 0, sizeof dst->kind_count);
		goto out;
	}
	__atomic_add_fetch(&s->stat_loads, 1, __ATOMIC_RELAXED);
out:
	townorg_txn_free(t);
	for (size_t i = 0; refd && i < n; i++)
		townorg_entity_free(ents[i]);
	for (size_t i = 0; i < n_removed; i++)
		townorg__free(removed[i]);
	townorg__free(removed);
	townorg__free(ents);
	townorg__free(locs);
	townorg__free(raw);
	return rc;
}

int townorg__store_loader(townorg_version *v, void *ctx)
{
	townorg__vinfo *vi = ctx;
	const townorg_version *p = v->n_parents ? v->parents[0] : NULL;
	bool parent_ready = p && __atomic_load_n(&p->loaded, __ATOMIC_ACQUIRE);
	bool via_delta = vi->has_delta && p && (parent_ready || !vi->has_snapshot);
	if (!via_delta && !vi->has_snapshot)
		return townorg__err(TOWNORG_ECORRUPT, "%s: version %s has neither a delta nor a snapshot", vi->s->path,
				    v->id);
	int rc = townorg__store_materialise(vi->s, v, vi, via_delta, v);
	if (rc == TOWNORG_ECORRUPT) /* no more writes through this handle (store.c) */
		__atomic_store_n(&vi->s->damaged, 1, __ATOMIC_RELEASE);
#ifdef HAVE_MALLOC_TRIM
	/* the snapshot's inflated bytes and the decoding's scratch leave holes
	 * in the heap that glibc keeps: give them back (8 MiB nationally) */
	malloc_trim(0);
#endif
	return rc;
}


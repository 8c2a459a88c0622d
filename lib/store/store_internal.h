/* store_internal.h — the SQLite repository store, shared by store.c (open,
 * commit, refs, lazy loading) and store_verify.c (verify).  Internal. */
#ifndef TOWNORG_STORE_INTERNAL_H
#define TOWNORG_STORE_INTERNAL_H

#include "core/repo_internal.h"
#include "townorg/store.h"
#include <sqlite3.h>

/* Format marker: PRAGMA application_id ("TOWN") and meta.format. */
#define TOWNORG__STORE_APP_ID 0x544f574e
#define TOWNORG__STORE_FORMAT "townorg-store/1"
/* A version stores a full snapshot (the object numbers of all its
 * entities) when it has no first parent, or when this many deltas would
 * otherwise have to be applied to reach it from the last snapshot. */
#define TOWNORG__STORE_SNAPSHOT_EVERY 8
/* Entity records per pack row. */
#define TOWNORG__STORE_PACK_MAX 4096

/* Objects known in memory: entity (referenced) and its object number. */
typedef struct {
	townorg_entity *e;
	int64_t loc;
} townorg__objent;

typedef struct {
	townorg__objent *ents;
	size_t n, cap;
	uint32_t *by_hash, *by_loc; /* slot: entry index + 1, 0 = empty */
	size_t tcap;                /* power of two */
} townorg__objmap;

typedef struct townorg__store townorg__store;

/* What the store knows about each version of its file. */
typedef struct {
	townorg__store *s;
	int64_t seq;    /* row in the version table */
	int depth;      /* deltas since the last snapshot on the first-parent line */
	bool has_delta, has_snapshot;
	char id[65];
} townorg__vinfo;

struct townorg_verify_report;

struct townorg__store {
	sqlite3 *db;
	char *path;
	townorg_repo *repo;
	pthread_mutex_t lock; /* every use of db and objs */
	bool in_batch;
	int64_t batch_mark;     /* first object number of the open batch */
	size_t batch_vinfos;    /* n_vinfos when the batch began */
	townorg__objmap objs;
	townorg__strmap vinfo_by_id;
	townorg__vinfo **vinfos;
	size_t n_vinfos, cap_vinfos;
	int64_t last_version_seq, last_log_seq; /* read up to (open / refresh) */
	struct townorg_verify_report *report;   /* set while verifying */
	/* statistics (tests, benchmarks) */
	uint64_t stat_decoded;  /* entity records decoded from packs */
	uint64_t stat_loads;    /* versions materialised */
	int damaged;            /* atomic: a load found objects failing their hashes; writes are refused */
};

/* Open a store file (flags as townorg_repo_open).  With report non-NULL
 * (verify), problems with single versions or log records are added to the
 * report instead of failing the open. */
int townorg__store_open(townorg_repo **out, const char *path, unsigned flags, struct townorg_verify_report *report);

/* Materialise v into dst (v itself, or a scratch version) from its delta
 * (via_delta) or its snapshot, and check the result's state hash. */
int townorg__store_materialise(townorg__store *s, const townorg_version *v, townorg__vinfo *vi, bool via_delta,
			       townorg_version *dst);

/* Verify's walk over every stored object: cb gets each object's number,
 * stored hash and 0, or the error of decoding or checking it (message
 * set).  Stops at cb's first non-zero result. */
int townorg__store_each_object(townorg__store *s, int (*cb)(int64_t loc, const unsigned char *hash, int rc, void *ctx),
			       void *ctx);

/* Blob envelope: a codec byte (0 raw, 1 zlib), the raw length (varint),
 * then the bytes.  unwrap allocates *out (free with townorg__free). */
int townorg__store_wrap(townorg__buf *out, const void *data, size_t len);
int townorg__store_unwrap(unsigned char **out, size_t *out_len, const void *blob, size_t len);

/* Map an SQLite error to a townorg error naming the file. */
int townorg__store_sqlerr(townorg__store *s, int rc, const char *what);

/* The hash of a log record (see docs/store.md). */
void townorg__store_log_hash(unsigned char out[TOWNORG__HASH_SIZE], const unsigned char prev[TOWNORG__HASH_SIZE],
			     int64_t seq, int kind, const char *name, int op, const void *old_id, size_t old_len,
			     const void *new_id, size_t new_len, const char *at);

/* Verify reports: store/verify_report.h. */
#include "store/verify_report.h"

/* Statistics of a repository's store (NULL stats for in-memory repos). */
const townorg__store *townorg__store_of(const townorg_repo *repo);

/* Shared helpers (store_objects.c). */
int townorg__store_prep(townorg__store *s, sqlite3_stmt **st, const char *sql);
long townorg__objmap_find_hash(const townorg__objmap *m, const unsigned char *h);
long townorg__objmap_find_loc(const townorg__objmap *m, int64_t loc);
int townorg__objmap_add(townorg__objmap *m, townorg_entity *e, int64_t loc);
int townorg__objmap_reserve(townorg__objmap *m, size_t extra);
void townorg__objmap_truncate(townorg__objmap *m, int64_t mark);
void townorg__objmap_free(townorg__objmap *m);
/* The version loader hook of versions read from a file (store_load.c). */
int townorg__store_loader(townorg_version *v, void *ctx);

/* The decoders read varints and strings with base/codec.h. */
#include "base/codec.h"

/* The optional table of signed log heads (lib/sign.c), made by the first
 * townorg_head_sign that stores one; append-only like the others. */
#define TOWNORG__STORE_SIGNED_SCHEMA \
	"CREATE TABLE signed_head(seq INTEGER PRIMARY KEY, log_seq INTEGER NOT NULL, log_head BLOB NOT NULL," \
	" at TEXT NOT NULL, public_key BLOB NOT NULL, signature BLOB NOT NULL);" \
	"CREATE TRIGGER signed_head_no_update BEFORE UPDATE ON signed_head BEGIN SELECT RAISE(ABORT, 'townorg: signed_head is append-only'); END;" \
	"CREATE TRIGGER signed_head_no_delete BEFORE DELETE ON signed_head BEGIN SELECT RAISE(ABORT, 'townorg: signed_head is append-only'); END;"
/* The schema SQL the library creates (store.c). */
const char *townorg__store_schema(void);
/* Verify's schema pass and its check of version.depth / n_entities
 * (store_verify_schema.c); problems go to r; <0 only for out of memory. */
int townorg__verify_schema(townorg__store *s, struct townorg_verify_report *r, const char *schema_sql);
int townorg__verify_version_rows(townorg__store *s, struct townorg_verify_report *r);
/* Verify's report of a townorg file too damaged to open (store_verify.c). */
int townorg__verify_salvage(struct townorg_verify_report *r, const char *path);

/* Creating a repository file atomically from the schema's SQL, and
 * recognising a half-made one (store_init.c). */
int townorg__store_init(const char *path, const char *schema_sql);
bool townorg__store_half_made(const char *path);
int townorg__store_half_made_err(const char *path); /* ECORRUPT "half-made repository" */

/* The store's decoders, separated from SQLite so that fuzz/ can reach them
 * directly (fuzz_store_decoders.c).  pack_split: the record boundaries of
 * an unwrapped pack of count records (0 or TOWNORG_ECORRUPT).  body_parse:
 * a version's unwrapped snapshot (object numbers) or delta (object numbers
 * and removed ids): 0, TOWNORG_ECORRUPT or TOWNORG_ENOMEM, no message; on
 * failure nothing is left allocated.  version_decode: a version row's body
 * into a new unloaded version whose parents must be in s->repo (uses only
 * s->path and s->repo); messages name s->path. */
int townorg__store_pack_split(const unsigned char *data, size_t len, int64_t count, size_t *off, size_t *sz);
int townorg__store_body_parse(const unsigned char *raw, size_t rawlen, bool delta, int64_t **locs, size_t *n,
			      char ***removed, size_t *n_removed);
int townorg__store_version_decode(townorg__store *s, townorg_version **out, const unsigned char *body, size_t len,
				  const char *id_hex);

#endif

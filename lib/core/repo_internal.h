/* repo_internal.h — the layout of repositories, versions and transactions
 * (internal; the store, diff and validation code build on it). */
#ifndef TOWNORG_REPO_INTERNAL_H
#define TOWNORG_REPO_INTERNAL_H

#include "base/internal.h"
#include "core/entity_internal.h"
#include "core/hamt.h"
#include "base/pool.h"
#include "base/strmap.h"
#include <pthread.h>

/* The entity trie: leaves are townorg_entity, keyed by id, hashed. */
extern const townorg__hamt_type townorg__entity_trie;
/* The children index: leaves are childsets keyed by parent id ("" for the
 * top level), not hashed. */
extern const townorg__hamt_type townorg__children_trie;

/*
 * The children of one parent at one version, sorted by id: who they are,
 * not their values.  Each item is *a* value of that child — the one it had
 * when it joined the set, which may have changed since — so a set changes
 * only when the membership does (a child added, removed or moved), not on
 * every change of a child's value: nationally that is 89,000 sets for
 * twenty versions instead of 195,000.  Read a child's value at a version
 * through townorg__child_at (a lookup by the item's id); only ids and
 * the count may be read off the items directly.
 */
typedef struct {
	uint32_t refcnt;
	uint32_t owner;         /* edit token of the transaction that made it and
	                           may change it in place; a commit retires the
	                           token, so committed sets are never edited */
	uint32_t n, cap;
	townorg_entity **items; /* each holds a reference; the array usually
	                           follows the key in the same allocation
	                           (townorg__childset_inline) */
	char key[];             /* parent id, "" for top level */
} townorg__childset;

/* Where a set's items sit when they share its allocation: after the key,
 * aligned.  A set whose items are elsewhere frees them separately. */
static inline size_t townorg__childset_items_at(size_t keylen)
{
	return (sizeof(townorg__childset) + keylen + 1 + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}
/* The bytes of a set's own allocation with room for `room` items (pool.h:
 * allocate and free with it). */
static inline size_t townorg__childset_size(size_t keylen, size_t room)
{
	return townorg__childset_items_at(keylen) + (room ? room : 1) * sizeof(void *);
}
static inline townorg_entity **townorg__childset_inline(const townorg__childset *c, size_t keylen)
{
	return (townorg_entity **)((uintptr_t)c + townorg__childset_items_at(keylen));
}

/* The room a set was made with: its cap while its items are inline; when
 * they move out (a set a transaction grows: index_update in txn.c), the
 * first inline slot keeps it. */
static inline size_t townorg__childset_room(const townorg__childset *c, size_t keylen)
{
	townorg_entity **in = townorg__childset_inline(c, keylen);
	if (c->items == in)
		return c->cap;
	size_t r;
	memcpy(&r, in, sizeof r);
	return r;
}

/*
 * Quota totals of one county at one version: a derived index kept up to
 * date by every commit, like the children index, so that county totals
 * (and the five-year cap over them) never walk the organs (totals.c).  A
 * county's leaf sums the organs of its township-level units, and also the
 * effective total the cap counts: a unit with its own pool of a type
 * counts its pool instead of its organs (capped[t] = osum[t] minus the
 * organ sums of such units plus their pools, kept as one number).  A
 * unit's own sums are those of its children set (townorg__unit_sums).
 * Types: 0 admin, 1 inst, 2 all types together (pools: admin and inst).
 */
enum { TOWNORG__TQ_ADMIN = 0, TOWNORG__TQ_INST = 1, TOWNORG__TQ_ALL = 2 };
typedef struct {
	uint32_t refcnt;
	uint32_t owner;      /* edit token of the transaction that may change it in place */
	int64_t organs;      /* organ count */
	int64_t staff;       /* sum of actual_staff */
	int64_t osum[3];     /* sum of the organs' quotas */
	int64_t capped[2];   /* the same, a unit's own pool standing for its organs */
	char key[];
} townorg__totals;

extern const townorg__hamt_type townorg__totals_trie;

/* The totals leaf of a county (NULL: nothing counted there). */
const townorg__totals *townorg__totals_get(const townorg__hamt *totals, const char *id);

/* The value of entity `id` in the state after the change being applied
 * (NULL: none).  The totals ask it for the parents of organs and for the
 * children of township-level units. */
typedef const townorg_entity *(*townorg__lookup_fn)(void *ctx, const char *id);

/* Update the totals for a put (old → e), an insertion (old NULL) or a
 * removal (e NULL); lookup(ctx, id) reads the state after the change (a
 * transaction's entity trie, or the index thread's own view of it: see
 * txn.c), `children` is the children index after the change. */
int townorg__totals_update(townorg__hamt *tr, townorg__lookup_fn lookup, void *ctx, const townorg__hamt *children,
			   const townorg_entity *old, const townorg_entity *e, uint32_t token);

/* What one organ adds to its unit's and county's sums, and the sums of a
 * unit's organs (its children set's). */
typedef struct {
	int64_t organs, staff, q[3];
} townorg__contrib;
void townorg__organ_contrib(townorg__contrib *c, const townorg_entity *o);
/* lookup(ctx, id) reads the children's values (see townorg__lookup_fn). */
void townorg__unit_sums(townorg__contrib *sum, const townorg__hamt *children, townorg__lookup_fn lookup, void *ctx,
			const char *unit_id);

/* The children and totals indexes of the n entities of a whole state, in
 * one pass (bulk.c): *children is left editable under token (freeze it),
 * *totals frozen; the sets take their own references.  Ids should be
 * distinct (with a repeated id the result is wrong but still releases
 * cleanly).  0 or TOWNORG_ENOMEM (both tries then empty; the caller
 * reports). */
int townorg__bulk_indexes(townorg__hamt *children, townorg__hamt *totals, townorg_entity **ents, size_t n,
			  uint32_t token);

struct townorg_version {
	townorg_repo *repo; /* NULL while detached (preview) */
	size_t seq;         /* position in the repository */
	char id[65];
	char state_hash[65];
	townorg_meta meta;  /* owned strings */
	size_t n_parents;
	const townorg_version **parents;
	/* The change events, encoded in one block (townorg__version_set_events;
	 * read them with a townorg__event_iter).  The public array of
	 * townorg_event is made only when asked for (townorg__version_events)
	 * and kept in ev_cache, published with release order under ev_lock. */
	size_t n_events;
	unsigned char *ev_data; /* owned; NULL when there are none */
	size_t ev_len;
	size_t ev_maxlist;      /* the most ids and documents of one event */
	townorg_event *ev_cache; /* atomic; one block with its pointer arrays */
	pthread_mutex_t ev_lock;
	townorg__hamt entities;
	townorg__hamt children;
	townorg__hamt totals;
	size_t kind_count[TOWNORG_KIND_COUNT + 1];
	/* Lazy loading (versions of a store): until `loaded` is set, the tries
	 * and counts are empty and `loader` fills them on first use.  Always
	 * call townorg__version_ensure() before touching entities, children or
	 * kind_count. */
	int loaded;                                   /* atomic */
	int (*loader)(townorg_version *v, void *ctx); /* NULL: always loaded */
	void *loader_ctx;
	pthread_mutex_t load_lock;
	/* townorg_version_children's answers where a set's items are not all
	 * the children's values at this version: parent id (the set's key) ->
	 * array of values, made on first request, kept till the version goes. */
	pthread_mutex_t kids_lock;
	townorg__strmap kids;
};

/* Make sure a version's content is in memory (loads it once, thread-safe).
 * Returns 0 or the loader's error. */
int townorg__version_ensure(const townorg_version *v);

/* A new, empty version struct (loaded, no content) for loaders. */
townorg_version *townorg__version_alloc(void);

typedef struct {
	char *name;
	const townorg_version *v; /* NULL: branch with no version yet */
} townorg__ref;

/* Persistence hooks, set by the store when a repository lives in a file. */
typedef struct {
	/* Write a new version (and move `branch` to it when non-NULL) in one
	 * durable transaction.  On failure nothing is written. */
	int (*commit)(void *store, townorg_repo *repo, const townorg_version *v, const char *branch);
	/* Create, move (v non-NULL) or delete (v NULL) a branch or tag. */
	int (*ref_update)(void *store, bool is_tag, const char *name, const townorg_version *v, bool create);
	void (*close)(void *store);
	/* Batches (imports): begin, then commit or roll back everything
	 * written since begin as one durable transaction.  Optional. */
	int (*batch)(void *store, int what /* 0 begin, 1 commit, 2 rollback */);
} townorg__store_ops;

struct townorg_repo {
	size_t n_versions, cap_versions;
	townorg_version **versions;
	townorg__strmap by_id;
	size_t n_branches, n_tags;
	townorg__ref *branches, *tags; /* sorted by name */
	void *store;
	const townorg__store_ops *store_ops;
	bool readonly;
	/* batch state (see townorg__repo_batch_begin) */
	bool in_batch;
	size_t batch_mark;
	size_t batch_n_branches, batch_n_tags;
	townorg__ref *batch_branches, *batch_tags;
};

/* An entity a transaction put or removed, and what commit must check of
 * it.  A put that keeps the old value's kind and parent is not recorded
 * (see the checks in txn.c). */
struct townorg__touch {
	townorg_entity *e;   /* the value put, or the value removed (a reference) */
	bool check_children; /* new, or its kind changed: its children's kinds must still fit */
};

struct townorg_txn {
	townorg_repo *repo;
	uint32_t token;
	bool spent;
	/* A transaction that starts from nothing (the first version of an
	 * import) is checked as a whole, per parent; until its indexes are
	 * first needed (bulk_pending) puts fill only the entity trie, and the
	 * children and totals indexes are then built once, sorted. */
	bool from_empty, bulk_pending;
	/* While bulk_pending: the entities put, in put order (borrowed: the
	 * trie holds them), so that the index build need not walk the trie.
	 * Invalid (bulk_log_bad) once a put replaced a value or a removal
	 * happened; the build then walks the trie. */
	bool bulk_log_bad;
	size_t n_bulk_log, cap_bulk_log;
	townorg_entity **bulk_log;
	char *branch;                   /* advance on commit, or NULL */
	const townorg_version *expect;  /* branch head expected at commit */
	size_t n_parents;
	const townorg_version **parents;
	townorg__hamt entities;
	townorg__hamt children;
	townorg__hamt totals;
	size_t kind_count[TOWNORG_KIND_COUNT + 1];
	size_t n_touched, cap_touched;
	struct townorg__touch *touched; /* entities put or removed, for the checks */
	bool edited;                    /* a put or removal reached the entity trie */
	struct townorg__ixworker *ix;   /* children and totals indexes kept by a second thread, or NULL */
	size_t n_events, cap_events;
	townorg_event *events;
	townorg_meta meta;
};

/* Build a bulk transaction's indexes now (see townorg_txn.bulk_pending)
 * and wait for the children index's thread (townorg__txn_async_index):
 * call before reading txn->children or txn->totals directly. */
int townorg__txn_indexes(townorg_txn *txn);

/* townorg_txn_put of each of ents[0..n) in order.  Into a transaction
 * that starts from nothing (an importer's first version) and has no edits
 * yet, the entity trie is built at once (townorg__hamt_build).  The
 * entities are borrowed, as by townorg_txn_put; ents[i] must not be NULL. */
int townorg__txn_put_all(townorg_txn *txn, townorg_entity *const *ents, size_t n);

/* Keep the children and totals indexes on a second thread while the
 * calling thread puts and removes (an importer's many-change versions).
 * Nothing changes for the caller except that an allocation failure of an
 * index is reported by the commit.  Call it before the first edit; does
 * nothing after one, or if the thread cannot start. */
void townorg__txn_async_index(townorg_txn *txn);

/* Commit; with write_store false the store is not written (used by the
 * store itself when it rebuilds versions from the file). */
int townorg__txn_commit(const townorg_version **out, townorg_txn *txn, bool write_store);

/* For store loaders: a transaction on `parent` that ignores the read-only
 * flag (it only rebuilds content, never commits), and moving its state
 * (frozen) into a version being loaded.  The version must be empty. */
int townorg__txn_new_raw(townorg_txn **out, townorg_repo *repo, const townorg_version *parent);
void townorg__txn_fill(townorg_txn *t, townorg_version *v);

/* Add a finished version to the repository (takes ownership). */
int townorg__repo_add_version(townorg_repo *repo, townorg_version *v);

/* Set a ref without calling the store (used when loading a store). */
int townorg__repo_set_ref_raw(townorg_repo *repo, bool is_tag, const char *name, const townorg_version *v);
/* Memory first, then the store: once a store has written a version or a
 * ref, the in-memory update must not fail (found by tests/check_faults.c:
 * an allocation failing after the SQLite commit returned ENOMEM for a
 * tag that was in the file).  reserve_version makes room so that the next
 * townorg__repo_add_version cannot fail; ref_prepare allocates what a new
 * ref needs (nothing for an existing one), ref_install puts it in without
 * allocating, ref_slot_free discards an unused slot. */
typedef struct {
	townorg__ref *refs;
	char *name;
} townorg__ref_slot;
int townorg__repo_reserve_version(townorg_repo *repo);
/* townorg_version_is_ancestor that tells out of memory: 1, 0 or
 * TOWNORG_ENOMEM (no message set). */
int townorg__version_is_ancestor(const townorg_version *anc, const townorg_version *v);
int townorg__repo_ref_prepare(townorg__ref_slot *slot, const townorg_repo *repo, bool is_tag, const char *name);
void townorg__repo_ref_install(townorg__ref_slot *slot, townorg_repo *repo, bool is_tag, const char *name,
			       const townorg_version *v);
void townorg__repo_ref_slot_free(townorg__ref_slot *slot);

/* All-or-nothing groups of commits and ref moves (imports use them).
 * Between begin and end, commits go to the store inside one transaction;
 * townorg__repo_batch_end(repo, false) removes every version added and
 * restores every branch and tag as they were at begin. */
int townorg__repo_batch_begin(townorg_repo *repo);
int townorg__repo_batch_end(townorg_repo *repo, bool commit);

void townorg__version_destroy(townorg_version *v);
void townorg__meta_free(townorg_meta *m);
int townorg__meta_copy(townorg_meta *dst, const townorg_meta *src);
/* A transaction's events are packed records (one allocation each: see
 * version.c; versions hold theirs encoded, below); free them only with
 * townorg__event_free, make them only with this copy, which takes
 * default_id (may be NULL) as the id when src has none. */
void townorg__event_free(townorg_event *e);
int townorg__event_copy_id(townorg_event *dst, const townorg_event *src, const char *default_id);

/* The canonical bytes of a version hashed into its id. */
void townorg__version_encode(townorg__buf *b, const townorg_version *v);

/*
 * A committed version's events are one block of bytes (version.c): per
 * event a byte of kind and flags, a byte of counts (longer counts as
 * varints), then its strings, each ending in NUL, so that ids read from it
 * can point into the block for the version's life.  An event id "e<i+1>"
 * for the i-th event (the ones townorg_txn_add_event makes up) is a flag.
 *
 * townorg__event_pack appends event e as the version's i-th to b (which
 * may fail: b->failed) and raises *maxlist to its id and document count;
 * townorg__version_take_events hands b's bytes to v (empty, no events
 * yet) as its n events, and townorg__version_set_events packs evs[0..n)
 * into v.  0 or TOWNORG_ENOMEM (reported); b is freed either way.
 */
void townorg__event_pack(townorg__buf *b, const townorg_event *e, size_t i, size_t *maxlist);
int townorg__version_take_events(townorg_version *v, townorg__buf *b, size_t n, size_t maxlist);
int townorg__version_set_events(townorg_version *v, const townorg_event *evs, size_t n);

/* The version's events as the public array, made on the first call and
 * kept with the version (thread-safe, like townorg_version_children).
 * NULL when it has none, or when out of memory (reported).  Use it where
 * pointers to the records must outlive the call; to read them, iterate. */
const townorg_event *townorg__version_events(const townorg_version *v);

/* Reading a version's events one at a time without making the array:
 *
 *     townorg__event_iter it;
 *     townorg_event e;
 *     if (townorg__event_iter_init(&it, v) < 0) return TOWNORG_ENOMEM;
 *     while (townorg__event_iter_next(&it, &e)) ... it.i - 1 is e's index
 *     townorg__event_iter_end(&it);
 *
 * The strings of e live as long as the version (but a made-up event_id
 * only until the next call), its id arrays until the next call.  init
 * fails (TOWNORG_ENOMEM, reported) only for an event with more than
 * TOWNORG__EVENT_ITER_IDS ids and documents.  Do not copy an iterator. */
#define TOWNORG__EVENT_ITER_IDS 16
typedef struct {
	const unsigned char *p, *end; /* the packed block still to read */
	size_t i, n;
	const char **ids; /* small, or allocated */
	const char *small[TOWNORG__EVENT_ITER_IDS];
	char made_id[24];
} townorg__event_iter;
int townorg__event_iter_init(townorg__event_iter *it, const townorg_version *v);
bool townorg__event_iter_next(townorg__event_iter *it, townorg_event *e);
void townorg__event_iter_end(townorg__event_iter *it);

/* Children of parent_id (NULL: top level) in a children trie. */
const townorg__childset *townorg__children_get(const townorg__hamt *children, const char *parent_id);

/* The values of all of c's children in the entity trie `entities` of the
 * same state: out[i] for item i, as townorg__child_at, in one batched walk
 * (out has room for c->n). */
void townorg__children_values(const townorg__hamt *entities, const townorg__childset *c, const townorg_entity **out);

/* The same into buf when it has room (nbuf), else into a new array: the
 * values, or NULL when memory ran out.  Give it back with
 * townorg__children_done(result, buf). */
const townorg_entity **townorg__children_resolve(const townorg__hamt *entities, const townorg__childset *c,
						 const townorg_entity **buf, size_t nbuf);
static inline void townorg__children_done(const townorg_entity **vals, const townorg_entity **buf)
{
	if (vals != buf)
		townorg__free((void *)vals);
}

/* The value of the i-th child of set c in the entity trie `entities` of
 * the same state (the set's item is only that child's id: see
 * townorg__childset).  Never NULL for a consistent state; the item itself
 * if the trie lacks the id. */
static inline const townorg_entity *townorg__child_at(const townorg__hamt *entities, const townorg__childset *c,
						      size_t i)
{
	const townorg_entity *e = townorg__hamt_get(entities, &townorg__entity_trie, townorg__entity_id(c->items[i]));
	return e ? e : c->items[i];
}

/* Now as YYYY-MM-DDTHH:MM:SSZ (honours SOURCE_DATE_EPOCH). */
void townorg__now(char out[21]);

#endif

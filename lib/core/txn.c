/*
 * txn.c — transactions: edits on a private copy of a version's tries
 * (shared with the parent until touched; see hamt.c), structural checks,
 * and the commit that freezes the tries, hashes them and adds the version.
 *
 * The children index is kept up to date with every put and remove, so a
 * commit of k changes costs O(k log n) including the index, and queries of
 * children never scan the version.  Three ways to keep it:
 *  - one update per put or remove, on the calling thread (the default);
 *  - the same updates, in the same order, on a second thread
 *    (townorg__txn_async_index; the importer's later versions);
 *  - built once, grouped by parent, for a transaction that starts from
 *    nothing (the first version of an import: "bulk transactions" below).
 * All three give the same index.
 */
#include "core/repo_internal.h"
#include <stdio.h>
#include <stdlib.h>

static int ix_sync(townorg_txn *t);

static int txn_init(townorg_txn **out, townorg_repo *repo, const townorg_version *parent, bool raw)
{
	*out = NULL;
	if (!repo)
		return townorg__err(TOWNORG_EINVALID, "transaction needs a repository");
	if (parent && parent->repo != repo)
		return townorg__err(TOWNORG_EINVALID, "the parent version belongs to another repository");
	if (repo->readonly && !raw)
		return townorg__err(TOWNORG_EREADONLY, "the repository was opened read-only");
	int rc;
	if (parent && (rc = townorg__version_ensure(parent)) < 0)
		return rc;
	townorg_txn *t = townorg__calloc(1, sizeof *t);
	if (!t)
		return townorg__oom();
	t->repo = repo;
	t->token = townorg__hamt_new_token();
	t->meta.version = TOWNORG_META_VERSION;
	if (parent) {
		t->parents = townorg__calloc(1, sizeof *t->parents);
		if (!t->parents) {
			townorg__free(t);
			return townorg__oom();
		}
		t->parents[0] = parent;
		t->n_parents = 1;
		t->entities = townorg__hamt_share(&parent->entities);
		t->children = townorg__hamt_share(&parent->children);
		t->totals = townorg__hamt_share(&parent->totals);
		memcpy(t->kind_count, parent->kind_count, sizeof t->kind_count);
	} else {
		t->from_empty = t->bulk_pending = true;
	}
	*out = t;
	return 0;
}

int townorg_txn_new(townorg_txn **out, townorg_repo *repo, const townorg_version *parent)
{
	return txn_init(out, repo, parent, false);
}

int townorg__txn_new_raw(townorg_txn **out, townorg_repo *repo, const townorg_version *parent)
{
	return txn_init(out, repo, parent, true);
}

void townorg__txn_fill(townorg_txn *t, townorg_version *v)
{
	ix_sync(t);
	townorg__hamt_freeze(&t->entities, &townorg__entity_trie, t->token);
	townorg__hamt_freeze(&t->children, &townorg__children_trie, t->token);
	townorg__hamt_freeze(&t->totals, &townorg__totals_trie, t->token);
	t->token = townorg__hamt_new_token();
	v->entities = townorg__hamt_share(&t->entities);
	v->children = townorg__hamt_share(&t->children);
	v->totals = townorg__hamt_share(&t->totals);
	memcpy(v->kind_count, t->kind_count, sizeof v->kind_count);
}

int townorg_txn_new_on_branch(townorg_txn **out, townorg_repo *repo, const char *branch)
{
	const townorg_version *head = NULL;
	*out = NULL;
	if (!repo)
		return townorg__err(TOWNORG_EINVALID, "transaction needs a repository");
	if (!townorg__valid_ref_name(branch))
		return townorg__err(TOWNORG_EINVALID, "'%s' is not a valid branch name", branch ? branch : "(null)");
	int rc = townorg_repo_branch_head(&head, repo, branch);
	if (rc < 0 && rc != TOWNORG_ENOTFOUND)
		return rc;
	townorg_error_clear();
	if ((rc = txn_init(out, repo, head, false)) < 0)
		return rc;
	(*out)->branch = townorg__strdup(branch);
	if (!(*out)->branch) {
		townorg_txn_free(*out);
		*out = NULL;
		return townorg__oom();
	}
	(*out)->expect = head;
	return 0;
}

void townorg_txn_free(townorg_txn *t)
{
	if (!t)
		return;
	ix_sync(t);
	townorg__hamt_release(&t->entities, &townorg__entity_trie);
	townorg__hamt_release(&t->children, &townorg__children_trie);
	townorg__hamt_release(&t->totals, &townorg__totals_trie);
	for (size_t i = 0; i < t->n_touched; i++)
		townorg_entity_free(t->touched[i].e);
	townorg__free(t->touched);
	townorg__free(t->bulk_log);
	for (size_t i = 0; i < t->n_events; i++)
		townorg__event_free(&t->events[i]);
	townorg__free(t->events);
	townorg__meta_free(&t->meta);
	townorg__free((void *)t->parents);
	townorg__free(t->branch);
	townorg__free(t);
}

static int check_open(townorg_txn *t)
{
	if (!t)
		return townorg__err(TOWNORG_EINVALID, "no transaction");
	if (t->spent)
		return townorg__err(TOWNORG_EINVALID, "the transaction was already committed");
	return 0;
}

int townorg_txn_add_parent(townorg_txn *t, const townorg_version *p)
{
	int rc;
	if ((rc = check_open(t)) < 0)
		return rc;
	if (!p || p->repo != t->repo)
		return townorg__err(TOWNORG_EINVALID, "a parent must be a version of the same repository");
	for (size_t i = 0; i < t->n_parents; i++)
		if (t->parents[i] == p)
			return townorg__err(TOWNORG_EEXISTS, "version %.12s is already a parent", p->id);
	const townorg_version **np = townorg__realloc((void *)t->parents, (t->n_parents + 1) * sizeof *np);
	if (!np)
		return townorg__oom();
	np[t->n_parents++] = p;
	t->parents = np;
	return 0;
}

/* Record an entity for the commit checks.  Space is reserved first so that
 * the record can be written after the edit succeeded without failing. */
static int touch_reserve(townorg_txn *t)
{
	if (t->n_touched == t->cap_touched && TOWNORG__GROW(t->touched, t->cap_touched, 64) < 0)
		return TOWNORG_ENOMEM;
	return 0;
}

/* e: a reference the record takes over */
static void touch_commit(townorg_txn *t, townorg_entity *e, bool check_children)
{
	t->touched[t->n_touched].e = e;
	t->touched[t->n_touched].check_children = check_children;
	t->n_touched++;
}

/* ---- children index maintenance ---- */

static townorg__childset *cs_new(const char *key, size_t n, uint32_t token)
{
	size_t kl = strlen(key);
	/* one allocation: header, key, then room for the items */
	if (n >= UINT32_MAX / 2)
		return NULL;
	townorg__childset *c = townorg__palloc(townorg__childset_size(kl, n));
	if (!c)
		return NULL;
	c->refcnt = 0; /* the trie takes the first reference */
	c->owner = token;
	c->n = c->cap = (uint32_t)n;
	memcpy(c->key, key, kl + 1);
	c->items = townorg__childset_inline(c, kl);
	return c;
}

static void cs_discard(townorg__childset *c)
{
	/* only for sets never given to a trie: items were not referenced yet */
	size_t kl = strlen(c->key), room = townorg__childset_room(c, kl);
	if (c->items != townorg__childset_inline(c, kl))
		townorg__free(c->items);
	townorg__pfree(c, townorg__childset_size(kl, room));
}

static size_t cs_find(const townorg__childset *c, const char *id, bool *found)
{
	size_t lo = 0, hi = c ? c->n : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(townorg__entity_id(c->items[mid]), id);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Put (e non-NULL) or remove (e NULL) the child `id` under key.
 * was, if not NULL, is the value the set may hold for id now: found by
 * pointer, it spares the binary search, whose every step reads an id from
 * an entity at a random address.  A set this transaction made is edited in
 * place (it is reachable only through the transaction's own trie); a
 * committed set is copied. */
static int index_update(townorg_txn *t, const char *key, const char *id, townorg_entity *e, const townorg_entity *was)
{
	townorg__childset *old = townorg__hamt_get(&t->children, &townorg__children_trie, key);
	bool found = false;
	size_t pos = 0;
	if (e && was && old && old->owner != t->token)
		return 0; /* a child that stays, in a committed set: nothing to do (below) */
	if (was && old && old->n <= 64) /* a scan of a small array, no entity read */
		for (; pos < old->n && !found; pos++)
			found = old->items[pos] == was;
	if (found)
		pos--;
	else
		pos = cs_find(old, id, &found);
	size_t n = old ? old->n : 0;
	if (!e && !found)
		return 0;
	/* A child that stays: a committed set is left as it is (it lists who
	 * the children are, see townorg__childset); a set of this transaction's
	 * own is kept current below, at no cost, so that sets made by one
	 * commit hold their children's values. */
	if (e && found && old->owner != t->token)
		return 0;
	size_t nn = n + (e && !found ? 1 : 0) - (!e ? 1 : 0);
	if (nn == 0) {
		bool f;
		return townorg__hamt_remove(&t->children, &townorg__children_trie, key, t->token, &f);
	}
	if (old && old->owner == t->token) {
		if (e && found) {
			townorg_entity_ref(e);
			townorg_entity_free(old->items[pos]);
			old->items[pos] = e;
		} else if (e) {
			if (old->n == old->cap) {
				size_t cap = old->cap < 4 ? 8 : (size_t)old->cap * 2;
				if (cap >= UINT32_MAX)
					return TOWNORG_ENOMEM;
				townorg_entity **in = townorg__childset_inline(old, strlen(old->key));
				townorg_entity **ni = old->items == in ? townorg__malloc(cap * sizeof *ni)
								       : townorg__realloc(old->items, cap * sizeof *ni);
				if (!ni)
					return TOWNORG_ENOMEM;
				if (old->items == in) {
					memcpy(ni, in, old->n * sizeof *ni);
					size_t room = old->cap; /* see townorg__childset_room */
					memcpy(in, &room, sizeof room);
				}
				old->items = ni;
				old->cap = (uint32_t)cap;
			}
			memmove(old->items + pos + 1, old->items + pos, (old->n - pos) * sizeof *old->items);
			old->items[pos] = townorg_entity_ref(e);
			old->n++;
		} else {
			townorg_entity_free(old->items[pos]);
			memmove(old->items + pos, old->items + pos + 1, (old->n - pos - 1) * sizeof *old->items);
			old->n--;
		}
		return 0;
	}
	townorg__childset *c = cs_new(key, nn, t->token);
	if (!c)
		return TOWNORG_ENOMEM;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == pos) {
			if (e && !found)
				c->items[j++] = e;
			else if (e && found) {
				c->items[j++] = e;
				continue;
			} else
				continue;
		}
		c->items[j++] = old->items[i];
	}
	if (e && !found && pos == n)
		c->items[j++] = e;
	/* Hold a reference of our own while the trie takes its: when the trie
	 * runs out of memory it drops the reference it took, which must not
	 * free the set (nor unreference items that were never referenced). */
	c->refcnt = 1;
	int rc = townorg__hamt_set(&t->children, &townorg__children_trie, c, t->token);
	if (rc < 0) {
		cs_discard(c);
		return rc;
	}
	c->refcnt--; /* still private to this transaction: no atomics needed */
	/* the items' counts are scattered: fetch them all before the first
	 * increment */
	for (size_t i = 0; i < nn; i++)
		__builtin_prefetch(c->items[i], 1);
	for (size_t i = 0; i < nn; i++)
		townorg_entity_ref(c->items[i]);
	return 0;
}

/* ---- the children index on a second thread ---- */

/*
 * An importer's version changes some 10,000 entities, and the calling
 * thread's entity trie and the two derived indexes (children, totals) are
 * independent: the indexes need only each change's old and new value, in
 * order, and nothing reads them before the commit checks.  So with
 * townorg__txn_async_index the puts queue those updates for a worker
 * thread, which applies them (apply_indexes) while the puts go on; the
 * checks, the commit and the bulk build wait for it (ix_sync).  Each
 * queued change holds references to its values, whose strings are the keys
 * and ids.  The result is the same indexes as without the thread: the same
 * updates in the same order.
 *
 * The totals alone read entities: an organ's change is added to the county
 * of its township-level unit, so they ask for the unit's value in the state
 * after the change, and a unit's change adds up its organs' values.  The
 * worker cannot read the transaction's entity trie, which the calling
 * thread edits in place; it keeps its own view instead: the parent
 * version's frozen trie (`base`, immutable, safe to read from any thread)
 * overlaid with every id this transaction changed (`changed`: the latest
 * value, or a tombstone for a removal).  An id not in the overlay kept its
 * base value, so the view answers as the trie would.
 */
typedef struct {
	townorg_entity *e;   /* the value put (a reference), or NULL for a removal */
	townorg_entity *old; /* the value replaced or removed (a reference), or NULL */
	bool moved;          /* a put whose parent differs from old's */
} ixop;

enum { IX_BATCH = 256 };

struct townorg__ixworker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ixop *q; /* under mu: queued for the worker */
	size_t n, cap;
	bool closing; /* under mu */
	bool freeze;  /* under mu: on closing, help hash the entity trie (ix_finish) */
	unsigned next_slot; /* atomic: the next root slot to hash (freeze_slots) */
	int rc;       /* the worker's: 0 or TOWNORG_ENOMEM */
	townorg__hamt base;   /* the worker's: the parent's entities (frozen) */
	townorg__strmap changed; /* the worker's: id -> value, or value|1 for a removal (references) */
	ixop local[IX_BATCH]; /* the calling thread's, not yet queued */
	size_t n_local;
};

static int index_update(townorg_txn *t, const char *key, const char *id, townorg_entity *e, const townorg_entity *was);

static const townorg_entity *trie_lookup(void *ctx, const char *id)
{
	return townorg__hamt_get(ctx, &townorg__entity_trie, id);
}

/* The index edits of one change: old -> e (e NULL: old removed; old NULL:
 * e is new).  moved: e's parent differs from old's. */
static int apply_indexes(townorg_txn *t, townorg__lookup_fn lookup, void *ctx, townorg_entity *old, townorg_entity *e,
			 bool moved)
{
	int rc;
	const char *p;
	if (old && (!e || moved)) {
		p = townorg_entity_parent_id(old);
		if ((rc = index_update(t, p ? p : "", townorg__entity_id(old), NULL, old)) < 0)
			return rc;
	}
	if (e) {
		p = townorg_entity_parent_id(e);
		if ((rc = index_update(t, p ? p : "", townorg__entity_id(e), e, moved ? NULL : old)) < 0)
			return rc;
	}
	return townorg__totals_update(&t->totals, lookup, ctx, &t->children, old, e, t->token);
}

static const townorg_entity *ix_lookup(void *ctx, const char *id)
{
	struct townorg__ixworker *w = ctx;
	void *v = townorg__strmap_get(&w->changed, id);
	if (v)
		return ((uintptr_t)v & 1) ? NULL : v;
	return townorg__hamt_get(&w->base, &townorg__entity_trie, id);
}

/* Record a change in the worker's view (see above).  0 or TOWNORG_ENOMEM. */
static int ix_note(struct townorg__ixworker *w, townorg_entity *old, townorg_entity *e)
{
	townorg_entity *now = e ? e : old;
	const char *id = townorg__entity_id(now);
	void *prev = townorg__strmap_get(&w->changed, id);
	townorg_entity_ref(now);
	if (townorg__strmap_put(&w->changed, id, e ? (void *)now : (void *)((uintptr_t)now | 1)) < 0) {
		townorg_entity_free(now);
		return TOWNORG_ENOMEM;
	}
	townorg_entity_free((townorg_entity *)((uintptr_t)prev & ~(uintptr_t)1));
	return 0;
}

/* Hash the entity trie's subtrees one root slot at a time, taking the
 * slots from a counter shared by the two threads: the calling thread starts
 * at once, the worker joins when its queue is empty, and neither waits for
 * the other's share. */
static void freeze_slots(townorg_txn *t, struct townorg__ixworker *w)
{
	unsigned i;
	while ((i = __atomic_fetch_add(&w->next_slot, 1, __ATOMIC_RELAXED)) < 32)
		townorg__hamt_freeze_range(&t->entities, &townorg__entity_trie, t->token, i, i + 1);
}

static void *ix_main(void *arg)
{
	townorg_txn *t = arg;
	struct townorg__ixworker *w = t->ix;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->n && !w->closing)
			pthread_cond_wait(&w->cv, &w->mu);
		/* take the whole queue; the calling thread starts a new one */
		ixop *batch = w->q;
		size_t n = w->n;
		bool freeze = w->freeze;
		w->q = NULL;
		w->n = w->cap = 0;
		pthread_mutex_unlock(&w->mu);
		if (!n) {
			townorg__free(batch);
			if (freeze) /* with the calling thread, in its commit */
				freeze_slots(t, w);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			ixop *op = &batch[i];
			if (w->rc == 0 && (w->rc = ix_note(w, op->old, op->e)) == 0)
				w->rc = apply_indexes(t, ix_lookup, w, op->old, op->e, op->moved);
			townorg_entity_free(op->e);
			townorg_entity_free(op->old);
		}
		townorg__free(batch);
	}
	return NULL;
}

/* Hand the calling thread's batch to the worker.  0 or TOWNORG_ENOMEM. */
static int ix_flush(struct townorg__ixworker *w)
{
	if (!w->n_local)
		return 0;
	pthread_mutex_lock(&w->mu);
	if (w->n + w->n_local > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4 * IX_BATCH;
		while (cap < w->n + w->n_local)
			cap *= 2;
		ixop *nq = townorg__realloc(w->q, cap * sizeof *nq);
		if (!nq) {
			pthread_mutex_unlock(&w->mu);
			return TOWNORG_ENOMEM;
		}
		w->q = nq;
		w->cap = cap;
	}
	memcpy(w->q + w->n, w->local, w->n_local * sizeof *w->q);
	w->n += w->n_local;
	w->n_local = 0;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static void ix_destroy(struct townorg__ixworker *w)
{
	for (size_t i = 0; i < w->changed.cap; i++)
		if (w->changed.keys[i])
			townorg_entity_free((townorg_entity *)((uintptr_t)w->changed.vals[i] & ~(uintptr_t)1));
	townorg__strmap_free(&w->changed);
	townorg__hamt_release(&w->base, &townorg__entity_trie);
	townorg__free(w->q);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	townorg__free(w);
}

void townorg__txn_async_index(townorg_txn *t)
{
	/* only before the first edit: the worker's view starts from the
	 * entities as they are now, which must be a frozen trie */
	if (!t || t->ix || t->bulk_pending || t->spent || t->edited || !townorg__threads_allowed())
		return;
	struct townorg__ixworker *w = townorg__calloc(1, sizeof *w);
	if (!w)
		return;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->base = townorg__hamt_share(&t->entities);
	t->ix = w;
	if (pthread_create(&w->thread, NULL, ix_main, t) != 0) {
		t->ix = NULL;
		ix_destroy(w);
	}
}

/* Wait for the worker to apply every queued update and stop it; with
 * freeze (a commit, after the last edit), both threads hash the entity
 * trie meanwhile (freeze_slots), and townorg__hamt_freeze later finishes
 * the root.  An allocation failure on either side poisons the
 * transaction. */
static int ix_finish(townorg_txn *t, bool freeze)
{
	struct townorg__ixworker *w = t->ix;
	if (!w)
		return 0;
	int rc = ix_flush(w);
	for (size_t i = 0; i < w->n_local; i++) { /* could not be queued */
		townorg_entity_free(w->local[i].e);
		townorg_entity_free(w->local[i].old);
	}
	pthread_mutex_lock(&w->mu);
	w->closing = true;
	w->freeze = freeze;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (freeze)
		freeze_slots(t, w);
	pthread_join(w->thread, NULL);
	if (rc == 0)
		rc = w->rc;
	ix_destroy(w);
	t->ix = NULL;
	if (rc < 0) {
		t->spent = true;
		return townorg__err(TOWNORG_ENOMEM, "out of memory while updating the children and totals indexes");
	}
	return 0;
}

static int ix_sync(townorg_txn *t) { return ix_finish(t, false); }

/* Queue (with a worker) or apply the index edits of a change old -> e (see
 * apply_indexes).  Both borrowed. */
static int ix_update(townorg_txn *t, townorg_entity *old, townorg_entity *e, bool moved)
{
	struct townorg__ixworker *w = t->ix;
	if (!w)
		return apply_indexes(t, trie_lookup, &t->entities, old, e, moved);
	if (w->n_local == IX_BATCH) {
		int rc = ix_flush(w);
		if (rc < 0)
			return rc;
	}
	w->local[w->n_local++] = (ixop){ e ? townorg_entity_ref(e) : NULL, old ? townorg_entity_ref(old) : NULL,
					 moved };
	return 0;
}

/* ---- edits ---- */

int townorg_txn_put(townorg_txn *t, const townorg_entity *ce)
{
	int rc;
	townorg_entity *old = NULL;
	if ((rc = check_open(t)) < 0)
		return rc;
	if (!ce)
		return townorg__err(TOWNORG_EINVALID, "no entity to put");
	townorg_entity *e = (townorg_entity *)ce;
	const char *id = townorg__entity_id(e);
	if (t->bulk_pending) {
		/* only the entity trie now (and the log): the indexes are built
		 * in one pass */
		if (!t->bulk_log_bad && t->n_bulk_log == t->cap_bulk_log && TOWNORG__GROW(t->bulk_log, t->cap_bulk_log, 1024) < 0)
			return townorg__err(TOWNORG_ENOMEM, "out of memory while putting entity %s", id);
		if ((rc = townorg__hamt_put(&t->entities, &townorg__entity_trie, e, t->token, (void **)&old)) < 0)
			return townorg__err(TOWNORG_ENOMEM, "out of memory while putting entity %s", id);
		if (old)
			t->kind_count[old->kind]--;
		t->kind_count[e->kind]++;
		if (old)
			t->bulk_log_bad = true; /* the log may hold the replaced value */
		else if (!t->bulk_log_bad)
			t->bulk_log[t->n_bulk_log++] = e;
		townorg_entity_free(old);
		return 0;
	}
	if ((rc = touch_reserve(t)) < 0)
		goto oom;
	t->edited = true;
	/* one walk: insert, and get the old value (with its reference) back */
	if ((rc = townorg__hamt_put(&t->entities, &townorg__entity_trie, e, t->token, (void **)&old)) < 0)
		goto oom;
	if (old == e) {
		townorg_entity_free(old);
		return 0;
	}
	const char *np = townorg_entity_parent_id(e);
	const char *op = old ? townorg_entity_parent_id(old) : NULL;
	bool same_parent = old && (op == NULL) == (np == NULL) && (!op || !strcmp(op, np));
	/* The index edits below can fail only for memory; on failure the
	 * transaction is no longer consistent, so it is poisoned. */
	if ((rc = ix_update(t, old, e, !same_parent)) < 0)
		goto poison;
	if (old)
		t->kind_count[old->kind]--;
	t->kind_count[e->kind]++;
	/* A value that keeps its kind and parent needs no check (see
	 * townorg_txn_check): only the others are recorded. */
	if (!same_parent || old->kind != e->kind)
		touch_commit(t, townorg_entity_ref(e), !old || old->kind != e->kind);
	townorg_entity_free(old);
	return 0;
poison:
	t->spent = true;
oom:
	townorg_entity_free(old);
	return townorg__err(TOWNORG_ENOMEM, "out of memory while putting entity %s", id);
}

int townorg__txn_put_all(townorg_txn *t, townorg_entity *const *ents, size_t n)
{
	int rc;
	if ((rc = check_open(t)) < 0)
		return rc;
	if (t->bulk_pending && !t->entities.root && !t->n_bulk_log && n) {
		townorg_entity **log = townorg__realloc(t->bulk_log, n * sizeof *log);
		if (!log)
			return townorg__err(TOWNORG_ENOMEM, "out of memory while putting %zu entities", n);
		t->bulk_log = log;
		t->cap_bulk_log = n;
		rc = townorg__hamt_build(&t->entities, &townorg__entity_trie, (void *const *)ents, n);
		if (rc == TOWNORG_ENOMEM)
			return townorg__err(rc, "out of memory while putting %zu entities", n);
		if (rc == 0) {
			memcpy(log, ents, n * sizeof *log);
			t->n_bulk_log = n;
			for (size_t i = 0; i < n; i++)
				t->kind_count[ents[i]->kind]++;
			return 0;
		}
		/* a repeated id: the later value wins, as with puts one by one */
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = townorg_txn_put(t, ents[i])) < 0)
			return rc;
	return 0;
}

int townorg_txn_put_builder(townorg_txn *t, const townorg_entity_builder *b)
{
	townorg_entity *e;
	int rc = townorg_entity_builder_build(&e, b);
	if (rc < 0)
		return rc;
	rc = townorg_txn_put(t, e);
	townorg_entity_free(e);
	return rc;
}

int townorg_txn_remove(townorg_txn *t, const char *id)
{
	int rc;
	if ((rc = check_open(t)) < 0)
		return rc;
	const townorg_entity *old = id ? townorg__hamt_get(&t->entities, &townorg__entity_trie, id) : NULL;
	if (!old)
		return townorg__err(TOWNORG_ENOTFOUND, "cannot remove '%s': no such entity", id ? id : "(null)");
	townorg_entity *keep = townorg_entity_ref(old);
	if (t->bulk_pending) {
		bool gone;
		if ((rc = townorg__hamt_remove(&t->entities, &townorg__entity_trie, townorg__entity_id(keep), t->token,
					       &gone)) < 0) {
			townorg_entity_free(keep);
			return townorg__err(TOWNORG_ENOMEM, "out of memory while removing entity %s", id);
		}
		t->kind_count[keep->kind]--;
		t->bulk_log_bad = true;
		townorg_entity_free(keep);
		return 0;
	}
	bool found;
	if ((rc = touch_reserve(t)) < 0)
		goto oom;
	t->edited = true;
	if ((rc = townorg__hamt_remove(&t->entities, &townorg__entity_trie, townorg__entity_id(keep), t->token,
				       &found)) < 0)
		goto oom;
	if ((rc = ix_update(t, keep, NULL, true)) < 0) {
		t->spent = true;
		goto oom;
	}
	t->kind_count[keep->kind]--;
	touch_commit(t, keep, false);
	return 0;
oom:
	townorg_entity_free(keep);
	return townorg__err(TOWNORG_ENOMEM, "out of memory while removing entity %s", id);
}

int townorg_txn_get(const townorg_entity **out, townorg_txn *t, const char *id)
{
	*out = townorg__hamt_get(&t->entities, &townorg__entity_trie, id);
	return *out ? 0 : townorg__err(TOWNORG_ENOTFOUND, "no entity '%s' in the transaction", id ? id : "(null)");
}

size_t townorg_txn_entity_count(const townorg_txn *t) { return t->entities.count; }

static bool opt_text_ok(const char *s) { return !s || townorg__utf8_valid(s, strlen(s), true); }

int townorg_txn_add_event(townorg_txn *t, const townorg_event *ev)
{
	int rc;
	if ((rc = check_open(t)) < 0)
		return rc;
	if (!ev || ev->version != TOWNORG_EVENT_STRUCT_VERSION)
		return townorg__err(TOWNORG_EINVALID, "event struct missing or of an unknown version");
	if (!townorg_event_kind_token(ev->kind))
		return townorg__err(TOWNORG_EINVALID, "event has an invalid kind %d", (int)ev->kind);
	if (ev->from_count + ev->to_count == 0)
		return townorg__err(TOWNORG_EINVALID, "%s event names no entity", townorg_event_kind_token(ev->kind));
	if ((ev->from_count && !ev->from_ids) || (ev->to_count && !ev->to_ids) ||
	    (ev->document_count && !ev->documents))
		return townorg__err(TOWNORG_EINVALID, "event lists are NULL but their counts are not 0");
	for (size_t i = 0; i < ev->from_count + ev->to_count; i++) {
		const char *id = i < ev->from_count ? ev->from_ids[i] : ev->to_ids[i - ev->from_count];
		if (!id || !*id || !townorg__utf8_valid(id, strlen(id), false))
			return townorg__err(TOWNORG_EINVALID, "%s event: an entity id is empty or not valid UTF-8",
					    townorg_event_kind_token(ev->kind));
	}
	for (size_t i = 0; i < ev->document_count; i++)
		if (!ev->documents[i] || !*ev->documents[i] || !opt_text_ok(ev->documents[i]))
			return townorg__err(TOWNORG_EINVALID, "event: a document number is empty or not valid UTF-8");
	if (ev->date && (rc = townorg_event_date_check(ev->date)) < 0)
		return rc;
	if (!opt_text_ok(ev->wording) || !opt_text_ok(ev->event_id) || (ev->event_id && !*ev->event_id))
		return townorg__err(TOWNORG_EINVALID, "event: id or wording is empty or not valid UTF-8");
	if (t->n_events == t->cap_events && TOWNORG__GROW(t->events, t->cap_events, 16) < 0)
		return townorg__oom();
	townorg_event *d = &t->events[t->n_events];
	char buf[32];
	snprintf(buf, sizeof buf, "e%zu", t->n_events + 1);
	if (townorg__event_copy_id(d, ev, buf) < 0)
		return townorg__oom();
	t->n_events++;
	return 0;
}

static int check_timestamp(const char *s)
{
	char d[11];
	if (!s || strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z' || s[13] != ':' || s[16] != ':')
		goto bad;
	memcpy(d, s, 10);
	d[10] = 0;
	if (townorg_date_check(d) < 0)
		goto bad;
	for (int i = 11; i < 19; i++)
		if (i != 13 && i != 16 && !(s[i] >= '0' && s[i] <= '9'))
			goto bad;
	if (atoi(s + 11) > 23 || atoi(s + 14) > 59 || atoi(s + 17) > 60)
		goto bad;
	return 0;
bad:
	return townorg__err(TOWNORG_EINVALID, "recorded_at '%s' is not a UTC timestamp YYYY-MM-DDTHH:MM:SSZ",
			    s ? s : "(null)");
}

int townorg_txn_set_meta(townorg_txn *t, const townorg_meta *m)
{
	int rc;
	townorg_meta copy;
	if ((rc = check_open(t)) < 0)
		return rc;
	if (!m || m->version != TOWNORG_META_VERSION)
		return townorg__err(TOWNORG_EINVALID, "metadata struct missing or of an unknown version");
	if (m->effective_date && (rc = townorg_date_check(m->effective_date)) < 0)
		return townorg__err(rc, "effective date: %s", townorg_error_last());
	if (m->doc_date && (rc = townorg_date_check(m->doc_date)) < 0)
		return townorg__err(rc, "document date: %s", townorg_error_last());
	if (m->recorded_at && (rc = check_timestamp(m->recorded_at)) < 0)
		return rc;
	if (!opt_text_ok(m->author) || !opt_text_ok(m->doc_issuer) || !opt_text_ok(m->doc_number) ||
	    !opt_text_ok(m->doc_title) || !opt_text_ok(m->message))
		return townorg__err(TOWNORG_EENCODING, "metadata text is not valid UTF-8");
	if (townorg__meta_copy(&copy, m) < 0)
		return townorg__oom();
	townorg__meta_free(&t->meta);
	t->meta = copy;
	return 0;
}

/* ---- structural checks ---- */

static bool parent_allowed(townorg_kind parent, townorg_kind child)
{
	switch (child) {
	case TOWNORG_KIND_PROVINCE:
		return false;
	case TOWNORG_KIND_PREFECTURE:
		return parent == TOWNORG_KIND_PROVINCE;
	case TOWNORG_KIND_COUNTY:
		return parent == TOWNORG_KIND_PROVINCE || parent == TOWNORG_KIND_PREFECTURE;
	case TOWNORG_KIND_DEPARTMENT:
		return parent == TOWNORG_KIND_COUNTY;
	default:
		if (townorg_kind_is_township_level(child))
			return parent == TOWNORG_KIND_COUNTY;
		return townorg_kind_is_township_level(parent);
	}
}

static bool top_allowed(townorg_kind k) { return k == TOWNORG_KIND_PROVINCE || k == TOWNORG_KIND_COUNTY; }

static const char *where_allowed(townorg_kind k)
{
	switch (k) {
	case TOWNORG_KIND_PROVINCE: return "at the top";
	case TOWNORG_KIND_PREFECTURE: return "under a province";
	case TOWNORG_KIND_COUNTY: return "at the top or under a prefecture or province";
	case TOWNORG_KIND_DEPARTMENT: return "under a county";
	default:
		return townorg_kind_is_township_level(k) ? "under a county" : "under a township-level unit";
	}
}

/* The last parent looked up: the rows of an import come grouped by parent,
 * so most lookups repeat the previous one. */
typedef struct {
	const char *id;
	const townorg_entity *e;
} parent_cache;

/*
 * What commit checks.  Every version in a repository passed these checks
 * when it was committed, so only what a transaction changed can break
 * them: an entity put new, moved to another parent or given another kind
 * (its parent must exist and take its kind; when new or of another kind,
 * its children must still fit under it), and a removed entity (nothing may
 * sit under it any more).  A put that keeps the old value's parent and kind
 * — most edits: a name, a number — is not recorded at all: its parent
 * existed with a fitting kind in the parent version, and a removal or a
 * kind change of that parent is itself recorded and checked against its
 * children, this one included.  On the national workload that leaves 56,000
 * of 200,000 changes to check.
 *
 * Check one entity that is in the new state.  No cycle walk is needed: a
 * kind may only sit under a kind of a strictly higher rank (province >
 * prefecture > county > department and township-level units > organs,
 * villages and communities), so following parents strictly climbs ranks
 * and can never come back to where it started.
 */
static int check_entity(townorg_txn *t, const townorg_entity *e, bool check_children, parent_cache *pc)
{
	const char *id = townorg__entity_id(e);
	const char *pid = townorg_entity_parent_id(e);
	townorg_kind k = (townorg_kind)e->kind;
	if (!pid) {
		if (!top_allowed(k))
			return townorg__err(TOWNORG_EINTEGRITY, "entity %s (%s) has no parent; a %s belongs %s", id,
					    townorg_kind_token(k), townorg_kind_token(k), where_allowed(k));
	} else {
		const townorg_entity *p;
		if (pc->id && !strcmp(pc->id, pid)) {
			p = pc->e;
		} else {
			p = townorg__hamt_get(&t->entities, &townorg__entity_trie, pid);
			if (p) {
				pc->id = townorg__entity_id(p);
				pc->e = p;
			}
		}
		if (!p)
			return townorg__err(TOWNORG_EINTEGRITY, "entity %s: parent %s does not exist", id, pid);
		if (!parent_allowed((townorg_kind)p->kind, k))
			return townorg__err(TOWNORG_EINTEGRITY, "entity %s (%s) cannot sit under %s (%s): a %s belongs %s", id,
					    townorg_kind_token(k), pid, townorg_kind_token((townorg_kind)p->kind),
					    townorg_kind_token(k), where_allowed(k));
	}
	if (!check_children)
		return 0;
	const townorg__childset *c = townorg__children_get(&t->children, id);
	for (size_t i = 0; c && i < c->n; i++) {
		const townorg_entity *ch = townorg__child_at(&t->entities, c, i);
		townorg_kind ck = (townorg_kind)ch->kind;
		if (!parent_allowed(k, ck))
			return townorg__err(TOWNORG_EINTEGRITY, "entity %s (%s) cannot sit under %s (%s): a %s belongs %s",
					    townorg__entity_id(ch), townorg_kind_token(ck), id, townorg_kind_token(k),
					    townorg_kind_token(ck), where_allowed(ck));
	}
	return 0;
}

/* ---- bulk transactions ---- */

/* The indexes are built in one pass by townorg__bulk_indexes (bulk.c). */

struct collect {
	townorg_entity **v;
	size_t n;
};

static int collect_cb(const void *leaf, void *p)
{
	struct collect *c = p;
	c->v[c->n++] = (townorg_entity *)leaf;
	return 0;
}

static void bulk_log_free(townorg_txn *t)
{
	townorg__free(t->bulk_log);
	t->bulk_log = NULL;
	t->n_bulk_log = t->cap_bulk_log = 0;
	t->bulk_log_bad = true;
}

int townorg__txn_indexes(townorg_txn *t)
{
	if (t->ix)
		return ix_sync(t);
	if (!t->bulk_pending)
		return 0;
	size_t n = t->entities.count;
	struct collect c = { NULL, 0 };
	townorg_entity **ents = t->bulk_log;
	townorg__hamt children, totals;
	if (t->bulk_log_bad || t->n_bulk_log != n) {
		if (!(c.v = townorg__malloc((n ? n : 1) * sizeof *c.v)))
			return townorg__oom();
		townorg__hamt_foreach(&t->entities, collect_cb, &c);
		ents = c.v;
	}
	int rc = townorg__bulk_indexes(&children, &totals, ents, n, t->token);
	townorg__free(c.v);
	if (rc < 0)
		return townorg__oom();
	bulk_log_free(t);
	townorg__hamt_release(&t->children, &townorg__children_trie);
	townorg__hamt_release(&t->totals, &townorg__totals_trie);
	t->children = children;
	t->totals = totals;
	t->bulk_pending = false;
	return 0;
}

/* The whole state of a transaction that started from nothing, checked per
 * parent: one lookup per distinct parent instead of one per entity. */
struct whole {
	townorg_txn *t;
	int rc;
};

/* A child's value: a set of the transaction's own holds its children's
 * values (index_update keeps them current); one made before a preview (or
 * a failed commit) renewed the token lists the children only. */
static const townorg_entity *whole_child(const townorg_txn *t, const townorg__childset *cs, size_t i)
{
	return cs->owner == t->token ? cs->items[i] : townorg__child_at(&t->entities, cs, i);
}

static int whole_cb(const void *leaf, void *payload)
{
	struct whole *w = payload;
	const townorg__childset *cs = leaf;
	if (!cs->n)
		return 0;
	if (!cs->key[0]) {
		for (size_t i = 0; i < cs->n; i++) {
			const townorg_entity *ch = whole_child(w->t, cs, i);
			townorg_kind k = (townorg_kind)ch->kind;
			if (!top_allowed(k))
				return w->rc = townorg__err(TOWNORG_EINTEGRITY, "entity %s (%s) has no parent; a %s belongs %s",
							    townorg__entity_id(ch), townorg_kind_token(k),
							    townorg_kind_token(k), where_allowed(k));
		}
		return 0;
	}
	const townorg_entity *p = townorg__hamt_get(&w->t->entities, &townorg__entity_trie, cs->key);
	if (!p)
		return w->rc = townorg__err(TOWNORG_EINTEGRITY, "entity %s: parent %s does not exist",
					    townorg__entity_id(cs->items[0]), cs->key);
	for (size_t i = 0; i < cs->n; i++) {
		const townorg_entity *ch = whole_child(w->t, cs, i);
		townorg_kind k = (townorg_kind)ch->kind;
		if (!parent_allowed((townorg_kind)p->kind, k))
			return w->rc = townorg__err(TOWNORG_EINTEGRITY,
						    "entity %s (%s) cannot sit under %s (%s): a %s belongs %s",
						    townorg__entity_id(ch), townorg_kind_token(k), cs->key,
						    townorg_kind_token((townorg_kind)p->kind), townorg_kind_token(k),
						    where_allowed(k));
	}
	return 0;
}

int townorg_txn_check(townorg_txn *t)
{
	int rc;
	parent_cache pc = { NULL, NULL };
	if ((rc = check_open(t)) < 0)
		return rc;
	if ((rc = ix_sync(t)) < 0)
		return rc;
	if (t->from_empty) {
		struct whole w = { t, 0 };
		if ((rc = townorg__txn_indexes(t)) < 0)
			return rc;
		townorg__hamt_foreach(&t->children, whole_cb, &w);
		return w.rc;
	}
	for (size_t i = 0; i < t->n_touched; i++) {
		const char *id = townorg__entity_id(t->touched[i].e);
		/* the same id touched again later is checked then */
		if (i + 1 < t->n_touched && !strcmp(townorg__entity_id(t->touched[i + 1].e), id))
			continue;
		const townorg_entity *e = townorg__hamt_get(&t->entities, &townorg__entity_trie, id);
		if (e) {
			bool cc = t->touched[i].check_children;
			for (size_t j = i; j-- > 0 && !strcmp(townorg__entity_id(t->touched[j].e), id);)
				cc |= t->touched[j].check_children;
			if ((rc = check_entity(t, e, cc, &pc)) < 0)
				return rc;
		} else {
			const townorg__childset *c = townorg__children_get(&t->children, id);
			if (c && c->n)
				return townorg__err(TOWNORG_EINTEGRITY,
						    "entity %s was removed but %zu entities still sit under it (first: %s)", id,
						    (size_t)c->n, townorg__entity_id(c->items[0]));
		}
	}
	return 0;
}

/* ---- commit ---- */

/* A version of the transaction's state: its events are encoded into the
 * version (townorg__version_set_events); the transaction keeps its own
 * till it is freed, so a failed commit leaves it as it was. */
static int build_version(townorg_version **out, townorg_txn *t)
{
	townorg_version *v = townorg__version_alloc();
	*out = NULL;
	if (!v)
		return townorg__oom();
	townorg__meta_free(&v->meta);
	if (townorg__meta_copy(&v->meta, &t->meta) < 0)
		goto oom;
	if (!v->meta.effective_date) {
		if (t->n_parents && t->parents[0]->meta.effective_date)
			v->meta.effective_date = townorg__strdup(t->parents[0]->meta.effective_date);
		else {
			char now[21];
			townorg__now(now);
			v->meta.effective_date = townorg__strndup(now, 10);
		}
		if (!v->meta.effective_date)
			goto oom;
	}
	if (!v->meta.recorded_at) {
		char now[21];
		townorg__now(now);
		if (!(v->meta.recorded_at = townorg__strdup(now)))
			goto oom;
	}
	if (t->n_parents) {
		v->parents = townorg__calloc(t->n_parents, sizeof *v->parents);
		if (!v->parents)
			goto oom;
		memcpy((void *)v->parents, t->parents, t->n_parents * sizeof *v->parents);
		v->n_parents = t->n_parents;
	}
	if (t->n_events && townorg__version_set_events(v, t->events, t->n_events) < 0)
		goto oom;
	/* Freeze computes hashes of the transaction's nodes; it is idempotent
	 * and allocates nothing, so a later failure leaves a consistent txn. */
	townorg__hamt_freeze(&t->entities, &townorg__entity_trie, t->token);
	townorg__hamt_freeze(&t->children, &townorg__children_trie, t->token);
	townorg__hamt_freeze(&t->totals, &townorg__totals_trie, t->token);
	t->token = townorg__hamt_new_token();
	unsigned char h[TOWNORG__HASH_SIZE];
	townorg__hamt_root_hash(&t->entities, &townorg__entity_trie, h);
	townorg__hex(v->state_hash, h, TOWNORG__HASH_SIZE);
	v->entities = townorg__hamt_share(&t->entities);
	v->children = townorg__hamt_share(&t->children);
	v->totals = townorg__hamt_share(&t->totals);
	memcpy(v->kind_count, t->kind_count, sizeof v->kind_count);
	townorg__buf b = { 0 };
	townorg__version_encode(&b, v);
	if (b.failed) {
		townorg__buf_free(&b);
		goto oom;
	}
	townorg__sha s;
	townorg__sha_init(&s);
	townorg__sha_update(&s, "townorg-version-1", 18);
	townorg__sha_update(&s, b.data, b.len);
	townorg__sha_final(&s, h);
	townorg__buf_free(&b);
	townorg__hex(v->id, h, TOWNORG__HASH_SIZE);
	*out = v;
	return 0;
oom:
	townorg__version_destroy(v);
	return townorg__oom();
}

int townorg_txn_preview(townorg_version **out, townorg_txn *t)
{
	int rc;
	*out = NULL;
	if ((rc = townorg_txn_check(t)) < 0)
		return rc;
	return build_version(out, t);
}

int townorg__txn_commit(const townorg_version **out, townorg_txn *t, bool write_store)
{
	int rc;
	townorg_version *v;
	townorg_repo *r = t ? t->repo : NULL;
	if (out)
		*out = NULL;
	/* With the index thread, hash the entity trie on both threads once it
	 * has caught up: freeze is idempotent and allocates nothing, and a
	 * transaction whose commit then fails stays editable (later edits
	 * copy the frozen nodes). */
	if (t && t->ix && !t->spent && (rc = ix_finish(t, true)) < 0)
		return rc;
	if ((rc = townorg_txn_check(t)) < 0)
		return rc;
	if (t->branch) {
		const townorg_version *head = NULL;
		rc = townorg_repo_branch_head(&head, r, t->branch);
		if (rc < 0 && rc != TOWNORG_ENOTFOUND)
			return rc;
		townorg_error_clear();
		if (head != t->expect)
			return townorg__err(TOWNORG_ECONFLICT, "branch %s moved since the transaction began", t->branch);
	}
	if ((rc = build_version(&v, t)) < 0)
		return rc;
	const townorg_version *same = townorg__strmap_get(&r->by_id, v->id);
	if (same) {
		/* Committing exactly the same version twice: nothing new. */
		townorg__version_destroy(v);
		return townorg__err(TOWNORG_EEXISTS, "version %.12s already exists", same->id);
	}
	/* the memory the version and its branch take in the repository before
	 * the store writes them: after that nothing may fail */
	townorg__ref_slot slot = { NULL, NULL };
	if ((rc = townorg__repo_reserve_version(r)) < 0 ||
	    (t->branch && (rc = townorg__repo_ref_prepare(&slot, r, false, t->branch)) < 0)) {
		townorg__version_destroy(v);
		return rc;
	}
	if (write_store && r->store_ops && (rc = r->store_ops->commit(r->store, r, v, t->branch)) < 0) {
		townorg__repo_ref_slot_free(&slot);
		townorg__version_destroy(v);
		return rc;
	}
	if ((rc = townorg__repo_add_version(r, v)) < 0) {
		/* cannot happen after townorg__repo_reserve_version */
		townorg__repo_ref_slot_free(&slot);
		townorg__version_destroy(v);
		return rc;
	}
	if (t->branch)
		townorg__repo_ref_install(&slot, r, false, t->branch, v);
	t->spent = true;
	/* the version has its own (encoded): a spent transaction keeps none */
	for (size_t i = 0; i < t->n_events; i++)
		townorg__event_free(&t->events[i]);
	townorg__free(t->events);
	t->events = NULL;
	t->n_events = t->cap_events = 0;
	if (out)
		*out = v;
	return 0;
}

int townorg_txn_commit(const townorg_version **out, townorg_txn *t)
{
	return townorg__txn_commit(out, t, true);
}

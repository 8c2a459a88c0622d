/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/transaction.h — transactions: the only way to make a version.
 *
 * A transaction starts from a parent version (or from nothing), takes puts,
 * removals, change events and metadata, and is then committed atomically —
 * checked for structural integrity first — or discarded.  A failed commit
 * changes nothing: the repository, its branches and the transaction's
 * content are as they were.
 *
 * Structural rules checked at commit (errors name the entity):
 *  - every parent exists in the new state;
 *  - a kind only under the kinds it belongs under: prefecture under a
 *    province; county at the top or under a prefecture or province;
 *    department under a county; township-level units under a county;
 *    organs, villages and communities under a township-level unit;
 *    province at the top;
 *  - no cycles.
 */
#ifndef TOWNORG_TRANSACTION_H
#define TOWNORG_TRANSACTION_H

#include "common.h"
#include "entity.h"
#include "version.h"
#include "repository.h"

TOWNORG_BEGIN_DECLS

typedef struct townorg_txn townorg_txn;

/**
 * Start a transaction on top of `parent` (a version of `repo`, or NULL for
 * an empty state).  The commit will not move any branch.
 */
TOWNORG_EXTERN(int) townorg_txn_new(townorg_txn **out, townorg_repo *repo, const townorg_version *parent);

/**
 * Start a transaction on a branch: its parent is the branch head (or the
 * empty state when the branch is new or empty) and the commit advances the
 * branch, creating it if needed.  If the branch moved in the meantime, the
 * commit fails with TOWNORG_ECONFLICT.
 */
TOWNORG_EXTERN(int) townorg_txn_new_on_branch(townorg_txn **out, townorg_repo *repo, const char *branch);

/** Add a further parent (a merge).  The content is not changed by this. */
TOWNORG_EXTERN(int) townorg_txn_add_parent(townorg_txn *txn, const townorg_version *parent);

/** Insert or replace an entity (by id).  The transaction takes its own
 *  reference; the caller keeps theirs. */
TOWNORG_EXTERN(int) townorg_txn_put(townorg_txn *txn, const townorg_entity *entity);

/** Build the draft and put the result (shorthand). */
TOWNORG_EXTERN(int) townorg_txn_put_builder(townorg_txn *txn, const townorg_entity_builder *builder);

/** Remove an entity by id.  TOWNORG_ENOTFOUND if it is not there. */
TOWNORG_EXTERN(int) townorg_txn_remove(townorg_txn *txn, const char *id);

/** Read an entity of the transaction's current state (borrowed, valid until
 *  the next change to that id or the end of the transaction). */
TOWNORG_EXTERN(int) townorg_txn_get(const townorg_entity **out, townorg_txn *txn, const char *id);

/** Number of entities in the transaction's current state. */
TOWNORG_EXTERN(size_t) townorg_txn_entity_count(const townorg_txn *txn);

/** Record a change event (copied).  Unknown kinds or a record naming no
 *  entity at all are refused. */
TOWNORG_EXTERN(int) townorg_txn_add_event(townorg_txn *txn, const townorg_event *event);

/** Set the metadata (copied; replaces what was set before). */
TOWNORG_EXTERN(int) townorg_txn_set_meta(townorg_txn *txn, const townorg_meta *meta);

/** Run the structural checks without committing. */
TOWNORG_EXTERN(int) townorg_txn_check(townorg_txn *txn);

/**
 * Make a detached version of the transaction's current state, for dry-run
 * validation or diffs before commit.  It is checked like a commit but not
 * added to the repository; free it with townorg_version_free.  The
 * transaction stays open.
 */
TOWNORG_EXTERN(int) townorg_txn_preview(townorg_version **out, townorg_txn *txn);

/**
 * Check and commit.  On success *out (may be NULL) is the new version,
 * owned by the repository, and the transaction is spent: only
 * townorg_txn_free may follow.  On failure nothing changed and the
 * transaction stays open.
 */
TOWNORG_EXTERN(int) townorg_txn_commit(const townorg_version **out, townorg_txn *txn);

/** Discard (if not committed) and free.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_txn_free(townorg_txn *txn);

TOWNORG_END_DECLS

#endif /* TOWNORG_TRANSACTION_H */

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/merge.h — land one line of versions on another, and apply diffs.
 *
 *  - merge base: the best common ancestor of two versions;
 *  - merge: a fast-forward when one version is an ancestor of the other,
 *    otherwise a three-way merge at field level from the merge base.  For
 *    each entity changed on either side, each field is taken from the side
 *    that changed it.  Conflicts (nothing can be committed while there is
 *    one) are:
 *      - the same field changed to different values on both sides;
 *      - an entity removed on one side and changed on the other (one
 *        conflict per field the changing side changed; the removed side's
 *        value is NULL);
 *      - an entity added on both sides with different content (one
 *        conflict per differing field; the base value is NULL).
 *    Field names and values are those of diffs (townorg/diff.h).
 *    The change events of both sides are carried over by ancestry: the
 *    merge version has both heads as parents, so a diff from the base (or
 *    from either head) to it lists the events of both sides.
 *  - patch: a diff applied to a transaction, refused when the target no
 *    longer has the diff's "before" values.
 *
 * Structural integrity: a field-level merge can produce a state that
 * breaks a structural rule (e.g. one side adds an organ under a township
 * the other side removed: a dangling parent).  That is not a conflict: it
 * is the TOWNORG_EINTEGRITY error of townorg_merge_result_preview and
 * townorg_merge_result_commit (the message names the entity), as for any
 * transaction.  Resolve it in the result's transaction
 * (townorg_merge_result_txn) before committing.
 */
#ifndef TOWNORG_MERGE_H
#define TOWNORG_MERGE_H

#include "common.h"
#include "entity.h"
#include "version.h"
#include "repository.h"
#include "transaction.h"
#include "diff.h"

TOWNORG_BEGIN_DECLS

/**
 * The merge base of a and b: a common ancestor that is not an ancestor of
 * another common ancestor.  When several such "best" ancestors exist (criss-
 * cross merges), the one added to its repository last is chosen (the
 * highest position in the repository; between detached versions, the
 * smallest version id), so the choice is deterministic.  *out is NULL (and
 * 0 is returned) when the two share no ancestor, or when a or b is NULL:
 * the base is then the empty state.
 */
TOWNORG_EXTERN(int) townorg_merge_base(const townorg_version **out, const townorg_version *a,
	const townorg_version *b);

/** How a merge came out. */
typedef enum {
	TOWNORG_MERGE_UP_TO_DATE = 1,   /**< theirs is an ancestor of ours (or the same): nothing to do */
	TOWNORG_MERGE_FAST_FORWARD = 2, /**< ours is an ancestor of theirs (or empty): move to theirs */
	TOWNORG_MERGE_CLEAN = 3,        /**< three-way merge without conflicts: a transaction is ready */
	TOWNORG_MERGE_CONFLICTS = 4     /**< three-way merge with conflicts: nothing can be committed */
} townorg_merge_status;

/** What happened to the entity on one side, relative to the base. */
typedef enum {
	TOWNORG_MERGE_SIDE_UNCHANGED = 0,
	TOWNORG_MERGE_SIDE_ADDED = TOWNORG_DELTA_ADDED,
	TOWNORG_MERGE_SIDE_REMOVED = TOWNORG_DELTA_REMOVED,
	TOWNORG_MERGE_SIDE_CHANGED = TOWNORG_DELTA_CHANGED
} townorg_merge_side;

/** One conflict: an entity's field and its three values as text (as in
 *  diffs; NULL where unset, absent or removed).  Borrowed from the result. */
typedef struct {
	const char *id;             /**< the entity */
	townorg_kind kind;          /**< its kind (ours, else theirs, else base) */
	const char *field;          /**< the field name ("admin_quota") */
	townorg_value_type type;
	const char *base_value;     /**< in the merge base */
	const char *ours_value;     /**< in ours */
	const char *theirs_value;   /**< in theirs */
	townorg_merge_side ours;    /**< what ours did to the entity */
	townorg_merge_side theirs;  /**< what theirs did to the entity */
} townorg_merge_conflict;

#define TOWNORG_MERGE_OPTIONS_VERSION 1
/** Merge options (none yet beyond the version; pass NULL for defaults). */
typedef struct {
	unsigned int version; /**< TOWNORG_MERGE_OPTIONS_VERSION */
	unsigned int flags;   /**< reserved: 0 */
} townorg_merge_options;
#define TOWNORG_MERGE_OPTIONS_INIT { TOWNORG_MERGE_OPTIONS_VERSION, 0 }

typedef struct townorg_merge_result townorg_merge_result;

/**
 * Merge `theirs` into `ours` (both versions of `repo`; ours may be NULL for
 * an empty branch).  Fast-forward and up-to-date results build nothing.
 * A clean three-way result holds a transaction on ours with theirs as
 * second parent and the merged state; a result with conflicts lists them
 * and holds no transaction.  opts may be NULL.  Free the result with
 * townorg_merge_result_free (before the repository).  Errors:
 * TOWNORG_EINVALID (bad arguments or options), TOWNORG_ENOMEM, a store's
 * error while loading a version.
 */
TOWNORG_EXTERN(int) townorg_merge(townorg_merge_result **out, townorg_repo *repo, const townorg_version *ours,
	const townorg_version *theirs, const townorg_merge_options *opts);

/** Free a merge result (discarding its transaction).  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_merge_result_free(townorg_merge_result *result);

/** How the merge came out. */
TOWNORG_EXTERN(townorg_merge_status) townorg_merge_result_status(const townorg_merge_result *result);

/** 1 for a fast-forward (ours is an ancestor of theirs), else 0. */
TOWNORG_EXTERN(int) townorg_merge_result_is_fast_forward(const townorg_merge_result *result);

/** The merge base used (NULL: the empty state, or no three-way merge). */
TOWNORG_EXTERN(const townorg_version *) townorg_merge_result_base(const townorg_merge_result *result);

/** The version the target should point at after an up-to-date (ours) or a
 *  fast-forward (theirs) merge; NULL for three-way results. */
TOWNORG_EXTERN(const townorg_version *) townorg_merge_result_target(const townorg_merge_result *result);

/** Number of conflicts, and the i-th (by entity id, then field order), or
 *  NULL past the end. */
TOWNORG_EXTERN(size_t) townorg_merge_result_conflict_count(const townorg_merge_result *result);
TOWNORG_EXTERN(const townorg_merge_conflict *) townorg_merge_result_conflict_at(const townorg_merge_result *result,
	size_t i);

/** Number of entities the merge puts or removes on top of ours (0 unless
 *  the status is TOWNORG_MERGE_CLEAN). */
TOWNORG_EXTERN(size_t) townorg_merge_result_applied(const townorg_merge_result *result);

/** The transaction of a clean three-way merge (borrowed: the caller may
 *  add puts, events or metadata before committing), else NULL. */
TOWNORG_EXTERN(townorg_txn *) townorg_merge_result_txn(townorg_merge_result *result);

/**
 * The merged state as a detached version (borrowed from the result, made
 * anew from the transaction by each call, and valid until the next call,
 * townorg_merge_result_commit or townorg_merge_result_free).  For up-to-date and fast-forward results, the
 * target version.  TOWNORG_ECONFLICT when there are conflicts;
 * TOWNORG_EINTEGRITY when the merged state breaks a structural rule.
 */
TOWNORG_EXTERN(int) townorg_merge_result_preview(const townorg_version **out, townorg_merge_result *result);

/**
 * Commit the result.  meta may be NULL (the metadata already set on the
 * transaction, if any).  branch may be NULL (the merge version is not
 * placed on any branch); otherwise the branch, which must point at ours
 * (or be missing or empty when ours is NULL), is moved — atomically with
 * the commit — else TOWNORG_ECONFLICT.
 *  - clean three-way: the merge version is committed with parents ours,
 *    theirs; *out (may be NULL) is it;
 *  - fast-forward: the branch moves to theirs; *out is theirs;
 *  - up to date: nothing changes; *out is ours;
 *  - conflicts: TOWNORG_ECONFLICT, nothing changes.
 * A structurally invalid merged state gives TOWNORG_EINTEGRITY.  After a
 * successful three-way commit the transaction is spent.
 */
TOWNORG_EXTERN(int) townorg_merge_result_commit(const townorg_version **out, townorg_merge_result *result,
	const townorg_meta *meta, const char *branch);

/* ------------------------------------------------------------ patch */

/** Flags for townorg_patch_options.flags. */
#define TOWNORG_PATCH_EVENTS 1u /**< also record the diff's events in the transaction */

#define TOWNORG_PATCH_OPTIONS_VERSION 1
typedef struct {
	unsigned int version; /**< TOWNORG_PATCH_OPTIONS_VERSION */
	unsigned int flags;   /**< TOWNORG_PATCH_* */
} townorg_patch_options;
#define TOWNORG_PATCH_OPTIONS_INIT { TOWNORG_PATCH_OPTIONS_VERSION, 0 }

/**
 * Apply a diff to a transaction's current state.  Every delta is checked
 * first, and nothing is changed if one fails (TOWNORG_ECONFLICT, the
 * message naming the entity and the field):
 *  - added: the entity must not exist;
 *  - removed: the entity must exist with the diff's old content, unchanged;
 *  - changed: the entity must exist and each changed field listed in the
 *    delta must still have the delta's "before" value.
 * Then added entities are put, removed ones removed, and for a changed one
 * exactly the delta's fields are set to their "after" values (other fields
 * keep the target's values: a diff filtered by fields patches only those).
 * opts may be NULL.  Should a put fail after the checks passed (out of
 * memory, a value the builder refuses), the changes already made are
 * undone where possible.
 */
TOWNORG_EXTERN(int) townorg_patch_apply(townorg_txn *txn, const townorg_diff *diff,
	const townorg_patch_options *opts);

TOWNORG_END_DECLS

#endif /* TOWNORG_MERGE_H */

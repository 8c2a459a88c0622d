/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/history.h — where an entity's values came from: blame, history,
 * lineage, and what changed on a branch between two dates.
 *
 *  - blame: for each field of an entity at a version, the version (with its
 *    document, date and author) that last set the current value, walking
 *    first parents (the line the branch followed);
 *  - history: the versions on that line that changed the entity, newest
 *    first, each with the fields it changed and the events naming the id;
 *  - lineage: the entity's predecessors and successors, transitively,
 *    across merge, split, reorganize, rename, reclassify, move and the
 *    other change events recorded in the history of a version — also for
 *    an id that is no longer present there;
 *  - between dates: the diff of the versions in effect on two dates.
 *
 * Results borrow the versions they were made from: free them before the
 * repository.  Everything a result returns is borrowed from it.
 */
#ifndef TOWNORG_HISTORY_H
#define TOWNORG_HISTORY_H

#include "common.h"
#include "entity.h"
#include "version.h"
#include "repository.h"
#include "diff.h"

TOWNORG_BEGIN_DECLS

/* ------------------------------------------------------------ blame */

typedef struct townorg_blame townorg_blame;

/** One field of a blamed entity. */
typedef struct {
	const char *field;               /**< field name, as in diffs ("admin_quota") */
	townorg_value_type type;
	const char *value;               /**< the current value as text */
	const townorg_version *version;  /**< the version that set this value */
	const char *doc_number;          /**< that version's document number, or NULL */
	const char *effective_date;      /**< that version's effective date, or NULL */
	const char *author;              /**< that version's author, or NULL */
} townorg_blame_entry;

/**
 * Blame every field set on entity `id` at version `at`.  Walks first
 * parents back from `at` until each field's value differs in the parent
 * (or the entity is absent there: it was created then).  Costs O(V log n)
 * for V versions walked, and stops as soon as every field is explained.
 * TOWNORG_ENOTFOUND if the entity is not in `at`.  Free with
 * townorg_blame_free.
 */
TOWNORG_EXTERN(int) townorg_blame_entity(townorg_blame **out, const townorg_version *at, const char *id);

/** Free a blame.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_blame_free(townorg_blame *blame);

/** The entity blamed (borrowed). */
TOWNORG_EXTERN(const townorg_entity *) townorg_blame_entity_value(const townorg_blame *blame);

/** The oldest version of the unbroken run in which the entity exists on
 *  the first-parent line (where it was created, or the root). */
TOWNORG_EXTERN(const townorg_version *) townorg_blame_created(const townorg_blame *blame);

/** Number of fields and the i-th (in field order), or NULL past the end. */
TOWNORG_EXTERN(size_t) townorg_blame_count(const townorg_blame *blame);
TOWNORG_EXTERN(const townorg_blame_entry *) townorg_blame_at(const townorg_blame *blame, size_t i);

/** The entry of a field by name, or NULL when that field is not set. */
TOWNORG_EXTERN(const townorg_blame_entry *) townorg_blame_field(const townorg_blame *blame, const char *field);

/**
 * Render as JSON: {"id", "at", "created": VERSION, "fields": {"FIELD":
 * {"value", "version", "doc_number", "effective_date", "author", "event"}}}.
 * "event" is the first event of that version naming the entity — {"kind",
 * "event_id", "documents", "date", "wording"}, e.g. the MCA row with its
 * approving document and year — or null.
 * *out is owned: free with townorg_free.
 */
TOWNORG_EXTERN(int) townorg_blame_to_json(char **out, const townorg_blame *blame);

/* ------------------------------------------------------------ history */

typedef struct townorg_history townorg_history;

/** One version that changed the entity. */
typedef struct {
	const townorg_version *version;
	townorg_delta_status status;       /**< ADDED: created (or re-created) here; REMOVED: gone here */
	const townorg_entity *old_entity;  /**< in the first parent, or NULL */
	const townorg_entity *new_entity;  /**< in this version, or NULL */
	size_t field_count;                /**< fields changed (all set fields when ADDED) */
	const townorg_diff_field *fields;
	size_t event_count;                /**< event records of this version naming the id */
	const townorg_event *const *events;
} townorg_history_entry;

/**
 * The versions on the first-parent line of `at` that changed entity `id`,
 * newest first.  The id need not exist at `at` (its history then ends with
 * its removal).  An id never seen gives an empty history, not an error.
 * Free with townorg_history_free.
 */
TOWNORG_EXTERN(int) townorg_history_entity(townorg_history **out, const townorg_version *at, const char *id);
TOWNORG_EXTERN(void) townorg_history_free(townorg_history *history);
TOWNORG_EXTERN(size_t) townorg_history_count(const townorg_history *history);
TOWNORG_EXTERN(const townorg_history_entry *) townorg_history_at(const townorg_history *history, size_t i);

/* ------------------------------------------------------------ lineage */

typedef struct townorg_lineage townorg_lineage;

/** An entity in a lineage graph. */
typedef struct {
	const char *id;
	const char *name;       /**< last known name ("" if never seen in a version) */
	townorg_kind kind;      /**< last known kind (TOWNORG_KIND_INVALID if never seen) */
	int present;            /**< 1 if the entity exists at the version asked about */
	int is_root;            /**< 1 for the entity the lineage was asked for */
} townorg_lineage_node;

/** A step: one event record linking two entities. */
typedef struct {
	const char *from_id;            /**< predecessor; NULL for a creation */
	const char *to_id;              /**< successor; NULL for an abolition; equal to
					     from_id when one entity is renamed, reclassified
					     or moved (a move's "to" naming the new parent is
					     read as such) */
	const townorg_version *version; /**< the version recording the event */
	const townorg_event *event;     /**< kind, event id, documents, date, wording */
} townorg_lineage_edge;

/** Flags for townorg_lineage_of (0 means PREDECESSORS | SUCCESSORS). */
#define TOWNORG_LINEAGE_PREDECESSORS 1u /**< what the entity came from, transitively */
#define TOWNORG_LINEAGE_SUCCESSORS 2u   /**< what it became, transitively */
#define TOWNORG_LINEAGE_FAMILY 4u       /**< the whole connected family (co-merged siblings too) */

/**
 * The lineage of entity `id` as recorded by the events of `at` and all its
 * ancestors.  Nodes are sorted by id; edges are in history order (oldest
 * version first, record order within a version).  An id that no event
 * names gives a single node.  Free with townorg_lineage_free.
 */
TOWNORG_EXTERN(int) townorg_lineage_of(townorg_lineage **out, const townorg_version *at, const char *id,
	unsigned int flags);
TOWNORG_EXTERN(void) townorg_lineage_free(townorg_lineage *lineage);
TOWNORG_EXTERN(size_t) townorg_lineage_node_count(const townorg_lineage *lineage);
TOWNORG_EXTERN(const townorg_lineage_node *) townorg_lineage_node_at(const townorg_lineage *lineage, size_t i);
TOWNORG_EXTERN(size_t) townorg_lineage_edge_count(const townorg_lineage *lineage);
TOWNORG_EXTERN(const townorg_lineage_edge *) townorg_lineage_edge_at(const townorg_lineage *lineage, size_t i);

/**
 * Render as JSON: {"id", "at", "nodes": [{"id", "name", "kind", "present"}],
 * "edges": [{"from", "to", "kind", "event_id", "version", "effective_date",
 * "doc_number", "documents", "date", "wording"}]}.  Owned: townorg_free.
 */
TOWNORG_EXTERN(int) townorg_lineage_to_json(char **out, const townorg_lineage *lineage);

/**
 * Render as a Graphviz DOT digraph (a family tree: one box per entity,
 * one arrow per step, labelled with the event kind and document).
 * Owned: townorg_free.
 */
TOWNORG_EXTERN(int) townorg_lineage_to_dot(char **out, const townorg_lineage *lineage);

/**
 * townorg_lineage_to_dot in a language: with TOWNORG_LANG_ZH the arrows'
 * event kinds are Chinese (撤并, 更名, 改设, …).  Each arrow shows the
 * event's own date when it has one (of day, month or year precision), else
 * the recording version's effective date.  Owned: townorg_free.
 */
TOWNORG_EXTERN(int) townorg_lineage_to_dot_lang(char **out, const townorg_lineage *lineage, townorg_lang lang);

/** Render as human text, one step a line.  Owned: townorg_free. */
TOWNORG_EXTERN(int) townorg_lineage_to_text(char **out, const townorg_lineage *lineage, townorg_lang lang);

/* ------------------------------------------------------------ between dates */

/**
 * What changed on `branch` between two dates (YYYY-MM-DD): the diff of the
 * versions in effect on `from_date` and on `to_date` (townorg_repo_asof),
 * with the events between.  Where nothing was in effect yet on a date that
 * side is the empty state.  TOWNORG_ENOTFOUND if the branch does not exist,
 * TOWNORG_EINVALID for a bad date.  Free with townorg_diff_free.
 */
TOWNORG_EXTERN(int) townorg_diff_dates(townorg_diff **out, const townorg_repo *repo, const char *branch,
	const char *from_date, const char *to_date, const townorg_diff_options *opts);

TOWNORG_END_DECLS

#endif /* TOWNORG_HISTORY_H */

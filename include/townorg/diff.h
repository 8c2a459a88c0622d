/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/diff.h — what changed between two versions.
 *
 * A diff compares any two versions (ancestor or not, of one repository or
 * of two, built in memory or loaded from a file) and holds:
 *  - deltas: the entities added, removed and changed, sorted by id, each
 *    with its changed fields and their old and new values;
 *  - the change events recorded between the two versions, when one is an
 *    ancestor of the other;
 *  - aggregates for the whole diff, per county and per township-level unit
 *    it touches: entity counts by kind, organ counts, quota totals by type
 *    and headcount, before and after, with the reduction rate 精简率 =
 *    (before − after) / before.
 *
 * Cost: O(k log n) for k changed entities among n — the entity structures
 * carry a hash in every node and equal subtrees are skipped unread, also
 * when the two versions share no memory.  The aggregates cost what the
 * counties and townships the diff touches hold, never the whole graph.
 *
 * A diff borrows its two versions (and their events): free it before the
 * versions' repository.  Everything a diff returns is borrowed from it and
 * lives until townorg_diff_free.  A finished diff may be read from many
 * threads at once.  Modelled on libgit2's git_diff.
 *
 * Field names (the CSV tables' column names where the tables have the
 * field, documented names for the rest):
 *   parent_id, name, kind, class, population, area_km2, revenue_per_capita,
 *   admin_quota, inst_quota, leader_posts, actual_staff, chief_posts,
 *   deputy_posts, <type>_quota (other quota types, e.g. "police_quota"),
 *   and every text or list attribute by its own name: nameplates,
 *   functions, funding, nature, rank, regime, supervisor, colocated_with, …
 */
#ifndef TOWNORG_DIFF_H
#define TOWNORG_DIFF_H

#include "common.h"
#include "entity.h"
#include "version.h"

TOWNORG_BEGIN_DECLS

typedef struct townorg_diff townorg_diff;

/** What happened to an entity. */
typedef enum {
	TOWNORG_DELTA_ADDED = 1,   /**< only in the "to" version */
	TOWNORG_DELTA_REMOVED = 2, /**< only in the "from" version */
	TOWNORG_DELTA_CHANGED = 3  /**< in both, with different content */
} townorg_delta_status;

/** The type of a field's value, which decides how it renders. */
typedef enum {
	TOWNORG_VALUE_TEXT = 0, /**< a string (name, kind, class, parent_id, text attributes) */
	TOWNORG_VALUE_INT,      /**< an integer (counts, quotas, posts, population, revenue) */
	TOWNORG_VALUE_AREA,     /**< tenths of km², rendered "146.7" */
	TOWNORG_VALUE_LIST      /**< a list attribute, rendered "a; b; c" */
} townorg_value_type;

/** One changed field of a delta.  Values are text (integers in decimal,
 *  areas like "146.7", lists joined with "; "); NULL where the field is
 *  unset on that side. */
typedef struct {
	const char *name;
	townorg_value_type type;
	const char *old_value;
	const char *new_value;
} townorg_diff_field;

/** One entity's change (borrowed from the diff). */
typedef struct {
	townorg_delta_status status;
	const char *id;
	townorg_kind kind;                 /**< the new kind, or the old one when removed */
	const townorg_entity *old_entity;  /**< NULL when added */
	const townorg_entity *new_entity;  /**< NULL when removed */
	size_t field_count;                /**< changed fields (0 for added/removed) */
	const townorg_diff_field *fields;  /**< in field order: parent_id, name, kind, class, the CSV columns, the rest */
} townorg_diff_delta;

/** Set of kinds for townorg_diff_options.kinds. */
#define TOWNORG_KIND_BIT(kind) (1u << (unsigned)(kind))

/** Flags for townorg_diff_options.flags. */
#define TOWNORG_DIFF_SKIP_EVENTS 1u /**< do not collect events */
#define TOWNORG_DIFF_SKIP_TOTALS 2u /**< do not compute aggregates */

#define TOWNORG_DIFF_OPTIONS_VERSION 1
/**
 * Filters and switches.  Zero / NULL members filter nothing.
 *  - under: keep only the entity with this id and everything below it, in
 *    either version (an organ moved out of the subtree is kept: it was
 *    below it before);
 *  - kinds: keep only entities whose kind (old or new) is in the set, e.g.
 *    TOWNORG_KIND_BIT(TOWNORG_KIND_OFFICE) | TOWNORG_KIND_BIT(TOWNORG_KIND_CENTER);
 *  - fields: keep only these fields in changed deltas, and only the changed
 *    deltas that change one of them (added and removed deltas stay).
 * Events are kept when they name an entity that passes the filters.
 * Aggregates are computed for the units the kept deltas touch; with
 * `under` set, the whole-diff totals are those of the `under` subtree.
 */
typedef struct {
	unsigned int version; /**< TOWNORG_DIFF_OPTIONS_VERSION */
	const char *under;
	uint32_t kinds;
	const char *const *fields;
	size_t field_count;
	unsigned int flags;   /**< TOWNORG_DIFF_SKIP_* */
} townorg_diff_options;
#define TOWNORG_DIFF_OPTIONS_INIT { TOWNORG_DIFF_OPTIONS_VERSION, NULL, 0, NULL, 0, 0 }

/**
 * Diff two versions.  `from` may be NULL for the empty state (everything
 * in `to` is added); `to` likewise.  opts may be NULL.  On success *out is
 * owned by the caller: free it with townorg_diff_free.  Errors:
 * TOWNORG_EINVALID (bad options, unknown field name), TOWNORG_ENOMEM, or a
 * store's error while loading a version.
 */
TOWNORG_EXTERN(int) townorg_diff_versions(townorg_diff **out, const townorg_version *from, const townorg_version *to,
	const townorg_diff_options *opts);

/** Free a diff.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_diff_free(townorg_diff *diff);

/** The two versions compared (borrowed; NULL for the empty state). */
TOWNORG_EXTERN(const townorg_version *) townorg_diff_from(const townorg_diff *diff);
TOWNORG_EXTERN(const townorg_version *) townorg_diff_to(const townorg_diff *diff);

/** Number of deltas, and the i-th (sorted by id), or NULL past the end. */
TOWNORG_EXTERN(size_t) townorg_diff_num_deltas(const townorg_diff *diff);
TOWNORG_EXTERN(const townorg_diff_delta *) townorg_diff_delta_at(const townorg_diff *diff, size_t i);

/** Number of deltas with a given status. */
TOWNORG_EXTERN(size_t) townorg_diff_num_deltas_of_status(const townorg_diff *diff, townorg_delta_status status);

/** Look a delta up by entity id (binary search), or NULL. */
TOWNORG_EXTERN(const townorg_diff_delta *) townorg_diff_delta_by_id(const townorg_diff *diff, const char *id);

/** Callback for townorg_diff_foreach: return non-zero to stop. */
typedef int (*townorg_diff_delta_cb)(const townorg_diff_delta *delta, void *payload);

/** Call cb for each delta in id order.  Returns 0, or the callback's first
 *  non-zero result (which stops the walk). */
TOWNORG_EXTERN(int) townorg_diff_foreach(const townorg_diff *diff, townorg_diff_delta_cb cb, void *payload);

/** How the two versions are related. */
typedef enum {
	TOWNORG_DIFF_SAME = 0,      /**< the same version (or both empty) */
	TOWNORG_DIFF_FORWARD,       /**< from is an ancestor of to: events lead from → to */
	TOWNORG_DIFF_BACKWARD,      /**< to is an ancestor of from: the diff undoes the events */
	TOWNORG_DIFF_UNRELATED      /**< neither: no events are listed */
} townorg_diff_relation;

TOWNORG_EXTERN(townorg_diff_relation) townorg_diff_get_relation(const townorg_diff *diff);

/** One event record between the versions, with the version recording it. */
typedef struct {
	const townorg_version *version;
	const townorg_event *event;
} townorg_diff_event;

/**
 * Events recorded by the versions that are ancestors of the later version
 * and not of the earlier one (git's "from..to"), oldest version first and
 * in record order within a version.  Empty for unrelated versions.
 */
TOWNORG_EXTERN(size_t) townorg_diff_num_events(const townorg_diff *diff);
TOWNORG_EXTERN(const townorg_diff_event *) townorg_diff_event_at(const townorg_diff *diff, size_t i);

/**
 * A reduction: before, after, and the rate (before − after) / before, both
 * as an exact fraction and as a double.  When before is 0 the rate is not
 * available (available = 0, value 0).  A negative rate is a growth.
 */
typedef struct {
	int64_t before;
	int64_t after;
	int available;
	int64_t numerator;   /**< before − after */
	int64_t denominator; /**< before */
	double value;        /**< numerator / denominator, e.g. 10/17 = 0.588 */
} townorg_reduction;

/** A quota type's totals. */
typedef struct {
	const char *type;    /**< "admin", "inst", … */
	townorg_reduction quota;
} townorg_diff_quota;

/**
 * Aggregates of one unit (a county or a township-level unit), or of the
 * whole diff (id NULL).  Counted over the entities below the unit in the
 * "from" version (before) and the "to" version (after); a unit absent on a
 * side counts zero there.  Organs are every organ kind (office, center,
 * station, team, listed, dispatched) — with a kinds filter
 * (townorg_diff_options.kinds), the organs of those kinds only, so that the
 * organ and quota totals respect it.  Quotas are the organs' own quotas
 * (a county's or township's pool is not summed in).
 */
typedef struct {
	const char *id;          /**< NULL for the whole diff */
	townorg_kind kind;
	const char *name;        /**< the newer name ("" for the whole diff) */
	const char *parent_id;   /**< the newer parent id, or NULL */
	size_t kind_before[TOWNORG_KIND_COUNT + 1]; /**< indexed by townorg_kind */
	size_t kind_after[TOWNORG_KIND_COUNT + 1];
	townorg_reduction organs;
	townorg_reduction quota;  /**< all quota types summed */
	townorg_reduction staff;  /**< actual_staff of the organs */
	size_t quota_type_count;
	const townorg_diff_quota *quotas; /**< per type, types in byte order */
} townorg_diff_totals;

/** The whole diff's aggregates (NULL when skipped). */
TOWNORG_EXTERN(const townorg_diff_totals *) townorg_diff_totals_all(const townorg_diff *diff);

/** Which units to list in townorg_diff_totals_count / _at. */
typedef enum {
	TOWNORG_UNIT_COUNTY = 1,  /**< counties */
	TOWNORG_UNIT_TOWNSHIP = 2 /**< township-level units */
} townorg_unit_level;

/** Number of units of a level the diff touches, and the i-th (sorted by id). */
TOWNORG_EXTERN(size_t) townorg_diff_totals_count(const townorg_diff *diff, townorg_unit_level level);
TOWNORG_EXTERN(const townorg_diff_totals *) townorg_diff_totals_at(const townorg_diff *diff, townorg_unit_level level,
	size_t i);

/** The aggregates of one unit by id, or NULL if the diff does not touch it. */
TOWNORG_EXTERN(const townorg_diff_totals *) townorg_diff_totals_by_id(const townorg_diff *diff, const char *id);

/**
 * Format a reduction rate as a percentage with one decimal, rounded half
 * away from zero from the exact fraction: 10/17 gives "58.8".  Not
 * available gives "n/a".  buf must hold at least 32 bytes.
 */
TOWNORG_EXTERN(int) townorg_reduction_format(char *buf, size_t size, const townorg_reduction *r);

/** Flags for townorg_diff_to_json. */
#define TOWNORG_JSON_PRETTY 1u /**< indent (two spaces) instead of one line */

/**
 * Render a diff as JSON (the shape is documented in docs/format.md, "Diff
 * JSON"): {"from", "to", "relation", "added", "removed", "changed",
 * "events", "totals"}.  *out is a NUL-terminated UTF-8 string owned by the
 * caller: free it with townorg_free.
 */
TOWNORG_EXTERN(int) townorg_diff_to_json(char **out, const townorg_diff *diff, unsigned int flags);

/* townorg_lang (the language of human-readable text) is in townorg/common.h. */

/**
 * Render a diff as human-readable text: a summary line ("新增 2，撤销 5，
 * 变更 61" / "added 2, removed 5, changed 61"), one line per delta, the
 * events, and a reduction line per township, per county and for the whole
 * ("碧阳镇: 机构 17 → 7, 精简 58.8%").  *out is owned: free it with
 * townorg_free.
 */
TOWNORG_EXTERN(int) townorg_diff_to_text(char **out, const townorg_diff *diff, townorg_lang lang);

TOWNORG_END_DECLS

#endif /* TOWNORG_DIFF_H */

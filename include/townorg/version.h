/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/version.h — versions: immutable snapshots of the whole graph.
 *
 * A version holds every entity of one state, its metadata (effective date,
 * recorded time, author, authorising document, message), its parents (the
 * first parent is the line its branch followed) and the change events that
 * explain it.  Two hashes identify it, as git's tree and commit do:
 *  - the state hash: the root hash of its entity structure — equal states
 *    have equal state hashes however and wherever they were built;
 *  - the version id: a hash of the state hash, parents, metadata and events.
 *
 * Versions are owned by their repository and stay valid until it is freed;
 * all getters here return borrowed data.  Any number of threads may read one
 * version at once without locks of their own.
 */
#ifndef TOWNORG_VERSION_H
#define TOWNORG_VERSION_H

#include "common.h"
#include "entity.h"

TOWNORG_BEGIN_DECLS

typedef struct townorg_version townorg_version;

/** Change event kinds; townorg_event_kind_token() gives the exact tokens. */
typedef enum {
	TOWNORG_EVENT_INVALID = 0,
	TOWNORG_EVENT_CREATE,             /**< "create"             新设 */
	TOWNORG_EVENT_ABOLISH,            /**< "abolish"            撤销 */
	TOWNORG_EVENT_MERGE,              /**< "merge"              撤并 (N→1) */
	TOWNORG_EVENT_SPLIT,              /**< "split"              拆分 (1→N) */
	TOWNORG_EVENT_REORGANIZE,         /**< "reorganize"         整合 (N→M) */
	TOWNORG_EVENT_RENAME,             /**< "rename"             名称变更 */
	TOWNORG_EVENT_RECLASSIFY,         /**< "reclassify"         撤乡设镇, 撤镇设街道 */
	TOWNORG_EVENT_MOVE,               /**< "move"               隶属关系变更 */
	TOWNORG_EVENT_TRANSFER_FUNCTIONS, /**< "transfer_functions" 职能划转 */
	TOWNORG_EVENT_TRANSFER_STAFF,     /**< "transfer_staff"     人员分流 */
	TOWNORG_EVENT_TRANSFER_ARCHIVES   /**< "transfer_archives"  档案移交 */
} townorg_event_kind;

/** The token of an event kind, or NULL. */
TOWNORG_EXTERN(const char *) townorg_event_kind_token(townorg_event_kind kind);
/** Parse an event kind token. */
TOWNORG_EXTERN(int) townorg_event_kind_parse(townorg_event_kind *out, const char *token);

#define TOWNORG_EVENT_STRUCT_VERSION 1
/**
 * One change event record.  Records with the same event_id form one change
 * (e.g. a township merge recorded as a merge plus the moves of its organs).
 * Given to townorg_txn_add_event (copied) and returned by
 * townorg_version_event (borrowed).
 */
typedef struct {
	unsigned int version;           /**< TOWNORG_EVENT_STRUCT_VERSION */
	townorg_event_kind kind;
	const char *event_id;           /**< groups records; NULL: one is made up ("e1", "e2", ...) */
	const char *const *from_ids;    /**< predecessors */
	size_t from_count;
	const char *const *to_ids;      /**< successors */
	size_t to_count;
	const char *const *documents;   /**< the change's own document numbers, if any */
	size_t document_count;
	const char *date;               /**< when the change took effect: YYYY-MM-DD, or of month (YYYY-MM) or year
	                                     (YYYY) precision when the source gives no day; NULL: unknown */
	const char *wording;            /**< the source's original wording, or NULL */
} townorg_event;
#define TOWNORG_EVENT_INIT { TOWNORG_EVENT_STRUCT_VERSION, TOWNORG_EVENT_INVALID, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, NULL }

#define TOWNORG_META_VERSION 1
/** Version metadata.  Dates are ISO YYYY-MM-DD; recorded_at is an ISO 8601
 *  UTC timestamp (YYYY-MM-DDTHH:MM:SSZ). */
typedef struct {
	unsigned int version;         /**< TOWNORG_META_VERSION */
	const char *effective_date;   /**< valid time; NULL at commit: the first parent's, or today */
	const char *recorded_at;      /**< transaction time; NULL at commit: now (or SOURCE_DATE_EPOCH) */
	const char *author;
	const char *doc_issuer;       /**< authorising document: issuer, e.g. 涞水县委机构编制委员会 */
	const char *doc_number;       /**< e.g. 涞办字〔2020〕10号 */
	const char *doc_date;         /**< YYYY-MM-DD */
	const char *doc_title;
	const char *message;
} townorg_meta;
#define TOWNORG_META_INIT { TOWNORG_META_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** Version id: 64 lowercase hex digits (borrowed). */
TOWNORG_EXTERN(const char *) townorg_version_id(const townorg_version *v);
/** State hash: 64 lowercase hex digits (borrowed). */
TOWNORG_EXTERN(const char *) townorg_version_state_hash(const townorg_version *v);
/** Metadata (borrowed; unset members are NULL). */
TOWNORG_EXTERN(const townorg_meta *) townorg_version_meta(const townorg_version *v);
/** Number of parents (0 for a root version) and the i-th parent. */
TOWNORG_EXTERN(size_t) townorg_version_parent_count(const townorg_version *v);
TOWNORG_EXTERN(const townorg_version *) townorg_version_parent(const townorg_version *v, size_t i);
/**
 * Number of change event records, and the i-th record (borrowed: valid as
 * long as the version).  A version keeps its events encoded; the first
 * call of townorg_version_event makes the records of all of them (about
 * 110 bytes an event) and keeps them with the version.  NULL if i is out
 * of range, or if that memory could not be had (TOWNORG_ENOMEM is then the
 * last error; a later call tries again).
 */
TOWNORG_EXTERN(size_t) townorg_version_event_count(const townorg_version *v);
TOWNORG_EXTERN(const townorg_event *) townorg_version_event(const townorg_version *v, size_t i);

/** Number of entities in the version. */
TOWNORG_EXTERN(size_t) townorg_version_entity_count(const townorg_version *v);
/** Number of entities of one kind. */
TOWNORG_EXTERN(size_t) townorg_version_kind_count(const townorg_version *v, townorg_kind kind);

/** Look an entity up by id.  *out is borrowed.  TOWNORG_ENOTFOUND (with a
 *  message naming the id) when the version has no such entity. */
TOWNORG_EXTERN(int) townorg_version_get(const townorg_entity **out, const townorg_version *v, const char *id);

/**
 * The children of an entity (parent_id NULL: the top-level entities), sorted
 * by id.  *out is a borrowed array of *count entities, valid as long as the
 * version.  A parent that does not exist has no children (count 0).
 * Costs O(k log n) for k children: the index of who the children are is
 * maintained with each commit, and their values are looked up.  Where
 * some child's value changed since the index last changed, the array is
 * made on the first call and kept with the version (later calls return
 * it): memory in proportion to the children asked for.
 */
TOWNORG_EXTERN(int) townorg_version_children(const townorg_entity *const **out, size_t *count,
	const townorg_version *v, const char *parent_id);

/**
 * Sum of quotas of the given type (NULL: all types) over the organs at or
 * below an entity: an organ's own quota; for a township-level unit its
 * organs; for a county all organs of its township-level units, and so on.
 */
TOWNORG_EXTERN(int) townorg_version_quota_total(int64_t *out, const townorg_version *v, const char *id,
	const char *quota_type);

/**
 * Free quota before a hire (不得超编进人): for an organ, its quota minus its
 * actual staff; for a unit with its own quota (a pool: a county's or a
 * township's quota columns), the pool minus what its organs are allocated.
 * quota_type NULL sums all types.  TOWNORG_ENOTFOUND if the entity does not
 * exist; TOWNORG_EINVALID if it has no quota of that type (an organ with no
 * quota, such as a dispatched agency, has no headroom to speak of).
 */
TOWNORG_EXTERN(int) townorg_version_headroom(int64_t *out, const townorg_version *v, const char *id,
	const char *quota_type);

/** Iterator over every entity of a version, in the order of the version's
 *  structure (stable for a given state).  Borrowed entities. */
typedef struct townorg_iterator townorg_iterator;
TOWNORG_EXTERN(int) townorg_iterator_new(townorg_iterator **out, const townorg_version *v);
/** Next entity, or TOWNORG_ITEROVER at the end. */
TOWNORG_EXTERN(int) townorg_iterator_next(const townorg_entity **out, townorg_iterator *it);
TOWNORG_EXTERN(void) townorg_iterator_free(townorg_iterator *it);

/** Free a detached version (one made by townorg_txn_preview).  Versions
 *  owned by a repository are ignored.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_version_free(townorg_version *v);

/** Parse an ISO date YYYY-MM-DD (a real calendar date, years 1000–9999). */
TOWNORG_EXTERN(int) townorg_date_check(const char *date);

/** The precision of an event's date. */
typedef enum {
	TOWNORG_DATE_NONE = 0,  /**< no date, or not a date */
	TOWNORG_DATE_YEAR,      /**< "YYYY" */
	TOWNORG_DATE_MONTH,     /**< "YYYY-MM" */
	TOWNORG_DATE_DAY        /**< "YYYY-MM-DD" */
} townorg_date_precision;

/** Check an event's date: a full date YYYY-MM-DD (as townorg_date_check),
 *  or one of month (YYYY-MM) or year (YYYY) precision, years 1000–9999.
 *  0, or TOWNORG_EINVALID with a message. */
TOWNORG_EXTERN(int) townorg_event_date_check(const char *date);

/** The precision of an event's date (TOWNORG_DATE_NONE for NULL or a
 *  string that is not one). */
TOWNORG_EXTERN(townorg_date_precision) townorg_event_date_precision(const char *date);

TOWNORG_END_DECLS

#endif /* TOWNORG_VERSION_H */

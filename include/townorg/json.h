/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/json.h — the JSON interchange format ("format": "townorg/1").
 *
 * Two kinds of document (specified in docs/format.md):
 *  - a repository document: every version with its metadata, parents,
 *    events and content (a root version lists its entities, any other
 *    version its changes relative to its first parent), and the branches and
 *    tags.  Importing it reproduces exactly the same state hashes and version
 *    ids, and checks that it did: a version whose recomputed id or state
 *    hash differs from the one the document records is refused, as a file
 *    that was altered;
 *  - a snapshot document: the entities of one version.  Importing it makes
 *    one new version on a branch, with the caller's metadata.
 *
 * Plus the JSON object of one entity (townorg_entity_to_json/_from_json),
 * the same object the documents hold.
 *
 * Output is byte-stable: the same repository or version always gives the
 * same bytes (keys in a documented order, entities sorted by id, UTF-8
 * written as is).  Areas are written as decimal literals with exactly one
 * decimal place, produced from the fixed-point value, and read back exactly.
 *
 * Imports are all or nothing: on any error nothing in the repository has
 * changed (no version added, no branch or tag created or moved), and the
 * thread's error message names the source (file name, or the options'
 * source_name) and the place: line and column for malformed JSON, the path
 * of the offending value (e.g. versions[3].changes.put[7].kind) otherwise.
 * Error codes: TOWNORG_EPARSE malformed JSON; TOWNORG_EENCODING invalid
 * UTF-8; TOWNORG_EINVALID a value of the wrong type, unknown member, unknown
 * kind, out-of-range number, wrong "format"; TOWNORG_ENOTFOUND a parent
 * version, branch target or removed entity that does not exist;
 * TOWNORG_EINTEGRITY a structural rule broken (dangling entity parent,
 * duplicate id); TOWNORG_ECORRUPT a recomputed hash differs; TOWNORG_EEXISTS
 * or TOWNORG_ECONFLICT a tag or branch of the target already set otherwise;
 * TOWNORG_EIO the file could not be read or written.
 */
#ifndef TOWNORG_JSON_H
#define TOWNORG_JSON_H

#include "common.h"
#include "entity.h"
#include "version.h"
#include "repository.h"

TOWNORG_BEGIN_DECLS

/** The value of the "format" member this library writes and reads. */
#define TOWNORG_JSON_FORMAT "townorg/1"

/** Flags for townorg_json_options.flags. */
typedef enum {
	/** Write everything on one line, without spaces (default: indented,
	 *  one entity per line). */
	TOWNORG_JSON_COMPACT = 1u << 0
} townorg_json_flag;

/**
 * Progress callback of imports and exports: `done` of `total` versions (or
 * entities, for snapshots) are through.  Return 0 to go on; any other value
 * cancels the operation, which then returns that value (TOWNORG_ERROR if it
 * was positive) and, for an import, leaves the repository unchanged.
 */
typedef int (*townorg_json_progress_cb)(size_t done, size_t total, void *payload);

#define TOWNORG_JSON_OPTIONS_VERSION 1
/** Options of the functions below; NULL means all defaults. */
typedef struct {
	unsigned int version;              /**< TOWNORG_JSON_OPTIONS_VERSION */
	unsigned int flags;                /**< townorg_json_flag bits */
	townorg_json_progress_cb progress; /**< NULL: none */
	void *payload;                     /**< passed to progress */
	/** Name of in-memory input in error messages (default "(string)");
	 *  file functions use the path. */
	const char *source_name;
} townorg_json_options;
#define TOWNORG_JSON_OPTIONS_INIT { TOWNORG_JSON_OPTIONS_VERSION, 0, NULL, NULL, NULL }

/* ------------------------------------------------------------ entities */

/**
 * The JSON object of one entity, on one line without a trailing newline, as
 * a NUL-terminated UTF-8 string in *out, owned by the caller: free it with
 * townorg_free.  Keys in this order, unset ones left out: id, kind, name,
 * parent_id, class, population, area_km2, revenue_per_capita, leader_posts,
 * actual_staff, chief_posts, deputy_posts, quotas (object, types in byte
 * order), attrs (object, names in byte order; text attributes as strings,
 * list attributes as arrays).
 */
TOWNORG_EXTERN(int) townorg_entity_to_json(char **out, const townorg_entity *entity);

/**
 * Parse one entity object (as written by townorg_entity_to_json; members in
 * any order, unknown members refused) from the NUL-terminated UTF-8 text
 * `json`.  On success *out is a new entity owned by the caller (free with
 * townorg_entity_free); on failure *out is NULL and the error says what and
 * where.
 */
TOWNORG_EXTERN(int) townorg_entity_from_json(townorg_entity **out, const char *json);

/**
 * The JSON object of one version, on one line without a trailing newline,
 * as `townorg log --json` and `townorg show --json` print it: id,
 * state_hash, parents (ids), effective_date, recorded_at, author, document
 * {issuer, number, date, title}, message, then — when repo is not NULL —
 * branches and tags (the names whose head is this version), and
 * event_count; absent strings are null.  *out is owned by the caller (free
 * with townorg_free).  Returns 0, TOWNORG_EINVALID (no version or no out),
 * or TOWNORG_ENOMEM; *out is NULL on failure.
 */
TOWNORG_EXTERN(int) townorg_version_to_json(char **out, const townorg_version *version, const townorg_repo *repo);

/**
 * The JSON object of one event, on one line: kind, event_id, from_ids,
 * to_ids, documents (arrays), date, wording.  *out is owned by the caller
 * (free with townorg_free).  Returns 0, TOWNORG_EINVALID or TOWNORG_ENOMEM.
 */
TOWNORG_EXTERN(int) townorg_event_to_json(char **out, const townorg_event *event);

/* ------------------------------------------------------------ export */

/**
 * Write the whole repository — every version in the order they were added
 * (parents before children), every branch and tag — as a repository
 * document.  *out is a NUL-terminated string owned by the caller (free with
 * townorg_free); *len, if len is not NULL, gets its length in bytes.
 */
TOWNORG_EXTERN(int) townorg_json_export_repo(char **out, size_t *len, const townorg_repo *repo,
	const townorg_json_options *opts);

/** As townorg_json_export_repo, to a file (created or truncated).  On
 *  failure the file may be left partly written; TOWNORG_EIO names it. */
TOWNORG_EXTERN(int) townorg_json_export_repo_file(const char *path, const townorg_repo *repo,
	const townorg_json_options *opts);

/**
 * Write one version's entities (sorted by id) as a snapshot document, with
 * the version's id, state hash and effective date for reference.  *out is
 * owned by the caller (free with townorg_free); *len may be NULL.
 */
TOWNORG_EXTERN(int) townorg_json_export_snapshot(char **out, size_t *len, const townorg_version *version,
	const townorg_json_options *opts);

/** As townorg_json_export_snapshot, to a file. */
TOWNORG_EXTERN(int) townorg_json_export_snapshot_file(const char *path, const townorg_version *version,
	const townorg_json_options *opts);

/* ------------------------------------------------------------ import */

/**
 * Import a repository document (`len` bytes of UTF-8 JSON at `data`) into
 * `repo`, all or nothing.  Every version keeps its id; versions already in
 * the repository are recognised by id and reused.  Parents must be versions
 * defined earlier in the document or already in the repository.  A branch
 * of the document that the repository lacks is created; one it has is moved
 * only forward (to a descendant of its head), else TOWNORG_ECONFLICT; a tag
 * it has must name the same version, else TOWNORG_EEXISTS.
 */
TOWNORG_EXTERN(int) townorg_json_import_repo(townorg_repo *repo, const char *data, size_t len,
	const townorg_json_options *opts);

/** As townorg_json_import_repo, reading the file at `path` (messages name it). */
TOWNORG_EXTERN(int) townorg_json_import_repo_file(townorg_repo *repo, const char *path,
	const townorg_json_options *opts);

/**
 * Import a snapshot document as one new version on `branch` (created if it
 * does not exist): the new version's state is exactly the snapshot's
 * entities (whatever the branch head held that the snapshot lacks is
 * removed), its parent is the branch head, and its metadata is `meta`
 * (copied; NULL for none).  When meta has no effective date, the snapshot's
 * "effective_date" is used.  When the snapshot records a state hash, the
 * new state must have it, else TOWNORG_ECORRUPT.  A snapshot whose state
 * equals the branch head's still makes a new version (with the new
 * metadata).  On success *out (may be NULL) is the new version, owned by
 * the repository.
 */
TOWNORG_EXTERN(int) townorg_json_import_snapshot(const townorg_version **out, townorg_repo *repo,
	const char *branch, const townorg_meta *meta, const char *data, size_t len,
	const townorg_json_options *opts);

/** As townorg_json_import_snapshot, reading the file at `path`. */
TOWNORG_EXTERN(int) townorg_json_import_snapshot_file(const townorg_version **out, townorg_repo *repo,
	const char *branch, const townorg_meta *meta, const char *path, const townorg_json_options *opts);

TOWNORG_END_DECLS

#endif /* TOWNORG_JSON_H */

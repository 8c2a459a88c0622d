/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/store.h — repositories kept in a single SQLite file.
 *
 * A repository file holds content-addressed entity objects, versions, and
 * a hash-chained log of every branch and tag move.  Nothing committed is
 * ever rewritten: each commit appends, in one SQLite transaction, so a
 * process killed in the middle of a commit leaves the file at the previous
 * version.  The file layout is described in docs/store.md.
 *
 * Opening a file reads version metadata only; a version's entities are
 * read the first time they are used (and checked against the version's
 * state hash then).  Several processes may read a file while one writes;
 * two writers take turns, and a commit whose branch was moved by another
 * process fails with TOWNORG_ECONFLICT (call townorg_repo_refresh, then
 * retry).  Errors name the file.
 */
#ifndef TOWNORG_STORE_H
#define TOWNORG_STORE_H

#include "common.h"
#include "repository.h"

TOWNORG_BEGIN_DECLS

/** Flags for townorg_repo_open. */
#define TOWNORG_OPEN_CREATE   (1u << 0) /**< create the file when it does not exist */
#define TOWNORG_OPEN_READONLY (1u << 1) /**< never write; commits give TOWNORG_EREADONLY */

/**
 * Open the repository file at `path`.  Without TOWNORG_OPEN_CREATE a
 * missing file is TOWNORG_ENOTFOUND.  A file the caller cannot write is
 * opened read-only even without TOWNORG_OPEN_READONLY.  A file that is not
 * a townorg repository (another program's file, another SQLite schema, a
 * truncated file, a newer format) gives TOWNORG_ECORRUPT with a message
 * naming the path.  Free the result with townorg_repo_free, which closes
 * the file.  Every commit, branch and tag change on the repository is
 * written to the file before the call that makes it returns.
 */
TOWNORG_EXTERN(int) townorg_repo_open(townorg_repo **out, const char *path, unsigned int flags);

/** Create an empty repository file.  TOWNORG_EEXISTS if `path` exists. */
TOWNORG_EXTERN(int) townorg_repo_init(const char *path);

/** The file a repository was opened from (borrowed), or NULL for an
 *  in-memory repository. */
TOWNORG_EXTERN(const char *) townorg_repo_path(const townorg_repo *repo);

/** 1 if the repository cannot be written (opened read-only), else 0. */
TOWNORG_EXTERN(int) townorg_repo_is_readonly(const townorg_repo *repo);

/**
 * Read what other processes committed since the file was opened or last
 * refreshed: new versions (metadata only; entities load lazily) and the
 * current branches and tags.  Versions already held stay valid.
 * *new_versions (may be NULL) is set to the number of versions added.
 * An in-memory repository has nothing to refresh (0).  Not allowed while
 * an import batch is open (TOWNORG_EINVALID).
 */
TOWNORG_EXTERN(int) townorg_repo_refresh(townorg_repo *repo, size_t *new_versions);

/**
 * Progress of a long operation: `done` of `total` steps.  Return 0 to go
 * on, non-zero to cancel (the operation then fails with TOWNORG_ERROR and
 * the message "cancelled").
 */
typedef int (*townorg_verify_progress_cb)(uint64_t done, uint64_t total, void *payload);

/** What a verify problem is about. */
typedef enum {
	TOWNORG_VERIFY_FILE = 1, /**< the file itself (SQLite integrity, format) */
	TOWNORG_VERIFY_OBJECT,   /**< an entity object; `what` is its hash (hex) */
	TOWNORG_VERIFY_VERSION,  /**< a version; `what` is its id (hex) */
	TOWNORG_VERIFY_REFLOG,   /**< a branch/tag log record; `what` is its number */
	TOWNORG_VERIFY_SCHEMA,   /**< a table, column, index or trigger; `what` is its name */
	TOWNORG_VERIFY_UNCHECKED /**< a part that could not be checked (damaged pages); `what` names it */
} townorg_verify_kind;

/** The findings of townorg_repo_verify. */
typedef struct townorg_verify_report townorg_verify_report;

/**
 * Check a repository file from its stored bytes: every entity object's
 * hash is recomputed from its bytes, every version's content is rebuilt
 * and its state hash and id recomputed, and the branch and tag log's hash
 * chain is followed record by record.  Returns 0 when the check ran — the
 * report then lists every object, version or log record that does not
 * match (none when the file is intact) — or a negative code when it could
 * not run (no such file, not a townorg repository, cancelled).  Opens the
 * file read-only.  progress may be NULL.  Free *out with
 * townorg_verify_report_free.
 */
TOWNORG_EXTERN(int) townorg_repo_verify(townorg_verify_report **out, const char *path,
	townorg_verify_progress_cb progress, void *payload);

/** 1 when the report lists no problem, else 0. */
TOWNORG_EXTERN(int) townorg_verify_report_ok(const townorg_verify_report *report);

/** Number of problems found. */
TOWNORG_EXTERN(size_t) townorg_verify_report_problem_count(const townorg_verify_report *report);

/**
 * The i-th problem: what it is about, the object hash, version id or log
 * record number (borrowed), and a message.  Any out-pointer may be NULL.
 * TOWNORG_ENOTFOUND when i is out of range.
 */
TOWNORG_EXTERN(int) townorg_verify_report_problem(const townorg_verify_report *report, size_t i,
	townorg_verify_kind *kind, const char **what, const char **message);

/** How many objects, versions and log records were checked. */
TOWNORG_EXTERN(void) townorg_verify_report_counts(const townorg_verify_report *report, size_t *objects,
	size_t *versions, size_t *log_records);

/** The hash (hex) of the last branch/tag log record: keep it elsewhere to
 *  detect a log rewritten from the start.  Borrowed; "" for an empty log. */
TOWNORG_EXTERN(const char *) townorg_verify_report_log_head(const townorg_verify_report *report);

/** Free a report.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_verify_report_free(townorg_verify_report *report);

TOWNORG_END_DECLS

#endif /* TOWNORG_STORE_H */

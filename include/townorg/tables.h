/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/tables.h — CSV tables: the table set a county staffing office
 * keeps in a spreadsheet (versions.csv, base.csv, changes.csv, events.csv;
 * the format of ../shared/bench, specified in docs/tables.md).
 *
 * Import turns each row of versions.csv into one version on a branch:
 * base.csv is the complete state of the first version, changes.csv the
 * upserts and deletes of every later version against its parent, and
 * events.csv the change events attached to each version.  An import is all
 * or nothing: on any error the repository (versions, branches, tags, and a
 * store's file) is left exactly as it was, and the error message names the
 * file and line ("changes.csv:1234: kind: unknown kind 'twon'").
 *
 * Export writes the same table set for a stretch of a branch's first-parent
 * line.  Importing what was exported gives the same state hashes (and the
 * same version ids when author and recorded time are given the same).
 *
 * Files are UTF-8 (a byte-order mark is skipped).  Files that are not UTF-8
 * but GB18030/GBK — what Excel and WPS write on Chinese Windows — are
 * converted and the conversion is noted in the report; any other encoding
 * is refused with TOWNORG_EENCODING and a message saying what was found.
 */
#ifndef TOWNORG_TABLES_H
#define TOWNORG_TABLES_H

#include "common.h"
#include "version.h"
#include "repository.h"

TOWNORG_BEGIN_DECLS

/**
 * Progress of a long table operation.  `stage` is a short English word
 * ("read", "versions" for import: one call per version committed;
 * "export" for export: one call per version written), `done` of `total`
 * steps are finished.  Return 0 to go on; any other value cancels: the
 * operation undoes everything it did and returns that value if it is
 * negative, TOWNORG_ERROR otherwise, with the message "cancelled".
 */
typedef int (*townorg_tables_progress_cb)(const char *stage, size_t done, size_t total, void *payload);

/** Import flags. */
typedef enum {
	TOWNORG_TABLES_IMPORT_DEFAULT = 0,
	/** Create no tags (tag_prefix is ignored). */
	TOWNORG_TABLES_IMPORT_NO_TAGS = 1u << 0
} townorg_tables_import_flag;

#define TOWNORG_TABLES_IMPORT_OPTIONS_VERSION 1
/** Options of townorg_tables_import.  Initialise with
 *  TOWNORG_TABLES_IMPORT_OPTIONS_INIT; every member may be left as set
 *  there.  Strings are borrowed for the duration of the call. */
typedef struct {
	unsigned int version;      /**< TOWNORG_TABLES_IMPORT_OPTIONS_VERSION */
	unsigned int flags;        /**< townorg_tables_import_flag bits */
	/** Branch to import into; NULL: "main".  Created when missing. */
	const char *branch;
	/** A version name (townorg_repo_lookup syntax) that the first row of
	 *  versions.csv continues from: it becomes that version's parent.
	 *  Required when the branch already has versions, and then it must
	 *  name the branch head; optional for a new or empty branch (a plan
	 *  branching off another line).  NULL: the first version is a root. */
	const char *onto;
	/** Each version is tagged <tag_prefix><label>, label being its
	 *  versions.csv `version` cell.  NULL: "v".  A tag that already exists
	 *  refuses the whole import (TOWNORG_EEXISTS). */
	const char *tag_prefix;
	/** Author written into every version's metadata, or NULL. */
	const char *author;
	/** Recorded time (YYYY-MM-DDTHH:MM:SSZ) of every version; NULL: now
	 *  (or SOURCE_DATE_EPOCH). */
	const char *recorded_at;
	townorg_tables_progress_cb progress; /**< or NULL */
	void *progress_payload;
} townorg_tables_import_options;
#define TOWNORG_TABLES_IMPORT_OPTIONS_INIT \
	{ TOWNORG_TABLES_IMPORT_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** What an import did.  Opaque; read with the accessors below and free
 *  with townorg_tables_report_free. */
typedef struct townorg_tables_report townorg_tables_report;

/**
 * Import the table set in directory `dir` into `repo`.
 *
 * Reads dir/versions.csv, dir/base.csv, dir/changes.csv and dir/events.csv
 * (all four must exist; changes.csv and events.csv may hold only their
 * header).  Each versions.csv row, in file order, becomes one version whose
 * first parent is the previous row's version (the first row's is
 * opts->onto, or none); the rows must form that line (`parent` names the
 * previous row) and effective dates must not go back.  The branch is
 * advanced to the last version and each version is tagged.
 *
 * report_out: if not NULL, receives a report (owned by the caller; free
 * with townorg_tables_report_free) on success; on failure it is set to
 * NULL.  opts may be NULL for the defaults.
 *
 * Errors (the repository is unchanged after every one of them):
 *  TOWNORG_ENOTFOUND  a file is missing, or opts->onto names no version;
 *  TOWNORG_EPARSE     malformed CSV, a missing column, a bad cell (unknown
 *                     kind or op, negative, non-numeric or too large
 *                     number, bad date, unknown version label, rows out of
 *                     order, duplicate id or (version, id));
 *  TOWNORG_EENCODING  a file is neither UTF-8 nor GB18030, or holds an
 *                     invalid UTF-8 sequence;
 *  TOWNORG_EINTEGRITY a version breaks the structural rules (a dangling
 *                     parent, a kind in the wrong place); the message
 *                     names file, line where known, version and entity;
 *  TOWNORG_EEXISTS    a tag exists already;
 *  TOWNORG_EINVALID   bad arguments, or the branch has versions and onto
 *                     is missing or is not its head;
 *  TOWNORG_EIO, TOWNORG_ENOMEM, a store's errors, or a cancelling
 *  progress callback's code.
 * Messages name the file and line: "changes.csv:1234: kind: unknown kind
 * 'twon'".
 */
TOWNORG_EXTERN(int) townorg_tables_import(townorg_tables_report **report_out, townorg_repo *repo, const char *dir,
	const townorg_tables_import_options *opts);

/** Number of versions the import made (one per versions.csv row). */
TOWNORG_EXTERN(size_t) townorg_tables_report_version_count(const townorg_tables_report *report);

/** The i-th version made (in versions.csv order), owned by the repository,
 *  and its versions.csv label (borrowed from the report) in *label if
 *  label is not NULL.  NULL when i is out of range. */
TOWNORG_EXTERN(const townorg_version *) townorg_tables_report_version(const townorg_tables_report *report, size_t i,
	const char **label);

/** The tables of a table set, for the per-file report accessors. */
typedef enum {
	TOWNORG_TABLES_VERSIONS = 0, /**< versions.csv */
	TOWNORG_TABLES_BASE,         /**< base.csv */
	TOWNORG_TABLES_CHANGES,      /**< changes.csv */
	TOWNORG_TABLES_EVENTS        /**< events.csv */
} townorg_tables_file;
#define TOWNORG_TABLES_FILE_COUNT 4

/** Number of data rows (header and blank lines not counted) read from a
 *  table. */
TOWNORG_EXTERN(size_t) townorg_tables_report_rows(const townorg_tables_report *report, townorg_tables_file file);

/** The encoding a table was read in: "UTF-8", "UTF-8 with BOM" or
 *  "GB18030" (converted to UTF-8).  Borrowed static string; NULL for an
 *  invalid `file`. */
TOWNORG_EXTERN(const char *) townorg_tables_report_encoding(const townorg_tables_report *report,
	townorg_tables_file file);

/** Notes for the user (an encoding converted, columns ignored), in the
 *  order they arose; borrowed UTF-8 strings, NULL when i is out of range. */
TOWNORG_EXTERN(size_t) townorg_tables_report_note_count(const townorg_tables_report *report);
TOWNORG_EXTERN(const char *) townorg_tables_report_note(const townorg_tables_report *report, size_t i);

/** Free a report.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_tables_report_free(townorg_tables_report *report);

/** Export flags. */
typedef enum {
	TOWNORG_TABLES_EXPORT_DEFAULT = 0,
	/** Drop what the tables have no column for (text and list
	 *  attributes, quota types other than admin and inst, chief and
	 *  deputy posts) instead of refusing to export. */
	TOWNORG_TABLES_EXPORT_LOSSY = 1u << 0
} townorg_tables_export_flag;

#define TOWNORG_TABLES_EXPORT_OPTIONS_VERSION 1
/** Options of townorg_tables_export; initialise with
 *  TOWNORG_TABLES_EXPORT_OPTIONS_INIT. */
typedef struct {
	unsigned int version;      /**< TOWNORG_TABLES_EXPORT_OPTIONS_VERSION */
	unsigned int flags;        /**< townorg_tables_export_flag bits */
	townorg_tables_progress_cb progress; /**< or NULL */
	void *progress_payload;
} townorg_tables_export_options;
#define TOWNORG_TABLES_EXPORT_OPTIONS_INIT { TOWNORG_TABLES_EXPORT_OPTIONS_VERSION, 0, NULL, NULL }

/**
 * Write the table set of the versions on `to`'s first-parent line from
 * `from` (inclusive; NULL: from the root of that line) to `to` (inclusive)
 * into directory `dir` (created if missing; the four files are replaced).
 *
 * The versions are labelled 0, 1, 2, … in order.  base.csv holds the
 * complete state of the first (from), changes.csv the upserts and deletes
 * of each later one against the one before it (sorted by version, then
 * id), versions.csv their effective dates and document numbers, events.csv
 * their events.  Metadata the tables have no column for (author, recorded
 * time, document issuer, date and title, message; an event's id,
 * documents, date and wording) is not written.
 *
 * Errors: TOWNORG_EINVALID (versions of another repository, `from` not on
 * `to`'s first-parent line, or an entity with data the tables cannot hold
 * and no TOWNORG_TABLES_EXPORT_LOSSY flag: the message names the entity
 * and field), TOWNORG_EIO (the message names the file), TOWNORG_ENOMEM, a
 * lazy store's load errors, or a cancelling progress callback's code.  On
 * failure no file in `dir` was replaced.  opts may be NULL.
 */
TOWNORG_EXTERN(int) townorg_tables_export(const townorg_repo *repo, const townorg_version *from,
	const townorg_version *to, const char *dir, const townorg_tables_export_options *opts);

TOWNORG_END_DECLS

#endif /* TOWNORG_TABLES_H */

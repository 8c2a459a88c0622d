/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/realdata.h — importers for the real national data: the National
 * Bureau of Statistics' township lists (统计用区划代码, one edition a year)
 * and the Ministry of Civil Affairs' change tables (县以下行政区划变更情况).
 *
 * An NBS edition folder holds provinces.csv, cities.csv, areas.csv and
 * streets.csv (the layout of github.com/modood/Administrative-divisions-of-
 * China).  Each edition becomes one version on a branch, tagged nbs-YYYY,
 * effective on the edition's cut-off date; the edition replaces the
 * province, prefecture, county and township-level entities of the branch
 * head (everything else — organs, villages, departments — is kept).
 * Entity ids are the official codes: 2 digits for a province, 4 for a
 * prefecture, 6 for a county, 9 for a township-level unit.
 *
 * Rows of the MCA tables become change events of those versions: each row
 * is attached to the first imported edition in which its effect shows (the
 * old code gone, the new code present).  Rows that match no edition are
 * counted and listed in the report; they are not an error.
 *
 * An import is all or nothing: on any error, or when the progress callback
 * cancels, every version, branch and tag it made is rolled back, and the
 * message names the file and line at fault.  docs/realdata.md describes what
 * is normalised and the table from 变更原因 to event kinds.
 */
#ifndef TOWNORG_REALDATA_H
#define TOWNORG_REALDATA_H

#include "common.h"
#include "entity.h"
#include "version.h"
#include "repository.h"

TOWNORG_BEGIN_DECLS

/** What an import is doing when it reports progress. */
typedef enum {
	TOWNORG_REALDATA_READ_MCA = 1,  /**< reading the MCA change tables */
	TOWNORG_REALDATA_READ_EDITION,  /**< reading one NBS edition's files */
	TOWNORG_REALDATA_COMMIT_EDITION /**< applying and committing one edition */
} townorg_realdata_stage;

#define TOWNORG_REALDATA_PROGRESS_VERSION 1
/** A progress report (borrowed; valid during the callback only). */
typedef struct {
	unsigned int version;         /**< TOWNORG_REALDATA_PROGRESS_VERSION */
	townorg_realdata_stage stage;
	const char *path;             /**< the folder or file being worked on */
	const char *edition;          /**< the year of the edition ("2019") — while reading MCA tables, the year
	                                   of the table read (from its file name), NULL if it has none */
	size_t current;               /**< editions (or MCA files) done so far */
	size_t total;                 /**< editions (or MCA files) in all */
} townorg_realdata_progress;

/**
 * Progress callback.  Return 0 to go on; any other value cancels the
 * import, which then changes nothing and returns that value if it is
 * negative, or TOWNORG_ERROR otherwise (the message says it was cancelled).
 */
typedef int (*townorg_realdata_progress_cb)(const townorg_realdata_progress *progress, void *payload);

#define TOWNORG_NBS_IMPORT_OPTIONS_VERSION 1
/** Options of townorg_nbs_import.  Initialise with
 *  TOWNORG_NBS_IMPORT_OPTIONS_INIT, then set what you need. */
typedef struct {
	unsigned int version;          /**< TOWNORG_NBS_IMPORT_OPTIONS_VERSION */
	const char *branch;            /**< branch to import onto; NULL: "main" (created if missing) */
	const char *mca_source;        /**< MCA change tables: a folder of *.csv or one file; NULL: no events */
	const char *effective_date;    /**< override the cut-off date (YYYY-MM-DD); only when importing one
	                                    edition, e.g. one newer than this library knows; NULL: built in */
	const char *author;            /**< author of the versions; NULL: none */
	const char *recorded_at;       /**< recorded time of the versions (YYYY-MM-DDTHH:MM:SSZ); NULL: each
	                                    edition's cut-off at 00:00:00Z, so that the same files give the same
	                                    version ids however and whenever they are imported */
	townorg_realdata_progress_cb progress; /**< NULL: no progress reports */
	void *progress_payload;        /**< passed to progress */
} townorg_nbs_import_options;
#define TOWNORG_NBS_IMPORT_OPTIONS_INIT { TOWNORG_NBS_IMPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** The outcome of an import (owned by the caller; free with
 *  townorg_realdata_report_free). */
typedef struct townorg_realdata_report townorg_realdata_report;

/**
 * What one edition did (borrowed from the report).  The counts cover the
 * province, prefecture, county and township-level entities.  A township
 * whose code disappears while a unit of another kind and the same name stem
 * (the name without 乡/镇/街道/苏木) appears in the same county — a 撤乡设镇 or
 * 撤镇设街道 seen in the lists themselves — counts once as reclassified, not
 * as removed plus added.
 */
typedef struct {
	const char *year;            /**< "2019" */
	const char *tag;             /**< "nbs-2019" */
	const char *effective_date;  /**< the cut-off date, e.g. "2019-10-31" */
	const char *path;            /**< the edition's folder */
	const char *version_id;      /**< the version made (64 hex digits); for a skipped edition, the
	                                  version its tag already names */
	int skipped;                 /**< 1: the edition was already on the branch; nothing was done */
	size_t townships;            /**< township-level rows of streets.csv */
	size_t entities;             /**< province..township entities of the edition */
	size_t added;
	size_t removed;
	size_t renamed;              /**< same code, another (normalised) name */
	size_t reclassified;
	size_t moved;                /**< same code, another parent */
	size_t events;               /**< MCA rows attached to this edition */
} townorg_realdata_edition;

/** An MCA row that matched no imported edition (borrowed from the report).
 *  Texts are as in the file, trimmed; empty cells are "". */
typedef struct {
	const char *file;       /**< path of the table */
	size_t line;            /**< line of the row in that file */
	int table_year;         /**< year of the table, 0 if unknown */
	const char *old_code;
	const char *old_name;
	const char *reason;     /**< 变更原因 */
	const char *new_code;
	const char *new_name;
	const char *documents;  /**< 批准文件 as written */
	const char *why;        /**< why it matched nothing (English) */
	const char *why_code;   /**< the reason as a short code: "unusable", "before-branch", "too-old-edition",
	                             "after-last-edition", "not-in-nbs", "new-not-in-nbs", "old-not-in-nbs",
	                             "old-never-gone", "new-elsewhere", "no-consecutive-pair", "no-edition"
	                             (docs/realdata.md) */
} townorg_realdata_unmatched;

/** An MCA row this import attached as an event (borrowed from the report). */
typedef struct {
	const char *file;       /**< path of the table */
	size_t line;            /**< line of the row in that file */
	int table_year;         /**< year of the table, 0 if unknown */
	const char *edition;    /**< the edition ("2019") whose version carries the event */
	int history;            /**< 1: already in effect in the first edition of an empty branch: kept as
	                             history before it */
	const char *how;        /**< how it was linked: "code", "name in county", "name in prefecture",
	                             "name in province", "survivor of a merge", "chain" */
	const char *from_id;    /**< the unit the event names as predecessor ("" none) */
	const char *to_id;      /**< the unit the event names as successor ("" none) */
} townorg_realdata_link;

/** One MCA table: its rows and how many are linked (borrowed from the report). */
typedef struct {
	const char *file;       /**< path of the table */
	int year;               /**< year of the table, 0 if unknown */
	size_t rows;            /**< data rows */
	size_t linked;          /**< rows recorded as events (by this import or, for editions already on the
	                             branch, by the import that made them) */
	size_t history;         /**< of those, rows kept as history before the first edition */
} townorg_realdata_table;

/**
 * Import NBS township lists onto a branch.
 *
 * `source` is one edition's folder (holding streets.csv; its name ends in
 * the edition's year, e.g. ".../nbs-townships/2019") or a folder of such
 * folders named YYYY, which are imported oldest first.  Each edition
 * becomes one version on the branch (created if missing), tagged nbs-YYYY,
 * with the edition's cut-off as its effective date (2016-07-31, 2017-10-31,
 * 2018-10-31, 2019-10-31, 2020-06-30, 2021-10-31, 2022-10-31, 2023-06-30).
 *
 * An edition whose tag already names the head or an ancestor of it is
 * skipped (importing the head's edition again is a no-op).  An edition older
 * than the head (cut-off before its effective date) is refused with
 * TOWNORG_EINVALID, as is a year with no known cut-off (unless
 * opts->effective_date gives one for a single edition).  A tag nbs-YYYY
 * naming a version off the branch gives TOWNORG_EEXISTS.
 *
 * Errors (nothing is changed): TOWNORG_ENOTFOUND (a folder or file is
 * missing), TOWNORG_EPARSE (malformed CSV, a bad or duplicate code, a unit
 * whose parent is not listed: the message names file:line),
 * TOWNORG_EENCODING (invalid UTF-8: file:line), TOWNORG_EINTEGRITY (an
 * edition removes a unit that still has children of other kinds, e.g.
 * organs: the message names them), TOWNORG_EIO, TOWNORG_ENOMEM, or the
 * value the progress callback cancelled with.
 *
 * `opts` may be NULL (defaults).  On success, *out (if out is non-NULL)
 * receives the report; free it with townorg_realdata_report_free.
 */
TOWNORG_EXTERN(int) townorg_nbs_import(townorg_realdata_report **out, townorg_repo *repo, const char *source,
	const townorg_nbs_import_options *opts);

/** Free a report.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_realdata_report_free(townorg_realdata_report *report);

/** Number of editions the import went through (skipped ones included), in
 *  the order they were imported. */
TOWNORG_EXTERN(size_t) townorg_realdata_report_edition_count(const townorg_realdata_report *report);

/** The i-th edition (borrowed), or NULL when i is out of range. */
TOWNORG_EXTERN(const townorg_realdata_edition *) townorg_realdata_report_edition(
	const townorg_realdata_report *report, size_t i);

/** MCA data rows read (all tables), and how many are recorded as events
 *  (attached by this import, or linked to an edition already on the branch
 *  by the import that made it). */
TOWNORG_EXTERN(size_t) townorg_realdata_report_mca_rows(const townorg_realdata_report *report);
TOWNORG_EXTERN(size_t) townorg_realdata_report_mca_matched(const townorg_realdata_report *report);

/** Number of MCA rows this import attached, and the i-th of them in file
 *  and line order (borrowed; NULL when out of range).  Rows linked to an
 *  edition that was already on the branch are not listed (they are counted
 *  in townorg_realdata_report_mca_matched and the tables). */
TOWNORG_EXTERN(size_t) townorg_realdata_report_attached_count(const townorg_realdata_report *report);
TOWNORG_EXTERN(const townorg_realdata_link *) townorg_realdata_report_attached(
	const townorg_realdata_report *report, size_t i);

/** Number of MCA tables read, and the i-th in file name order (borrowed;
 *  NULL when out of range). */
TOWNORG_EXTERN(size_t) townorg_realdata_report_table_count(const townorg_realdata_report *report);
TOWNORG_EXTERN(const townorg_realdata_table *) townorg_realdata_report_table(
	const townorg_realdata_report *report, size_t i);

/** Number of MCA rows that matched no edition, and the i-th of them in
 *  file and line order (borrowed; NULL when out of range). */
TOWNORG_EXTERN(size_t) townorg_realdata_report_unmatched_count(const townorg_realdata_report *report);
TOWNORG_EXTERN(const townorg_realdata_unmatched *) townorg_realdata_report_unmatched(
	const townorg_realdata_report *report, size_t i);

/**
 * The event kind a 变更原因 spelling maps to (the table of
 * docs/realdata.md; surrounding spaces are ignored).  Returns 0, or
 * TOWNORG_ENOTFOUND (no message) for a spelling not in the table and for
 * the reasons whose kind depends on the row (区划代码变更 and 区划代码调整:
 * a move when the old and new codes lie in different counties, else a
 * rename), for which *out is TOWNORG_EVENT_INVALID.
 */
TOWNORG_EXTERN(int) townorg_mca_reason_kind(townorg_event_kind *out, const char *reason);

/**
 * The kind of a township-level unit from its 9-digit code, by the GB/T
 * 10114 range of its last three digits: 001–099 subdistrict, 100–199 town,
 * 200–399 township, anything else township_like (400–599 are development
 * zones, farms and the like; NBS also lists 350527000 金门县 as a placeholder
 * unit of its own county).  TOWNORG_KIND_INVALID for anything that is not 9
 * digits.
 */
TOWNORG_EXTERN(townorg_kind) townorg_nbs_code_kind(const char *code);

TOWNORG_END_DECLS

#endif /* TOWNORG_REALDATA_H */

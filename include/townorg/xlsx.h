/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/xlsx.h — workbooks (.xlsx): the 台账 of one version.
 *
 * What a county staffing office exchanges with the city and the province is
 * a workbook, the 机构编制台账.  townorg_export_xlsx writes the entities of
 * one version as such a workbook: a sheet 说明 with the version's metadata,
 * one sheet per kind group (区划, 县直部门, 乡镇, 机构, 村社区) with every
 * attribute of every entity under Chinese headers and with Chinese values
 * (镇, 大, 以块为主, 全额拨款 …), a sheet 事件 with the version's change
 * events, and optionally a sheet 变更表 (the changes since an earlier
 * version), 精简率 (the reduction rates per county and township) and
 * 核查结果 (the findings of a policy).  The layout is specified in
 * docs/format.md ("Workbooks").
 *
 * townorg_import_xlsx reads such a workbook back as one new version on a
 * branch — a snapshot: its state is exactly the workbook's entities, and a
 * workbook exported and imported unchanged gives the same state hash.  The
 * reader takes what Excel and WPS make of a workbook: ids and dates they
 * retyped as numbers (341023100, 3.41023100E8, date serials) are read back
 * as the text they were, optional columns may be absent, unknown columns
 * and sheets are ignored with a note.  Errors name the sheet, row and
 * column in the spreadsheet's own notation: "乡镇!C7: unknown kind 'twon'".
 *
 * The low-level reader (townorg_xlsx_open …) gives the cells of every
 * sheet as text; the Python bindings read workbooks of other layouts (the
 * CSV table set of docs/tables.md) with it.
 *
 * Writing uses libxlsxwriter, reading minizip and expat.  A library built
 * without them (configure --without-xlsx) has these functions, and they
 * fail with TOWNORG_EINVALID ("built without workbook support");
 * townorg_xlsx_available tells which.
 */
#ifndef TOWNORG_XLSX_H
#define TOWNORG_XLSX_H

#include "common.h"
#include "version.h"
#include "repository.h"
#include "validate.h"

TOWNORG_BEGIN_DECLS

/** 1 when workbook support is built in, 0 when the functions of this
 *  header are stubs. */
TOWNORG_EXTERN(int) townorg_xlsx_available(void);

/* ------------------------------------------------------------ export */

#define TOWNORG_XLSX_EXPORT_OPTIONS_VERSION 1
/** Options of townorg_export_xlsx; initialise with
 *  TOWNORG_XLSX_EXPORT_OPTIONS_INIT.  Pointers are borrowed for the call. */
typedef struct {
	unsigned int version;                 /**< TOWNORG_XLSX_EXPORT_OPTIONS_VERSION */
	/** If not NULL: add the sheets 变更表 (every entity added, removed or
	 *  changed since this version, field by field) and 精简率 (organs,
	 *  quotas and staff before and after, with the reduction rate, per
	 *  county and township), from townorg_diff_versions. */
	const townorg_version *changes_since;
	/** If not NULL: add the sheet 核查结果 with the findings of
	 *  townorg_validate under this policy. */
	const townorg_policy *policy;
} townorg_xlsx_export_options;
#define TOWNORG_XLSX_EXPORT_OPTIONS_INIT { TOWNORG_XLSX_EXPORT_OPTIONS_VERSION, NULL, NULL }

/**
 * Write the 台账 of `version` as a workbook at `path`.
 *
 * The workbook is written to a temporary file beside `path`, synced and
 * renamed over `path`, so a failure never leaves a partial workbook (nor
 * harms a file that was there).  Ids, codes and dates are text cells;
 * counts, quotas and areas are number cells.  opts may be NULL.
 *
 * Errors: TOWNORG_EINVALID (bad arguments, `changes_since` of another
 * repository, or no workbook support), TOWNORG_EIO (the message names the
 * file), TOWNORG_ENOMEM, a lazy store's load errors.
 */
TOWNORG_EXTERN(int) townorg_export_xlsx(const townorg_version *version, const char *path,
	const townorg_xlsx_export_options *opts);

/* ------------------------------------------------------------ reading */

/** A workbook read into memory: its sheets and their cells as text. */
typedef struct townorg_xlsx_book townorg_xlsx_book;

/**
 * Read the workbook at `path`.  Every worksheet is read (chart sheets and
 * the like are skipped); cells of shared strings, inline strings, formulas'
 * cached values, booleans and numbers all become text (numbers as written
 * in the file, e.g. "341023100" or "146.7").  Free with townorg_xlsx_close.
 *
 * Errors: TOWNORG_ENOTFOUND (no such file), TOWNORG_EPARSE (not a zip
 * archive, no workbook in it, malformed XML: the message names the file
 * and the part), TOWNORG_EIO, TOWNORG_ENOMEM, TOWNORG_EINVALID without
 * workbook support.
 */
TOWNORG_EXTERN(int) townorg_xlsx_open(townorg_xlsx_book **out, const char *path);

/** As townorg_xlsx_open, from `len` bytes at `data` (not kept after the
 *  call); `name` is used in messages (NULL: "(workbook)"). */
TOWNORG_EXTERN(int) townorg_xlsx_open_memory(townorg_xlsx_book **out, const void *data, size_t len,
	const char *name);

/** Free a workbook.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_xlsx_close(townorg_xlsx_book *book);

/** Number of worksheets, in workbook order. */
TOWNORG_EXTERN(size_t) townorg_xlsx_sheet_count(const townorg_xlsx_book *book);

/** Name of the i-th worksheet (borrowed), or NULL when out of range. */
TOWNORG_EXTERN(const char *) townorg_xlsx_sheet_name(const townorg_xlsx_book *book, size_t i);

/** Number of non-empty cells of the i-th worksheet (0 when out of range). */
TOWNORG_EXTERN(size_t) townorg_xlsx_cell_count(const townorg_xlsx_book *book, size_t sheet);

/**
 * The i-th non-empty cell of a worksheet, in row then column order: its
 * 0-based row and column, its text (borrowed, UTF-8) and whether it was a
 * number cell (then `text` is the number as the file wrote it).  Any of the
 * out pointers may be NULL.  Returns 0, or TOWNORG_ENOTFOUND when sheet or
 * i is out of range.
 */
TOWNORG_EXTERN(int) townorg_xlsx_cell_at(const townorg_xlsx_book *book, size_t sheet, size_t i, uint32_t *row,
	uint32_t *col, const char **text, int *is_number);

/** Format a cell reference in spreadsheet notation, "C7" for row 6 and
 *  column 2 (0-based), into buf (at least 16 bytes). */
TOWNORG_EXTERN(int) townorg_xlsx_cell_name(char *buf, size_t size, uint32_t row, uint32_t col);

/* ------------------------------------------------------------ import */

#define TOWNORG_XLSX_IMPORT_OPTIONS_VERSION 1
/** Options of townorg_import_xlsx; initialise with
 *  TOWNORG_XLSX_IMPORT_OPTIONS_INIT.  Strings are borrowed for the call. */
typedef struct {
	unsigned int version;       /**< TOWNORG_XLSX_IMPORT_OPTIONS_VERSION */
	/** Branch to add the version to (created when missing); NULL: "main". */
	const char *branch;
	/** Metadata of the new version, or NULL.  Its non-NULL members win;
	 *  the others come from the workbook's 说明 sheet (生效日期, 文号,
	 *  发文机关, 发文日期, 文件标题, 说明), author and recorded time
	 *  never do. */
	const townorg_meta *meta;
	/** 1: take the events of the 事件 sheet into the new version; 0 (the
	 *  default): ignore them (they explain the exported version, not the
	 *  step from the branch head to the imported one). */
	int with_events;
} townorg_xlsx_import_options;
#define TOWNORG_XLSX_IMPORT_OPTIONS_INIT { TOWNORG_XLSX_IMPORT_OPTIONS_VERSION, NULL, NULL, 0 }

/** What an import did: its notes.  Free with townorg_xlsx_report_free. */
typedef struct townorg_xlsx_report townorg_xlsx_report;

/**
 * Import the 台账 workbook at `path` as one new version on a branch: its
 * state is exactly the workbook's entities (what the branch head held and
 * the workbook lacks is removed), its parent the branch head.  All or
 * nothing: on any error the repository is unchanged.
 *
 * Entity sheets are recognised by their name (区划, 县直部门, 乡镇, 机构,
 * 村社区) or, for an office's own workbook, by a header row holding 编码,
 * 名称 and 类型; other sheets are ignored with a note, as are unknown
 * columns.  Required columns: 编码, 名称, 类型; all others may be absent.
 *
 * out (may be NULL) receives the new version, owned by the repository;
 * report_out (may be NULL) the notes (free with townorg_xlsx_report_free;
 * NULL on failure).  opts may be NULL.
 *
 * Errors (messages name the file, then sheet!cell: "台账.xlsx: 乡镇!C7:
 * unknown kind 'twon'"; under a zh_CN locale, when the program has bound
 * the "townorg" message domain, in Chinese):
 *  TOWNORG_ENOTFOUND  no such file;
 *  TOWNORG_EPARSE     not a workbook, no entity sheet, a missing required
 *                     column, a bad cell (unknown kind, class or funding,
 *                     a negative or non-integer count, a bad area or
 *                     date), a duplicated id;
 *  TOWNORG_EINTEGRITY the entities break a structural rule (a parent that
 *                     is not in the workbook, a kind in the wrong place);
 *  TOWNORG_EINVALID, TOWNORG_EIO, TOWNORG_ENOMEM, a store's errors.
 */
TOWNORG_EXTERN(int) townorg_import_xlsx(const townorg_version **out, townorg_xlsx_report **report_out,
	townorg_repo *repo, const char *path, const townorg_xlsx_import_options *opts);

/** As townorg_import_xlsx, from a workbook already read. */
TOWNORG_EXTERN(int) townorg_import_xlsx_book(const townorg_version **out, townorg_xlsx_report **report_out,
	townorg_repo *repo, const townorg_xlsx_book *book, const townorg_xlsx_import_options *opts);

/** Number of entities the import read. */
TOWNORG_EXTERN(size_t) townorg_xlsx_report_entity_count(const townorg_xlsx_report *report);

/** Number of notes (sheets or columns ignored, the state differing from
 *  the version the workbook was exported from), and the i-th (borrowed
 *  UTF-8; NULL when out of range). */
TOWNORG_EXTERN(size_t) townorg_xlsx_report_note_count(const townorg_xlsx_report *report);
/** The i-th note of a report (borrowed), or NULL when i is out of range. */
TOWNORG_EXTERN(const char *) townorg_xlsx_report_note(const townorg_xlsx_report *report, size_t i);

/** Free a report.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_xlsx_report_free(townorg_xlsx_report *report);

TOWNORG_END_DECLS

#endif /* TOWNORG_XLSX_H */

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* realdata_internal.h — shared by the real-data importers (nbs.c, mca.c,
 * realdata_csv.c); internal, never installed. */
#ifndef TOWNORG_REALDATA_INTERNAL_H
#define TOWNORG_REALDATA_INTERNAL_H

#include "core/repo_internal.h"
#include "townorg/realdata.h"

/* ---- CSV files (realdata_csv.c) ---- */

/* Called for each record that has at least one field.  Fields are trimmed
 * of spaces, tabs, NO-BREAK SPACE and IDEOGRAPHIC SPACE at both ends and
 * NUL-terminated; they are valid only during the call.  `line` is the line
 * the record starts on (1-based).  A non-zero return stops reading and is
 * returned by townorg__csv_read (the callback sets the message). */
typedef int (*townorg__csv_row_cb)(char **fields, size_t n, size_t line, void *ctx);

/* Read a whole CSV file (RFC 4180, a UTF-8 BOM tolerated).  Invalid UTF-8
 * gives TOWNORG_EENCODING and malformed CSV (a stray or unterminated quote,
 * e.g. a truncated file) TOWNORG_EPARSE, each with "path:line: ...". */
int townorg__csv_read(const char *path, townorg__csv_row_cb cb, void *ctx);

/* Trim spaces (ASCII, NO-BREAK, IDEOGRAPHIC) in place at both ends. */
char *townorg__rd_trim(char *s);

/* 1 if s is exactly n ASCII digits. */
bool townorg__rd_digits(const char *s, size_t n);

/* ---- MCA change tables (mca.c) ---- */

typedef struct townorg__mca_row {
	const char *file;       /* borrowed from the table list */
	size_t line;
	int year;               /* table year, 0 if unknown */
	char *seq;              /* 序号 */
	char *old_code, *old_name, *reason, *new_code, *new_name, *docs_raw;
	char **docs;            /* split and normalised document numbers */
	size_t n_docs;
	int cross_county;       /* the ninth column: 1 when codes lie in different counties */
	townorg_event_kind kind;
	/* matching state */
	char *onorm, *nnorm;    /* old and new name, normalised */
	char ocode[16], ncode[16]; /* usable codes (entity ids), "" when none: see RO, RN */
	char *bad;              /* why the row cannot be matched at all, or NULL */
	bool matched;
	bool early;             /* its effect shows only in an edition too old for its table */
	/* linking (mca_link.c) */
	int at_year;            /* the edition it was attached to (0: none) */
	bool history;           /* attached to the first edition as history before it */
	const char *how;        /* how it was linked: "code", "name in county", … (static) */
	char from_id[16], to_id[16]; /* the NBS units the event names ("" none) */
	bool seen_new;          /* its new unit is in some edition (by code, or by name in the province) */
	bool old_gone;          /* some edition lists its old unit neither by code nor by name */
	bool old_seen;          /* some edition lists its old unit (by code or by name in its county) */
	char ystr[12];          /* the table year as an event date ("2019"), "" if unknown */
} townorg__mca_row;

/* A row's usable old and new codes, or NULL. */
static inline const char *RO(const townorg__mca_row *r) { return r->ocode[0] ? r->ocode : NULL; }
static inline const char *RN(const townorg__mca_row *r) { return r->ncode[0] ? r->ncode : NULL; }

typedef struct {
	size_t n_files;
	char **files;
	size_t n_rows, cap_rows;
	townorg__mca_row *rows;
} townorg__mca;

/* Read one table or every *.csv of a folder (in name order). */
int townorg__mca_read(townorg__mca *m, const char *source, townorg_realdata_progress_cb cb, void *payload);
void townorg__mca_free(townorg__mca *m);

/* Attach to the transaction the rows (not yet matched) whose effect shows
 * in its current state but not in `prev` (NULL: the first edition on an
 * empty branch: the rows already in effect in it are attached as history
 * before it).  `year` is the edition's year.  Adds the events and returns
 * how many were attached through *attached.  (mca_link.c) */
int townorg__mca_attach(townorg__mca *m, townorg_txn *txn, const townorg_version *prev, int year,
			size_t *attached);

/* The same matching for an edition already on the branch (version v, made
 * on top of prev), adding nothing: marks the rows that import attached, so
 * that importing editions one by one attaches each row once, to the same
 * edition as importing them all at once. */
int townorg__mca_replay(townorg__mca *m, const townorg_version *v, const townorg_version *prev, int year);

/* Why an unmatched row matched nothing, given the first version the import
 * made (NULL if none), the state before it (NULL if none), and the last
 * edition's year and cut-off.  Writes a sentence into buf (English) and a
 * short code of the reason ("not-in-nbs", …: docs/realdata.md) to *code. */
const char *townorg__mca_why(const townorg__mca_row *r, const townorg_version *first_prev,
			     const townorg_version *first, int last_year, const char *last_cutoff, char *buf,
			     size_t size, const char **code);

/* Name normalisation shared by both importers: trims, drops the trailing
 * 办事处 (NBS dropped it in 2019).  Returns a new string or NULL (ENOMEM). */
char *townorg__rd_norm_name(const char *name);
/* Whether the len bytes at s end with suffix (names.c). */
bool townorg__rd_ends_with(const char *s, size_t len, const char *suffix);

#endif

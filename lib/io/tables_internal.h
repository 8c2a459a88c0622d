/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tables_internal.h — what the CSV table files share (internal): the table
 * reader (file, encoding, libcsv) and a small list of report notes. */
#ifndef TOWNORG_TABLES_INTERNAL_H
#define TOWNORG_TABLES_INTERNAL_H

#include "base/internal.h"

/* Notes for the import report. */
typedef struct {
	size_t n, cap;
	char **v;
} townorg__notes;
int townorg__notes_add(townorg__notes *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void townorg__notes_free(townorg__notes *notes);

/* Called once per data row with the wanted columns' cells, in the order of
 * the `columns` list given to townorg__table_read (NUL-terminated, "" for
 * an empty cell; valid only during the call).  `line` is the row's first
 * line in the file (1 = the header).  Return 0 or an error code (after
 * townorg__err, naming file:line) to stop reading. */
typedef int (*townorg__row_fn)(void *ctx, const char *const *cells, uint32_t line);

typedef struct {
	size_t rows;            /* data rows passed to the row function */
	const char *encoding;   /* "UTF-8", "UTF-8 with BOM" or "GB18030" */
} townorg__table_info;

/*
 * Read dir/name: the whole file, its encoding checked (a UTF-8 BOM
 * skipped; GB18030 converted, with a note), then parsed as RFC 4180 CSV
 * with libcsv.  The first row is the header: every name in `columns`
 * (NULL-terminated) must appear in it once; other columns are ignored
 * with a note.  Each data row must have as many cells as the header.
 * Errors name "name:line": TOWNORG_ENOTFOUND (no such file), TOWNORG_EIO,
 * TOWNORG_EENCODING, TOWNORG_EPARSE, TOWNORG_ENOMEM, or what fn returned.
 */
int townorg__table_read(const char *dir, const char *name, const char *const *columns, townorg__row_fn fn,
			void *ctx, townorg__table_info *info, townorg__notes *notes);

/* A table file read and decoded (UTF-8, BOM skipped), to be parsed in one
 * or more parts, possibly on several threads at once (parsing only reads
 * it). */
typedef struct {
	const char *name;
	char *data;
	size_t len, skip; /* skip: bytes of BOM at the start */
	const char *encoding;
} townorg__table_file;
int townorg__table_load(const char *dir, const char *name, townorg__table_file *f, townorg__notes *notes);
void townorg__table_file_free(townorg__table_file *f);

/* Where a large file may be cut in two parts parsed separately: the start
 * of the line after the middle, when no quote or CR comes before it (so it
 * starts a row, and lines count by LF); 0 when it may not be cut. */
size_t townorg__table_split(const townorg__table_file *f);

/* Tests and the differential fuzz target: false makes libcsv parse every
 * row (no fast path for plain rows), to compare the two.  Process-wide. */
void townorg__tables_plain_rows(bool on);

/* townorg__table_read for the rows in [from, to): from is f->skip for the
 * first part (which reads the header and its notes), else a value of
 * townorg__table_split (the header is read again, silently, and lines are
 * counted up to from). */
int townorg__table_parse(const townorg__table_file *f, size_t from, size_t to, const char *const *columns,
			 townorg__row_fn fn, void *ctx, townorg__table_info *info, townorg__notes *notes);

/* Exposed for tests: classify a buffer.  Returns 0 and sets *out and *out_len
 * (a new allocation, or NULL when `data` can be used as is after skipping
 * *skip bytes of BOM) and *encoding; or TOWNORG_EENCODING with a message. */
int townorg__table_decode(const char *name, const char *data, size_t len, char **out, size_t *out_len,
			  size_t *skip, const char **encoding);

#endif

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * realdata_csv.c — reading the real data's CSV files with libcsv.
 *
 * A file is read whole (the largest, an NBS streets.csv, is about 3 MB),
 * its encoding decided as the tables importer does (UTF-8, or GB18030/GBK
 * converted with iconv: townorg__table_decode), checked for UTF-8 line by
 * line — so that an error names the line — and then parsed.  libcsv does not count lines, so we do: with
 * CSV_REPALL_NL every unquoted CR and LF ends a record (blank lines give
 * records without fields), a CR LF pair counts once, and newlines inside
 * quoted fields are counted from the field text.
 */
#include "io/realdata_internal.h"
#include "io/tables_internal.h"
#include <csv.h>
#include <errno.h>
#include <stdio.h>

bool townorg__rd_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == n;
}

/* Length of a space at s (ASCII space/tab/CR/LF, U+00A0, U+3000), or 0. */
static size_t space_len(const unsigned char *s, size_t avail)
{
	if (avail >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		return 1;
	if (avail >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (avail >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

char *townorg__rd_trim(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t len = strlen(str), k;
	size_t start = 0;
	while (start < len && (k = space_len(s + start, len - start)))
		start += k;
	size_t end = len;
	for (;;) {
		if (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n'))
			end--;
		else if (end >= start + 2 && s[end - 2] == 0xc2 && s[end - 1] == 0xa0)
			end -= 2;
		else if (end >= start + 3 && s[end - 3] == 0xe3 && s[end - 2] == 0x80 && s[end - 1] == 0x80)
			end -= 3;
		else
			break;
	}
	memmove(str, str + start, end - start);
	str[end - start] = 0;
	return str;
}

typedef struct {
	const char *path;
	townorg__csv_row_cb cb;
	void *ctx;
	townorg__buf text;      /* field bytes, each NUL-terminated */
	size_t *offs;           /* field offsets into text */
	size_t n_fields, cap_fields;
	char **fields;          /* pointers handed to cb */
	size_t cap_ptrs;
	size_t line;            /* line the current record started on */
	size_t embedded;        /* newlines inside the current record's fields */
	int last_term;          /* the previous record terminator */
	int rc;                 /* first error, stops everything */
} reader;

static void on_field(void *s, size_t len, void *data)
{
	reader *r = data;
	if (r->rc)
		return;
	if (r->n_fields == r->cap_fields && TOWNORG__GROW(r->offs, r->cap_fields, 16) < 0) {
		r->rc = townorg__oom();
		return;
	}
	r->offs[r->n_fields++] = r->text.len;
	townorg__buf_put(&r->text, s, len);
	townorg__buf_putc(&r->text, 0);
	if (r->text.failed) {
		r->rc = townorg__oom();
		return;
	}
	const char *p = s;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\n')
			r->embedded++;
}

static void on_record(int c, void *data)
{
	reader *r = data;
	if (r->rc)
		return;
	if (c == '\n' && r->last_term == '\r' && r->n_fields == 0) {
		/* the LF of a CR LF pair */
		r->last_term = c;
		return;
	}
	r->last_term = c;
	if (r->n_fields) {
		if (r->cap_ptrs < r->n_fields) {
			char **n = townorg__realloc(r->fields, r->n_fields * sizeof *n);
			if (!n) {
				r->rc = townorg__oom();
				return;
			}
			r->fields = n;
			r->cap_ptrs = r->n_fields;
		}
		for (size_t i = 0; i < r->n_fields; i++)
			r->fields[i] = townorg__rd_trim(r->text.data + r->offs[i]);
		int rc = r->cb(r->fields, r->n_fields, r->line, r->ctx);
		if (rc) {
			r->rc = rc;
			return;
		}
	}
	r->line += r->embedded + (c == '\r' || c == '\n' ? 1 : 0);
	r->embedded = 0;
	r->n_fields = 0;
	r->text.len = 0;
}

static size_t line_at(const char *data, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

static int read_all(const char *path, char **out, size_t *len)
{
	return townorg__read_file(path, out, len);
}

int townorg__csv_read(const char *path, townorg__csv_row_cb cb, void *ctx)
{
	char *data;
	size_t len;
	int rc = read_all(path, &data, &len);
	if (rc < 0)
		return rc;
	/* the encoding as the tables importer decides it: UTF-8 (a BOM
	 * skipped), or GB18030/GBK converted with iconv; damaged UTF-8, UTF-16
	 * and anything else refused naming the line (tables_read.c) */
	{
		char *conv = NULL;
		size_t conv_len = 0, skip = 0;
		const char *enc;
		if ((rc = townorg__table_decode(path, data, len, &conv, &conv_len, &skip, &enc)) < 0) {
			townorg__free(data);
			return rc;
		}
		if (conv) {
			townorg__free(data);
			data = conv;
			len = conv_len;
		}
	}
	size_t start = 0;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		start = 3;
	/* UTF-8, line by line, so that the message can say where. */
	size_t line = 1;
	for (size_t i = start; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - data) : len;
		if (!townorg__utf8_valid(data + i, e - i, true)) {
			townorg__free(data);
			return townorg__err(TOWNORG_EENCODING,
					    _("%s:%zu: not valid UTF-8 (GB18030/GBK files must be converted to UTF-8 first)"),
					    path, line);
		}
		if (memchr(data + i, 0, e - i)) {
			townorg__free(data);
			return townorg__err(TOWNORG_EPARSE, _("%s:%zu: NUL byte in a text file"), path, line);
		}
		line++;
		i = e + 1;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		townorg__free(data);
		return townorg__oom();
	}
	csv_set_realloc_func(&p, townorg__realloc);
	csv_set_free_func(&p, townorg__free);
	reader r = { .path = path, .cb = cb, .ctx = ctx, .line = 1 };
	size_t done = csv_parse(&p, data + start, len - start, on_field, on_record, &r);
	if (!r.rc && done != len - start) {
		if (csv_error(&p) == CSV_ENOMEM)
			r.rc = townorg__oom();
		else
			r.rc = townorg__err(TOWNORG_EPARSE, _("%s:%zu: malformed CSV (%s)"), path,
					    line_at(data, start + done), csv_strerror(csv_error(&p)));
	}
	if (!r.rc && csv_fini(&p, on_field, on_record, &r) != 0 && !r.rc)
		r.rc = townorg__err(TOWNORG_EPARSE, _("%s:%zu: unterminated quoted field at the end of the file (truncated?)"),
				    path, r.line);
	csv_free(&p);
	townorg__buf_free(&r.text);
	townorg__free(r.offs);
	townorg__free(r.fields);
	townorg__free(data);
	return r.rc;
}

/*
 * lib/xlsx_import.c — townorg_import_xlsx: a 台账 workbook (the layout
 * townorg_export_xlsx writes, docs/format.md "Workbooks", or an office's
 * own workbook with the same headers) back into one version on a branch.
 *
 * Design.  The workbook is read whole by the low-level reader
 * (xlsx_read.c).  Each sheet is classified: 说明 gives the metadata (and
 * the state hash of the version it was exported from, compared at the end
 * — a difference is a note, since offices edit their workbooks); 事件 the
 * events (taken only when asked); 变更表, 精简率, 核查结果 are derived and
 * skipped; a sheet named after a kind group, or any sheet one of whose
 * first ten rows holds 编码, 名称 and 类型, is an entity sheet; anything
 * else is ignored with a note.  In an entity sheet the header is the first
 * such row (rows above it, an office's title, are skipped with a note),
 * else the first row; each header is matched (parentheses and spaces dropped) against the
 * column table of xlsx_common.c, its other accepted names and its token,
 * or is a made-up "编制：/属性：/列表：" column; unknown headers are
 * ignored with a note.  Each later row with any cell in a known column is
 * one entity, built as the JSON snapshot importer builds one: a
 * transaction on the branch head puts every entity and removes what the
 * head held and the workbook lacks, so the new state is exactly the
 * workbook's and the same workbook gives the same state hash.
 *
 * Cells come as text; all but free text and lists are trimmed of spaces
 * (ASCII and U+3000), and a cell of spaces only is empty.  An id, parent
 * id, code or supervisor that Excel or WPS retyped as a number ("341023100", "3.41023100E8") is read back as
 * the integer's text; a date typed as a serial number becomes YYYY-MM-DD.
 * Every error names the file and the cell, "台账.xlsx: 乡镇!C7: …", and
 * its wording goes through gettext (domain "townorg"), so the program
 * shows it in Chinese under zh_CN.
 */
#include <config.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/internal.h"
#include "base/strmap.h"
#include "io/xlsx_internal.h"
#include "townorg/transaction.h"


struct townorg_xlsx_report {
	size_t entities;
	char **notes;
	size_t n, cap;
};

size_t townorg_xlsx_report_entity_count(const townorg_xlsx_report *r)
{
	return r ? r->entities : 0;
}

size_t townorg_xlsx_report_note_count(const townorg_xlsx_report *r)
{
	return r ? r->n : 0;
}

const char *townorg_xlsx_report_note(const townorg_xlsx_report *r, size_t i)
{
	return r && i < r->n ? r->notes[i] : NULL;
}

void townorg_xlsx_report_free(townorg_xlsx_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		townorg__free(r->notes[i]);
	townorg__free(r->notes);
	townorg__free(r);
}

#ifndef HAVE_XLSX

int townorg_import_xlsx(const townorg_version **out, townorg_xlsx_report **report_out, townorg_repo *repo,
			const char *path, const townorg_xlsx_import_options *opts)
{
	(void)repo;
	(void)path;
	(void)opts;
	if (out)
		*out = NULL;
	if (report_out)
		*report_out = NULL;
	return townorg__err(TOWNORG_EINVALID, "built without workbook support (configure --with-xlsx)");
}

int townorg_import_xlsx_book(const townorg_version **out, townorg_xlsx_report **report_out, townorg_repo *repo,
			     const townorg_xlsx_book *book, const townorg_xlsx_import_options *opts)
{
	return townorg_import_xlsx(out, report_out, repo, (const char *)book, opts);
}

#else

typedef struct {
	const townorg_xlsx_book *book;
	const char *file;
	townorg_xlsx_report *rep;
	int rc;
} ictx;

static int note(ictx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(ictx *c, const char *fmt, ...)
{
	townorg_xlsx_report *r = c->rep;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (r->n == r->cap && TOWNORG__GROW(r->notes, r->cap, 8) < 0)
		return townorg__oom();
	if (!(r->notes[r->n] = townorg__strdup(buf)))
		return townorg__oom();
	r->n++;
	return 0;
}

/* An error at a cell: "FILE: SHEET!REF: message". */
static int cell_err(ictx *c, int code, const char *sheet, uint32_t row, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int cell_err(ictx *c, int code, const char *sheet, uint32_t row, uint32_t col, const char *fmt, ...)
{
	char msg[1024], ref[16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	townorg_xlsx_cell_name(ref, sizeof ref, row, col);
	return townorg__err(code, "%s: %s!%s: %s", c->file, sheet, ref, msg);
}

/* Wrap the library's last error with the cell it came from. */
static int cell_wrap(ictx *c, int rc, const char *sheet, uint32_t row, uint32_t col)
{
	if (rc == TOWNORG_ENOMEM)
		return rc;
	const char *m = townorg_error_last();
	char *copy = townorg__strdup(m ? m : "error");
	if (!copy)
		return townorg__oom();
	int code = rc == TOWNORG_EENCODING || rc == TOWNORG_EINTEGRITY ? rc : TOWNORG_EPARSE;
	rc = cell_err(c, code, sheet, row, col, "%s", copy);
	townorg__free(copy);
	return rc;
}

/* ------------------------------------------------------------ cells */

typedef struct {
	uint32_t row, col;
	const char *text;
	int number;
} rcell;

/* Trim ASCII and full-width spaces in place (returns a pointer into s). */
static char *trim(char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0) /* U+3000 */
			s += 3;
		else
			break;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		else if (n >= 3 && strncmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

/* A number cell's text as an integer's text when it is one ("3.41023100E8"
 * → "341023100"), into buf; else NULL. */
static const char *integral_text(const char *num, char *buf, size_t size)
{
	char *end;
	errno = 0;
	double d = strtod(num, &end);
	if (end == num || *end || errno || !isfinite(d) || d < 0 || d > 1e15 || floor(d) != d)
		return NULL;
	snprintf(buf, size, "%.0f", d);
	return buf;
}

/* Excel's day serial (1900 date system) as YYYY-MM-DD. */
static const char *serial_date(const char *num, char *buf, size_t size)
{
	char *end;
	errno = 0;
	double d = strtod(num, &end);
	if (end == num || *end || errno || !isfinite(d) || d < 61 || d > 2958465)
		return NULL;
	/* days since 1970-01-01 */
	long z = (long)floor(d) - 25569 + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned dd = doy - (153 * mp + 2) / 5 + 1;
	unsigned mm = mp < 10 ? mp + 3 : mp - 9;
	if (mm <= 2)
		y++;
	snprintf(buf, size, "%04d-%02u-%02u", (int)(y % 10000), mm % 13, dd % 32);
	return buf;
}

/* A date cell: YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日, or a serial number. */
static int read_date(const rcell *cl, char *buf, size_t size)
{
	if (cl->number)
		return serial_date(cl->text, buf, size) ? 0 : -1;
	unsigned y, m, d;
	char s1, s2, extra;
	if (sscanf(cl->text, "%4u%c%2u%c%2u%c", &y, &s1, &m, &s2, &d, &extra) == 5 && s1 == s2 &&
	    (s1 == '-' || s1 == '/' || s1 == '.')) {
		snprintf(buf, size, "%04u-%02u-%02u", y, m, d);
		return townorg_date_check(buf) == 0 ? 0 : -1;
	}
	/* 2008年6月1日 */
	if (sscanf(cl->text, "%4u年%2u月%2u日%c", &y, &m, &d, &extra) == 3) {
		snprintf(buf, size, "%04u-%02u-%02u", y, m, d);
		return townorg_date_check(buf) == 0 ? 0 : -1;
	}
	/* "2008-01-01 00:00:00" as some writers put datetimes */
	if (strlen(cl->text) >= 10 && sscanf(cl->text, "%4u-%2u-%2u", &y, &m, &d) == 3) {
		snprintf(buf, size, "%04u-%02u-%02u", y, m, d);
		return townorg_date_check(buf) == 0 ? 0 : -1;
	}
	return -1;
}

/* ------------------------------------------------------------ columns */

typedef struct {
	townorg__xlsx_col_id id;
	const townorg__xlsx_col *fixed;
	char *name; /* made-up columns: quota type or attribute name (owned) */
} icol;

/* A header without parenthesised parts, spaces and a leading '*'. */
static char *norm_header(const char *h)
{
	char *s = townorg__malloc(strlen(h) + 1), *o = s;
	if (!s)
		return NULL;
	int depth = 0;
	for (const char *p = h; *p;) {
		if (strncmp(p, "（", 3) == 0) {
			depth++;
			p += 3;
		} else if (strncmp(p, "）", 3) == 0) {
			if (depth)
				depth--;
			p += 3;
		} else if (*p == '(') {
			depth++;
			p++;
		} else if (*p == ')') {
			if (depth)
				depth--;
			p++;
		} else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '*') {
			p++;
		} else if (strncmp(p, "\xe3\x80\x80", 3) == 0) {
			p += 3;
		} else {
			if (!depth)
				*o++ = *p;
			p++;
		}
	}
	*o = '\0';
	return s;
}

static int alias_match(const char *aliases, const char *h)
{
	size_t n = strlen(h);
	for (const char *p = aliases; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, h, n) == 0)
			return 1;
		p = bar ? bar + 1 : p + len;
	}
	return 0;
}

/* Match a header.  0 and *out filled, or -1 for an unknown header. */
static int match_header(const char *header, icol *out)
{
	static const char *const prefix[] = { "编制", "属性", "列表" };
	memset(out, 0, sizeof *out);
	out->id = XC_UNKNOWN;
	for (int g = 0; g < 3; g++) {
		size_t pl = strlen(prefix[g]);
		if (strncmp(header, prefix[g], pl) != 0)
			continue;
		const char *rest = header + pl;
		if (strncmp(rest, "：", 3) == 0)
			rest += 3;
		else if (*rest == ':')
			rest++;
		else
			continue;
		if (!*rest)
			return -1;
		if (!(out->name = townorg__strdup(rest)))
			return TOWNORG_ENOMEM;
		out->id = (townorg__xlsx_col_id)(XC_QUOTA + g);
		return 0;
	}
	char *h = norm_header(header);
	if (!h)
		return TOWNORG_ENOMEM;
	int found = -1;
	for (int k = 0; k < XC_FIXED_COUNT && found < 0; k++) {
		const townorg__xlsx_col *c = &townorg__xlsx_cols[k];
		char *hh = norm_header(c->header);
		if (!hh) {
			townorg__free(h);
			return TOWNORG_ENOMEM;
		}
		if (strcmp(header, c->header) == 0 || strcmp(h, hh) == 0 || alias_match(c->aliases, h) ||
		    strcasecmp(h, c->token) == 0)
			found = k;
		townorg__free(hh);
	}
	townorg__free(h);
	if (found < 0)
		return -1;
	out->id = townorg__xlsx_cols[found].id;
	out->fixed = &townorg__xlsx_cols[found];
	return 0;
}

/* ------------------------------------------------------------ rows */

typedef struct {
	ictx *c;
	townorg_txn *txn;
	townorg__strmap seen; /* id → where (owned strings in `owned`) */
	char **owned;
	size_t nowned, capowned;
} ient;

static char *keep(ient *e, char *s)
{
	if (!s)
		return NULL;
	if (e->nowned == e->capowned && TOWNORG__GROW(e->owned, e->capowned, 64) < 0) {
		townorg__free(s);
		return NULL;
	}
	e->owned[e->nowned++] = s;
	return s;
}

/* The text of an id-like cell. */
static const char *id_text(const rcell *cl, char *buf, size_t size)
{
	if (cl->number) {
		const char *t = integral_text(cl->text, buf, size);
		if (t)
			return t;
	}
	return cl->text;
}

static int parse_int(const rcell *cl, int64_t *out)
{
	const char *s = cl->text;
	if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 15) {
		*out = strtoll(s, NULL, 10);
		return 0;
	}
	char buf[32];
	if (cl->number && integral_text(s, buf, sizeof buf)) {
		*out = strtoll(buf, NULL, 10);
		return 0;
	}
	return -1;
}

static int parse_area(const rcell *cl, int64_t *out)
{
	if (townorg_area_parse(out, cl->text) == 0)
		return 0;
	if (!cl->number)
		return -1;
	char *end;
	errno = 0;
	double d = strtod(cl->text, &end);
	if (end == cl->text || *end || errno || !isfinite(d) || d < 0 || d > 1e14)
		return -1;
	double t = d * 10.0, r = floor(t + 0.5);
	if (fabs(t - r) > 1e-6 * (r > 1 ? r : 1))
		return -1;
	*out = (int64_t)r;
	return 0;
}

/* A cell's text without the spaces around it (an office's typing: "镇 ",
 * " 21000"): the text itself, or a trimmed copy kept in e. */
static const char *trimmed(ient *e, const char *s)
{
	size_t n = strlen(s);
	int inner = n && s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t' && s[0] != '\n' &&
		    s[n - 1] != '\n' && s[n - 1] != '\r' && strncmp(s, "\xe3\x80\x80", 3) != 0 &&
		    (n < 3 || strcmp(s + n - 3, "\xe3\x80\x80") != 0);
	if (inner)
		return s;
	char *copy = keep(e, townorg__strdup(s));
	return copy ? trim(copy) : NULL;
}

static int entity_row_cells(ient *e, const char *sheet, const icol *cols, size_t ncols, const rcell *cells,
			    size_t n, uint32_t row, uint32_t idcol);

static int entity_row(ient *e, const char *sheet, const icol *cols, size_t ncols, const rcell *in, size_t n,
		      uint32_t row, uint32_t idcol)
{
	/* Trim every cell but free text and lists (names, ranks, functions
	 * keep their exact text); a cell of spaces only is empty. */
	rcell *cells = townorg__calloc(n ? n : 1, sizeof *cells);
	size_t m = 0;
	if (!cells)
		return townorg__oom();
	for (size_t i = 0; i < n; i++) {
		rcell cl = in[i];
		const icol *ic = cl.col < ncols ? &cols[cl.col] : NULL;
		int exact = !ic || ic->id == XC_UNKNOWN || ic->id == XC_TEXT || ic->id == XC_LIST ||
			    (ic->fixed && (ic->fixed->type == XT_TEXT || ic->fixed->type == XT_LIST) &&
			     ic->fixed->id != XC_PARENT);
		if (!exact) {
			if (!(cl.text = trimmed(e, cl.text))) {
				townorg__free(cells);
				return townorg__oom();
			}
			if (!*cl.text)
				continue;
		}
		cells[m++] = cl;
	}
	int rc = entity_row_cells(e, sheet, cols, ncols, cells, m, row, idcol);
	townorg__free(cells);
	return rc;
}

static int entity_row_cells(ient *e, const char *sheet, const icol *cols, size_t ncols, const rcell *cells,
			    size_t n, uint32_t row, uint32_t idcol)
{
	ictx *c = e->c;
	const rcell *by[XC_FIXED_COUNT] = { 0 };
	char idbuf[32], parbuf[32];
	townorg_entity_builder *b = NULL;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (cells[i].col < ncols && cols[cells[i].col].fixed)
			by[cols[cells[i].col].id] = &cells[i];
	if (!by[XC_ID])
		return cell_err(c, TOWNORG_EPARSE, sheet, row, idcol, "%s", _("the id (编码) is empty"));
	const char *id = id_text(by[XC_ID], idbuf, sizeof idbuf);
	townorg_kind kind;
	if (!by[XC_KIND])
		return cell_err(c, TOWNORG_EPARSE, sheet, row, idcol, _("entity %s: the kind (类型) is empty"), id);
	if (townorg__xlsx_kind_parse(&kind, by[XC_KIND]->text) < 0)
		return cell_err(c, TOWNORG_EPARSE, sheet, row, by[XC_KIND]->col, _("unknown kind '%s'"),
				by[XC_KIND]->text);
	const char *where = townorg__strmap_get(&e->seen, id);
	if (where)
		return cell_err(c, TOWNORG_EPARSE, sheet, row, by[XC_ID]->col, _("id '%s' appears twice (first at %s)"),
				id, where);
	{
		char ref[16], *w, *k;
		townorg_xlsx_cell_name(ref, sizeof ref, row, by[XC_ID]->col);
		size_t len = strlen(sheet) + strlen(ref) + 2;
		if (!(w = keep(e, townorg__malloc(len))) || !(k = keep(e, townorg__strdup(id))))
			return townorg__oom();
		snprintf(w, len, "%s!%s", sheet, ref);
		if ((rc = townorg__strmap_put(&e->seen, k, w)) < 0)
			return rc;
	}
	const char *parent = by[XC_PARENT] ? id_text(by[XC_PARENT], parbuf, sizeof parbuf) : NULL;
	if ((rc = townorg_entity_builder_new(&b, id, kind, by[XC_NAME] ? by[XC_NAME]->text : "", parent)) < 0)
		return cell_wrap(c, rc, sheet, row, by[XC_ID]->col);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const rcell *cl = &cells[i];
		if (cl->col >= ncols || cols[cl->col].id == XC_UNKNOWN)
			continue;
		const icol *ic = &cols[cl->col];
		int64_t v;
		char buf[32];
		if (ic->id == XC_QUOTA) {
			if (parse_int(cl, &v) < 0)
				rc = cell_err(c, TOWNORG_EPARSE, sheet, row, cl->col,
					      _("'%s' is not a non-negative whole number"), cl->text);
			else if ((rc = townorg_entity_builder_set_quota(b, ic->name, v)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
			continue;
		}
		if (ic->id == XC_TEXT) {
			if ((rc = townorg_entity_builder_set_text(b, ic->name, cl->text)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
			continue;
		}
		const townorg__xlsx_col *fc = ic->fixed;
		const char *list_name = ic->id == XC_LIST ? ic->name : (fc && fc->type == XT_LIST ? fc->token : NULL);
		if (list_name) {
			char *copy = townorg__strdup(cl->text), *save = NULL;
			if (!copy) {
				rc = townorg__oom();
				break;
			}
			for (char *line = strtok_r(copy, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
				char *t = trim(line);
				if (*t && (rc = townorg_entity_builder_list_add(b, list_name, t)) < 0)
					rc = cell_wrap(c, rc, sheet, row, cl->col);
			}
			townorg__free(copy);
			continue;
		}
		switch (fc->id) {
		case XC_ID: case XC_NAME: case XC_KIND: case XC_PARENT:
			continue;
		case XC_CLASS: {
			townorg_class cls;
			if (townorg__xlsx_class_parse(&cls, cl->text) < 0)
				rc = cell_err(c, TOWNORG_EPARSE, sheet, row, cl->col,
					      _("unknown township class '%s' (大, 中 or 小)"), cl->text);
			else if ((rc = townorg_entity_builder_set_class(b, cls)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
			continue;
		}
		default:
			break;
		}
		if (fc->type == XT_AREA) {
			if (parse_area(cl, &v) < 0)
				rc = cell_err(c, TOWNORG_EPARSE, sheet, row, cl->col,
					      _("'%s' is not an area in km² with at most one decimal"), cl->text);
			else if ((rc = townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, v)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
		} else if (fc->type == XT_INT) {
			if (parse_int(cl, &v) < 0)
				rc = cell_err(c, TOWNORG_EPARSE, sheet, row, cl->col,
					      _("'%s' is not a non-negative whole number"), cl->text);
			else if ((rc = townorg_entity_builder_set_int(b, (townorg_field)fc->field, v)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
		} else if (fc->type == XT_ENUM) {
			const char *tok = townorg__xlsx_enum_token(fc, cl->text);
			if (!tok)
				rc = cell_err(c, TOWNORG_EPARSE, sheet, row, cl->col, _("unknown value '%s' for %s"),
					      cl->text, fc->header);
			else if ((rc = townorg_entity_builder_set_text(b, fc->token, tok)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
		} else {
			const char *t = fc->type == XT_ID ? id_text(cl, buf, sizeof buf) : cl->text;
			if ((rc = townorg_entity_builder_set_text(b, fc->token, t)) < 0)
				rc = cell_wrap(c, rc, sheet, row, cl->col);
		}
	}
	if (rc == 0 && (rc = townorg_txn_put_builder(e->txn, b)) < 0)
		rc = cell_wrap(c, rc, sheet, row, by[XC_ID]->col);
	if (rc == 0)
		c->rep->entities++;
	townorg_entity_builder_free(b);
	return rc;
}

#define HEADER_SEARCH_ROWS 10

/* The index of the first cell of the header row: the first of the sheet's
 * first HEADER_SEARCH_ROWS rows that holds 编码, 名称 and 类型 (an office's
 * workbook often has a title row above it), or -1 when none does. */
static long header_row(const rcell *cells, size_t n)
{
	size_t i = 0;
	for (int rows = 0; i < n && rows < HEADER_SEARCH_ROWS; rows++) {
		int have[XC_FIXED_COUNT] = { 0 };
		size_t start = i;
		uint32_t row = cells[i].row;
		for (; i < n && cells[i].row == row; i++) {
			icol ic;
			if (match_header(cells[i].text, &ic) == 0 && ic.fixed)
				have[ic.id] = 1;
			townorg__free(ic.name);
		}
		if (have[XC_ID] && have[XC_NAME] && have[XC_KIND])
			return (long)start;
	}
	return -1;
}

/* The cells of sheet s as rcells (borrowed text). */
static rcell *sheet_cells(const townorg_xlsx_book *book, size_t s, size_t *n)
{
	*n = townorg_xlsx_cell_count(book, s);
	rcell *cells = townorg__calloc(*n ? *n : 1, sizeof *cells);
	if (!cells)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		townorg_xlsx_cell_at(book, s, i, &cells[i].row, &cells[i].col, &cells[i].text, &cells[i].number);
	return cells;
}

static int entity_sheet(ient *e, const char *sheet, const rcell *cells, size_t n)
{
	ictx *c = e->c;
	if (n == 0)
		return 0;
	long h0 = header_row(cells, n);
	int rc0;
	if (h0 > 0) {
		char ref[16];
		townorg_xlsx_cell_name(ref, sizeof ref, cells[h0].row, 0);
		if ((rc0 = note(c, _("%s: the header is row %s; the rows above it are ignored"), sheet, ref + 1)) < 0)
			return rc0;
		cells += h0;
		n -= (size_t)h0;
	}
	uint32_t hrow = cells[0].row, maxcol = 0;
	size_t i = 0;
	while (i < n && cells[i].row == hrow) {
		if (cells[i].col > maxcol)
			maxcol = cells[i].col;
		i++;
	}
	size_t ncols = (size_t)maxcol + 1;
	icol *cols = townorg__calloc(ncols, sizeof *cols);
	int rc = 0, seen[XC_FIXED_COUNT];
	uint32_t idcol = 0;
	if (!cols)
		return townorg__oom();
	for (size_t k = 0; k < ncols; k++)
		cols[k].id = XC_UNKNOWN;
	for (int k = 0; k < XC_FIXED_COUNT; k++)
		seen[k] = -1;
	for (size_t k = 0; k < i && rc == 0; k++) {
		const rcell *h = &cells[k];
		icol *ic = &cols[h->col];
		int m = match_header(h->text, ic);
		if (m == TOWNORG_ENOMEM) {
			rc = townorg__oom();
		} else if (m < 0) {
			char ref[16];
			townorg_xlsx_cell_name(ref, sizeof ref, h->row, h->col);
			rc = note(c, _("%s!%s: column '%s' is not part of the 台账 layout: ignored"), sheet, ref, h->text);
		} else if (ic->fixed) {
			if (seen[ic->id] >= 0) {
				char ref[16];
				townorg_xlsx_cell_name(ref, sizeof ref, hrow, (uint32_t)seen[ic->id]);
				rc = cell_err(c, TOWNORG_EPARSE, sheet, h->row, h->col,
					      _("column '%s' appears twice (first at %s)"), h->text, ref);
			}
			seen[ic->id] = (int)h->col;
		} else {
			for (size_t j = 0; j < h->col && rc == 0; j++)
				if (cols[j].id == ic->id && cols[j].name && strcmp(cols[j].name, ic->name) == 0)
					rc = cell_err(c, TOWNORG_EPARSE, sheet, h->row, h->col,
						      _("column '%s' appears twice"), h->text);
		}
	}
	static const townorg__xlsx_col_id required[] = { XC_ID, XC_NAME, XC_KIND };
	for (size_t k = 0; k < 3 && rc == 0; k++)
		if (seen[required[k]] < 0) {
			char ref[16];
			townorg_xlsx_cell_name(ref, sizeof ref, hrow, 0);
			rc = townorg__err(TOWNORG_EPARSE, "%s: %s!%s: %s '%s'", c->file, sheet, ref,
					  _("the header row lacks the required column"),
					  townorg__xlsx_cols[required[k]].header);
		}
	if (rc == 0)
		idcol = (uint32_t)seen[XC_ID];
	/* the rows */
	while (i < n && rc == 0) {
		size_t start = i;
		uint32_t row = cells[i].row;
		int any = 0;
		while (i < n && cells[i].row == row) {
			if (cells[i].col < ncols && cols[cells[i].col].id != XC_UNKNOWN)
				any = 1;
			i++;
		}
		if (any)
			rc = entity_row(e, sheet, cols, ncols, cells + start, i - start, row, idcol);
	}
	for (size_t k = 0; k < ncols; k++)
		townorg__free(cols[k].name);
	townorg__free(cols);
	return rc;
}

/* ------------------------------------------------------------ 说明, 事件 */

typedef struct {
	char eff[16], docdate[16];
	const char *doc_number, *doc_issuer, *doc_title, *message, *state_hash;
	int has_eff, has_docdate;
} info;

static int info_sheet(ictx *c, const char *sheet, const rcell *cells, size_t n, info *in)
{
	for (size_t i = 0; i < n; i++) {
		if (cells[i].col != 0 || i + 1 >= n || cells[i + 1].row != cells[i].row || cells[i + 1].col != 1)
			continue;
		const char *k = cells[i].text;
		const rcell *v = &cells[i + 1];
		if (strcmp(k, "生效日期") == 0 || strcmp(k, "发文日期") == 0) {
			int eff = strcmp(k, "生效日期") == 0;
			char *buf = eff ? in->eff : in->docdate;
			if (read_date(v, buf, 16) < 0)
				return cell_err(c, TOWNORG_EPARSE, sheet, v->row, v->col,
						_("'%s' is not a date (YYYY-MM-DD)"), v->text);
			if (eff)
				in->has_eff = 1;
			else
				in->has_docdate = 1;
		} else if (strcmp(k, "文号") == 0) {
			in->doc_number = v->text;
		} else if (strcmp(k, "发文机关") == 0) {
			in->doc_issuer = v->text;
		} else if (strcmp(k, "文件标题") == 0) {
			in->doc_title = v->text;
		} else if (strcmp(k, "说明") == 0) {
			in->message = v->text;
		} else if (strcmp(k, "状态哈希") == 0) {
			in->state_hash = v->text;
		}
	}
	return 0;
}

/* Split a cell's lines into an array of trimmed, non-empty strings kept
 * in e. */
static int split_lines(ient *e, const rcell *cl, const char ***out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!cl)
		return 0;
	char *copy = keep(e, townorg__strdup(cl->text)), *save = NULL;
	if (!copy)
		return townorg__oom();
	size_t cap = 1;
	for (const char *p = copy; *p; p++)
		cap += *p == '\n';
	const char **arr = (const char **)keep(e, (char *)townorg__calloc(cap, sizeof *arr));
	if (!arr)
		return townorg__oom();
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t = trim(line);
		if (*t)
			arr[(*count)++] = t;
	}
	*out = arr;
	return 0;
}

static int events_sheet(ient *e, const char *sheet, const rcell *cells, size_t n)
{
	ictx *c = e->c;
	static const char *const heads[] = { "事件编号", "类型", "原编码", "新编码", "文号", "日期", "原文表述" };
	int colof[7] = { -1, -1, -1, -1, -1, -1, -1 };
	size_t i = 0;
	if (n == 0)
		return 0;
	uint32_t hrow = cells[0].row;
	for (; i < n && cells[i].row == hrow; i++)
		for (int k = 0; k < 7; k++)
			if (strcmp(cells[i].text, heads[k]) == 0)
				colof[k] = (int)cells[i].col;
	if (colof[1] < 0)
		return townorg__err(TOWNORG_EPARSE, "%s: %s!A%lu: %s '%s'", c->file, sheet, (unsigned long)hrow + 1,
				    _("the header row lacks the required column"), "类型");
	while (i < n) {
		const rcell *by[7] = { 0 };
		uint32_t row = cells[i].row;
		for (; i < n && cells[i].row == row; i++)
			for (int k = 0; k < 7; k++)
				if (colof[k] >= 0 && cells[i].col == (uint32_t)colof[k])
					by[k] = &cells[i];
		if (!by[1])
			return cell_err(c, TOWNORG_EPARSE, sheet, row, (uint32_t)colof[1], "%s",
					_("the event kind (类型) is empty"));
		int kind;
		if (townorg__xlsx_event_parse(&kind, by[1]->text) < 0)
			return cell_err(c, TOWNORG_EPARSE, sheet, row, by[1]->col, _("unknown event kind '%s'"),
					by[1]->text);
		townorg_event ev = TOWNORG_EVENT_INIT;
		char date[16];
		int rc;
		ev.kind = (townorg_event_kind)kind;
		ev.event_id = by[0] ? by[0]->text : NULL;
		if ((rc = split_lines(e, by[2], (const char ***)&ev.from_ids, &ev.from_count)) < 0 ||
		    (rc = split_lines(e, by[3], (const char ***)&ev.to_ids, &ev.to_count)) < 0 ||
		    (rc = split_lines(e, by[4], (const char ***)&ev.documents, &ev.document_count)) < 0)
			return rc;
		if (by[5]) {
			if (read_date(by[5], date, sizeof date) < 0)
				return cell_err(c, TOWNORG_EPARSE, sheet, row, by[5]->col,
						_("'%s' is not a date (YYYY-MM-DD)"), by[5]->text);
			ev.date = date;
		}
		ev.wording = by[6] ? by[6]->text : NULL;
		if ((rc = townorg_txn_add_event(e->txn, &ev)) < 0)
			return cell_wrap(c, rc, sheet, row, by[1]->col);
	}
	return 0;
}

/* ------------------------------------------------------------ the import */

static int group_sheet(const char *name)
{
	for (int g = 0; g < XLSX_GROUP_COUNT; g++)
		if (strcmp(townorg__xlsx_groups[g].sheet, name) == 0)
			return g;
	return -1;
}

int townorg_import_xlsx_book(const townorg_version **out, townorg_xlsx_report **report_out, townorg_repo *repo,
			     const townorg_xlsx_book *book, const townorg_xlsx_import_options *opts)
{
	townorg_xlsx_import_options o = TOWNORG_XLSX_IMPORT_OPTIONS_INIT;
	ictx c = { book, NULL, NULL, 0 };
	ient e = { &c, NULL, { 0 }, NULL, 0, 0 };
	info in = { { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL, 0, 0 };
	townorg_iterator *it = NULL;
	townorg_version *pre = NULL;
	const char **gone = NULL;
	rcell **all = NULL;
	size_t *counts = NULL, nsheets = townorg_xlsx_sheet_count(book);
	int rc = 0, entity_sheets = 0;
	if (out)
		*out = NULL;
	if (report_out)
		*report_out = NULL;
	if (!repo || !book)
		return townorg__err(TOWNORG_EINVALID, "townorg_import_xlsx: no repository or no workbook");
	if (opts) {
		if (opts->version != TOWNORG_XLSX_IMPORT_OPTIONS_VERSION)
			return townorg__err(TOWNORG_EINVALID, "workbook import options of an unknown version");
		o = *opts;
	}
	if (o.meta && o.meta->version != TOWNORG_META_VERSION)
		return townorg__err(TOWNORG_EINVALID, "metadata struct of an unknown version");
	c.file = townorg__xlsx_book_name(book);
	if (!(c.rep = townorg__calloc(1, sizeof *c.rep)) || !(all = townorg__calloc(nsheets + 1, sizeof *all)) ||
	    !(counts = townorg__calloc(nsheets + 1, sizeof *counts))) {
		rc = townorg__oom();
		goto out;
	}
	for (size_t s = 0; s < nsheets; s++)
		if (!(all[s] = sheet_cells(book, s, &counts[s]))) {
			rc = townorg__oom();
			goto out;
		}
	if ((rc = townorg_txn_new_on_branch(&e.txn, repo, o.branch ? o.branch : "main")) < 0)
		goto out;
	for (size_t s = 0; s < nsheets && rc == 0; s++) {
		const char *name = townorg_xlsx_sheet_name(book, s);
		if (strcmp(name, XLSX_SHEET_INFO) == 0) {
			rc = info_sheet(&c, name, all[s], counts[s], &in);
		} else if (strcmp(name, XLSX_SHEET_EVENTS) == 0) {
			if (o.with_events)
				rc = events_sheet(&e, name, all[s], counts[s]);
		} else if (strcmp(name, XLSX_SHEET_CHANGES) == 0 || strcmp(name, XLSX_SHEET_RATES) == 0 ||
			   strcmp(name, XLSX_SHEET_FINDINGS) == 0) {
			continue; /* derived from the entities: nothing to read */
		} else if (group_sheet(name) >= 0 || header_row(all[s], counts[s]) >= 0) {
			entity_sheets++;
			if (group_sheet(name) < 0)
				rc = note(&c, _("sheet '%s' read as an entity sheet (its header has 编码, 名称 and 类型)"),
					  name);
			if (rc == 0)
				rc = entity_sheet(&e, name, all[s], counts[s]);
		} else {
			rc = note(&c, _("sheet '%s' is not part of the 台账 layout: ignored"), name);
		}
	}
	if (rc < 0)
		goto out;
	if (!entity_sheets) {
		static const char *const table_set[] = { "versions", "base", "版本", "基础" };
		for (size_t s = 0; s < nsheets; s++)
			for (size_t k = 0; k < 4; k++)
				if (strcasecmp(townorg_xlsx_sheet_name(book, s), table_set[k]) == 0) {
					rc = townorg__err(TOWNORG_EPARSE, "%s: %s", c.file,
							  _("a workbook of CSV tables (sheets versions, base, changes, "
							    "events), not a 台账: save its sheets as CSV files and import "
							    "the folder, or use Python's import_excel"));
					goto out;
				}
		rc = townorg__err(TOWNORG_EPARSE, "%s: %s", c.file,
				  _("no entity sheet (区划, 县直部门, 乡镇, 机构, 村社区, or a sheet with the columns 编码, "
				    "名称 and 类型)"));
		goto out;
	}
	/* Remove what the head holds and the workbook lacks. */
	const townorg_version *head = NULL;
	if (townorg_repo_branch_head(&head, repo, o.branch ? o.branch : "main") == 0 && head) {
		const townorg_entity *ent;
		size_t n_gone = 0;
		if ((rc = townorg_iterator_new(&it, head)) < 0)
			goto out;
		if (!(gone = townorg__calloc(townorg_version_entity_count(head) + 1, sizeof *gone))) {
			rc = townorg__oom();
			goto out;
		}
		while (townorg_iterator_next(&ent, it) == 0)
			if (!townorg__strmap_get(&e.seen, townorg_entity_id(ent)))
				gone[n_gone++] = townorg_entity_id(ent);
		for (size_t i = 0; i < n_gone && rc == 0; i++)
			rc = townorg_txn_remove(e.txn, gone[i]);
		if (rc < 0)
			goto out;
	}
	townorg_meta m = TOWNORG_META_INIT;
	if (o.meta)
		m = *o.meta;
	if (!m.effective_date && in.has_eff)
		m.effective_date = in.eff;
	if (!m.doc_date && in.has_docdate)
		m.doc_date = in.docdate;
	if (!m.doc_number)
		m.doc_number = in.doc_number;
	if (!m.doc_issuer)
		m.doc_issuer = in.doc_issuer;
	if (!m.doc_title)
		m.doc_title = in.doc_title;
	if (!m.message)
		m.message = in.message;
	if ((rc = townorg_txn_set_meta(e.txn, &m)) < 0) {
		rc = townorg__err(rc, "%s: %s: %s", c.file, XLSX_SHEET_INFO, townorg_error_last());
		goto out;
	}
	if ((rc = townorg_txn_preview(&pre, e.txn)) < 0) {
		if (rc != TOWNORG_ENOMEM)
			rc = townorg__err(rc, "%s: %s", c.file, townorg_error_last());
		goto out;
	}
	if (in.state_hash && strcmp(in.state_hash, townorg_version_state_hash(pre)) != 0 &&
	    (rc = note(&c, _("the entities differ from those of the version the workbook was exported from (状态哈希 "
			     "%.12s, now %.12s): the workbook was edited"),
		       in.state_hash, townorg_version_state_hash(pre))) < 0)
		goto out;
	if ((rc = townorg_txn_commit(out, e.txn)) < 0) {
		if (rc != TOWNORG_ENOMEM)
			rc = townorg__err(rc, "%s: %s", c.file, townorg_error_last());
		goto out;
	}
out:
	townorg_iterator_free(it);
	townorg__free(gone);
	townorg_version_free(pre);
	townorg_txn_free(e.txn);
	townorg__strmap_free(&e.seen);
	for (size_t i = 0; i < e.nowned; i++)
		townorg__free(e.owned[i]);
	townorg__free(e.owned);
	if (all)
		for (size_t s = 0; s < nsheets; s++)
			townorg__free(all[s]);
	townorg__free(all);
	townorg__free(counts);
	if (rc == 0 && report_out)
		*report_out = c.rep;
	else
		townorg_xlsx_report_free(c.rep);
	return rc;
}

int townorg_import_xlsx(const townorg_version **out, townorg_xlsx_report **report_out, townorg_repo *repo,
			const char *path, const townorg_xlsx_import_options *opts)
{
	townorg_xlsx_book *book;
	if (out)
		*out = NULL;
	if (report_out)
		*report_out = NULL;
	int rc = townorg_xlsx_open(&book, path);
	if (rc < 0)
		return rc;
	rc = townorg_import_xlsx_book(out, report_out, repo, book, opts);
	townorg_xlsx_close(book);
	return rc;
}

#endif /* HAVE_XLSX */

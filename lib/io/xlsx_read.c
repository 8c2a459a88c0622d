/*
 * lib/xlsx_read.c — the low-level workbook reader: an .xlsx file (an Office
 * Open XML zip archive) into its worksheets and their cells as text, with
 * minizip (the zip container, read from memory through a custom ioapi) and
 * expat (the XML parts).  Debian 12 has no C library that reads xlsx; this
 * is the smallest reader that takes what Excel, WPS, LibreOffice, openpyxl
 * and libxlsxwriter write.
 *
 * Parts read: _rels/.rels (where the workbook is), the workbook
 * (xl/workbook.xml: sheet names in order and their relationship ids), its
 * relationships (xl/_rels/workbook.xml.rels: the worksheet and shared
 * strings parts), the shared strings table and each worksheet.  Cells:
 * t="s" (a shared string, rich text runs concatenated, phonetic runs
 * <rPh> skipped), t="inlineStr" (<is>), t="str" (a formula's cached text),
 * t="b" (TRUE/FALSE), t="e" (an error value such as #N/A, kept as text),
 * t="d" (ISO date text) and numbers (no t, or t="n": the number's text as
 * written, flagged as a number).  Styles are not read: whether a number is
 * a date is decided by the importer from the column it is in.  The expat
 * parser is namespace-aware, so prefixed element names (x:c) are fine.
 *
 * Bounds: a part may hold at most 512 MiB uncompressed (a zip bomb stops
 * there), rows and columns stay within Excel's 1048576 × 16384, and a cell
 * appearing twice is an error.  Every error names the workbook and the
 * part (and for XML, the line).
 */
#include <config.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/internal.h"
#include "io/xlsx_internal.h"


int townorg_xlsx_cell_name(char *buf, size_t size, uint32_t row, uint32_t col)
{
	char letters[8];
	int n = 0;
	uint32_t c = col + 1;
	if (!buf || size < 16)
		return townorg__err(TOWNORG_EINVALID, "townorg_xlsx_cell_name: buffer too small");
	while (c > 0 && n < 7) {
		uint32_t m = (c - 1) % 26;
		letters[n++] = (char)('A' + m);
		c = (c - 1) / 26;
	}
	int k = 0;
	while (n > 0)
		buf[k++] = letters[--n];
	snprintf(buf + k, size - (size_t)k, "%lu", (unsigned long)row + 1);
	return 0;
}

#ifndef HAVE_XLSX

static int no_xlsx(void)
{
	return townorg__err(TOWNORG_EINVALID, "built without workbook support (configure --with-xlsx)");
}

int townorg_xlsx_open(townorg_xlsx_book **out, const char *path)
{
	(void)path;
	if (out)
		*out = NULL;
	return no_xlsx();
}

int townorg_xlsx_open_memory(townorg_xlsx_book **out, const void *data, size_t len, const char *name)
{
	(void)data;
	(void)len;
	(void)name;
	if (out)
		*out = NULL;
	return no_xlsx();
}

void townorg_xlsx_close(townorg_xlsx_book *book)
{
	(void)book;
}

size_t townorg_xlsx_sheet_count(const townorg_xlsx_book *book)
{
	(void)book;
	return 0;
}

const char *townorg_xlsx_sheet_name(const townorg_xlsx_book *book, size_t i)
{
	(void)book;
	(void)i;
	return NULL;
}

size_t townorg_xlsx_cell_count(const townorg_xlsx_book *book, size_t sheet)
{
	(void)book;
	(void)sheet;
	return 0;
}

int townorg_xlsx_cell_at(const townorg_xlsx_book *book, size_t sheet, size_t i, uint32_t *row, uint32_t *col,
			 const char **text, int *is_number)
{
	(void)book;
	(void)sheet;
	(void)i;
	(void)row;
	(void)col;
	(void)text;
	(void)is_number;
	return TOWNORG_ENOTFOUND;
}

#else

#include <expat.h>
#include <minizip/unzip.h>

#define MAX_PART (512u << 20)
#define MAX_ROWS 1048576u
#define MAX_COLS 16384u

typedef struct {
	uint32_t row, col;
	uint32_t seq;   /* order in the file, for a stable sort */
	int number;
	char *text;
} xcell;

typedef struct {
	char *name;
	size_t n, cap;
	xcell *cells;
} xsheet;

struct townorg_xlsx_book {
	char *name;
	size_t nsheets;
	xsheet *sheets;
};

/* ------------------------------------------------------------ zip in memory */

typedef struct {
	const unsigned char *data;
	size_t len, pos;
} memzip;

static voidpf ZCALLBACK mz_open(voidpf opaque, const char *filename, int mode)
{
	(void)filename;
	(void)mode;
	((memzip *)opaque)->pos = 0;
	return opaque;
}

static uLong ZCALLBACK mz_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
	memzip *m = stream;
	(void)opaque;
	size_t left = m->len - m->pos;
	size_t n = size < left ? size : left;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (uLong)n;
}

static uLong ZCALLBACK mz_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
	(void)opaque;
	(void)stream;
	(void)buf;
	(void)size;
	return 0;
}

static long ZCALLBACK mz_tell(voidpf opaque, voidpf stream)
{
	(void)opaque;
	return (long)((memzip *)stream)->pos;
}

static long ZCALLBACK mz_seek(voidpf opaque, voidpf stream, uLong offset, int origin)
{
	memzip *m = stream;
	(void)opaque;
	size_t base;
	switch (origin) {
	case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
	case ZLIB_FILEFUNC_SEEK_CUR: base = m->pos; break;
	case ZLIB_FILEFUNC_SEEK_END: base = m->len; break;
	default: return -1;
	}
	if (offset > m->len - base)
		return -1;
	m->pos = base + offset;
	return 0;
}

static int ZCALLBACK mz_close(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static int ZCALLBACK mz_error(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

/* Read one part.  ENOTFOUND (without a message) when absent. */
static int read_part(const townorg_xlsx_book *b, unzFile uf, const char *part, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (unzLocateFile(uf, part, 2) != UNZ_OK)
		return TOWNORG_ENOTFOUND;
	unz_file_info info;
	if (unzGetCurrentFileInfo(uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return townorg__err(TOWNORG_EPARSE, "%s: %s: damaged zip entry", b->name, part);
	if (info.uncompressed_size > MAX_PART)
		return townorg__err(TOWNORG_EPARSE, "%s: %s: part larger than %u MiB", b->name, part, MAX_PART >> 20);
	if (unzOpenCurrentFile(uf) != UNZ_OK)
		return townorg__err(TOWNORG_EPARSE, "%s: %s: cannot open the zip entry (encrypted or damaged)",
				    b->name, part);
	townorg__buf buf = { 0 };
	char chunk[65536];
	int n, rc = 0;
	while ((n = unzReadCurrentFile(uf, chunk, sizeof chunk)) > 0) {
		if (buf.len + (size_t)n > MAX_PART) {
			rc = townorg__err(TOWNORG_EPARSE, "%s: %s: part larger than %u MiB", b->name, part,
					  MAX_PART >> 20);
			break;
		}
		townorg__buf_put(&buf, chunk, (size_t)n);
	}
	if (rc == 0 && n < 0)
		rc = townorg__err(TOWNORG_EPARSE, "%s: %s: damaged zip entry (error %d)", b->name, part, n);
	int cr = unzCloseCurrentFile(uf);
	if (rc == 0 && cr == UNZ_CRCERROR)
		rc = townorg__err(TOWNORG_EPARSE, _("%s: %s: damaged zip entry (checksum mismatch)"), b->name, part);
	if (rc == 0 && buf.failed)
		rc = townorg__oom();
	if (rc < 0) {
		townorg__buf_free(&buf);
		return rc;
	}
	*len = buf.len;
	*out = buf.data ? (char *)buf.data : townorg__strdup("");
	if (!*out)
		return townorg__oom();
	return 0;
}

/* ------------------------------------------------------------ XML */

/* The local name of a namespace-qualified expat name "uri|local". */
static const char *local(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *name, int namespaced)
{
	for (size_t i = 0; atts[i]; i += 2) {
		int has_ns = strchr(atts[i], '|') != NULL;
		if (has_ns == namespaced && strcmp(local(atts[i]), name) == 0)
			return atts[i + 1];
	}
	return NULL;
}

typedef struct px px;
struct px {
	const townorg_xlsx_book *b;
	const char *part;
	XML_Parser p;
	int rc;
	/* text being collected */
	townorg__buf text;
	int collect;
	/* the workbook */
	char **sheet_names, **sheet_rids;
	size_t nsheets, cap_sheets;
	/* relationships */
	char **rel_ids, **rel_targets, **rel_types;
	size_t nrels, cap_rels;
	/* shared strings */
	char **sst;
	size_t nsst, cap_sst;
	int in_si, in_rph, in_t;
	/* a worksheet */
	xsheet *sheet;
	uint32_t row, col, seq;
	int in_cell, in_v, in_is, cell_number;
	char ctype[16];
	int have_row;
};

static void fail(px *x, int code, const char *fmt, const char *arg)
{
	if (x->rc == 0) {
		char msg[256];
		snprintf(msg, sizeof msg, fmt, arg ? arg : "");
		x->rc = townorg__err(code, "%s: %s:%lu: %s", x->b->name, x->part,
				     (unsigned long)XML_GetCurrentLineNumber(x->p), msg);
	}
	XML_StopParser(x->p, XML_FALSE);
}

static void oom(px *x)
{
	if (x->rc == 0)
		x->rc = townorg__oom();
	XML_StopParser(x->p, XML_FALSE);
}

static int push(px *x, char ***arr, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap && TOWNORG__GROW(*arr, *cap, 16) < 0) {
		oom(x);
		return -1;
	}
	char *d = townorg__strdup(s ? s : "");
	if (!d) {
		oom(x);
		return -1;
	}
	(*arr)[(*n)++] = d;
	return 0;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	px *x = ud;
	if (x->collect && x->rc == 0)
		townorg__buf_put(&x->text, s, (size_t)len);
}

static char *take_text(px *x)
{
	townorg__buf_putc(&x->text, 0);
	if (x->text.failed) {
		oom(x);
		return NULL;
	}
	char *s = (char *)x->text.data;
	x->text.data = NULL;
	x->text.len = x->text.cap = 0;
	return s;
}

/* workbook.xml */
static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	px *x = ud;
	if (strcmp(local(name), "sheet") != 0)
		return;
	const char *n = attr(atts, "name", 0), *rid = attr(atts, "id", 1);
	if (!n || !rid) {
		fail(x, TOWNORG_EPARSE, "a <sheet> without a name or r:id%s", NULL);
		return;
	}
	if (push(x, &x->sheet_names, &x->nsheets, &x->cap_sheets, n) < 0)
		return;
	/* the rids run parallel to the names, with the same capacity */
	char **p = townorg__realloc(x->sheet_rids, x->cap_sheets * sizeof *p);
	if (!p) {
		townorg__free(x->sheet_names[--x->nsheets]);
		oom(x);
		return;
	}
	x->sheet_rids = p;
	if (!(x->sheet_rids[x->nsheets - 1] = townorg__strdup(rid))) {
		townorg__free(x->sheet_names[--x->nsheets]);
		oom(x);
	}
}

/* *.rels */
static void XMLCALL rel_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	px *x = ud;
	if (strcmp(local(name), "Relationship") != 0)
		return;
	const char *id = attr(atts, "Id", 0), *target = attr(atts, "Target", 0), *type = attr(atts, "Type", 0);
	if (!id || !target)
		return;
	if (x->nrels == x->cap_rels) {
		size_t nc = x->cap_rels ? x->cap_rels * 2 : 16;
		char ***arrs[] = { &x->rel_ids, &x->rel_targets, &x->rel_types };
		for (int k = 0; k < 3; k++) {
			char **p = townorg__realloc(*arrs[k], nc * sizeof *p);
			if (!p) {
				oom(x);
				return;
			}
			for (size_t j = x->cap_rels; j < nc; j++)
				p[j] = NULL;
			*arrs[k] = p;
		}
		x->cap_rels = nc;
	}
	size_t i = x->nrels++;
	x->rel_ids[i] = townorg__strdup(id);
	x->rel_targets[i] = townorg__strdup(target);
	x->rel_types[i] = townorg__strdup(type ? type : "");
	if (!x->rel_ids[i] || !x->rel_targets[i] || !x->rel_types[i])
		oom(x);
}

/* sharedStrings.xml */
static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	px *x = ud;
	const char *l = local(name);
	(void)atts;
	if (strcmp(l, "si") == 0) {
		x->in_si = 1;
		x->text.len = 0;
	} else if (strcmp(l, "rPh") == 0) {
		x->in_rph++;
	} else if (strcmp(l, "t") == 0 && x->in_si && !x->in_rph) {
		x->collect = 1;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	px *x = ud;
	const char *l = local(name);
	if (strcmp(l, "t") == 0) {
		x->collect = 0;
	} else if (strcmp(l, "rPh") == 0) {
		if (x->in_rph)
			x->in_rph--;
	} else if (strcmp(l, "si") == 0 && x->in_si) {
		x->in_si = 0;
		char *s = take_text(x);
		if (!s)
			return;
		if (x->nsst == x->cap_sst && TOWNORG__GROW(x->sst, x->cap_sst, 64) < 0) {
			townorg__free(s);
			oom(x);
			return;
		}
		x->sst[x->nsst++] = s;
	}
}

/* "C7" → row 6, col 2.  -1 when malformed. */
static int parse_ref(const char *r, uint32_t *row, uint32_t *col)
{
	uint32_t c = 0, w = 0;
	int nl = 0;
	while (*r >= 'A' && *r <= 'Z') {
		c = c * 26 + (uint32_t)(*r++ - 'A' + 1);
		if (++nl > 3)
			return -1;
	}
	while (*r >= 'a' && *r <= 'z') { /* lower case, seen in the wild */
		c = c * 26 + (uint32_t)(*r++ - 'a' + 1);
		if (++nl > 3)
			return -1;
	}
	if (nl == 0 || *r < '1' || *r > '9')
		return -1;
	int nd = 0;
	while (*r >= '0' && *r <= '9') {
		w = w * 10 + (uint32_t)(*r++ - '0');
		if (++nd > 7)
			return -1;
	}
	if (*r || c > MAX_COLS || w > MAX_ROWS)
		return -1;
	*row = w - 1;
	*col = c - 1;
	return 0;
}

static void XMLCALL ws_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	px *x = ud;
	const char *l = local(name);
	if (strcmp(l, "row") == 0) {
		const char *r = attr(atts, "r", 0);
		if (r) {
			char *end;
			errno = 0;
			unsigned long v = strtoul(r, &end, 10);
			if (*end || v == 0 || v > MAX_ROWS || errno) {
				fail(x, TOWNORG_EPARSE, "bad row number '%.20s'", r);
				return;
			}
			x->row = (uint32_t)(v - 1);
		} else {
			x->row = x->have_row ? x->row + 1 : 0;
		}
		if (x->row >= MAX_ROWS) {
			fail(x, TOWNORG_EPARSE, "too many rows%s", NULL);
			return;
		}
		x->have_row = 1;
		x->col = UINT32_MAX; /* the next cell without r is column A */
	} else if (strcmp(l, "c") == 0) {
		const char *r = attr(atts, "r", 0), *t = attr(atts, "t", 0);
		if (r) {
			uint32_t row, col;
			if (parse_ref(r, &row, &col) < 0) {
				fail(x, TOWNORG_EPARSE, "bad cell reference '%.20s'", r);
				return;
			}
			x->row = row;
			x->col = col;
			x->have_row = 1;
		} else {
			x->col = x->col == UINT32_MAX ? 0 : x->col + 1;
			if (x->col >= MAX_COLS) {
				fail(x, TOWNORG_EPARSE, "too many columns%s", NULL);
				return;
			}
		}
		snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
		x->in_cell = 1;
		x->text.len = 0;
		x->collect = 0;
	} else if (x->in_cell) {
		if (strcmp(l, "v") == 0 && !x->in_is) {
			x->in_v = 1;
			x->collect = 1;
		} else if (strcmp(l, "is") == 0) {
			x->in_is = 1;
		} else if (strcmp(l, "rPh") == 0) {
			x->in_rph++;
		} else if (strcmp(l, "t") == 0 && x->in_is && !x->in_rph) {
			x->collect = 1;
		}
	}
}

static void add_cell(px *x)
{
	const char *t = x->ctype;
	char *s = take_text(x);
	if (!s)
		return;
	int number = 0;
	char *val = s;
	if (strcmp(t, "s") == 0) {
		char *end;
		errno = 0;
		unsigned long i = strtoul(s, &end, 10);
		if (!*s || *end || errno || i >= x->nsst) {
			char ref[16];
			townorg_xlsx_cell_name(ref, sizeof ref, x->row, x->col);
			townorg__free(s);
			fail(x, TOWNORG_EPARSE, "cell %s: no such shared string", ref);
			return;
		}
		val = townorg__strdup(x->sst[i]);
		townorg__free(s);
		if (!val) {
			oom(x);
			return;
		}
	} else if (strcmp(t, "b") == 0) {
		val = townorg__strdup(strcmp(s, "1") == 0 ? "TRUE" : "FALSE");
		int empty = !*s;
		townorg__free(s);
		if (!val) {
			oom(x);
			return;
		}
		if (empty)
			*val = '\0';
	} else if (strcmp(t, "n") == 0) {
		number = 1;
	}
	/* inlineStr, str, e, d: the text as it is */
	if (!*val) {
		townorg__free(val);
		return;
	}
	if (!townorg__utf8_valid(val, strlen(val), true)) {
		char ref[16];
		townorg_xlsx_cell_name(ref, sizeof ref, x->row, x->col);
		townorg__free(val);
		fail(x, TOWNORG_EENCODING, "cell %s: not valid UTF-8 text", ref);
		return;
	}
	xsheet *sh = x->sheet;
	if (sh->n == sh->cap && TOWNORG__GROW(sh->cells, sh->cap, 64) < 0) {
		townorg__free(val);
		oom(x);
		return;
	}
	sh->cells[sh->n++] = (xcell){ x->row, x->col, x->seq++, number, val };
}

static void XMLCALL ws_end(void *ud, const XML_Char *name)
{
	px *x = ud;
	const char *l = local(name);
	if (!x->in_cell)
		return;
	if (strcmp(l, "c") == 0) {
		x->collect = 0;
		x->in_cell = x->in_v = x->in_is = x->in_rph = 0;
		add_cell(x);
	} else if (strcmp(l, "v") == 0) {
		x->in_v = 0;
		x->collect = 0;
	} else if (strcmp(l, "t") == 0) {
		x->collect = 0;
	} else if (strcmp(l, "is") == 0) {
		x->in_is = 0;
	} else if (strcmp(l, "rPh") == 0) {
		if (x->in_rph)
			x->in_rph--;
	}
}

static int parse_xml(px *x, const char *part, const char *data, size_t len, XML_StartElementHandler s,
		     XML_EndElementHandler e)
{
	XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
	if (!p)
		return townorg__oom();
	x->p = p;
	x->part = part;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, s, e);
	XML_SetCharacterDataHandler(p, on_text);
	/* feed in pieces: XML_Parse takes an int length */
	size_t off = 0;
	do {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
		int last = off + n == len;
		if (XML_Parse(p, data + off, (int)n, last) == XML_STATUS_ERROR) {
			if (x->rc == 0)
				x->rc = townorg__err(TOWNORG_EPARSE, _("%s: %s:%lu: malformed XML: %s"), x->b->name, part,
						     (unsigned long)XML_GetCurrentLineNumber(p),
						     XML_ErrorString(XML_GetErrorCode(p)));
			break;
		}
		off += n;
	} while (off < len);
	XML_ParserFree(p);
	x->p = NULL;
	x->collect = 0;
	townorg__buf_free(&x->text);
	return x->rc;
}

/* ------------------------------------------------------------ the book */

static void free_strs(char **a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++)
		townorg__free(a[i]);
	townorg__free(a);
}

void townorg_xlsx_close(townorg_xlsx_book *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nsheets; i++) {
		for (size_t k = 0; k < b->sheets[i].n; k++)
			townorg__free(b->sheets[i].cells[k].text);
		townorg__free(b->sheets[i].cells);
		townorg__free(b->sheets[i].name);
	}
	townorg__free(b->sheets);
	townorg__free(b->name);
	townorg__free(b);
}

static int cmp_cell(const void *a, const void *b)
{
	const xcell *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Resolve a relationship target against the folder of `base` ("xl/"). */
static char *resolve(const char *base, const char *target)
{
	if (target[0] == '/')
		return townorg__strdup(target + 1);
	const char *slash = strrchr(base, '/');
	size_t bl = slash ? (size_t)(slash - base + 1) : 0;
	while (strncmp(target, "../", 3) == 0) {
		target += 3;
		while (bl > 0 && base[bl - 1] == '/')
			bl--;
		while (bl > 0 && base[bl - 1] != '/')
			bl--;
	}
	if (strncmp(target, "./", 2) == 0)
		target += 2;
	size_t n = bl + strlen(target) + 1;
	char *s = townorg__malloc(n);
	if (s)
		snprintf(s, n, "%.*s%s", (int)bl, base, target);
	return s;
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

static void px_free(px *x)
{
	free_strs(x->sheet_names, x->nsheets);
	free_strs(x->sheet_rids, x->nsheets);
	free_strs(x->rel_ids, x->nrels);
	free_strs(x->rel_targets, x->nrels);
	free_strs(x->rel_types, x->nrels);
	free_strs(x->sst, x->nsst);
	townorg__buf_free(&x->text);
	memset(x, 0, sizeof *x);
}

static void reset_rels(px *x)
{
	free_strs(x->rel_ids, x->nrels);
	free_strs(x->rel_targets, x->nrels);
	free_strs(x->rel_types, x->nrels);
	x->rel_ids = x->rel_targets = x->rel_types = NULL;
	x->nrels = x->cap_rels = 0;
}

static int read_book(townorg_xlsx_book *b, unzFile uf)
{
	px x = { 0 };
	char *data = NULL, *wbpart = NULL, *relpart = NULL;
	size_t len;
	int rc;
	x.b = b;

	/* where the workbook is */
	rc = read_part(b, uf, "_rels/.rels", &data, &len);
	if (rc == 0) {
		rc = parse_xml(&x, "_rels/.rels", data, len, rel_start, NULL);
		townorg__free(data);
		data = NULL;
		if (rc < 0)
			goto out;
		for (size_t i = 0; i < x.nrels && !wbpart; i++)
			if (ends_with(x.rel_types[i], "/officeDocument"))
				if (!(wbpart = resolve("", x.rel_targets[i]))) {
					rc = townorg__oom();
					goto out;
				}
		reset_rels(&x);
	} else if (rc != TOWNORG_ENOTFOUND) {
		goto out;
	}
	if (!wbpart && !(wbpart = townorg__strdup("xl/workbook.xml"))) {
		rc = townorg__oom();
		goto out;
	}
	if ((rc = read_part(b, uf, wbpart, &data, &len)) < 0) {
		if (rc == TOWNORG_ENOTFOUND)
			rc = townorg__err(TOWNORG_EPARSE, _("%s: a zip archive without a workbook (no %s): not an .xlsx file"),
					  b->name, wbpart);
		goto out;
	}
	rc = parse_xml(&x, wbpart, data, len, wb_start, NULL);
	townorg__free(data);
	data = NULL;
	if (rc < 0)
		goto out;
	/* its relationships */
	const char *slash = strrchr(wbpart, '/');
	size_t dl = slash ? (size_t)(slash - wbpart + 1) : 0;
	size_t rl = dl + strlen("_rels/") + strlen(wbpart + dl) + strlen(".rels") + 1;
	if (!(relpart = townorg__malloc(rl))) {
		rc = townorg__oom();
		goto out;
	}
	snprintf(relpart, rl, "%.*s_rels/%s.rels", (int)dl, wbpart, wbpart + dl);
	if ((rc = read_part(b, uf, relpart, &data, &len)) < 0) {
		if (rc == TOWNORG_ENOTFOUND)
			rc = townorg__err(TOWNORG_EPARSE, "%s: the workbook has no %s", b->name, relpart);
		goto out;
	}
	rc = parse_xml(&x, relpart, data, len, rel_start, NULL);
	townorg__free(data);
	data = NULL;
	if (rc < 0)
		goto out;
	/* shared strings (optional) */
	for (size_t i = 0; i < x.nrels; i++)
		if (ends_with(x.rel_types[i], "/sharedStrings")) {
			char *sp = resolve(wbpart, x.rel_targets[i]);
			if (!sp) {
				rc = townorg__oom();
				goto out;
			}
			rc = read_part(b, uf, sp, &data, &len);
			if (rc == 0)
				rc = parse_xml(&x, sp, data, len, sst_start, sst_end);
			else if (rc == TOWNORG_ENOTFOUND)
				rc = townorg__err(TOWNORG_EPARSE, "%s: the shared strings part %s is missing", b->name, sp);
			townorg__free(sp);
			townorg__free(data);
			data = NULL;
			if (rc < 0)
				goto out;
			break;
		}
	/* the worksheets, in workbook order */
	if (!(b->sheets = townorg__calloc(x.nsheets ? x.nsheets : 1, sizeof *b->sheets))) {
		rc = townorg__oom();
		goto out;
	}
	for (size_t i = 0; i < x.nsheets; i++) {
		const char *target = NULL;
		for (size_t k = 0; k < x.nrels; k++)
			if (strcmp(x.rel_ids[k], x.sheet_rids[i]) == 0) {
				if (ends_with(x.rel_types[k], "/worksheet"))
					target = x.rel_targets[k];
				break;
			}
		if (!target)
			continue; /* a chart sheet, a dialog sheet … */
		for (size_t k = 0; k < b->nsheets; k++)
			if (strcmp(b->sheets[k].name, x.sheet_names[i]) == 0) {
				rc = townorg__err(TOWNORG_EPARSE, "%s: two sheets named '%s'", b->name, x.sheet_names[i]);
				goto out;
			}
		char *sp = resolve(wbpart, target);
		if (!sp) {
			rc = townorg__oom();
			goto out;
		}
		xsheet *sh = &b->sheets[b->nsheets++];
		sh->name = x.sheet_names[i];
		x.sheet_names[i] = NULL;
		rc = read_part(b, uf, sp, &data, &len);
		if (rc == TOWNORG_ENOTFOUND)
			rc = townorg__err(TOWNORG_EPARSE, "%s: sheet '%s': its part %s is missing", b->name, sh->name, sp);
		if (rc == 0) {
			x.sheet = sh;
			x.have_row = 0;
			x.row = 0;
			x.col = UINT32_MAX;
			x.seq = 0;
			x.in_cell = x.in_v = x.in_is = x.in_rph = 0;
			rc = parse_xml(&x, sp, data, len, ws_start, ws_end);
		}
		townorg__free(data);
		data = NULL;
		if (rc == 0 && sh->n > 1) {
			qsort(sh->cells, sh->n, sizeof *sh->cells, cmp_cell);
			for (size_t k = 1; k < sh->n && rc == 0; k++)
				if (sh->cells[k].row == sh->cells[k - 1].row && sh->cells[k].col == sh->cells[k - 1].col) {
					char ref[16];
					townorg_xlsx_cell_name(ref, sizeof ref, sh->cells[k].row, sh->cells[k].col);
					rc = townorg__err(TOWNORG_EPARSE, _("%s: %s!%s: the cell appears twice"), b->name,
							  sh->name, ref);
				}
		}
		townorg__free(sp);
		if (rc < 0)
			goto out;
	}
out:
	townorg__free(data);
	townorg__free(wbpart);
	townorg__free(relpart);
	px_free(&x);
	return rc;
}

int townorg_xlsx_open_memory(townorg_xlsx_book **out, const void *data, size_t len, const char *name)
{
	int rc;
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_xlsx_open_memory: no out pointer");
	*out = NULL;
	if (!data && len)
		return townorg__err(TOWNORG_EINVALID, "townorg_xlsx_open_memory: no data");
	townorg_xlsx_book *b = townorg__calloc(1, sizeof *b);
	if (!b || !(b->name = townorg__strdup(name ? name : "(workbook)"))) {
		townorg__free(b);
		return townorg__oom();
	}
	if (len < 4 || memcmp(data, "PK", 2) != 0 || len > LONG_MAX) {
		rc = townorg__err(TOWNORG_EPARSE, _("%s: not a workbook (.xlsx files are zip archives)"), b->name);
		townorg_xlsx_close(b);
		return rc;
	}
	memzip mz = { data, len, 0 };
	zlib_filefunc_def ff = { mz_open, mz_read, mz_write, mz_tell, mz_seek, mz_close, mz_error, &mz };
	unzFile uf = unzOpen2(b->name, &ff);
	if (!uf) {
		rc = townorg__err(TOWNORG_EPARSE, _("%s: not a workbook (a damaged zip archive)"), b->name);
		townorg_xlsx_close(b);
		return rc;
	}
	rc = read_book(b, uf);
	unzClose(uf);
	if (rc < 0) {
		townorg_xlsx_close(b);
		return rc;
	}
	*out = b;
	return 0;
}

int townorg_xlsx_open(townorg_xlsx_book **out, const char *path)
{
	char *data;
	size_t len;
	int rc;
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_xlsx_open: no out pointer");
	*out = NULL;
	if (!path)
		return townorg__err(TOWNORG_EINVALID, "townorg_xlsx_open: no path");
	if ((rc = townorg__read_file(path, &data, &len)) < 0)
		return rc;
	rc = townorg_xlsx_open_memory(out, data, len, path);
	townorg__free(data);
	return rc;
}

const char *townorg__xlsx_book_name(const townorg_xlsx_book *b)
{
	return b ? b->name : "(workbook)";
}

size_t townorg_xlsx_sheet_count(const townorg_xlsx_book *b)
{
	return b ? b->nsheets : 0;
}

const char *townorg_xlsx_sheet_name(const townorg_xlsx_book *b, size_t i)
{
	return b && i < b->nsheets ? b->sheets[i].name : NULL;
}

size_t townorg_xlsx_cell_count(const townorg_xlsx_book *b, size_t sheet)
{
	return b && sheet < b->nsheets ? b->sheets[sheet].n : 0;
}

int townorg_xlsx_cell_at(const townorg_xlsx_book *b, size_t sheet, size_t i, uint32_t *row, uint32_t *col,
			 const char **text, int *is_number)
{
	if (!b || sheet >= b->nsheets || i >= b->sheets[sheet].n)
		return TOWNORG_ENOTFOUND;
	const xcell *c = &b->sheets[sheet].cells[i];
	if (row)
		*row = c->row;
	if (col)
		*col = c->col;
	if (text)
		*text = c->text;
	if (is_number)
		*is_number = c->number;
	return 0;
}

#endif /* HAVE_XLSX */

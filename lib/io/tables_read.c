/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * tables_read.c — reading one CSV table: the file, its encoding, and the
 * RFC 4180 parse (libcsv), handing each row's wanted cells to a callback
 * with the line it starts on.
 *
 * Why a whole-file read: the tables are at most tens of megabytes, and the
 * encoding must be decided before the first row is used (a GB18030 file is
 * converted as a whole by iconv).  UTF-8 is checked with a word-at-a-time
 * ASCII fast path; only a file that fails is looked at more closely.
 *
 * Encodings.  A file that is valid UTF-8 is used as is (a BOM skipped).
 * One that is not is told apart as:
 *  - UTF-16/32 (a BOM, or NUL bytes): refused, saying so;
 *  - UTF-8 with damage: most multi-byte sequences are valid UTF-8 and only
 *    a few are not (a GB18030 file is the other way round: nearly every
 *    Chinese character is an invalid UTF-8 sequence): refused, naming the
 *    line of the first bad byte — converting it would garble every name;
 *  - GB18030/GBK (what Excel and WPS save on Chinese Windows): converted
 *    with iconv, and the report says so.  A conversion that yields
 *    private-use characters is refused: GBK maps its user-defined area
 *    there, and Big5 text (whose most common lead bytes fall in that area)
 *    decodes that way;
 *  - anything else: refused, naming the first byte that is neither.
 *
 * Plain rows.  Most files hold no quotes at all, and libcsv's two callbacks
 * per cell were the largest part of reading them; rows without quotes, CR,
 * tab or spaces around a cell are split here (parse_plain) and given to
 * the same row handling, and libcsv takes over at the first row that is
 * not plain.  On the national base.csv this halved the reading.
 *
 * Line numbers.  libcsv reports records, not lines; with CSV_REPALL_NL it
 * calls the row callback for every unquoted CR and LF, so lines are counted
 * there (CR LF counts once), plus the newlines inside quoted cells.
 */
#include "io/tables_internal.h"
#include "townorg/files.h"
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ notes */

int townorg__notes_add(townorg__notes *nt, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (nt->n == nt->cap && TOWNORG__GROW(nt->v, nt->cap, 8) < 0)
		return townorg__oom();
	if (!(nt->v[nt->n] = townorg__strdup(buf)))
		return townorg__oom();
	nt->n++;
	return 0;
}

void townorg__notes_free(townorg__notes *nt)
{
	for (size_t i = 0; i < nt->n; i++)
		townorg__free(nt->v[i]);
	townorg__free(nt->v);
	memset(nt, 0, sizeof *nt);
}

/* ------------------------------------------------------------------ encoding */

/* Length of the valid UTF-8 sequence at s (1–4), or 0 if invalid.  NUL and
 * other control bytes are valid here: cells are checked for them later. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
	else return 0;
	if (n > avail)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Offset of the first byte that is not valid UTF-8 or is NUL, or len. */
static size_t utf8_first_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			/* all ASCII and no zero byte: skip the word */
			if (!(w & 0x8080808080808080ULL) && !((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		unsigned c = s[i];
		if (c - 1u < 0x7fu) { /* ASCII, not NUL */
			i++;
			continue;
		}
		/* three bytes (all of CJK): E0–EF, two continuation bytes, not an
		 * overlong form or a surrogate */
		if ((c & 0xf0) == 0xe0 && i + 2 < len && (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80) {
			unsigned cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu);
			if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) {
				i += 3;
				continue;
			}
		}
		if (c == 0)
			return i;
		size_t n = utf8_seq(s + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

static void line_col(const char *s, size_t off, uint32_t *line, size_t *col)
{
	uint32_t l = 1;
	size_t start = 0;
	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n') {
			l++;
			start = i + 1;
		}
	*line = l;
	*col = off - start + 1;
}

int townorg__table_decode(const char *name, const char *data, size_t len, char **out, size_t *out_len,
			  size_t *skip, const char **encoding)
{
	const unsigned char *s = (const unsigned char *)data;
	*out = NULL;
	*out_len = 0;
	*skip = 0;
	*encoding = "UTF-8";
	if (len >= 4 && ((s[0] == 0xff && s[1] == 0xfe && s[2] == 0 && s[3] == 0) ||
			 (s[0] == 0 && s[1] == 0 && s[2] == 0xfe && s[3] == 0xff)))
		return townorg__err(TOWNORG_EENCODING, _("%s: the file is UTF-32 (byte-order mark); save it as UTF-8 CSV"),
				    name);
	if (len >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff)))
		return townorg__err(TOWNORG_EENCODING, _("%s: the file is UTF-16%s (byte-order mark); save it as UTF-8 CSV"),
				    name, s[0] == 0xff ? "LE" : "BE");
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		*skip = 3;
		*encoding = "UTF-8 with BOM";
	}
	size_t bad = utf8_first_bad(s + *skip, len - *skip);
	if (bad == len - *skip)
		return 0;
	bad += *skip;
	uint32_t line;
	size_t col;
	line_col(data, bad, &line, &col);
	if (s[bad] == 0)
		return townorg__err(TOWNORG_EENCODING,
				    _("%s:%u: NUL byte at column %zu: not a text file, or UTF-16 without a byte-order mark; "
				    "save it as UTF-8 CSV"),
				    name, line, col);
	/* Count valid multi-byte sequences and bad bytes over the whole file to
	 * tell damaged UTF-8 from a legacy encoding. */
	size_t n_multi = 0, n_bad = 0;
	for (size_t i = *skip; i < len;) {
		size_t n = utf8_seq(s + i, len - i);
		if (!n) {
			n_bad++;
			i++;
			continue;
		}
		n_multi += n > 1;
		i += n;
	}
	if (*skip || n_bad * 4 < n_multi)
		return townorg__err(TOWNORG_EENCODING, _("%s:%u: invalid UTF-8 (byte 0x%02X at column %zu)"), name, line,
				    s[bad], col);
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return townorg__err(TOWNORG_EENCODING,
				    _("%s:%u: not UTF-8 (byte 0x%02X at column %zu), and GB18030 conversion is unavailable"),
				    name, line, s[bad], col);
	size_t cap = len / 2 * 3 + 16;
	char *buf = townorg__malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return townorg__oom();
	}
	char *in = (char *)data, *o = buf;
	size_t inleft = len, outleft = cap - 1;
	size_t r = iconv(cd, &in, &inleft, &o, &outleft);
	int err = errno;
	iconv_close(cd);
	if (r == (size_t)-1) {
		uint32_t gl;
		size_t gc;
		line_col(data, (size_t)(in - data), &gl, &gc);
		townorg__free(buf);
		if (err == E2BIG)
			return townorg__oom();
		return townorg__err(TOWNORG_EENCODING,
				    _("%s:%u: the file is neither UTF-8 (byte 0x%02X at column %zu) nor GB18030 (line %u, "
				    "column %zu); save it as UTF-8 CSV"),
				    name, line, s[bad], col, gl, gc);
	}
	size_t olen = (size_t)(o - buf);
	buf[olen] = 0;
	/* Private-use characters (U+E000–U+F8FF, UTF-8 EE 80 80 – EF A3 BF)
	 * mean the bytes were not really GBK: see the note at the top. */
	for (size_t i = 0; i + 2 < olen; i++) {
		unsigned char a = (unsigned char)buf[i], b = (unsigned char)buf[i + 1];
		if (a == 0xee || (a == 0xef && b < 0xa4)) {
			uint32_t pl;
			size_t pc;
			line_col(buf, i, &pl, &pc);
			townorg__free(buf);
			return townorg__err(TOWNORG_EENCODING,
					    _("%s:%u: the file is not UTF-8 (byte 0x%02X at column %zu) and does not read as "
					    "GB18030 either (it would give private-use characters, as Big5 does); save it "
					    "as UTF-8 CSV"),
					    name, pl, s[bad], col);
		}
	}
	*out = buf;
	*out_len = olen;
	*encoding = "GB18030";
	return 0;
}

/* ------------------------------------------------------------------ parsing */

typedef struct {
	const char *name;
	const char *const *columns;
	size_t n_wanted;
	townorg__row_fn fn;
	void *ctx;
	townorg__notes *notes;
	/* the row being assembled: cells as offsets into rowbuf */
	char *rowbuf;
	size_t rowlen, rowcap;
	size_t *cell_off;
	size_t n_cells, cap_cells;
	/* header */
	bool have_header;
	size_t n_header;
	long *map;         /* header column -> wanted index, or -1 */
	const char **cells;/* wanted cells of the current row */
	/* lines */
	uint32_t line, row_line, row_newlines;
	bool cr_pending;
	size_t rows;
	int rc;
} parse_state;

static void *csv_realloc(void *p, size_t n) { return townorg__realloc(p, n); }
static void csv_freefn(void *p) { townorg__free(p); }

/* Make room in the row buffer for `bytes` more bytes (and a NUL) and in
 * the cell offsets for `cells` more cells.  0 or TOWNORG_ENOMEM. */
static int row_room(parse_state *st, size_t bytes, size_t cells)
{
	if (st->rowlen + bytes + 1 > st->rowcap) {
		size_t cap = st->rowcap ? st->rowcap : 1024;
		while (cap < st->rowlen + bytes + 1)
			cap *= 2;
		char *nb = townorg__realloc(st->rowbuf, cap);
		if (!nb)
			return townorg__oom();
		st->rowbuf = nb;
		st->rowcap = cap;
	}
	if (st->n_cells + cells > st->cap_cells) {
		size_t cap = st->cap_cells ? st->cap_cells : 32;
		while (cap < st->n_cells + cells)
			cap *= 2;
		size_t *no = townorg__realloc(st->cell_off, cap * sizeof *no);
		if (!no)
			return townorg__oom();
		st->cell_off = no;
		st->cap_cells = cap;
	}
	return 0;
}

static void on_cell(void *s, size_t len, void *data)
{
	parse_state *st = data;
	if (st->rc)
		return;
	st->cr_pending = false;
	if ((st->rc = row_room(st, len, 1)) != 0)
		return;
	st->cell_off[st->n_cells++] = st->rowlen;
	if (len) {
		memcpy(st->rowbuf + st->rowlen, s, len);
		/* newlines inside a quoted cell move the line count on */
		for (const char *p = memchr(s, '\n', len); p; p = memchr(p + 1, '\n', len - (size_t)(p + 1 - (const char *)s)))
			st->row_newlines++;
	}
	st->rowlen += len;
	st->rowbuf[st->rowlen++] = 0;
}

static int do_header(parse_state *st)
{
	st->n_header = st->n_cells;
	st->map = townorg__calloc(st->n_cells, sizeof *st->map);
	if (!st->map)
		return townorg__oom();
	for (size_t i = 0; i < st->n_cells; i++) {
		const char *h = st->rowbuf + st->cell_off[i];
		st->map[i] = -1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(h, st->rowbuf + st->cell_off[j]))
				return townorg__err(TOWNORG_EPARSE, _("%s:%u: column '%s' appears twice in the header"), st->name,
						    st->row_line, h);
		for (size_t w = 0; w < st->n_wanted; w++)
			if (!strcmp(h, st->columns[w]))
				st->map[i] = (long)w;
		if (st->map[i] < 0) {
			int rc = townorg__notes_add(st->notes, _("%s: column '%s' is not part of the format and was ignored"),
						    st->name, h);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t w = 0; w < st->n_wanted; w++) {
		bool found = false;
		for (size_t i = 0; i < st->n_cells; i++)
			found |= st->map[i] == (long)w;
		if (!found)
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: missing column '%s'"), st->name, st->row_line,
					    st->columns[w]);
	}
	st->have_header = true;
	return 0;
}

static void on_row(int c, void *data)
{
	parse_state *st = data;
	if (st->rc)
		return;
	if (st->n_cells) {
		if (!st->have_header) {
			st->rc = do_header(st);
		} else if (st->n_cells != st->n_header) {
			st->rc = townorg__err(TOWNORG_EPARSE, _("%s:%u: %zu cells, but the header has %zu"), st->name,
					      st->row_line, st->n_cells, st->n_header);
		} else {
			for (size_t i = 0; i < st->n_cells; i++)
				if (st->map[i] >= 0)
					st->cells[st->map[i]] = st->rowbuf + st->cell_off[i];
			st->rows++;
			st->rc = st->fn(st->ctx, st->cells, st->row_line);
		}
	}
	st->line += st->row_newlines;
	if (c == '\n') {
		if (!(st->cr_pending && !st->n_cells))
			st->line++;
		st->cr_pending = false;
	} else if (c == '\r') {
		st->line++;
		st->cr_pending = true;
	}
	st->row_line = st->line;
	st->row_newlines = 0;
	st->n_cells = 0;
	st->rowlen = 0;
}


/*
 * The plain rows: lines without quotes, CR, tab, or a space at either end
 * of a cell — all of them in a generated or exported file.  For those,
 * RFC 4180 (and libcsv) says no more than: cells are what lies between
 * the commas, a row ends at LF, an empty line is a row without cells.
 * They are split here and handed to on_row just as libcsv would hand
 * them (libcsv's two callbacks per cell cost more than the rest of the
 * reading).  Stops at the first line that is not plain, or at an error;
 * returns its offset, from which libcsv carries on (a row starts there, so
 * libcsv's state is that of a fresh parser).
 */
static const unsigned char plain_special[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\t'] = 1 };

static bool plain_disabled; /* tests: libcsv for every row */

void townorg__tables_plain_rows(bool on) { __atomic_store_n(&plain_disabled, !on, __ATOMIC_RELAXED); }

static size_t parse_plain(parse_state *st, const char *raw, size_t off, size_t len)
{
	if (__atomic_load_n(&plain_disabled, __ATOMIC_RELAXED))
		return off;
	while (off < len && !st->rc) {
		const char *p = raw + off, *end = raw + len;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);
		if ((st->rc = row_room(st, n, n + 1)) != 0)
			break;
		char *o = st->rowbuf;
		size_t *co = st->cell_off;
		size_t nc = 0, at = 0;
		bool ok = true;
		if (n) {
			co[nc++] = 0;
			memcpy(o, p, n);
			o[n] = 0;
			for (at = 0; at < n; at++) {
				unsigned char c = (unsigned char)o[at];
				if (!plain_special[c])
					continue;
				if (c != ',') {
					ok = false;
					break;
				}
				o[at] = 0;
				co[nc++] = at + 1;
			}
			/* libcsv trims spaces around unquoted cells: leave those to it */
			for (size_t k = 0; ok && k < nc; k++) {
				size_t b = co[k], e = k + 1 < nc ? co[k + 1] - 1 : at;
				if (e > b && (o[b] == ' ' || o[e - 1] == ' '))
					ok = false;
			}
		}
		if (!ok)
			break;
		st->n_cells = nc;
		st->rowlen = at + (n ? 1 : 0);
		on_row(nl ? '\n' : -1, st);
		off = nl ? (size_t)(nl - raw) + 1 : len;
	}
	return off;
}

static int read_file(const char *dir, const char *name, char **data, size_t *len)
{
	char path[4096];
	*data = NULL;
	*len = 0;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return townorg__err(TOWNORG_EINVALID, _("%s: directory path too long"), name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return townorg__err(TOWNORG_ENOTFOUND, _("%s: no such file in %s"), name, dir);
		return townorg__err(TOWNORG_EIO, _("%s: cannot open %s: %s"), name, path, strerror(errno));
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return townorg__err(TOWNORG_EIO, _("%s: %s is not a regular file"), name, path);
	}
	if ((uint64_t)sb.st_size > townorg_max_input()) {
		close(fd);
		return townorg__err(TOWNORG_EINVALID, _("%s: larger than the input limit of %llu bytes (raise it with --max-input)"),
				    path, (unsigned long long)townorg_max_input());
	}
	size_t cap = (size_t)sb.st_size + 1, n = 0;
	char *buf = townorg__malloc(cap);
	if (!buf) {
		close(fd);
		return townorg__oom();
	}
	for (;;) {
		if (n + 1 >= cap) { /* the file grew while we read it */
			char *nb = townorg__realloc(buf, cap * 2);
			if (!nb) {
				townorg__free(buf);
				close(fd);
				return townorg__oom();
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			townorg__free(buf);
			close(fd);
			return townorg__err(TOWNORG_EIO, _("%s: read error: %s"), name, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

int townorg__table_load(const char *dir, const char *name, townorg__table_file *f, townorg__notes *notes)
{
	char *conv = NULL;
	size_t convlen;
	int rc;
	memset(f, 0, sizeof *f);
	f->name = name;
	if ((rc = read_file(dir, name, &f->data, &f->len)) < 0)
		return rc;
	if ((rc = townorg__table_decode(name, f->data, f->len, &conv, &convlen, &f->skip, &f->encoding)) < 0) {
		townorg__table_file_free(f);
		return rc;
	}
	if (conv) {
		townorg__free(f->data);
		f->data = conv;
		f->len = convlen;
		if ((rc = townorg__notes_add(notes, _("%s: converted from GB18030 (GBK) to UTF-8"), name)) < 0) {
			townorg__table_file_free(f);
			return rc;
		}
	}
	return 0;
}

void townorg__table_file_free(townorg__table_file *f)
{
	townorg__free(f->data);
	f->data = NULL;
}

/* Where base.csv is cut: the calling thread takes the first 58 %, the
 * second thread the rest.  Not the middle: the second thread goes on to
 * events.csv and changes.csv, the first to the first version's commit, and
 * on the national workload the two finish together with this cut (at 50 %
 * the first version waited some 40 ms for changes.csv). */
#define SPLIT_PERCENT 58

size_t townorg__table_split(const townorg__table_file *f)
{
	size_t start = f->skip, len = f->len;
	if (len - start < (1u << 20) || f->data[start] == '\n')
		return 0; /* not worth a thread, or no header on the first line */
	size_t cut = (len - start) / 100 * SPLIT_PERCENT;
	const char *mid = memchr(f->data + start + cut, '\n', len - start - cut);
	if (!mid || (size_t)(mid + 1 - f->data) >= len)
		return 0;
	size_t at = (size_t)(mid + 1 - f->data);
	/* outside any quoted cell, and lines counted by LF alone */
	if (memchr(f->data + start, '"', at - start) || memchr(f->data + start, '\r', at - start))
		return 0;
	return at;
}

/* Parse data[from, to) with st (header done or not), then finish the
 * parser. */
static int parse_range(parse_state *st, const char *raw, size_t from, size_t to)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
		return townorg__oom();
	csv_set_realloc_func(&p, csv_realloc);
	csv_set_free_func(&p, csv_freefn);
	/* Plain rows first; from the first row that is not, libcsv.  It is fed
	 * in slices so that an error raised by the row function stops the
	 * parse soon (libcsv's callbacks cannot stop it). */
	const size_t slice = 1u << 20;
	size_t off = parse_plain(st, raw, from, to);
	while (off < to && !st->rc) {
		size_t n = to - off < slice ? to - off : slice;
		size_t done_n = csv_parse(&p, raw + off, n, on_cell, on_row, st);
		if (done_n != n && !st->rc) {
			uint32_t line;
			size_t col;
			line_col(raw, off + done_n, &line, &col);
			if (csv_error(&p) == CSV_ENOMEM || csv_error(&p) == CSV_ETOOBIG)
				st->rc = townorg__oom();
			else
				st->rc = townorg__err(TOWNORG_EPARSE, _("%s:%u: malformed CSV near column %zu (%s)"), st->name, line,
						      col, csv_strerror(csv_error(&p)));
		}
		off += n;
	}
	if (!st->rc && csv_fini(&p, on_cell, on_row, st) != 0 && !st->rc)
		st->rc = townorg__err(TOWNORG_EPARSE, _("%s:%u: the file ends inside a quoted cell"), st->name, st->row_line);
	csv_free(&p);
	return st->rc;
}

int townorg__table_parse(const townorg__table_file *f, size_t from, size_t to, const char *const *columns,
			 townorg__row_fn fn, void *ctx, townorg__table_info *info, townorg__notes *notes)
{
	parse_state st = { 0 };
	townorg__notes scratch = { 0 };
	int rc;
	memset(info, 0, sizeof *info);
	info->encoding = f->encoding;
	if (!to)
		to = f->len;
	st.name = f->name;
	st.columns = columns;
	while (columns[st.n_wanted])
		st.n_wanted++;
	st.fn = fn;
	st.ctx = ctx;
	st.notes = notes;
	st.line = st.row_line = 1;
	if (!(st.cells = townorg__calloc(st.n_wanted + 1, sizeof *st.cells))) {
		rc = townorg__oom();
		goto done;
	}
	if (from > f->skip) {
		/* a later part (townorg__table_split): the header row, with its
		 * notes left to the first part, then lines counted up to from */
		const char *hl = memchr(f->data + f->skip, '\n', from - f->skip);
		st.notes = &scratch;
		st.fn = NULL;
		if ((rc = parse_range(&st, f->data, f->skip, (size_t)(hl - f->data) + 1)) < 0)
			goto done;
		st.notes = notes;
		st.fn = fn;
		uint32_t line = 1;
		for (const char *p = f->data + f->skip; (p = memchr(p, '\n', (size_t)(f->data + from - p))); p++)
			line++;
		st.line = st.row_line = line;
	}
	rc = parse_range(&st, f->data, from, to);
	if (!rc && !st.have_header)
		rc = townorg__err(TOWNORG_EPARSE, _("%s:1: the file is empty (no header row)"), f->name);
	info->rows = st.rows;
done:
	townorg__notes_free(&scratch);
	townorg__free(st.rowbuf);
	townorg__free(st.cell_off);
	townorg__free(st.map);
	townorg__free((void *)st.cells);
	return rc;
}

int townorg__table_read(const char *dir, const char *name, const char *const *columns, townorg__row_fn fn,
			void *ctx, townorg__table_info *info, townorg__notes *notes)
{
	townorg__table_file f;
	int rc;
	memset(info, 0, sizeof *info);
	if ((rc = townorg__table_load(dir, name, &f, notes)) < 0)
		return rc;
	rc = townorg__table_parse(&f, f.skip, f.len, columns, fn, ctx, info, notes);
	townorg__table_file_free(&f);
	return rc;
}

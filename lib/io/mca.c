/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * mca.c — the Ministry of Civil Affairs' township change tables
 * (县以下行政区划(代码)变更情况, one sheet a year) as change events.
 *
 * The sheets differ: a title and blank lines come first (the header row,
 * found by its 序号 cell, is on line 2 to 5), 2015 has no 省份 column, a
 * ninth unlabelled column says whether the old and new codes lie in
 * different counties, and some sheets end with 注 lines and blank rows.
 * Columns are therefore found by their header names, and everything from
 * the first 注 row on is ignored.
 *
 * Matching (townorg__mca_attach): a row's *effect* holds in a state when
 * its old code is gone and its new code present (for a rename that keeps
 * the code: the unit bears the new name).  A row is attached to the first
 * imported edition whose state shows the effect while the state before it
 * does not.  MCA and NBS codes differ for many units, so when the codes do
 * not show the effect the names within the county are read instead.  Codes
 * are not unique over time (a freed code is reused years later), so an
 * edition more than a year older than the table is never
 * chosen.
 */
#include "io/realdata_internal.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ the table */

/* TOWNORG_EVENT_INVALID marks the reasons whose kind depends on the row. */
static const struct {
	const char *reason;
	townorg_event_kind kind;
} reasons[] = {
	/* a new unit */
	{ "新设街道", TOWNORG_EVENT_CREATE }, { "新增街道", TOWNORG_EVENT_CREATE },
	{ "新建街道", TOWNORG_EVENT_CREATE }, { "新设镇", TOWNORG_EVENT_CREATE },
	{ "新设乡", TOWNORG_EVENT_CREATE }, { "新建乡镇", TOWNORG_EVENT_CREATE },
	{ "新建镇", TOWNORG_EVENT_CREATE }, { "新增乡", TOWNORG_EVENT_CREATE },
	{ "新建乡", TOWNORG_EVENT_CREATE }, { "新增建制", TOWNORG_EVENT_CREATE },
	{ "新设苏木", TOWNORG_EVENT_CREATE }, { "设街道", TOWNORG_EVENT_CREATE },
	/* a unit ends (with a successor on the row it becomes a merge) */
	{ "撤销乡", TOWNORG_EVENT_ABOLISH }, { "撤销", TOWNORG_EVENT_ABOLISH },
	{ "撤销镇", TOWNORG_EVENT_ABOLISH }, { "撤销街道", TOWNORG_EVENT_ABOLISH },
	{ "撤销建制", TOWNORG_EVENT_ABOLISH }, { "撤乡", TOWNORG_EVENT_ABOLISH },
	{ "撤镇", TOWNORG_EVENT_ABOLISH }, { "撤街道设社区工作站", TOWNORG_EVENT_ABOLISH },
	/* several units become one */
	{ "合并", TOWNORG_EVENT_MERGE }, { "并入其他建制", TOWNORG_EVENT_MERGE },
	{ "撤销合并", TOWNORG_EVENT_MERGE }, { "撤并", TOWNORG_EVENT_MERGE },
	{ "撤乡并镇", TOWNORG_EVENT_MERGE }, { "合并建镇", TOWNORG_EVENT_MERGE },
	{ "合并建制", TOWNORG_EVENT_MERGE }, { "合并镇", TOWNORG_EVENT_MERGE },
	{ "合并街道", TOWNORG_EVENT_MERGE }, { "合并建街道", TOWNORG_EVENT_MERGE },
	{ "乡镇合并", TOWNORG_EVENT_MERGE }, { "并镇", TOWNORG_EVENT_MERGE },
	{ "街道合并", TOWNORG_EVENT_MERGE }, { "合并乡", TOWNORG_EVENT_MERGE },
	{ "撤乡、镇设镇", TOWNORG_EVENT_MERGE }, { "撤乡、镇设街道", TOWNORG_EVENT_MERGE },
	{ "撤销乡、镇新设镇", TOWNORG_EVENT_MERGE }, { "撤镇、街道设街道", TOWNORG_EVENT_MERGE },
	{ "撤乡、街道设街道", TOWNORG_EVENT_MERGE }, { "撤镇乡设街道", TOWNORG_EVENT_MERGE },
	{ "撤乡、镇设乡", TOWNORG_EVENT_MERGE }, { "撤乡镇建街道", TOWNORG_EVENT_MERGE },
	{ "撤销乡、镇设街道", TOWNORG_EVENT_MERGE }, { "撤销乡、镇设镇", TOWNORG_EVENT_MERGE },
	{ "撤镇、街道设镇", TOWNORG_EVENT_MERGE },
	/* one unit becomes several */
	{ "撤镇设街道、镇", TOWNORG_EVENT_SPLIT }, { "撤镇设镇、街道", TOWNORG_EVENT_SPLIT },
	/* units abolished and re-established as units of the same kind, with
	 * their territory redrawn */
	{ "撤街道设街道", TOWNORG_EVENT_REORGANIZE }, { "撤镇设镇", TOWNORG_EVENT_REORGANIZE },
	{ "撤乡设乡", TOWNORG_EVENT_REORGANIZE }, { "撤镇建新镇", TOWNORG_EVENT_REORGANIZE },
	{ "撤镇建镇", TOWNORG_EVENT_REORGANIZE }, { "撤销镇新设镇", TOWNORG_EVENT_REORGANIZE },
	{ "撤销乡新设乡", TOWNORG_EVENT_REORGANIZE }, { "合并调整", TOWNORG_EVENT_REORGANIZE },
	{ "撤街道、镇、乡", TOWNORG_EVENT_REORGANIZE },
	/* a unit changes kind (乡→镇, 镇→街道, …) */
	{ "撤乡设镇", TOWNORG_EVENT_RECLASSIFY }, { "撤乡建镇", TOWNORG_EVENT_RECLASSIFY },
	{ "撤镇设街道", TOWNORG_EVENT_RECLASSIFY }, { "撤镇建街道", TOWNORG_EVENT_RECLASSIFY },
	{ "撤乡设街道", TOWNORG_EVENT_RECLASSIFY }, { "撤乡建街道", TOWNORG_EVENT_RECLASSIFY },
	{ "撤街道设镇", TOWNORG_EVENT_RECLASSIFY }, { "撤街道建镇", TOWNORG_EVENT_RECLASSIFY },
	{ "撤销街道设镇", TOWNORG_EVENT_RECLASSIFY }, { "撤销街道建镇", TOWNORG_EVENT_RECLASSIFY },
	{ "撤销设街道", TOWNORG_EVENT_RECLASSIFY }, { "撤销设镇", TOWNORG_EVENT_RECLASSIFY },
	{ "撤销建街道", TOWNORG_EVENT_RECLASSIFY }, { "撤乡建街道、更名", TOWNORG_EVENT_RECLASSIFY },
	{ "撤镇设市", TOWNORG_EVENT_RECLASSIFY },
	/* a new name */
	{ "名称变更", TOWNORG_EVENT_RENAME }, { "更名", TOWNORG_EVENT_RENAME },
	{ "变更名称", TOWNORG_EVENT_RENAME }, { "名称、区划代码变更", TOWNORG_EVENT_RENAME },
	/* another county */
	{ "隶属关系变更", TOWNORG_EVENT_MOVE }, { "整建制划归", TOWNORG_EVENT_MOVE },
	{ "划归管辖", TOWNORG_EVENT_MOVE }, { "归属调整", TOWNORG_EVENT_MOVE },
	/* a new code: move, reclassify or rename, by the row */
	{ "区划代码变更", TOWNORG_EVENT_INVALID }, { "区划代码调整", TOWNORG_EVENT_INVALID },
	{ "调整", TOWNORG_EVENT_INVALID }, { "区划调整", TOWNORG_EVENT_INVALID },
	{ "区划变更", TOWNORG_EVENT_INVALID },
};

static int reason_lookup(const char *reason, townorg_event_kind *kind)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (!strcmp(reasons[i].reason, reason)) {
			*kind = reasons[i].kind;
			return 0;
		}
	*kind = TOWNORG_EVENT_INVALID;
	return TOWNORG_ENOTFOUND;
}

int townorg_mca_reason_kind(townorg_event_kind *out, const char *reason)
{
	if (!out || !reason)
		return townorg__err(TOWNORG_EINVALID, _("townorg_mca_reason_kind: NULL argument"));
	char *r = townorg__strdup(reason);
	if (!r)
		return townorg__oom();
	int rc = reason_lookup(townorg__rd_trim(r), out);
	townorg__free(r);
	return rc < 0 || *out == TOWNORG_EVENT_INVALID ? TOWNORG_ENOTFOUND : 0;
}

/* ------------------------------------------------------------ reading */

typedef struct {
	townorg__mca *m;
	const char *file;
	int year;
	bool have_header, trailer;
	size_t records;
	int col_seq, col_old, col_oname, col_reason, col_new, col_nname, col_docs, col_flag;
	size_t n_header;
} table_ctx;

static bool starts_with(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* Split a 批准文件 cell holding one or more document numbers.  Numbers end
 * in 号; spaces inside one number ("桂政函〔2016〕257 号") are dropped, and
 * spaces or 、；;，, after a 号 separate numbers. */
static int split_docs(townorg__mca_row *r)
{
	const char *s = r->docs_raw;
	size_t len = strlen(s);
	townorg__buf cur = { 0 };
	int rc = 0;
	for (size_t i = 0; i <= len;) {
		size_t k = 0;
		bool sep = false, end = i == len;
		if (!end) {
			const unsigned char *u = (const unsigned char *)s + i;
			if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r')
				k = 1;
			else if (u[0] == 0xc2 && u[1] == 0xa0)
				k = 2;
			else if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
				k = 3;
			else if (*u == ';' || *u == ',' || *u == '/')
				k = 1, sep = true;
			else if (starts_with((const char *)u, "、") || starts_with((const char *)u, "；") ||
				 starts_with((const char *)u, "，"))
				k = 3, sep = true;
		}
		bool after_hao = cur.len >= 3 && !memcmp(cur.data + cur.len - 3, "号", 3);
		if (end || sep || (k && after_hao)) {
			if (cur.len) {
				townorg__buf_putc(&cur, 0);
				char **n = townorg__realloc(r->docs, (r->n_docs + 1) * sizeof *n);
				char *d = cur.failed ? NULL : townorg__strdup(cur.data);
				if (!n || !d) {
					townorg__free(d);
					if (n)
						r->docs = n;
					rc = townorg__oom();
					break;
				}
				r->docs = n;
				r->docs[r->n_docs++] = d;
				cur.len = 0;
			}
			if (end)
				break;
			i += k;
			continue;
		}
		if (k) { /* a space inside one number */
			i += k;
			continue;
		}
		townorg__buf_putc(&cur, s[i]);
		i++;
	}
	townorg__buf_free(&cur);
	return rc;
}

/* A code cell: "" (none), 9 digits (a township-level unit), 9 digits
 * ending 000 or 12 digits ending 000 (a county's: its 6 digits).  The
 * usable code is copied to out (16 bytes). */
static const char *use_code(const char *code, char *out, const char *col, const char **bad, char *badbuf,
			    size_t badsize)
{
	size_t n = strlen(code);
	out[0] = 0;
	if (!n)
		return NULL;
	if (n <= 12 && (townorg__rd_digits(code, 9) || (townorg__rd_digits(code, 12) && !strcmp(code + 9, "000")))) {
		memcpy(out, code, 9);
		out[9] = 0;
		if (!strcmp(out + 6, "000"))
			out[6] = 0;
		return out;
	}
	if (!*bad) {
		snprintf(badbuf, badsize, "%s '%s' is not a code", col, code);
		*bad = badbuf;
	}
	return NULL;
}

static int table_row(char **f, size_t n, size_t line, void *ctx)
{
	table_ctx *c = ctx;
	c->records++;
	if (!c->have_header) {
		if (!c->year && n && strlen(f[0]) >= 7 && townorg__rd_digits((char[5]){ f[0][0], f[0][1], f[0][2], f[0][3], 0 }, 4) &&
		    starts_with(f[0] + 4, "年"))
			c->year = atoi(f[0]);
		if (n && !strcmp(f[0], "序号")) {
			c->col_seq = 0;
			c->col_old = c->col_oname = c->col_reason = c->col_new = c->col_nname = c->col_docs = -1;
			for (size_t i = 0; i < n; i++) {
				if (!strcmp(f[i], "原区划代码")) c->col_old = (int)i;
				else if (!strcmp(f[i], "原名称")) c->col_oname = (int)i;
				else if (!strcmp(f[i], "变更原因")) c->col_reason = (int)i;
				else if (!strcmp(f[i], "现区划代码")) c->col_new = (int)i;
				else if (!strcmp(f[i], "现名称")) c->col_nname = (int)i;
				else if (!strcmp(f[i], "批准文件")) c->col_docs = (int)i;
			}
			const char *missing = c->col_old < 0 ? "原区划代码" : c->col_oname < 0 ? "原名称" :
					      c->col_reason < 0 ? "变更原因" : c->col_new < 0 ? "现区划代码" :
					      c->col_nname < 0 ? "现名称" : c->col_docs < 0 ? "批准文件" : NULL;
			if (missing)
				return townorg__err(TOWNORG_EPARSE, _("%s:%zu: the header row has no %s column"), c->file, line,
						    missing);
			/* the first column after the labelled ones is the cross-county flag */
			while (n && !*f[n - 1])
				n--;
			c->n_header = n;
			c->col_flag = (int)n;
			c->have_header = true;
			return 0;
		}
		if (c->records >= 10)
			return townorg__err(TOWNORG_EPARSE,
					    _("%s:%zu: no header row (序号, 原区划代码, 原名称, 变更原因, …) in the first 10 rows"),
					    c->file, line);
		return 0;
	}
	if (c->trailer)
		return 0;
	if (starts_with(f[0], "注")) {
		c->trailer = true;
		return 0;
	}
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any = any || *f[i];
	if (!any)
		return 0;
	if (n < c->n_header)
		return townorg__err(TOWNORG_EPARSE, _("%s:%zu: expected %zu fields, found %zu (truncated row?)"), c->file, line,
				    c->n_header, n);
	townorg__mca *m = c->m;
	if (m->n_rows == m->cap_rows && TOWNORG__GROW(m->rows, m->cap_rows, 256) < 0)
		return townorg__oom();
	townorg__mca_row *r = &m->rows[m->n_rows];
	memset(r, 0, sizeof *r);
	r->file = c->file;
	r->line = line;
	r->year = c->year;
	r->seq = townorg__strdup(f[c->col_seq]);
	r->old_code = townorg__strdup(f[c->col_old]);
	r->old_name = townorg__strdup(f[c->col_oname]);
	r->reason = townorg__strdup(f[c->col_reason]);
	r->new_code = townorg__strdup(f[c->col_new]);
	r->new_name = townorg__strdup(f[c->col_nname]);
	r->docs_raw = townorg__strdup(f[c->col_docs]);
	m->n_rows++; /* from here on the row is freed with the table */
	if (!r->seq || !r->old_code || !r->old_name || !r->reason || !r->new_code || !r->new_name || !r->docs_raw)
		return townorg__oom();
	r->cross_county = (size_t)c->col_flag < n && !strcmp(f[c->col_flag], "1");
	int rc = split_docs(r);
	if (rc < 0)
		return rc;
	return 0;
}

/* Decide each row's usable codes and event kind (needs the whole table:
 * a reason left empty is read from the shape of the rows around it). */
static int classify(townorg__mca *m, size_t from)
{
	for (size_t i = from; i < m->n_rows; i++) {
		townorg__mca_row *r = &m->rows[i];
		char tmp[256];
		const char *bad = NULL;
		use_code(r->old_code, r->ocode, "原区划代码", &bad, tmp, sizeof tmp);
		use_code(r->new_code, r->ncode, "现区划代码", &bad, tmp, sizeof tmp);
		if (!bad && !RO(r) && !RN(r))
			bad = "the row names no code";
		if (bad && !(r->bad = townorg__strdup(bad)))
			return townorg__oom();
		if (!(r->nnorm = townorg__rd_norm_name(r->new_name)) || !(r->onorm = townorg__rd_norm_name(r->old_name)))
			return townorg__oom();
	}
	for (size_t i = from; i < m->n_rows; i++) {
		townorg__mca_row *r = &m->rows[i];
		townorg_event_kind k;
		bool known = reason_lookup(r->reason, &k) == 0;
		if (!RN(r) && RO(r) && *r->new_name && known && k == TOWNORG_EVENT_RENAME)
			strcpy(r->ncode, r->ocode); /* a rename that keeps the code */
		if (!known || k == TOWNORG_EVENT_INVALID) {
			/* by the row's shape */
			if (RO(r) && !RN(r) && !*r->new_name)
				k = TOWNORG_EVENT_ABOLISH;
			else if (!RO(r))
				k = TOWNORG_EVENT_CREATE;
			else {
				size_t same_new = 0, same_old = 0;
				for (size_t j = from; j < m->n_rows && RN(r); j++) {
					const townorg__mca_row *q = &m->rows[j];
					if (RN(q) && RO(q) && !strcmp(RN(q), RN(r)) && strcmp(RO(q), RO(r)))
						same_new++;
					if (RO(q) && RN(q) && !strcmp(RO(q), RO(r)) && strcmp(RN(q), RN(r)))
						same_old++;
				}
				if (same_new)
					k = TOWNORG_EVENT_MERGE;
				else if (same_old)
					k = TOWNORG_EVENT_SPLIT;
				else if (RN(r) && (r->cross_county || strncmp(RO(r), RN(r), 6)))
					k = TOWNORG_EVENT_MOVE;
				else if (RN(r) && townorg_nbs_code_kind(RO(r)) != townorg_nbs_code_kind(RN(r)))
					k = TOWNORG_EVENT_RECLASSIFY;
				else
					k = TOWNORG_EVENT_RENAME;
			}
		} else if (k == TOWNORG_EVENT_ABOLISH && (RN(r) || *r->new_name))
			k = TOWNORG_EVENT_MERGE; /* abolished into a named successor */
		r->kind = k;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int add_file(townorg__mca *m, const char *path)
{
	char **n = townorg__realloc(m->files, (m->n_files + 1) * sizeof *n);
	if (!n)
		return townorg__oom();
	m->files = n;
	if (!(m->files[m->n_files] = townorg__strdup(path)))
		return townorg__oom();
	m->n_files++;
	return 0;
}

static int year_from_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	for (const char *p = b; *p; p++)
		if (p[0] >= '1' && p[0] <= '2' && townorg__rd_digits((char[5]){ p[0], p[1], p[2], p[3], 0 }, 4) &&
		    !(p[4] >= '0' && p[4] <= '9'))
			return atoi(p);
	return 0;
}

int townorg__mca_read(townorg__mca *m, const char *source, townorg_realdata_progress_cb cb, void *payload)
{
	struct stat st;
	int rc;
	memset(m, 0, sizeof *m);
	if (stat(source, &st) != 0)
		return townorg__err(errno == ENOENT ? TOWNORG_ENOTFOUND : TOWNORG_EIO, "%s: %s", source, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(source);
		if (!d)
			return townorg__err(TOWNORG_EIO, "%s: %s", source, strerror(errno));
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (l < 5 || strcmp(e->d_name + l - 4, ".csv") || e->d_name[0] == '.')
				continue;
			townorg__buf p = { 0 };
			townorg__buf_printf(&p, "%s/%s", source, e->d_name);
			townorg__buf_putc(&p, 0);
			rc = p.failed ? townorg__oom() : add_file(m, p.data);
			townorg__buf_free(&p);
			if (rc < 0) {
				closedir(d);
				return rc;
			}
		}
		closedir(d);
		if (!m->n_files)
			return townorg__err(TOWNORG_ENOTFOUND, _("%s: no MCA change tables (*.csv) in this folder"), source);
		qsort(m->files, m->n_files, sizeof *m->files, cmp_str);
	} else if ((rc = add_file(m, source)) < 0)
		return rc;
	for (size_t i = 0; i < m->n_files; i++) {
		if (cb) {
			char ystr[12] = "";
			int fy = year_from_name(m->files[i]);
			if (fy)
				snprintf(ystr, sizeof ystr, "%d", fy);
			townorg_realdata_progress p = { TOWNORG_REALDATA_PROGRESS_VERSION, TOWNORG_REALDATA_READ_MCA,
							m->files[i], fy ? ystr : NULL, i, m->n_files };
			if ((rc = cb(&p, payload)) != 0)
				return rc < 0 ? townorg__err(rc, _("import cancelled by the progress callback"))
					      : townorg__err(TOWNORG_ERROR, _("import cancelled by the progress callback"));
		}
		table_ctx c = { .m = m, .file = m->files[i] };
		size_t from = m->n_rows;
		if ((rc = townorg__csv_read(m->files[i], table_row, &c)) < 0)
			return rc;
		if (!c.have_header)
			return townorg__err(TOWNORG_EPARSE, _("%s: no header row (序号, 原区划代码, …) found"), m->files[i]);
		if (!c.year)
			c.year = year_from_name(m->files[i]);
		for (size_t j = from; j < m->n_rows; j++)
			m->rows[j].year = c.year;
		if ((rc = classify(m, from)) < 0)
			return rc;
	}
	return 0;
}

void townorg__mca_free(townorg__mca *m)
{
	for (size_t i = 0; i < m->n_rows; i++) {
		townorg__mca_row *r = &m->rows[i];
		townorg__free(r->seq);
		townorg__free(r->old_code);
		townorg__free(r->old_name);
		townorg__free(r->reason);
		townorg__free(r->new_code);
		townorg__free(r->new_name);
		townorg__free(r->docs_raw);
		townorg__free(r->bad);
		townorg__free(r->nnorm);
		townorg__free(r->onorm);
		for (size_t j = 0; j < r->n_docs; j++)
			townorg__free(r->docs[j]);
		townorg__free(r->docs);
	}
	townorg__free(m->rows);
	for (size_t i = 0; i < m->n_files; i++)
		townorg__free(m->files[i]);
	townorg__free(m->files);
	memset(m, 0, sizeof *m);
}

/* Matching rows to editions: mca_link.c. */

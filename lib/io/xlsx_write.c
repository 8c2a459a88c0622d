/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lib/xlsx_write.c — townorg_export_xlsx: the 台账 workbook of one version,
 * written with libxlsxwriter.
 *
 * Design.  The entities are gathered by kind group (xlsx_common.c), each
 * group sorted by id, and each group becomes one sheet.  A sheet has the
 * three required columns (编码, 名称, 类型) and every other column of the
 * fixed table that some entity of the sheet sets, in table order, then the
 * made-up columns for other quota types, free text attributes and free
 * lists, in byte order of their names — so nothing an entity holds is
 * dropped, and no sheet is cluttered with columns that are empty
 * throughout.  Ids and codes are text cells with the text number format
 * ("@"), so that Excel does not retype them when edited; counts and
 * quotas are integer number cells, areas number cells shown with one
 * decimal.  Lists are one value a line in a wrapped cell.  Every sheet has
 * a bold, frozen header row with an autofilter, and columns as wide as
 * their widest cell (CJK counted double, between 6 and 60).
 *
 * The workbook is written through the library's atomic output
 * (base/files.c): the target is checked (never a repository or its -wal),
 * libxlsxwriter writes a temporary file beside it, which is fsync'ed and
 * renamed over it, then the folder is fsync'ed: a crash or an error leaves
 * either the old file or the whole new one.
 */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "base/internal.h"
#include "io/xlsx_internal.h"
#include "base/files_internal.h"
#include "townorg/diff.h"
#include "townorg/validate.h"

#ifndef HAVE_XLSX

int townorg_xlsx_available(void)
{
	return 0;
}

int townorg_export_xlsx(const townorg_version *version, const char *path, const townorg_xlsx_export_options *opts)
{
	(void)version;
	(void)path;
	(void)opts;
	return townorg__err(TOWNORG_EINVALID, "built without workbook support (configure --with-xlsx)");
}

#else

#include <xlsxwriter.h>

int townorg_xlsx_available(void)
{
	return 1;
}

#define MIN_WIDTH 6
#define MAX_WIDTH 60

typedef struct {
	lxw_workbook *wb;
	lxw_format *head, *text, *wrap, *area, *pct, *intf;
	const char *path; /* for messages */
	int rc;
} wctx;

/* A sheet being written: tracks column widths. */
typedef struct {
	lxw_worksheet *ws;
	size_t ncols;
	size_t *width;
	lxw_row_t rows;
} wsheet;

static int lxw_fail(wctx *c, lxw_error e, const char *sheet, lxw_row_t row, lxw_col_t col)
{
	if (c->rc == 0) {
		char cell[16];
		townorg_xlsx_cell_name(cell, sizeof cell, row, col);
		c->rc = townorg__err(e == LXW_ERROR_MEMORY_MALLOC_FAILED ? TOWNORG_ENOMEM : TOWNORG_EINVALID,
				     "%s: %s!%s: %s", c->path, sheet, cell, lxw_strerror(e));
	}
	return c->rc;
}

static int sheet_new(wctx *c, wsheet *s, const char *name, const char *const *headers, size_t ncols)
{
	memset(s, 0, sizeof *s);
	s->ws = workbook_add_worksheet(c->wb, name);
	s->width = townorg__calloc(ncols ? ncols : 1, sizeof *s->width);
	if (!s->ws || !s->width)
		return c->rc = townorg__oom();
	s->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		lxw_error e = worksheet_write_string(s->ws, 0, (lxw_col_t)i, headers[i], c->head);
		if (e)
			return lxw_fail(c, e, name, 0, (lxw_col_t)i);
		s->width[i] = townorg__xlsx_display_width(headers[i]) + 2;
	}
	worksheet_freeze_panes(s->ws, 1, 0);
	s->rows = 1;
	return 0;
}

static void sheet_done(wctx *c, wsheet *s)
{
	(void)c;
	for (size_t i = 0; i < s->ncols; i++) {
		size_t w = s->width[i] + 1;
		if (w < MIN_WIDTH)
			w = MIN_WIDTH;
		if (w > MAX_WIDTH)
			w = MAX_WIDTH;
		worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, (double)w, NULL);
	}
	if (s->ncols && s->rows > 1)
		worksheet_autofilter(s->ws, 0, 0, s->rows - 1, (lxw_col_t)(s->ncols - 1));
	townorg__free(s->width);
	s->width = NULL;
}

static int put_str(wctx *c, wsheet *s, const char *sheet, lxw_row_t r, size_t col, const char *v, lxw_format *f)
{
	if (!v || !*v)
		return 0;
	lxw_error e = worksheet_write_string(s->ws, r, (lxw_col_t)col, v, f);
	if (e)
		return lxw_fail(c, e, sheet, r, (lxw_col_t)col);
	size_t w = townorg__xlsx_display_width(v);
	if (col < s->ncols && w > s->width[col])
		s->width[col] = w;
	return 0;
}

static int put_int(wctx *c, wsheet *s, const char *sheet, lxw_row_t r, size_t col, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	if (v > 9007199254740992LL || v < -9007199254740992LL)
		return put_str(c, s, sheet, r, col, buf, c->text); /* beyond a double's integers */
	lxw_error e = worksheet_write_number(s->ws, r, (lxw_col_t)col, (double)v, c->intf);
	if (e)
		return lxw_fail(c, e, sheet, r, (lxw_col_t)col);
	if (col < s->ncols && strlen(buf) > s->width[col])
		s->width[col] = strlen(buf);
	return 0;
}

static int put_num(wctx *c, wsheet *s, const char *sheet, lxw_row_t r, size_t col, double v, lxw_format *f,
		   size_t w)
{
	lxw_error e = worksheet_write_number(s->ws, r, (lxw_col_t)col, v, f);
	if (e)
		return lxw_fail(c, e, sheet, r, (lxw_col_t)col);
	if (col < s->ncols && w > s->width[col])
		s->width[col] = w;
	return 0;
}

/* ------------------------------------------------------------ entity sheets */

typedef struct {
	townorg__xlsx_col_id id;
	const townorg__xlsx_col *fixed; /* NULL for made-up columns */
	const char *name;               /* made-up: quota type or attribute name */
	char *header;                   /* owned for made-up columns */
} ecol;

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(townorg_entity_id(*(const townorg_entity *const *)a),
		      townorg_entity_id(*(const townorg_entity *const *)b));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_fixed_attr(const char *name)
{
	for (int i = XC_FUNDING; i <= XC_COLOCATED; i++)
		if (strcmp(townorg__xlsx_cols[i].token, name) == 0)
			return 1;
	return 0;
}

/* Does entity e set fixed column c? */
static int has_fixed(const townorg_entity *e, const townorg__xlsx_col *c)
{
	int64_t v;
	size_t n;
	switch (c->id) {
	case XC_ID: case XC_NAME: case XC_KIND:
		return 1;
	case XC_PARENT:
		return townorg_entity_parent_id(e) != NULL;
	case XC_CLASS:
		return townorg_entity_class(e) != TOWNORG_CLASS_NONE;
	default:
		break;
	}
	if (c->field >= 0)
		return townorg_entity_int(e, (townorg_field)c->field, &v) == 0;
	if (c->type == XT_LIST)
		return townorg_entity_list(e, c->token, &n) != NULL && n > 0;
	return townorg_entity_text(e, c->token) != NULL;
}

/* Add name to a sorted set of borrowed strings. */
static int set_add(const char ***set, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*set)[i], name) == 0)
			return 0;
	if (*n == *cap && TOWNORG__GROW(*set, *cap, 8) < 0)
		return townorg__oom();
	(*set)[(*n)++] = name;
	return 0;
}

static int write_entity_sheet(wctx *c, const char *sheet, const townorg_entity **ents, size_t n)
{
	int fixed_used[XC_FIXED_COUNT] = { 0 };
	const char **quotas = NULL, **texts = NULL, **lists = NULL;
	size_t nq = 0, cq = 0, nt = 0, ct = 0, nl = 0, cl = 0;
	ecol *cols = NULL;
	const char **headers = NULL;
	size_t ncols = 0;
	wsheet s = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const townorg_entity *e = ents[i];
		for (int k = 0; k < XC_FIXED_COUNT; k++)
			if (!fixed_used[k] && has_fixed(e, &townorg__xlsx_cols[k]))
				fixed_used[k] = 1;
		size_t qn = townorg_entity_quota_count(e);
		for (size_t q = 0; q < qn && rc == 0; q++) {
			const char *type;
			int64_t v;
			townorg_entity_quota_at(e, q, &type, &v);
			if (strcmp(type, "admin") && strcmp(type, "inst"))
				rc = set_add(&quotas, &nq, &cq, type);
		}
		size_t an = townorg_entity_attr_count(e);
		for (size_t a = 0; a < an && rc == 0; a++) {
			const char *name;
			int is_list;
			townorg_entity_attr_at(e, a, &name, &is_list);
			if (is_fixed_attr(name)) {
				/* a documented name used with the other shape
				 * (a list "rank", a text "functions"): made up */
				int want_list = 0;
				for (int k = XC_FUNDING; k <= XC_COLOCATED; k++)
					if (strcmp(townorg__xlsx_cols[k].token, name) == 0)
						want_list = townorg__xlsx_cols[k].type == XT_LIST;
				if (want_list == is_list)
					continue;
			}
			rc = is_list ? set_add(&lists, &nl, &cl, name) : set_add(&texts, &nt, &ct, name);
		}
	}
	if (rc < 0)
		goto out;
	if (nq > 1) /* (qsort must not be given NULL, even for nothing) */
		qsort(quotas, nq, sizeof *quotas, cmp_str);
	if (nt > 1)
		qsort(texts, nt, sizeof *texts, cmp_str);
	if (nl > 1)
		qsort(lists, nl, sizeof *lists, cmp_str);
	size_t cap = XC_FIXED_COUNT + nq + nt + nl;
	cols = townorg__calloc(cap, sizeof *cols);
	headers = townorg__calloc(cap, sizeof *headers);
	if (!cols || !headers) {
		rc = townorg__oom();
		goto out;
	}
	for (int k = 0; k < XC_FIXED_COUNT; k++)
		if (fixed_used[k]) {
			cols[ncols].id = townorg__xlsx_cols[k].id;
			cols[ncols].fixed = &townorg__xlsx_cols[k];
			headers[ncols++] = townorg__xlsx_cols[k].header;
		}
	static const char *const prefix[] = { "编制：", "属性：", "列表：" };
	const char **sets[] = { quotas, texts, lists };
	size_t counts[] = { nq, nt, nl };
	for (int g = 0; g < 3; g++)
		for (size_t i = 0; i < counts[g]; i++) {
			size_t len = strlen(prefix[g]) + strlen(sets[g][i]) + 1;
			char *h = townorg__malloc(len);
			if (!h) {
				rc = townorg__oom();
				goto out;
			}
			snprintf(h, len, "%s%s", prefix[g], sets[g][i]);
			cols[ncols].id = (townorg__xlsx_col_id)(XC_QUOTA + g);
			cols[ncols].name = sets[g][i];
			cols[ncols].header = h;
			headers[ncols++] = h;
		}
	if ((rc = sheet_new(c, &s, sheet, headers, ncols)) < 0)
		goto out;
	for (size_t col = 0; col < ncols; col++)
		if (cols[col].fixed && cols[col].fixed->type == XT_ID)
			worksheet_set_column(s.ws, (lxw_col_t)col, (lxw_col_t)col, LXW_DEF_COL_WIDTH, c->text);

	for (size_t i = 0; i < n && rc == 0; i++) {
		const townorg_entity *e = ents[i];
		lxw_row_t r = (lxw_row_t)(i + 1);
		for (size_t col = 0; col < ncols && rc == 0; col++) {
			const ecol *ec = &cols[col];
			int64_t v;
			size_t ln;
			const char *const *items = NULL;
			const char *t = NULL;
			if (ec->id == XC_QUOTA) {
				if (townorg_entity_quota(e, ec->name, &v) == 0)
					rc = put_int(c, &s, sheet, r, col, v);
				continue;
			}
			if (ec->id == XC_TEXT) {
				if (townorg_entity_attr_count(e) && (t = townorg_entity_text(e, ec->name)) != NULL)
					rc = put_str(c, &s, sheet, r, col, t, c->wrap);
				continue;
			}
			if (ec->id == XC_LIST) {
				items = townorg_entity_list(e, ec->name, &ln);
			} else {
				const townorg__xlsx_col *fc = ec->fixed;
				switch (fc->id) {
				case XC_ID:
					rc = put_str(c, &s, sheet, r, col, townorg_entity_id(e), c->text);
					continue;
				case XC_NAME:
					rc = put_str(c, &s, sheet, r, col, townorg_entity_name(e), NULL);
					continue;
				case XC_KIND:
					rc = put_str(c, &s, sheet, r, col, townorg__xlsx_kind_zh(townorg_entity_kind(e)),
						     NULL);
					continue;
				case XC_PARENT:
					rc = put_str(c, &s, sheet, r, col, townorg_entity_parent_id(e), c->text);
					continue;
				case XC_CLASS:
					rc = put_str(c, &s, sheet, r, col, townorg__xlsx_class_zh(townorg_entity_class(e)),
						     NULL);
					continue;
				default:
					break;
				}
				if (fc->type == XT_AREA) {
					if (townorg_entity_int(e, TOWNORG_FIELD_AREA, &v) == 0) {
						char buf[32];
						townorg_area_format(buf, sizeof buf, v);
						rc = put_num(c, &s, sheet, r, col, (double)v / 10.0, c->area, strlen(buf));
					}
					continue;
				}
				if (fc->field >= 0) {
					if (townorg_entity_int(e, (townorg_field)fc->field, &v) == 0)
						rc = put_int(c, &s, sheet, r, col, v);
					continue;
				}
				if (fc->type == XT_LIST) {
					items = townorg_entity_list(e, fc->token, &ln);
				} else {
					t = townorg_entity_text(e, fc->token);
					if (t && fc->type == XT_ENUM)
						t = townorg__xlsx_enum_zh(fc, t);
					if (t)
						rc = put_str(c, &s, sheet, r, col, t,
							     fc->type == XT_ID ? c->text : NULL);
					continue;
				}
			}
			if (items && ln) {
				townorg__buf b = { 0 };
				for (size_t k = 0; k < ln; k++) {
					if (k)
						townorg__buf_putc(&b, '\n');
					townorg__buf_puts(&b, items[k]);
				}
				townorg__buf_putc(&b, 0);
				if (b.failed)
					rc = townorg__oom();
				else
					rc = put_str(c, &s, sheet, r, col, b.data, c->wrap);
				townorg__buf_free(&b);
			}
		}
	}
	s.rows = (lxw_row_t)(n + 1);
	if (rc == 0)
		sheet_done(c, &s);
out:
	townorg__free(s.width);
	if (cols)
		for (size_t i = 0; i < ncols; i++)
			townorg__free(cols[i].header);
	townorg__free(cols);
	townorg__free(headers);
	townorg__free(quotas);
	townorg__free(texts);
	townorg__free(lists);
	return rc;
}

/* ------------------------------------------------------------ 说明, 事件 */

static int write_info(wctx *c, const townorg_version *v, const townorg_xlsx_export_options *o)
{
	static const char *const head[] = { "项目", "内容" };
	const townorg_meta *m = townorg_version_meta(v);
	wsheet s;
	int rc;
	if ((rc = sheet_new(c, &s, XLSX_SHEET_INFO, head, 2)) < 0)
		return rc;
	char count[32];
	snprintf(count, sizeof count, "%zu", townorg_version_entity_count(v));
	const char *rows[][2] = {
		{ "版本号", townorg_version_id(v) },
		{ "状态哈希", townorg_version_state_hash(v) },
		{ "生效日期", m->effective_date },
		{ "记录时间", m->recorded_at },
		{ "录入人", m->author },
		{ "发文机关", m->doc_issuer },
		{ "文号", m->doc_number },
		{ "发文日期", m->doc_date },
		{ "文件标题", m->doc_title },
		{ "说明", m->message },
		{ "实体数", count },
		{ "变更对比版本", o->changes_since ? townorg_version_id(o->changes_since) : NULL },
		{ "核查政策", o->policy ? townorg_policy_title(o->policy) : NULL },
		{ "导出程序", "libtownorg " TOWNORG_VERSION },
	};
	lxw_row_t r = 1;
	for (size_t i = 0; i < sizeof rows / sizeof *rows && rc == 0; i++) {
		if (!rows[i][1])
			continue;
		if ((rc = put_str(c, &s, XLSX_SHEET_INFO, r, 0, rows[i][0], NULL)) == 0)
			rc = put_str(c, &s, XLSX_SHEET_INFO, r, 1, rows[i][1], c->text);
		r++;
	}
	s.rows = 1; /* no autofilter on a key/value sheet */
	if (rc == 0)
		sheet_done(c, &s);
	townorg__free(s.width);
	return rc;
}

static int put_joined(wctx *c, wsheet *s, const char *sheet, lxw_row_t r, size_t col, const char *const *v, size_t n)
{
	townorg__buf b = { 0 };
	for (size_t k = 0; k < n; k++) {
		if (k)
			townorg__buf_putc(&b, '\n');
		townorg__buf_puts(&b, v[k]);
	}
	townorg__buf_putc(&b, 0);
	int rc = b.failed ? townorg__oom() : put_str(c, s, sheet, r, col, b.data, c->wrap);
	townorg__buf_free(&b);
	return rc;
}

static int write_events(wctx *c, const townorg_version *v)
{
	static const char *const head[] = { "事件编号", "类型", "原编码", "新编码", "文号", "日期", "原文表述" };
	size_t n = townorg_version_event_count(v);
	wsheet s;
	int rc;
	if (n == 0)
		return 0;
	if ((rc = sheet_new(c, &s, XLSX_SHEET_EVENTS, head, 7)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const townorg_event *e = townorg_version_event(v, i);
		lxw_row_t r = (lxw_row_t)(i + 1);
		if (!e) {
			rc = townorg__oom();
			break;
		}
		if ((rc = put_str(c, &s, XLSX_SHEET_EVENTS, r, 0, e->event_id, c->text)) < 0 ||
		    (rc = put_str(c, &s, XLSX_SHEET_EVENTS, r, 1, townorg__xlsx_event_zh(e->kind), NULL)) < 0 ||
		    (rc = put_joined(c, &s, XLSX_SHEET_EVENTS, r, 2, e->from_ids, e->from_count)) < 0 ||
		    (rc = put_joined(c, &s, XLSX_SHEET_EVENTS, r, 3, e->to_ids, e->to_count)) < 0 ||
		    (rc = put_joined(c, &s, XLSX_SHEET_EVENTS, r, 4, e->documents, e->document_count)) < 0 ||
		    (rc = put_str(c, &s, XLSX_SHEET_EVENTS, r, 5, e->date, c->text)) < 0)
			break;
		rc = put_str(c, &s, XLSX_SHEET_EVENTS, r, 6, e->wording, c->wrap);
	}
	s.rows = (lxw_row_t)(n + 1);
	if (rc == 0)
		sheet_done(c, &s);
	townorg__free(s.width);
	return rc;
}

/* ------------------------------------------------------------ 变更表, 精简率 */

static const char *field_value_zh(const townorg_diff_field *f, const char *value)
{
	if (!value)
		return NULL;
	if (strcmp(f->name, "kind") == 0) {
		townorg_kind k;
		if (townorg__xlsx_kind_parse(&k, value) == 0)
			return townorg__xlsx_kind_zh(k);
	} else if (strcmp(f->name, "class") == 0) {
		townorg_class cl;
		if (townorg__xlsx_class_parse(&cl, value) == 0)
			return townorg__xlsx_class_zh(cl);
	} else {
		for (int k = XC_FUNDING; k <= XC_COLOCATED; k++)
			if (townorg__xlsx_cols[k].type == XT_ENUM && strcmp(townorg__xlsx_cols[k].token, f->name) == 0)
				return townorg__xlsx_enum_zh(&townorg__xlsx_cols[k], value);
	}
	return value;
}

static int write_changes(wctx *c, const townorg_diff *d)
{
	static const char *const head[] = { "编码", "名称", "类型", "变动", "字段", "原值", "新值" };
	const char *sh = XLSX_SHEET_CHANGES;
	wsheet s;
	int rc;
	if ((rc = sheet_new(c, &s, sh, head, 7)) < 0)
		return rc;
	lxw_row_t r = 1;
	size_t n = townorg_diff_num_deltas(d);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		const townorg_entity *e = dl->new_entity ? dl->new_entity : dl->old_entity;
		const char *what = dl->status == TOWNORG_DELTA_ADDED ? "新增" : dl->status == TOWNORG_DELTA_REMOVED ? "撤销"
													: "调整";
		size_t nf = dl->field_count ? dl->field_count : 1;
		for (size_t k = 0; k < nf && rc == 0; k++, r++) {
			if ((rc = put_str(c, &s, sh, r, 0, dl->id, c->text)) < 0 ||
			    (rc = put_str(c, &s, sh, r, 1, townorg_entity_name(e), NULL)) < 0 ||
			    (rc = put_str(c, &s, sh, r, 2, townorg__xlsx_kind_zh(dl->kind), NULL)) < 0 ||
			    (rc = put_str(c, &s, sh, r, 3, what, NULL)) < 0)
				break;
			if (dl->field_count) {
				const townorg_diff_field *f = &dl->fields[k];
				lxw_format *fmt = f->type == TOWNORG_VALUE_LIST ? c->wrap : c->text;
				if ((rc = put_str(c, &s, sh, r, 4, townorg__xlsx_field_zh(f->name), NULL)) < 0 ||
				    (rc = put_str(c, &s, sh, r, 5, field_value_zh(f, f->old_value), fmt)) < 0)
					break;
				rc = put_str(c, &s, sh, r, 6, field_value_zh(f, f->new_value), fmt);
			}
		}
	}
	s.rows = r;
	if (rc == 0)
		sheet_done(c, &s);
	townorg__free(s.width);
	return rc;
}

static int put_reduction(wctx *c, wsheet *s, const char *sh, lxw_row_t r, size_t col, const townorg_reduction *red)
{
	int rc;
	if ((rc = put_int(c, s, sh, r, col, red->before)) < 0 || (rc = put_int(c, s, sh, r, col + 1, red->after)) < 0)
		return rc;
	if (!red->available)
		return put_str(c, s, sh, r, col + 2, "—", NULL);
	return put_num(c, s, sh, r, col + 2, red->value, c->pct, 7);
}

static int write_rates(wctx *c, const townorg_diff *d)
{
	static const char *const head[] = { "层级", "编码", "名称", "机构数（前）", "机构数（后）", "机构精简率",
					    "编制（前）", "编制（后）", "编制精简率", "实有人数（前）",
					    "实有人数（后）", "人员精简率" };
	const char *sh = XLSX_SHEET_RATES;
	wsheet s;
	int rc;
	if ((rc = sheet_new(c, &s, sh, head, 12)) < 0)
		return rc;
	lxw_row_t r = 1;
	const townorg_diff_totals *all = townorg_diff_totals_all(d);
	if (all) {
		rc = put_str(c, &s, sh, r, 0, "合计", NULL);
		if (rc == 0 && (rc = put_reduction(c, &s, sh, r, 3, &all->organs)) == 0 &&
		    (rc = put_reduction(c, &s, sh, r, 6, &all->quota)) == 0)
			rc = put_reduction(c, &s, sh, r, 9, &all->staff);
		r++;
	}
	static const townorg_unit_level levels[] = { TOWNORG_UNIT_COUNTY, TOWNORG_UNIT_TOWNSHIP };
	for (int l = 0; l < 2 && rc == 0; l++) {
		size_t n = townorg_diff_totals_count(d, levels[l]);
		for (size_t i = 0; i < n && rc == 0; i++, r++) {
			const townorg_diff_totals *t = townorg_diff_totals_at(d, levels[l], i);
			if ((rc = put_str(c, &s, sh, r, 0, l == 0 ? "县" : "乡镇", NULL)) < 0 ||
			    (rc = put_str(c, &s, sh, r, 1, t->id, c->text)) < 0 ||
			    (rc = put_str(c, &s, sh, r, 2, t->name, NULL)) < 0 ||
			    (rc = put_reduction(c, &s, sh, r, 3, &t->organs)) < 0 ||
			    (rc = put_reduction(c, &s, sh, r, 6, &t->quota)) < 0)
				break;
			rc = put_reduction(c, &s, sh, r, 9, &t->staff);
		}
	}
	s.rows = r;
	if (rc == 0)
		sheet_done(c, &s);
	townorg__free(s.width);
	return rc;
}

/* ------------------------------------------------------------ 核查结果 */

static int write_findings(wctx *c, const townorg_version *v, const townorg_validation *res)
{
	static const char *const head[] = { "规则", "级别", "编码", "名称", "字段", "值", "限额", "说明", "已豁免",
					    "豁免理由", "豁免文件" };
	static const char *const sev_zh[] = { "", "提示", "警告", "错误" };
	const char *sh = XLSX_SHEET_FINDINGS;
	wsheet s;
	int rc;
	if ((rc = sheet_new(c, &s, sh, head, 11)) < 0)
		return rc;
	size_t n = townorg_validation_count(res);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const townorg_finding *f = townorg_validation_at(res, i);
		lxw_row_t r = (lxw_row_t)(i + 1);
		const townorg_entity *e = NULL;
		if (f->entity)
			townorg_version_get(&e, v, f->entity);
		int sev = (int)f->severity;
		if ((rc = put_str(c, &s, sh, r, 0, f->rule, NULL)) < 0 ||
		    (rc = put_str(c, &s, sh, r, 1, sev >= 1 && sev <= 3 ? sev_zh[sev] : townorg_severity_token(f->severity),
				  NULL)) < 0 ||
		    (rc = put_str(c, &s, sh, r, 2, f->entity, c->text)) < 0 ||
		    (rc = put_str(c, &s, sh, r, 3, e ? townorg_entity_name(e) : NULL, NULL)) < 0 ||
		    (rc = put_str(c, &s, sh, r, 4, f->path, NULL)) < 0)
			break;
		if (f->has_value)
			rc = put_int(c, &s, sh, r, 5, f->value);
		else
			rc = put_str(c, &s, sh, r, 5, f->value_text, NULL);
		if (rc == 0 && f->has_limit)
			rc = put_int(c, &s, sh, r, 6, f->limit);
		if (rc == 0 && (rc = put_str(c, &s, sh, r, 7, f->message_zh, c->wrap)) == 0 &&
		    (rc = put_str(c, &s, sh, r, 8, f->waived ? "是" : "否", NULL)) == 0 &&
		    (rc = put_str(c, &s, sh, r, 9, f->waiver_reason, c->wrap)) == 0)
			rc = put_str(c, &s, sh, r, 10, f->waiver_document, NULL);
	}
	s.rows = (lxw_row_t)(n + 1);
	if (rc == 0)
		sheet_done(c, &s);
	townorg__free(s.width);
	return rc;
}

/* ------------------------------------------------------------ the workbook */


static int write_book(wctx *c, const townorg_version *v, const townorg_xlsx_export_options *o,
		      const townorg_diff *diff, const townorg_validation *res)
{
	const townorg_entity **by_group[XLSX_GROUP_COUNT] = { 0 };
	size_t count[XLSX_GROUP_COUNT] = { 0 };
	size_t total = townorg_version_entity_count(v);
	townorg_iterator *it = NULL;
	const townorg_entity *e;
	int rc = 0;

	for (int g = 0; g < XLSX_GROUP_COUNT; g++)
		if (!(by_group[g] = townorg__calloc(total ? total : 1, sizeof *by_group[g]))) {
			rc = townorg__oom();
			goto out;
		}
	if ((rc = townorg_iterator_new(&it, v)) < 0)
		goto out;
	while ((rc = townorg_iterator_next(&e, it)) == 0) {
		int g = townorg__xlsx_group_of(townorg_entity_kind(e));
		if (g >= 0 && count[g] < total)
			by_group[g][count[g]++] = e;
	}
	if (rc != TOWNORG_ITEROVER)
		goto out;
	rc = 0;

	c->head = workbook_add_format(c->wb);
	c->text = workbook_add_format(c->wb);
	c->wrap = workbook_add_format(c->wb);
	c->area = workbook_add_format(c->wb);
	c->pct = workbook_add_format(c->wb);
	c->intf = workbook_add_format(c->wb);
	if (!c->head || !c->text || !c->wrap || !c->area || !c->pct || !c->intf) {
		rc = townorg__oom();
		goto out;
	}
	format_set_bold(c->head);
	format_set_bg_color(c->head, 0xDDEBF7);
	format_set_border(c->head, LXW_BORDER_THIN);
	format_set_num_format(c->text, "@");
	format_set_text_wrap(c->wrap);
	format_set_align(c->wrap, LXW_ALIGN_VERTICAL_TOP);
	format_set_num_format(c->area, "0.0");
	format_set_num_format(c->pct, "0.0%");
	format_set_num_format(c->intf, "0");

	if ((rc = write_info(c, v, o)) < 0)
		goto out;
	for (int g = 0; g < XLSX_GROUP_COUNT && rc == 0; g++) {
		if (!count[g])
			continue;
		qsort(by_group[g], count[g], sizeof *by_group[g], cmp_ent);
		rc = write_entity_sheet(c, townorg__xlsx_groups[g].sheet, by_group[g], count[g]);
	}
	if (rc == 0)
		rc = write_events(c, v);
	if (rc == 0 && diff && (rc = write_changes(c, diff)) == 0)
		rc = write_rates(c, diff);
	if (rc == 0 && res)
		rc = write_findings(c, v, res);
out:
	townorg_iterator_free(it);
	for (int g = 0; g < XLSX_GROUP_COUNT; g++)
		townorg__free(by_group[g]);
	return rc;
}

int townorg_export_xlsx(const townorg_version *v, const char *path, const townorg_xlsx_export_options *opts)
{
	townorg_xlsx_export_options o = TOWNORG_XLSX_EXPORT_OPTIONS_INIT;
	townorg_diff *diff = NULL;
	townorg_validation *res = NULL;
	int rc;
	if (!v || !path || !*path)
		return townorg__err(TOWNORG_EINVALID, "townorg_export_xlsx: no version or no path");
	if (opts) {
		if (opts->version != TOWNORG_XLSX_EXPORT_OPTIONS_VERSION)
			return townorg__err(TOWNORG_EINVALID, "workbook export options of an unknown version");
		o = *opts;
	}
	if (o.changes_since && (rc = townorg_diff_versions(&diff, o.changes_since, v, NULL)) < 0)
		return rc;
	if (o.policy && (rc = townorg_validate(&res, v, o.policy)) < 0)
		goto out;

	/* the library's atomic output (base/files.c): the target checked (never
	 * a repository), a temporary file beside it that libxlsxwriter writes,
	 * then fsync, rename and the folder's fsync */
	townorg__atomic a;
	if ((rc = townorg__atomic_begin(&a, path)) < 0)
		goto out;
	lxw_workbook_options wo = { 0, NULL, 0 };
	wctx c = { 0 };
	c.path = path;
	c.wb = workbook_new_opt(a.tmp, &wo);
	if (!c.wb) {
		townorg__atomic_abort(&a);
		rc = townorg__err(TOWNORG_EIO, "%s: cannot start the workbook", path);
		goto out;
	}
	rc = write_book(&c, v, &o, diff, res);
	lxw_error e = workbook_close(c.wb); /* frees the workbook in every case */
	if (rc == 0 && e != LXW_NO_ERROR)
		rc = townorg__err(e == LXW_ERROR_MEMORY_MALLOC_FAILED ? TOWNORG_ENOMEM : TOWNORG_EIO,
				  "%s: cannot write the workbook: %s", path, lxw_strerror(e));
	if (rc == 0)
		rc = townorg__atomic_commit(&a);
	else
		townorg__atomic_abort(&a);
out:
	townorg_diff_free(diff);
	townorg_validation_free(res);
	return rc;
}

#endif /* HAVE_XLSX */

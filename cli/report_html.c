/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/report_html.c — `townorg report`: a reform report as one HTML file.
 *
 * What an office hands in: the versions compared (ids, dates, documents),
 * the totals and the table of changes by township with 精简率, the org
 * charts of the unit before and after, the change events with their
 * documents, and the findings of validation with their waivers.
 *
 * Design.
 *  - One self-contained file: CSS inline, the charts inline SVG (from
 *    libtownorg-chart, no XML declaration), no scripts, no web fonts, no
 *    link to anything on the network.  Fonts are named in a stack (Noto
 *    Sans CJK SC first) and come from the reader's system.
 *  - Every number comes from the library: the totals are the diff's
 *    (townorg_diff_totals_*, with the diff's `under` filter set to the
 *    unit, so the whole-diff totals are the unit's), and 精简率 is
 *    townorg_reduction_format's.  A township the diff does not touch did
 *    not change; its row shows the version's own numbers (organs counted,
 *    townorg_version_quota_total) before and after alike.
 *  - Cells carry data- attributes (data-unit, data-field) so that a test
 *    can read the rendered DOM and compare it with `townorg diff --json`.
 *  - A print stylesheet: A4 pages, each section a page break where it
 *    helps, tables and charts kept whole, table heads repeated.
 *  - Without Graphviz (built --with-graphviz=no) the structure is shown as
 *    tables: each township with its organs and quotas.
 *  - Language: Chinese by default, English with --lang en; entity names and
 *    documents stay as recorded.
 */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "outfile.h"
#ifdef HAVE_GRAPHVIZ
#include <townorg/chart.h>
#endif

/* ------------------------------------------------------------ words */

typedef struct {
	const char *zh, *en;
} word;

#define W(zh, en) ((const word){ zh, en })
static int zh_mode;
static const char *T(word w)
{
	return zh_mode ? w.zh : w.en;
}

/* Kinds are named by the library's schema (townorg_kind_label). */
static const char *kind_name(townorg_kind k)
{
	const char *l = townorg_kind_label(k, zh_mode ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	return l ? l : "";
}

static const char *class_name(townorg_class c)
{
	switch (c) {
	case TOWNORG_CLASS_LARGE: return T(W("大", "large"));
	case TOWNORG_CLASS_MEDIUM: return T(W("中", "medium"));
	case TOWNORG_CLASS_SMALL: return T(W("小", "small"));
	default: return "";
	}
}

static const char *event_name(townorg_event_kind k)
{
	switch (k) {
	case TOWNORG_EVENT_CREATE: return T(W("新设", "create"));
	case TOWNORG_EVENT_ABOLISH: return T(W("撤销", "abolish"));
	case TOWNORG_EVENT_MERGE: return T(W("撤并", "merge"));
	case TOWNORG_EVENT_SPLIT: return T(W("拆分", "split"));
	case TOWNORG_EVENT_REORGANIZE: return T(W("整合", "reorganize"));
	case TOWNORG_EVENT_RENAME: return T(W("更名", "rename"));
	case TOWNORG_EVENT_RECLASSIFY: return T(W("改设", "reclassify"));
	case TOWNORG_EVENT_MOVE: return T(W("隶属变更", "move"));
	case TOWNORG_EVENT_TRANSFER_FUNCTIONS: return T(W("职能划转", "transfer of functions"));
	case TOWNORG_EVENT_TRANSFER_STAFF: return T(W("人员分流", "transfer of staff"));
	case TOWNORG_EVENT_TRANSFER_ARCHIVES: return T(W("档案移交", "transfer of archives"));
	default: return "";
	}
}

static const char *severity_name(townorg_severity s)
{
	switch (s) {
	case TOWNORG_SEVERITY_ERROR: return T(W("错误", "error"));
	case TOWNORG_SEVERITY_WARNING: return T(W("警告", "warning"));
	case TOWNORG_SEVERITY_INFO: return T(W("提示", "info"));
	default: return "";
	}
}

/* ------------------------------------------------------------ HTML */

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Text with its line breaks kept (<br>). */
static void esc_lines(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("<br>", f);
		else {
			char c[2] = { *s, 0 };
			esc(f, c);
		}
	}
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static const char CSS[] =
	":root{--ink:#1d2733;--line:#c9d3df;--head:#e9eff6;--accent:#2f5d8a;--bad:#a22;--good:#246b2d}\n"
	"*{box-sizing:border-box}\n"
	"html{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Noto Sans SC\",\"Microsoft YaHei\",\"PingFang SC\","
	"\"WenQuanYi Micro Hei\",sans-serif;color:var(--ink);font-size:14px;line-height:1.5}\n"
	"body{max-width:1100px;margin:0 auto;padding:24px}\n"
	"h1{font-size:24px;margin:0 0 4px;color:var(--accent)}\n"
	"h2{font-size:18px;border-bottom:2px solid var(--accent);padding-bottom:2px;margin:28px 0 10px;color:var(--accent)}\n"
	"h3{font-size:15px;margin:16px 0 6px}\n"
	".sub{color:#555;margin:0 0 12px}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}\n"
	"th,td{border:1px solid var(--line);padding:3px 6px;vertical-align:top;text-align:left}\n"
	"thead th{background:var(--head)}\n"
	"table.versions th{white-space:nowrap}\n"
	"table.versions td:nth-child(2){width:26%}table.versions td:nth-child(4){width:24%}\n"
	"table.events td:nth-child(2){white-space:nowrap}table.events td:nth-child(3){width:24%}\n"
	"table.events td:nth-child(4){width:15%}table.events td:nth-child(5){width:14%}\n"
	"table.findings td:nth-child(3){white-space:nowrap}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.total td{font-weight:bold;background:#f5f7fa}\n"
	".id{font-family:\"Noto Sans Mono\",\"DejaVu Sans Mono\",monospace;font-size:11px;word-break:break-all}\n"
	".ok{color:var(--good);font-weight:bold}.no{color:var(--bad);font-weight:bold}\n"
	".waived{color:#666}\n"
	"figure{margin:8px 0 16px;text-align:center}\n"
	"figure svg{max-width:100%;height:auto}\n"
	"figcaption{font-size:12px;color:#555}\n"
	".note{font-size:12px;color:#555;overflow-wrap:anywhere}\n"
	"footer{margin-top:32px;font-size:11px;color:#777;border-top:1px solid var(--line);padding-top:6px}\n"
	"@media print{\n"
	"  @page{size:A4;margin:16mm 14mm 16mm 14mm}\n"
	"  html{font-size:10.5pt}\n"
	"  body{max-width:none;padding:0}\n"
	"  h2{break-after:avoid;page-break-after:avoid}\n"
	"  h3{break-after:avoid;page-break-after:avoid}\n"
	"  section.newpage{break-before:page;page-break-before:always}\n"
	"  figure{break-inside:avoid;page-break-inside:avoid}\n"
	"  figure svg{max-height:235mm;width:auto;max-width:100%}\n"
	"  thead{display:table-header-group}\n"
	"  tr{break-inside:avoid;page-break-inside:avoid}\n"
	"  a{color:inherit;text-decoration:none}\n"
	"}\n";

/* ------------------------------------------------------------ numbers */

static void fmt_rate(char *buf, size_t size, const townorg_reduction *r)
{
	if (!r->available) {
		snprintf(buf, size, "—");
		return;
	}
	char tmp[32];
	townorg_reduction_format(tmp, sizeof tmp, r);
	snprintf(buf, size, "%s%%", tmp);
}

/* before, after, rate as three cells */
static void reduction_cells(FILE *f, const char *field, const townorg_reduction *r)
{
	char rate[48];
	fmt_rate(rate, sizeof rate, r);
	fprintf(f, "<td class=\"num\" data-field=\"%s-before\">%lld</td><td class=\"num\" data-field=\"%s-after\">%lld</td>"
		"<td class=\"num\" data-field=\"%s-rate\">%s</td>", field, (long long)r->before, field, (long long)r->after,
		field, rate);
}

static townorg_reduction same(int64_t n)
{
	townorg_reduction r = { n, n, n != 0, 0, n, 0.0 };
	return r;
}

static void quota_type_cell(FILE *f, const townorg_diff_totals *t, const char *type, const char *field)
{
	int64_t b = 0, a = 0;
	for (size_t i = 0; t && i < t->quota_type_count; i++)
		if (strcmp(t->quotas[i].type, type) == 0) {
			b = t->quotas[i].quota.before;
			a = t->quotas[i].quota.after;
		}
	fprintf(f, "<td class=\"num\" data-field=\"%s\">%lld → %lld</td>", field, (long long)b, (long long)a);
}

/* ------------------------------------------------------------ units */

typedef struct {
	const char **ids;
	size_t n, cap;
} idlist;

static int idlist_add(idlist *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->ids[i], id) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		const char **p = realloc(l->ids, cap * sizeof *p);
		if (!p)
			return -1;
		l->ids = p;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The township-level units at or below `id` in v (descending through
 * counties and the like, not into townships). */
static int collect_townships(idlist *l, const townorg_version *v, const char *id, int depth)
{
	const townorg_entity *e;
	if (!v || townorg_version_get(&e, v, id) < 0) {
		townorg_error_clear();
		return 0;
	}
	if (townorg_kind_is_township_level(townorg_entity_kind(e)))
		return idlist_add(l, townorg_entity_id(e));
	if (depth > 8)
		return 0;
	const townorg_entity *const *kids;
	size_t n;
	if (townorg_version_children(&kids, &n, v, id) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		townorg_kind k = townorg_entity_kind(kids[i]);
		if (townorg_kind_is_organ(k) || k == TOWNORG_KIND_VILLAGE || k == TOWNORG_KIND_COMMUNITY ||
		    k == TOWNORG_KIND_DEPARTMENT)
			continue;
		if (collect_townships(l, v, townorg_entity_id(kids[i]), depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* The name of an entity in the later version, else the earlier, else its id. */
static const char *name_of(const cli_report *r, const char *id)
{
	const townorg_entity *e;
	if (r->to && townorg_version_get(&e, r->to, id) == 0 && *townorg_entity_name(e))
		return townorg_entity_name(e);
	if (r->from && townorg_version_get(&e, r->from, id) == 0 && *townorg_entity_name(e))
		return townorg_entity_name(e);
	townorg_error_clear();
	return id;
}

/* An unchanged township: its numbers from the version. */
static void unit_numbers(const townorg_version *v, const char *id, int64_t *organs, int64_t *quota, int64_t *staff,
	int64_t *admin, int64_t *inst)
{
	*organs = *quota = *staff = *admin = *inst = 0;
	const townorg_entity *const *kids;
	size_t n;
	if (townorg_version_children(&kids, &n, v, id) < 0) {
		townorg_error_clear();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!townorg_kind_is_organ(townorg_entity_kind(kids[i])))
			continue;
		(*organs)++;
		int64_t s;
		if (townorg_entity_int(kids[i], TOWNORG_FIELD_ACTUAL_STAFF, &s) == 0)
			*staff += s;
	}
	townorg_version_quota_total(quota, v, id, NULL);
	townorg_version_quota_total(admin, v, id, "admin");
	townorg_version_quota_total(inst, v, id, "inst");
	townorg_error_clear();
}

/* ------------------------------------------------------------ sections */

static void section_versions(FILE *f, const cli_report *r)
{
	fprintf(f, "<section id=\"versions\"><h2>%s</h2>\n", T(W("一、对比版本", "1. Versions compared")));
	fprintf(f, "<table class=\"versions\"><thead><tr><th></th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
		"</thead><tbody>\n", T(W("版本", "version")), T(W("生效日期", "effective")), T(W("批准文件", "document")),
		T(W("说明", "message")));
	for (int side = 0; side < 2; side++) {
		const townorg_version *v = side ? r->to : r->from;
		const townorg_meta *m = townorg_version_meta(v);
		char *refs = cli_refs_of(r->repo, v);
		fprintf(f, "<tr data-version=\"%s\"><th>%s</th><td><b>", townorg_version_id(v),
			side ? T(W("改革后", "after")) : T(W("改革前", "before")));
		esc(f, side ? r->to_name : r->from_name);
		fputs("</b>", f);
		if (refs && *refs) {
			fputs(" (", f);
			esc(f, refs);
			fputs(")", f);
		}
		fprintf(f, "<br><span class=\"id\">%s</span><br><span class=\"note\">%s %s · %s ", townorg_version_id(v),
			T(W("记录于", "recorded")), nz(m->recorded_at), T(W("作者", "author")));
		esc(f, nz(m->author));
		fprintf(f, "</span></td><td class=\"num\">%s</td><td>", nz(m->effective_date));
		if (m->doc_number || m->doc_title || m->doc_issuer) {
			if (m->doc_issuer) {
				esc(f, m->doc_issuer);
				fputs(" ", f);
			}
			fputs("<b>", f);
			esc(f, nz(m->doc_number));
			fputs("</b>", f);
			if (m->doc_title) {
				fputs(" ", f);
				esc(f, zh_mode ? "《" : "\"");
				esc(f, m->doc_title);
				esc(f, zh_mode ? "》" : "\"");
			}
			if (m->doc_date)
				fprintf(f, " (%s)", m->doc_date);
		} else {
			fputs(T(W("（无）", "(none)")), f);
		}
		fputs("</td><td class=\"note\">", f);
		esc_lines(f, nz(m->message));
		fputs("</td></tr>\n", f);
		free(refs);
	}
	fputs("</tbody></table></section>\n", f);
}

static int section_changes(FILE *f, const cli_report *r, const townorg_diff *d)
{
	idlist l = { 0 };
	if (collect_townships(&l, r->from, r->under, 0) < 0 || collect_townships(&l, r->to, r->under, 0) < 0) {
		free(l.ids);
		return -1;
	}
	qsort(l.ids, l.n, sizeof *l.ids, cmp_str);
	const townorg_diff_totals *all = townorg_diff_totals_all(d);
	fprintf(f, "<section id=\"changes\"><h2>%s</h2>\n", T(W("二、机构编制变化", "2. Changes in organs and quotas")));
	char rate_o[48], rate_q[48];
	fmt_rate(rate_o, sizeof rate_o, &all->organs);
	fmt_rate(rate_q, sizeof rate_q, &all->quota);
	fprintf(f, "<p data-summary=\"1\">");
	esc(f, name_of(r, r->under));
	if (zh_mode)
		fprintf(f, "：机构 %lld 个 → %lld 个，精简率 %s；编制 %lld 名 → %lld 名，精简率 %s。",
			(long long)all->organs.before, (long long)all->organs.after, rate_o,
			(long long)all->quota.before, (long long)all->quota.after, rate_q);
	else
		fprintf(f, ": organs %lld → %lld, reduction %s; quotas %lld → %lld, reduction %s.",
			(long long)all->organs.before, (long long)all->organs.after, rate_o,
			(long long)all->quota.before, (long long)all->quota.after, rate_q);
	fputs("</p>\n", f);
	fprintf(f, "<table class=\"changes\"><thead><tr><th rowspan=\"2\">%s</th><th rowspan=\"2\">%s</th>"
		"<th colspan=\"3\">%s</th><th colspan=\"3\">%s</th><th colspan=\"2\">%s</th></tr>\n"
		"<tr><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
		"<th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
		"<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>\n",
		T(W("乡镇（街道）", "township")), T(W("类别", "class")), T(W("机构数（个）", "organs")),
		T(W("编制（名）", "quotas")), T(W("其中", "of which")),
		T(W("改革前", "before")), T(W("改革后", "after")), T(W("精简率", "reduction")),
		T(W("改革前", "before")), T(W("改革后", "after")), T(W("精简率", "reduction")),
		T(W("行政编制", "admin")), T(W("事业编制", "inst.")));
	for (size_t i = 0; i < l.n; i++) {
		const char *id = l.ids[i];
		const townorg_diff_totals *t = townorg_diff_totals_by_id(d, id);
		const townorg_entity *e = NULL;
		if (townorg_version_get(&e, r->to, id) < 0 && townorg_version_get(&e, r->from, id) < 0)
			e = NULL;
		townorg_error_clear();
		fprintf(f, "<tr data-unit=\"");
		esc(f, id);
		fprintf(f, "\" data-changed=\"%d\"><td data-field=\"name\">", t ? 1 : 0);
		esc(f, name_of(r, id));
		fprintf(f, "</td><td>%s%s%s</td>", e ? kind_name(townorg_entity_kind(e)) : "",
			e && townorg_entity_class(e) ? " · " : "", e ? class_name(townorg_entity_class(e)) : "");
		if (t) {
			reduction_cells(f, "organs", &t->organs);
			reduction_cells(f, "quota", &t->quota);
			quota_type_cell(f, t, "admin", "admin");
			quota_type_cell(f, t, "inst", "inst");
		} else {
			int64_t organs, quota, staff, admin, inst;
			unit_numbers(r->to, id, &organs, &quota, &staff, &admin, &inst);
			townorg_reduction ro = same(organs), rq = same(quota);
			reduction_cells(f, "organs", &ro);
			reduction_cells(f, "quota", &rq);
			fprintf(f, "<td class=\"num\" data-field=\"admin\">%lld → %lld</td><td class=\"num\" data-field=\"inst\">"
				"%lld → %lld</td>", (long long)admin, (long long)admin, (long long)inst, (long long)inst);
		}
		fputs("</tr>\n", f);
	}
	fprintf(f, "<tr class=\"total\" data-unit=\"*\"><td data-field=\"name\">%s</td><td></td>", T(W("合计", "total")));
	reduction_cells(f, "organs", &all->organs);
	reduction_cells(f, "quota", &all->quota);
	quota_type_cell(f, all, "admin", "admin");
	quota_type_cell(f, all, "inst", "inst");
	fputs("</tr>\n</tbody></table>\n", f);
	fprintf(f, "<p class=\"note\">%s</p>\n",
		T(W("精简率 =（改革前 − 改革后）÷ 改革前；机构数含综合性办公室、事业单位、站所、执法队、单列和派驻机构；"
		    "编制为各机构核定编制之和（不含乡镇编制总额）。未列变化的乡镇前后相同。",
		    "Reduction = (before − after) ÷ before. Organs are offices, institutions, stations, teams, listed and "
		    "dispatched organs; quotas are the sum of the organs' own quotas (not the township's pool). A township "
		    "without changes has the same numbers before and after.")));
	fputs("</section>\n", f);
	free(l.ids);
	return 0;
}

/* The structure as a table when there are no charts. */
static void structure_table(FILE *f, const townorg_version *v, const char *under)
{
	idlist l = { 0 };
	if (collect_townships(&l, v, under, 0) < 0 || l.n == 0) {
		/* an organ or a unit with no townships: list its children */
		idlist_add(&l, under);
	}
	qsort(l.ids, l.n, sizeof *l.ids, cmp_str);
	fprintf(f, "<table class=\"structure\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th class=\"num\">%s</th>"
		"<th>%s</th></tr></thead><tbody>\n", T(W("单位", "unit")), T(W("机构", "organ")), T(W("类型", "kind")),
		T(W("编制", "quota")), T(W("挂牌", "nameplates")));
	for (size_t i = 0; i < l.n; i++) {
		const townorg_entity *const *kids;
		size_t n;
		const townorg_entity *u;
		if (townorg_version_get(&u, v, l.ids[i]) < 0 || townorg_version_children(&kids, &n, v, l.ids[i]) < 0) {
			townorg_error_clear();
			continue;
		}
		size_t organs = 0;
		for (size_t k = 0; k < n; k++)
			organs += townorg_kind_is_organ(townorg_entity_kind(kids[k])) != 0;
		int first = 1;
		for (size_t k = 0; k < n; k++) {
			if (!townorg_kind_is_organ(townorg_entity_kind(kids[k])))
				continue;
			fputs("<tr>", f);
			if (first) {
				fprintf(f, "<td rowspan=\"%zu\" data-unit=\"", organs);
				esc(f, l.ids[i]);
				fputs("\"><b>", f);
				esc(f, townorg_entity_name(u));
				fputs("</b></td>", f);
				first = 0;
			}
			fputs("<td>", f);
			esc(f, townorg_entity_name(kids[k]));
			fprintf(f, "</td><td>%s</td><td class=\"num\">%lld</td><td>", kind_name(townorg_entity_kind(kids[k])),
				(long long)townorg_entity_quota_total(kids[k]));
			size_t np;
			const char *const *plates = townorg_entity_list(kids[k], "nameplates", &np);
			for (size_t j = 0; j < np; j++) {
				if (j)
					fputs(zh_mode ? "、" : ", ", f);
				esc(f, plates[j]);
			}
			fputs("</td></tr>\n", f);
		}
		if (first) {
			fprintf(f, "<tr><td data-unit=\"");
			esc(f, l.ids[i]);
			fputs("\"><b>", f);
			esc(f, townorg_entity_name(u));
			fprintf(f, "</b></td><td colspan=\"4\">%s</td></tr>\n", T(W("（无机构）", "(no organs)")));
		}
	}
	fputs("</tbody></table>\n", f);
	free(l.ids);
}

static int one_chart(FILE *f, const cli_report *r, const townorg_version *v, const char *title, const char *prefix)
{
	const townorg_entity *u;
	fprintf(f, "<h3>%s</h3>\n", title);
	if (townorg_version_get(&u, v, r->under) < 0) {
		townorg_error_clear();
		fputs("<p class=\"note\">", f);
		esc(f, r->under);
		fprintf(f, " %s</p>\n", T(W("在此版本中不存在。", "does not exist in this version.")));
		return 0;
	}
#ifdef HAVE_GRAPHVIZ
	if (r->charts) {
		townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
		o.lang = r->lang;
		o.id_prefix = prefix;
		unsigned char *svg = NULL;
		size_t len = 0;
		int rc = townorg_chart_render(&svg, &len, v, r->under, TOWNORG_CHART_SVG, &o);
		if (rc == TOWNORG_EINVALID) {
			/* too large a unit for one chart: list it instead */
			fputs("<p class=\"note\">", f);
			esc(f, townorg_chart_error_last());
			fputs("</p>\n", f);
			structure_table(f, v, r->under);
			return 0;
		}
		if (rc < 0) {
			cli_warn("%s", townorg_chart_error_last() ? townorg_chart_error_last() : townorg_error_name(rc));
			return rc;
		}
		fprintf(f, "<figure class=\"chart\" data-chart=\"%s\">\n", prefix);
		fwrite(svg, 1, len, f);
		fputs("\n<figcaption>", f);
		esc(f, townorg_entity_name(u));
		fprintf(f, " · %s</figcaption></figure>\n", nz(townorg_version_meta(v)->effective_date));
		townorg_chart_free(svg);
		return 0;
	}
#else
	(void)prefix;
#endif
	structure_table(f, v, r->under);
	return 0;
}

static int section_charts(FILE *f, const cli_report *r)
{
	fprintf(f, "<section id=\"structure\" class=\"newpage\"><h2>%s</h2>\n",
		T(W("三、机构设置", "3. Structure before and after")));
	if (!r->charts)
		fprintf(f, "<p class=\"note\">%s</p>\n",
			T(W("本程序构建时未带 Graphviz，机构设置以表格列出。",
			    "This program was built without Graphviz: the structure is listed as tables.")));
	char title[256];
	if (r->from == r->to || strcmp(townorg_version_id(r->from), townorg_version_id(r->to)) == 0) {
		/* one version: one chart */
		snprintf(title, sizeof title, zh_mode ? "%s（%s，前后为同一版本）" : "%s (%s; before and after are one version)",
			T(W("机构设置", "Structure")), nz(townorg_version_meta(r->to)->effective_date));
		if (one_chart(f, r, r->to, title, "after") < 0)
			return -1;
		fputs("</section>\n", f);
		return 0;
	}
	snprintf(title, sizeof title, "%s（%s）", T(W("改革前", "Before")), nz(townorg_version_meta(r->from)->effective_date));
	if (!zh_mode)
		snprintf(title, sizeof title, "Before (%s)", nz(townorg_version_meta(r->from)->effective_date));
	if (one_chart(f, r, r->from, title, "before") < 0)
		return -1;
	snprintf(title, sizeof title, "%s（%s）", T(W("改革后", "After")), nz(townorg_version_meta(r->to)->effective_date));
	if (!zh_mode)
		snprintf(title, sizeof title, "After (%s)", nz(townorg_version_meta(r->to)->effective_date));
	if (one_chart(f, r, r->to, title, "after") < 0)
		return -1;
	fputs("</section>\n", f);
	return 0;
}

static void id_names(FILE *f, const cli_report *r, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(zh_mode ? "、" : ", ", f);
		fputs("<span title=\"", f);
		esc(f, ids[i]);
		fputs("\">", f);
		esc(f, name_of(r, ids[i]));
		fputs("</span>", f);
	}
}

static void section_events(FILE *f, const cli_report *r, const townorg_diff *d)
{
	size_t n = townorg_diff_num_events(d);
	fprintf(f, "<section id=\"events\" class=\"newpage\"><h2>%s</h2>\n", T(W("四、变更事项", "4. Changes recorded")));
	if (n == 0) {
		fprintf(f, "<p>%s</p></section>\n", townorg_diff_get_relation(d) == TOWNORG_DIFF_UNRELATED
			? T(W("两个版本不在同一条历史线上，无变更事项可列。", "The versions are not on one line of history: no events to list."))
			: T(W("两个版本之间没有记录变更事项。", "No change events are recorded between the two versions.")));
		return;
	}
	if (townorg_diff_get_relation(d) == TOWNORG_DIFF_BACKWARD)
		fprintf(f, "<p class=\"note\">%s</p>\n",
			T(W("“改革后”版本早于“改革前”版本：以下事项被撤回。", "The later version comes first: these events are undone.")));
	fprintf(f, "<table class=\"events\"><thead><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		"<th>%s</th></tr></thead><tbody>\n", T(W("类型", "kind")), T(W("原机构", "from")), T(W("新机构", "to")),
		T(W("文件与日期", "document and date")), T(W("原文", "wording")));
	for (size_t i = 0; i < n; i++) {
		const townorg_diff_event *de = townorg_diff_event_at(d, i);
		const townorg_event *e = de->event;
		const townorg_meta *m = townorg_version_meta(de->version);
		fprintf(f, "<tr data-event=\"%zu\"><td class=\"num\">%zu</td><td>%s</td><td>", i + 1, i + 1, event_name(e->kind));
		id_names(f, r, e->from_ids, e->from_count);
		fputs("</td><td>", f);
		id_names(f, r, e->to_ids, e->to_count);
		fputs("</td><td>", f);
		if (e->document_count) {
			for (size_t k = 0; k < e->document_count; k++) {
				if (k)
					fputs("<br>", f);
				esc(f, e->documents[k]);
			}
		} else if (m->doc_number) {
			esc(f, m->doc_number);
		}
		fprintf(f, "<br><span class=\"note\">%s</span></td><td class=\"note\">", e->date ? e->date : nz(m->effective_date));
		esc(f, nz(e->wording));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

static int section_findings(FILE *f, const cli_report *r)
{
	townorg_validation *val = NULL;
	int rc = townorg_validate(&val, r->to, r->policy);
	if (rc < 0)
		return cli_lib_error(rc), rc;
	fprintf(f, "<section id=\"findings\"><h2>%s</h2>\n", T(W("五、合规性校验", "5. Validation")));
	const char *title = r->policy ? townorg_policy_title(r->policy) : NULL;
	fprintf(f, "<p>%s", T(W("政策：", "Policy: ")));
	esc(f, title ? title : r->policy_name ? r->policy_name : T(W("默认政策（2008年限额）", "the default policy (the 2008 limits)")));
	if (r->policy_name) {
		fputs(" <span class=\"note\">(", f);
		esc(f, r->policy_name);
		fputs(")</span>", f);
	}
	int conforms = townorg_validation_conforms(val);
	fprintf(f, "%s%s <span class=\"%s\" data-conforms=\"%d\">%s</span></p>\n", T(W("。", ". ")),
		T(W("校验“改革后”版本：", "The later version")),
		conforms ? "ok" : "no", conforms, conforms ? T(W("符合", "conforms")) : T(W("不符合", "does not conform")));
	size_t n = townorg_validation_count(val);
	if (n == 0) {
		fprintf(f, "<p>%s</p>", T(W("无发现。", "No findings.")));
	} else {
		fprintf(f, "<table class=\"findings\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			"<th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>\n", T(W("级别", "severity")),
			T(W("规则", "rule")), T(W("对象", "entity")), T(W("说明", "message")), T(W("数值/限额", "value/limit")),
			T(W("豁免", "waiver")));
		for (size_t i = 0; i < n; i++) {
			const townorg_finding *x = townorg_validation_at(val, i);
			fprintf(f, "<tr data-rule=\"%s\" data-waived=\"%d\"%s><td>%s</td><td class=\"id\">", x->rule, x->waived,
				x->waived ? " class=\"waived\"" : "", severity_name(x->severity));
			esc(f, x->rule);
			fputs("</td><td>", f);
			if (x->entity) {
				esc(f, name_of(r, x->entity));
				fputs("<br><span class=\"id\">", f);
				esc(f, x->entity);
				fputs("</span>", f);
			}
			fputs("</td><td>", f);
			esc(f, zh_mode ? x->message_zh : x->message_en);
			fputs("</td><td class=\"num\">", f);
			if (x->has_value)
				fprintf(f, "%lld", (long long)x->value);
			if (x->has_limit)
				fprintf(f, " / %lld", (long long)x->limit);
			fputs("</td><td>", f);
			if (x->waived) {
				fprintf(f, "%s <b>", T(W("已豁免：", "waived:")));
				esc(f, nz(x->waiver_document));
				fputs("</b><br><span class=\"note\">", f);
				esc(f, nz(x->waiver_reason));
				fputs("</span>", f);
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fputs("</section>\n", f);
	townorg_validation_free(val);
	return 0;
}

int cli_report_html(char **out, size_t *len, const cli_report *r)
{
	zh_mode = r->lang == TOWNORG_LANG_ZH;
	townorg_diff_options o = TOWNORG_DIFF_OPTIONS_INIT;
	o.under = r->under;
	townorg_diff *d = NULL;
	int rc = townorg_diff_versions(&d, r->from, r->to, &o);
	if (rc < 0)
		return cli_lib_error(rc), rc;
	*out = NULL;
	*len = 0;
	FILE *f = open_memstream(out, len);
	if (!f) {
		townorg_diff_free(d);
		cli_warn("%s", _("out of memory"));
		return TOWNORG_ENOMEM;
	}
	const char *unit_name = name_of(r, r->under);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"townorg %s\">\n<title>", zh_mode ? "zh-CN" : "en",
		townorg_library_version());
	esc(f, unit_name);
	fprintf(f, " %s</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", T(W("机构编制变化报告", "reform report")),
		CSS);
	esc(f, unit_name);
	fprintf(f, "%s</h1>\n<p class=\"sub\">", T(W("机构编制变化报告", ": organs and quotas before and after")));
	esc(f, r->from_name);
	fprintf(f, " (%s) → ", nz(townorg_version_meta(r->from)->effective_date));
	esc(f, r->to_name);
	fprintf(f, " (%s)", nz(townorg_version_meta(r->to)->effective_date));
	const char *doc = townorg_version_meta(r->to)->doc_number;
	if (doc) {
		fputs(zh_mode ? " · 依据 " : " · under ", f);
		esc(f, doc);
	}
	fputs("</p>\n</header>\n", f);
	section_versions(f, r);
	rc = section_changes(f, r, d);
	if (rc == 0)
		rc = section_charts(f, r);
	if (rc == 0) {
		section_events(f, r, d);
		rc = section_findings(f, r);
	}
	fprintf(f, "<footer>%s townorg %s", T(W("由", "Made by")), townorg_library_version());
#ifdef HAVE_GRAPHVIZ
	if (r->charts)
		fprintf(f, "%s Graphviz %s", T(W("（机构图：", " (charts:")), townorg_chart_graphviz_version());
	if (r->charts)
		fputs(T(W("）", ")")), f);
#endif
	fputs(T(W(" 生成；数据：", " from ")), f);
	esc(f, r->repo_path);
	fputs(T(W("。", ".")), f);
	fputs("</footer>\n</body>\n</html>\n", f);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		if (rc == 0) {
			cli_warn("%s", _("out of memory"));
			rc = TOWNORG_ENOMEM;
		}
	}
	townorg_diff_free(d);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return rc;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * render/chart.c — org charts with Graphviz's library (libtownorg-chart).
 *
 * Design.  A chart is made in two steps:
 *  1. DOT text is written from the version with libtownorg's public API
 *     (no Graphviz needed for this step): the unit as the top node, its
 *     children in labelled clusters below it.  Each cluster lays its boxes
 *     out in rows of `per_row`: the boxes of a row are `rank=same` and
 *     chained left to right by invisible edges, and box i has an invisible
 *     edge to box i + per_row, which puts the next row under it.  Clusters
 *     are stacked the same way (the first box of a cluster's last row to
 *     the first box of the next cluster).  So a township of fourteen organs
 *     is four rows of at most four boxes, not one row fourteen boxes wide,
 *     and a county of eight townships is two rows of four township tables.
 *     Labels are Graphviz HTML-like labels (tables), escaped as XML.
 *  2. The DOT text is laid out by the dot engine and rendered by gvc into
 *     memory (gvRenderData): SVG by the core renderer, PNG by cairo.  The
 *     SVG loses everything before its <svg> element (XML declaration,
 *     DOCTYPE, comments), which Jupyter and HTML inlining do not want.
 *
 * Graphviz keeps global state and is not thread-safe: one mutex serialises
 * every call into it.  One context (its plugins loaded) serves every call
 * of the process (see gv_context for why it is never freed).
 *
 * Errors are kept per thread in this library (townorg_chart_error_last):
 * the library cannot set libtownorg's own message, so when a libtownorg call
 * fails its message is copied here.
 */
#include <config.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include "townorg.h"
#include "townorg/chart.h"

/* ------------------------------------------------------------ errors */

static _Thread_local char err_msg[1024];
static _Thread_local int err_set;

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof err_msg, fmt, ap);
	va_end(ap);
	err_set = 1;
	return code;
}

/* A libtownorg call failed: keep its message. */
static int fail_lib(int code)
{
	const char *m = townorg_error_last();
	return fail(code, "%s", m ? m : townorg_error_name(code));
}

const char *townorg_chart_error_last(void)
{
	return err_set ? err_msg : NULL;
}

void townorg_chart_free(void *ptr)
{
	free(ptr);
}

/* ------------------------------------------------------------ text buffer */

typedef struct {
	char *s;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n < sizeof tmp) {
		sb_putn(b, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_putn(b, big, (size_t)n);
	free(big);
}

/* Text escaped for an HTML-like label (XML). */
static void sb_esc(sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sb_puts(b, "&amp;"); break;
		case '<': sb_puts(b, "&lt;"); break;
		case '>': sb_puts(b, "&gt;"); break;
		case '"': sb_puts(b, "&quot;"); break;
		case '\n': case '\r': case '\t': sb_putn(b, " ", 1); break;
		default: sb_putn(b, s, 1);
		}
	}
}

/* Text escaped for a DOT double-quoted string. */
static void sb_qstr(sbuf *b, const char *s)
{
	sb_putn(b, "\"", 1);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putn(b, "\\", 1);
		if (*s == '\n' || *s == '\r')
			sb_putn(b, " ", 1);
		else
			sb_putn(b, s, 1);
	}
	sb_putn(b, "\"", 1);
}

/* An SVG element id: letters, digits, '-', '_' and '.' kept, anything else
 * as _XX (hex of the byte), so that ids are valid in HTML and DOT alike. */
static void sb_esc_id(sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')
			sb_putn(b, s, 1);
		else
			sb_printf(b, "_%02X", c);
	}
}

/* ------------------------------------------------------------ words */

typedef struct {
	int zh;
} words;

/* Kinds are named by the library's schema (townorg_kind_label). */
static const char *kind_word(townorg_kind k, int zh)
{
	const char *l = townorg_kind_label(k, zh ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	return l ? l : "";
}

static const char *class_word(townorg_class c, int zh)
{
	switch (c) {
	case TOWNORG_CLASS_LARGE: return zh ? "大" : "large";
	case TOWNORG_CLASS_MEDIUM: return zh ? "中" : "medium";
	case TOWNORG_CLASS_SMALL: return zh ? "小" : "small";
	default: return NULL;
	}
}

static const char *quota_word(const char *type, int zh)
{
	if (strcmp(type, "admin") == 0)
		return zh ? "行政" : "admin";
	if (strcmp(type, "inst") == 0)
		return zh ? "事业" : "inst.";
	return type;
}

/* "行政 28 · 事业 25" (types in byte order); nothing if no quota. */
static void put_quotas(sbuf *b, const townorg_entity *e, int zh)
{
	size_t n = townorg_entity_quota_count(e);
	for (size_t i = 0; i < n; i++) {
		const char *type;
		int64_t val;
		if (townorg_entity_quota_at(e, i, &type, &val) < 0)
			continue;
		if (i)
			sb_puts(b, " · ");
		sb_esc(b, quota_word(type, zh));
		sb_printf(b, " %lld", (long long)val);
	}
}

/* "挂牌：计生所、财政所" once, if the entity hangs nameplates; with
 * one_a_line, each nameplate on a line of its own (narrow boxes). */
static void put_nameplates(sbuf *b, const townorg_entity *e, int zh, const char *before, const char *after,
	int one_a_line)
{
	size_t n;
	const char *const *np = townorg_entity_list(e, "nameplates", &n);
	if (!n)
		return;
	sb_puts(b, before);
	sb_puts(b, zh ? "挂牌：" : "also: ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, one_a_line ? (zh ? "<BR/>　　　" : "<BR/>　　") : zh ? "、" : ", ");
		sb_esc(b, np[i]);
	}
	sb_puts(b, after);
}

/* An organ's name without its township's name in front ("渔亭镇计生所"
 * shown as "计生所" inside 渔亭镇's box). */
static const char *short_name(const townorg_entity *e, const townorg_entity *unit)
{
	const char *n = townorg_entity_name(e), *u = unit ? townorg_entity_name(unit) : "";
	size_t ul = strlen(u);
	if (!*n)
		return townorg_entity_id(e);
	if (ul && strncmp(n, u, ul) == 0 && n[ul])
		return n + ul;
	return n;
}

/* The leader posts of an entity as "领导职数 7" or "主任 1 · 副主任 1". */
static int put_posts(sbuf *b, const townorg_entity *e, int zh)
{
	int64_t lp, chief, deputy;
	int has_lp = townorg_entity_int(e, TOWNORG_FIELD_LEADER_POSTS, &lp) == 0;
	int has_c = townorg_entity_int(e, TOWNORG_FIELD_CHIEF_POSTS, &chief) == 0;
	int has_d = townorg_entity_int(e, TOWNORG_FIELD_DEPUTY_POSTS, &deputy) == 0;
	int any = 0;
	if (has_lp) {
		sb_printf(b, zh ? "领导职数 %lld" : "leader posts %lld", (long long)lp);
		any = 1;
	}
	if (has_c) {
		sb_printf(b, zh ? "%s主任 %lld" : "%schiefs %lld", any ? " · " : "", (long long)chief);
		any = 1;
	}
	if (has_d && deputy > 0) {
		sb_printf(b, zh ? "%s副主任 %lld" : "%sdeputies %lld", any ? " · " : "", (long long)deputy);
		any = 1;
	}
	return any;
}

/* ------------------------------------------------------------ grouping */

enum { G_TOWNSHIPS, G_COUNTIES, G_OFFICES, G_INSTITUTIONS, G_DISPATCHED, G_OTHER, G_COUNT };

static int group_of(townorg_kind k)
{
	if (townorg_kind_is_township_level(k))
		return G_TOWNSHIPS;
	switch (k) {
	case TOWNORG_KIND_PROVINCE: case TOWNORG_KIND_PREFECTURE: case TOWNORG_KIND_COUNTY:
		return G_COUNTIES;
	case TOWNORG_KIND_OFFICE:
		return G_OFFICES;
	case TOWNORG_KIND_CENTER: case TOWNORG_KIND_STATION: case TOWNORG_KIND_TEAM: case TOWNORG_KIND_LISTED:
		return G_INSTITUTIONS;
	case TOWNORG_KIND_DISPATCHED:
		return G_DISPATCHED;
	default:
		return G_OTHER;
	}
}

static const char *group_title(int g, int zh)
{
	static const char *const zht[G_COUNT] = { "乡镇（街道）", "下级行政区", "综合性办公室", "事业单位、站所、执法队",
		"派驻机构（以条为主）", "其他" };
	static const char *const ent[G_COUNT] = { "Townships", "Subdivisions", "Offices",
		"Institutions, stations, teams", "Dispatched agencies (department-led)", "Other" };
	return zh ? zht[g] : ent[g];
}

static const char *group_fill(int g)
{
	static const char *const fill[G_COUNT] = { "#ffffff", "#ffffff", "#e8f0fb", "#eaf5e6", "#f1f1f1", "#ffffff" };
	return fill[g];
}

/* Sort organs: offices, then institutions, then dispatched, then by id. */
static int organ_rank(townorg_kind k)
{
	int g = group_of(k);
	return g == G_OFFICES ? 0 : g == G_INSTITUTIONS ? 1 : g == G_DISPATCHED ? 2 : 3;
}

static int cmp_organ(const void *a, const void *b)
{
	const townorg_entity *x = *(const townorg_entity *const *)a, *y = *(const townorg_entity *const *)b;
	int rx = organ_rank(townorg_entity_kind(x)), ry = organ_rank(townorg_entity_kind(y));
	if (rx != ry)
		return rx - ry;
	return strcmp(townorg_entity_id(x), townorg_entity_id(y));
}

/* ------------------------------------------------------------ labels */

/* The top node: the unit itself. */
static int label_unit(sbuf *b, const townorg_version *v, const townorg_entity *u, int zh)
{
	sb_puts(b, "<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\">");
	sb_puts(b, "<TR><TD><FONT POINT-SIZE=\"16\"><B>");
	sb_esc(b, *townorg_entity_name(u) ? townorg_entity_name(u) : townorg_entity_id(u));
	sb_puts(b, "</B></FONT></TD></TR><TR><TD>");
	sb_esc(b, kind_word(townorg_entity_kind(u), zh));
	const char *cls = class_word(townorg_entity_class(u), zh);
	if (cls)
		sb_printf(b, zh ? "（%s）" : " (%s)", cls);
	sb_puts(b, "</TD></TR>");
	if (townorg_entity_quota_count(u)) {
		sb_printf(b, zh ? "<TR><TD>核定编制 %lld：" : "<TR><TD>quota pool %lld: ",
			(long long)townorg_entity_quota_total(u));
		put_quotas(b, u, zh);
		sb_puts(b, "</TD></TR>");
	}
	townorg_kind k = townorg_entity_kind(u);
	if (townorg_kind_is_township_level(k) || group_of(k) == G_COUNTIES) {
		int64_t tot = 0;
		if (townorg_version_quota_total(&tot, v, townorg_entity_id(u), NULL) < 0)
			return fail_lib(townorg_error_last_code() ? townorg_error_last_code() : TOWNORG_ERROR);
		sb_printf(b, zh ? "<TR><TD>机构编制合计 %lld</TD></TR>" : "<TR><TD>organs' quotas %lld</TD></TR>",
			(long long)tot);
	}
	sbuf posts = { 0 };
	if (put_posts(&posts, u, zh) && !posts.oom)
		sb_printf(b, "<TR><TD>%s</TD></TR>", posts.s);
	free(posts.s);
	put_nameplates(b, u, zh, "<TR><TD>", "</TD></TR>", 0);
	sb_puts(b, "</TABLE>>");
	return 0;
}

/* An organ as a box: name, kind, quota, posts, nameplates, staff. */
static void label_organ(sbuf *b, const townorg_entity *e, const townorg_entity *unit, int zh)
{
	sb_puts(b, "<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">");
	sb_puts(b, "<TR><TD><B>");
	sb_esc(b, short_name(e, unit));
	sb_puts(b, "</B></TD></TR><TR><TD><FONT POINT-SIZE=\"9\" COLOR=\"#555555\">");
	sb_esc(b, kind_word(townorg_entity_kind(e), zh));
	const char *regime = townorg_entity_text(e, "regime");
	if (regime && strcmp(regime, "department_led") == 0)
		sb_puts(b, zh ? " · 以条为主" : " · department-led");
	sb_puts(b, "</FONT></TD></TR>");
	if (townorg_entity_quota_count(e)) {
		sb_puts(b, zh ? "<TR><TD>编制 " : "<TR><TD>quota ");
		put_quotas(b, e, zh);
		sb_puts(b, "</TD></TR>");
	}
	sbuf posts = { 0 };
	if (put_posts(&posts, e, zh) && !posts.oom)
		sb_printf(b, "<TR><TD>%s</TD></TR>", posts.s);
	free(posts.s);
	int64_t staff;
	if (townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &staff) == 0)
		sb_printf(b, zh ? "<TR><TD>实有 %lld 人</TD></TR>" : "<TR><TD>staff %lld</TD></TR>", (long long)staff);
	put_nameplates(b, e, zh, "<TR><TD BALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">", "</FONT></TD></TR>", 1);
	sb_puts(b, "</TABLE>>");
}

/* A township (or county) as a table: header, pool, posts, one row per
 * organ with its quota, and the villages counted.  *boxes counts rows. */
static int label_township(sbuf *b, const townorg_version *v, const townorg_entity *t, int zh, size_t *boxes)
{
	const char *id = townorg_entity_id(t);
	const townorg_entity *const *kids;
	size_t nk;
	int rc = townorg_version_children(&kids, &nk, v, id);
	if (rc < 0)
		return fail_lib(rc);
	const townorg_entity **organs = malloc((nk ? nk : 1) * sizeof *organs);
	if (!organs)
		return fail(TOWNORG_ENOMEM, "out of memory");
	size_t no = 0, places = 0, subunits = 0;
	for (size_t i = 0; i < nk; i++) {
		townorg_kind k = townorg_entity_kind(kids[i]);
		if (townorg_kind_is_organ(k))
			organs[no++] = kids[i];
		else if (k == TOWNORG_KIND_VILLAGE || k == TOWNORG_KIND_COMMUNITY)
			places++;
		else
			subunits++;
	}
	*boxes += no; /* rows of the table; villages are only counted */
	if (*boxes > TOWNORG_CHART_MAX_BOXES) {
		free(organs);
		return 0;
	}
	qsort(organs, no, sizeof *organs, cmp_organ);
	int64_t tot = 0;
	if ((rc = townorg_version_quota_total(&tot, v, id, NULL)) < 0) {
		free(organs);
		return fail_lib(rc);
	}
	sb_puts(b, "<<TABLE BORDER=\"1\" COLOR=\"#5b7fa8\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\">");
	sb_puts(b, "<TR><TD COLSPAN=\"2\" BGCOLOR=\"#dde7f3\"><B>");
	sb_esc(b, *townorg_entity_name(t) ? townorg_entity_name(t) : id);
	sb_puts(b, "</B>");
	const char *cls = class_word(townorg_entity_class(t), zh);
	if (cls)
		sb_printf(b, zh ? "（%s）" : " (%s)", cls);
	sb_puts(b, "</TD></TR>");
	sb_puts(b, "<TR><TD COLSPAN=\"2\"><FONT POINT-SIZE=\"9\">");
	if (townorg_entity_quota_count(t)) {
		sb_printf(b, zh ? "核定编制 %lld（" : "pool %lld (", (long long)townorg_entity_quota_total(t));
		put_quotas(b, t, zh);
		sb_puts(b, zh ? "）" : ")");
	} else {
		sb_printf(b, zh ? "机构编制 %lld" : "organs' quotas %lld", (long long)tot);
	}
	sbuf posts = { 0 };
	if (put_posts(&posts, t, zh) && !posts.oom)
		sb_printf(b, "<BR/>%s", posts.s);
	free(posts.s);
	sb_printf(b, zh ? "<BR/>机构 %zu 个 · 编制合计 %lld" : "<BR/>%zu organs · quotas %lld", no, (long long)tot);
	sb_puts(b, "</FONT></TD></TR>");
	for (size_t i = 0; i < no; i++) {
		const townorg_entity *o = organs[i];
		int g = group_of(townorg_entity_kind(o));
		sb_printf(b, "<TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\" BGCOLOR=\"%s\">", group_fill(g));
		sb_esc(b, short_name(o, t));
		put_nameplates(b, o, zh, "<BR/><FONT POINT-SIZE=\"8\" COLOR=\"#555555\">", "</FONT>", 1);
		sb_printf(b, "</TD><TD ALIGN=\"RIGHT\" BGCOLOR=\"%s\">", group_fill(g));
		if (townorg_entity_quota_count(o))
			put_quotas(b, o, zh);
		else if (g == G_DISPATCHED)
			sb_puts(b, zh ? "派驻" : "dispatched");
		sb_puts(b, "</TD></TR>");
	}
	if (places)
		sb_printf(b, zh ? "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">村/社区 %zu 个</FONT></TD></TR>"
			: "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">%zu villages/communities</FONT></TD></TR>",
			places);
	if (subunits)
		sb_printf(b, zh ? "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">下级单位 %zu 个</FONT></TD></TR>"
			: "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">%zu units below</FONT></TD></TR>",
			subunits);
	sb_puts(b, "</TABLE>>");
	free(organs);
	return 0;
}

/* ------------------------------------------------------------ DOT */

static int chart_dot(sbuf *b, const townorg_version *v, const char *unit_id, const townorg_chart_options *o,
	townorg_chart_format format)
{
	int zh = o->lang == TOWNORG_LANG_ZH;
	unsigned per_row = o->per_row;
	const townorg_entity *u;
	int rc = townorg_version_get(&u, v, unit_id);
	if (rc < 0)
		return fail_lib(rc);
	const townorg_entity *const *kids;
	size_t nk;
	if ((rc = townorg_version_children(&kids, &nk, v, unit_id)) < 0)
		return fail_lib(rc);
	if (nk > TOWNORG_CHART_MAX_BOXES)
		return fail(TOWNORG_EINVALID, "%s: %zu children are too many for one chart (at most %d): chart a unit below it",
			unit_id, nk, TOWNORG_CHART_MAX_BOXES);

	const char *font = o->fontname;
	sb_puts(b, "digraph orgchart {\n  graph [charset=\"UTF-8\", newrank=true, compound=true, nodesep=0.18, "
		"ranksep=0.3, fontsize=11, labeljust=l, id=\"");
	sb_esc_id(b, o->id_prefix);
	sb_puts(b, "\", fontname=");
	sb_qstr(b, font);
	/* the resolution matters to PNG only (in SVG it would scale the drawing) */
	if (format == TOWNORG_CHART_PNG)
		sb_printf(b, ", dpi=%u", o->dpi);
	sb_puts(b, "];\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#5b7fa8\", "
		"fontsize=10, margin=\"0.06,0.03\", fontname=");
	sb_qstr(b, font);
	sb_puts(b, "];\n  edge [arrowhead=none, color=\"#5b7fa8\"];\n");
	sb_puts(b, "  u [id=\"");
	sb_esc_id(b, o->id_prefix);
	sb_puts(b, "-unit\", style=\"rounded,filled,bold\", fillcolor=\"#dde7f3\", label=");
	if ((rc = label_unit(b, v, u, zh)) < 0)
		return rc;
	sb_puts(b, "];\n");

	/* children by group; villages and departments summed up */
	const townorg_entity **sorted = malloc((nk ? nk : 1) * sizeof *sorted);
	if (!sorted)
		return fail(TOWNORG_ENOMEM, "out of memory");
	memcpy(sorted, kids, nk * sizeof *sorted);
	qsort(sorted, nk, sizeof *sorted, cmp_organ);
	size_t places = 0, ndept = 0, boxes = 0, nodes = 0;
	int prev_first = -1;       /* node number of the first box in the previous cluster's last row */
	int cluster = 0, first_edge = 1;
	for (int g = 0; g < G_COUNT; g++) {
		size_t members = 0;
		for (size_t i = 0; i < nk; i++)
			if (group_of(townorg_entity_kind(sorted[i])) == g && townorg_entity_kind(sorted[i]) != TOWNORG_KIND_VILLAGE &&
			    townorg_entity_kind(sorted[i]) != TOWNORG_KIND_COMMUNITY &&
			    townorg_entity_kind(sorted[i]) != TOWNORG_KIND_DEPARTMENT)
				members++;
		if (!members)
			continue;
		sb_printf(b, "  subgraph cluster_%d {\n    id=\"", cluster);
		sb_esc_id(b, o->id_prefix);
		sb_printf(b, "-group%d\"; label=<", cluster);
		sb_esc(b, group_title(g, zh));
		sb_printf(b, " (%zu)  >; style=\"rounded,dashed\"; color=\"#9fb3c8\"; fontsize=11;\n", members);
		size_t col = 0;
		int row_first = -1;
		int node_base = (int)nodes;
		for (size_t i = 0; i < nk; i++) {
			const townorg_entity *e = sorted[i];
			townorg_kind k = townorg_entity_kind(e);
			if (group_of(k) != g || k == TOWNORG_KIND_VILLAGE || k == TOWNORG_KIND_COMMUNITY ||
			    k == TOWNORG_KIND_DEPARTMENT)
				continue;
			int n = (int)nodes++;
			boxes++;
			sb_printf(b, "    n%d [id=\"", n);
			sb_esc_id(b, o->id_prefix);
			sb_puts(b, "-");
			sb_esc_id(b, townorg_entity_id(e));
			sb_puts(b, "\"");
			if (g == G_TOWNSHIPS || g == G_COUNTIES) {
				sb_puts(b, ", shape=plain, style=\"\", label=");
				if ((rc = label_township(b, v, e, zh, &boxes)) < 0) {
					free(sorted);
					return rc;
				}
				if (boxes > TOWNORG_CHART_MAX_BOXES) {
					free(sorted);
					return fail(TOWNORG_EINVALID, "%s: too many boxes for one chart (at most %d): chart a unit below it",
						unit_id, TOWNORG_CHART_MAX_BOXES);
				}
			} else {
				sb_printf(b, ", fillcolor=\"%s\"%s, label=", group_fill(g),
					g == G_DISPATCHED ? ", style=\"rounded,filled,dashed\"" : "");
				label_organ(b, e, u, zh);
			}
			sb_puts(b, "];\n");
			if (col == 0) {
				if (row_first >= 0)
					sb_printf(b, "    n%d -> n%d [style=invis];\n", row_first, n);
				row_first = n;
			} else {
				sb_printf(b, "    n%d -> n%d [style=invis];\n", n - 1, n);
			}
			if (++col == per_row)
				col = 0;
		}
		/* each row on one rank */
		int count = (int)members, rowlen = (int)per_row;
		int n0 = node_base;
		for (int r = 0; r * rowlen < count; r++) {
			sb_puts(b, "    { rank=same;");
			for (int j = 0; j < rowlen && r * rowlen + j < count; j++)
				sb_printf(b, " n%d;", n0 + r * rowlen + j);
			sb_puts(b, " }\n");
		}
		sb_puts(b, "  }\n");
		/* under the previous group, or under the unit */
		int mid = n0 + (count < rowlen ? count : rowlen) / 2;
		if (first_edge) {
			sb_printf(b, "  u -> n%d [lhead=cluster_%d];\n", mid, cluster);
			first_edge = 0;
		} else {
			sb_printf(b, "  n%d -> n%d [style=invis];\n", prev_first, n0);
		}
		prev_first = n0 + ((count - 1) / rowlen) * rowlen;
		cluster++;
	}
	for (size_t i = 0; i < nk; i++) {
		townorg_kind k = townorg_entity_kind(sorted[i]);
		if (k == TOWNORG_KIND_VILLAGE || k == TOWNORG_KIND_COMMUNITY)
			places++;
		else if (k == TOWNORG_KIND_DEPARTMENT)
			ndept++;
	}
	if (ndept) {
		sb_puts(b, "  depts [shape=note, style=filled, fillcolor=\"#fafafa\", label=<<TABLE BORDER=\"0\" "
			"CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\"><TR><TD ALIGN=\"LEFT\">");
		sb_printf(b, zh ? "<B>县直部门 %zu 个</B>" : "<B>%zu county departments</B>", ndept);
		size_t shown = 0;
		for (size_t i = 0; i < nk; i++) {
			if (townorg_entity_kind(sorted[i]) != TOWNORG_KIND_DEPARTMENT)
				continue;
			sb_puts(b, "</TD></TR><TR><TD ALIGN=\"LEFT\">");
			if (shown++ == 30) {
				sb_puts(b, "…");
				break;
			}
			sb_esc(b, short_name(sorted[i], u));
		}
		sb_puts(b, "</TD></TR></TABLE>>];\n  { rank=same; u; depts; }\n  u -> depts [style=dashed];\n");
	}
	if (places) {
		sb_printf(b, zh ? "  places [shape=note, style=filled, fillcolor=\"#fafafa\", label=\"村/社区 %zu 个\"];\n"
			: "  places [shape=note, style=filled, fillcolor=\"#fafafa\", label=\"%zu villages/communities\"];\n",
			places);
		if (prev_first >= 0)
			sb_printf(b, "  n%d -> places [style=invis];\n", prev_first);
		else
			sb_puts(b, "  u -> places;\n");
	}
	sb_puts(b, "}\n");
	free(sorted);
	if (b->oom)
		return fail(TOWNORG_ENOMEM, "out of memory");
	return 0;
}

/* ------------------------------------------------------------ Graphviz */

static pthread_mutex_t gv_lock = PTHREAD_MUTEX_INITIALIZER;
static char gv_err[1024];
/* One Graphviz context for the life of the process, made on first use.
 * Graphviz 2.43's pango plugin keeps a pointer to the last font name it
 * measured, which belongs to the context's font cache: a context freed
 * and a new one made would have it read freed memory (valgrind shows it).
 * Kept, the context is still reachable at exit, not leaked. */
static GVC_t *gv_context;

/* Graphviz's error messages while we hold the lock. */
static int gv_errf(char *msg)
{
	size_t l = strlen(gv_err);
	if (l < sizeof gv_err - 1)
		snprintf(gv_err + l, sizeof gv_err - l, "%s", msg);
	return 0;
}

static void trim(char *s)
{
	size_t l = strlen(s);
	while (l && (s[l - 1] == '\n' || s[l - 1] == ' '))
		s[--l] = '\0';
}

/* Everything before "<svg" goes: Jupyter (nbconvert) and HTML want none
 * of the XML declaration, DOCTYPE and comments. */
static const char *svg_start(const char *data, size_t len, size_t *skip)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		if (memcmp(data + i, "<svg", 4) == 0 && (i == 0 || data[i - 1] == '\n')) {
			*skip = i;
			return data + i;
		}
	}
	return NULL;
}

static int render_locked(unsigned char **out, size_t *len, const char *dot, townorg_chart_format format)
{
	int rc = 0;
	gv_err[0] = '\0';
	agusererrf old = agseterrf(gv_errf);
	agerrlevel_t old_level = agseterr(AGWARN);
	if (!gv_context)
		gv_context = gvContext();
	GVC_t *gvc = gv_context;
	if (!gvc) {
		rc = fail(TOWNORG_ENOMEM, "Graphviz: no context (out of memory)");
		goto restore;
	}
	Agraph_t *g = agmemread(dot);
	if (!g) {
		trim(gv_err);
		rc = fail(TOWNORG_EPARSE, "Graphviz could not read the DOT text: %s", *gv_err ? gv_err : "syntax error");
		goto free_ctx;
	}
	if (gvLayout(gvc, g, "dot") != 0) {
		trim(gv_err);
		rc = fail(TOWNORG_ERROR, "Graphviz layout failed: %s", *gv_err ? gv_err : "unknown error");
		agclose(g);
		goto free_ctx;
	}
	char *data = NULL;
	unsigned int dlen = 0;
	if (gvRenderData(gvc, g, format == TOWNORG_CHART_PNG ? "png" : "svg", &data, &dlen) != 0 || !data) {
		trim(gv_err);
		rc = fail(TOWNORG_ERROR, "Graphviz could not render %s: %s", format == TOWNORG_CHART_PNG ? "PNG" : "SVG",
			*gv_err ? gv_err : "no renderer (is the cairo plugin, libgvc6's pango plugin, installed?)");
	} else {
		const char *start = data;
		size_t skip = 0, n = dlen;
		if (format == TOWNORG_CHART_SVG) {
			start = svg_start(data, dlen, &skip);
			if (!start)
				rc = fail(TOWNORG_ERROR, "Graphviz's SVG output has no <svg> element");
			n = dlen - skip;
		}
		if (rc == 0) {
			unsigned char *copy = malloc(n + 1);
			if (!copy) {
				rc = fail(TOWNORG_ENOMEM, "out of memory");
			} else {
				memcpy(copy, start, n);
				copy[n] = '\0';
				*out = copy;
				*len = n;
			}
		}
	}
	if (data)
		gvFreeRenderData(data);
	gvFreeLayout(gvc, g);
	agclose(g);
free_ctx:
restore:
	agseterr(old_level);
	agseterrf(old);
	return rc;
}

int townorg_chart_render_dot(unsigned char **out, size_t *len, const char *dot, townorg_chart_format format)
{
	if (!out || !len || !dot)
		return fail(TOWNORG_EINVALID, "townorg_chart_render_dot: NULL argument");
	*out = NULL;
	*len = 0;
	err_set = 0;
	if (format == TOWNORG_CHART_DOT) {
		size_t n = strlen(dot);
		unsigned char *copy = malloc(n + 1);
		if (!copy)
			return fail(TOWNORG_ENOMEM, "out of memory");
		memcpy(copy, dot, n + 1);
		*out = copy;
		*len = n;
		return 0;
	}
	if (format != TOWNORG_CHART_SVG && format != TOWNORG_CHART_PNG)
		return fail(TOWNORG_EINVALID, "unknown chart format %d (svg, png or dot)", (int)format);
	pthread_mutex_lock(&gv_lock);
	int rc = render_locked(out, len, dot, format);
	pthread_mutex_unlock(&gv_lock);
	return rc;
}

int townorg_chart_render(unsigned char **out, size_t *len, const townorg_version *v, const char *unit,
	townorg_chart_format format, const townorg_chart_options *opts)
{
	if (!out || !len || !v || !unit)
		return fail(TOWNORG_EINVALID, "townorg_chart_render: NULL argument");
	*out = NULL;
	*len = 0;
	err_set = 0;
	townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
	if (opts) {
		if (opts->version != TOWNORG_CHART_OPTIONS_VERSION)
			return fail(TOWNORG_EINVALID, "townorg_chart_options: version %u, expected %d", opts->version,
				TOWNORG_CHART_OPTIONS_VERSION);
		o = *opts;
	}
	if (o.per_row == 0)
		o.per_row = 4;
	if (o.per_row > 12)
		return fail(TOWNORG_EINVALID, "per_row %u: give 1 to 12 boxes a row", o.per_row);
	if (o.dpi == 0)
		o.dpi = 96;
	if (o.dpi < 36 || o.dpi > 600)
		return fail(TOWNORG_EINVALID, "dpi %u: give 36 to 600", o.dpi);
	if (o.lang != TOWNORG_LANG_ZH && o.lang != TOWNORG_LANG_EN)
		return fail(TOWNORG_EINVALID, "unknown language %d", (int)o.lang);
	if (!o.fontname || !*o.fontname)
		o.fontname = "Noto Sans CJK SC";
	if (!o.id_prefix || !*o.id_prefix)
		o.id_prefix = "chart";
	if (format != TOWNORG_CHART_SVG && format != TOWNORG_CHART_PNG && format != TOWNORG_CHART_DOT)
		return fail(TOWNORG_EINVALID, "unknown chart format %d (svg, png or dot)", (int)format);
	sbuf b = { 0 };
	int rc = chart_dot(&b, v, unit, &o, format);
	if (rc == 0) {
		if (format == TOWNORG_CHART_DOT) {
			*out = (unsigned char *)b.s;
			*len = b.len;
			return 0;
		}
		rc = townorg_chart_render_dot(out, len, b.s, format);
	}
	free(b.s);
	return rc;
}

const char *townorg_chart_graphviz_version(void)
{
	return PACKAGE_GRAPHVIZ_VERSION;
}

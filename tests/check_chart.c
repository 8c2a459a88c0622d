/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * check_chart.c — libtownorg-chart: org charts drawn with Graphviz's
 * library (render/chart.c).  Built only where Graphviz was found.
 *
 * Links the installed-shape libraries (libtownorg and libtownorg-chart),
 * not the core convenience library, so that there is one copy of
 * libtownorg in the process, as in a program that uses both.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "townorg.h"
#include "townorg/chart.h"

#define OK(expr)                                                                                   \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		ck_assert_msg(rc_ == 0, "%s failed: %d %s / %s", #expr, rc_,                       \
			      townorg_error_last() ? townorg_error_last() : "",                     \
			      townorg_chart_error_last() ? townorg_chart_error_last() : "");        \
	} while (0)

/* Under AddressSanitizer, what Graphviz 2.43 and its font stack (pango,
 * fontconfig) leave allocated is theirs, not ours: LeakSanitizer reads
 * these suppressions (a stack through those libraries; tests/
 * valgrind-graphviz.supp says the same to valgrind).  Unused elsewhere. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\nleak:libgvplugin_\nleak:libfontconfig.so\nleak:libpango\nleak:libcgraph.so\nleak:libglib-2.0.so\nleak:libcairo.so\nleak:libgobject-2.0.so\n";
}

static townorg_repo *repo;

static void load(const char *file)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/data/%s", TEST_SRCDIR, file);
	OK(townorg_repo_new(&repo));
	OK(townorg_json_import_repo_file(repo, path, NULL));
}

static void unload(void)
{
	townorg_repo_free(repo);
	repo = NULL;
}

static const townorg_version *version(const char *name)
{
	const townorg_version *v;
	OK(townorg_repo_lookup(&v, repo, name));
	return v;
}

static char *chart(const townorg_version *v, const char *unit, townorg_chart_format fmt,
	const townorg_chart_options *o, size_t *len)
{
	unsigned char *out = NULL;
	size_t n = 0;
	OK(townorg_chart_render(&out, &n, v, unit, fmt, o));
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(out[n], '\0');
	if (len)
		*len = n;
	return (char *)out;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* A township: its organs with quota, leader posts and nameplates, once each,
 * in rows of at most four; an SVG without XML declaration or DOCTYPE. */
START_TEST(township_svg)
{
	load("yixian.json");
	const townorg_version *v = version("2008-reform");
	size_t len;
	char *svg = chart(v, "341023102", TOWNORG_CHART_SVG, NULL, &len);
	ck_assert_uint_eq(strlen(svg), len);
	ck_assert_msg(strncmp(svg, "<svg", 4) == 0, "starts with: %.60s", svg);
	ck_assert_ptr_null(strstr(svg, "<?xml"));
	ck_assert_ptr_null(strstr(svg, "<!DOCTYPE"));
	ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
	ck_assert_ptr_nonnull(strstr(svg, "font-family=\"Noto Sans CJK SC"));
	ck_assert_ptr_nonnull(strstr(svg, ">渔亭镇</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">为民服务中心</text>"));     /* the township's name is not repeated */
	ck_assert_uint_eq(count(svg, "财政所</text>"), 1);              /* 经济发展办公室's nameplate, once */
	ck_assert_uint_eq(count(svg, ">计生所</text>") + count(svg, "：计生所</text>"), 1);
	ck_assert_ptr_nonnull(strstr(svg, "领导职数 7"));                /* the town's leader posts */
	ck_assert_ptr_nonnull(strstr(svg, "编制 事业 15"));              /* 为民服务中心's quota */
	ck_assert_uint_eq(count(svg, "领导职数"), 1);
	ck_assert_ptr_nonnull(strstr(svg, "派驻机构（以条为主）"));
	/* element ids carry the prefix (Graphviz writes '-' as &#45;), and are unique */
	ck_assert_ptr_nonnull(strstr(svg, "id=\"chart&#45;341023102&#45;SFS\""));
	ck_assert_uint_eq(count(svg, "id=\"chart\""), 1);
	ck_assert_uint_eq(count(svg, "id=\"chart&#45;group1\""), 1);
	townorg_chart_free(svg);
	unload();
}
END_TEST

/* Rows: eight townships of a county are two rows of four, not one row. */
START_TEST(county_rows)
{
	load("yixian.json");
	char *dot = chart(version("2007-baseline"), "341023", TOWNORG_CHART_DOT, NULL, NULL);
	ck_assert_uint_eq(count(dot, "{ rank=same; n"), 2);
	ck_assert_ptr_nonnull(strstr(dot, "{ rank=same; n0; n1; n2; n3; }"));
	ck_assert_ptr_nonnull(strstr(dot, "{ rank=same; n4; n5; n6; n7; }"));
	ck_assert_ptr_nonnull(strstr(dot, "n0 -> n4 [style=invis]"));
	ck_assert_ptr_nonnull(strstr(dot, "县直部门 3 个"));
	townorg_chart_free(dot);

	townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
	o.per_row = 3;
	dot = chart(version("2007-baseline"), "341023", TOWNORG_CHART_DOT, &o, NULL);
	ck_assert_uint_eq(count(dot, "{ rank=same; n"), 3);
	townorg_chart_free(dot);

	size_t len;
	char *svg = chart(version("2008-reform"), "341023", TOWNORG_CHART_SVG, NULL, &len);
	static const char *const towns[] = { "碧阳镇", "宏村镇", "西递镇", "渔亭镇", "宏潭乡", "洪星乡", "柯村乡", "美溪乡" };
	for (size_t i = 0; i < 8; i++)
		ck_assert_msg(strstr(svg, towns[i]), "%s is in the county chart", towns[i]);
	/* the width of a page, not of eight tables side by side */
	double w = atof(strstr(svg, "width=\"") + 7);
	ck_assert_msg(w > 300 && w < 1200, "width %g pt", w);
	townorg_chart_free(svg);
	unload();
}
END_TEST

START_TEST(png_and_english)
{
	load("yian.json");
	size_t len;
	char *png = chart(version("main"), "130623102", TOWNORG_CHART_PNG, NULL, &len);
	ck_assert_uint_gt(len, 1000);
	ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
	townorg_chart_free(png);
	townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
	o.lang = TOWNORG_LANG_EN;
	o.id_prefix = "after";
	char *svg = chart(version("main"), "130623102", TOWNORG_CHART_SVG, &o, NULL);
	ck_assert_ptr_nonnull(strstr(svg, "quota admin 10"));
	ck_assert_ptr_nonnull(strstr(svg, "Dispatched agencies"));
	ck_assert_ptr_nonnull(strstr(svg, "id=\"after\""));
	ck_assert_ptr_null(strstr(svg, "编制"));
	townorg_chart_free(svg);
	unload();
}
END_TEST

/* Bad input: a clear error, nothing returned. */
START_TEST(bad_input)
{
	load("yian.json");
	const townorg_version *v = version("main");
	unsigned char *out = (unsigned char *)"x";
	size_t len = 5;
	ck_assert_int_eq(townorg_chart_render(&out, &len, v, "nope", TOWNORG_CHART_SVG, NULL), TOWNORG_ENOTFOUND);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_nonnull(strstr(townorg_chart_error_last(), "nope"));
	townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
	o.per_row = 13;
	ck_assert_int_eq(townorg_chart_render(&out, &len, v, "130623", TOWNORG_CHART_SVG, &o), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_chart_error_last(), "per_row"));
	o = (townorg_chart_options)TOWNORG_CHART_OPTIONS_INIT;
	o.version = 99;
	ck_assert_int_eq(townorg_chart_render(&out, &len, v, "130623", TOWNORG_CHART_SVG, &o), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_chart_render(&out, &len, v, "130623", (townorg_chart_format)7, NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_chart_render(NULL, &len, v, "130623", TOWNORG_CHART_SVG, NULL), TOWNORG_EINVALID);
	/* a DOT syntax error names itself */
	ck_assert_int_eq(townorg_chart_render_dot(&out, &len, "digraph { a -> ; }", TOWNORG_CHART_SVG), TOWNORG_EPARSE);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(townorg_chart_error_last(), "DOT"));
	/* and a good one renders, with its quoting kept */
	OK(townorg_chart_render_dot(&out, &len, "digraph { \"a<b\" -> \"乙\"; }", TOWNORG_CHART_SVG));
	ck_assert_ptr_nonnull(strstr((char *)out, "a&lt;b"));
	ck_assert_ptr_nonnull(strstr((char *)out, "乙"));
	townorg_chart_free(out);
	ck_assert_str_eq(townorg_chart_graphviz_version(), townorg_chart_graphviz_version());
	ck_assert_int_ge(atoi(townorg_chart_graphviz_version()), 2);
	unload();
}
END_TEST

/* Names with characters that DOT and XML treat specially stay text. */
START_TEST(escaping)
{
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	townorg_entity_builder *b;
	townorg_entity *e;
	OK(townorg_entity_builder_new(&b, "c", TOWNORG_KIND_COUNTY, "县", NULL));
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);
	OK(townorg_txn_put(t, e));
	townorg_entity_free(e);
	OK(townorg_entity_builder_new(&b, "t\"1", TOWNORG_KIND_TOWN, "A&B <镇> \"x\"", "c"));
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);
	OK(townorg_txn_put(t, e));
	townorg_entity_free(e);
	OK(townorg_entity_builder_new(&b, "t\"1-o", TOWNORG_KIND_OFFICE, "办}公{室|<", "t\"1"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "牌&子"));
	OK(townorg_entity_builder_build(&e, b));
	townorg_entity_builder_free(b);
	OK(townorg_txn_put(t, e));
	townorg_entity_free(e);
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	char *svg = chart(v, "t\"1", TOWNORG_CHART_SVG, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(svg, "A&amp;B &lt;镇&gt;"));
	ck_assert_ptr_nonnull(strstr(svg, "办}公{室|&lt;"));
	ck_assert_ptr_nonnull(strstr(svg, "牌&amp;子"));
	townorg_chart_free(svg);
	townorg_repo_free(r);
}
END_TEST

/* A unit with more children than a chart can hold is refused, naming it. */
START_TEST(too_large)
{
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	townorg_entity_builder *b;
	OK(townorg_entity_builder_new(&b, "c", TOWNORG_KIND_COUNTY, "县", NULL));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_builder_new(&b, "t", TOWNORG_KIND_TOWN, "镇", "c"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	for (int i = 0; i <= TOWNORG_CHART_MAX_BOXES; i++) {
		char id[32];
		snprintf(id, sizeof id, "t-v%04d", i);
		OK(townorg_entity_builder_new(&b, id, TOWNORG_KIND_VILLAGE, "村", "t"));
		OK(townorg_txn_put_builder(t, b));
		townorg_entity_builder_free(b);
	}
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	unsigned char *out;
	size_t len;
	ck_assert_int_eq(townorg_chart_render(&out, &len, v, "t", TOWNORG_CHART_SVG, NULL), TOWNORG_EINVALID);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(townorg_chart_error_last(), "too many"));
	/* the county above it is one box with the villages counted */
	char *dot = chart(v, "c", TOWNORG_CHART_DOT, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(dot, "村/社区 2001 个"));
	townorg_chart_free(dot);
	townorg_repo_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("chart");
	TCase *tc = tcase_create("chart");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, township_svg);
	tcase_add_test(tc, county_rows);
	tcase_add_test(tc, png_and_english);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, too_large);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_chart.c — `townorg chart` (the org chart of a unit as SVG or PNG,
 * drawn by libtownorg-chart) and `townorg report` (a reform report as one
 * HTML file, cli/report_html.c).
 *
 * Both write their output through cli/outfile.c (a temporary file, fsync,
 * rename) and refuse an output path that is the repository file.  Without
 * Graphviz (configure --with-graphviz=no) `chart` says so and exits 2, and
 * `report` shows the structure as tables.
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "outfile.h"
#ifdef HAVE_GRAPHVIZ
#include <townorg/chart.h>
#endif

#ifdef HAVE_GRAPHVIZ
/* Under AddressSanitizer, what Graphviz 2.43 and its font stack (pango,
 * fontconfig) leave allocated is theirs, not ours: LeakSanitizer reads
 * these suppressions (a stack through those libraries; tests/
 * valgrind-graphviz.supp says the same to valgrind).  Unused elsewhere. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\nleak:libgvplugin_\nleak:libfontconfig.so\nleak:libpango\nleak:libcgraph.so\nleak:libglib-2.0.so\nleak:libcairo.so\nleak:libgobject-2.0.so\n";
}
#endif

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int parse_lang(townorg_lang *out, const char *s)
{
	if (!s) {
		*out = TOWNORG_LANG_ZH;
		return 0;
	}
	if (strcmp(s, "zh") == 0 || strcmp(s, "zh_CN") == 0) {
		*out = TOWNORG_LANG_ZH;
		return 0;
	}
	if (strcmp(s, "en") == 0) {
		*out = TOWNORG_LANG_EN;
		return 0;
	}
	return cli_usage_error(_("unknown language '%s' (zh or en)"), s);
}

/* ------------------------------------------------------------ chart */

int cmd_chart(int argc, char **argv)
{
	const char *output = NULL, *format_s = NULL, *lang_s = NULL, *per_row_s = NULL;
	const cli_option opts[] = {
		{ "output", 'o', 1, &output, NULL },
		{ "format", 0, 1, &format_s, NULL },
		{ "lang", 0, 1, &lang_s, NULL },
		{ "per-row", 0, 1, &per_row_s, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[3];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 3, &npos, 3, &ec) < 0)
		return ec;
	if (!output)
		return cli_usage_error(_("an output file is required (-o FILE.svg or FILE.png)"));
	if (!format_s)
		format_s = ends_with(output, ".png") ? "png" : ends_with(output, ".svg") ? "svg" :
			ends_with(output, ".dot") || ends_with(output, ".gv") ? "dot" : NULL;
	if (!format_s)
		return cli_usage_error(_("%s: say --format svg, png or dot (or end the name in .svg, .png or .dot)"), output);
	townorg_lang lang;
	if ((ec = parse_lang(&lang, lang_s)) != 0)
		return ec;
	unsigned per_row = 0;
	if (per_row_s) {
		char *end;
		long n = strtol(per_row_s, &end, 10);
		if (*end || n < 1 || n > 12)
			return cli_usage_error(_("--per-row: give a number from 1 to 12, not '%s'"), per_row_s);
		per_row = (unsigned)n;
	}
#ifdef HAVE_GRAPHVIZ
	townorg_chart_format fmt;
	if (strcmp(format_s, "svg") == 0)
		fmt = TOWNORG_CHART_SVG;
	else if (strcmp(format_s, "png") == 0)
		fmt = TOWNORG_CHART_PNG;
	else if (strcmp(format_s, "dot") == 0)
		fmt = TOWNORG_CHART_DOT;
	else
		return cli_usage_error(_("unknown chart format '%s' (svg, png or dot)"), format_s);
	if ((ec = cli_output_check(output, pos[0])) != 0)
		return ec;
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v;
	if ((ec = cli_lookup(&v, repo, pos[1])) == 0) {
		townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
		o.lang = lang;
		o.per_row = per_row;
		unsigned char *data = NULL;
		size_t len = 0;
		int rc = townorg_chart_render(&data, &len, v, pos[2], fmt, &o);
		if (rc < 0) {
			const char *m = townorg_chart_error_last();
			cli_warn("%s", m ? m : townorg_error_name(rc));
			ec = EXIT_BAD;
		} else {
			ec = cli_output_write(output, pos[0], data, len);
		}
		townorg_chart_free(data);
	}
	townorg_repo_free(repo);
	return ec;
#else
	(void)pos, (void)per_row;
	cli_warn("%s", _("this townorg was built without Graphviz (configure --with-graphviz): no charts"));
	return EXIT_BAD;
#endif
}

/* ------------------------------------------------------------ report */

/* The unit a report is about when --under is not given: the one county
 * (or other top-level unit) of the later version. */
static int default_unit(const char **out, const townorg_version *v)
{
	const townorg_entity *const *top;
	size_t n;
	int rc = townorg_version_children(&top, &n, v, NULL);
	if (rc < 0)
		return cli_lib_error(rc);
	const char *found = NULL;
	size_t units = 0;
	for (size_t i = 0; i < n; i++) {
		townorg_kind k = townorg_entity_kind(top[i]);
		if (townorg_kind_is_organ(k) || k == TOWNORG_KIND_VILLAGE || k == TOWNORG_KIND_COMMUNITY ||
		    k == TOWNORG_KIND_DEPARTMENT)
			continue;
		found = townorg_entity_id(top[i]);
		units++;
	}
	if (units != 1) {
		cli_warn(_("the version has %zu top-level units: say which one with --under UNIT"), units);
		return EXIT_BAD;
	}
	*out = found;
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	const char *output = NULL, *policy_path = NULL, *under = NULL, *lang_s = NULL;
	int no_charts = 0;
	const cli_option opts[] = {
		{ "output", 'o', 1, &output, NULL },
		{ "policy", 0, 1, &policy_path, NULL },
		{ "under", 'u', 1, &under, NULL },
		{ "lang", 0, 1, &lang_s, NULL },
		{ "no-charts", 0, 0, NULL, &no_charts },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[3];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 3, &npos, 3, &ec) < 0)
		return ec;
	if (!output)
		return cli_usage_error(_("an output file is required (-o report.html)"));
	cli_report r = { 0 };
	if ((ec = parse_lang(&r.lang, lang_s)) != 0)
		return ec;
	if ((ec = cli_output_check(output, pos[0])) != 0)
		return ec;
	townorg_policy *policy = NULL;
	if (policy_path) {
		int rc = townorg_policy_load(&policy, policy_path);
		if (rc < 0)
			return cli_lib_error(rc);
	}
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0) {
		townorg_policy_free(policy);
		return ec;
	}
	r.repo = repo;
	r.repo_path = pos[0];
	r.from_name = pos[1];
	r.to_name = pos[2];
	r.policy = policy;
	r.policy_name = policy_path;
#ifdef HAVE_GRAPHVIZ
	r.charts = !no_charts;
#endif
	if ((ec = cli_lookup(&r.from, repo, pos[1])) != 0 || (ec = cli_lookup(&r.to, repo, pos[2])) != 0)
		goto done;
	if (under) {
		const townorg_entity *e;
		int rc = townorg_version_get(&e, r.to, under);
		if (rc < 0)
			rc = townorg_version_get(&e, r.from, under);
		if (rc < 0) {
			ec = cli_lib_error(rc);
			goto done;
		}
		r.under = under;
	} else if ((ec = default_unit(&r.under, r.to)) != 0) {
		goto done;
	}
	char *html = NULL;
	size_t len = 0;
	if (cli_report_html(&html, &len, &r) < 0)
		ec = EXIT_BAD;
	else
		ec = cli_output_write(output, pos[0], html, len);
	free(html);
done:
	townorg_repo_free(repo);
	townorg_policy_free(policy);
	return ec;
}

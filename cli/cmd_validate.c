/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_validate.c — `townorg validate`: findings of a policy over one
 * version or a range of versions, usable on a national history.
 *
 * The text output starts with a summary by rule and severity, then lists
 * the findings, each naming its unit by code, name and county (names repeat
 * across China), and ends with the conformance line.  Filters: --rule (one
 * or more ids, comma separated), --severity (that severity or worse),
 * --under (a unit and everything under it).  --from/--to validate every
 * version of the first-parent line from FROM to TO (both included).
 * --json and --csv give the same findings for programs.
 *
 * A removed unit is not in the version that removed it: its name and county
 * are read from the version's first parent.
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef struct {
	const townorg_version *v;
	const townorg_finding *f;
	char name[128], county[16], county_name[128];
} shown;

/* The entity of a finding, in the version or (removed there) its first parent. */
static const townorg_entity *finding_entity(const townorg_version *v, const char *id)
{
	const townorg_entity *e = NULL;
	if (!id)
		return NULL;
	if (townorg_version_get(&e, v, id) == 0)
		return e;
	townorg_error_clear();
	if (townorg_version_parent_count(v) && townorg_version_get(&e, townorg_version_parent(v, 0), id) == 0)
		return e;
	townorg_error_clear();
	return NULL;
}

/* The version holding e (v or its first parent) for parent lookups. */
static const townorg_entity *parent_of(const townorg_version *v, const townorg_entity *e)
{
	const char *p = townorg_entity_parent_id(e);
	return p ? finding_entity(v, p) : NULL;
}

static void describe(shown *s)
{
	s->name[0] = s->county[0] = s->county_name[0] = 0;
	const townorg_entity *e = finding_entity(s->v, s->f->entity);
	if (!e)
		return;
	snprintf(s->name, sizeof s->name, "%s", townorg_entity_name(e));
	for (int depth = 0; e && depth < 16; depth++, e = parent_of(s->v, e))
		if (townorg_entity_kind(e) == TOWNORG_KIND_COUNTY) {
			snprintf(s->county, sizeof s->county, "%s", townorg_entity_id(e));
			snprintf(s->county_name, sizeof s->county_name, "%s", townorg_entity_name(e));
			return;
		}
}

/* Is the finding's entity `under` or below it? */
static int is_under(const townorg_version *v, const char *id, const char *under)
{
	const townorg_entity *e = finding_entity(v, id);
	for (int depth = 0; e && depth < 16; depth++, e = parent_of(v, e))
		if (!strcmp(townorg_entity_id(e), under))
			return 1;
	return 0;
}

static int rule_wanted(const char *rules, const char *rule)
{
	if (!rules)
		return 1;
	size_t n = strlen(rule);
	for (const char *p = rules; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !strncmp(p, rule, n))
			return 1;
		p += len + (c != NULL);
	}
	return 0;
}

/* Every id of --rule must be a rule of the policy (built in). */
static int check_rules(const char *rules)
{
	if (!rules)
		return EXIT_OK;
	size_t n = townorg_rule_builtin_count();
	const char **ids = calloc(n ? n : 1, sizeof *ids);
	if (!ids)
		return cli_lib_error(TOWNORG_ENOMEM);
	for (size_t i = 0; i < n; i++)
		townorg_rule_builtin_at(i, &ids[i], NULL, NULL);
	int ec = EXIT_OK;
	for (const char *p = rules; *p && ec == EXIT_OK;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char one[128];
		snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one - 1 ? len : sizeof one - 1), p);
		int found = 0;
		for (size_t i = 0; i < n; i++)
			found |= !strcmp(ids[i], one);
		if (!found) {
			const char *near = cli_suggest(one, ids, n);
			ec = near ? cli_usage_error(_("no rule '%s' (did you mean '%s'?)"), one, near)
				  : cli_usage_error(_("no rule '%s' (see docs/format.md, \"Policy files\")"), one);
		}
		p += len + (c != NULL);
	}
	free(ids);
	return ec;
}

static void csv_field(FILE *out, const char *s, int last)
{
	s = s ? s : "";
	if (strpbrk(s, ",\"\n\r")) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else
		fputs(s, out);
	fputc(last ? '\n' : ',', out);
}

static void print_json(const shown *sh, size_t n, const townorg_version *const *vs, size_t nv, int conforms)
{
	int f = 1;
	fputc('{', stdout);
	cli_json_key(stdout, &f, "conforms");
	fputs(conforms ? "true" : "false", stdout);
	cli_json_key(stdout, &f, "versions");
	fputc('[', stdout);
	for (size_t i = 0; i < nv; i++) {
		fputs(i ? ", " : "", stdout);
		cli_json_str(stdout, townorg_version_id(vs[i]));
	}
	fputs("],\n \"findings\": [", stdout);
	for (size_t i = 0; i < n; i++) {
		const townorg_finding *x = sh[i].f;
		int g = 1;
		fputs(i ? ",\n  {" : "\n  {", stdout);
		cli_json_key(stdout, &g, "rule");
		cli_json_str(stdout, x->rule);
		cli_json_key(stdout, &g, "severity");
		cli_json_str(stdout, townorg_severity_token(x->severity));
		cli_json_key(stdout, &g, "entity");
		cli_json_str(stdout, x->entity);
		cli_json_key(stdout, &g, "name");
		cli_json_str(stdout, *sh[i].name ? sh[i].name : NULL);
		cli_json_key(stdout, &g, "county");
		cli_json_str(stdout, *sh[i].county ? sh[i].county : NULL);
		cli_json_key(stdout, &g, "county_name");
		cli_json_str(stdout, *sh[i].county_name ? sh[i].county_name : NULL);
		cli_json_key(stdout, &g, "version");
		cli_json_str(stdout, x->version_id);
		cli_json_key(stdout, &g, "version_date");
		cli_json_str(stdout, x->version_date);
		cli_json_key(stdout, &g, "path");
		cli_json_str(stdout, x->path);
		cli_json_key(stdout, &g, "value");
		if (x->has_value)
			printf("%lld", (long long)x->value);
		else if (x->value_text)
			cli_json_str(stdout, x->value_text);
		else
			fputs("null", stdout);
		cli_json_key(stdout, &g, "limit");
		if (x->has_limit)
			printf("%lld", (long long)x->limit);
		else
			fputs("null", stdout);
		cli_json_key(stdout, &g, "message_zh");
		cli_json_str(stdout, x->message_zh);
		cli_json_key(stdout, &g, "message_en");
		cli_json_str(stdout, x->message_en);
		cli_json_key(stdout, &g, "waived");
		fputs(x->waived ? "true" : "false", stdout);
		fputc('}', stdout);
	}
	fputs("]}\n", stdout);
}

static void print_csv(const shown *sh, size_t n)
{
	fputs("version,version_date,rule,severity,entity,name,county,county_name,path,value,limit,waived,message\n",
		stdout);
	for (size_t i = 0; i < n; i++) {
		const townorg_finding *x = sh[i].f;
		char val[32] = "", lim[32] = "";
		if (x->has_value)
			snprintf(val, sizeof val, "%lld", (long long)x->value);
		if (x->has_limit)
			snprintf(lim, sizeof lim, "%lld", (long long)x->limit);
		csv_field(stdout, x->version_id, 0);
		csv_field(stdout, x->version_date, 0);
		csv_field(stdout, x->rule, 0);
		csv_field(stdout, townorg_severity_token(x->severity), 0);
		csv_field(stdout, x->entity, 0);
		csv_field(stdout, sh[i].name, 0);
		csv_field(stdout, sh[i].county, 0);
		csv_field(stdout, sh[i].county_name, 0);
		csv_field(stdout, x->path, 0);
		csv_field(stdout, x->has_value ? val : x->value_text, 0);
		csv_field(stdout, lim, 0);
		csv_field(stdout, x->waived ? "true" : "false", 0);
		csv_field(stdout, cli_lang == TOWNORG_LANG_ZH ? x->message_zh : x->message_en, 1);
	}
}

static const char *sev_label(townorg_severity s)
{
	switch (s) {
	case TOWNORG_SEVERITY_ERROR: return _("error");
	case TOWNORG_SEVERITY_WARNING: return _("warning");
	default: return _("info");
	}
}

static void print_text(const shown *sh, size_t n, size_t nv, int conforms)
{
	/* the summary by rule and severity first */
	size_t e = 0, w = 0, in = 0, waived = 0;
	const char *hdr[] = { _("rule"), _("severity"), _("findings"), _("waived") };
	cli_table *t = cli_table_new(4, hdr);
	cli_table_right(t, 2);
	cli_table_right(t, 3);
	char *done = calloc(n ? n : 1, 1);
	for (size_t i = 0; done && i < n; i++) {
		if (done[i])
			continue;
		size_t c = 0, wv = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && !strcmp(sh[j].f->rule, sh[i].f->rule) && sh[j].f->severity == sh[i].f->severity) {
				done[j] = 1;
				c++;
				wv += sh[j].f->waived != 0;
			}
		cli_table_add(t, sh[i].f->rule);
		cli_table_add(t, sev_label(sh[i].f->severity));
		cli_table_addf(t, "%zu", c);
		cli_table_addf(t, "%zu", wv);
	}
	free(done);
	for (size_t i = 0; i < n; i++) {
		const townorg_finding *x = sh[i].f;
		if (x->waived)
			waived++;
		else if (x->severity == TOWNORG_SEVERITY_ERROR)
			e++;
		else if (x->severity == TOWNORG_SEVERITY_WARNING)
			w++;
		else
			in++;
	}
	if (n) {
		printf(_("%zu findings in %zu versions, by rule and severity:\n"), n, nv);
		cli_table_print(t, stdout);
		putchar('\n');
	}
	cli_table_free(t);
	for (size_t i = 0; i < n; i++) {
		const townorg_finding *x = sh[i].f;
		printf("%-7s %s", sev_label(x->severity), x->rule);
		if (x->version_date)
			printf(" @%s", x->version_date);
		printf(": %s", cli_lang == TOWNORG_LANG_ZH ? x->message_zh : x->message_en);
		/* the unit by code, name and county: names repeat across China */
		if (x->entity) {
			printf("  [%s", x->entity);
			if (*sh[i].name)
				printf(" %s", sh[i].name);
			if (*sh[i].county && strcmp(sh[i].county, x->entity))
				printf(", %s %s", sh[i].county, sh[i].county_name);
			putchar(']');
		}
		if (x->waived)
			printf(_(" [waived: %s]"), x->waiver_document ? x->waiver_document : "");
		putchar('\n');
	}
	printf(_("%s: %zu errors, %zu warnings, %zu infos, %zu waived\n"),
		conforms ? _("conforms") : _("does not conform"), e, w, in, waived);
}

int cmd_validate(int argc, char **argv)
{
	int json = 0, csv = 0;
	const char *policy_path = NULL, *rules = NULL, *sev = NULL, *under = NULL, *from = NULL, *to = NULL;
	const cli_option opts[] = {
		{ "json", 0, 0, NULL, &json },
		{ "csv", 0, 0, NULL, &csv },
		{ "policy", 'p', 1, &policy_path, NULL },
		{ "rule", 0, 1, &rules, NULL },
		{ "severity", 0, 1, &sev, NULL },
		{ "under", 0, 1, &under, NULL },
		{ "from", 0, 1, &from, NULL },
		{ "to", 0, 1, &to, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 1, &ec) < 0)
		return ec;
	if (json && csv)
		return cli_usage_error(_("--json and --csv exclude each other"));
	if (npos > 1 && to)
		return cli_usage_error(_("give the version either as VERSION or as --to, not both"));
	townorg_severity min_sev = TOWNORG_SEVERITY_INFO;
	if (sev && townorg_severity_parse(&min_sev, sev) < 0) {
		townorg_error_clear();
		return cli_usage_error(_("unknown severity '%s' (error, warning or info)"), sev);
	}
	if ((ec = check_rules(rules)) != EXIT_OK)
		return ec;
	townorg_policy *policy = NULL;
	int rc = policy_path ? townorg_policy_load(&policy, policy_path) : townorg_policy_new(&policy);
	if (rc < 0)
		return cli_lib_error(rc);
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0) {
		townorg_policy_free(policy);
		return ec;
	}
	const townorg_version *last = NULL, *first = NULL, **vs = NULL;
	townorg_validation **res = NULL;
	shown *sh = NULL;
	size_t nv = 0, n = 0, cap = 0;
	int conforms = 1;
	const char *at = npos > 1 ? pos[1] : to;
	if ((ec = at ? cli_lookup(&last, repo, at) : cli_branch_head(&last, repo, "main")) != 0)
		goto done;
	if (from && (ec = cli_lookup(&first, repo, from)) != 0)
		goto done;
	/* the versions, oldest first */
	for (const townorg_version *v = last;; v = townorg_version_parent(v, 0)) {
		const townorg_version **nvs = realloc(vs, (nv + 1) * sizeof *nvs);
		if (!nvs) {
			ec = cli_lib_error(TOWNORG_ENOMEM);
			goto done;
		}
		vs = nvs;
		vs[nv++] = v;
		if (!first || v == first || !townorg_version_parent_count(v))
			break;
	}
	if (first && vs[nv - 1] != first) {
		ec = cli_usage_error(_("--from %s is not on the first-parent line of %s"), from, at ? at : "main");
		goto done;
	}
	for (size_t i = 0; i < nv / 2; i++) {
		const townorg_version *x = vs[i];
		vs[i] = vs[nv - 1 - i];
		vs[nv - 1 - i] = x;
	}
	if (under) {
		const townorg_entity *e = NULL;
		if (townorg_version_get(&e, last, under) < 0) {
			townorg_error_clear();
			ec = cli_entity_error(last, under);
			goto done;
		}
	}
	if (!(res = calloc(nv, sizeof *res))) {
		ec = cli_lib_error(TOWNORG_ENOMEM);
		goto done;
	}
	for (size_t k = 0; k < nv; k++) {
		if ((rc = townorg_validate(&res[k], vs[k], policy)) < 0) {
			ec = cli_lib_error(rc);
			goto done;
		}
		for (size_t i = 0; i < townorg_validation_count(res[k]); i++) {
			const townorg_finding *f = townorg_validation_at(res[k], i);
			if (!rule_wanted(rules, f->rule) || f->severity < min_sev)
				continue;
			if (under && (!f->entity || !is_under(vs[k], f->entity, under)))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				shown *ns = realloc(sh, cap * sizeof *ns);
				if (!ns) {
					ec = cli_lib_error(TOWNORG_ENOMEM);
					goto done;
				}
				sh = ns;
			}
			sh[n].v = vs[k];
			sh[n].f = f;
			describe(&sh[n]);
			if (!f->waived && f->severity == TOWNORG_SEVERITY_ERROR)
				conforms = 0;
			n++;
		}
	}
	if (json)
		print_json(sh, n, vs, nv, conforms);
	else if (csv)
		print_csv(sh, n);
	else
		print_text(sh, n, nv, conforms);
	ec = conforms ? EXIT_OK : EXIT_NO;
done:
	for (size_t k = 0; res && k < nv; k++)
		townorg_validation_free(res[k]);
	free(res);
	free(sh);
	free(vs);
	townorg_policy_free(policy);
	townorg_repo_free(repo);
	return ec;
}

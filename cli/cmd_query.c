/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_query.c — reading versions: log, show, as-of.
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* ------------------------------------------------------------ log */

int cmd_log(int argc, char **argv)
{
	int json = 0;
	const char *max_s = NULL;
	const cli_option opts[] = {
		{ "json", 0, 0, NULL, &json },
		{ "max", 'n', 1, &max_s, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 1, &ec) < 0)
		return ec;
	long max = -1;
	if (max_s) {
		char *end;
		max = strtol(max_s, &end, 10);
		if (*end || max < 0)
			return cli_usage_error(_("--max needs a number, not '%s'"), max_s);
	}
	const char *name = npos > 1 ? pos[1] : "main";
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v = NULL;
	int rc = townorg_repo_branch_head(&v, repo, name);
	if (rc == TOWNORG_ENOTFOUND)
		rc = townorg_repo_lookup(&v, repo, name);
	if (rc == TOWNORG_ENOTFOUND && npos == 1 && townorg_repo_version_count(repo) == 0) {
		rc = 0; /* a new repository: main is empty */
		v = NULL;
	}
	if (rc < 0) {
		ec = cli_lib_error(rc);
		goto done;
	}
	if (json) {
		printf("{\"branch\": ");
		cli_json_str(stdout, name);
		printf(", \"versions\": [");
		for (long i = 0; v && (max < 0 || i < max); i++) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			cli_json_version(stdout, repo, v);
			v = townorg_version_parent_count(v) ? townorg_version_parent(v, 0) : NULL;
		}
		printf("\n]}\n");
	} else if (!v) {
		printf(_("Branch '%s' has no versions yet.\n"), name);
	} else {
		const char *hdr[] = { _("version"), _("date"), _("document"), _("message"), _("refs") };
		cli_table *t = cli_table_new(5, hdr);
		for (long i = 0; v && (max < 0 || i < max); i++) {
			const townorg_meta *m = townorg_version_meta(v);
			char *refs = cli_refs_of(repo, v);
			char msg[256];
			snprintf(msg, sizeof msg, "%s", m->message ? m->message : (m->doc_title ? m->doc_title : ""));
			char *nl = strchr(msg, '\n');
			if (nl)
				*nl = '\0';
			cli_table_addf(t, "%s%s", cli_short_id(v), townorg_version_parent_count(v) > 1 ? "*" : "");
			cli_table_add(t, cli_or_dash(m->effective_date));
			cli_table_add(t, cli_or_dash(m->doc_number));
			cli_table_add(t, cli_or_dash(msg));
			cli_table_add(t, refs && *refs ? refs : "");
			free(refs);
			v = townorg_version_parent_count(v) ? townorg_version_parent(v, 0) : NULL;
		}
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
done:
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ show */

static void label(const char *s);

static void print_int(const townorg_entity *e, townorg_field f, const char *name)
{
	int64_t x;
	if (townorg_entity_int(e, f, &x) != 0)
		return;
	if (f == TOWNORG_FIELD_AREA) {
		char buf[32];
		townorg_area_format(buf, sizeof buf, x);
		label(name);
		printf("%s km²\n", buf);
	} else {
		label(name);
		printf("%lld\n", (long long)x);
	}
}

static void put_num(cli_table *t, int has, int64_t x)
{
	if (has)
		cli_table_addf(t, "%lld", (long long)x);
	else
		cli_table_add(t, "-");
}

/* The padded label column of the entity details. */
static void label(const char *s)
{
	size_t w = cli_display_width(s);
	printf("  %s%*s ", s, (int)(w < 20 ? 20 - w : 0), "");
}

static void show_entity(const townorg_version *v, const townorg_entity *e)
{
	const char *pid = townorg_entity_parent_id(e);
	printf("%s  %s  (%s)\n", townorg_entity_id(e), townorg_entity_name(e), cli_kind_label(townorg_entity_kind(e)));
	if (pid) {
		const townorg_entity *p = NULL;
		label(_("parent"));
		if (townorg_version_get(&p, v, pid) == 0)
			printf("%s  %s\n", pid, townorg_entity_name(p));
		else
			printf("%s\n", pid);
	}
	if (townorg_entity_class(e) != TOWNORG_CLASS_NONE) {
		label(_("class"));
		printf("%s\n", cli_class_label(townorg_entity_class(e)));
	}
	print_int(e, TOWNORG_FIELD_POPULATION, _("population"));
	print_int(e, TOWNORG_FIELD_AREA, _("area"));
	print_int(e, TOWNORG_FIELD_REVENUE_PER_CAPITA, _("revenue per capita"));
	print_int(e, TOWNORG_FIELD_LEADER_POSTS, _("leader posts"));
	print_int(e, TOWNORG_FIELD_CHIEF_POSTS, _("chief posts"));
	print_int(e, TOWNORG_FIELD_DEPUTY_POSTS, _("deputy posts"));
	print_int(e, TOWNORG_FIELD_ACTUAL_STAFF, _("actual staff"));
	for (size_t i = 0; i < townorg_entity_quota_count(e); i++) {
		const char *type;
		int64_t x;
		char buf[128];
		if (townorg_entity_quota_at(e, i, &type, &x) != 0)
			continue;
		snprintf(buf, sizeof buf, _("%s quota"), type);
		label(buf);
		printf("%lld\n", (long long)x);
	}
	for (size_t i = 0; i < townorg_entity_attr_count(e); i++) {
		const char *name;
		int is_list;
		if (townorg_entity_attr_at(e, i, &name, &is_list) != 0)
			continue;
		label(name);
		if (is_list) {
			size_t n;
			const char *const *l = townorg_entity_list(e, name, &n);
			for (size_t j = 0; j < n; j++)
				printf("%s%s", j ? "; " : "", l[j]);
			putchar('\n');
		} else {
			printf("%s\n", townorg_entity_text(e, name));
		}
	}
}

/* The children of an entity as an aligned table.  Organs show their own
 * quotas; units (counties, townships) the sums over their organs. */
static void show_children(const townorg_version *v, const char *id)
{
	const townorg_entity *const *kids;
	size_t n;
	if (townorg_version_children(&kids, &n, v, id) != 0 || n == 0)
		return;
	const char *hdr[] = { _("id"), _("kind"), _("name"), _("class"), _("admin"), _("inst"), _("leaders"),
			      _("staff") };
	cli_table *t = cli_table_new(8, hdr);
	for (size_t c = 4; c < 8; c++)
		cli_table_right(t, c);
	int64_t sum_a = 0, sum_i = 0, sum_l = 0, sum_s = 0;
	size_t organs = 0;
	for (size_t i = 0; i < n; i++) {
		const townorg_entity *e = kids[i];
		townorg_kind k = townorg_entity_kind(e);
		int64_t a = 0, q = 0, l = 0, s = 0;
		int ha, hq, hl, hs;
		cli_table_add(t, townorg_entity_id(e));
		cli_table_add(t, cli_kind_label(k));
		cli_table_add(t, townorg_entity_name(e));
		cli_table_add(t, cli_class_label(townorg_entity_class(e)));
		if (townorg_kind_is_organ(k)) {
			ha = townorg_entity_quota(e, "admin", &a) == 0;
			hq = townorg_entity_quota(e, "inst", &q) == 0;
			hs = townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &s) == 0;
			organs++;
			sum_a += a;
			sum_i += q;
			sum_s += s;
		} else {
			ha = townorg_version_quota_total(&a, v, townorg_entity_id(e), "admin") == 0 && a > 0;
			hq = townorg_version_quota_total(&q, v, townorg_entity_id(e), "inst") == 0 && q > 0;
			hs = townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &s) == 0;
		}
		hl = townorg_entity_int(e, TOWNORG_FIELD_LEADER_POSTS, &l) == 0;
		if (townorg_kind_is_organ(k) && hl)
			sum_l += l;
		put_num(t, ha, a);
		put_num(t, hq, q);
		put_num(t, hl, l);
		put_num(t, hs, s);
	}
	if (organs > 1) {
		cli_table_add(t, "");
		cli_table_add(t, "");
		cli_table_addf(t, _("%zu organs in all"), organs);
		cli_table_add(t, "");
		cli_table_addf(t, "%lld", (long long)sum_a);
		cli_table_addf(t, "%lld", (long long)sum_i);
		cli_table_addf(t, "%lld", (long long)sum_l);
		cli_table_addf(t, "%lld", (long long)sum_s);
	}
	putchar('\n');
	cli_table_print(t, stdout);
	cli_table_free(t);
}

static void show_meta(const townorg_repo *repo, const townorg_version *v)
{
	const townorg_meta *m = townorg_version_meta(v);
	char *refs = cli_refs_of(repo, v);
	printf(_("version    %s\n"), townorg_version_id(v));
	if (refs && *refs)
		printf(_("refs       %s\n"), refs);
	free(refs);
	printf(_("state      %s\n"), townorg_version_state_hash(v));
	for (size_t i = 0; i < townorg_version_parent_count(v); i++)
		printf(_("parent     %s\n"), townorg_version_id(townorg_version_parent(v, i)));
	printf(_("effective  %s\n"), cli_or_dash(m->effective_date));
	printf(_("recorded   %s\n"), cli_or_dash(m->recorded_at));
	if (m->author)
		printf(_("author     %s\n"), m->author);
	if (m->doc_number || m->doc_issuer || m->doc_title)
		printf(_("document   %s %s %s %s\n"), cli_or_dash(m->doc_number), m->doc_issuer ? m->doc_issuer : "",
			m->doc_date ? m->doc_date : "", m->doc_title ? m->doc_title : "");
	if (m->message)
		printf(_("message    %s\n"), m->message);
}

static void show_version_summary(const townorg_repo *repo, const townorg_version *v)
{
	show_meta(repo, v);
	printf(_("entities   %zu\n"), townorg_version_entity_count(v));
	const char *hdr[] = { _("kind"), _("count") };
	cli_table *t = cli_table_new(2, hdr);
	cli_table_right(t, 1);
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++) {
		size_t c = townorg_version_kind_count(v, (townorg_kind)k);
		if (!c)
			continue;
		cli_table_add(t, cli_kind_label((townorg_kind)k));
		cli_table_addf(t, "%zu", c);
	}
	putchar('\n');
	cli_table_print(t, stdout);
	cli_table_free(t);
	size_t ne = townorg_version_event_count(v);
	if (ne) {
		printf(_("\nevents (%zu)\n"), ne);
		for (size_t i = 0; i < ne; i++) {
			const townorg_event *e = townorg_version_event(v, i);
			printf("  %-10s ", cli_event_label(e->kind));
			for (size_t j = 0; j < e->from_count; j++)
				printf("%s%s", j ? "," : "", e->from_ids[j]);
			printf(" → ");
			for (size_t j = 0; j < e->to_count; j++)
				printf("%s%s", j ? "," : "", e->to_ids[j]);
			for (size_t j = 0; j < e->document_count; j++)
				printf("%s%s", j ? ", " : "  ", e->documents[j]);
			if (e->wording)
				printf("  「%s」", e->wording);
			if (e->date)
				printf("  %s", e->date);
			putchar('\n');
		}
	}
	/* The top-level units, so a small county file shows its townships. */
	const townorg_entity *const *top;
	size_t n;
	if (townorg_version_children(&top, &n, v, NULL) == 0 && n == 1)
		show_children(v, townorg_entity_id(top[0]));
	else if (n > 1 && n <= 50)
		show_children(v, NULL);
}

static void json_entity_line(const townorg_entity *e)
{
	char *s = NULL;
	if (townorg_entity_to_json(&s, e) == 0)
		fputs(s, stdout);
	else
		fputs("null", stdout);
	townorg_free(s);
}

int cli_show_version(const townorg_repo *repo, const townorg_version *v, const char *entity, int json)
{
	const townorg_entity *e = NULL;
	if (entity) {
		int rc = townorg_version_get(&e, v, entity);
		if (rc < 0)
			return cli_lib_error(rc);
	}
	if (json) {
		printf("{\"version\": ");
		cli_json_version(stdout, repo, v);
		if (e) {
			const townorg_entity *const *kids;
			size_t n = 0;
			printf(",\n \"entity\": ");
			json_entity_line(e);
			printf(",\n \"children\": [");
			townorg_version_children(&kids, &n, v, entity);
			for (size_t i = 0; i < n; i++) {
				fputs(i ? ",\n  " : "\n  ", stdout);
				json_entity_line(kids[i]);
			}
			printf("]");
			static const char *const types[] = { "admin", "inst", NULL };
			int f = 1;
			printf(",\n \"quota_totals\": {");
			for (int i = 0; i < 3; i++) {
				int64_t q;
				if (townorg_version_quota_total(&q, v, entity, types[i]) == 0) {
					cli_json_key(stdout, &f, types[i] ? types[i] : "all");
					printf("%lld", (long long)q);
				}
			}
			printf("}");
		} else {
			int f = 1;
			printf(",\n \"entity_count\": %zu, \"kinds\": {", townorg_version_entity_count(v));
			for (int k = 1; k <= TOWNORG_KIND_COUNT; k++) {
				size_t c = townorg_version_kind_count(v, (townorg_kind)k);
				if (!c)
					continue;
				cli_json_key(stdout, &f, townorg_kind_token((townorg_kind)k));
				printf("%zu", c);
			}
			printf("},\n \"events\": [");
			for (size_t i = 0; i < townorg_version_event_count(v); i++) {
				fputs(i ? ",\n  " : "\n  ", stdout);
				cli_json_event(stdout, townorg_version_event(v, i));
			}
			printf("]");
		}
		printf("}\n");
		return EXIT_OK;
	}
	if (!e) {
		show_version_summary(repo, v);
		return EXIT_OK;
	}
	printf(_("%s as of %s (%s)\n\n"), entity, cli_or_dash(townorg_version_meta(v)->effective_date),
		cli_short_id(v));
	show_entity(v, e);
	show_children(v, entity);
	return EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	int json = 0;
	const cli_option opts[] = { { "json", 0, 0, NULL, &json }, { NULL, 0, 0, NULL, NULL } };
	const char *pos[3];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 3, &npos, 2, &ec) < 0)
		return ec;
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v;
	if ((ec = cli_lookup(&v, repo, pos[1])) == 0)
		ec = cli_show_version(repo, v, npos > 2 ? pos[2] : NULL, json);
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ as-of */

int cmd_asof(int argc, char **argv)
{
	int json = 0;
	const cli_option opts[] = { { "json", 0, 0, NULL, &json }, { NULL, 0, 0, NULL, NULL } };
	const char *pos[4];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 4, &npos, 3, &ec) < 0)
		return ec;
	if (townorg_date_check(pos[2]) < 0)
		return cli_usage_error(_("'%s' is not a date (YYYY-MM-DD)"), pos[2]);
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v = NULL;
	int rc = townorg_repo_asof(&v, repo, pos[1], pos[2]);
	if (rc < 0) {
		const townorg_version *head = NULL;
		if (rc == TOWNORG_ENOTFOUND && townorg_repo_branch_head(&head, repo, pos[1]) == 0) {
			/* The branch exists: nothing was in effect yet. */
			cli_warn(_("nothing was in effect on %s on branch '%s'"), pos[2], pos[1]);
			ec = EXIT_BAD;
		} else {
			ec = cli_lib_error(rc);
		}
	} else {
		if (!json && npos < 4)
			printf(_("In effect on %s on branch '%s':\n\n"), pos[2], pos[1]);
		ec = cli_show_version(repo, v, npos > 3 ? pos[3] : NULL, json);
	}
	townorg_repo_free(repo);
	return ec;
}

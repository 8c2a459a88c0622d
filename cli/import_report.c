/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * import_report.c — the report of `townorg import --format nbs`, as text
 * (editions, MCA tables, unlinked rows summarised by reason) or as JSON
 * (`--json`: every attached row and every unlinked row with its reason).
 *
 * A re-import that changes nothing (every edition already on the branch)
 * says so in one line of text.
 */
#include <config.h>
#include "cli.h"
#include <stdlib.h>
#include <string.h>

/* The reasons of docs/realdata.md, in the order the summary lists them. */
static const struct {
	const char *code, *text;
} reasons[] = {
	{ "unusable", N_("the row is unusable (a cell that is not a code, or no code at all)") },
	{ "before-branch", N_("already in effect on the branch before the first imported edition") },
	{ "too-old-edition", N_("shows only in an edition more than a year older than its table") },
	{ "after-last-edition", N_("its table's year ends after the last edition's cut-off, which does not show it") },
	{ "not-in-nbs", N_("neither its old nor its new unit is in any edition") },
	{ "new-not-in-nbs", N_("its new unit is in no edition, by code or by name in its province") },
	{ "old-not-in-nbs", N_("its old unit is in no edition, by code or by name in its county") },
	{ "old-never-gone", N_("its old unit is listed in every edition") },
	{ "new-elsewhere", N_("its new unit is found only by a name outside its county that cannot be used") },
	{ "no-consecutive-pair", N_("the old unit's end and the new unit never show between the same two editions") },
	{ "no-edition", N_("no edition was imported") },
};
#define N_REASONS (sizeof reasons / sizeof reasons[0])

static double pct(size_t a, size_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static int all_skipped(const townorg_realdata_report *rep)
{
	size_t n = townorg_realdata_report_edition_count(rep);
	for (size_t i = 0; i < n; i++)
		if (!townorg_realdata_report_edition(rep, i)->skipped)
			return 0;
	return n > 0;
}

void cli_nbs_report_text(const townorg_realdata_report *rep, const char *branch, int with_events)
{
	size_t n = townorg_realdata_report_edition_count(rep);
	if (all_skipped(rep)) {
		printf(_("Nothing to do: the %zu editions (%s to %s) are already on branch '%s'.\n"), n,
			townorg_realdata_report_edition(rep, 0)->year, townorg_realdata_report_edition(rep, n - 1)->year,
			branch);
		return;
	}
	printf(_("Imported %zu NBS editions into branch '%s'.\n"), n, branch);
	const char *hdr[] = { _("tag"), _("version"), _("date"), _("townships"), _("added"), _("removed"),
			      _("renamed"), _("reclassified"), _("moved"), _("events") };
	cli_table *t = cli_table_new(10, hdr);
	for (size_t c = 3; c < 10; c++)
		cli_table_right(t, c);
	for (size_t i = 0; i < n; i++) {
		const townorg_realdata_edition *e = townorg_realdata_report_edition(rep, i);
		cli_table_addf(t, "%s%s", e->tag, e->skipped ? _(" (skipped)") : "");
		cli_table_addf(t, "%.12s", e->version_id ? e->version_id : "-");
		cli_table_add(t, e->effective_date);
		cli_table_addf(t, "%zu", e->townships);
		cli_table_addf(t, "%zu", e->added);
		cli_table_addf(t, "%zu", e->removed);
		cli_table_addf(t, "%zu", e->renamed);
		cli_table_addf(t, "%zu", e->reclassified);
		cli_table_addf(t, "%zu", e->moved);
		cli_table_addf(t, "%zu", e->events);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	if (!with_events)
		return;
	size_t rows = townorg_realdata_report_mca_rows(rep), linked = townorg_realdata_report_mca_matched(rep);
	size_t un = townorg_realdata_report_unmatched_count(rep);
	printf(_("MCA rows: %zu read, %zu recorded as events (%.1f %%), %zu not linked.\n"), rows, linked,
		pct(linked, rows), un);
	const char *th[] = { _("table"), _("rows"), _("linked"), _("%"), _("history") };
	t = cli_table_new(5, th);
	for (size_t c = 1; c < 5; c++)
		cli_table_right(t, c);
	for (size_t i = 0; i < townorg_realdata_report_table_count(rep); i++) {
		const townorg_realdata_table *tb = townorg_realdata_report_table(rep, i);
		cli_table_addf(t, "%d", tb->year);
		cli_table_addf(t, "%zu", tb->rows);
		cli_table_addf(t, "%zu", tb->linked);
		cli_table_addf(t, "%.1f", pct(tb->linked, tb->rows));
		cli_table_addf(t, "%zu", tb->history);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	if (!un)
		return;
	printf(_("Not linked, by reason (every row: --json):\n"));
	size_t counts[N_REASONS + 1] = { 0 };
	for (size_t i = 0; i < un; i++) {
		const townorg_realdata_unmatched *u = townorg_realdata_report_unmatched(rep, i);
		size_t k = 0;
		while (k < N_REASONS && strcmp(reasons[k].code, u->why_code ? u->why_code : ""))
			k++;
		counts[k]++;
	}
	for (size_t k = 0; k <= N_REASONS; k++)
		if (counts[k])
			printf("  %6zu  %-20s %s\n", counts[k], k < N_REASONS ? reasons[k].code : "?",
				k < N_REASONS ? _(reasons[k].text) : "");
}

static void json_size(FILE *out, int *f, const char *key, size_t v)
{
	cli_json_key(out, f, key);
	fprintf(out, "%zu", v);
}

void cli_nbs_report_json(FILE *out, const townorg_realdata_report *rep, const char *branch)
{
	int f = 1;
	fputc('{', out);
	cli_json_key(out, &f, "branch");
	cli_json_str(out, branch);
	cli_json_key(out, &f, "changed");
	fputs(all_skipped(rep) ? "false" : "true", out);
	cli_json_key(out, &f, "editions");
	fputc('[', out);
	for (size_t i = 0; i < townorg_realdata_report_edition_count(rep); i++) {
		const townorg_realdata_edition *e = townorg_realdata_report_edition(rep, i);
		int g = 1;
		fputs(i ? ",\n  {" : "\n  {", out);
		cli_json_key(out, &g, "year");
		cli_json_str(out, e->year);
		cli_json_key(out, &g, "tag");
		cli_json_str(out, e->tag);
		cli_json_key(out, &g, "effective_date");
		cli_json_str(out, e->effective_date);
		cli_json_key(out, &g, "version");
		cli_json_str(out, e->version_id);
		cli_json_key(out, &g, "skipped");
		fputs(e->skipped ? "true" : "false", out);
		json_size(out, &g, "townships", e->townships);
		json_size(out, &g, "entities", e->entities);
		json_size(out, &g, "added", e->added);
		json_size(out, &g, "removed", e->removed);
		json_size(out, &g, "renamed", e->renamed);
		json_size(out, &g, "reclassified", e->reclassified);
		json_size(out, &g, "moved", e->moved);
		json_size(out, &g, "events", e->events);
		fputc('}', out);
	}
	fputs("],\n", out);
	f = 1;
	json_size(out, &f, "mca_rows", townorg_realdata_report_mca_rows(rep));
	json_size(out, &f, "mca_linked", townorg_realdata_report_mca_matched(rep));
	cli_json_key(out, &f, "tables");
	fputc('[', out);
	for (size_t i = 0; i < townorg_realdata_report_table_count(rep); i++) {
		const townorg_realdata_table *tb = townorg_realdata_report_table(rep, i);
		int g = 1;
		fputs(i ? ",\n  {" : "\n  {", out);
		cli_json_key(out, &g, "file");
		cli_json_str(out, tb->file);
		cli_json_key(out, &g, "year");
		fprintf(out, "%d", tb->year);
		json_size(out, &g, "rows", tb->rows);
		json_size(out, &g, "linked", tb->linked);
		json_size(out, &g, "history", tb->history);
		fputc('}', out);
	}
	fputs("],\n", out);
	f = 1;
	cli_json_key(out, &f, "attached");
	fputc('[', out);
	for (size_t i = 0; i < townorg_realdata_report_attached_count(rep); i++) {
		const townorg_realdata_link *l = townorg_realdata_report_attached(rep, i);
		int g = 1;
		fputs(i ? ",\n  {" : "\n  {", out);
		cli_json_key(out, &g, "file");
		cli_json_str(out, l->file);
		json_size(out, &g, "line", l->line);
		cli_json_key(out, &g, "table_year");
		fprintf(out, "%d", l->table_year);
		cli_json_key(out, &g, "edition");
		cli_json_str(out, l->edition);
		cli_json_key(out, &g, "history");
		fputs(l->history ? "true" : "false", out);
		cli_json_key(out, &g, "how");
		cli_json_str(out, l->how);
		cli_json_key(out, &g, "from_id");
		cli_json_str(out, *l->from_id ? l->from_id : NULL);
		cli_json_key(out, &g, "to_id");
		cli_json_str(out, *l->to_id ? l->to_id : NULL);
		fputc('}', out);
	}
	fputs("],\n", out);
	f = 1;
	cli_json_key(out, &f, "unmatched");
	fputc('[', out);
	for (size_t i = 0; i < townorg_realdata_report_unmatched_count(rep); i++) {
		const townorg_realdata_unmatched *u = townorg_realdata_report_unmatched(rep, i);
		int g = 1;
		fputs(i ? ",\n  {" : "\n  {", out);
		cli_json_key(out, &g, "file");
		cli_json_str(out, u->file);
		json_size(out, &g, "line", u->line);
		cli_json_key(out, &g, "table_year");
		fprintf(out, "%d", u->table_year);
		cli_json_key(out, &g, "old_code");
		cli_json_str(out, u->old_code);
		cli_json_key(out, &g, "old_name");
		cli_json_str(out, u->old_name);
		cli_json_key(out, &g, "reason");
		cli_json_str(out, u->reason);
		cli_json_key(out, &g, "new_code");
		cli_json_str(out, u->new_code);
		cli_json_key(out, &g, "new_name");
		cli_json_str(out, u->new_name);
		cli_json_key(out, &g, "documents");
		cli_json_str(out, u->documents);
		cli_json_key(out, &g, "why_code");
		cli_json_str(out, u->why_code);
		cli_json_key(out, &g, "why");
		cli_json_str(out, u->why);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

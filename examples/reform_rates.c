/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * reform_rates — the reduction rates 精简率 of the district of 篇4.
 *
 * Loads examples/data/district.json (a repository document) into an
 * in-memory repository, diffs the versions before 2002 against the 2002
 * reform and the 2005 reform, and prints, for one township, the counts the
 * report gives: institutions (centres and stations), party and government
 * organs (offices and listed bodies), administrative organs (offices) —
 * 17 → 4 (76%), 12 → 3 (75%), 17 → 7 (59%), 10 → 3 (70%) — and the
 * district's township-level units, 20 → 18 (10%).
 *
 *   cc reform_rates.c $(pkg-config --cflags --libs townorg) -o reform_rates
 *   ./reform_rates examples/data/district.json p4-16
 */
#include <stdio.h>
#include <stdlib.h>
#include <townorg.h>

static int fail(const char *what)
{
	fprintf(stderr, "reform_rates: %s: %s\n", what, townorg_error_last());
	return 2;
}

/* Count the entities of the given kinds on each side of a unit's totals. */
static townorg_reduction count(const townorg_diff_totals *t, const townorg_kind *kinds, size_t n)
{
	townorg_reduction r = {0, 0, 0, 0, 0, 0.0};
	for (size_t i = 0; i < n; i++) {
		r.before += (int64_t)t->kind_before[kinds[i]];
		r.after += (int64_t)t->kind_after[kinds[i]];
	}
	r.numerator = r.before - r.after;
	r.denominator = r.before;
	r.available = r.before != 0;
	r.value = r.available ? (double)r.numerator / (double)r.denominator : 0.0;
	return r;
}

static void show(const char *label, townorg_reduction r)
{
	char pct[32];
	townorg_reduction_format(pct, sizeof pct, &r);
	printf("  %4lld → %-4lld 精简 %5s%%  %s\n", (long long)r.before, (long long)r.after, pct, label);
}

static int report(const townorg_repo *repo, const char *from, const char *to, const char *unit)
{
	const townorg_version *a, *b;
	townorg_diff *diff = NULL;
	static const townorg_kind inst[] = {TOWNORG_KIND_CENTER, TOWNORG_KIND_STATION};
	static const townorg_kind party_gov[] = {TOWNORG_KIND_OFFICE, TOWNORG_KIND_LISTED};
	static const townorg_kind admin[] = {TOWNORG_KIND_OFFICE};
	static const townorg_kind units[] = {TOWNORG_KIND_TOWN, TOWNORG_KIND_TOWNSHIP, TOWNORG_KIND_SUBDISTRICT};

	if (townorg_repo_lookup(&a, repo, from) < 0 || townorg_repo_lookup(&b, repo, to) < 0)
		return fail("lookup");
	if (townorg_diff_versions(&diff, a, b, NULL) < 0)
		return fail("diff");
	const townorg_diff_totals *t = townorg_diff_totals_by_id(diff, unit);
	const townorg_diff_totals *all = townorg_diff_totals_all(diff);
	if (!t || !all) {
		fprintf(stderr, "reform_rates: the diff does not touch %s\n", unit);
		townorg_diff_free(diff);
		return 2;
	}
	printf("%s → %s (%s %s, %s)\n", from, to, unit, t->name, townorg_version_meta(b)->doc_number);
	show("事业站所 institutions", count(t, inst, 2));
	show("党政机构 party and government organs", count(t, party_gov, 2));
	show("行政机构 administrative organs", count(t, admin, 1));
	for (size_t i = 0; i < all->quota_type_count; i++) {
		char label[64];
		snprintf(label, sizeof label, "编制 quota (%s, district)", all->quotas[i].type);
		show(label, all->quotas[i].quota);
	}
	show("乡镇、街道 township-level units", count(all, units, 3));
	townorg_diff_free(diff);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "examples/data/district.json";
	const char *unit = argc > 2 ? argv[2] : "p4-16";
	townorg_repo *repo = NULL;
	int rc;

	if (townorg_repo_new(&repo) < 0)
		return fail("repository");
	if (townorg_json_import_repo_file(repo, path, NULL) < 0) {
		rc = fail(path);
		townorg_repo_free(repo);
		return rc;
	}
	rc = report(repo, "2001-baseline", "2002-reform", unit);
	if (rc == 0)
		rc = report(repo, "2001-baseline", "2005-reform", unit);
	townorg_repo_free(repo);
	return rc;
}

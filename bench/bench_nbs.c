/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_nbs.c — libtownorg on the real national data: the eight NBS
 * township lists (统计用区划代码 2016–2023, ../shared/data/real/nbs-townships).
 *
 * Imports every edition with townorg_nbs_import (one version per edition,
 * tagged nbs-YYYY; no MCA events) into an in-memory repository, then diffs
 * each pair of consecutive editions.  Uses the public API only.  Times:
 *
 *   import_s     townorg_nbs_import of the whole folder (reading the 32 CSV
 *                files, checking them, committing eight versions)
 *   diff_s       townorg_diff_versions of nbs-Y -> nbs-Y+1 with
 *                TOWNORG_DIFF_SKIP_EVENTS|TOWNORG_DIFF_SKIP_TOTALS: the entity
 *                diff (field-level deltas sorted by id), what
 *                bench/nbs_dict_diff.py computes with two dictionaries
 *   diff_full_s  the same diff with its aggregates (totals per county and
 *                township touched); no events exist without MCA tables
 *
 * Every time is the minimum of RUNS runs (the import runs RUNS times, each
 * into a new repository; the diffs RUNS times on the last one).  Outside
 * the timed parts each diff is summarised as counts and the SHA-256 of its
 * sorted lines "A\tid", "R\tid", "C\tid\tfield" (the digest of the
 * workload kit's common.py), which bench/nbs.sh compares with the Python
 * peer's.  With --dump DIR the lines of each pair go to
 * DIR/townorg-YYYY-YYYY.txt.  Prints one JSON line.
 *
 * Usage: bench_nbs [--runs N] [--dump DIR] NBS_DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nettle/sha2.h>
#include "townorg.h"
#include "townorg/diff.h"
#define BENCH_NAME "bench_nbs"
#include "bench_util.h"
#include "townorg/realdata.h"

static const townorg_version *tagged(townorg_repo *r, const char *tag)
{
	const townorg_version *v;
	CHECK(townorg_repo_tag_lookup(&v, r, tag), tag);
	return v;
}

#define MAX_EDITIONS 64

int main(int argc, char **argv)
{
	int runs = 3;
	const char *dump_dir = NULL, *src = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump_dir = argv[++i];
		else if (argv[i][0] != '-' && !src)
			src = argv[i];
		else
			src = NULL, i = argc;
	}
	if (!src || runs < 1) {
		fprintf(stderr, "usage: bench_nbs [--runs N] [--dump DIR] NBS_DIR\n");
		return 2;
	}

	/* the import, RUNS times into new repositories; the last one is kept */
	townorg_repo *repo = NULL;
	townorg_realdata_report *rep = NULL;
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	o.recorded_at = "2024-01-01T00:00:00Z";
	double import_s = 1e30;
	for (int r = 0; r < runs; r++) {
		townorg_repo_free(repo);
		townorg_realdata_report_free(rep);
		CHECK(townorg_repo_new(&repo), "repo");
		double t0 = now();
		CHECK(townorg_nbs_import(&rep, repo, src, &o), "import");
		double t = now() - t0;
		if (t < import_s)
			import_s = t;
	}
	size_t ne = townorg_realdata_report_edition_count(rep);
	if (ne < 2 || ne > MAX_EDITIONS) {
		fprintf(stderr, "bench_nbs: %s: %zu editions imported, need 2 to %d\n", src, ne, MAX_EDITIONS);
		return 1;
	}

	printf("{\"peer\": \"townorg\", \"runs\": %d, \"import_s\": %.4f, \"editions\": [", runs, import_s);
	for (size_t i = 0; i < ne; i++) {
		const townorg_realdata_edition *e = townorg_realdata_report_edition(rep, i);
		const townorg_version *v = tagged(repo, e->tag);
		if (strcmp(townorg_version_id(v), e->version_id)) {
			fprintf(stderr, "bench_nbs: tag %s does not name the version the report gives\n", e->tag);
			return 1;
		}
		printf("%s{\"year\": \"%s\", \"townships\": %zu, \"entities\": %zu, \"added\": %zu, \"removed\": %zu, "
		       "\"renamed\": %zu, \"reclassified\": %zu, \"moved\": %zu}",
		       i ? ", " : "", e->year, e->townships, e->entities, e->added, e->removed, e->renamed,
		       e->reclassified, e->moved);
	}
	printf("], \"pairs\": [");

	townorg_diff_options entity_only = TOWNORG_DIFF_OPTIONS_INIT;
	entity_only.flags = TOWNORG_DIFF_SKIP_EVENTS | TOWNORG_DIFF_SKIP_TOTALS;
	for (size_t i = 0; i + 1 < ne; i++) {
		const townorg_realdata_edition *ea = townorg_realdata_report_edition(rep, i),
					       *eb = townorg_realdata_report_edition(rep, i + 1);
		const townorg_version *a = tagged(repo, ea->tag), *b = tagged(repo, eb->tag);
		townorg_diff *d;
		double diff_s = 1e30, full_s = 1e30;
		size_t full_deltas = 0;
		for (int r = 0; r < runs; r++) {
			double t0 = now();
			CHECK(townorg_diff_versions(&d, a, b, &entity_only), "diff");
			double t = now() - t0;
			townorg_diff_free(d);
			if (t < diff_s)
				diff_s = t;
			t0 = now();
			CHECK(townorg_diff_versions(&d, a, b, NULL), "diff with totals");
			t = now() - t0;
			full_deltas = townorg_diff_num_deltas(d);
			townorg_diff_free(d);
			if (t < full_s)
				full_s = t;
		}
		/* the answer, untimed */
		FILE *dump = NULL;
		if (dump_dir) {
			char path[4096];
			snprintf(path, sizeof path, "%s/townorg-%s-%s.txt", dump_dir, ea->year, eb->year);
			if (!(dump = fopen(path, "w"))) {
				fprintf(stderr, "bench_nbs: %s: %s\n", path, strerror(errno));
				return 1;
			}
		}
		struct summary s;
		CHECK(townorg_diff_versions(&d, a, b, &entity_only), "diff");
		summarize(d, &s, dump);
		townorg_diff_free(d);
		if (dump && fclose(dump) != 0) {
			fprintf(stderr, "bench_nbs: writing the dump failed\n");
			return 1;
		}
		if (full_deltas != s.added + s.removed + s.changed) {
			fprintf(stderr, "bench_nbs: %s->%s: the full diff has %zu deltas, the entity diff %zu\n", ea->year,
				eb->year, full_deltas, s.added + s.removed + s.changed);
			return 1;
		}
		printf("%s{\"from\": \"%s\", \"to\": \"%s\", \"added\": %zu, \"removed\": %zu, \"changed\": %zu, "
		       "\"fields\": %zu, \"changed_fields\": {\"parent_id\": %zu, \"name\": %zu, \"kind\": %zu, "
		       "\"other\": %zu}, \"sha256\": \"%s\", \"diff_s\": %.6f, \"diff_full_s\": %.6f}",
		       i ? ", " : "", ea->year, eb->year, s.added, s.removed, s.changed, s.fields, s.f_parent, s.f_name,
		       s.f_kind, s.f_other, s.sha, diff_s, full_s);
	}
	printf("]}\n");
	townorg_realdata_report_free(rep);
	townorg_repo_free(repo);
	return 0;
}

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
#include "townorg/realdata.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_nbs: %s: %s\n", what, townorg_error_last() ? townorg_error_last() : "failed");
	exit(1);
}

#define CHECK(expr, what) do { if ((expr) < 0) die(what); } while (0)

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct summary {
	size_t added, removed, changed, fields;
	size_t f_parent, f_name, f_kind, f_other;
	char sha[65];
};

/* Counts and digest of a diff; the sorted lines go to dump if non-NULL. */
static void summarize(const townorg_diff *d, struct summary *out, FILE *dump)
{
	size_t n = townorg_diff_num_deltas(d), nl = 0, cap = n * 2 + 16;
	char **lines = malloc(cap * sizeof *lines);
	if (!lines)
		die("out of memory");
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		char buf[512];
		size_t k = dl->status == TOWNORG_DELTA_CHANGED ? dl->field_count : 1;
		if (nl + k > cap) {
			while (nl + k > cap)
				cap *= 2;
			if (!(lines = realloc(lines, cap * sizeof *lines)))
				die("out of memory");
		}
		if (dl->status != TOWNORG_DELTA_CHANGED) {
			int added = dl->status == TOWNORG_DELTA_ADDED;
			snprintf(buf, sizeof buf, "%c\t%s\n", added ? 'A' : 'R', dl->id);
			*(added ? &out->added : &out->removed) += 1;
			lines[nl++] = strdup(buf);
			continue;
		}
		out->changed++;
		for (size_t f = 0; f < dl->field_count; f++) {
			const char *name = dl->fields[f].name;
			snprintf(buf, sizeof buf, "C\t%s\t%s\n", dl->id, name);
			lines[nl++] = strdup(buf);
			out->fields++;
			if (!strcmp(name, "parent_id"))
				out->f_parent++;
			else if (!strcmp(name, "name"))
				out->f_name++;
			else if (!strcmp(name, "kind"))
				out->f_kind++;
			else
				out->f_other++;
		}
	}
	qsort(lines, nl, sizeof *lines, cmp_str);
	struct sha256_ctx c;
	unsigned char h[32];
	sha256_init(&c);
	for (size_t i = 0; i < nl; i++) {
		if (!lines[i])
			die("out of memory");
		sha256_update(&c, strlen(lines[i]), (const uint8_t *)lines[i]);
		if (dump)
			fputs(lines[i], dump);
		free(lines[i]);
	}
	free(lines);
	sha256_digest(&c, 32, h);
	for (int i = 0; i < 32; i++)
		sprintf(out->sha + 2 * i, "%02x", h[i]);
}

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

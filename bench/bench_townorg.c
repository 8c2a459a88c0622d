/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_townorg.c — libtownorg on the peers' workload (../shared/bench).
 *
 * Times the operations the peers time, on the same workload directory, and
 * checks every answer against the workload's expected files; a wrong answer
 * exits 1.  Prints one JSON line with the peers' keys plus our own:
 *
 *   (a) build_total_s      CSV files → every version in memory, hashes included
 *       build_store_s      the same import into a new SQLite store file
 *   (b) diff_adjacent_s    v0→v1,   diff_full_s  v0→last   (verified counts + digest)
 *   (c) asof_s             the 1000 lookups of queries.csv (verified)
 *   (d) cap_check_s        quota.no-increase-window, mode=ceiling, county totals of
 *                          admin+inst, baseline v0, 5 years (verified counties and
 *                          first versions)
 *   (e) rss_all_versions_mb, bytes_per_entity
 *   (f) db_bytes           store file size
 *   (g) open_read_s        open the store and read one township at the last version,
 *                          in a fresh process (bench_townorg --store-open STORE TID),
 *       rss_store_open_mb, rss_store_read_mb   that process's RSS growth after
 *                          opening (the store-backed lazy mode) and after the read
 *   (h) diff_100_s         diff of two national versions that differ in 100 entities
 *
 * Usage: bench_townorg WORKLOAD_DIR [STORE_PATH]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <nettle/sha2.h>
#include "townorg.h"
#include "townorg/tables.h"
#include "townorg/diff.h"
#include "townorg/validate.h"
#define BENCH_NAME "bench_townorg"
#include "bench_util.h"
#include "townorg/store.h"

static double rss_mb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

/* ---- diff verification: counts and the digest of common.py (bench_util.h) ---- */

static FILE *open_wl(const char *wl, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", wl, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_townorg: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void verify_diff(const char *wl, int a, int b, const struct summary *s)
{
	FILE *f = open_wl(wl, "expected_diffs.csv");
	char line[1024];
	int found = 0;
	if (!fgets(line, sizeof line, f))
		exit(1);
	while (fgets(line, sizeof line, f)) {
		int fa, fb;
		size_t ad, rm, ch, fl;
		char sha[80];
		if (sscanf(line, "%d,%d,%zu,%zu,%zu,%zu,%64s", &fa, &fb, &ad, &rm, &ch, &fl, sha) != 7)
			continue;
		if (fa != a || fb != b)
			continue;
		found = 1;
		if (ad != s->added || rm != s->removed || ch != s->changed || fl != s->fields || strcmp(sha, s->sha)) {
			fprintf(stderr, "bench_townorg: diff v%d->v%d WRONG: got %zu/%zu/%zu/%zu %s, expected %zu/%zu/%zu/%zu %s\n",
				a, b, s->added, s->removed, s->changed, s->fields, s->sha, ad, rm, ch, fl, sha);
			exit(1);
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "bench_townorg: no expected diff for v%d->v%d\n", a, b);
		exit(1);
	}
}

static const townorg_version *tagged(townorg_repo *r, int label)
{
	char name[32];
	const townorg_version *v;
	snprintf(name, sizeof name, "v%d", label);
	CHECK(townorg_repo_tag_lookup(&v, r, name), name);
	return v;
}

static int label_of(townorg_repo *r, int nversions, const char *id)
{
	for (int i = 0; i < nversions; i++)
		if (!strcmp(townorg_version_id(tagged(r, i)), id))
			return i;
	return -1;
}

/* ---- (c) as-of ---- */

struct query { int version; char tid[32]; long organs, quota; };

static struct query *read_queries(const char *wl, size_t *n)
{
	FILE *f = open_wl(wl, "queries.csv");
	char line[256];
	size_t cap = 1024;
	struct query *q = malloc(cap * sizeof *q);
	*n = 0;
	if (!fgets(line, sizeof line, f))
		exit(1);
	while (fgets(line, sizeof line, f)) {
		if (*n == cap)
			q = realloc(q, (cap *= 2) * sizeof *q);
		if (sscanf(line, "%d,%31[^,],%ld,%ld", &q[*n].version, q[*n].tid, &q[*n].organs, &q[*n].quota) == 4)
			(*n)++;
	}
	fclose(f);
	return q;
}

/* (g) and the store-backed lazy mode's memory: open the stored history,
 * read one township's children at the last version; prints the time and
 * the RSS growth after opening and after the read. */
static int store_open(const char *path, const char *tid)
{
	townorg_repo *repo;
	const townorg_version *v;
	const townorg_entity *const *kids;
	size_t nk;
	double rss0 = rss_mb(), t0 = now();
	CHECK(townorg_repo_open(&repo, path, TOWNORG_OPEN_READONLY), "open");
	double rss1 = rss_mb();
	CHECK(townorg_repo_lookup(&v, repo, "main"), "lookup");
	CHECK(townorg_version_children(&kids, &nk, v, tid), "read township");
	double t = now() - t0, rss2 = rss_mb();
	if (!nk) {
		fprintf(stderr, "bench_townorg: township %s has no children in the store\n", tid);
		return 1;
	}
	townorg_repo_free(repo);
	printf("%.4f %.1f %.1f\n", t, rss1 - rss0, rss2 - rss0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_townorg WORKLOAD_DIR [STORE_PATH]\n");
		return 2;
	}
	if (argc == 4 && !strcmp(argv[1], "--store-open"))
		return store_open(argv[2], argv[3]);
	const char *wl = argv[1];
	const char *store_path = argc > 2 ? argv[2] : NULL;
	townorg_repo *repo;
	townorg_tables_report *rep;
	townorg_tables_import_options opts = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	opts.recorded_at = "2024-01-01T00:00:00Z";

	/* (a) + (e) */
	double rss0 = rss_mb();
	CHECK(townorg_repo_new(&repo), "repo");
	double t0 = now();
	CHECK(townorg_tables_import(&rep, repo, wl, &opts), "import");
	double build = now() - t0;
	double rss1 = rss_mb();
	int nversions = (int)townorg_tables_report_version_count(rep);
	/* entity values made: every base row and every change row */
	size_t values = townorg_tables_report_rows(rep, TOWNORG_TABLES_BASE) +
			townorg_tables_report_rows(rep, TOWNORG_TABLES_CHANGES);
	townorg_tables_report_free(rep);
	const townorg_version *v0 = tagged(repo, 0), *v1 = tagged(repo, 1), *vl = tagged(repo, nversions - 1);

	/* (b) entity diffs, as the peers compute them (the aggregates and
	 * events our diff can add are timed separately: diff_totals_s) */
	townorg_diff *d;
	townorg_diff_options dopt = TOWNORG_DIFF_OPTIONS_INIT;
	dopt.flags = TOWNORG_DIFF_SKIP_EVENTS | TOWNORG_DIFF_SKIP_TOTALS;
	struct summary s1, s2;
	t0 = now();
	CHECK(townorg_diff_versions(&d, v0, v1, &dopt), "diff v0->v1");
	double diff_adj = now() - t0; /* the peers, too, check their answer untimed */
	summarize(d, &s1, NULL);
	townorg_diff_free(d);
	t0 = now();
	CHECK(townorg_diff_versions(&d, v0, vl, &dopt), "diff v0->last");
	double diff_full = now() - t0;
	summarize(d, &s2, NULL);
	townorg_diff_free(d);
	verify_diff(wl, 0, 1, &s1);
	verify_diff(wl, 0, nversions - 1, &s2);
	t0 = now();
	CHECK(townorg_diff_versions(&d, v0, v1, NULL), "diff v0->v1 with totals and events");
	double diff_totals = now() - t0;
	townorg_diff_free(d);

	/* (c) */
	size_t nq;
	struct query *q = read_queries(wl, &nq);
	t0 = now();
	long bad = 0;
	for (size_t i = 0; i < nq; i++) {
		const townorg_version *v = tagged(repo, q[i].version);
		const townorg_entity *t;
		const townorg_entity *const *kids;
		size_t nk;
		CHECK(townorg_version_get(&t, v, q[i].tid), "as-of township");
		CHECK(townorg_version_children(&kids, &nk, v, q[i].tid), "as-of children");
		long organs = 0, quota = 0;
		for (size_t k = 0; k < nk; k++)
			if (townorg_kind_is_organ(townorg_entity_kind(kids[k]))) {
				organs++;
				quota += (long)townorg_entity_quota_total(kids[k]);
			}
		bad += organs != q[i].organs || quota != q[i].quota;
	}
	double asof = now() - t0;
	if (bad) {
		fprintf(stderr, "bench_townorg: %ld as-of answers WRONG\n", bad);
		return 1;
	}

	/* (d) */
	townorg_policy *pol;
	const char *pj = "{\"format\":\"townorg-policy/1\",\"rules\":{\"quota.no-increase-window\":"
			 "{\"enabled\":true,\"params\":{\"mode\":\"ceiling\",\"baseline\":\"v0\",\"years\":5,"
			 "\"totals\":[[\"admin\",\"inst\"]],\"scope\":\"county\"}}}}";
	CHECK(townorg_policy_new(&pol), "policy");
	for (size_t i = 0; i < townorg_rule_builtin_count(); i++) {
		const char *id;
		townorg_rule_builtin_at(i, &id, NULL, NULL);
		townorg_policy_set_enabled(pol, id, 0);
	}
	CHECK(townorg_policy_apply_json(pol, pj, strlen(pj), "bench"), "cap policy");
	townorg_validation *res;
	t0 = now();
	CHECK(townorg_validate(&res, vl, pol), "cap check");
	double cap = now() - t0;
	/* first violating version per county */
	size_t nf = townorg_validation_count(res);
	char (*cid)[32] = calloc(nf + 1, sizeof *cid);
	int *first = calloc(nf + 1, sizeof *first);
	size_t nc = 0;
	for (size_t i = 0; i < nf; i++) {
		const townorg_finding *f = townorg_validation_at(res, i);
		if (strcmp(f->rule, "quota.no-increase-window") || f->waived || !f->entity)
			continue;
		int lab = label_of(repo, nversions, f->version_id);
		size_t j = 0;
		while (j < nc && strcmp(cid[j], f->entity))
			j++;
		if (j == nc) {
			snprintf(cid[nc], sizeof cid[nc], "%s", f->entity);
			first[nc++] = lab;
		} else if (lab < first[j])
			first[j] = lab;
	}
	FILE *ef = open_wl(wl, "expected_cap_violations.csv");
	char line[256];
	size_t expected = 0, matched = 0;
	if (!fgets(line, sizeof line, ef))
		return 1;
	while (fgets(line, sizeof line, ef)) {
		char c[32];
		int fv;
		if (sscanf(line, "%31[^,],%d", c, &fv) != 2)
			continue;
		expected++;
		for (size_t j = 0; j < nc; j++)
			if (!strcmp(cid[j], c) && first[j] == fv)
				matched++;
	}
	fclose(ef);
	if (expected != nc || matched != expected) {
		fprintf(stderr, "bench_townorg: cap check WRONG: %zu counties flagged, %zu expected, %zu matched\n", nc,
			expected, matched);
		return 1;
	}
	townorg_validation_free(res);
	townorg_policy_free(pol);
	free(cid);
	free(first);

	/* (h) two national versions that differ in 100 entities */
	townorg_txn *tx;
	CHECK(townorg_repo_branch_create(repo, "bench-100", vl), "branch");
	CHECK(townorg_txn_new_on_branch(&tx, repo, "bench-100"), "txn");
	{
		townorg_iterator *it;
		const townorg_entity *e;
		int changed = 0;
		CHECK(townorg_iterator_new(&it, vl), "iter");
		while (changed < 100 && townorg_iterator_next(&e, it) == 0) {
			if (!townorg_kind_is_organ(townorg_entity_kind(e)))
				continue;
			townorg_entity_builder *b;
			int64_t st = 0;
			CHECK(townorg_entity_builder_from(&b, e), "builder");
			townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &st);
			CHECK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, st + 1), "set");
			CHECK(townorg_txn_put_builder(tx, b), "put");
			townorg_entity_builder_free(b);
			changed++;
		}
		townorg_iterator_free(it);
	}
	const townorg_version *v100;
	CHECK(townorg_txn_commit(&v100, tx), "commit 100");
	townorg_txn_free(tx);
	t0 = now();
	CHECK(townorg_diff_versions(&d, vl, v100, &dopt), "diff 100");
	double diff100 = now() - t0;
	if (townorg_diff_num_deltas(d) != 100) {
		fprintf(stderr, "bench_townorg: 100-entity diff WRONG: %zu deltas\n", townorg_diff_num_deltas(d));
		return 1;
	}
	townorg_diff_free(d);
	townorg_repo_free(repo);

	/* (f), (g): the same import into a store file, then open and read */
	double build_store = -1, open_read = -1, rss_open = -1, rss_read = -1;
	long long db_bytes = -1;
	if (store_path) {
		unlink(store_path);
		CHECK(townorg_repo_open(&repo, store_path, TOWNORG_OPEN_CREATE), "store");
		t0 = now();
		CHECK(townorg_tables_import(NULL, repo, wl, &opts), "store import");
		build_store = now() - t0;
		townorg_repo_free(repo);
		FILE *sf = fopen(store_path, "rb");
		if (sf) {
			fseek(sf, 0, SEEK_END);
			db_bytes = ftell(sf);
			fclose(sf);
		}
		/* in a fresh process, so that its RSS is the lazy mode's alone */
		char cmd[8192];
		snprintf(cmd, sizeof cmd, "'%s' --store-open '%s' '%s'", argv[0], store_path, q[0].tid);
		FILE *p = popen(cmd, "r");
		if (!p || fscanf(p, "%lf %lf %lf", &open_read, &rss_open, &rss_read) != 3 || pclose(p) != 0) {
			fprintf(stderr, "bench_townorg: %s failed\n", cmd);
			return 1;
		}
	}
	free(q);

	printf("{\"peer\": \"townorg\", \"build_total_s\": %.4f, \"build_store_s\": %.4f, "
	       "\"diff_adjacent_s\": %.5f, \"diff_adjacent\": {\"added\": %zu, \"removed\": %zu, \"changed\": %zu, "
	       "\"verified\": true}, \"diff_full_s\": %.5f, \"diff_full\": {\"added\": %zu, \"removed\": %zu, "
	       "\"changed\": %zu, \"verified\": true}, \"asof_s\": %.5f, \"cap_check_s\": %.5f, \"diff_100_s\": %.6f, \"diff_totals_s\": %.5f, "
	       "\"rss_all_versions_mb\": %.1f, \"entity_values\": %zu, \"bytes_per_entity_value\": %.1f, \"db_bytes\": %lld, "
	       "\"open_read_s\": %.4f, \"rss_store_open_mb\": %.1f, \"rss_store_read_mb\": %.1f, \"versions\": %d}\n",
	       build, build_store, diff_adj, s1.added, s1.removed, s1.changed, diff_full, s2.added, s2.removed, s2.changed,
	       asof, cap, diff100, diff_totals, rss1 - rss0, values, (rss1 - rss0) * 1048576.0 / (double)values,
	       db_bytes, open_read, rss_open, rss_read, nversions);
	return 0;
}

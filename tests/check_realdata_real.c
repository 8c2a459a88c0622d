/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_realdata_real.c — the real NBS editions (2016–2023) with every MCA
 * change table, from $SHARED_DIR/data/real (default: ../shared beside the
 * source tree).  Prints, per table year, how many MCA rows are recorded as
 * events, and requires at least 95 % of the 2016–2023 rows; every row left
 * unlinked has a reason.  Imports the editions one by one as well and
 * requires the very same versions.
 *
 * Skips visibly (TAP "1..0 # SKIP", the harness's form of exit 77; exit
 * status 77 when run outside the harness, i.e. without
 * CK_TAP_LOG_FILE_NAME) when the data is absent, when TOWNORG_SLOW_TESTS=0,
 * and under valgrind (about six minutes there against
 * 3 s natively; it runs the same code as the fixtures of check_realdata,
 * which valgrind does check). */
#include <config.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include "testutil.h"
/* make check-valgrind sets TOWNORG_VALGRIND: the national import is skipped
 * there, visibly (it runs the fixtures' code, for minutes). */
#define RUNNING_ON_VALGRIND (getenv("TOWNORG_VALGRIND") != NULL)

static char nbs[512], mca[512];
static townorg_repo *repo;

static const townorg_version *tag_in(townorg_repo *r, const char *name)
{
	const townorg_version *v;
	OK(townorg_repo_tag_lookup(&v, r, name));
	return v;
}

static const townorg_entity *get(const townorg_version *v, const char *id)
{
	const townorg_entity *e = NULL;
	townorg_version_get(&e, v, id);
	return e;
}

static const townorg_event *find_event(const townorg_version *v, const char *from, const char *to)
{
	for (size_t i = 0; i < townorg_version_event_count(v); i++) {
		const townorg_event *e = townorg_version_event(v, i);
		int f = !from, t = !to;
		for (size_t k = 0; k < e->from_count; k++)
			f |= !strcmp(e->from_ids[k], from ? from : "");
		for (size_t k = 0; k < e->to_count; k++)
			t |= !strcmp(e->to_ids[k], to ? to : "");
		if (f && t)
			return e;
	}
	return NULL;
}

static size_t data_rows(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c, last = '\n';
	ck_assert_ptr_nonnull(f);
	while ((c = fgetc(f)) != EOF) {
		n += c == '\n';
		last = c;
	}
	fclose(f);
	return n + (last != '\n') - 1; /* lines less the header */
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(national)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_realdata_report *rep = NULL;
	char path[600];
	o.mca_source = mca;
	OK(townorg_repo_new(&repo));
	double t0 = now();
	OK(townorg_nbs_import(&rep, repo, nbs, &o));
	printf("# imported 8 NBS editions and %zu MCA rows in %.2f s\n", townorg_realdata_report_mca_rows(rep),
	       now() - t0);
	ck_assert_uint_eq(townorg_realdata_report_edition_count(rep), 8);
	size_t events = 0;
	for (size_t i = 0; i < 8; i++) {
		const townorg_realdata_edition *e = townorg_realdata_report_edition(rep, i);
		snprintf(path, sizeof path, "%s/%d/streets.csv", nbs, 2016 + (int)i);
		size_t rows = data_rows(path);
		const townorg_version *v = tag_in(repo, e->tag);
		size_t n = townorg_version_kind_count(v, TOWNORG_KIND_SUBDISTRICT) +
			   townorg_version_kind_count(v, TOWNORG_KIND_TOWN) +
			   townorg_version_kind_count(v, TOWNORG_KIND_TOWNSHIP) +
			   townorg_version_kind_count(v, TOWNORG_KIND_TOWNSHIP_LIKE);
		ck_assert_uint_eq(n, rows);
		ck_assert_uint_eq(e->townships, rows);
		ck_assert_uint_eq(townorg_version_event_count(v), e->events);
		events += e->events;
		printf("# %s (%s): %zu townships, +%zu -%zu, %zu renamed, %zu reclassified, %zu events\n", e->tag,
		       e->effective_date, rows, e->added, e->removed, e->renamed, e->reclassified, e->events);
	}
	ck_assert_uint_eq(townorg_realdata_report_edition(rep, 0)->townships, 42951);
	ck_assert_uint_eq(townorg_realdata_report_edition(rep, 7)->townships, 41352);
	size_t rows = townorg_realdata_report_mca_rows(rep), matched = townorg_realdata_report_mca_matched(rep);
	ck_assert_uint_eq(rows, 7644); /* 7,643 numbered rows and one without a 序号 (2014, line 292) */
	ck_assert_uint_eq(matched, events);
	ck_assert_uint_eq(townorg_realdata_report_attached_count(rep), matched);
	ck_assert_uint_eq(matched + townorg_realdata_report_unmatched_count(rep), rows);

	/* linked per table year; >= 95 % of the 2016-2023 rows */
	size_t r16 = 0, l16 = 0;
	ck_assert_uint_eq(townorg_realdata_report_table_count(rep), 10);
	for (size_t i = 0; i < townorg_realdata_report_table_count(rep); i++) {
		const townorg_realdata_table *tb = townorg_realdata_report_table(rep, i);
		printf("# MCA %d: %zu of %zu rows linked (%.1f %%), %zu as history before the first edition\n", tb->year,
		       tb->linked, tb->rows, 100.0 * tb->linked / tb->rows, tb->history);
		if (tb->year >= 2016) {
			r16 += tb->rows;
			l16 += tb->linked;
		}
	}
	printf("# MCA 2016-2023: %zu of %zu rows linked (%.1f %%); all tables: %zu of %zu\n", l16, r16,
	       100.0 * l16 / r16, matched, rows);
	ck_assert_uint_eq(r16, 5934);
	ck_assert_msg(l16 * 100 >= r16 * 95, "only %zu of %zu 2016-2023 rows linked", l16, r16);

	/* every unlinked row has a reason; count them by reason */
	static const char *codes[] = { "unusable",       "too-old-edition", "after-last-edition",
				       "not-in-nbs",     "new-not-in-nbs",  "old-not-in-nbs",
				       "old-never-gone", "new-elsewhere",   "no-consecutive-pair" };
	size_t by[9] = { 0 };
	for (size_t i = 0; i < townorg_realdata_report_unmatched_count(rep); i++) {
		const townorg_realdata_unmatched *u = townorg_realdata_report_unmatched(rep, i);
		size_t k = 0;
		while (k < 9 && strcmp(codes[k], u->why_code))
			k++;
		ck_assert_msg(k < 9, "%s:%zu: reason %s", u->file, u->line, u->why_code);
		ck_assert_ptr_nonnull(u->why);
		by[k]++;
		/* only the 2023 table reaches past the last cut-off (2023-06-30) */
		if (!strcmp(u->why_code, "after-last-edition"))
			ck_assert_int_eq(u->table_year, 2023);
	}
	for (size_t k = 0; k < 9; k++)
		printf("# not linked, %s: %zu\n", codes[k], by[k]);
	ck_assert_uint_eq(by[0], 8); /* the 8 rows whose 现区划代码 is "并入…" text */

	/* history before the first edition: 2014 柯村乡 → 柯村镇, 民地函〔2014〕506号 */
	const townorg_version *v16 = tag_in(repo, "nbs-2016");
	const townorg_event *e = find_event(v16, NULL, "341023104");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->date, "2014");
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_uint_eq(e->document_count, 1);
	ck_assert_str_eq(e->documents[0], "民地函〔2014〕506号");

	/* 2019 table: 山西 140404200 郝家庄乡 撤乡设镇 → 140404106 郝家庄镇, 晋政函〔2019〕123号.
	 * NBS still lists the 乡 in its 2019 edition (cut-off 2019-10-31); the
	 * 镇 appears in 2020. */
	const townorg_version *v19 = tag_in(repo, "nbs-2019"), *v20 = tag_in(repo, "nbs-2020");
	ck_assert_ptr_nonnull(get(v19, "140404200"));
	ck_assert_ptr_null(find_event(v19, "140404200", NULL));
	e = find_event(v20, "140404200", "140404106");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_str_eq(e->wording, "撤乡设镇");
	ck_assert_str_eq(e->date, "2019");
	ck_assert_uint_eq(e->document_count, 1);
	ck_assert_str_eq(e->documents[0], "晋政函〔2019〕123号");
	ck_assert_int_eq(townorg_entity_kind(get(v20, "140404106")), TOWNORG_KIND_TOWN);
	ck_assert_str_eq(townorg_entity_name(get(v20, "140404106")), "郝家庄镇");

	/* a code that differs between MCA and NBS, found by name in the
	 * prefecture: 2022 岗李乡 410223204 → 410184205 (MCA); NBS files it as
	 * 410173204 under 郑州航空港经济综合实验区 */
	const townorg_version *v22 = tag_in(repo, "nbs-2022");
	e = find_event(v22, "410223204", "410173204");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_MOVE);

	/* 省直辖县级: 仙桃市 sits directly under 湖北省; 东莞市's towns under the
	 * county-level 441900 */
	ck_assert_str_eq(townorg_entity_parent_id(get(v20, "429004")), "42");
	ck_assert_ptr_null(get(v20, "4290"));
	ck_assert_str_eq(townorg_entity_parent_id(get(v20, "441900003")), "441900");
	ck_assert_str_eq(townorg_entity_parent_id(get(v20, "110101")), "11");

	/* one by one: the same versions, each row attached once */
	townorg_repo *other;
	OK(townorg_repo_new(&other));
	size_t attached = 0;
	t0 = now();
	for (int y = 2016; y <= 2023; y++) {
		townorg_realdata_report *one = NULL;
		snprintf(path, sizeof path, "%s/%d", nbs, y);
		OK(townorg_nbs_import(&one, other, path, &o));
		attached += townorg_realdata_report_attached_count(one);
		townorg_realdata_report_free(one);
	}
	printf("# one by one: %zu rows attached in %.2f s\n", attached, now() - t0);
	ck_assert_uint_eq(attached, matched);
	for (size_t i = 0; i < 8; i++) {
		const townorg_realdata_edition *ed = townorg_realdata_report_edition(rep, i);
		const townorg_version *b = tag_in(other, ed->tag);
		ck_assert_str_eq(townorg_version_id(b), ed->version_id);
		ck_assert_uint_eq(townorg_version_event_count(b), ed->events);
	}
	townorg_repo_free(other);
	townorg_realdata_report_free(rep);
	townorg_repo_free(repo);
}
END_TEST

/* A visible skip: TAP's "1..0 # SKIP" under the test harness (which
 * reads TAP), exit status 77 otherwise. */
static int skip(const char *why, const char *detail)
{
	if (getenv("CK_TAP_LOG_FILE_NAME")) {
		printf("1..0 # SKIP %s%s\n", why, detail ? detail : "");
		return 0;
	}
	printf("SKIP: %s%s\n", why, detail ? detail : "");
	return 77;
}

int main(void)
{
	const char *shared = getenv("SHARED_DIR"), *slow = getenv("TOWNORG_SLOW_TESTS");
	struct stat st;
	snprintf(nbs, sizeof nbs, "%s/data/real/nbs-townships", shared ? shared : TEST_SRCDIR "/../shared");
	snprintf(mca, sizeof mca, "%s/data/real/mca-changes/sub-county", shared ? shared : TEST_SRCDIR "/../shared");
	if (slow && !strcmp(slow, "0"))
		return skip("real data test (TOWNORG_SLOW_TESTS=0)", NULL);
	if (RUNNING_ON_VALGRIND)
		return skip("real data test under valgrind (the fixtures of check_realdata run the same code)", NULL);
	if (stat(nbs, &st) != 0 || stat(mca, &st) != 0)
		return skip("real data not found (set SHARED_DIR): ", nbs);
	Suite *s = suite_create("realdata-real");
	TCase *tc = tcase_create("national");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, national);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_tables.c — CSV table import and export: the bench sample's answers
 * (as-of queries, expected diffs), a generated workload, round trips,
 * encodings, onto and tags, cancelling, and every kind of bad input refused
 * with file:line and the repository left unchanged. */
#include <config.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "core/repo_internal.h"
#include "io/tables_internal.h"
#include "core/entity_internal.h"

#define DATA TEST_SRCDIR "/tests/data/tables/"
#define RECORDED "2024-01-01T00:00:00Z"

static townorg_repo *repo;

static void setup(void) { ck_assert_int_eq(townorg_repo_new(&repo), 0); }
static void teardown(void) { townorg_repo_free(repo); }

static const char *shared_dir(void)
{
	const char *s = getenv("SHARED_DIR");
	return s && *s ? s : TEST_SRCDIR "/../shared";
}

/* The bench kit's sample workload, copied under tests/data/bench-sample so
 * that every tree (an unpacked tarball too) runs the tests that need it. */
static bool sample_dir(char *buf, size_t n)
{
	snprintf(buf, n, "%s/tests/data/bench-sample", TEST_SRCDIR);
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/versions.csv", buf);
	ck_assert_msg(access(probe, R_OK) == 0, "the committed bench sample is missing: %s", probe);
	return true;
}

static townorg_tables_import_options opts_fixed(void)
{
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	o.recorded_at = RECORDED;
	o.author = "县编办";
	return o;
}

static townorg_tables_report *import_ok(townorg_repo *r, const char *dir, const townorg_tables_import_options *o)
{
	townorg_tables_report *rep;
	OK(townorg_tables_import(&rep, r, dir, o));
	ck_assert_ptr_nonnull(rep);
	return rep;
}

static const townorg_version *tag(townorg_repo *r, const char *name)
{
	const townorg_version *v;
	OK(townorg_repo_tag_lookup(&v, r, name));
	return v;
}

static void make_tmpdir(char *buf)
{
	strcpy(buf, "/tmp/check_tables.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			remove_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);
	ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ", a, b);
	free(x);
	free(y);
}

/* ---------------------------------------------------------------- snapshot */

/* What "the repository is unchanged" means: versions, branch heads, tags. */
typedef struct {
	size_t n_versions, n_branches, n_tags;
	const townorg_version *heads[16];
	const townorg_version *tags[16];
} snapshot;

static snapshot snap(townorg_repo *r)
{
	snapshot s = { townorg_repo_version_count(r), townorg_repo_branch_count(r), townorg_repo_tag_count(r), { 0 },
		       { 0 } };
	for (size_t i = 0; i < s.n_branches && i < 16; i++)
		OK(townorg_repo_branch_head(&s.heads[i], r, townorg_repo_branch_name(r, i)));
	for (size_t i = 0; i < s.n_tags && i < 16; i++)
		townorg_repo_tag_name(r, i, &s.tags[i]);
	return s;
}

static void same_snap(const snapshot *a, const snapshot *b)
{
	ck_assert_uint_eq(a->n_versions, b->n_versions);
	ck_assert_uint_eq(a->n_branches, b->n_branches);
	ck_assert_uint_eq(a->n_tags, b->n_tags);
	ck_assert(!memcmp(a->heads, b->heads, sizeof a->heads));
	ck_assert(!memcmp(a->tags, b->tags, sizeof a->tags));
}

/* ---------------------------------------------------------------- the mini set */

/* A change of numbers only is kept as a twin of the value it replaces (its
 * strings stay there); a rename is a whole value.  Both read the same. */
START_TEST(number_changes_share_strings)
{
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *rep = import_ok(repo, DATA "mini", &o);
	const townorg_version *v0 = townorg_tables_report_version(rep, 0, NULL);
	const townorg_version *v2 = townorg_tables_report_version(rep, 2, NULL);
	const townorg_entity *a, *b, *r;
	OK(townorg_version_get(&a, v0, "341023-001-03"));
	OK(townorg_version_get(&b, v2, "341023-001-03"));
	ck_assert_ptr_ne(a, b);
	int64_t q;
	OK(townorg_entity_int(b, TOWNORG_FIELD_INST_QUOTA, &q));
	ck_assert_int_eq(q, 18);
	ck_assert_str_eq(townorg_entity_name(b), "碧阳镇为民服务中心");
	ck_assert(b->shares);
	ck_assert_ptr_eq(townorg_entity_name(b), townorg_entity_name(a));
	OK(townorg_version_get(&r, townorg_tables_report_version(rep, 1, NULL), "341023-002"));
	ck_assert(!r->shares);
	ck_assert_str_eq(townorg_entity_name(r), "宏潭镇");
	townorg_tables_report_free(rep);
}
END_TEST

START_TEST(mini_import)
{
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *rep = import_ok(repo, DATA "mini", &o);
	ck_assert_uint_eq(townorg_tables_report_version_count(rep), 3);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_VERSIONS), 3);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_BASE), 8);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_CHANGES), 5);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_EVENTS), 5);
	ck_assert_str_eq(townorg_tables_report_encoding(rep, TOWNORG_TABLES_BASE), "UTF-8");
	ck_assert_ptr_null(townorg_tables_report_encoding(rep, (townorg_tables_file)7));
	ck_assert_uint_eq(townorg_tables_report_note_count(rep), 0);
	const char *label;
	const townorg_version *v0 = townorg_tables_report_version(rep, 0, &label);
	ck_assert_str_eq(label, "0");
	const townorg_version *v1 = townorg_tables_report_version(rep, 1, NULL);
	const townorg_version *v2 = townorg_tables_report_version(rep, 2, &label);
	ck_assert_str_eq(label, "2");
	ck_assert_ptr_null(townorg_tables_report_version(rep, 3, NULL));
	ck_assert_ptr_eq(tag(repo, "v0"), v0);
	ck_assert_ptr_eq(tag(repo, "v1"), v1);
	ck_assert_ptr_eq(tag(repo, "v2"), v2);
	const townorg_version *head;
	OK(townorg_repo_branch_head(&head, repo, "main"));
	ck_assert_ptr_eq(head, v2);
	ck_assert_uint_eq(townorg_version_parent_count(v0), 0);
	ck_assert_ptr_eq(townorg_version_parent(v2, 0), v1);
	ck_assert_ptr_eq(townorg_version_parent(v1, 0), v0);

	/* metadata */
	ck_assert_str_eq(townorg_version_meta(v0)->doc_number, "黟政〔2008〕12号");
	ck_assert_str_eq(townorg_version_meta(v1)->doc_number, "黟编〔2010〕3号, 附件1");
	ck_assert_ptr_null(townorg_version_meta(v2)->doc_number);
	ck_assert_str_eq(townorg_version_meta(v1)->effective_date, "2010-01-01");
	ck_assert_str_eq(townorg_version_meta(v1)->author, "县编办");
	ck_assert_str_eq(townorg_version_meta(v1)->recorded_at, RECORDED);

	/* entities: quoted names, pools, fixed-point area, unset cells */
	const townorg_entity *e;
	int64_t q;
	ck_assert_uint_eq(townorg_version_entity_count(v0), 8);
	OK(townorg_version_get(&e, v0, "341023-001-02"));
	ck_assert_str_eq(townorg_entity_name(e), "碧阳镇经济发展办公室 \"财政所\"");
	OK(townorg_version_get(&e, v0, "341023-002-01"));
	ck_assert_str_eq(townorg_entity_name(e), "宏潭乡党政办公室,综治办");
	OK(townorg_version_get(&e, v0, "341023"));
	ck_assert_ptr_null(townorg_entity_parent_id(e));
	OK(townorg_entity_quota(e, "admin", &q));
	ck_assert_int_eq(q, 224);
	OK(townorg_entity_quota(e, "inst", &q));
	ck_assert_int_eq(q, 169);
	OK(townorg_version_headroom(&q, v0, "341023", NULL));
	ck_assert_int_eq(q, 224 + 169 - (10 + 8 + 20 + 7));
	OK(townorg_version_get(&e, v0, "341023-001"));
	OK(townorg_entity_int(e, TOWNORG_FIELD_AREA, &q));
	ck_assert_int_eq(q, 2125);
	ck_assert_int_eq(townorg_entity_class(e), TOWNORG_CLASS_LARGE);
	ck_assert_int_eq(townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &q), TOWNORG_ENOTFOUND);
	OK(townorg_version_get(&e, v0, "341023-001-04"));
	ck_assert_uint_eq(townorg_entity_quota_count(e), 0);

	/* changes */
	ck_assert_int_eq(townorg_version_get(&e, v1, "341023-001-04"), TOWNORG_ENOTFOUND);
	OK(townorg_version_get(&e, v1, "341023-002"));
	ck_assert_int_eq(townorg_entity_kind(e), TOWNORG_KIND_TOWN);
	OK(townorg_version_get(&e, v2, "341023-001-05"));
	ck_assert_int_eq(townorg_entity_quota_total(e), 11);
	ck_assert_uint_eq(townorg_version_entity_count(v2), 8);

	/* events: the township's rename changes its kind, so it is a reclassify */
	ck_assert_uint_eq(townorg_version_event_count(v0), 0);
	ck_assert_uint_eq(townorg_version_event_count(v1), 3);
	ck_assert_int_eq(townorg_version_event(v1, 0)->kind, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_int_eq(townorg_version_event(v1, 1)->kind, TOWNORG_EVENT_RENAME);
	ck_assert_int_eq(townorg_version_event(v1, 2)->kind, TOWNORG_EVENT_ABOLISH);
	ck_assert_uint_eq(townorg_version_event(v1, 2)->to_count, 0);
	ck_assert_str_eq(townorg_version_event(v1, 2)->from_ids[0], "341023-001-04");
	const townorg_event *ev = townorg_version_event(v2, 1);
	ck_assert_int_eq(ev->kind, TOWNORG_EVENT_TRANSFER_STAFF);
	ck_assert_str_eq(ev->to_ids[0], "341023-001-05");
	ck_assert_uint_eq(townorg_version_event(v2, 0)->from_count, 0);
	townorg_tables_report_free(rep);
}
END_TEST

/* Entities are laid out by the importer itself for speed: each must be
 * exactly what the public builder makes of the same content. */
static void check_builder_hashes(const townorg_version *v)
{
	townorg_iterator *it;
	const townorg_entity *e;
	size_t n = 0;
	OK(townorg_iterator_new(&it, v));
	while (townorg_iterator_next(&e, it) == 0) {
		townorg_entity_builder *b;
		townorg_entity *copy;
		OK(townorg_entity_builder_from(&b, e));
		OK(townorg_entity_builder_build(&copy, b));
		ck_assert_msg(!memcmp(townorg_entity_hash(copy), townorg_entity_hash(e), 32), "entity %s hashes differ",
			      townorg_entity_id(e));
		townorg_entity_free(copy);
		townorg_entity_builder_free(b);
		n++;
	}
	townorg_iterator_free(it);
	ck_assert_uint_eq(n, townorg_version_entity_count(v));
}

START_TEST(entities_match_builder)
{
	char dir[4096];
	bool have_sample = sample_dir(dir, sizeof dir);
	townorg_tables_report *rep = import_ok(repo, DATA "mini", NULL);
	for (size_t i = 0; i < townorg_tables_report_version_count(rep); i++)
		check_builder_hashes(townorg_tables_report_version(rep, i, NULL));
	townorg_tables_report_free(rep);
	if (!have_sample)
		return;
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	o.branch = "sample";
	o.tag_prefix = "s";
	rep = import_ok(repo, dir, &o);
	for (size_t i = 0; i < townorg_tables_report_version_count(rep); i++)
		check_builder_hashes(townorg_tables_report_version(rep, i, NULL));
	townorg_tables_report_free(rep);
}
END_TEST

/* Variants of mini/ in other encodings and layouts give the same states. */
static void same_states_as_mini(const char *variant, const char *encoding, const char *note_part)
{
	townorg_repo *a, *b;
	OK(townorg_repo_new(&a));
	OK(townorg_repo_new(&b));
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *ra = import_ok(a, DATA "mini", &o);
	char dir[4096];
	snprintf(dir, sizeof dir, DATA "%s", variant);
	townorg_tables_report *rb = import_ok(b, dir, &o);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(townorg_version_state_hash(townorg_tables_report_version(ra, i, NULL)),
				 townorg_version_state_hash(townorg_tables_report_version(rb, i, NULL)));
		ck_assert_str_eq(townorg_version_id(townorg_tables_report_version(ra, i, NULL)),
				 townorg_version_id(townorg_tables_report_version(rb, i, NULL)));
	}
	ck_assert_str_eq(townorg_tables_report_encoding(rb, TOWNORG_TABLES_BASE), encoding);
	bool found = false;
	for (size_t i = 0; i < townorg_tables_report_note_count(rb); i++)
		found |= strstr(townorg_tables_report_note(rb, i), note_part) != NULL;
	ck_assert_msg(found, "no note mentions '%s'", note_part);
	ck_assert_ptr_null(townorg_tables_report_note(rb, 99));
	townorg_tables_report_free(ra);
	townorg_tables_report_free(rb);
	townorg_repo_free(a);
	townorg_repo_free(b);
}

START_TEST(gb18030_converted)
{
	same_states_as_mini("gb18030", "GB18030", "base.csv: converted from GB18030");
}
END_TEST

START_TEST(bom_crlf_extra_column)
{
	same_states_as_mini("bom-crlf", "UTF-8 with BOM", "column '备注'");
}
END_TEST

/* ---------------------------------------------------------------- bench answers */

/* queries.csv: organs of a township at a version and their quota total. */
static void check_queries(townorg_repo *r, const char *dir, const char *prefix)
{
	char path[4096], line[512];
	snprintf(path, sizeof path, "%s/queries.csv", dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		char ver[32], tid[128], tname[64];
		long organs, quota;
		ck_assert_int_eq(sscanf(line, "%31[^,],%127[^,],%ld,%ld", ver, tid, &organs, &quota), 4);
		snprintf(tname, sizeof tname, "%s%s", prefix, ver);
		const townorg_version *v = tag(r, tname);
		const townorg_entity *const *kids;
		size_t nk, count = 0;
		int64_t sum = 0, total;
		OK(townorg_version_children(&kids, &nk, v, tid));
		for (size_t i = 0; i < nk; i++)
			if (townorg_kind_is_organ(townorg_entity_kind(kids[i]))) {
				count++;
				sum += townorg_entity_quota_total(kids[i]);
			}
		ck_assert_msg((long)count == organs, "%s at %s: %zu organs, expected %ld", tid, ver, count, organs);
		ck_assert_int_eq(sum, quota);
		OK(townorg_version_quota_total(&total, v, tid, NULL));
		ck_assert_int_eq(total, quota);
		n++;
	}
	fclose(f);
	ck_assert_uint_gt(n, 0);
}

/* The bench's entity diff: the 11 non-id columns compared as canonical CSV
 * strings, and its SHA-256 digest (bench/README.md, peers/common.py). */
static const char *const diff_fields[11] = { "parent_id",  "kind",     "name",	       "class",
					     "population", "area_km2", "revenue_per_capita", "admin_quota",
					     "inst_quota", "leader_posts", "actual_staff" };
static const townorg_field diff_ints[7] = {
	TOWNORG_FIELD_POPULATION, TOWNORG_FIELD_AREA, TOWNORG_FIELD_REVENUE_PER_CAPITA, TOWNORG_FIELD_ADMIN_QUOTA,
	TOWNORG_FIELD_INST_QUOTA, TOWNORG_FIELD_LEADER_POSTS, TOWNORG_FIELD_ACTUAL_STAFF,
};

typedef struct {
	size_t added, removed, changed, fields, n, cap;
	char **lines;
} diffacc;

static void acc_line(diffacc *d, const char *tag_, const char *id, const char *field)
{
	char buf[512];
	if (field)
		snprintf(buf, sizeof buf, "%s\t%s\t%s\n", tag_, id, field);
	else
		snprintf(buf, sizeof buf, "%s\t%s\n", tag_, id);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->lines = realloc(d->lines, d->cap * sizeof *d->lines);
	}
	d->lines[d->n++] = strdup(buf);
}

static int opt_streq(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

static int on_leaf_diff(const void *a, const void *b, void *ctx)
{
	diffacc *d = ctx;
	const townorg_entity *x = a, *y = b;
	if (!x) {
		d->added++;
		acc_line(d, "A", townorg_entity_id(y), NULL);
		return 0;
	}
	if (!y) {
		d->removed++;
		acc_line(d, "R", townorg_entity_id(x), NULL);
		return 0;
	}
	bool any = false;
	bool differs[11] = { 0 };
	differs[0] = !opt_streq(townorg_entity_parent_id(x), townorg_entity_parent_id(y));
	differs[1] = townorg_entity_kind(x) != townorg_entity_kind(y);
	differs[2] = strcmp(townorg_entity_name(x), townorg_entity_name(y)) != 0;
	differs[3] = townorg_entity_class(x) != townorg_entity_class(y);
	for (int i = 0; i < 7; i++) {
		int64_t vx = 0, vy = 0;
		int hx = townorg_entity_int(x, diff_ints[i], &vx), hy = townorg_entity_int(y, diff_ints[i], &vy);
		differs[4 + i] = hx != hy || vx != vy;
	}
	for (int i = 0; i < 11; i++)
		if (differs[i]) {
			any = true;
			d->fields++;
			acc_line(d, "C", townorg_entity_id(x), diff_fields[i]);
		}
	d->changed += any;
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void check_diffs(townorg_repo *r, const char *dir, const char *prefix)
{
	char path[4096], line[512];
	snprintf(path, sizeof path, "%s/expected_diffs.csv", dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	size_t rows = 0;
	while (fgets(line, sizeof line, f)) {
		char fa[32], fb[32], sha[65], name[64];
		size_t added, removed, changed, fields;
		ck_assert_int_eq(sscanf(line, "%31[^,],%31[^,],%zu,%zu,%zu,%zu,%64s", fa, fb, &added, &removed, &changed,
					&fields, sha),
				 7);
		snprintf(name, sizeof name, "%s%s", prefix, fa);
		const townorg_version *a = tag(r, name);
		snprintf(name, sizeof name, "%s%s", prefix, fb);
		const townorg_version *b = tag(r, name);
		diffacc d = { 0 };
		ck_assert_int_eq(townorg__hamt_diff(&a->entities, &b->entities, &townorg__entity_trie, on_leaf_diff, &d), 0);
		ck_assert_uint_eq(d.added, added);
		ck_assert_uint_eq(d.removed, removed);
		ck_assert_uint_eq(d.changed, changed);
		ck_assert_uint_eq(d.fields, fields);
		qsort(d.lines, d.n, sizeof *d.lines, cmp_str);
		townorg__sha s;
		unsigned char h[32];
		char hex[65];
		townorg__sha_init(&s);
		for (size_t i = 0; i < d.n; i++) {
			townorg__sha_update(&s, d.lines[i], strlen(d.lines[i]));
			free(d.lines[i]);
		}
		free(d.lines);
		townorg__sha_final(&s, h);
		townorg__hex(hex, h, 32);
		ck_assert_str_eq(hex, sha);
		rows++;
	}
	fclose(f);
	ck_assert_uint_gt(rows, 0);
}

START_TEST(sample_answers)
{
	char dir[4096];
	if (!sample_dir(dir, sizeof dir))
		return;
	townorg_tables_report *rep = import_ok(repo, dir, NULL);
	ck_assert_uint_eq(townorg_tables_report_version_count(rep), 6);
	ck_assert_uint_eq(townorg_version_entity_count(tag(repo, "v5")), 450);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_BASE), 453);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_CHANGES), 73);
	ck_assert_uint_eq(townorg_tables_report_rows(rep, TOWNORG_TABLES_EVENTS), 34);
	check_queries(repo, dir, "v");
	check_diffs(repo, dir, "v");
	townorg_tables_report_free(rep);
}
END_TEST

/* Export, compare with the original files, and import again. */
static void round_trip(townorg_repo *r, const char *dir, const char *prefix, size_t n_versions)
{
	char out[64], path[4096], orig[4096], name[64];
	static const char *const files[] = { "versions.csv", "base.csv", "changes.csv", "events.csv" };
	make_tmpdir(out);
	snprintf(name, sizeof name, "%s%zu", prefix, n_versions - 1);
	const townorg_version *last = tag(r, name);
	OK(townorg_tables_export(r, NULL, last, out, NULL));
	/* the generator's own files come back byte for byte */
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", out, files[i]);
		snprintf(orig, sizeof orig, "%s/%s", dir, files[i]);
		same_file(path, orig);
	}
	townorg_repo *again;
	OK(townorg_repo_new(&again));
	townorg_tables_import_options o = opts_fixed();
	o.tag_prefix = prefix;
	townorg_tables_report *rep = import_ok(again, out, &o);
	ck_assert_uint_eq(townorg_tables_report_version_count(rep), n_versions);
	for (size_t i = 0; i < n_versions; i++) {
		snprintf(name, sizeof name, "%s%zu", prefix, i);
		const townorg_version *a = tag(r, name), *b = townorg_tables_report_version(rep, i, NULL);
		ck_assert_str_eq(townorg_version_state_hash(a), townorg_version_state_hash(b));
		ck_assert_str_eq(townorg_version_id(a), townorg_version_id(b));
	}
	townorg_tables_report_free(rep);
	townorg_repo_free(again);

	/* a stretch from the middle: its first version's state becomes base.csv */
	snprintf(name, sizeof name, "%s2", prefix);
	const townorg_version *from = tag(r, name);
	OK(townorg_tables_export(r, from, last, out, NULL));
	OK(townorg_repo_new(&again));
	rep = import_ok(again, out, &o);
	ck_assert_uint_eq(townorg_tables_report_version_count(rep), n_versions - 2);
	for (size_t i = 0; i + 2 < n_versions; i++) {
		snprintf(name, sizeof name, "%s%zu", prefix, i + 2);
		ck_assert_str_eq(townorg_version_state_hash(tag(r, name)),
				 townorg_version_state_hash(townorg_tables_report_version(rep, i, NULL)));
	}
	townorg_tables_report_free(rep);
	townorg_repo_free(again);
	remove_tree(out);
}

START_TEST(sample_round_trip)
{
	char dir[4096];
	if (!sample_dir(dir, sizeof dir))
		return;
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *rep = import_ok(repo, dir, &o);
	round_trip(repo, dir, "v", 6);
	townorg_tables_report_free(rep);
}
END_TEST

START_TEST(mini_round_trip)
{
	char out[64];
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *rep = import_ok(repo, DATA "mini", &o);
	make_tmpdir(out);
	OK(townorg_tables_export(repo, NULL, tag(repo, "v2"), out, NULL));
	townorg_repo *again;
	OK(townorg_repo_new(&again));
	townorg_tables_report *r2 = import_ok(again, out, &o);
	for (size_t i = 0; i < 3; i++) {
		const townorg_version *a = townorg_tables_report_version(rep, i, NULL);
		const townorg_version *b = townorg_tables_report_version(r2, i, NULL);
		ck_assert_str_eq(townorg_version_id(a), townorg_version_id(b));
	}
	/* the reclassify goes out as the tables' rename and comes back */
	ck_assert_int_eq(townorg_version_event(townorg_tables_report_version(r2, 1, NULL), 0)->kind,
			 TOWNORG_EVENT_RECLASSIFY);
	townorg_tables_report_free(r2);
	townorg_repo_free(again);
	townorg_tables_report_free(rep);
	remove_tree(out);
}
END_TEST

/* A workload made by the generator now (20 counties, 8 versions). */
START_TEST(generated_workload)
{
	char out[64], cmd[8192];
	make_tmpdir(out);
	snprintf(cmd, sizeof cmd, "python3 '%s/bench/gen_workload.py' --counties 20 --versions 8 --out '%s' >/dev/null 2>&1",
		 shared_dir(), out);
	/* Run only by tests/check-shared-data.sh, which skips visibly when the
	 * bench kit is absent: here its absence is a failure. */
	if (system(cmd) != 0) {
		remove_tree(out);
		ck_abort_msg("cannot run %s/bench/gen_workload.py", shared_dir());
	}
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *rep = import_ok(repo, out, &o);
	ck_assert_uint_eq(townorg_tables_report_version_count(rep), 8);
	check_queries(repo, out, "v");
	check_diffs(repo, out, "v");
	round_trip(repo, out, "v", 8);
	townorg_tables_report_free(rep);
	remove_tree(out);
}
END_TEST

/* ---------------------------------------------------------------- bad input */

static const struct {
	const char *dir;
	int code;
	const char *message; /* a part of the error message */
} bad_cases[] = {
	{ "bad-missing-file", TOWNORG_ENOTFOUND, "events.csv: no such file" },
	{ "bad-missing-column", TOWNORG_EPARSE, "base.csv:1: missing column 'admin_quota'" },
	{ "bad-unknown-kind", TOWNORG_EPARSE, "changes.csv:2: unknown kind 'twon'" },
	{ "bad-negative-quota", TOWNORG_EPARSE, "base.csv:4: admin_quota '-3' is negative" },
	{ "bad-nonnumeric-quota", TOWNORG_EPARSE, "base.csv:4: admin_quota 'ten' is not a whole number" },
	{ "bad-huge-quota", TOWNORG_EPARSE, "base.csv:4: admin_quota '99999999999999999999' is too large" },
	{ "bad-area", TOWNORG_EPARSE, "base.csv:3: area_km2 '212.55'" },
	{ "bad-duplicate-id", TOWNORG_EPARSE, "base.csv:8: duplicate id '341023-001-01' (first at line 4)" },
	{ "bad-duplicate-change", TOWNORG_EPARSE, "changes.csv:5: (version 1, id 341023-002-01) appears twice (first at line 3)" },
	{ "bad-dangling-parent", TOWNORG_EINTEGRITY, "changes.csv:6: version 2: entity 341023-001-05: parent 341023-009 does not exist" },
	{ "bad-kind-placement", TOWNORG_EINTEGRITY, "base.csv:7: version 0: entity 341023-001-04 (dispatched) cannot sit under 341023" },
	{ "bad-removed-parent", TOWNORG_EINTEGRITY, "changes.csv:5: version 1: entity 341023-001 was removed but 3 entities" },
	{ "bad-unknown-op", TOWNORG_EPARSE, "changes.csv:4: unknown op 'remove'" },
	{ "bad-delete-missing", TOWNORG_EPARSE, "changes.csv:4: delete of '341023-001-99', which is not in version 0" },
	{ "bad-unknown-version", TOWNORG_EPARSE, "changes.csv:6: version '5' is not in versions.csv" },
	{ "bad-change-to-first", TOWNORG_EPARSE, "changes.csv:6: version '0' is the first version" },
	{ "bad-event-kind", TOWNORG_EPARSE, "events.csv:5: unknown event kind 'found'" },
	{ "bad-event-version", TOWNORG_EPARSE, "events.csv:5: version '9' is not in versions.csv" },
	{ "bad-versions-order", TOWNORG_EPARSE, "versions.csv:3: version '2' has parent '1' (line 4)" },
	{ "bad-unknown-parent", TOWNORG_EPARSE, "versions.csv:4: version '2' has an unknown parent '7'" },
	{ "bad-fork", TOWNORG_EPARSE, "versions.csv:4: version '2' has parent '0' (line 2), not the row before it" },
	{ "bad-date", TOWNORG_EPARSE, "versions.csv:3: effective_date '2010-02-30' is not a date" },
	{ "bad-date-backwards", TOWNORG_EPARSE, "versions.csv:4: effective_date 2009-07-01 of version '2' is before" },
	{ "bad-duplicate-version", TOWNORG_EPARSE, "versions.csv:4: version '1' appears twice (first at line 3)" },
	{ "bad-cell-count", TOWNORG_EPARSE, "base.csv:6: 11 cells, but the header has 12" },
	{ "bad-quote", TOWNORG_EPARSE, "base.csv:6: malformed CSV" },
	{ "bad-unterminated", TOWNORG_EPARSE, "events.csv:6: the file ends inside a quoted cell" },
	{ "bad-utf8", TOWNORG_EENCODING, "base.csv:9: invalid UTF-8 (byte 0xE6 at column 46)" },
	{ "bad-utf16", TOWNORG_EENCODING, "changes.csv: the file is UTF-16LE" },
	{ "bad-encoding", TOWNORG_EENCODING, "events.csv:6: the file is neither UTF-8 (byte 0xFF at column 11) nor GB18030" },
	{ "bad-big5", TOWNORG_EENCODING, "base.csv:2: the file is not UTF-8 (byte 0xAA at column 16) and does not read as GB18030" },
	{ "bad-crlf-line", TOWNORG_EPARSE, "base.csv:7: inst_quota '-20' is negative" },
};

START_TEST(bad_input_refused)
{
	/* a repository with history: a failed import must leave it as it is */
	townorg_tables_import_options good = opts_fixed();
	townorg_tables_report_free(import_ok(repo, DATA "mini", &good));
	snapshot before = snap(repo);
	const char *case_dir = bad_cases[_i].dir;
	char dir[4096];
	snprintf(dir, sizeof dir, DATA "%s", case_dir);
	townorg_tables_import_options o = opts_fixed();
	o.branch = "plan";
	o.tag_prefix = "p";
	o.author = "另一位"; /* so that the versions are new ones, to be rolled back */
	townorg_tables_report *rep = (townorg_tables_report *)&o; /* must be set to NULL */
	int rc = townorg_tables_import(&rep, repo, dir, &o);
	ck_assert_msg(rc == bad_cases[_i].code, "%s: rc %d (%s), expected %d", case_dir, rc,
		      townorg_error_last() ? townorg_error_last() : "", bad_cases[_i].code);
	ck_assert_ptr_null(rep);
	ck_assert_msg(townorg_error_last() && strstr(townorg_error_last(), bad_cases[_i].message),
		      "%s: message '%s' lacks '%s'", case_dir, townorg_error_last(), bad_cases[_i].message);
	snapshot after = snap(repo);
	same_snap(&before, &after);
	ck_assert(!repo->in_batch);
}
END_TEST

/* ---------------------------------------------------------------- onto, tags */

START_TEST(onto_and_tags)
{
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report *first = import_ok(repo, DATA "mini", &o);
	const townorg_version *head = townorg_tables_report_version(first, 2, NULL);
	snapshot before = snap(repo);

	/* the branch has versions: onto is required, and must be its head */
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini-next", &o), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "already has versions"));
	o.onto = "v1";
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini-next", &o), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "is not the head of branch 'main'"));
	o.onto = "nosuch";
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini-next", &o), TOWNORG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "onto:"));
	/* effective dates may not go back from onto's */
	o.onto = "main";
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &o), TOWNORG_EPARSE);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "versions.csv:2: effective_date 2008-06-01 of version '0' is "
							   "before its parent's (2012-07-01)"));
	/* a tag that exists refuses the import */
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &(townorg_tables_import_options){
							     TOWNORG_TABLES_IMPORT_OPTIONS_VERSION, 0, "plan", NULL, "v",
							     NULL, NULL, NULL, NULL }),
			 TOWNORG_EEXISTS);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "versions.csv:2: tag 'v0' already exists"));
	snapshot mid = snap(repo);
	same_snap(&before, &mid);

	/* continuing the branch: the first new version's parent is the head,
	 * its state exactly base.csv (here: the head's state) */
	townorg_tables_report *second = import_ok(repo, DATA "mini-next", &o);
	const townorg_version *v3 = tag(repo, "v3"), *v4 = tag(repo, "v4"), *now;
	ck_assert_ptr_eq(townorg_version_parent(v3, 0), head);
	ck_assert_str_eq(townorg_version_state_hash(v3), townorg_version_state_hash(head));
	OK(townorg_repo_branch_head(&now, repo, "main"));
	ck_assert_ptr_eq(now, v4);
	ck_assert_int_eq(townorg_version_event(v4, 0)->kind, TOWNORG_EVENT_MOVE);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 5);
	ck_assert_uint_eq(townorg_repo_tag_count(repo), 5);
	int64_t total;
	OK(townorg_version_quota_total(&total, v4, "341023-001", NULL));
	ck_assert_int_eq(total, 10 + 8 + 18 + 11 + 7 - 1);

	/* a new branch may start from any version; no tags on request */
	townorg_tables_import_options p = opts_fixed();
	p.branch = "plan";
	p.onto = "v1";
	p.flags = TOWNORG_TABLES_IMPORT_NO_TAGS;
	townorg_tables_report *third = import_ok(repo, DATA "mini-next", &p);
	OK(townorg_repo_branch_head(&now, repo, "plan"));
	ck_assert_ptr_eq(now, townorg_tables_report_version(third, 1, NULL));
	ck_assert_ptr_eq(townorg_version_parent(townorg_tables_report_version(third, 0, NULL), 0), tag(repo, "v1"));
	ck_assert_uint_eq(townorg_repo_tag_count(repo), 5);

	/* the same tables into another branch from nothing: the versions are
	 * the same (content addressed), so they are reused, not refused */
	p.branch = "copy";
	p.onto = NULL;
	townorg_tables_report *fourth = import_ok(repo, DATA "mini", &p);
	ck_assert_ptr_eq(townorg_tables_report_version(fourth, 2, NULL), head);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 7);

	/* bad options */
	townorg_tables_import_options bad = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	bad.version = 99;
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &bad), TOWNORG_EINVALID);
	bad = (townorg_tables_import_options)TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	bad.branch = "bad name";
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &bad), TOWNORG_EINVALID);
	bad.branch = "x";
	bad.tag_prefix = "a b";
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &bad), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "tag prefix 'a b'"));
	bad.tag_prefix = "v@"; /* a valid prefix, but v@0 is no tag name */
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &bad), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_tables_import(NULL, repo, NULL, NULL), TOWNORG_EINVALID);
	bad.tag_prefix = "n";
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "no-such-dir", &bad), TOWNORG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "versions.csv: no such file"));
	townorg_tables_report_free(first);
	townorg_tables_report_free(second);
	townorg_tables_report_free(third);
	townorg_tables_report_free(fourth);
	townorg_tables_report_free(NULL);
	ck_assert_uint_eq(townorg_tables_report_version_count(NULL), 0);
}
END_TEST

/* ---------------------------------------------------------------- cancelling */

typedef struct {
	const char *stage;
	size_t at;
	int ret;
	size_t calls;
} cancel_at;

static int progress_cb(const char *stage, size_t done, size_t total, void *payload)
{
	cancel_at *c = payload;
	c->calls++;
	ck_assert_uint_le(done, total);
	return !strcmp(stage, c->stage) && done == c->at ? c->ret : 0;
}

START_TEST(cancel_changes_nothing)
{
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report_free(import_ok(repo, DATA "mini", &o));
	snapshot before = snap(repo);
	o.branch = "plan";
	o.tag_prefix = "p";
	o.author = "另一位";
	o.progress = progress_cb;
	cancel_at c = { "versions", 2, 1, 0 };
	o.progress_payload = &c;
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &o), TOWNORG_ERROR);
	ck_assert_str_eq(townorg_error_last(), "cancelled");
	snapshot after = snap(repo);
	same_snap(&before, &after);
	c = (cancel_at){ "read", 3, -42, 0 };
	ck_assert_int_eq(townorg_tables_import(NULL, repo, DATA "mini", &o), -42);
	after = snap(repo);
	same_snap(&before, &after);
	/* a callback that never cancels sees every step */
	c = (cancel_at){ "none", 0, 1, 0 };
	townorg_tables_report_free(import_ok(repo, DATA "mini", &o));
	ck_assert_uint_eq(c.calls, 4 + 3);

	char out[64];
	make_tmpdir(out);
	townorg_tables_export_options eo = TOWNORG_TABLES_EXPORT_OPTIONS_INIT;
	eo.progress = progress_cb;
	eo.progress_payload = &c;
	c = (cancel_at){ "export", 2, 1, 0 };
	ck_assert_int_eq(townorg_tables_export(repo, NULL, tag(repo, "v2"), out, &eo), TOWNORG_ERROR);
	DIR *d = opendir(out);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	ck_assert_uint_eq(n, 0); /* nothing written into place, no leftovers */
	remove_tree(out);
}
END_TEST

/* ---------------------------------------------------------------- export edges */

START_TEST(export_refuses_what_tables_cannot_hold)
{
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report_free(import_ok(repo, DATA "mini", &o));
	townorg_txn *t;
	townorg_entity_builder *b;
	const townorg_entity *e;
	const townorg_version *v;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_get(&e, t, "341023-001-03"));
	OK(townorg_entity_builder_from(&b, e));
	OK(townorg_entity_builder_set_text(b, "funding", "full"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);

	char out[64], path[4200];
	make_tmpdir(out);
	ck_assert_int_eq(townorg_tables_export(repo, NULL, v, out, NULL), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "entity 341023-001-03: the tables have no column for 'funding'"));
	snprintf(path, sizeof path, "%s/versions.csv", out);
	ck_assert_int_ne(access(path, F_OK), 0);
	townorg_tables_export_options eo = TOWNORG_TABLES_EXPORT_OPTIONS_INIT;
	eo.flags = TOWNORG_TABLES_EXPORT_LOSSY;
	OK(townorg_tables_export(repo, NULL, v, out, &eo));
	ck_assert_int_eq(access(path, F_OK), 0);

	/* from must be on to's first-parent line */
	townorg_repo *other;
	OK(townorg_repo_new(&other));
	townorg_tables_report *r2 = import_ok(other, DATA "mini", &o);
	ck_assert_int_eq(townorg_tables_export(repo, NULL, townorg_tables_report_version(r2, 2, NULL), out, NULL),
			 TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_tables_export(repo, tag(repo, "v2"), tag(repo, "v1"), out, NULL), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "not on the first-parent line"));
	townorg_tables_export_options bad = TOWNORG_TABLES_EXPORT_OPTIONS_INIT;
	bad.version = 0;
	ck_assert_int_eq(townorg_tables_export(repo, NULL, v, out, &bad), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_tables_export(repo, NULL, v, "/proc/no/such/dir", NULL), TOWNORG_EIO);
	townorg_tables_report_free(r2);
	townorg_repo_free(other);
	remove_tree(out);
}
END_TEST

/* ---------------------------------------------------------------- encodings */

START_TEST(decode_classifies)
{
	char *out;
	size_t len, skip;
	const char *enc;
	OK(townorg__table_decode("t.csv", "a,b\n", 4, &out, &len, &skip, &enc));
	ck_assert_ptr_null(out);
	ck_assert_str_eq(enc, "UTF-8");
	OK(townorg__table_decode("t.csv", "\xef\xbb\xbf\xe4\xb8\xad\n", 7, &out, &len, &skip, &enc));
	ck_assert_uint_eq(skip, 3);
	ck_assert_str_eq(enc, "UTF-8 with BOM");
	ck_assert_int_eq(townorg__table_decode("t.csv", "\xff\xfe\0\0a\0\0\0", 8, &out, &len, &skip, &enc),
			 TOWNORG_EENCODING);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "UTF-32"));
	ck_assert_int_eq(townorg__table_decode("t.csv", "a,b\nc\0d\n", 8, &out, &len, &skip, &enc), TOWNORG_EENCODING);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "t.csv:2: NUL byte at column 2"));
	/* with a BOM a bad byte is damage, not another encoding */
	ck_assert_int_eq(townorg__table_decode("t.csv", "\xef\xbb\xbf\xd6\xd0\n", 6, &out, &len, &skip, &enc),
			 TOWNORG_EENCODING);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "invalid UTF-8"));
	/* 中文 in GB18030 */
	OK(townorg__table_decode("t.csv", "\xd6\xd0\xce\xc4\n", 5, &out, &len, &skip, &enc));
	ck_assert_str_eq(enc, "GB18030");
	ck_assert_str_eq(out, "中文\n");
	townorg_free(out);
}
END_TEST

/* ---------------------------------------------------------------- out of memory */

/* Fail each allocation of an import in turn: every failure is reported
 * (or survived: libcsv retries a failed buffer growth with a smaller one),
 * leaks nothing (valgrind) and leaves the repository as it was. */
START_TEST(allocation_failures)
{
	townorg_tables_import_options o = opts_fixed();
	o.branch = "plan";
	o.tag_prefix = "p";
	o.author = "另一位";
	townorg__fault_set(LONG_MAX); /* count the allocations of one import */
	townorg_tables_report_free(import_ok(repo, DATA "mini-next", &o));
	long total = townorg__fault_count();
	townorg__fault_set(0);
	ck_assert_int_gt(total, 50);
	size_t failed = 0;
	for (long n = 1; n <= total; n++) {
		townorg_repo *r;
		townorg_tables_import_options base = opts_fixed();
		OK(townorg_repo_new(&r));
		townorg_tables_report_free(import_ok(r, DATA "mini", &base));
		snapshot before = snap(r);
		townorg_tables_report *rep = NULL;
		townorg__fault_set(n);
		int rc = townorg_tables_import(&rep, r, DATA "mini-next", &o);
		townorg__fault_set(0);
		if (rc == 0) {
			ck_assert_uint_eq(townorg_tables_report_version_count(rep), 2);
			townorg_tables_report_free(rep);
		} else {
			ck_assert_msg(rc == TOWNORG_ENOMEM, "allocation %ld: rc %d (%s)", n, rc, townorg_error_last());
			ck_assert_ptr_null(rep);
			snapshot after = snap(r);
			same_snap(&before, &after);
			ck_assert(!r->in_batch);
			failed++;
		}
		townorg_repo_free(r);
	}
	ck_assert_uint_gt(failed, (size_t)total / 2);
}
END_TEST

/* ---------------------------------------------------------------- a store */

/* In a repository file, a failed import leaves the file as it was too. */
START_TEST(store_all_or_nothing)
{
	char dir[64], path[128];
	townorg_repo *r;
	make_tmpdir(dir);
	snprintf(path, sizeof path, "%s/county.townorg", dir);
	OK(townorg_repo_init(path));
	OK(townorg_repo_open(&r, path, 0));
	townorg_tables_import_options o = opts_fixed();
	townorg_tables_report_free(import_ok(r, DATA "mini", &o));
	o.branch = "plan";
	o.tag_prefix = "p";
	o.author = "另一位";
	ck_assert_int_eq(townorg_tables_import(NULL, r, DATA "bad-dangling-parent", &o), TOWNORG_EINTEGRITY);
	townorg_repo_free(r);
	OK(townorg_repo_open(&r, path, 0));
	ck_assert_uint_eq(townorg_repo_version_count(r), 3);
	ck_assert_uint_eq(townorg_repo_branch_count(r), 1);
	ck_assert_uint_eq(townorg_repo_tag_count(r), 3);
	ck_assert_uint_eq(townorg_version_entity_count(tag(r, "v2")), 8);
	townorg_repo_free(r);
	townorg_verify_report *vr;
	OK(townorg_repo_verify(&vr, path, NULL, NULL));
	ck_assert_int_eq(townorg_verify_report_ok(vr), 1);
	townorg_verify_report_free(vr);
	remove_tree(dir);
}
END_TEST

/* The reader's fast path for plain rows against libcsv for every row:
 * the sample's tables with random mutations — a cell quoted, spaces or a
 * tab around a cell, CRLF, an empty line, a stray quote, an extra cell —
 * on random lines, early and late, must import to the same versions or
 * fail with the same message either way. */
static char *mutate(const char *text, unsigned *seed)
{
	size_t len = strlen(text), o = 0;
	char *out = malloc(len * 2 + 4096);
	int nlines = 0;
	for (const char *p = text; *p; p++)
		nlines += *p == '\n';
	int targets[4];
	for (int k = 0; k < 4; k++)
		targets[k] = 1 + (int)(rand_r(seed) % (unsigned)(nlines ? nlines : 1));
	int line = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int m = -1;
		for (int k = 0; k < 4; k++)
			if (targets[k] == line)
				m = (int)(rand_r(seed) % 8);
		/* the cell to touch: after the c-th comma */
		int commas = 0;
		for (size_t i = 0; i < n; i++)
			commas += p[i] == ',';
		int c = commas ? (int)(rand_r(seed) % (unsigned)(commas + 1)) : 0;
		size_t at = 0;
		for (int k = 0; k < c; k++)
			at = (size_t)(strchr(p + at, ',') - p) + 1;
		size_t end = at;
		while (end < n && p[end] != ',')
			end++;
		memcpy(out + o, p, at);
		o += at;
		if (m == 0 || m == 1)
			out[o++] = m == 0 ? '"' : ' ';
		memcpy(out + o, p + at, end - at);
		o += end - at;
		if (m == 0 || m == 1)
			out[o++] = m == 0 ? '"' : ' ';
		else if (m == 2)
			out[o++] = '\t';
		else if (m == 3)
			out[o++] = '"'; /* a stray quote */
		else if (m == 4)
			out[o++] = ','; /* an extra cell */
		memcpy(out + o, p + end, n - end);
		o += n - end;
		if (m == 5)
			out[o++] = '\r';
		if (nl)
			out[o++] = '\n';
		if (m == 6)
			out[o++] = '\n'; /* an empty line */
		p += n + (nl ? 1 : 0);
		line++;
	}
	out[o] = 0;
	return out;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static int import_ids(const char *dir, char **err, char ***ids, size_t *n)
{
	townorg_repo *r;
	OK(townorg_repo_new(&r));
	townorg_tables_import_options o = opts_fixed();
	int rc = townorg_tables_import(NULL, r, dir, &o);
	*err = rc < 0 ? strdup(townorg_error_last()) : NULL;
	*n = townorg_repo_version_count(r);
	*ids = calloc(*n + 1, sizeof **ids);
	for (size_t i = 0; i < *n; i++)
		(*ids)[i] = strdup(townorg_version_id(townorg_repo_version_at(r, i)));
	townorg_repo_free(r);
	return rc;
}

START_TEST(plain_rows_same_as_libcsv)
{
	char src[4096], dir[64], p[4200];
	if (!sample_dir(src, sizeof src))
		return;
	size_t l;
	snprintf(p, sizeof p, "%s/base.csv", src);
	char *base = slurp(p, &l);
	snprintf(p, sizeof p, "%s/changes.csv", src);
	char *changes = slurp(p, &l);
	snprintf(p, sizeof p, "%s/versions.csv", src);
	char *versions = slurp(p, &l);
	snprintf(p, sizeof p, "%s/events.csv", src);
	char *events = slurp(p, &l);
	make_tmpdir(dir);
	write_text(dir, "versions.csv", versions);
	write_text(dir, "events.csv", events);
	unsigned seed = 20261128;
	int failed = 0, succeeded = 0;
	for (int trial = 0; trial < 120; trial++) {
		char *b = trial % 3 == 2 ? strdup(base) : mutate(base, &seed);
		char *c = trial % 3 == 1 ? strdup(changes) : mutate(changes, &seed);
		write_text(dir, "base.csv", b);
		write_text(dir, "changes.csv", c);
		char *e1, *e2, **i1, **i2;
		size_t n1, n2;
		townorg__tables_plain_rows(true);
		int r1 = import_ids(dir, &e1, &i1, &n1);
		townorg__tables_plain_rows(false);
		int r2 = import_ids(dir, &e2, &i2, &n2);
		townorg__tables_plain_rows(true);
		ck_assert_int_eq(r1, r2);
		if (r1 < 0) {
			ck_assert_str_eq(e1, e2);
			failed++;
		} else
			succeeded++;
		ck_assert_uint_eq(n1, n2);
		for (size_t i = 0; i < n1; i++) {
			ck_assert_str_eq(i1[i], i2[i]);
			free(i1[i]);
			free(i2[i]);
		}
		free(i1);
		free(i2);
		free(e1);
		free(e2);
		free(b);
		free(c);
	}
	/* both outcomes were exercised */
	ck_assert_int_gt(failed, 10);
	ck_assert_int_gt(succeeded, 10);
	remove_tree(dir);
	free(base);
	free(changes);
	free(versions);
	free(events);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tables");
	TCase *tc = tcase_create("tables");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mini_import);
	tcase_add_test(tc, number_changes_share_strings);
	tcase_add_test(tc, entities_match_builder);
	tcase_add_test(tc, gb18030_converted);
	tcase_add_test(tc, bom_crlf_extra_column);
	tcase_add_test(tc, sample_answers);
	tcase_add_test(tc, sample_round_trip);
	tcase_add_test(tc, mini_round_trip);

	tcase_add_loop_test(tc, bad_input_refused, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, onto_and_tags);
	tcase_add_test(tc, cancel_changes_nothing);
	tcase_add_test(tc, export_refuses_what_tables_cannot_hold);
	tcase_add_test(tc, decode_classifies);
	tcase_add_test(tc, allocation_failures);
	tcase_add_test(tc, store_all_or_nothing);
	tcase_add_test(tc, plain_rows_same_as_libcsv);
	/* Needs ../shared (the bench kit's generator): tagged, excluded from the
	 * plain run and run by tests/check-shared-data.sh, which says SKIP when
	 * the kit is absent. */
	TCase *sh = tcase_create("shared");
	tcase_set_tags(sh, "shared");
	tcase_set_timeout(sh, 600);
	tcase_add_checked_fixture(sh, setup, teardown);
	tcase_add_test(sh, generated_workload);
	suite_add_tcase(s, sh);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

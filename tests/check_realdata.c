/* check_realdata.c — the NBS township list and MCA change table importers:
 * small fixtures cut from the real files (tests/data/nbs, tests/data/mca),
 * bad input of each kind, all-or-nothing, cancel, and the real 2016–2023
 * editions from $SHARED_DIR (tagged "shared": tests/check-shared-data.sh
 * runs it, or says SKIP when the data is not there; not under valgrind —
 * it takes about 6 minutes there, against 2–3 s natively, and runs the
 * same code as the fixtures). */
#include <config.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"
#include <limits.h>
#include "base/internal.h"

#define NBS TEST_SRCDIR "/tests/data/nbs"
#define MCA TEST_SRCDIR "/tests/data/mca"

static townorg_repo *repo;

static void setup(void) { ck_assert_int_eq(townorg_repo_new(&repo), 0); }
static void teardown(void) { townorg_repo_free(repo); }

static townorg_realdata_report *import(const char *source, const char *mca)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_realdata_report *rep = NULL;
	o.mca_source = mca;
	o.recorded_at = "2024-01-01T00:00:00Z";
	OK(townorg_nbs_import(&rep, repo, source, &o));
	return rep;
}

static const townorg_version *tag(const char *name)
{
	const townorg_version *v;
	OK(townorg_repo_tag_lookup(&v, repo, name));
	return v;
}

static const townorg_entity *get(const townorg_version *v, const char *id)
{
	const townorg_entity *e = NULL;
	townorg_version_get(&e, v, id);
	return e;
}

/* The event of a version whose predecessors include `from` (NULL: any)
 * and whose successors include `to` (NULL: any). */
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

START_TEST(code_kinds)
{
	ck_assert_int_eq(townorg_nbs_code_kind("341621001"), TOWNORG_KIND_SUBDISTRICT);
	ck_assert_int_eq(townorg_nbs_code_kind("341621099"), TOWNORG_KIND_SUBDISTRICT);
	ck_assert_int_eq(townorg_nbs_code_kind("510525100"), TOWNORG_KIND_TOWN);
	ck_assert_int_eq(townorg_nbs_code_kind("510525199"), TOWNORG_KIND_TOWN);
	ck_assert_int_eq(townorg_nbs_code_kind("510525200"), TOWNORG_KIND_TOWNSHIP);
	ck_assert_int_eq(townorg_nbs_code_kind("510525399"), TOWNORG_KIND_TOWNSHIP);
	ck_assert_int_eq(townorg_nbs_code_kind("341621400"), TOWNORG_KIND_TOWNSHIP_LIKE);
	ck_assert_int_eq(townorg_nbs_code_kind("350527000"), TOWNORG_KIND_TOWNSHIP_LIKE);
	ck_assert_int_eq(townorg_nbs_code_kind("34162100"), TOWNORG_KIND_INVALID);
	ck_assert_int_eq(townorg_nbs_code_kind("34162100x"), TOWNORG_KIND_INVALID);
	ck_assert_int_eq(townorg_nbs_code_kind(NULL), TOWNORG_KIND_INVALID);
}
END_TEST

START_TEST(reason_table)
{
	townorg_event_kind k;
	static const struct { const char *reason; townorg_event_kind kind; } cases[] = {
		{ "撤乡设镇", TOWNORG_EVENT_RECLASSIFY }, { "撤乡建镇", TOWNORG_EVENT_RECLASSIFY },
		{ "\xc2\xa0撤乡设镇 ", TOWNORG_EVENT_RECLASSIFY }, { "撤镇设街道", TOWNORG_EVENT_RECLASSIFY },
		{ "合并", TOWNORG_EVENT_MERGE }, { "并入其他建制", TOWNORG_EVENT_MERGE },
		{ "撤销合并", TOWNORG_EVENT_MERGE }, { "撤乡、镇设镇", TOWNORG_EVENT_MERGE },
		{ "名称变更", TOWNORG_EVENT_RENAME }, { "更名", TOWNORG_EVENT_RENAME },
		{ "隶属关系变更", TOWNORG_EVENT_MOVE }, { "新设街道", TOWNORG_EVENT_CREATE },
		{ "撤销乡", TOWNORG_EVENT_ABOLISH }, { "撤镇设街道、镇", TOWNORG_EVENT_SPLIT },
		{ "撤街道设街道", TOWNORG_EVENT_REORGANIZE },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		OK(townorg_mca_reason_kind(&k, cases[i].reason));
		ck_assert_msg(k == cases[i].kind, "%s", cases[i].reason);
	}
	ck_assert_int_eq(townorg_mca_reason_kind(&k, "区划代码变更"), TOWNORG_ENOTFOUND); /* by the row */
	ck_assert_int_eq(townorg_mca_reason_kind(&k, "不存在的原因"), TOWNORG_ENOTFOUND);
	ck_assert_int_eq(townorg_mca_reason_kind(&k, ""), TOWNORG_ENOTFOUND);
}
END_TEST

/* Three editions of 淮安区, 涡阳县 and 古蔺县, with their MCA rows. */
START_TEST(fixture_editions)
{
	townorg_realdata_report *rep = import(NBS, MCA);
	ck_assert_uint_eq(townorg_realdata_report_edition_count(rep), 3);
	const townorg_realdata_edition *e17 = townorg_realdata_report_edition(rep, 0),
				       *e18 = townorg_realdata_report_edition(rep, 1),
				       *e19 = townorg_realdata_report_edition(rep, 2);
	ck_assert_ptr_null(townorg_realdata_report_edition(rep, 3));
	ck_assert_str_eq(e17->tag, "nbs-2017");
	ck_assert_str_eq(e18->effective_date, "2018-10-31");
	ck_assert_uint_eq(e17->townships, 73);
	ck_assert_uint_eq(e18->townships, 64);
	ck_assert_uint_eq(e19->townships, 64);
	ck_assert_uint_eq(e17->added, 82); /* 3 provinces, 3 prefectures, 3 counties, 73 townships */
	ck_assert_uint_eq(e18->renamed, 3);
	/* 2019 only dropped 办事处: nothing renamed, nothing changed at all */
	ck_assert_uint_eq(e19->renamed + e19->added + e19->removed + e19->reclassified + e19->moved, 0);

	const townorg_version *v17 = tag("nbs-2017"), *v18 = tag("nbs-2018"), *v19 = tag("nbs-2019"), *head;
	OK(townorg_repo_branch_head(&head, repo, "main"));
	ck_assert_ptr_eq(head, v19);
	ck_assert_ptr_eq(townorg_version_parent(v19, 0), v18);
	ck_assert_str_eq(townorg_version_meta(v17)->effective_date, "2017-10-31");
	ck_assert_str_eq(townorg_version_meta(v19)->effective_date, "2019-10-31");
	ck_assert_str_eq(e19->version_id, townorg_version_id(v19));
	ck_assert_uint_eq(townorg_version_kind_count(v18, TOWNORG_KIND_SUBDISTRICT) +
				  townorg_version_kind_count(v18, TOWNORG_KIND_TOWN) +
				  townorg_version_kind_count(v18, TOWNORG_KIND_TOWNSHIP) +
				  townorg_version_kind_count(v18, TOWNORG_KIND_TOWNSHIP_LIKE),
			  64);

	/* the tree: township under county under prefecture under province */
	const townorg_entity *t = get(v17, "341621001");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(townorg_entity_kind(t), TOWNORG_KIND_SUBDISTRICT);
	ck_assert_str_eq(townorg_entity_parent_id(t), "341621");
	ck_assert_str_eq(townorg_entity_parent_id(get(v17, "341621")), "3416");
	ck_assert_str_eq(townorg_entity_parent_id(get(v17, "3416")), "34");
	ck_assert_int_eq(townorg_entity_kind(get(v17, "510525215")), TOWNORG_KIND_TOWNSHIP);

	/* 办事处: "城关街道办事处" (2017, 2018) and "城关街道" (2019) are one name,
	 * and the entity is the very same value */
	ck_assert_str_eq(townorg_entity_name(t), "城关街道");
	ck_assert_ptr_eq(get(v18, "341621001"), get(v19, "341621001"));

	/* a removal: 城西街道办事处 went in 2018 */
	ck_assert_ptr_nonnull(get(v17, "341621002"));
	ck_assert_ptr_null(get(v18, "341621002"));

	/* 名称变更: 涡北街道 became 天静宫街道 in 2018, document 亳政秘〔2018〕54号 */
	ck_assert_str_eq(townorg_entity_name(get(v17, "341621004")), "涡北街道");
	ck_assert_str_eq(townorg_entity_name(get(v18, "341621004")), "天静宫街道");
	const townorg_event *ev = find_event(v18, "341621004", "341621004");
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->kind, TOWNORG_EVENT_RENAME);
	ck_assert_uint_eq(ev->document_count, 1);
	ck_assert_str_eq(ev->documents[0], "亳政秘〔2018〕54号");
	ck_assert_str_eq(ev->wording, "名称变更");

	/* 撤乡设镇: 桂花乡 510525215 became 桂花镇 510525120 in 2018 */
	ck_assert_ptr_null(get(v18, "510525215"));
	ck_assert_int_eq(townorg_entity_kind(get(v18, "510525120")), TOWNORG_KIND_TOWN);
	ev = find_event(v18, "510525215", "510525120");
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->kind, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_str_eq(ev->wording, "撤乡设镇");
	ck_assert_str_eq(ev->documents[0], "川府民政〔2018〕1号");
	ck_assert_ptr_null(find_event(v19, "510525215", NULL));
	ck_assert_uint_eq(townorg_version_event_count(v17), 0); /* nothing earlier to compare with */

	/* 合并 (撤销合并): 王兴镇, 棉花庄镇, 老张集乡 into 淮高镇: one event id */
	const townorg_event *a = find_event(v18, "320804105", NULL), *b = find_event(v18, "320804106", NULL),
			    *c = find_event(v18, "320804202", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(a->kind, TOWNORG_EVENT_MERGE);
	ck_assert_str_eq(a->wording, "撤销合并");
	ck_assert_str_eq(a->event_id, b->event_id);
	ck_assert_str_eq(a->event_id, c->event_id);
	ck_assert_uint_eq(a->to_count, 1);
	ck_assert_str_eq(a->to_ids[0], c->to_ids[0]);
	/* the reclassified pairs NBS itself shows (乡→镇 of one stem) */
	ck_assert_uint_ge(e18->reclassified, 2);

	/* MCA rows: each matched or listed, none dropped */
	size_t rows = townorg_realdata_report_mca_rows(rep), matched = townorg_realdata_report_mca_matched(rep);
	size_t un = townorg_realdata_report_unmatched_count(rep);
	ck_assert_uint_eq(rows, 46);
	ck_assert_uint_eq(matched + un, rows);
	ck_assert_uint_eq(matched, e17->events + e18->events + e19->events);
	ck_assert_uint_eq(e18->events, townorg_version_event_count(v18));
	int saw_2015 = 0, saw_older = 0;
	for (size_t i = 0; i < un; i++) {
		const townorg_realdata_unmatched *u = townorg_realdata_report_unmatched(rep, i);
		ck_assert_ptr_nonnull(u->why);
		ck_assert_uint_gt(u->line, 0);
		saw_2015 |= u->table_year == 2015 && !strcmp(u->old_code, "320621100") && !strcmp(u->reason, "撤镇建街道");
		saw_older |= !strcmp(u->old_code, "510525202") && strstr(u->why, "older") != NULL;
	}
	ck_assert(saw_2015);  /* 2015: no 省份 column */
	ck_assert(saw_older); /* a 2016 撤乡设镇 already in effect in the first edition */
	ck_assert_ptr_null(townorg_realdata_report_unmatched(rep, un));
	townorg_realdata_report_free(rep);
}
END_TEST

/* Importing the head's edition again is a no-op; an older one is refused. */
START_TEST(noop_and_order)
{
	townorg_realdata_report *rep = import(NBS "/2018", NULL);
	const townorg_version *head, *h2;
	OK(townorg_repo_branch_head(&head, repo, "main"));
	townorg_realdata_report_free(rep);
	rep = import(NBS "/2018", NULL);
	ck_assert_int_eq(townorg_realdata_report_edition(rep, 0)->skipped, 1);
	ck_assert_str_eq(townorg_realdata_report_edition(rep, 0)->version_id, townorg_version_id(head));
	townorg_realdata_report_free(rep);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 1);

	townorg_realdata_report *none = (void *)1;
	ck_assert_int_eq(townorg_nbs_import(&none, repo, NBS "/2017", NULL), TOWNORG_EINVALID);
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "older than the head"));
	/* the folder of all editions holds 2017 too: refused as a whole */
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS, NULL), TOWNORG_EINVALID);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 1);
	OK(townorg_repo_branch_head(&h2, repo, "main"));
	ck_assert_ptr_eq(h2, head);

	/* newer editions go on; another branch starts afresh */
	rep = import(NBS "/2019", NULL);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 2);
	townorg_realdata_report_free(rep);
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	o.branch = "nbs-only";
	OK(townorg_nbs_import(NULL, repo, NBS "/2017", &o));
	ck_assert_uint_eq(townorg_repo_version_count(repo), 3);
	/* on main, 2017 is now both older than the head and tagged off the branch */
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS "/2017", NULL), TOWNORG_EEXISTS);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 3);
}
END_TEST

/* Units of other kinds survive an edition; removing a unit that still has
 * an organ under it is refused, naming the organ, and changes nothing. */
START_TEST(children_block_removal)
{
	townorg_realdata_report *rep = import(NBS "/2017", NULL);
	townorg_realdata_report_free(rep);
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk_organ("341621001-01", TOWNORG_KIND_OFFICE, "党政办公室", "341621001", 10, -1, 9));
	put(t, mk_organ("341621002-01", TOWNORG_KIND_OFFICE, "城西党政办公室", "341621002", 8, -1, 8));
	OK(townorg_txn_commit(NULL, t));
	townorg_txn_free(t);
	const townorg_version *before;
	OK(townorg_repo_branch_head(&before, repo, "main"));
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS "/2018", NULL), TOWNORG_EINTEGRITY);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "341621002-01"));
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "城西党政办公室"));
	const townorg_version *after;
	OK(townorg_repo_branch_head(&after, repo, "main"));
	ck_assert_ptr_eq(after, before);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 2);
	ck_assert_int_eq(townorg_repo_tag_lookup(&after, repo, "nbs-2018"), TOWNORG_ENOTFOUND);

	/* without the blocking organ the edition goes through and the other
	 * organ stays where it was */
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_remove(t, "341621002-01"));
	OK(townorg_txn_commit(NULL, t));
	townorg_txn_free(t);
	rep = import(NBS "/2018", NULL);
	townorg_realdata_report_free(rep);
	const townorg_entity *o = get(tag("nbs-2018"), "341621001-01");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(townorg_entity_parent_id(o), "341621001");
	int64_t q;
	OK(townorg_entity_quota(o, "admin", &q));
	ck_assert_int_eq(q, 10);
}
END_TEST

/* Attributes set on a unit survive an edition that renames it. */
START_TEST(attributes_survive)
{
	townorg_realdata_report *rep = import(NBS "/2017", NULL);
	townorg_realdata_report_free(rep);
	townorg_txn *t;
	const townorg_entity *e;
	townorg_entity_builder *b;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_get(&e, t, "341621004"));
	OK(townorg_entity_builder_from(&b, e));
	OK(townorg_entity_builder_set_quota(b, "admin", 31));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_txn_commit(NULL, t));
	townorg_txn_free(t);
	rep = import(NBS "/2018", NULL);
	townorg_realdata_report_free(rep);
	e = get(tag("nbs-2018"), "341621004");
	ck_assert_str_eq(townorg_entity_name(e), "天静宫街道");
	int64_t q;
	OK(townorg_entity_quota(e, "admin", &q));
	ck_assert_int_eq(q, 31);
}
END_TEST

/* Bad input: an error naming file:line, and nothing changed. */
static void bad(const char *dir, const char *mca, int code, const char *where)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_realdata_report *rep = (void *)1;
	o.mca_source = mca;
	int rc = townorg_nbs_import(&rep, repo, dir, &o);
	ck_assert_msg(rc == code, "%s: got %d (%s), wanted %d", dir, rc, townorg_error_last(), code);
	ck_assert_ptr_null(rep);
	ck_assert_msg(strstr(townorg_error_last(), where) != NULL, "'%s' does not name '%s'", townorg_error_last(),
		      where);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 0);
	ck_assert_uint_eq(townorg_repo_branch_count(repo), 0);
	ck_assert_uint_eq(townorg_repo_tag_count(repo), 0);
}

START_TEST(bad_input)
{
	bad(NBS "/bad/truncated", NULL, TOWNORG_EPARSE, "truncated/2018/streets.csv:65:");
	bad(NBS "/bad/badcode", NULL, TOWNORG_EPARSE, "badcode/2018/streets.csv:5:");
	bad(NBS "/bad/duplicate", NULL, TOWNORG_EPARSE, "duplicate/2018/streets.csv:9: duplicate code 320804109");
	bad(NBS "/bad/utf8", NULL, TOWNORG_EENCODING, "utf8/2018/streets.csv:3:");
	bad(NBS "/bad/orphan", NULL, TOWNORG_EPARSE, "orphan/2018/streets.csv:2:");
	bad(NBS, MCA "/bad/utf8.csv", TOWNORG_EENCODING, "utf8.csv:5:");
	bad(NBS, MCA "/bad/noheader.csv", TOWNORG_EPARSE, "noheader.csv");
	bad(NBS "/nonexistent", NULL, TOWNORG_ENOTFOUND, "nonexistent");
	bad(NBS, MCA "/nonexistent.csv", TOWNORG_ENOTFOUND, "nonexistent.csv");
	/* a failure in the last edition rolls the earlier ones back too */
	bad(NBS "/bad/late", NULL, TOWNORG_EPARSE, "late/2018/streets.csv:5:");
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	o.version = 99;
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS, &o), TOWNORG_EINVALID);
	o.version = TOWNORG_NBS_IMPORT_OPTIONS_VERSION;
	o.effective_date = "2019-13-01";
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS "/2019", &o), TOWNORG_EINVALID);
	o.effective_date = "2019-12-31";
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS, &o), TOWNORG_EINVALID); /* one edition only */
	o.branch = "bad name";
	ck_assert_int_eq(townorg_nbs_import(NULL, repo, NBS, &o), TOWNORG_EINVALID);
	ck_assert_uint_eq(townorg_repo_version_count(repo), 0);
}
END_TEST

typedef struct {
	int calls, cancel_at, stage_seen[4];
} progress_state;

static int on_progress(const townorg_realdata_progress *p, void *payload)
{
	progress_state *s = payload;
	ck_assert_uint_eq(p->version, TOWNORG_REALDATA_PROGRESS_VERSION);
	ck_assert_ptr_nonnull(p->path);
	s->stage_seen[p->stage]++;
	return ++s->calls == s->cancel_at ? -42 : 0;
}

START_TEST(progress_and_cancel)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	progress_state s = { 0 };
	o.mca_source = MCA;
	o.progress = on_progress;
	o.progress_payload = &s;
	townorg_realdata_report *rep;
	OK(townorg_nbs_import(&rep, repo, NBS, &o));
	townorg_realdata_report_free(rep);
	ck_assert_int_eq(s.stage_seen[TOWNORG_REALDATA_READ_MCA], 5);
	ck_assert_int_eq(s.stage_seen[TOWNORG_REALDATA_READ_EDITION], 3);
	ck_assert_int_eq(s.stage_seen[TOWNORG_REALDATA_COMMIT_EDITION], 4);
	int total = s.calls;
	for (int at = 1; at <= total; at++) {
		townorg_repo_free(repo);
		OK(townorg_repo_new(&repo));
		progress_state c = { 0, at, { 0 } };
		o.progress_payload = &c;
		ck_assert_int_eq(townorg_nbs_import(&rep, repo, NBS, &o), -42);
		ck_assert_ptr_nonnull(strstr(townorg_error_last(), "cancelled"));
		ck_assert_uint_eq(townorg_repo_version_count(repo), 0);
		ck_assert_uint_eq(townorg_repo_branch_count(repo), 0);
		ck_assert_uint_eq(townorg_repo_tag_count(repo), 0);
	}
}
END_TEST

/* A 批准文件 cell with two documents, and "257 号" with a space. */
START_TEST(two_documents)
{
	char dir[] = "/tmp/townorg-realdata-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/sub-county-diff_2018.csv", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("2018年中华人民共和国县以下行政区划变更情况,,,,,,,\n"
	      "序号,省份,原区划代码,原名称,变更原因,现区划代码,现名称,批准文件\n"
	      "1,安徽,341621004,涡北街道,名称变更,341621004,天静宫街道,"
	      "亳政秘〔2018〕54号\xc2\xa0\xc2\xa0皖民区函〔2018〕7 号,0\n"
	      "2,四川,510525215,桂花乡,\xc2\xa0撤乡设镇,510525120,桂花镇,川府民政〔2018〕1号、川府民政〔2018〕2号,0\n"
	      "注：本表为测试而作。,,,,,,,,0\n",
	      f);
	fclose(f);
	townorg_realdata_report *rep = import(NBS, path);
	const townorg_event *e = find_event(tag("nbs-2018"), "341621004", NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->document_count, 2);
	ck_assert_str_eq(e->documents[0], "亳政秘〔2018〕54号");
	ck_assert_str_eq(e->documents[1], "皖民区函〔2018〕7号");
	ck_assert_str_eq(e->event_id, "mca-2018-1");
	e = find_event(tag("nbs-2018"), "510525215", NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->document_count, 2);
	ck_assert_str_eq(e->documents[1], "川府民政〔2018〕2号");
	ck_assert_str_eq(e->wording, "撤乡设镇");
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_uint_eq(townorg_realdata_report_mca_rows(rep), 2);
	ck_assert_uint_eq(townorg_realdata_report_unmatched_count(rep), 0);
	townorg_realdata_report_free(rep);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Every allocation failure during an import (of 2018 with its MCA rows
 * as events, on top of 2017) leaves the repository as it was, with
 * TOWNORG_ENOMEM and no leak (valgrind checks the leaks).  Every 150th
 * allocation by default; every one with TOWNORG_FAULT_EVERY=1. */
static int import_2018_on_2017(townorg_realdata_report **rep, long fail_at)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_repo_free(repo);
	OK(townorg_repo_new(&repo));
	OK(townorg_nbs_import(NULL, repo, NBS "/2017", NULL));
	o.mca_source = MCA "/sub-county-diff_2018.csv";
	townorg__fault_set(fail_at);
	int rc = townorg_nbs_import(rep, repo, NBS "/2018", &o);
	return rc;
}

START_TEST(allocation_failures)
{
	townorg_realdata_report *rep = NULL;
	OK(import_2018_on_2017(&rep, LONG_MAX));
	long total = townorg__fault_count();
	townorg__fault_set(0);
	ck_assert_uint_gt(townorg_realdata_report_mca_matched(rep), 0);
	townorg_realdata_report_free(rep);
	long step = getenv("TOWNORG_FAULT_EVERY") ? 1 : total / 150 + 1, failures = 0;
	for (long n = 1; n <= total; n += step) {
		rep = NULL;
		int rc = import_2018_on_2017(&rep, n);
		townorg__fault_set(0);
		if (rc == 0) {
			townorg_realdata_report_free(rep);
			continue;
		}
		failures++;
		ck_assert_msg(rc == TOWNORG_ENOMEM, "allocation %ld: %d %s", n, rc, townorg_error_last());
		ck_assert_ptr_null(rep);
		ck_assert_uint_eq(townorg_repo_version_count(repo), 1);
		ck_assert_uint_eq(townorg_repo_branch_count(repo), 1);
		ck_assert_uint_eq(townorg_repo_tag_count(repo), 1);
	}
	ck_assert_int_gt(failures, 0);
}
END_TEST

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

/* The real 2016–2023 editions with every MCA table. */
START_TEST(real_data)
{
	/* Tagged "shared": run by tests/check-shared-data.sh only, which says
	 * SKIP when the real data is absent; here its absence is a failure. */
	const char *shared = getenv("SHARED_DIR");
	char nbs[512], mca[512], path[600];
	struct stat st;
	snprintf(nbs, sizeof nbs, "%s/data/real/nbs-townships", shared ? shared : TEST_SRCDIR "/../shared");
	snprintf(mca, sizeof mca, "%s/data/real/mca-changes/sub-county", shared ? shared : TEST_SRCDIR "/../shared");
	ck_assert_msg(stat(nbs, &st) == 0 && stat(mca, &st) == 0, "real data not found under %s", nbs);
	double t0 = now();
	townorg_realdata_report *rep = import(nbs, mca);
	double t1 = now();
	printf("# imported 8 NBS editions and %zu MCA rows in %.2f s\n", townorg_realdata_report_mca_rows(rep), t1 - t0);
	ck_assert_uint_eq(townorg_realdata_report_edition_count(rep), 8);
	size_t events = 0;
	for (size_t i = 0; i < 8; i++) {
		const townorg_realdata_edition *e = townorg_realdata_report_edition(rep, i);
		snprintf(path, sizeof path, "%s/%d/streets.csv", nbs, 2016 + (int)i);
		size_t rows = data_rows(path);
		const townorg_version *v = tag(e->tag);
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
	ck_assert_uint_eq(matched + townorg_realdata_report_unmatched_count(rep), rows);
	printf("# MCA rows: %zu matched, %zu unmatched\n", matched, rows - matched);

	/* 2019 table: 山西 140404200 郝家庄乡 撤乡设镇 → 140404106 郝家庄镇, 晋政函〔2019〕123号.
	 * NBS still lists the 乡 in its 2019 edition (cut-off 2019-10-31); the
	 * 镇 appears in 2020. */
	const townorg_version *v19 = tag("nbs-2019"), *v20 = tag("nbs-2020");
	ck_assert_ptr_nonnull(get(v19, "140404200"));
	ck_assert_ptr_null(find_event(v19, "140404200", NULL));
	const townorg_event *e = find_event(v20, "140404200", "140404106");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->kind, TOWNORG_EVENT_RECLASSIFY);
	ck_assert_str_eq(e->wording, "撤乡设镇");
	ck_assert_uint_eq(e->document_count, 1);
	ck_assert_str_eq(e->documents[0], "晋政函〔2019〕123号");
	ck_assert_int_eq(townorg_entity_kind(get(v20, "140404106")), TOWNORG_KIND_TOWN);
	ck_assert_str_eq(townorg_entity_name(get(v20, "140404106")), "郝家庄镇");

	/* 省直辖县级: 仙桃市 sits directly under 湖北省; 东莞市's towns under the
	 * county-level 441900 */
	ck_assert_str_eq(townorg_entity_parent_id(get(v20, "429004")), "42");
	ck_assert_ptr_null(get(v20, "4290"));
	ck_assert_str_eq(townorg_entity_parent_id(get(v20, "441900003")), "441900");
	ck_assert_str_eq(townorg_entity_parent_id(get(v20, "110101")), "11");
	townorg_realdata_report_free(rep);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("realdata");
	TCase *tc = tcase_create("importers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, code_kinds);
	tcase_add_test(tc, reason_table);
	tcase_add_test(tc, fixture_editions);
	tcase_add_test(tc, noop_and_order);
	tcase_add_test(tc, children_block_removal);
	tcase_add_test(tc, attributes_survive);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, progress_and_cancel);
	tcase_add_test(tc, two_documents);
	tcase_add_test(tc, allocation_failures);
	suite_add_tcase(s, tc);
	TCase *real = tcase_create("real");
	tcase_set_tags(real, "shared");
	tcase_set_timeout(real, 300);
	tcase_add_checked_fixture(real, setup, teardown);
	tcase_add_test(real, real_data);
	suite_add_tcase(s, real);
	return run_suite(s);
}

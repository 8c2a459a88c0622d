/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_realdata.c — the NBS township list and MCA change table importers:
 * small fixtures cut from the real files (tests/data/nbs, tests/data/mca),
 * bad input of each kind, all-or-nothing, cancel, one by one against all
 * at once.  The real 2016–2023 editions: check_realdata_real.c. */
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
	ck_assert_str_eq(ev->date, "2018"); /* the table's year, of year precision */
	/* the first edition of an empty branch has nothing before it: the rows
	 * already in effect in it are kept as history before it, dated by their
	 * table (2016 撤乡设镇 石龙乡 510525202 → 石龙镇 510525116) */
	ck_assert_uint_eq(townorg_version_event_count(v17), e17->events);
	ev = find_event(v17, "510525202", "510525116");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev->date, "2016");
	ck_assert_int_eq(ev->kind, TOWNORG_EVENT_RECLASSIFY);

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
	int saw_2015 = 0;
	for (size_t i = 0; i < un; i++) {
		const townorg_realdata_unmatched *u = townorg_realdata_report_unmatched(rep, i);
		ck_assert_ptr_nonnull(u->why);
		ck_assert_ptr_nonnull(u->why_code);
		ck_assert_uint_gt(u->line, 0);
		/* 2015: no 省份 column; 海安 is in none of the fixture editions */
		if (u->table_year == 2015 && !strcmp(u->old_code, "320621100") && !strcmp(u->reason, "撤镇建街道")) {
			saw_2015 = 1;
			ck_assert_str_eq(u->why_code, "not-in-nbs");
		}
		/* the 2019 table reaches past the last edition's cut-off */
		if (u->table_year == 2019)
			ck_assert_str_eq(u->why_code, "after-last-edition");
		ck_assert_str_ne(u->why_code, "before-branch");
	}
	ck_assert(saw_2015);
	ck_assert_ptr_null(townorg_realdata_report_unmatched(rep, un));
	/* the attached rows, each once, and the tables */
	ck_assert_uint_eq(townorg_realdata_report_attached_count(rep), matched);
	size_t history = 0, by_name = 0;
	for (size_t i = 0; i < matched; i++) {
		const townorg_realdata_link *l = townorg_realdata_report_attached(rep, i);
		history += l->history;
		by_name += !strcmp(l->how, "name in county");
		if (l->history)
			ck_assert_str_eq(l->edition, "2017");
	}
	ck_assert_uint_eq(history, e17->events);
	ck_assert_uint_gt(by_name, 0);
	ck_assert_ptr_null(townorg_realdata_report_attached(rep, matched));
	ck_assert_uint_eq(townorg_realdata_report_table_count(rep), 5);
	size_t table_rows = 0, table_linked = 0;
	for (size_t i = 0; i < 5; i++) {
		const townorg_realdata_table *tb = townorg_realdata_report_table(rep, i);
		ck_assert_int_eq(tb->year, 2015 + (int)i);
		table_rows += tb->rows;
		table_linked += tb->linked;
	}
	ck_assert_uint_eq(table_rows, rows);
	ck_assert_uint_eq(table_linked, matched);
	ck_assert_ptr_null(townorg_realdata_report_table(rep, 5));
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
	/* every report names the year: of the edition, or of the MCA table */
	ck_assert_ptr_nonnull(p->edition);
	ck_assert_int_eq(strlen(p->edition), 4);
	ck_assert_int_ge(atoi(p->edition), 2015);
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

/* Importing the editions one by one (the yearly workflow) gives the same
 * versions — ids, state hashes, events — as importing them all at once,
 * and attaches each MCA row once.  Version ids do not depend on when the
 * import ran (the recorded time is the edition's cut-off). */
START_TEST(one_by_one)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_realdata_report *all = NULL;
	townorg_repo *other;
	o.mca_source = MCA;
	OK(townorg_nbs_import(&all, repo, NBS, &o));
	OK(townorg_repo_new(&other));
	size_t attached = 0;
	const char *years[] = { NBS "/2017", NBS "/2018", NBS "/2019" };
	for (size_t i = 0; i < 3; i++) {
		townorg_realdata_report *one = NULL;
		OK(townorg_nbs_import(&one, other, years[i], &o));
		attached += townorg_realdata_report_attached_count(one);
		ck_assert_uint_eq(townorg_realdata_report_edition(one, 0)->events,
				  townorg_realdata_report_edition(all, i)->events);
		ck_assert_uint_eq(townorg_realdata_report_mca_matched(one) + townorg_realdata_report_unmatched_count(one),
				  townorg_realdata_report_mca_rows(one));
		townorg_realdata_report_free(one);
	}
	ck_assert_uint_eq(attached, townorg_realdata_report_attached_count(all));
	ck_assert_uint_eq(attached, townorg_realdata_report_mca_matched(all));
	const char *tags[] = { "nbs-2017", "nbs-2018", "nbs-2019" };
	for (size_t i = 0; i < 3; i++) {
		const townorg_version *a = tag(tags[i]), *b;
		OK(townorg_repo_tag_lookup(&b, other, tags[i]));
		ck_assert_str_eq(townorg_version_id(a), townorg_version_id(b));
		ck_assert_str_eq(townorg_version_state_hash(a), townorg_version_state_hash(b));
		ck_assert_uint_eq(townorg_version_event_count(a), townorg_version_event_count(b));
		ck_assert_str_eq(townorg_version_meta(a)->recorded_at, i == 0 ? "2017-10-31T00:00:00Z"
								       : i == 1 ? "2018-10-31T00:00:00Z"
										: "2019-10-31T00:00:00Z");
	}
	/* importing everything again changes nothing and attaches nothing */
	townorg_realdata_report *again = NULL;
	OK(townorg_nbs_import(&again, other, NBS, &o));
	ck_assert_uint_eq(townorg_realdata_report_attached_count(again), 0);
	ck_assert_uint_eq(townorg_realdata_report_mca_matched(again), townorg_realdata_report_mca_matched(all));
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(townorg_realdata_report_edition(again, i)->skipped, 1);
	townorg_realdata_report_free(again);
	townorg_realdata_report_free(all);
	townorg_repo_free(other);
}
END_TEST

/* Event dates of year and month precision; full dates as before. */
START_TEST(partial_dates)
{
	OK(townorg_event_date_check("2019"));
	OK(townorg_event_date_check("2019-05"));
	OK(townorg_event_date_check("2019-05-31"));
	const char *bad[] = { "", "19", "20190", "2019-5", "2019-13", "2019-00", "2019-02-30", "0999", "2019/05",
			      "2019-05-", "abcd" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(townorg_event_date_check(bad[i]) == TOWNORG_EINVALID, "%s", bad[i]);
	ck_assert_int_eq(townorg_event_date_check(NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_event_date_precision("2019"), TOWNORG_DATE_YEAR);
	ck_assert_int_eq(townorg_event_date_precision("2019-05"), TOWNORG_DATE_MONTH);
	ck_assert_int_eq(townorg_event_date_precision("2019-05-31"), TOWNORG_DATE_DAY);
	ck_assert_int_eq(townorg_event_date_precision("2019-5"), TOWNORG_DATE_NONE);
	ck_assert_int_eq(townorg_event_date_precision(NULL), TOWNORG_DATE_NONE);
	/* a transaction takes them; a bad one is refused and names the value */
	townorg_txn *t;
	townorg_entity_builder *b;
	const townorg_version *v;
	OK(townorg_txn_new(&t, repo, NULL));
	OK(townorg_entity_builder_new(&b, "34", TOWNORG_KIND_PROVINCE, "安徽省", NULL));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	const char *ids[] = { "34" };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_CREATE;
	ev.to_ids = ids;
	ev.to_count = 1;
	ev.date = "2019-13";
	ck_assert_int_eq(townorg_txn_add_event(t, &ev), TOWNORG_EINVALID);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "2019-13"));
	ev.date = "2019";
	OK(townorg_txn_add_event(t, &ev));
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	ck_assert_str_eq(townorg_version_event(v, 0)->date, "2019");
}
END_TEST

/* GB18030 files (as Excel and WPS save them on Chinese Windows) read as
 * their UTF-8 originals: the same state, the same events. */
START_TEST(gb18030)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_repo *other;
	OK(townorg_nbs_import(NULL, repo, NBS "/2017", &o));
	OK(townorg_repo_new(&other));
	OK(townorg_nbs_import(NULL, other, NBS "/gb18030/2017", &o));
	const townorg_version *a = tag("nbs-2017"), *b;
	OK(townorg_repo_tag_lookup(&b, other, "nbs-2017"));
	ck_assert_str_eq(townorg_version_state_hash(a), townorg_version_state_hash(b));
	ck_assert_str_eq(townorg_entity_name(get(b, "320804100")), "王营镇");
	/* an MCA table in GB18030 attaches the same events */
	townorg_realdata_report *ra = NULL, *rb = NULL;
	o.mca_source = MCA "/sub-county-diff_2018.csv";
	OK(townorg_nbs_import(&ra, repo, NBS "/2018", &o));
	o.mca_source = MCA "/gb18030/sub-county-diff_2018.csv";
	OK(townorg_nbs_import(&rb, other, NBS "/2018", &o));
	ck_assert_uint_gt(townorg_realdata_report_edition(ra, 0)->events, 0);
	ck_assert_uint_eq(townorg_realdata_report_edition(ra, 0)->events, townorg_realdata_report_edition(rb, 0)->events);
	OK(townorg_repo_tag_lookup(&b, other, "nbs-2018"));
	ck_assert_str_eq(townorg_version_id(tag("nbs-2018")), townorg_version_id(b));
	townorg_realdata_report_free(ra);
	townorg_realdata_report_free(rb);
	townorg_repo_free(other);
}
END_TEST

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
	tcase_add_test(tc, one_by_one);
	tcase_add_test(tc, gb18030);
	tcase_add_test(tc, partial_dates);
	tcase_add_test(tc, allocation_failures);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_history.c — blame, history, lineage and changes between dates,
 * on 黟县's 2008 reform (篇7) and a reorganisation after it (篇4). */
#include <config.h>
#include <jansson.h>
#include "testutil.h"
#include "core/repo_internal.h"

static townorg_repo *repo;
static const townorg_version *v[8];

static void meta(townorg_txn *t, const char *date, const char *doc)
{
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = date;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = doc;
	m.author = "黟县编办";
	OK(townorg_txn_set_meta(t, &m));
}

static const townorg_version *commit(townorg_txn *t)
{
	const townorg_version *r;
	OK(townorg_txn_commit(&r, t));
	townorg_txn_free(t);
	return r;
}

static void event(townorg_txn *t, townorg_event_kind kind, const char **from, size_t nf, const char **to, size_t nt,
		  const char *doc)
{
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = kind;
	ev.from_ids = from;
	ev.from_count = nf;
	ev.to_ids = to;
	ev.to_count = nt;
	ev.documents = doc ? &doc : NULL;
	ev.document_count = doc ? 1 : 0;
	OK(townorg_txn_add_event(t, &ev));
}

static void set_station(townorg_txn *t, const char *id, const char *regime, const char *sup, long inst)
{
	const townorg_entity *e;
	townorg_entity_builder *b;
	OK(townorg_txn_get(&e, t, id));
	OK(townorg_entity_builder_from(&b, e));
	if (regime)
		OK(townorg_entity_builder_set_text(b, "regime", regime));
	if (sup)
		OK(townorg_entity_builder_set_text(b, "supervisor", sup));
	if (inst >= 0)
		OK(townorg_entity_builder_set_quota(b, "inst", inst));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
}

static const char *const seven[7] = { "s11", "s12", "s13", "s14", "s15", "s16", "s17" };
static const char *const seven_names[7] = { "文化广播电视站", "农业综合服务站", "农经站", "水利站",
					    "计生所", "蚕桑站", "畜牧兽医站" };

/* v0 base; v1 the merge into 为民服务中心; v2 林业站 quota 5 → 4; v3 the
 * town renamed; v4 林业站 quota back to 5; v5 reorganize {中心, 林业站} →
 * {综合服务中心, 农林站}; v6 rename and move. */
static void setup(void)
{
	townorg_txn *t;
	ck_assert_int_eq(townorg_repo_new(&repo), 0);
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	put(t, mk("341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
	for (int i = 0; i < 7; i++)
		put(t, mk_organ(seven[i], TOWNORG_KIND_STATION, seven_names[i], "341023-001", -1, 4, 4));
	put(t, mk_organ("forest", TOWNORG_KIND_STATION, "林业站", "341023-001", -1, 5, 5));
	meta(t, "2008-01-01", "黟政〔2008〕1号");
	v[0] = commit(t);

	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	for (int i = 0; i < 7; i++)
		OK(townorg_txn_remove(t, seven[i]));
	put(t, mk_organ("center", TOWNORG_KIND_CENTER, "为民服务中心", "341023-001", -1, 25, 24));
	set_station(t, "forest", "department_led", "dept-forest", -1);
	const char *to[] = { "center" };
	event(t, TOWNORG_EVENT_MERGE, (const char **)seven, 7, to, 1, "黟编〔2008〕5号");
	meta(t, "2008-06-01", "黟编〔2008〕5号");
	v[1] = commit(t);

	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	set_station(t, "forest", NULL, NULL, 4);
	meta(t, "2009-01-01", "黟编〔2009〕2号");
	v[2] = commit(t);

	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk("341023-001", TOWNORG_KIND_TOWN, "碧阳镇（新）", "341023"));
	meta(t, "2010-01-01", "黟编〔2010〕1号");
	v[3] = commit(t);

	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	set_station(t, "forest", NULL, NULL, 5);
	meta(t, "2011-01-01", "黟编〔2011〕3号");
	v[4] = commit(t);

	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_txn_remove(t, "center"));
	OK(townorg_txn_remove(t, "forest"));
	put(t, mk_organ("hub", TOWNORG_KIND_CENTER, "综合服务中心", "341023-001", -1, 20, 20));
	put(t, mk_organ("agri", TOWNORG_KIND_STATION, "农林站", "341023-001", -1, 8, 8));
	const char *rf[] = { "center", "forest" }, *rt[] = { "hub", "agri" };
	event(t, TOWNORG_EVENT_REORGANIZE, rf, 2, rt, 2, "黟编〔2012〕1号");
	meta(t, "2012-01-01", "黟编〔2012〕1号");
	v[5] = commit(t);

	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	put(t, mk_organ("hub", TOWNORG_KIND_CENTER, "便民服务中心", "341023-001", -1, 20, 20));
	put(t, mk_organ("agri", TOWNORG_KIND_STATION, "农林站", "341023-002", -1, 8, 8));
	const char *h[] = { "hub" }, *ag[] = { "agri" }, *yt[] = { "341023-002" };
	event(t, TOWNORG_EVENT_RENAME, h, 1, h, 1, NULL);
	event(t, TOWNORG_EVENT_MOVE, ag, 1, yt, 1, NULL);
	meta(t, "2013-01-01", "黟编〔2013〕1号");
	v[6] = commit(t);
}

static void teardown(void) { townorg_repo_free(repo); }

START_TEST(blame_fields)
{
	townorg_blame *b;
	OK(townorg_blame_entity(&b, v[4], "forest"));
	ck_assert_str_eq(townorg_entity_id(townorg_blame_entity_value(b)), "forest");
	ck_assert_ptr_eq(townorg_blame_created(b), v[0]);
	const townorg_blame_entry *e = townorg_blame_field(b, "name");
	ck_assert_ptr_eq(e->version, v[0]);
	ck_assert_str_eq(e->value, "林业站");
	ck_assert_str_eq(e->doc_number, "黟政〔2008〕1号");
	ck_assert_str_eq(e->effective_date, "2008-01-01");
	ck_assert_str_eq(e->author, "黟县编办");
	e = townorg_blame_field(b, "regime");
	ck_assert_ptr_eq(e->version, v[1]);
	ck_assert_str_eq(e->value, "department_led");
	ck_assert_str_eq(e->doc_number, "黟编〔2008〕5号");
	ck_assert_ptr_eq(townorg_blame_field(b, "supervisor")->version, v[1]);
	/* 5 → 4 → 5: the value now was last set by v4, not v0 */
	e = townorg_blame_field(b, "inst_quota");
	ck_assert_str_eq(e->value, "5");
	ck_assert_ptr_eq(e->version, v[4]);
	ck_assert_ptr_eq(townorg_blame_field(b, "parent_id")->version, v[0]);
	ck_assert_ptr_eq(townorg_blame_field(b, "actual_staff")->version, v[0]);
	ck_assert_ptr_null(townorg_blame_field(b, "admin_quota"));
	for (size_t i = 0; i < townorg_blame_count(b); i++)
		ck_assert_ptr_nonnull(townorg_blame_at(b, i)->version);
	ck_assert_ptr_null(townorg_blame_at(b, townorg_blame_count(b)));
	char *js;
	OK(townorg_blame_to_json(&js, b));
	json_t *root = json_loads(js, 0, NULL);
	ck_assert_ptr_nonnull(root);
	json_t *q = json_object_get(json_object_get(root, "fields"), "inst_quota");
	ck_assert_str_eq(json_string_value(json_object_get(q, "version")), townorg_version_id(v[4]));
	ck_assert_str_eq(json_string_value(json_object_get(q, "doc_number")), "黟编〔2011〕3号");
	json_decref(root);
	townorg_free(js);
	townorg_blame_free(b);
	/* blame at an older version */
	OK(townorg_blame_entity(&b, v[2], "forest"));
	ck_assert_ptr_eq(townorg_blame_field(b, "inst_quota")->version, v[2]);
	townorg_blame_free(b);
	/* an entity created later */
	OK(townorg_blame_entity(&b, v[4], "center"));
	ck_assert_ptr_eq(townorg_blame_created(b), v[1]);
	ck_assert_ptr_eq(townorg_blame_field(b, "name")->version, v[1]);
	townorg_blame_free(b);
	ck_assert_int_eq(townorg_blame_entity(&b, v[4], "s15"), TOWNORG_ENOTFOUND);
	ck_assert_ptr_null(b);
	townorg_blame_free(NULL);
}
END_TEST

START_TEST(history_of_entity)
{
	townorg_history *h;
	OK(townorg_history_entity(&h, v[6], "forest"));
	ck_assert_uint_eq(townorg_history_count(h), 5);
	const townorg_history_entry *e = townorg_history_at(h, 0);
	ck_assert_ptr_eq(e->version, v[5]);
	ck_assert_int_eq(e->status, TOWNORG_DELTA_REMOVED);
	ck_assert_uint_eq(e->event_count, 1);
	ck_assert_int_eq(e->events[0]->kind, TOWNORG_EVENT_REORGANIZE);
	e = townorg_history_at(h, 1);
	ck_assert_ptr_eq(e->version, v[4]);
	ck_assert_int_eq(e->status, TOWNORG_DELTA_CHANGED);
	ck_assert_uint_eq(e->field_count, 1);
	ck_assert_str_eq(e->fields[0].name, "inst_quota");
	ck_assert_str_eq(e->fields[0].old_value, "4");
	ck_assert_str_eq(e->fields[0].new_value, "5");
	ck_assert_ptr_eq(townorg_history_at(h, 2)->version, v[2]);
	e = townorg_history_at(h, 3);
	ck_assert_ptr_eq(e->version, v[1]);
	ck_assert_uint_eq(e->field_count, 2);
	ck_assert_uint_eq(e->event_count, 0);
	e = townorg_history_at(h, 4);
	ck_assert_ptr_eq(e->version, v[0]);
	ck_assert_int_eq(e->status, TOWNORG_DELTA_ADDED);
	ck_assert_ptr_null(e->old_entity);
	ck_assert_ptr_null(townorg_history_at(h, 5));
	townorg_history_free(h);
	/* an id gone long ago */
	OK(townorg_history_entity(&h, v[6], "s15"));
	ck_assert_uint_eq(townorg_history_count(h), 2);
	ck_assert_int_eq(townorg_history_at(h, 0)->status, TOWNORG_DELTA_REMOVED);
	ck_assert_uint_eq(townorg_history_at(h, 0)->event_count, 1);
	ck_assert_int_eq(townorg_history_at(h, 0)->events[0]->kind, TOWNORG_EVENT_MERGE);
	townorg_history_free(h);
	OK(townorg_history_entity(&h, v[6], "never"));
	ck_assert_uint_eq(townorg_history_count(h), 0);
	townorg_history_free(h);
}
END_TEST

static const townorg_lineage_node *node(const townorg_lineage *lg, const char *id)
{
	for (size_t i = 0; i < townorg_lineage_node_count(lg); i++)
		if (!strcmp(townorg_lineage_node_at(lg, i)->id, id))
			return townorg_lineage_node_at(lg, i);
	return NULL;
}

START_TEST(lineage_graph)
{
	townorg_lineage *lg;
	/* 计生所 → 为民服务中心 → {综合服务中心, 农林站} */
	OK(townorg_lineage_of(&lg, v[6], "s15", 0));
	ck_assert_uint_eq(townorg_lineage_node_count(lg), 4);
	const townorg_lineage_node *n = node(lg, "s15");
	ck_assert(n->is_root);
	ck_assert(!n->present);
	ck_assert_str_eq(n->name, "计生所");
	ck_assert_int_eq(n->kind, TOWNORG_KIND_STATION);
	ck_assert_str_eq(node(lg, "center")->name, "为民服务中心");
	ck_assert(!node(lg, "center")->present);
	ck_assert(node(lg, "hub")->present);
	ck_assert_str_eq(node(lg, "hub")->name, "便民服务中心");
	ck_assert_ptr_null(node(lg, "forest")); /* a co-predecessor, not a successor */
	ck_assert_ptr_null(node(lg, "s11"));
	/* steps: the merge, two reorganize edges, the rename, the move */
	ck_assert_uint_eq(townorg_lineage_edge_count(lg), 5);
	const townorg_lineage_edge *e = townorg_lineage_edge_at(lg, 0);
	ck_assert_str_eq(e->from_id, "s15");
	ck_assert_str_eq(e->to_id, "center");
	ck_assert_ptr_eq(e->version, v[1]);
	ck_assert_int_eq(e->event->kind, TOWNORG_EVENT_MERGE);
	e = townorg_lineage_edge_at(lg, 4);
	ck_assert_int_eq(e->event->kind, TOWNORG_EVENT_MOVE);
	ck_assert_str_eq(e->from_id, "agri");
	ck_assert_str_eq(e->to_id, "agri"); /* the move names the new parent */
	char *s;
	OK(townorg_lineage_to_dot(&s, lg));
	ck_assert_msg(strstr(s, "digraph lineage {"), "%s", s);
	ck_assert_msg(strstr(s, "\"s15\" -> \"center\" [label=\"merge\\n2008-06-01\\n黟编〔2008〕5号\"]"), "%s", s);
	ck_assert_msg(strstr(s, "\"s15\" [label=\"计生所\\ns15\", style=bold]"), "%s", s);
	townorg_free(s);
	OK(townorg_lineage_to_json(&s, lg));
	json_t *root = json_loads(s, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "nodes")), 4);
	json_t *e0 = json_array_get(json_object_get(root, "edges"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e0, "kind")), "merge");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e0, "documents"), 0)), "黟编〔2008〕5号");
	json_decref(root);
	townorg_free(s);
	OK(townorg_lineage_to_text(&s, lg, TOWNORG_LANG_ZH));
	ck_assert_msg(strstr(s, "2008-06-01 撤并 s15 计生所 → center 为民服务中心（黟编〔2008〕5号）"), "%s", s);
	townorg_free(s);
	OK(townorg_lineage_to_text(&s, lg, TOWNORG_LANG_EN));
	ck_assert_msg(strstr(s, "2008-06-01 merge s15 计生所 → center 为民服务中心 (黟编〔2008〕5号)"), "%s", s);
	townorg_free(s);
	OK(townorg_lineage_to_dot_lang(&s, lg, TOWNORG_LANG_ZH));
	ck_assert_msg(strstr(s, "label=\"撤并\\n2008-06-01"), "%s", s);
	townorg_free(s);
	OK(townorg_lineage_to_dot(&s, lg));
	ck_assert_msg(strstr(s, "label=\"merge\\n2008-06-01"), "%s", s);
	townorg_free(s);
	ck_assert_int_eq(townorg_lineage_to_dot_lang(NULL, lg, TOWNORG_LANG_ZH), TOWNORG_EINVALID);
	townorg_lineage_free(lg);
	/* predecessors of the hub: the centre, the forestry station and the seven */
	OK(townorg_lineage_of(&lg, v[6], "hub", TOWNORG_LINEAGE_PREDECESSORS));
	ck_assert_uint_eq(townorg_lineage_node_count(lg), 10);
	ck_assert_ptr_null(node(lg, "agri"));
	townorg_lineage_free(lg);
	/* the whole family */
	OK(townorg_lineage_of(&lg, v[6], "s15", TOWNORG_LINEAGE_FAMILY));
	ck_assert_uint_eq(townorg_lineage_node_count(lg), 11);
	ck_assert_uint_eq(townorg_lineage_edge_count(lg), 7 + 4 + 2);
	townorg_lineage_free(lg);
	/* as of v1 the later events are not history yet */
	OK(townorg_lineage_of(&lg, v[1], "s15", 0));
	ck_assert_uint_eq(townorg_lineage_node_count(lg), 2);
	ck_assert(node(lg, "center")->present);
	townorg_lineage_free(lg);
	/* an id no event names */
	OK(townorg_lineage_of(&lg, v[6], "341023-002", 0));
	ck_assert_uint_eq(townorg_lineage_node_count(lg), 1);
	ck_assert_uint_eq(townorg_lineage_edge_count(lg), 0);
	townorg_lineage_free(lg);
	ck_assert_int_eq(townorg_lineage_of(&lg, v[6], "x", 64), TOWNORG_EINVALID);
}
END_TEST

static void ck_made(const char *which)
{
	for (int i = 0; i <= 6; i++)
		ck_assert_msg((v[i]->ev_cache != NULL) == (strchr(which, '0' + i) != NULL),
			      "v%d's event records %s", i, v[i]->ev_cache ? "made" : "not made");
}

/* The index of a record among its version's (townorg_version_event). */
static size_t record_index(const townorg_version *ver, const townorg_event *e)
{
	for (size_t k = 0; k < townorg_version_event_count(ver); k++)
		if (townorg_version_event(ver, k) == e)
			return k;
	ck_abort_msg("event not a record of its version");
	return 0;
}

/* History, lineage and diffs read the versions' encoded events; the
 * records they hand out are the versions' own (townorg_version_event),
 * made only for the versions that have one to hand out. */
START_TEST(events_for_readers)
{
	ck_made("");
	/* a lineage with no edges (the move of agri is no step of 渔亭镇) */
	townorg_lineage *lg;
	OK(townorg_lineage_of(&lg, v[6], "341023-002", 0));
	ck_assert_uint_eq(townorg_lineage_edge_count(lg), 0);
	townorg_lineage_free(lg);
	ck_made("");
	/* a diff whose scope keeps only the move (the events naming a town) */
	townorg_diff *d;
	townorg_diff_options o = TOWNORG_DIFF_OPTIONS_INIT;
	o.kinds = TOWNORG_KIND_BIT(TOWNORG_KIND_TOWN);
	OK(townorg_diff_versions(&d, v[0], v[6], &o));
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	ck_assert_ptr_eq(townorg_diff_event_at(d, 0)->version, v[6]);
	ck_assert_ptr_eq(townorg_diff_event_at(d, 0)->event, townorg_version_event(v[6], 1));
	townorg_diff_free(d);
	ck_made("6");
	/* history: the records of the versions with an event naming the id */
	townorg_history *h;
	OK(townorg_history_entity(&h, v[6], "forest"));
	const townorg_history_entry *he = townorg_history_at(h, 0);
	ck_assert_uint_eq(he->event_count, 1);
	const townorg_event *re = he->events[0];
	ck_assert_ptr_eq(re, townorg_version_event(v[5], 0));
	ck_assert_str_eq(re->event_id, "e1");
	const char *rf[] = { "center", "forest" }, *rt[] = { "hub", "agri" }, *rd[] = { "黟编〔2012〕1号" };
	ck_strv_eq(re->from_ids, re->from_count, rf, 2);
	ck_strv_eq(re->to_ids, re->to_count, rt, 2);
	ck_strv_eq(re->documents, re->document_count, rd, 1);
	ck_assert_ptr_null(re->date);
	ck_assert_ptr_null(re->wording);
	townorg_history_free(h);
	ck_made("56");
	/* lineage: each edge's event is its version's record and names the
	 * edge's ends */
	OK(townorg_lineage_of(&lg, v[6], "s15", TOWNORG_LINEAGE_FAMILY));
	ck_assert_uint_eq(townorg_lineage_edge_count(lg), 13);
	for (size_t i = 0; i < townorg_lineage_edge_count(lg); i++) {
		const townorg_lineage_edge *e = townorg_lineage_edge_at(lg, i);
		const townorg_event *ev = e->event;
		record_index(e->version, ev);
		bool ff = !e->from_id, ft = !e->to_id;
		for (size_t j = 0; j < ev->from_count; j++)
			ff |= e->from_id == ev->from_ids[j];
		for (size_t j = 0; j < ev->to_count; j++)
			ft |= e->to_id == ev->to_ids[j] || e->to_id == e->from_id;
		ck_assert_msg(ff && ft, "edge %zu: %s -> %s", i, e->from_id ? e->from_id : "-", e->to_id ? e->to_id : "-");
	}
	townorg_lineage_free(lg);
	ck_made("156");
	/* every event between, oldest first, backward as forward */
	for (int back = 0; back < 2; back++) {
		OK(back ? townorg_diff_versions(&d, v[6], v[0], NULL) : townorg_diff_versions(&d, v[0], v[6], NULL));
		ck_assert_uint_eq(townorg_diff_num_events(d), 4);
		const townorg_version *ver[] = { v[1], v[5], v[6], v[6] };
		const size_t idx[] = { 0, 0, 0, 1 };
		for (size_t i = 0; i < 4; i++) {
			const townorg_diff_event *de = townorg_diff_event_at(d, i);
			ck_assert_ptr_eq(de->version, ver[i]);
			ck_assert_ptr_eq(de->event, townorg_version_event(ver[i], idx[i]));
		}
		townorg_diff_free(d);
	}
}
END_TEST

START_TEST(between_dates)
{
	townorg_diff *d;
	OK(townorg_diff_dates(&d, repo, "main", "2008-03-01", "2009-06-30", NULL));
	ck_assert_ptr_eq(townorg_diff_from(d), v[0]);
	ck_assert_ptr_eq(townorg_diff_to(d), v[2]);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED), 7);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), 1);
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_CHANGED), 1);
	ck_assert_uint_eq(townorg_diff_num_events(d), 1);
	townorg_diff_free(d);
	/* before anything was in effect: the empty state */
	OK(townorg_diff_dates(&d, repo, "main", "2000-01-01", "2008-01-01", NULL));
	ck_assert_ptr_null(townorg_diff_from(d));
	ck_assert_uint_eq(townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED), townorg_version_entity_count(v[0]));
	townorg_diff_free(d);
	ck_assert_int_eq(townorg_diff_dates(&d, repo, "main", "2008-02-30", "2009-01-01", NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_diff_dates(&d, repo, "nope", "2008-01-01", "2009-01-01", NULL), TOWNORG_ENOTFOUND);
}
END_TEST

static Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, blame_fields);
	tcase_add_test(tc, history_of_entity);
	tcase_add_test(tc, lineage_graph);
	tcase_add_test(tc, events_for_readers);
	tcase_add_test(tc, between_dates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return run_suite(history_suite()); }

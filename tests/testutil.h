/* SPDX-License-Identifier: MulanPSL-2.0 */
/* testutil.h — small helpers shared by the Check suites. */
#ifndef TOWNORG_TESTUTIL_H
#define TOWNORG_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "townorg.h"

#define OK(expr)                                                                                   \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		ck_assert_msg(rc_ == 0, "%s failed: %d %s", #expr, rc_,                            \
			      townorg_error_last() ? townorg_error_last() : "");                    \
	} while (0)

/* Build an entity; quota < 0 leaves it unset. */
static inline townorg_entity *mk(const char *id, townorg_kind k, const char *name, const char *parent)
{
	townorg_entity_builder *b;
	townorg_entity *e;
	ck_assert_int_eq(townorg_entity_builder_new(&b, id, k, name, parent), 0);
	ck_assert_int_eq(townorg_entity_builder_build(&e, b), 0);
	townorg_entity_builder_free(b);
	return e;
}

static inline townorg_entity *mk_organ(const char *id, townorg_kind k, const char *name, const char *parent,
				       long admin, long inst, long staff)
{
	townorg_entity_builder *b;
	townorg_entity *e;
	ck_assert_int_eq(townorg_entity_builder_new(&b, id, k, name, parent), 0);
	if (admin >= 0)
		ck_assert_int_eq(townorg_entity_builder_set_quota(b, "admin", admin), 0);
	if (inst >= 0)
		ck_assert_int_eq(townorg_entity_builder_set_quota(b, "inst", inst), 0);
	if (staff >= 0)
		ck_assert_int_eq(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, staff), 0);
	ck_assert_int_eq(townorg_entity_builder_build(&e, b), 0);
	townorg_entity_builder_free(b);
	return e;
}

static inline void put(townorg_txn *t, townorg_entity *e)
{
	OK(townorg_txn_put(t, e));
	townorg_entity_free(e);
}

/*
 * Events that exercise how a version holds its events (a compact block,
 * lib/core/version.c): made-up ids ("e1", ...) and given ones (one equal to a
 * made-up id, one naming another record's group), NULL and empty strings,
 * Chinese text, and lists longer than the block's short counts and the
 * reader's scratch.  Fills ev[0..SAMPLE_EVENTS) (static data).
 */
#define SAMPLE_EVENTS 6
static inline void sample_events(townorg_event ev[SAMPLE_EVENTS])
{
	static const char *const f0[] = { "130102-001", "130102-002" }, *const t0[] = { "130102-003" };
	static const char *const d0[] = { "冀民函〔2022〕79号" };
	static const char *const t1[] = { "130102-004" };
	static const char *const f2[] = { "130102-003" };
	static const char *const f3[] = { "130102-003-01" };
	static const char *const f4[] = { "130102-001-01" }, *const t4[] = { "130102-003-02" };
	static const char *const d4[] = { "冀民函〔2022〕79号", "石编〔2022〕3号" };
	static const char *const f5[] = { "a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10" };
	static const char *const t5[] = { "b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09" };
	static const char *const d5[] = { "冀编〔2022〕1号", "冀编〔2022〕2号", "冀编〔2022〕3号", "冀编〔2022〕4号" };
	for (int i = 0; i < SAMPLE_EVENTS; i++)
		ev[i] = (townorg_event)TOWNORG_EVENT_INIT;
	ev[0].kind = TOWNORG_EVENT_MERGE;
	ev[0].from_ids = f0, ev[0].from_count = 2, ev[0].to_ids = t0, ev[0].to_count = 1;
	ev[0].documents = d0, ev[0].document_count = 1;
	ev[0].date = "2022-03-01";
	ev[0].wording = "撤销东风乡、西岗乡，设立新华镇（冀民函〔2022〕79号）";
	ev[1].kind = TOWNORG_EVENT_CREATE;
	ev[1].event_id = "reform-2022-7";
	ev[1].to_ids = t1, ev[1].to_count = 1;
	ev[1].wording = "";
	ev[2].kind = TOWNORG_EVENT_RENAME;
	ev[2].from_ids = f2, ev[2].from_count = 1, ev[2].to_ids = f2, ev[2].to_count = 1;
	ev[3].kind = TOWNORG_EVENT_MOVE;
	ev[3].event_id = "e1"; /* joins the first record's group */
	ev[3].from_ids = f3, ev[3].from_count = 1, ev[3].to_ids = t1, ev[3].to_count = 1;
	ev[4].kind = TOWNORG_EVENT_TRANSFER_FUNCTIONS;
	ev[4].event_id = "e5"; /* the id it would have been given */
	ev[4].from_ids = f4, ev[4].from_count = 1, ev[4].to_ids = t4, ev[4].to_count = 1;
	ev[4].documents = d4, ev[4].document_count = 2;
	ev[4].date = "2022-03-15";
	ev[5].kind = TOWNORG_EVENT_REORGANIZE;
	ev[5].from_ids = f5, ev[5].from_count = 10, ev[5].to_ids = t5, ev[5].to_count = 9;
	ev[5].documents = d5, ev[5].document_count = 4;
	ev[5].wording = "整合为综合服务中心";
}

static inline void add_sample_events(townorg_txn *t)
{
	townorg_event ev[SAMPLE_EVENTS];
	sample_events(ev);
	for (int i = 0; i < SAMPLE_EVENTS; i++)
		OK(townorg_txn_add_event(t, &ev[i]));
}

static inline void ck_strv_eq(const char *const *got, size_t ngot, const char *const *want, size_t nwant)
{
	ck_assert_uint_eq(ngot, nwant);
	if (!nwant)
		ck_assert_ptr_null(got);
	for (size_t j = 0; j < nwant; j++)
		ck_assert_str_eq(got[j], want[j]);
}

static inline void ck_opt_str_eq(const char *got, const char *want)
{
	if (!want)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

/* The record at index i is `want` as given to townorg_txn_add_event. */
static inline void ck_event_eq(const townorg_event *got, const townorg_event *want, size_t i)
{
	char made[24];
	snprintf(made, sizeof made, "e%zu", i + 1);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->version, TOWNORG_EVENT_STRUCT_VERSION);
	ck_assert_int_eq(got->kind, want->kind);
	ck_assert_str_eq(got->event_id, want->event_id ? want->event_id : made);
	ck_strv_eq(got->from_ids, got->from_count, want->from_ids, want->from_count);
	ck_strv_eq(got->to_ids, got->to_count, want->to_ids, want->to_count);
	ck_strv_eq(got->documents, got->document_count, want->documents, want->document_count);
	ck_opt_str_eq(got->date, want->date);
	ck_opt_str_eq(got->wording, want->wording);
}

/* v's events are the sample's, read through townorg_version_event: each
 * twice, the same record both times. */
static inline void ck_sample_events(const townorg_version *v)
{
	townorg_event want[SAMPLE_EVENTS];
	sample_events(want);
	ck_assert_uint_eq(townorg_version_event_count(v), SAMPLE_EVENTS);
	for (size_t i = 0; i < SAMPLE_EVENTS; i++) {
		const townorg_event *e = townorg_version_event(v, i);
		ck_event_eq(e, &want[i], i);
		ck_assert_ptr_eq(townorg_version_event(v, i), e);
	}
	ck_assert_ptr_null(townorg_version_event(v, SAMPLE_EVENTS));
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

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

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

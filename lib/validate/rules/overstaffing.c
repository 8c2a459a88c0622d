/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * overstaffing.c — rule quota.overstaffed: actual headcount above quota
 * (超编; "不得超编进人").  An organ with no quota set — a dispatched agency
 * staffed by its county department — is never over-staffed.
 */
#include "validate/rules.h"

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		int64_t staff;
		if (!townorg_kind_is_organ(townorg_entity_kind(e)) || !townorg_entity_quota_count(e) ||
		    townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &staff) < 0)
			continue;
		int64_t quota = townorg_entity_quota_total(e);
		if (staff <= quota)
			continue;
		townorg__report_in in = { .entity = townorg_entity_id(e), .path = "actual_staff", .has_value = true,
					  .value = staff, .has_limit = true, .limit = quota };
		townorg__msgargs a = { .name = townorg__display_name(e), .value = staff, .limit = quota };
		int rc = townorg__report(ctx, &in, TOWNORG__M_OVERSTAFFED, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const townorg__param_spec params[] = { { NULL, 0, NULL, NULL, NULL } };

const townorg__rule townorg__rule_overstaffed = {
	"quota.overstaffed", TOWNORG_SEVERITY_ERROR,
	"an organ's actual staff is above its quota (超编); organs with no quota are never over-staffed", params, check,
};

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * total_control.c — rule quota.pool: "总量控制" (篇7).  For each quota type,
 * what is allocated below an approved pool sums to at most the pool:
 * county → township-level units → organs.  A unit counts as its own pool
 * where one is set, else as the sum of its organs' quotas; entities with no
 * quota of that type add nothing.  Above the pool is a finding at the
 * rule's severity; an unallocated remainder ("在留有适当空编前提下") is only
 * reported, as info: 义安镇's offices hold 25 of its 31 administrative quota.
 */
#include "validate/rules.h"
#include <stdio.h>

/* Quota of `type` an entity contributes upward; false when it has none. */
static bool contributes(const townorg_version *v, const townorg_entity *e, const char *type, int64_t *out)
{
	if (townorg_entity_quota(e, type, out) == 0)
		return true;
	if (!townorg_kind_is_township_level(townorg_entity_kind(e)))
		return false;
	const townorg__childset *cs = townorg__children_get(&v->children, townorg_entity_id(e));
	bool any = false;
	*out = 0;
	for (size_t i = 0; cs && i < cs->n; i++) {
		int64_t q;
		const townorg_entity *o = townorg__child_at(&v->entities, cs, i);
		if (townorg_kind_is_organ(townorg_entity_kind(o)) && townorg_entity_quota(o, type, &q) == 0) {
			*out += q;
			any = true;
		}
	}
	return any;
}

static int check_pool(townorg_rule_ctx *ctx, const townorg_version *v, const townorg_entity *e, bool report_free)
{
	townorg_kind k = townorg_entity_kind(e);
	bool county = k == TOWNORG_KIND_COUNTY;
	if (!county && !townorg_kind_is_township_level(k))
		return 0;
	const townorg__childset *cs = townorg__children_get(&v->children, townorg_entity_id(e));
	for (size_t t = 0; t < townorg_entity_quota_count(e); t++) {
		const char *type;
		int64_t pool, allocated = 0, q;
		townorg_entity_quota_at(e, t, &type, &pool);
		for (size_t i = 0; cs && i < cs->n; i++) {
			const townorg_entity *c = townorg__child_at(&v->entities, cs, i);
			townorg_kind ck = townorg_entity_kind(c);
			if (county ? !townorg_kind_is_township_level(ck) : !townorg_kind_is_organ(ck))
				continue;
			if (county ? contributes(v, c, type, &q) : townorg_entity_quota(c, type, &q) == 0)
				allocated += q;
		}
		if (allocated == pool || (allocated < pool && !report_free))
			continue;
		char path[80], rest[32];
		snprintf(path, sizeof path, "quota.%s", type);
		snprintf(rest, sizeof rest, "%lld", (long long)(pool - allocated));
		townorg__report_in in = { .entity = townorg_entity_id(e), .path = path, .has_value = true,
					  .value = allocated, .has_limit = true, .limit = pool };
		townorg__msgargs a = { .name = townorg__display_name(e), .value = allocated, .limit = pool, .group = type,
				       .text = rest };
		if (allocated < pool)
			in.severity = TOWNORG_SEVERITY_INFO;
		int rc = townorg__report(ctx, &in, allocated > pool ? TOWNORG__M_POOL_OVER : TOWNORG__M_POOL_UNALLOCATED, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	bool report_free = json_is_true(townorg__param(ctx, "report_unallocated"));
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it)))
		if (townorg_entity_quota_count(e)) {
			int rc = check_pool(ctx, v, e, report_free);
			if (rc < 0)
				return rc;
		}
	return 0;
}

static const townorg__param_spec params[] = {
	{ "report_unallocated", TOWNORG__P_BOOL, "true", NULL, "report quota left unallocated under a pool (as info)" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_quota_pool = {
	"quota.pool", TOWNORG_SEVERITY_ERROR,
	"quotas allocated below a pool sum to at most the pool (总量控制); unallocated quota is reported as info",
	params, check,
};

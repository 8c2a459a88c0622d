/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * leader_posts.c — rule leaders.by-class: a township-level unit's leader
 * posts (领导职数) at most the limit of its class — 篇7: large 9, medium 7,
 * small 5.  Units with no class or no leader posts set are not judged.
 */
#include "validate/rules.h"

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	json_t *limits = townorg__param(ctx, "limits");
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		int64_t posts, limit;
		townorg_class cls = townorg_entity_class(e);
		if (!townorg_kind_is_township_level(townorg_entity_kind(e)) || !townorg__class_limit(limits, cls, &limit) ||
		    townorg_entity_int(e, TOWNORG_FIELD_LEADER_POSTS, &posts) < 0 || posts <= limit)
			continue;
		townorg__report_in in = { .entity = townorg_entity_id(e), .path = "leader_posts", .has_value = true,
					  .value = posts, .has_limit = true, .limit = limit };
		townorg__msgargs a = { .name = townorg__display_name(e), .value = posts, .limit = limit, .cls = cls };
		int rc = townorg__report(ctx, &in, TOWNORG__M_LEADERS, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const townorg__param_spec params[] = {
	{ "limits", TOWNORG__P_CLASS_INTS, "{\"large\":9,\"medium\":7,\"small\":5}", NULL,
	  "leader posts allowed by class (篇7)" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_leaders = {
	"leaders.by-class", TOWNORG_SEVERITY_ERROR, "a township's leader posts are within its class limit", params,
	check,
};

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * head_posts.c — rule posts.heads: each comprehensive office has exactly
 * one chief (主任) and at most one deputy (副主任) — "各综合性办公室配备办公室
 * 主任1名，人员编制较多的可增配办公室副主任1名" (篇7).  Judged only where
 * chief_posts / deputy_posts are set.
 */
#include "validate/rules.h"

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	json_t *kinds = townorg__param(ctx, "kinds");
	int64_t chiefs = json_integer_value(townorg__param(ctx, "chiefs"));
	int64_t max_dep = json_integer_value(townorg__param(ctx, "max_deputies"));
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		if (!townorg__kind_in(kinds, townorg_entity_kind(e)))
			continue;
		int64_t n;
		int rc = 0;
		if (townorg_entity_int(e, TOWNORG_FIELD_CHIEF_POSTS, &n) == 0 && n != chiefs) {
			townorg__report_in in = { .entity = townorg_entity_id(e), .path = "chief_posts", .has_value = true,
						  .value = n, .has_limit = true, .limit = chiefs };
			townorg__msgargs a = { .name = townorg__display_name(e), .value = n, .limit = chiefs };
			rc = townorg__report(ctx, &in, TOWNORG__M_HEADS_CHIEF, &a);
		}
		if (rc == 0 && townorg_entity_int(e, TOWNORG_FIELD_DEPUTY_POSTS, &n) == 0 && n > max_dep) {
			townorg__report_in in = { .entity = townorg_entity_id(e), .path = "deputy_posts", .has_value = true,
						  .value = n, .has_limit = true, .limit = max_dep };
			townorg__msgargs a = { .name = townorg__display_name(e), .value = n, .limit = max_dep };
			rc = townorg__report(ctx, &in, TOWNORG__M_HEADS_DEPUTY, &a);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const townorg__param_spec params[] = {
	{ "kinds", TOWNORG__P_KIND_LIST, "[\"office\"]", NULL, "organ kinds judged" },
	{ "chiefs", TOWNORG__P_INT, "1", NULL, "chief posts each must have" },
	{ "max_deputies", TOWNORG__P_INT, "1", NULL, "deputy posts each may have" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_heads = {
	"posts.heads", TOWNORG_SEVERITY_ERROR, "each office has exactly one chief and at most one deputy", params,
	check,
};

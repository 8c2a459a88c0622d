/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * office_count.c — rule offices.by-class: a township-level unit has at most
 * the number of comprehensive offices (综合性办公室, kind "office") its
 * class allows — 篇7: large and medium 3, small 2.  On 黟县's data this
 * flags 渔亭镇 (small, 3 offices) unless a waiver cites the approving
 * document.
 */
#include "validate/rules.h"

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	json_t *limits = townorg__param(ctx, "limits"), *kinds = townorg__param(ctx, "kinds");
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		int64_t limit, count = 0;
		townorg_class cls = townorg_entity_class(e);
		if (!townorg_kind_is_township_level(townorg_entity_kind(e)) || !townorg__class_limit(limits, cls, &limit))
			continue;
		const townorg__childset *cs = townorg__children_get(&v->children, townorg_entity_id(e));
		for (size_t i = 0; cs && i < cs->n; i++)
			count += townorg__kind_in(kinds, townorg_entity_kind(townorg__child_at(&v->entities, cs, i)));
		if (count <= limit)
			continue;
		townorg__report_in in = { .entity = townorg_entity_id(e), .path = "offices", .has_value = true,
					  .value = count, .has_limit = true, .limit = limit };
		townorg__msgargs a = { .name = townorg__display_name(e), .value = count, .limit = limit, .cls = cls };
		int rc = townorg__report(ctx, &in, TOWNORG__M_OFFICES, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const townorg__param_spec params[] = {
	{ "limits", TOWNORG__P_CLASS_INTS, "{\"large\":3,\"medium\":3,\"small\":2}", NULL,
	  "comprehensive offices allowed by class (篇7)" },
	{ "kinds", TOWNORG__P_KIND_LIST, "[\"office\"]", NULL, "organ kinds counted as comprehensive offices" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_offices = {
	"offices.by-class", TOWNORG_SEVERITY_ERROR, "a township's comprehensive offices are within its class limit",
	params, check,
};

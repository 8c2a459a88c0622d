/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * class_indicators.c — rule class.indicators: a township's declared class
 * (大/中/小) agrees with the thresholds a policy sets on its three
 * indicators — population, area and revenue per capita (篇7 names the
 * indicators but gives no numbers, so with no thresholds the rule does
 * nothing).  A unit is "large" if it reaches the large thresholds, else
 * "medium" if it reaches the medium ones, else "small"; `match` says whether
 * every indicator listed must reach its minimum ("all") or one is enough
 * ("any").  Units missing an indicator the thresholds use are not judged.
 */
#include "validate/rules.h"

static const struct {
	const char *name;
	townorg_field field;
	int64_t scale; /* stored units per policy unit: areas are kept in tenths of km² */
} indicators[] = {
	{ "population", TOWNORG_FIELD_POPULATION, 1 },
	{ "area_km2", TOWNORG_FIELD_AREA, 10 },
	{ "revenue_per_capita", TOWNORG_FIELD_REVENUE_PER_CAPITA, 1 },
};

/* 1 reaches, 0 does not, -1 cannot tell (an indicator is missing). */
static int reaches(const townorg_entity *e, json_t *mins, bool all)
{
	const char *k;
	json_t *x;
	bool any = false, every = true;
	json_object_foreach(mins, k, x)
	{
		for (size_t i = 0; i < sizeof indicators / sizeof indicators[0]; i++) {
			if (strcmp(indicators[i].name, k))
				continue;
			int64_t val;
			if (townorg_entity_int(e, indicators[i].field, &val) < 0)
				return -1;
			bool ok = (double)val >= json_number_value(x) * (double)indicators[i].scale - 1e-9;
			any |= ok;
			every &= ok;
		}
	}
	return all ? every : any;
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	json_t *th = townorg__param(ctx, "thresholds");
	bool all = !strcmp(json_string_value(townorg__param(ctx, "match")), "all");
	if (!json_object_size(th))
		return 0;
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		townorg_class cls = townorg_entity_class(e);
		if (!townorg_kind_is_township_level(townorg_entity_kind(e)) || cls == TOWNORG_CLASS_NONE)
			continue;
		townorg_class expect = TOWNORG_CLASS_SMALL;
		static const townorg_class order[] = { TOWNORG_CLASS_LARGE, TOWNORG_CLASS_MEDIUM };
		int r = 0;
		for (size_t i = 0; i < 2; i++) {
			json_t *mins = json_object_get(th, townorg_class_token(order[i]));
			if (!mins || !json_object_size(mins))
				continue;
			if ((r = reaches(e, mins, all)) != 0) {
				if (r > 0)
					expect = order[i];
				break;
			}
		}
		if (r < 0 || expect == cls)
			continue;
		townorg__report_in in = { .entity = townorg_entity_id(e), .path = "class",
					  .value_text = townorg_class_token(cls) };
		townorg__msgargs a = { .name = townorg__display_name(e), .cls = cls, .cls2 = expect };
		int rc = townorg__report(ctx, &in, TOWNORG__M_CLASS, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *const matches[] = { "all", "any", NULL };

static const townorg__param_spec params[] = {
	{ "thresholds", TOWNORG__P_THRESHOLDS, "{}", NULL,
	  "{\"large\": {\"population\": N, \"area_km2\": X, \"revenue_per_capita\": Y}, \"medium\": {...}}; "
	  "empty: the rule does nothing" },
	{ "match", TOWNORG__P_ENUM, "\"all\"", matches, "all: every listed indicator reaches its minimum; any: one does" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_class = {
	"class.indicators", TOWNORG_SEVERITY_ERROR,
	"a township's declared class matches the policy's thresholds on population, area and revenue per capita",
	params, check,
};

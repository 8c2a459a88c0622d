/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * code_range.c — rule code.kind-range: for an official code (9 digits, or
 * the 12-digit NBS form ending in 000) the township part — digits 7 to 9 —
 * lies in the range GB/T 10114 gives the unit's kind: 001–099 街道
 * (subdistrict), 100–199 镇 (town), 200–399 乡 (township), 400–599 类似乡级
 * 单位.  The code is the "code" attribute where set, else the id.  Warning
 * by default: a 乡 turned 镇 often keeps its old code until the next code
 * revision.
 */
#include "validate/rules.h"
#include <stdio.h>
#include <stdlib.h>

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		townorg_kind k = townorg_entity_kind(e);
		if (!townorg_kind_is_township_level(k))
			continue;
		const char *code = townorg_entity_text(e, "code");
		if (!code)
			code = townorg_entity_id(e);
		size_t n = strlen(code);
		if (!(n == 9 && all_digits(code, 9)) && !(n == 12 && all_digits(code, 12) && !strcmp(code + 9, "000")))
			continue;
		char part[4] = { code[6], code[7], code[8], 0 };
		int t = atoi(part), lo, hi;
		switch (k) {
		case TOWNORG_KIND_SUBDISTRICT: lo = 1, hi = 99; break;
		case TOWNORG_KIND_TOWN: lo = 100, hi = 199; break;
		case TOWNORG_KIND_TOWNSHIP: lo = 200, hi = 399; break;
		default: lo = 400, hi = 599; break;
		}
		if (t >= lo && t <= hi)
			continue;
		townorg__report_in in = { .entity = townorg_entity_id(e), .path = "code", .has_value = true, .value = t,
					  .value_text = code };
		townorg__msgargs a = { .name = townorg__display_name(e), .value = t, .kind = k, .text = code };
		int rc = townorg__report(ctx, &in, TOWNORG__M_CODE_RANGE, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const townorg__param_spec params[] = { { NULL, 0, NULL, NULL, NULL } };

const townorg__rule townorg__rule_code_range = {
	"code.kind-range", TOWNORG_SEVERITY_WARNING,
	"an official township code's township part lies in its kind's range (GB/T 10114)", params, check,
};

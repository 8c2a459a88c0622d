/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * registry.c — the built-in rules, listed once in rules.def, and the
 * public listing of them (townorg_rule_builtin_*).  It sits above the rule
 * files (it names them) and below the policy reader and the engine (they
 * look rules up here).  Adding a rule: its file in rules/ (its id,
 * parameters and check beside each other) and one line in rules.def.
 */
#include "validate/rules.h"

const townorg__rule *const townorg__builtin_rules[] = {
#define TOWNORG_RULE(var, id) &var,
#include "validate/rules/rules.def"
#undef TOWNORG_RULE
};
const size_t townorg__builtin_rule_count = sizeof townorg__builtin_rules / sizeof townorg__builtin_rules[0];

const townorg__rule *townorg__builtin_rule(const char *id)
{
	for (size_t i = 0; id && i < townorg__builtin_rule_count; i++)
		if (!strcmp(townorg__builtin_rules[i]->id, id))
			return townorg__builtin_rules[i];
	return NULL;
}

size_t townorg_rule_builtin_count(void) { return townorg__builtin_rule_count; }

int townorg_rule_builtin_at(size_t i, const char **id, townorg_severity *severity, const char **description)
{
	if (i >= townorg__builtin_rule_count)
		return townorg__err(TOWNORG_ENOTFOUND, "no built-in rule %zu (there are %zu)", i,
				    townorg__builtin_rule_count);
	const townorg__rule *r = townorg__builtin_rules[i];
	if (id)
		*id = r->id;
	if (severity)
		*severity = r->severity;
	if (description)
		*description = r->description;
	return 0;
}


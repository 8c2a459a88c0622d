/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * context.h — what the engine (validate.c) and the rule context
 * (context.c) share: the result being filled and the context a rule runs
 * in (internal to the validate layer; rules see only rules.h).
 */
#ifndef TOWNORG_VALIDATE_CONTEXT_H
#define TOWNORG_VALIDATE_CONTEXT_H
#include "validate/rules.h"

struct townorg_validation {
	size_t n, cap;
	townorg_finding *f;
};

struct townorg_rule_ctx {
	const townorg_policy *policy;
	const townorg__rule_conf *conf;
	const townorg_version *v;
	townorg_validation *res;
};

/* The message m with its arguments, in Chinese (zh) or English; NULL when
 * out of memory. */
char *townorg__render_msg(townorg__msg m, const townorg__msgargs *a, bool zh);
/* *dst = a copy of src (NULL stays NULL); -1 when out of memory. */
int townorg__dup_or_null(const char **dst, const char *src);
/* Append a finding to res, taking ownership of the two messages (freed on
 * failure); TOWNORG_ENOMEM when out of memory. */
int townorg__add_finding(townorg_validation *res, const char *rule, townorg_severity sev, const townorg_version *v,
			 const char *entity, const char *path, bool has_value, int64_t value, bool has_limit,
			 int64_t limit, const char *value_text, char *zh, char *en);

#endif

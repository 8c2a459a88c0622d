/* SPDX-License-Identifier: MulanPSL-2.0 */
/* rules.h — the built-in rule registry, the message catalogue and the
 * helpers rules share (internal). */
#ifndef TOWNORG_RULES_H
#define TOWNORG_RULES_H

#include "core/repo_internal.h"
#include <jansson.h>

/* Parameter types: the validator in policy.c checks values against them. */
typedef enum {
	TOWNORG__P_INT,          /* integer >= 0 */
	TOWNORG__P_BOOL,
	TOWNORG__P_ENUM,         /* one of choices */
	TOWNORG__P_STRING_NULL,  /* a string or null */
	TOWNORG__P_CLASS_INTS,   /* {"large"|"medium"|"small": int >= 0} */
	TOWNORG__P_GROUPS,       /* [[quota type...]...], non-empty lists */
	TOWNORG__P_CHOICE_LIST,  /* [choice...] or a single choice */
	TOWNORG__P_KIND_LIST,    /* [entity kind token...] */
	TOWNORG__P_THRESHOLDS,   /* {"large"|"medium": {"population"|"area_km2"|"revenue_per_capita": number >= 0}} */
	TOWNORG__P_ANY           /* custom rules: same JSON type as the default */
} townorg__ptype;

typedef struct {
	const char *name;
	townorg__ptype type;
	const char *default_json;
	const char *const *choices; /* NULL-terminated, for ENUM and CHOICE_LIST */
	const char *doc;
} townorg__param_spec;

typedef struct townorg__rule townorg__rule;
struct townorg__rule {
	const char *id;
	townorg_severity severity;
	const char *description;
	const townorg__param_spec *params; /* terminated by a NULL name */
	int (*check)(townorg_rule_ctx *ctx, const townorg_version *v);
};

/* The registry (rules/registry.c): every built-in rule of rules/rules.def, in id order. */
extern const townorg__rule *const townorg__builtin_rules[];
extern const size_t townorg__builtin_rule_count;
const townorg__rule *townorg__builtin_rule(const char *id);

#define TOWNORG_RULE(var, id) extern const townorg__rule var;
#include "validate/rules/rules.def"
#undef TOWNORG_RULE

/* ---- the message catalogue (context.c) ----
 * Templates hold {name}, {value}, {limit}, {group}, {class}, {class2},
 * {kind}, {text}, {other}, {years}; {group}, {class}, {class2} and {kind}
 * expand in the message's language. */
typedef enum {
	TOWNORG__M_CAP_CEILING,
	TOWNORG__M_CAP_MONOTONE,
	TOWNORG__M_POOL_OVER,
	TOWNORG__M_POOL_UNALLOCATED,
	TOWNORG__M_OVERSTAFFED,
	TOWNORG__M_LEADERS,
	TOWNORG__M_OFFICES,
	TOWNORG__M_CLASS,
	TOWNORG__M_GAP,
	TOWNORG__M_OVERLAP,
	TOWNORG__M_LINEAGE_NONE,
	TOWNORG__M_LINEAGE_ARCHIVES,
	TOWNORG__M_HEADS_CHIEF,
	TOWNORG__M_HEADS_DEPUTY,
	TOWNORG__M_DOC_MISSING,
	TOWNORG__M_DOC_UNPARSED,
	TOWNORG__M_DOC_VARIANT,
	TOWNORG__M_CODE_RANGE,
	TOWNORG__M_ERA,
	TOWNORG__M_LINEAGE_NO_ARCHIVES_DATA,
	TOWNORG__M_COUNT
} townorg__msg;

typedef struct {
	const char *name;   /* display name of the entity */
	int64_t value, limit, years;
	const char *group;  /* quota group, e.g. "admin+inst" */
	townorg_class cls, cls2;
	townorg_kind kind;
	const char *text, *other;
} townorg__msgargs;

/* What a built-in rule reports; the engine adds rule, version, messages. */
typedef struct {
	townorg_severity severity; /* DEFAULT: the rule's configured one */
	const townorg_version *v;  /* NULL: the version being validated */
	const char *entity, *path, *value_text;
	bool has_value, has_limit;
	int64_t value, limit;
} townorg__report_in;

int townorg__report(townorg_rule_ctx *ctx, const townorg__report_in *in, townorg__msg msg,
		    const townorg__msgargs *args);

/* The running rule's parameter (borrowed, never NULL for a built-in rule's
 * declared parameter). */
json_t *townorg__param(const townorg_rule_ctx *ctx, const char *name);
/* The repository to resolve names in for v (its own, or a preview's parent's). */
townorg_repo *townorg__ctx_repo(const townorg_version *v);

/* ---- policies (policy.c) ---- */
typedef struct {
	const townorg__rule *builtin; /* NULL for a custom rule */
	townorg_rule_def custom;      /* custom rules: a copy (id, params_json, description owned) */
	const char *id;               /* borrowed from builtin or custom */
	bool enabled;
	townorg_severity severity;
	json_t *params;               /* object holding every declared parameter */
	json_t *defaults;             /* custom rules: default parameters (their JSON types rule) */
} townorg__rule_conf;

typedef struct {
	char *rule, *entity, *reason, *document;
} townorg__waiver;

struct townorg_policy {
	char *title, *valid_from, *valid_to;
	size_t n_rules;
	townorg__rule_conf *rules;
	size_t n_waivers;
	townorg__waiver *waivers;
};

townorg__rule_conf *townorg__policy_rule(const townorg_policy *p, const char *id);
/* The embedded default policy (policy_default.c), identical to policies/default.json. */
extern const char townorg__default_policy_json[];

/* ---- shared helpers (context.c) ---- */
/* What changed against the first parent: cb(old, new, cbctx) for every
 * entity added (old NULL), removed (new NULL) or changed between v's first
 * parent and v, the parent loaded first.  0 when v has no parent; a
 * negative code from loading, or what cb returned to stop the walk. */
int townorg__rule_changes(const townorg_version *v, townorg__hamt_diff_cb cb, void *cbctx);
const char *townorg__display_name(const townorg_entity *e);
/* Limit for a class from a CLASS_INTS param; false when the class has none. */
bool townorg__class_limit(json_t *limits, townorg_class cls, int64_t *out);
/* 1 when token names kind in a KIND_LIST param. */
bool townorg__kind_in(json_t *kinds, townorg_kind kind);
/* The first parent, or NULL. */
static inline const townorg_version *townorg__first_parent(const townorg_version *v)
{
	return v->n_parents ? v->parents[0] : NULL;
}

/* Document numbers (documents.c): 0 canonical, 1 a tolerated variant (the
 * canonical form written to canon, owned), -1 does not parse. */
int townorg__docnum_check(const char *number, char **canon);

#endif

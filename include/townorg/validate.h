/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/validate.h — policy validation: rules, policies, waivers, findings.
 *
 * A *rule* has an id ("quota.no-increase-window"), a default severity, typed
 * parameters with defaults, and a check over one version or over a window
 * of its history (the first-parent line).  A *policy* says which rules run,
 * with which parameters and severities, the dates it applies to, and which
 * findings are *waived* (rule + entity, with a reason and the approving
 * document).  Validating a version gives a *validation*: the findings,
 * sorted deterministically, and whether the version conforms (no unwaived
 * error).  A transaction can be validated before it commits (dry run).
 *
 * The built-in rules and their parameters are listed in docs/format.md
 * ("Policy files"); townorg_rule_builtin_count/at enumerate them.  Without a
 * policy the library uses its embedded default policy, identical to the
 * installed policies/default.json (篇7's 2008 limits).
 *
 * Custom rules are C callbacks registered on a policy
 * (townorg_policy_register_rule); they read their parameters and report
 * findings through the townorg_rule_ctx they are given.
 */
#ifndef TOWNORG_VALIDATE_H
#define TOWNORG_VALIDATE_H

#include "common.h"
#include "version.h"
#include "transaction.h"

TOWNORG_BEGIN_DECLS

/** Severity of a finding.  0 (TOWNORG_SEVERITY_DEFAULT) means "the rule's
 *  configured severity" where a severity is passed in. */
typedef enum {
	TOWNORG_SEVERITY_DEFAULT = 0,
	TOWNORG_SEVERITY_INFO = 1,    /**< "info": reported, never affects conformance */
	TOWNORG_SEVERITY_WARNING = 2, /**< "warning" */
	TOWNORG_SEVERITY_ERROR = 3    /**< "error": an unwaived error makes the version non-conforming */
} townorg_severity;

/** The token of a severity ("error"), or NULL for DEFAULT/invalid. */
TOWNORG_EXTERN(const char *) townorg_severity_token(townorg_severity severity);
/** Parse "error", "warning" or "info".  TOWNORG_EINVALID otherwise. */
TOWNORG_EXTERN(int) townorg_severity_parse(townorg_severity *out, const char *token);

#define TOWNORG_FINDING_VERSION 1
/**
 * One finding.  Returned borrowed by townorg_validation_at (valid until the
 * validation is freed); given to townorg_rule_report by custom rules
 * (copied; rule, version, version_date, waived and the waiver fields are
 * filled in by the engine there).
 */
typedef struct {
	unsigned int version;          /**< TOWNORG_FINDING_VERSION */
	const char *rule;              /**< rule id */
	townorg_severity severity;
	const char *entity;            /**< offending entity id, or NULL for the version itself */
	const char *version_id;        /**< the offending version's id (64 hex digits) */
	const char *version_date;      /**< its effective date */
	const char *path;              /**< field path ("offices", "quota.admin+inst"), or NULL */
	int has_value;                 /**< value is meaningful */
	int64_t value;                 /**< the offending number (a total, a count) */
	int has_limit;                 /**< limit is meaningful */
	int64_t limit;                 /**< the bound it was held to */
	const char *value_text;        /**< a textual value (document number, function), or NULL */
	const char *message_zh;        /**< message in Chinese (never NULL in results) */
	const char *message_en;        /**< message in English (never NULL in results) */
	int waived;                    /**< 1 when a waiver of the policy covers it */
	const char *waiver_reason;     /**< the waiver's reason, or NULL */
	const char *waiver_document;   /**< the waiver's approving document, or NULL */
} townorg_finding;
#define TOWNORG_FINDING_INIT { TOWNORG_FINDING_VERSION, NULL, TOWNORG_SEVERITY_DEFAULT, NULL, NULL, NULL, NULL, \
	0, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL }

/* ------------------------------------------------------------ policies */

typedef struct townorg_policy townorg_policy;

/**
 * A new policy holding the library's defaults (the embedded copy of
 * policies/default.json).  Owned: free with townorg_policy_free.
 */
TOWNORG_EXTERN(int) townorg_policy_new(townorg_policy **out);

/**
 * Load a policy file: the defaults, then the file applied on top
 * (townorg_policy_apply_file).  Errors name file:line:column and the JSON
 * path (TOWNORG_EPARSE for bad JSON or a bad shape, TOWNORG_EIO if the
 * file cannot be read).
 */
TOWNORG_EXTERN(int) townorg_policy_load(townorg_policy **out, const char *path);

/**
 * Apply a policy document to a policy: rules it names are enabled/disabled,
 * re-severitied and re-parameterised (parameters it does not name keep
 * their values), its waivers are added and its title, valid_from and
 * valid_to replace the policy's.  `name` is used in messages (NULL:
 * "<policy>").  Unknown keys, rules (built-in or registered on this
 * policy) or parameters, and values of the wrong type, are refused with
 * TOWNORG_EPARSE and a message "NAME:LINE:COLUMN: JSON-POINTER: what";
 * on failure the policy is unchanged.
 */
TOWNORG_EXTERN(int) townorg_policy_apply_json(townorg_policy *policy, const char *json, size_t len, const char *name);

/** townorg_policy_apply_json on the contents of a file. */
TOWNORG_EXTERN(int) townorg_policy_apply_file(townorg_policy *policy, const char *path);

/** Free a policy (and the payloads of its custom rules).  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_policy_free(townorg_policy *policy);

/** The policy's title, valid_from and valid_to (borrowed; NULL when unset).
 *  Dates are YYYY-MM-DD, both inclusive. */
TOWNORG_EXTERN(const char *) townorg_policy_title(const townorg_policy *policy);
TOWNORG_EXTERN(const char *) townorg_policy_valid_from(const townorg_policy *policy);
TOWNORG_EXTERN(const char *) townorg_policy_valid_to(const townorg_policy *policy);

/** Enable (1) or disable (0) a rule.  TOWNORG_ENOTFOUND for an unknown id. */
TOWNORG_EXTERN(int) townorg_policy_set_enabled(townorg_policy *policy, const char *rule, int enabled);

/** Set a rule's severity (not DEFAULT). */
TOWNORG_EXTERN(int) townorg_policy_set_severity(townorg_policy *policy, const char *rule, townorg_severity severity);

/**
 * Set one parameter of a rule from JSON text ("5", "\"monotone\"",
 * "[[\"admin\",\"inst\"]]").  Checked as in a policy file: TOWNORG_ENOTFOUND
 * for an unknown rule, TOWNORG_EINVALID for an unknown parameter or a value
 * of the wrong type.
 */
TOWNORG_EXTERN(int) townorg_policy_set_param(townorg_policy *policy, const char *rule, const char *param,
	const char *json_value);

/**
 * A rule's current parameter as JSON text (compact).  Owned: free with
 * townorg_free.
 */
TOWNORG_EXTERN(int) townorg_policy_get_param(char **out, const townorg_policy *policy, const char *rule,
	const char *param);

/** Add a waiver: findings of `rule` on `entity` are reported as waived.
 *  All four strings are required (non-empty UTF-8); the rule must exist. */
TOWNORG_EXTERN(int) townorg_policy_add_waiver(townorg_policy *policy, const char *rule, const char *entity,
	const char *reason, const char *document);

/** Number of waivers of the policy. */
TOWNORG_EXTERN(size_t) townorg_policy_waiver_count(const townorg_policy *policy);

/* ------------------------------------------------------------ rules */

/** Number of built-in rules, and the i-th one's id, default severity and a
 *  one-line English description (all borrowed, static; any out-pointer may
 *  be NULL).  TOWNORG_ENOTFOUND past the end. */
TOWNORG_EXTERN(size_t) townorg_rule_builtin_count(void);
TOWNORG_EXTERN(int) townorg_rule_builtin_at(size_t i, const char **id, townorg_severity *severity,
	const char **description);

/** The context a custom rule's check receives. */
typedef struct townorg_rule_ctx townorg_rule_ctx;

/**
 * A custom rule's check: read the version (borrowed; its parents are its
 * history — for a dry run, the preview's parents), report findings with
 * townorg_rule_report, return 0 — or a negative code to abort the whole
 * validation (set a message with the code).
 */
typedef int (*townorg_rule_check_fn)(townorg_rule_ctx *ctx, const townorg_version *v, void *payload);

#define TOWNORG_RULE_DEF_VERSION 1
/** A custom rule (copied by townorg_policy_register_rule). */
typedef struct {
	unsigned int version;       /**< TOWNORG_RULE_DEF_VERSION */
	const char *id;             /**< e.g. "local.veterans-station"; must not be a built-in id */
	townorg_severity severity;  /**< default severity (DEFAULT means error) */
	const char *params_json;    /**< default parameters as a JSON object, or NULL for none; a policy may
	                                 change a parameter only to a value of the same JSON type */
	const char *description;    /**< one line, or NULL */
	townorg_rule_check_fn check;
	void *payload;              /**< passed to check */
	void (*payload_free)(void *payload); /**< called when the policy is freed, or NULL */
} townorg_rule_def;
#define TOWNORG_RULE_DEF_INIT { TOWNORG_RULE_DEF_VERSION, NULL, TOWNORG_SEVERITY_DEFAULT, NULL, NULL, NULL, NULL, NULL }

/**
 * Register a custom rule on a policy (enabled).  TOWNORG_EEXISTS if the id
 * is taken; TOWNORG_EINVALID for a bad id ([a-z0-9._-]+), no check function
 * or params_json that is not a JSON object.  On failure payload_free is not
 * called: the caller keeps the payload.  Register before applying a policy
 * file that configures the rule.
 */
TOWNORG_EXTERN(int) townorg_policy_register_rule(townorg_policy *policy, const townorg_rule_def *def);

/** The id of the rule being run (borrowed). */
TOWNORG_EXTERN(const char *) townorg_rule_ctx_rule(const townorg_rule_ctx *ctx);

/** A parameter of the running rule.  TOWNORG_ENOTFOUND if it has none of
 *  that name, TOWNORG_EINVALID if it is not of the asked type.  Strings are
 *  borrowed (valid during the check); *_json returns owned text (townorg_free). */
TOWNORG_EXTERN(int) townorg_rule_param_int(const townorg_rule_ctx *ctx, const char *name, int64_t *out);
TOWNORG_EXTERN(int) townorg_rule_param_bool(const townorg_rule_ctx *ctx, const char *name, int *out);
TOWNORG_EXTERN(int) townorg_rule_param_string(const townorg_rule_ctx *ctx, const char *name, const char **out);
TOWNORG_EXTERN(int) townorg_rule_param_json(const townorg_rule_ctx *ctx, const char *name, char **out);

/**
 * Report a finding from a custom rule (copied).  Used members: severity
 * (DEFAULT: the rule's configured severity), entity, path, has_value/value,
 * has_limit/limit, value_text, message_zh, message_en (at least one message
 * is required; a missing one is copied from the other) and version_id (NULL:
 * the version being validated).  Returns 0 or TOWNORG_ENOMEM/EINVALID.
 */
TOWNORG_EXTERN(int) townorg_rule_report(townorg_rule_ctx *ctx, const townorg_finding *finding);

/* ------------------------------------------------------------ validating */

typedef struct townorg_validation townorg_validation;

/**
 * Normalise a document number for comparison: ISSUER〔YYYY〕N号 with the
 * brackets U+3014/U+3015 and ASCII digits, whichever of the brackets real
 * documents use it was written with (〔〕 ﹝﹞ [] ［］ 【】 () （）) and with
 * full-width digits read as digits ("民地函[2014]506号" and "民地函﹝2014﹞506号"
 * both give "民地函〔2014〕506号").  *out is owned: free with townorg_free.
 * TOWNORG_EINVALID (with a message) for a number that does not parse.
 */
TOWNORG_EXTERN(int) townorg_document_number_normalize(char **out, const char *number);

/**
 * Validate a version (committed, or detached from townorg_txn_preview)
 * against a policy (NULL: the default policy).  Window rules read the
 * version's first-parent line.  If the policy's dates do not cover the
 * version's effective date, no rule runs and the result holds one info
 * finding (rule "policy.era").  *out is owned: townorg_validation_free.
 */
TOWNORG_EXTERN(int) townorg_validate(townorg_validation **out, const townorg_version *v, const townorg_policy *policy);

/**
 * Dry run: validate what a transaction would commit (its preview: the
 * transaction's parents are the history), without committing.  Structural
 * errors are returned as by townorg_txn_check.  The transaction stays open.
 */
TOWNORG_EXTERN(int) townorg_validate_txn(townorg_validation **out, townorg_txn *txn, const townorg_policy *policy);

/** Number of findings, and the i-th (borrowed; NULL past the end).  Sorted
 *  by rule, entity, version date, version id, path, value text, message. */
TOWNORG_EXTERN(size_t) townorg_validation_count(const townorg_validation *res);
TOWNORG_EXTERN(const townorg_finding *) townorg_validation_at(const townorg_validation *res, size_t i);

/** 1 when no unwaived error finding exists, else 0. */
TOWNORG_EXTERN(int) townorg_validation_conforms(const townorg_validation *res);

/** Number of findings of a severity; waived ones counted only if
 *  include_waived. */
TOWNORG_EXTERN(size_t) townorg_validation_count_severity(const townorg_validation *res, townorg_severity severity,
	int include_waived);

/** Output flags for the renderers. */
#define TOWNORG_VALIDATION_PRETTY 1 /**< JSON: indent by two spaces */

/**
 * Render as JSON: {"conforms": BOOL, "findings": [{"rule", "severity",
 * "entity", "version", "version_date", "path", "value", "limit",
 * "message_zh", "message_en", "waived", "waiver"?}...]} (see docs/format.md,
 * "Validation JSON").  *out is owned: townorg_free.
 */
TOWNORG_EXTERN(int) townorg_validation_to_json(char **out, const townorg_validation *res, int flags);

/**
 * Render as text for people, one finding a line ("error offices.by-class
 * 341023-002: MESSAGE [waived: DOC]"), in Chinese (lang "zh") or English
 * (anything else), with a summary line.  *out is owned: townorg_free.
 */
TOWNORG_EXTERN(int) townorg_validation_to_text(char **out, const townorg_validation *res, const char *lang);

/** Free a validation.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_validation_free(townorg_validation *res);

TOWNORG_END_DECLS

#endif /* TOWNORG_VALIDATE_H */

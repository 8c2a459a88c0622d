/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * validate.c — the validation engine: runs a policy's rules over a version
 * (or a transaction's preview), collects findings with messages in Chinese
 * and English from one catalogue, applies waivers, sorts, and renders the
 * result as JSON or text.  The rules live one per file in lib/validate/rules/,
 * listed in rules/rules.def; what a rule calls while it runs is in context.c.
 */
#include "validate/context.h"
#include "base/json_oom.h"
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ running */

static int cmp_str(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const townorg_finding *a = pa, *b = pb;
	int c;
	if ((c = cmp_str(a->rule, b->rule)) || (c = cmp_str(a->entity, b->entity)) ||
	    (c = cmp_str(a->version_date, b->version_date)) || (c = cmp_str(a->version_id, b->version_id)) ||
	    (c = cmp_str(a->path, b->path)) || (c = cmp_str(a->value_text, b->value_text)) ||
	    (c = cmp_str(a->message_en, b->message_en)))
		return c;
	return 0;
}

static int apply_waivers(townorg_validation *res, const townorg_policy *p)
{
	for (size_t i = 0; i < res->n; i++) {
		townorg_finding *f = &res->f[i];
		for (size_t w = 0; w < p->n_waivers; w++) {
			const townorg__waiver *wv = &p->waivers[w];
			if (strcmp(wv->rule, f->rule) || !f->entity || strcmp(wv->entity, f->entity))
				continue;
			f->waived = 1;
			if (townorg__dup_or_null(&f->waiver_reason, wv->reason) || townorg__dup_or_null(&f->waiver_document, wv->document))
				return townorg__oom();
			break;
		}
	}
	return 0;
}

/* The policy's era: outside it, one info finding and no rule runs. */
static int era_check(bool *inside, townorg_validation *res, const townorg_policy *p, const townorg_version *v)
{
	const char *d = v->meta.effective_date;
	*inside = true;
	if (!d || (!p->valid_from && !p->valid_to))
		return 0;
	if ((!p->valid_from || strcmp(d, p->valid_from) >= 0) && (!p->valid_to || strcmp(d, p->valid_to) <= 0))
		return 0;
	*inside = false;
	char span[64];
	snprintf(span, sizeof span, "%s – %s", p->valid_from ? p->valid_from : "", p->valid_to ? p->valid_to : "");
	townorg__msgargs a = { .text = span, .other = d };
	return townorg__add_finding(res, "policy.era", TOWNORG_SEVERITY_INFO, v, NULL, "effective_date", false, 0, false, 0, d,
			   townorg__render_msg(TOWNORG__M_ERA, &a, true), townorg__render_msg(TOWNORG__M_ERA, &a, false));
}

int townorg_validate(townorg_validation **out, const townorg_version *v, const townorg_policy *policy)
{
	int rc;
	townorg_policy *own = NULL;
	*out = NULL;
	if (!v)
		return townorg__err(TOWNORG_EINVALID, _("townorg_validate: no version"));
	if ((rc = townorg__version_ensure(v)) < 0)
		return rc;
	if (!policy) {
		if ((rc = townorg_policy_new(&own)) < 0)
			return rc;
		policy = own;
	}
	townorg_validation *res = townorg__calloc(1, sizeof *res);
	if (!res) {
		rc = townorg__oom();
		goto out;
	}
	bool inside;
	if ((rc = era_check(&inside, res, policy, v)) < 0)
		goto out;
	for (size_t i = 0; inside && i < policy->n_rules; i++) {
		const townorg__rule_conf *c = &policy->rules[i];
		if (!c->enabled)
			continue;
		townorg_rule_ctx ctx = { policy, c, v, res };
		rc = c->builtin ? c->builtin->check(&ctx, v) : c->custom.check(&ctx, v, c->custom.payload);
		if (rc < 0) {
			if (!townorg_error_last())
				townorg__err(rc, _("rule %s failed"), c->id);
			goto out;
		}
	}
	if ((rc = apply_waivers(res, policy)) < 0)
		goto out;
	if (res->n) /* no findings: res->f may be NULL, which qsort must not get */
		qsort(res->f, res->n, sizeof *res->f, cmp_finding);
	*out = res;
	res = NULL;
	rc = 0;
out:
	townorg_validation_free(res);
	townorg_policy_free(own);
	return rc;
}

int townorg_validate_txn(townorg_validation **out, townorg_txn *txn, const townorg_policy *policy)
{
	townorg_version *preview;
	*out = NULL;
	if (!txn)
		return townorg__err(TOWNORG_EINVALID, _("townorg_validate_txn: no transaction"));
	int rc = townorg_txn_preview(&preview, txn);
	if (rc < 0)
		return rc;
	rc = townorg_validate(out, preview, policy);
	townorg_version_free(preview);
	return rc;
}

size_t townorg_validation_count(const townorg_validation *res) { return res ? res->n : 0; }

const townorg_finding *townorg_validation_at(const townorg_validation *res, size_t i)
{
	return res && i < res->n ? &res->f[i] : NULL;
}

int townorg_validation_conforms(const townorg_validation *res)
{
	for (size_t i = 0; res && i < res->n; i++)
		if (res->f[i].severity == TOWNORG_SEVERITY_ERROR && !res->f[i].waived)
			return 0;
	return 1;
}

size_t townorg_validation_count_severity(const townorg_validation *res, townorg_severity s, int include_waived)
{
	size_t n = 0;
	for (size_t i = 0; res && i < res->n; i++)
		if (res->f[i].severity == s && (include_waived || !res->f[i].waived))
			n++;
	return n;
}

/* ------------------------------------------------------------ rendering */

static json_t *jstr_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *finding_json(const townorg_finding *f)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	int bad = 0;
	bad |= json_object_set_new(o, "rule", json_string(f->rule));
	bad |= json_object_set_new(o, "severity", json_string(townorg_severity_token(f->severity)));
	bad |= json_object_set_new(o, "entity", jstr_or_null(f->entity));
	bad |= json_object_set_new(o, "version", jstr_or_null(f->version_id));
	bad |= json_object_set_new(o, "version_date", jstr_or_null(f->version_date));
	bad |= json_object_set_new(o, "path", jstr_or_null(f->path));
	bad |= json_object_set_new(o, "value", f->has_value ? json_integer(f->value) : jstr_or_null(f->value_text));
	bad |= json_object_set_new(o, "limit", f->has_limit ? json_integer(f->limit) : json_null());
	bad |= json_object_set_new(o, "message_zh", json_string(f->message_zh));
	bad |= json_object_set_new(o, "message_en", json_string(f->message_en));
	bad |= json_object_set_new(o, "waived", json_boolean(f->waived));
	if (f->waived) {
		json_t *w = json_pack("{s:s?, s:s?}", "reason", f->waiver_reason, "document", f->waiver_document);
		bad |= json_object_set_new(o, "waiver", w);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int townorg_validation_to_json(char **out, const townorg_validation *res, int flags)
{
	*out = NULL;
	json_t *arr = json_array();
	json_t *root = json_object();
	if (!arr || !root)
		goto oom;
	if (json_object_set_new(root, "conforms", json_boolean(townorg_validation_conforms(res))) ||
	    json_object_set(root, "findings", arr))
		goto oom;
	for (size_t i = 0; res && i < res->n; i++)
		if (json_array_append_new(arr, finding_json(&res->f[i])))
			goto oom;
	*out = townorg__json_dumps(root, JSON_PRESERVE_ORDER |
					       ((flags & TOWNORG_VALIDATION_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT));
	if (!*out)
		goto oom;
	json_decref(arr);
	json_decref(root);
	return 0;
oom:
	json_decref(arr);
	json_decref(root);
	return townorg__oom();
}

int townorg_validation_to_text(char **out, const townorg_validation *res, const char *lang)
{
	bool zh = lang && !strncmp(lang, "zh", 2);
	townorg__buf b = { 0 };
	*out = NULL;
	for (size_t i = 0; res && i < res->n; i++) {
		const townorg_finding *f = &res->f[i];
		townorg__buf_printf(&b, "%-7s %s", townorg_severity_token(f->severity), f->rule);
		if (f->version_date)
			townorg__buf_printf(&b, " @%s", f->version_date);
		townorg__buf_printf(&b, ": %s", zh ? f->message_zh : f->message_en);
		if (f->waived)
			townorg__buf_printf(&b, zh ? "（已豁免：%s）" : " [waived: %s]",
					    f->waiver_document ? f->waiver_document : "");
		townorg__buf_putc(&b, '\n');
	}
	size_t e = townorg_validation_count_severity(res, TOWNORG_SEVERITY_ERROR, 0);
	size_t w = townorg_validation_count_severity(res, TOWNORG_SEVERITY_WARNING, 0);
	size_t in = townorg_validation_count_severity(res, TOWNORG_SEVERITY_INFO, 0);
	size_t all = townorg_validation_count(res);
	size_t waived = all - e - w - in;
	if (zh)
		townorg__buf_printf(&b, "%s：错误 %zu，警告 %zu，提示 %zu，已豁免 %zu\n",
				    townorg_validation_conforms(res) ? "符合" : "不符合", e, w, in, waived);
	else
		townorg__buf_printf(&b, "%s: %zu errors, %zu warnings, %zu infos, %zu waived\n",
				    townorg_validation_conforms(res) ? "conforms" : "does not conform", e, w, in, waived);
	townorg__buf_putc(&b, '\0');
	if (b.failed) {
		townorg__buf_free(&b);
		return townorg__oom();
	}
	*out = b.data;
	return 0;
}

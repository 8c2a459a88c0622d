/*
 * validate.c — the validation engine: runs a policy's rules over a version
 * (or a transaction's preview), collects findings with messages in Chinese
 * and English from one catalogue, applies waivers, sorts, and renders the
 * result as JSON or text.  The rules live one per file in lib/rules/.
 */
#include "rules/rules.h"
#include "json_oom.h"
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ severities */

static const char *const sev_tokens[] = { NULL, "info", "warning", "error" };

const char *townorg_severity_token(townorg_severity s)
{
	return (int)s >= 1 && (int)s <= 3 ? sev_tokens[s] : NULL;
}

int townorg_severity_parse(townorg_severity *out, const char *token)
{
	for (int i = 1; token && i <= 3; i++)
		if (!strcmp(token, sev_tokens[i])) {
			*out = (townorg_severity)i;
			return 0;
		}
	return townorg__err(TOWNORG_EINVALID, "unknown severity '%s' (expected error, warning or info)",
			    token ? token : "(null)");
}

/* ------------------------------------------------------------ registry */

const townorg__rule *const townorg__builtin_rules[] = {
	&townorg__rule_class,       /* class.indicators */
	&townorg__rule_code_range,  /* code.kind-range */
	&townorg__rule_documents,   /* document.number */
	&townorg__rule_no_gap,      /* functions.no-gap */
	&townorg__rule_no_overlap,  /* functions.no-overlap */
	&townorg__rule_leaders,     /* leaders.by-class */
	&townorg__rule_lineage,     /* lineage.disposition */
	&townorg__rule_offices,     /* offices.by-class */
	&townorg__rule_heads,       /* posts.heads */
	&townorg__rule_quota_cap,   /* quota.no-increase-window */
	&townorg__rule_overstaffed, /* quota.overstaffed */
	&townorg__rule_quota_pool,  /* quota.pool */
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

/* ------------------------------------------------------------ messages */

/* The one message catalogue: the CLI and the bindings show these texts. */
static const struct {
	const char *zh, *en;
} catalogue[TOWNORG__M_COUNT] = {
	[TOWNORG__M_CAP_CEILING] = { "{name}：{group}编制合计 {value} 名，超过基准 {limit} 名（{years} 年内只减不增）",
				     "{name}: {group} quota total {value}, above the baseline of {limit} (no increase within {years} years)" },
	[TOWNORG__M_CAP_MONOTONE] = { "{name}：{group}编制合计 {value} 名，高于此前的 {limit} 名（{years} 年内只减不增）",
				      "{name}: {group} quota total {value}, above the earlier {limit} (no increase within {years} years)" },
	[TOWNORG__M_POOL_OVER] = { "{name}：下属{group}编制合计 {value} 名，超过核定的 {limit} 名",
				   "{name}: {value} {group} quota allocated below it, above its approved pool of {limit}" },
	[TOWNORG__M_POOL_UNALLOCATED] = { "{name}：核定{group}编制 {limit} 名，已分配 {value} 名，留有空编 {text} 名",
					  "{name}: {value} of its {limit} {group} quota allocated, {text} left unallocated" },
	[TOWNORG__M_OVERSTAFFED] = { "{name}：实有 {value} 人，超过编制 {limit} 名",
				     "{name}: {value} staff, above its quota of {limit}" },
	[TOWNORG__M_LEADERS] = { "{name}：领导职数 {value} 名，超过{class}上限 {limit} 名",
				 "{name}: {value} leader posts, above the limit of {limit} for a {class} township" },
	[TOWNORG__M_OFFICES] = { "{name}：综合性办公室 {value} 个，超过{class}上限 {limit} 个",
				 "{name}: {value} comprehensive offices, above the limit of {limit} for a {class} township" },
	[TOWNORG__M_CLASS] = { "{name}：核定为{class}，按人口、面积和人均财政收入应为{class2}",
			       "{name}: classed {class}, but its population, area and revenue per capita make it {class2}" },
	[TOWNORG__M_GAP] = { "{name}：职能“{text}”改革后无机构承担，也没有划出记录",
			     "{name}: function \"{text}\" is held by no organ after the change and was not transferred out" },
	[TOWNORG__M_OVERLAP] = { "{name}：职能“{text}”由多个机构同时承担（{other}）",
				 "{name}: function \"{text}\" is held by more than one organ ({other})" },
	[TOWNORG__M_LINEAGE_NONE] = { "{name}：已撤销，但没有承继单位或处置说明",
				      "{name}: removed without a successor or a stated disposition" },
	[TOWNORG__M_LINEAGE_ARCHIVES] = { "{name}：已撤销，档案没有接收单位",
					  "{name}: dissolved, but its archives have no custodian" },
	[TOWNORG__M_HEADS_CHIEF] = { "{name}：主任职数 {value} 名，应为 {limit} 名",
				     "{name}: {value} chief posts, should be exactly {limit}" },
	[TOWNORG__M_HEADS_DEPUTY] = { "{name}：副主任职数 {value} 名，超过 {limit} 名",
				      "{name}: {value} deputy posts, above the limit of {limit}" },
	[TOWNORG__M_DOC_MISSING] = { "{name}：版本没有引用文件文号", "{name}: the version cites no document number" },
	[TOWNORG__M_DOC_UNPARSED] = { "{name}：文号“{text}”无法解析（应为 发文机关〔年份〕序号号）",
				      "{name}: document number \"{text}\" does not parse (expected ISSUER〔YYYY〕N号)" },
	[TOWNORG__M_DOC_VARIANT] = { "{name}：文号“{text}”使用了非标准括号或数字，规范写法为“{other}”",
				     "{name}: document number \"{text}\" uses non-standard brackets or digits; the standard form is \"{other}\"" },
	[TOWNORG__M_CODE_RANGE] = { "{name}：代码 {text} 的乡级段 {value} 不在{kind}的代码段内（GB/T 10114）",
				    "{name}: code {text} has township part {value}, outside the range for a {kind} (GB/T 10114)" },
	[TOWNORG__M_ERA] = { "策略适用期为 {text}，版本生效日期 {other} 不在其内，未检查",
			     "the policy applies to {text}; the version's effective date {other} is outside it, nothing was checked" },
};

static const char *class_word(townorg_class c, bool zh)
{
	switch (c) {
	case TOWNORG_CLASS_LARGE: return zh ? "大乡镇" : "large";
	case TOWNORG_CLASS_MEDIUM: return zh ? "中等乡镇" : "medium";
	case TOWNORG_CLASS_SMALL: return zh ? "小乡镇" : "small";
	default: return zh ? "未分类乡镇" : "unclassed";
	}
}

static const char *kind_word(townorg_kind k, bool zh)
{
	switch (k) {
	case TOWNORG_KIND_TOWN: return zh ? "镇" : "town";
	case TOWNORG_KIND_TOWNSHIP: return zh ? "乡" : "township";
	case TOWNORG_KIND_SUBDISTRICT: return zh ? "街道" : "subdistrict";
	case TOWNORG_KIND_TOWNSHIP_LIKE: return zh ? "类似乡级单位" : "township-like unit";
	default: return townorg_kind_token(k) ? townorg_kind_token(k) : "?";
	}
}

static void group_words(townorg__buf *b, const char *group, bool zh)
{
	if (!group)
		return;
	const char *p = group;
	bool first = true;
	while (*p) {
		const char *e = strchr(p, '+');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!first)
			townorg__buf_puts(b, zh ? "和" : " + ");
		if (n == 5 && !memcmp(p, "admin", 5))
			townorg__buf_puts(b, zh ? "行政" : "administrative");
		else if (n == 4 && !memcmp(p, "inst", 4))
			townorg__buf_puts(b, zh ? "事业" : "institutional");
		else
			townorg__buf_put(b, p, n);
		first = false;
		p += n;
		if (*p == '+')
			p++;
	}
}

static char *render_msg(townorg__msg m, const townorg__msgargs *a, bool zh)
{
	townorg__buf b = { 0 };
	const char *t = zh ? catalogue[m].zh : catalogue[m].en;
	while (*t) {
		if (*t != '{') {
			townorg__buf_putc(&b, *t++);
			continue;
		}
		const char *close = strchr(t, '}');
		size_t n = (size_t)(close - t - 1);
		const char *k = t + 1;
#define IS(s) (n == sizeof(s) - 1 && !memcmp(k, s, n))
		if (IS("name"))
			townorg__buf_puts(&b, a->name ? a->name : "");
		else if (IS("value"))
			townorg__buf_printf(&b, "%lld", (long long)a->value);
		else if (IS("limit"))
			townorg__buf_printf(&b, "%lld", (long long)a->limit);
		else if (IS("years"))
			townorg__buf_printf(&b, "%lld", (long long)a->years);
		else if (IS("group"))
			group_words(&b, a->group, zh);
		else if (IS("class"))
			townorg__buf_puts(&b, class_word(a->cls, zh));
		else if (IS("class2"))
			townorg__buf_puts(&b, class_word(a->cls2, zh));
		else if (IS("kind"))
			townorg__buf_puts(&b, kind_word(a->kind, zh));
		else if (IS("text"))
			townorg__buf_puts(&b, a->text ? a->text : "");
		else if (IS("other"))
			townorg__buf_puts(&b, a->other ? a->other : "");
#undef IS
		t = close + 1;
	}
	townorg__buf_putc(&b, '\0');
	if (b.failed) {
		townorg__buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* ------------------------------------------------------------ results */

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

static void finding_clear(townorg_finding *f)
{
	townorg__free((char *)f->rule);
	townorg__free((char *)f->entity);
	townorg__free((char *)f->version_id);
	townorg__free((char *)f->version_date);
	townorg__free((char *)f->path);
	townorg__free((char *)f->value_text);
	townorg__free((char *)f->message_zh);
	townorg__free((char *)f->message_en);
	townorg__free((char *)f->waiver_reason);
	townorg__free((char *)f->waiver_document);
}

void townorg_validation_free(townorg_validation *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++)
		finding_clear(&res->f[i]);
	townorg__free(res->f);
	townorg__free(res);
}

static int dup_or_null(const char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	return (*dst = townorg__strdup(src)) ? 0 : -1;
}

/* Append a finding, taking ownership of the two messages (freed on failure). */
static int add_finding(townorg_validation *res, const char *rule, townorg_severity sev, const townorg_version *v,
		       const char *entity, const char *path, bool has_value, int64_t value, bool has_limit,
		       int64_t limit, const char *value_text, char *zh, char *en)
{
	if (!zh || !en)
		goto oom;
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 16;
		townorg_finding *f = townorg__realloc(res->f, cap * sizeof *f);
		if (!f)
			goto oom;
		res->f = f;
		res->cap = cap;
	}
	townorg_finding *f = &res->f[res->n];
	*f = (townorg_finding)TOWNORG_FINDING_INIT;
	f->severity = sev;
	f->has_value = has_value;
	f->value = value;
	f->has_limit = has_limit;
	f->limit = limit;
	f->message_zh = zh;
	f->message_en = en;
	if (dup_or_null(&f->rule, rule) || dup_or_null(&f->entity, entity) ||
	    dup_or_null(&f->version_id, v ? v->id : NULL) ||
	    dup_or_null(&f->version_date, v ? v->meta.effective_date : NULL) || dup_or_null(&f->path, path) ||
	    dup_or_null(&f->value_text, value_text)) {
		finding_clear(f);
		return townorg__oom();
	}
	res->n++;
	return 0;
oom:
	townorg__free(zh);
	townorg__free(en);
	return townorg__oom();
}

static townorg_severity effective_severity(const townorg_rule_ctx *ctx, townorg_severity asked)
{
	townorg_severity conf = ctx->conf->severity;
	if (asked == TOWNORG_SEVERITY_DEFAULT)
		return conf;
	/* A rule may report below its severity (a tolerated variant), never above. */
	return asked < conf ? asked : conf;
}

int townorg__report(townorg_rule_ctx *ctx, const townorg__report_in *in, townorg__msg msg,
		    const townorg__msgargs *args)
{
	return add_finding(ctx->res, ctx->conf->id, effective_severity(ctx, in->severity), in->v ? in->v : ctx->v,
			   in->entity, in->path, in->has_value, in->value, in->has_limit, in->limit, in->value_text,
			   render_msg(msg, args, true), render_msg(msg, args, false));
}

int townorg_rule_report(townorg_rule_ctx *ctx, const townorg_finding *f)
{
	if (!ctx || !f)
		return townorg__err(TOWNORG_EINVALID, "townorg_rule_report: no context or finding");
	const char *zh = f->message_zh ? f->message_zh : f->message_en;
	const char *en = f->message_en ? f->message_en : f->message_zh;
	if (!zh)
		return townorg__err(TOWNORG_EINVALID, "rule %s: a finding needs a message", ctx->conf->id);
	if (!townorg__utf8_valid(zh, strlen(zh), true) || !townorg__utf8_valid(en, strlen(en), true) ||
	    (f->entity && !townorg__utf8_valid(f->entity, strlen(f->entity), false)))
		return townorg__err(TOWNORG_EENCODING, "rule %s: a finding is not valid UTF-8", ctx->conf->id);
	if ((int)f->severity < 0 || (int)f->severity > TOWNORG_SEVERITY_ERROR)
		return townorg__err(TOWNORG_EINVALID, "rule %s: bad severity %d", ctx->conf->id, (int)f->severity);
	const townorg_version *v = ctx->v;
	const char *vid = f->version_id;
	if (vid && strcmp(vid, v->id)) {
		/* Another version of the first-parent line. */
		const townorg_version *u = v;
		while (u && strcmp(u->id, vid))
			u = townorg__first_parent(u);
		if (!u)
			return townorg__err(TOWNORG_EINVALID, "rule %s: version %.12s is not in the history", ctx->conf->id,
					    vid);
		v = u;
	}
	return add_finding(ctx->res, ctx->conf->id, effective_severity(ctx, f->severity), v, f->entity, f->path,
			   f->has_value, f->value, f->has_limit, f->limit, f->value_text, townorg__strdup(zh),
			   townorg__strdup(en));
}

const char *townorg_rule_ctx_rule(const townorg_rule_ctx *ctx) { return ctx->conf->id; }

json_t *townorg__param(const townorg_rule_ctx *ctx, const char *name)
{
	return json_object_get(ctx->conf->params, name);
}

static int param_get(json_t **out, const townorg_rule_ctx *ctx, const char *name)
{
	*out = json_object_get(ctx->conf->params, name ? name : "");
	if (!*out)
		return townorg__err(TOWNORG_ENOTFOUND, "rule %s has no parameter '%s'", ctx->conf->id,
				    name ? name : "(null)");
	return 0;
}

int townorg_rule_param_int(const townorg_rule_ctx *ctx, const char *name, int64_t *out)
{
	json_t *j;
	int rc = param_get(&j, ctx, name);
	if (rc < 0)
		return rc;
	if (!json_is_integer(j))
		return townorg__err(TOWNORG_EINVALID, "rule %s: parameter '%s' is not an integer", ctx->conf->id, name);
	*out = json_integer_value(j);
	return 0;
}

int townorg_rule_param_bool(const townorg_rule_ctx *ctx, const char *name, int *out)
{
	json_t *j;
	int rc = param_get(&j, ctx, name);
	if (rc < 0)
		return rc;
	if (!json_is_boolean(j))
		return townorg__err(TOWNORG_EINVALID, "rule %s: parameter '%s' is not a boolean", ctx->conf->id, name);
	*out = json_is_true(j);
	return 0;
}

int townorg_rule_param_string(const townorg_rule_ctx *ctx, const char *name, const char **out)
{
	json_t *j;
	int rc = param_get(&j, ctx, name);
	if (rc < 0)
		return rc;
	if (!json_is_string(j))
		return townorg__err(TOWNORG_EINVALID, "rule %s: parameter '%s' is not a string", ctx->conf->id, name);
	*out = json_string_value(j);
	return 0;
}

int townorg_rule_param_json(const townorg_rule_ctx *ctx, const char *name, char **out)
{
	json_t *j;
	*out = NULL;
	int rc = param_get(&j, ctx, name);
	if (rc < 0)
		return rc;
	*out = townorg__json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	return *out ? 0 : townorg__oom();
}

/* ------------------------------------------------------------ helpers for rules */

const char *townorg__display_name(const townorg_entity *e)
{
	const char *n = townorg_entity_name(e);
	return n && *n ? n : townorg_entity_id(e);
}

bool townorg__class_limit(json_t *limits, townorg_class cls, int64_t *out)
{
	const char *tok = townorg_class_token(cls);
	json_t *j = tok ? json_object_get(limits, tok) : NULL;
	if (!json_is_integer(j))
		return false;
	*out = json_integer_value(j);
	return true;
}

bool townorg__kind_in(json_t *kinds, townorg_kind kind)
{
	const char *tok = townorg_kind_token(kind);
	size_t i;
	json_t *k;
	json_array_foreach(kinds, i, k)
	{
		if (tok && json_is_string(k) && !strcmp(json_string_value(k), tok))
			return true;
	}
	return false;
}

townorg_repo *townorg__ctx_repo(const townorg_version *v)
{
	for (const townorg_version *u = v; u; u = townorg__first_parent(u))
		if (u->repo)
			return u->repo;
	return NULL;
}

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
			if (dup_or_null(&f->waiver_reason, wv->reason) || dup_or_null(&f->waiver_document, wv->document))
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
	return add_finding(res, "policy.era", TOWNORG_SEVERITY_INFO, v, NULL, "effective_date", false, 0, false, 0, d,
			   render_msg(TOWNORG__M_ERA, &a, true), render_msg(TOWNORG__M_ERA, &a, false));
}

int townorg_validate(townorg_validation **out, const townorg_version *v, const townorg_policy *policy)
{
	int rc;
	townorg_policy *own = NULL;
	*out = NULL;
	if (!v)
		return townorg__err(TOWNORG_EINVALID, "townorg_validate: no version");
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
				townorg__err(rc, "rule %s failed", c->id);
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
		return townorg__err(TOWNORG_EINVALID, "townorg_validate_txn: no transaction");
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

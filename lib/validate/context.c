/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * context.c — what a rule sees while it runs: the message catalogue and its
 * rendering in Chinese and English, the findings it reports (townorg__report,
 * townorg_rule_report), its parameters, and the small helpers the rules
 * share (display names, class limits, kind lists).  It calls nothing in the
 * engine, the registry or the rules, so the rules build on it and the
 * engine builds on both.
 */
#include "validate/context.h"
#include "base/json_oom.h"
#include <stdio.h>
#include <stdlib.h>

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
	[TOWNORG__M_LINEAGE_NO_ARCHIVES_DATA] = {
		"本历史中没有任何档案移交（transfer_archives）记录：数据不记载档案去向（如统计局、民政部的统计数据），"
		"{value} 个撤销单位的档案接收情况无法检查；统计数据请用统计口径的策略 policies/nbs.json",
		"no archives transfer (transfer_archives) is recorded anywhere in this history: the data does not "
		"record archives (statistical data such as the NBS lists and MCA tables), so the archives of {value} "
		"dissolved units cannot be checked; for statistical data use the statistical profile policies/nbs.json" },
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

/* Class and kind words in messages: the schema's labels (core/schema.c). */
static const char *class_word(townorg_class c, bool zh)
{
	const char *l = townorg_class_label(c, zh ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	return l ? l : zh ? "未分类乡镇" : "unclassed";
}

static const char *kind_word(townorg_kind k, bool zh)
{
	const char *l = townorg_kind_label(k, zh ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	return l ? l : "?";
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

char *townorg__render_msg(townorg__msg m, const townorg__msgargs *a, bool zh)
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

int townorg__dup_or_null(const char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	return (*dst = townorg__strdup(src)) ? 0 : -1;
}

/* Append a finding, taking ownership of the two messages (freed on failure). */
int townorg__add_finding(townorg_validation *res, const char *rule, townorg_severity sev, const townorg_version *v,
		       const char *entity, const char *path, bool has_value, int64_t value, bool has_limit,
		       int64_t limit, const char *value_text, char *zh, char *en)
{
	if (!zh || !en)
		goto oom;
	if (res->n == res->cap && TOWNORG__GROW(res->f, res->cap, 16) < 0)
		goto oom;
	townorg_finding *f = &res->f[res->n];
	*f = (townorg_finding)TOWNORG_FINDING_INIT;
	f->severity = sev;
	f->has_value = has_value;
	f->value = value;
	f->has_limit = has_limit;
	f->limit = limit;
	f->message_zh = zh;
	f->message_en = en;
	if (townorg__dup_or_null(&f->rule, rule) || townorg__dup_or_null(&f->entity, entity) ||
	    townorg__dup_or_null(&f->version_id, v ? v->id : NULL) ||
	    townorg__dup_or_null(&f->version_date, v ? v->meta.effective_date : NULL) || townorg__dup_or_null(&f->path, path) ||
	    townorg__dup_or_null(&f->value_text, value_text)) {
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
	return townorg__add_finding(ctx->res, ctx->conf->id, effective_severity(ctx, in->severity), in->v ? in->v : ctx->v,
			   in->entity, in->path, in->has_value, in->value, in->has_limit, in->limit, in->value_text,
			   townorg__render_msg(msg, args, true), townorg__render_msg(msg, args, false));
}

int townorg_rule_report(townorg_rule_ctx *ctx, const townorg_finding *f)
{
	if (!ctx || !f)
		return townorg__err(TOWNORG_EINVALID, _("townorg_rule_report: no context or finding"));
	const char *zh = f->message_zh ? f->message_zh : f->message_en;
	const char *en = f->message_en ? f->message_en : f->message_zh;
	if (!zh)
		return townorg__err(TOWNORG_EINVALID, _("rule %s: a finding needs a message"), ctx->conf->id);
	if (!townorg__utf8_valid(zh, strlen(zh), true) || !townorg__utf8_valid(en, strlen(en), true) ||
	    (f->entity && !townorg__utf8_valid(f->entity, strlen(f->entity), false)))
		return townorg__err(TOWNORG_EENCODING, _("rule %s: a finding is not valid UTF-8"), ctx->conf->id);
	if ((int)f->severity < 0 || (int)f->severity > TOWNORG_SEVERITY_ERROR)
		return townorg__err(TOWNORG_EINVALID, _("rule %s: bad severity %d"), ctx->conf->id, (int)f->severity);
	const townorg_version *v = ctx->v;
	const char *vid = f->version_id;
	if (vid && strcmp(vid, v->id)) {
		/* Another version of the first-parent line. */
		const townorg_version *u = v;
		while (u && strcmp(u->id, vid))
			u = townorg__first_parent(u);
		if (!u)
			return townorg__err(TOWNORG_EINVALID, _("rule %s: version %.12s is not in the history"), ctx->conf->id,
					    vid);
		v = u;
	}
	return townorg__add_finding(ctx->res, ctx->conf->id, effective_severity(ctx, f->severity), v, f->entity, f->path,
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
		return townorg__err(TOWNORG_ENOTFOUND, _("rule %s has no parameter '%s'"), ctx->conf->id,
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
		return townorg__err(TOWNORG_EINVALID, _("rule %s: parameter '%s' is not an integer"), ctx->conf->id, name);
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
		return townorg__err(TOWNORG_EINVALID, _("rule %s: parameter '%s' is not a boolean"), ctx->conf->id, name);
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
		return townorg__err(TOWNORG_EINVALID, _("rule %s: parameter '%s' is not a string"), ctx->conf->id, name);
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


int townorg__rule_changes(const townorg_version *v, townorg__hamt_diff_cb cb, void *cbctx)
{
	const townorg_version *p = townorg__first_parent(v);
	if (!p)
		return 0;
	int rc = townorg__version_ensure(p);
	if (rc < 0)
		return rc;
	return townorg__hamt_diff(&p->entities, &v->entities, &townorg__entity_trie, cb, cbctx);
}

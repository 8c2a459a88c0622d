/*
 * diff_render.c — a diff as JSON (docs/format.md, "Diff JSON") and as
 * human text in Chinese or English.
 *
 * Numbers are JSON numbers; an area is a number with one decimal (146.7);
 * unset fields are null.  Every message of the text form is in the one
 * table below, English and Chinese side by side, so a translation is
 * reviewed in one place.
 */
#include "analysis/diff_internal.h"
#include <jansson.h>
#include "base/json_oom.h"
#include <stdio.h>
#include <inttypes.h>

/* JSON reals: 12 significant digits prints 146.7 as 146.7 and a rate
 * like 10/17 as 0.588235294118. */
#define REAL_FLAGS JSON_REAL_PRECISION(12)

/* ------------------------------------------------------------ messages */

enum {
	M_HEADER,
	M_SUMMARY,
	M_ADDED_LINE,
	M_REMOVED_LINE,
	M_CHANGED_LINE,
	M_EVENTS,
	M_TOTALS,
	M_UNIT_LINE,
	M_QUOTA_PART,
	M_WHOLE,
	M_EMPTY,
	M_NA,
	M_UNSET,
	M_UNDO,
	N_MESSAGES
};

/* [message][lang]: TOWNORG_LANG_EN = 0, TOWNORG_LANG_ZH = 1. */
static const char *const messages[N_MESSAGES][2] = {
	[M_HEADER] = { "diff %s → %s", "差异 %s → %s" },
	[M_SUMMARY] = { "added %zu, removed %zu, changed %zu", "新增 %zu，撤销 %zu，变更 %zu" },
	[M_ADDED_LINE] = { "+ %s %s %s (under %s)", "+ %s %s %s（隶属 %s）" },
	[M_REMOVED_LINE] = { "- %s %s %s (was under %s)", "- %s %s %s（原隶属 %s）" },
	[M_CHANGED_LINE] = { "~ %s %s %s:", "~ %s %s %s：" },
	[M_EVENTS] = { "events:", "变更事件：" },
	[M_TOTALS] = { "totals:", "汇总：" },
	[M_UNIT_LINE] = { "%s: organs %lld → %lld, reduction %s", "%s: 机构 %lld → %lld, 精简 %s" },
	[M_QUOTA_PART] = { "; quota %lld → %lld, reduction %s", "；编制 %lld → %lld, 精简 %s" },
	[M_WHOLE] = { "all", "合计" },
	[M_EMPTY] = { "(empty)", "（空）" },
	[M_NA] = { "n/a", "不适用" },
	[M_UNSET] = { "(unset)", "（无）" },
	[M_UNDO] = { "(undone by this diff)", "（本差异撤回）" },
};

static const char *msg(int m, townorg_lang lang) { return messages[m][lang == TOWNORG_LANG_ZH ? 1 : 0]; }

/* ------------------------------------------------------------ JSON */

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

/* json_object_set_new that records failure. */
static void jset(json_t *o, const char *k, json_t *v, bool *bad)
{
	if (!v || json_object_set_new(o, k, v) < 0)
		*bad = true;
}

static void japp(json_t *a, json_t *v, bool *bad)
{
	if (!v || json_array_append_new(a, v) < 0)
		*bad = true;
}

static json_t *jint_field(const townorg_entity *e, townorg_field f)
{
	int64_t v;
	if (townorg_entity_int(e, f, &v) != 0)
		return json_null();
	if (f == TOWNORG_FIELD_AREA)
		return json_real((double)v / 10.0);
	return json_integer((json_int_t)v);
}

void *townorg__entity_json(const townorg_entity *e)
{
	bool bad = false;
	json_t *o = json_object();
	if (!o)
		return NULL;
	jset(o, "id", json_string(townorg_entity_id(e)), &bad);
	jset(o, "kind", json_string(townorg_kind_token(townorg_entity_kind(e))), &bad);
	jset(o, "name", json_string(townorg_entity_name(e)), &bad);
	jset(o, "parent_id", jstr(townorg_entity_parent_id(e)), &bad);
	jset(o, "class", jstr(townorg_class_token(townorg_entity_class(e))), &bad);
	static const townorg_field csv[] = { TOWNORG_FIELD_POPULATION, TOWNORG_FIELD_AREA,
					     TOWNORG_FIELD_REVENUE_PER_CAPITA, TOWNORG_FIELD_ADMIN_QUOTA,
					     TOWNORG_FIELD_INST_QUOTA, TOWNORG_FIELD_LEADER_POSTS,
					     TOWNORG_FIELD_ACTUAL_STAFF };
	for (size_t i = 0; i < sizeof csv / sizeof csv[0]; i++)
		jset(o, townorg_field_token(csv[i]), jint_field(e, csv[i]), &bad);
	int64_t v;
	if (townorg_entity_int(e, TOWNORG_FIELD_CHIEF_POSTS, &v) == 0)
		jset(o, "chief_posts", json_integer((json_int_t)v), &bad);
	if (townorg_entity_int(e, TOWNORG_FIELD_DEPUTY_POSTS, &v) == 0)
		jset(o, "deputy_posts", json_integer((json_int_t)v), &bad);
	for (size_t i = 0; townorg__entity_ext(e) && i < townorg__entity_ext(e)->n_xq; i++) {
		char key[80];
		snprintf(key, sizeof key, "%s_quota", townorg__entity_ext(e)->xq[i].type);
		jset(o, key, json_integer((json_int_t)townorg__entity_ext(e)->xq[i].value), &bad);
	}
	for (size_t i = 0; townorg__entity_ext(e) && i < townorg__entity_ext(e)->n_attrs; i++) {
		const struct townorg__attr *a = &townorg__entity_ext(e)->attrs[i];
		if (!a->is_list) {
			jset(o, a->name, json_string(a->values[0]), &bad);
			continue;
		}
		json_t *arr = json_array();
		for (size_t j = 0; arr && j < a->n; j++)
			japp(arr, json_string(a->values[j]), &bad);
		jset(o, a->name, arr, &bad);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A field value of a delta as JSON, typed. */
static json_t *jvalue(townorg_value_type type, const char *text, const townorg_entity *e, const char *name)
{
	if (!text)
		return json_null();
	switch (type) {
	case TOWNORG_VALUE_INT:
		return json_integer((json_int_t)strtoll(text, NULL, 10));
	case TOWNORG_VALUE_AREA: {
		int64_t t = 0;
		if (townorg_area_parse(&t, text[0] == '-' ? text + 1 : text) < 0)
			return json_string(text);
		return json_real((text[0] == '-' ? -(double)t : (double)t) / 10.0);
	}
	case TOWNORG_VALUE_LIST: {
		size_t n;
		const char *const *vals = townorg_entity_list(e, name, &n);
		json_t *arr = json_array();
		bool bad = false;
		for (size_t i = 0; arr && i < n; i++)
			japp(arr, json_string(vals[i]), &bad);
		if (bad) {
			json_decref(arr);
			return NULL;
		}
		return arr;
	}
	default:
		return json_string(text);
	}
}

static json_t *reduction_json(const townorg_reduction *r)
{
	bool bad = false;
	json_t *o = json_object();
	if (!o)
		return NULL;
	jset(o, "before", json_integer((json_int_t)r->before), &bad);
	jset(o, "after", json_integer((json_int_t)r->after), &bad);
	jset(o, "rate", r->available ? json_real(r->value) : json_null(), &bad);
	jset(o, "numerator", json_integer((json_int_t)r->numerator), &bad);
	jset(o, "denominator", json_integer((json_int_t)r->denominator), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *totals_json(const townorg_diff_totals *t)
{
	bool bad = false;
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (t->id) {
		jset(o, "id", json_string(t->id), &bad);
		jset(o, "kind", jstr(townorg_kind_token(t->kind)), &bad);
		jset(o, "name", jstr(t->name), &bad);
		jset(o, "parent_id", jstr(t->parent_id), &bad);
	}
	jset(o, "organs", reduction_json(&t->organs), &bad);
	jset(o, "quota", reduction_json(&t->quota), &bad);
	jset(o, "staff", reduction_json(&t->staff), &bad);
	json_t *q = json_object();
	for (size_t i = 0; q && i < t->quota_type_count; i++)
		jset(q, t->quotas[i].type, reduction_json(&t->quotas[i].quota), &bad);
	jset(o, "quotas", q, &bad);
	json_t *k = json_object();
	for (int i = 1; k && i <= TOWNORG_KIND_COUNT; i++) {
		if (!t->kind_before[i] && !t->kind_after[i])
			continue;
		json_t *pair = json_pack("[II]", (json_int_t)t->kind_before[i], (json_int_t)t->kind_after[i]);
		jset(k, townorg_kind_token((townorg_kind)i), pair, &bad);
	}
	jset(o, "kinds", k, &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *strv_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	bool bad = false;
	for (size_t i = 0; a && i < n; i++)
		japp(a, json_string(v[i]), &bad);
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *event_json(const townorg_diff_event *de)
{
	bool bad = false;
	const townorg_event *e = de->event;
	const townorg_meta *m = townorg_version_meta(de->version);
	json_t *o = json_object();
	if (!o)
		return NULL;
	jset(o, "version", json_string(townorg_version_id(de->version)), &bad);
	jset(o, "effective_date", jstr(m->effective_date), &bad);
	jset(o, "doc_number", jstr(m->doc_number), &bad);
	jset(o, "kind", jstr(townorg_event_kind_token(e->kind)), &bad);
	jset(o, "event_id", jstr(e->event_id), &bad);
	jset(o, "from", strv_json(e->from_ids, e->from_count), &bad);
	jset(o, "to", strv_json(e->to_ids, e->to_count), &bad);
	jset(o, "documents", strv_json(e->documents, e->document_count), &bad);
	jset(o, "date", jstr(e->date), &bad);
	jset(o, "wording", jstr(e->wording), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *relation_token(townorg_diff_relation r)
{
	switch (r) {
	case TOWNORG_DIFF_SAME: return "same";
	case TOWNORG_DIFF_FORWARD: return "forward";
	case TOWNORG_DIFF_BACKWARD: return "backward";
	default: return "unrelated";
	}
}

static int dump(char **out, json_t *root, unsigned int flags)
{
	size_t jf = REAL_FLAGS | JSON_PRESERVE_ORDER | ((flags & TOWNORG_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT);
	*out = townorg__json_dumps(root, jf);
	json_decref(root);
	return *out ? 0 : townorg__oom();
}

int townorg_diff_to_json(char **out, const townorg_diff *d, unsigned int flags)
{
	bool bad = false;
	if (!out || !d)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_to_json: NULL argument");
	*out = NULL;
	json_t *root = json_object();
	if (!root)
		return townorg__oom();
	const townorg_version *from = townorg_diff_from(d), *to = townorg_diff_to(d);
	jset(root, "from", from ? json_string(townorg_version_id(from)) : json_null(), &bad);
	jset(root, "to", to ? json_string(townorg_version_id(to)) : json_null(), &bad);
	jset(root, "relation", json_string(relation_token(townorg_diff_get_relation(d))), &bad);
	json_t *added = json_array(), *removed = json_array(), *changed = json_array();
	for (size_t i = 0; i < townorg_diff_num_deltas(d) && !bad; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		if (dl->status == TOWNORG_DELTA_ADDED) {
			japp(added, townorg__entity_json(dl->new_entity), &bad);
		} else if (dl->status == TOWNORG_DELTA_REMOVED) {
			japp(removed, townorg__entity_json(dl->old_entity), &bad);
		} else {
			json_t *c = json_object(), *fields = json_object();
			if (c) {
				jset(c, "id", json_string(dl->id), &bad);
				jset(c, "kind", json_string(townorg_kind_token(dl->kind)), &bad);
			}
			for (size_t f = 0; fields && f < dl->field_count; f++) {
				const townorg_diff_field *fd = &dl->fields[f];
				json_t *pair = json_array();
				if (pair) {
					japp(pair, jvalue(fd->type, fd->old_value, dl->old_entity, fd->name), &bad);
					japp(pair, jvalue(fd->type, fd->new_value, dl->new_entity, fd->name), &bad);
				}
				jset(fields, fd->name, pair, &bad);
			}
			if (c)
				jset(c, "fields", fields, &bad);
			else
				json_decref(fields);
			japp(changed, c, &bad);
		}
	}
	jset(root, "added", added, &bad);
	jset(root, "removed", removed, &bad);
	jset(root, "changed", changed, &bad);
	json_t *events = json_array();
	for (size_t i = 0; events && i < townorg_diff_num_events(d); i++)
		japp(events, event_json(townorg_diff_event_at(d, i)), &bad);
	jset(root, "events", events, &bad);
	const townorg_diff_totals *all = townorg_diff_totals_all(d);
	if (all) {
		json_t *tot = json_object();
		if (tot) {
			jset(tot, "all", totals_json(all), &bad);
			static const char *const names[3] = { NULL, "counties", "townships" };
			for (int level = 1; level <= 2; level++) {
				json_t *arr = json_array();
				size_t n = townorg_diff_totals_count(d, (townorg_unit_level)level);
				for (size_t i = 0; arr && i < n; i++)
					japp(arr, totals_json(townorg_diff_totals_at(d, (townorg_unit_level)level, i)), &bad);
				jset(tot, names[level], arr, &bad);
			}
		}
		jset(root, "totals", tot, &bad);
	} else {
		jset(root, "totals", json_null(), &bad);
	}
	if (bad) {
		json_decref(root);
		return townorg__oom();
	}
	return dump(out, root, flags);
}

/* ------------------------------------------------------------ text */

static void short_id(char out[13], const townorg_version *v)
{
	if (!v) {
		out[0] = 0;
		return;
	}
	memcpy(out, townorg_version_id(v), 12);
	out[12] = 0;
}

static void unit_line(townorg__buf *b, const char *label, const townorg_diff_totals *t, townorg_lang lang)
{
	char rate[32], qrate[32];
	townorg_reduction_format(rate, sizeof rate, &t->organs);
	townorg_reduction_format(qrate, sizeof qrate, &t->quota);
	bool ra = t->organs.available, qa = t->quota.available;
	townorg__buf_puts(b, "  ");
	townorg__buf_printf(b, msg(M_UNIT_LINE, lang), label, (long long)t->organs.before, (long long)t->organs.after,
			    ra ? strcat(rate, "%") : msg(M_NA, lang));
	townorg__buf_printf(b, msg(M_QUOTA_PART, lang), (long long)t->quota.before, (long long)t->quota.after,
			    qa ? strcat(qrate, "%") : msg(M_NA, lang));
	townorg__buf_putc(b, '\n');
}

int townorg_diff_to_text(char **out, const townorg_diff *d, townorg_lang lang)
{
	townorg__buf b = { 0 };
	char f[13], t[13];
	if (!out || !d)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_to_text: NULL argument");
	*out = NULL;
	short_id(f, townorg_diff_from(d));
	short_id(t, townorg_diff_to(d));
	townorg__buf_printf(&b, msg(M_HEADER, lang), *f ? f : msg(M_EMPTY, lang), *t ? t : msg(M_EMPTY, lang));
	townorg__buf_putc(&b, '\n');
	townorg__buf_printf(&b, msg(M_SUMMARY, lang), townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_ADDED),
			    townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_REMOVED),
			    townorg_diff_num_deltas_of_status(d, TOWNORG_DELTA_CHANGED));
	townorg__buf_putc(&b, '\n');
	for (size_t i = 0; i < townorg_diff_num_deltas(d); i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		const char *kind = townorg_kind_token(dl->kind);
		if (dl->status == TOWNORG_DELTA_ADDED) {
			const char *p = townorg_entity_parent_id(dl->new_entity);
			townorg__buf_printf(&b, msg(M_ADDED_LINE, lang), dl->id, kind, townorg_entity_name(dl->new_entity),
					    p ? p : "-");
		} else if (dl->status == TOWNORG_DELTA_REMOVED) {
			const char *p = townorg_entity_parent_id(dl->old_entity);
			townorg__buf_printf(&b, msg(M_REMOVED_LINE, lang), dl->id, kind,
					    townorg_entity_name(dl->old_entity), p ? p : "-");
		} else {
			townorg__buf_printf(&b, msg(M_CHANGED_LINE, lang), dl->id, kind, townorg_entity_name(dl->new_entity));
			for (size_t k = 0; k < dl->field_count; k++) {
				const townorg_diff_field *fd = &dl->fields[k];
				townorg__buf_printf(&b, "%s %s %s → %s", k ? ";" : "", fd->name,
						    fd->old_value ? fd->old_value : msg(M_UNSET, lang),
						    fd->new_value ? fd->new_value : msg(M_UNSET, lang));
			}
		}
		townorg__buf_putc(&b, '\n');
	}
	if (townorg_diff_num_events(d)) {
		townorg__buf_puts(&b, msg(M_EVENTS, lang));
		if (townorg_diff_get_relation(d) == TOWNORG_DIFF_BACKWARD) {
			townorg__buf_putc(&b, ' ');
			townorg__buf_puts(&b, msg(M_UNDO, lang));
		}
		townorg__buf_putc(&b, '\n');
		for (size_t i = 0; i < townorg_diff_num_events(d); i++) {
			const townorg_diff_event *de = townorg_diff_event_at(d, i);
			const townorg_event *e = de->event;
			const townorg_meta *m = townorg_version_meta(de->version);
			townorg__buf_printf(&b, "  %s %s ", m->effective_date ? m->effective_date : "",
					    townorg_event_kind_token(e->kind));
			for (size_t k = 0; k < e->from_count; k++)
				townorg__buf_printf(&b, "%s%s", k ? ", " : "", e->from_ids[k]);
			townorg__buf_puts(&b, " → ");
			for (size_t k = 0; k < e->to_count; k++)
				townorg__buf_printf(&b, "%s%s", k ? ", " : "", e->to_ids[k]);
			const char *doc = e->document_count ? e->documents[0] : m->doc_number;
			if (doc)
				townorg__buf_printf(&b, lang == TOWNORG_LANG_ZH ? "（%s）" : " (%s)", doc);
			townorg__buf_putc(&b, '\n');
		}
	}
	const townorg_diff_totals *all = townorg_diff_totals_all(d);
	if (all) {
		townorg__buf_puts(&b, msg(M_TOTALS, lang));
		townorg__buf_putc(&b, '\n');
		for (int level = TOWNORG_UNIT_TOWNSHIP; level >= TOWNORG_UNIT_COUNTY; level--)
			for (size_t i = 0; i < townorg_diff_totals_count(d, (townorg_unit_level)level); i++) {
				const townorg_diff_totals *u = townorg_diff_totals_at(d, (townorg_unit_level)level, i);
				/* a unit with no organs and no quota on either side says nothing */
				if (!u->organs.before && !u->organs.after && !u->quota.before && !u->quota.after)
					continue;
				unit_line(&b, u->name && *u->name ? u->name : u->id, u, lang);
			}
		/* With `under` the whole diff is that unit's subtree: when the unit
		 * already has its line above, do not print it twice. */
		bool listed = false;
		for (int level = TOWNORG_UNIT_TOWNSHIP; all->id && level >= TOWNORG_UNIT_COUNTY; level--)
			for (size_t i = 0; i < townorg_diff_totals_count(d, (townorg_unit_level)level); i++) {
				const townorg_diff_totals *u = townorg_diff_totals_at(d, (townorg_unit_level)level, i);
				listed |= u->id && !strcmp(u->id, all->id);
			}
		if (!listed)
			unit_line(&b, all->id ? (all->name && *all->name ? all->name : all->id) : msg(M_WHOLE, lang), all,
				  lang);
	}
	if (b.failed || !b.data) {
		townorg__buf_free(&b);
		return townorg__oom();
	}
	*out = b.data;
	return 0;
}

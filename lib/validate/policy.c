/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * policy.c — policies: which rules run, with which parameters and
 * severities, over which dates, and the waivers.  Policy files are JSON
 * (format "townorg-policy/1", docs/format.md); every value is checked
 * against the rule's declared parameter types, and a refusal names the
 * file, line and column and the JSON pointer of the offending value.
 * jansson keeps no positions for values, so a small scanner over the
 * original text finds them again when an error is reported.
 */
#include "validate/rules.h"
#include "base/json_oom.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define POLICY_FORMAT "townorg-policy/1"

/* ------------------------------------------------------------ error paths */

typedef struct {
	const char *text; /* NULL when the value did not come from a file */
	size_t len;
	const char *name;
	int depth;
	struct {
		const char *key; /* NULL: an array index */
		size_t idx;
	} path[16];
} perr;

static void push_key(perr *e, const char *k)
{
	if (e->depth < 16) {
		e->path[e->depth].key = k;
		e->path[e->depth].idx = 0;
	}
	e->depth++;
}

static void push_idx(perr *e, size_t i)
{
	if (e->depth < 16) {
		e->path[e->depth].key = NULL;
		e->path[e->depth].idx = i;
	}
	e->depth++;
}

static void pop(perr *e) { e->depth--; }

/* -- a minimal scanner to find where a JSON pointer's value (or key) is -- */
typedef struct {
	const char *s;
	size_t n, i;
} scan;

static void ws(scan *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
		c->i++;
}

/* Decode a string at c->i into buf (escapes other than \uXXXX taken
 * literally: keys that matter are ASCII). */
static bool scan_string(scan *c, townorg__buf *buf)
{
	if (c->i >= c->n || c->s[c->i] != '"')
		return false;
	c->i++;
	while (c->i < c->n && c->s[c->i] != '"') {
		char ch = c->s[c->i++];
		if (ch == '\\' && c->i < c->n) {
			ch = c->s[c->i++];
			if (ch == 'u') {
				c->i += 4;
				ch = '?';
			}
		}
		if (buf)
			townorg__buf_putc(buf, ch);
	}
	if (c->i >= c->n)
		return false;
	c->i++;
	if (buf)
		townorg__buf_putc(buf, '\0');
	return true;
}

static bool skip_value(scan *c)
{
	ws(c);
	if (c->i >= c->n)
		return false;
	char ch = c->s[c->i];
	if (ch == '"')
		return scan_string(c, NULL);
	if (ch == '{' || ch == '[') {
		char close = ch == '{' ? '}' : ']';
		c->i++;
		ws(c);
		if (c->i < c->n && c->s[c->i] == close) {
			c->i++;
			return true;
		}
		for (;;) {
			if (ch == '{') {
				ws(c);
				if (!scan_string(c, NULL))
					return false;
				ws(c);
				if (c->i >= c->n || c->s[c->i] != ':')
					return false;
				c->i++;
			}
			if (!skip_value(c))
				return false;
			ws(c);
			if (c->i < c->n && c->s[c->i] == ',') {
				c->i++;
				continue;
			}
			if (c->i < c->n && c->s[c->i] == close) {
				c->i++;
				return true;
			}
			return false;
		}
	}
	while (c->i < c->n && !strchr(",]} \t\r\n", c->s[c->i]))
		c->i++;
	return true;
}

/* Offset of the value at e's path (or of its key when at_key), as deep as
 * the text allows. */
static size_t locate(const perr *e, bool at_key)
{
	scan c = { e->text, e->len, 0 };
	ws(&c);
	size_t best = c.i;
	int depth = e->depth < 16 ? e->depth : 16;
	for (int d = 0; d < depth; d++) {
		ws(&c);
		if (c.i >= c.n)
			return best;
		if (e->path[d].key && c.s[c.i] == '{') {
			c.i++;
			bool found = false;
			for (;;) {
				ws(&c);
				size_t kpos = c.i;
				townorg__buf k = { 0 };
				if (!scan_string(&c, &k)) {
					townorg__buf_free(&k);
					return best;
				}
				bool match = k.data && !strcmp(k.data, e->path[d].key);
				townorg__buf_free(&k);
				ws(&c);
				if (c.i >= c.n || c.s[c.i] != ':')
					return best;
				c.i++;
				ws(&c);
				if (match) {
					best = (at_key && d == depth - 1) ? kpos : c.i;
					found = true;
					break;
				}
				if (!skip_value(&c))
					return best;
				ws(&c);
				if (c.i < c.n && c.s[c.i] == ',')
					c.i++;
				else
					return best;
			}
			if (!found)
				return best;
		} else if (!e->path[d].key && c.s[c.i] == '[') {
			c.i++;
			for (size_t k = 0; k < e->path[d].idx; k++) {
				if (!skip_value(&c))
					return best;
				ws(&c);
				if (c.i < c.n && c.s[c.i] == ',')
					c.i++;
				else
					return best;
			}
			ws(&c);
			best = c.i;
		} else
			return best;
	}
	return best;
}

static void pointer(townorg__buf *b, const perr *e)
{
	int depth = e->depth < 16 ? e->depth : 16;
	if (!depth)
		townorg__buf_putc(b, '/');
	for (int d = 0; d < depth; d++) {
		townorg__buf_putc(b, '/');
		if (!e->path[d].key) {
			townorg__buf_printf(b, "%zu", e->path[d].idx);
			continue;
		}
		for (const char *p = e->path[d].key; *p; p++) {
			if (*p == '~')
				townorg__buf_puts(b, "~0");
			else if (*p == '/')
				townorg__buf_puts(b, "~1");
			else
				townorg__buf_putc(b, *p);
		}
	}
}

static int fail(const perr *e, bool at_key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const perr *e, bool at_key, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	townorg__buf b = { 0 };
	pointer(&b, e);
	townorg__buf_putc(&b, '\0');
	const char *ptr = b.failed ? "?" : b.data;
	int rc;
	if (e->text) {
		size_t off = locate(e, at_key), line = 1, col = 1;
		for (size_t i = 0; i < off && i < e->len; i++) {
			unsigned char ch = (unsigned char)e->text[i];
			if (ch == '\n') {
				line++;
				col = 1;
			} else if ((ch & 0xc0) != 0x80)
				col++;
		}
		rc = townorg__err(TOWNORG_EPARSE, "%s:%zu:%zu: %s: %s", e->name, line, col, ptr, what);
	} else
		rc = townorg__err(TOWNORG_EINVALID, "%s: %s", ptr, what);
	townorg__buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------ parameter types */

static const char *const class_tokens[] = { "large", "medium", "small", NULL };
static const char *const indicator_tokens[] = { "population", "area_km2", "revenue_per_capita", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static void join(char *out, size_t size, const char *const *list)
{
	out[0] = '\0';
	for (; list && *list; list++) {
		if (out[0])
			strncat(out, ", ", size - strlen(out) - 1);
		strncat(out, *list, size - strlen(out) - 1);
	}
}

static bool quota_type_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static const char *json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int check_choice(perr *e, const townorg__param_spec *sp, json_t *v)
{
	char all[256];
	if (!json_is_string(v))
		return fail(e, false, _("expected a string, got %s"), json_type_name(v));
	if (!in_list(sp->choices, json_string_value(v))) {
		join(all, sizeof all, sp->choices);
		return fail(e, false, _("'%s' is not one of %s"), json_string_value(v), all);
	}
	return 0;
}

/* Check v against a built-in parameter's type; for custom rules (`def` set)
 * the default's JSON type rules. */
static int check_param(perr *e, const townorg__param_spec *sp, json_t *def, json_t *v)
{
	int rc;
	size_t i;
	const char *k;
	json_t *x, *y;
	if (!sp) {
		bool num_ok = json_is_number(def) && json_is_number(v) && !(json_is_integer(def) && json_is_real(v));
		bool bool_ok = json_is_boolean(def) && json_is_boolean(v);
		if (json_typeof(def) != json_typeof(v) && !num_ok && !bool_ok)
			return fail(e, false, _("expected %s, got %s"), json_type_name(def), json_type_name(v));
		return 0;
	}
	switch (sp->type) {
	case TOWNORG__P_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return fail(e, false, _("expected an integer >= 0, got %s"), json_type_name(v));
		return 0;
	case TOWNORG__P_BOOL:
		if (!json_is_boolean(v))
			return fail(e, false, _("expected true or false, got %s"), json_type_name(v));
		return 0;
	case TOWNORG__P_ENUM:
		return check_choice(e, sp, v);
	case TOWNORG__P_STRING_NULL:
		if (!json_is_string(v) && !json_is_null(v))
			return fail(e, false, _("expected a string or null, got %s"), json_type_name(v));
		if (json_is_string(v) && !*json_string_value(v))
			return fail(e, false, _("expected a non-empty string"));
		return 0;
	case TOWNORG__P_CLASS_INTS:
		if (!json_is_object(v))
			return fail(e, false, _("expected an object of class limits, got %s"), json_type_name(v));
		json_object_foreach(v, k, x)
		{
			push_key(e, k);
			if (!in_list(class_tokens, k))
				return fail(e, true, _("unknown class '%s' (expected large, medium or small)"), k);
			if (!json_is_integer(x) || json_integer_value(x) < 0)
				return fail(e, false, _("expected an integer >= 0, got %s"), json_type_name(x));
			pop(e);
		}
		return 0;
	case TOWNORG__P_GROUPS:
		if (!json_is_array(v) || !json_array_size(v))
			return fail(e, false, _("expected a non-empty array of quota type groups"));
		json_array_foreach(v, i, x)
		{
			push_idx(e, i);
			if (!json_is_array(x) || !json_array_size(x))
				return fail(e, false, _("expected a non-empty array of quota types, e.g. [\"admin\", \"inst\"]"));
			size_t j;
			json_array_foreach(x, j, y)
			{
				push_idx(e, j);
				if (!json_is_string(y) || !quota_type_ok(json_string_value(y)))
					return fail(e, false, _("expected a quota type name ([a-z0-9_], 1-64 bytes)"));
				pop(e);
			}
			pop(e);
		}
		return 0;
	case TOWNORG__P_CHOICE_LIST:
		if (json_is_string(v))
			return check_choice(e, sp, v);
		if (!json_is_array(v) || !json_array_size(v))
			return fail(e, false, _("expected a string or a non-empty array of strings, got %s"),
				    json_type_name(v));
		json_array_foreach(v, i, x)
		{
			push_idx(e, i);
			if ((rc = check_choice(e, sp, x)) < 0)
				return rc;
			pop(e);
		}
		return 0;
	case TOWNORG__P_KIND_LIST:
		if (!json_is_array(v))
			return fail(e, false, _("expected an array of entity kinds, got %s"), json_type_name(v));
		json_array_foreach(v, i, x)
		{
			push_idx(e, i);
			townorg_kind kd;
			if (!json_is_string(x) || townorg_kind_parse(&kd, json_string_value(x)) < 0)
				return fail(e, false, _("expected an entity kind token (\"office\", \"town\", ...)"));
			pop(e);
		}
		townorg_error_clear();
		return 0;
	case TOWNORG__P_THRESHOLDS:
		if (!json_is_object(v))
			return fail(e, false, _("expected an object {class: {indicator: minimum}}, got %s"), json_type_name(v));
		json_object_foreach(v, k, x)
		{
			push_key(e, k);
			if (strcmp(k, "large") && strcmp(k, "medium"))
				return fail(e, true, _("unknown class '%s' (thresholds are set for large and medium)"), k);
			if (!json_is_object(x))
				return fail(e, false, _("expected an object {indicator: minimum}"));
			const char *k2;
			json_object_foreach(x, k2, y)
			{
				push_key(e, k2);
				if (!in_list(indicator_tokens, k2))
					return fail(e, true,
						    _("unknown indicator '%s' (expected population, area_km2, revenue_per_capita)"),
						    k2);
				if (!json_is_number(y) || json_number_value(y) < 0)
					return fail(e, false, _("expected a number >= 0, got %s"), json_type_name(y));
				pop(e);
			}
			pop(e);
		}
		return 0;
	case TOWNORG__P_ANY:
		return 0;
	}
	return 0;
}

/* A parameter value as stored: single choices become one-element lists. */
static json_t *normalize(const townorg__param_spec *sp, json_t *v)
{
	if (sp && sp->type == TOWNORG__P_CHOICE_LIST && json_is_string(v))
		return json_pack("[O]", v);
	return json_deep_copy(v);
}

static const townorg__param_spec *spec_of(const townorg__rule_conf *c, const char *name)
{
	if (!c->builtin)
		return NULL;
	for (const townorg__param_spec *sp = c->builtin->params; sp && sp->name; sp++)
		if (!strcmp(sp->name, name))
			return sp;
	return NULL;
}

static bool has_param(const townorg__rule_conf *c, const char *name)
{
	return c->builtin ? spec_of(c, name) != NULL : json_object_get(c->defaults, name) != NULL;
}

static void param_names(char *out, size_t size, const townorg__rule_conf *c)
{
	out[0] = '\0';
	const char *names[32];
	size_t n = 0;
	if (c->builtin) {
		for (const townorg__param_spec *sp = c->builtin->params; sp && sp->name && n < 31; sp++)
			names[n++] = sp->name;
	} else {
		const char *k;
		json_t *x;
		json_object_foreach(c->defaults, k, x)
		{
			if (n < 31)
				names[n++] = k;
		}
	}
	names[n] = NULL;
	if (!n)
		snprintf(out, size, "none");
	else
		join(out, size, names);
}

/* ------------------------------------------------------------ policy objects */

townorg__rule_conf *townorg__policy_rule(const townorg_policy *p, const char *id)
{
	for (size_t i = 0; p && id && i < p->n_rules; i++)
		if (!strcmp(p->rules[i].id, id))
			return &p->rules[i];
	return NULL;
}

static void waiver_clear(townorg__waiver *w)
{
	townorg__free(w->rule);
	townorg__free(w->entity);
	townorg__free(w->reason);
	townorg__free(w->document);
}

void townorg_policy_free(townorg_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++) {
		townorg__rule_conf *c = &p->rules[i];
		json_decref(c->params);
		json_decref(c->defaults);
		if (!c->builtin) {
			if (c->custom.payload_free)
				c->custom.payload_free(c->custom.payload);
			townorg__free((char *)c->custom.id);
			townorg__free((char *)c->custom.params_json);
			townorg__free((char *)c->custom.description);
		}
	}
	townorg__free(p->rules);
	for (size_t i = 0; i < p->n_waivers; i++)
		waiver_clear(&p->waivers[i]);
	townorg__free(p->waivers);
	townorg__free(p->title);
	townorg__free(p->valid_from);
	townorg__free(p->valid_to);
	townorg__free(p);
}

static int builtin_defaults(townorg_policy *p)
{
	p->rules = townorg__calloc(townorg__builtin_rule_count, sizeof *p->rules);
	if (!p->rules)
		return townorg__oom();
	for (size_t i = 0; i < townorg__builtin_rule_count; i++) {
		const townorg__rule *r = townorg__builtin_rules[i];
		townorg__rule_conf *c = &p->rules[i];
		c->builtin = r;
		c->id = r->id;
		c->enabled = true;
		c->severity = r->severity;
		p->n_rules = i + 1;
		if (!(c->params = json_object()))
			return townorg__oom();
		for (const townorg__param_spec *sp = r->params; sp && sp->name; sp++) {
			json_error_t jerr;
			bool oom;
			json_t *d = townorg__json_loadb_twice(sp->default_json, strlen(sp->default_json), JSON_DECODE_ANY, &jerr,
							&oom);
			if (!d && oom)
				return townorg__oom();
			if (!d)
				return townorg__err(TOWNORG_ERROR, _("rule %s: bad default for %s"), r->id, sp->name);
			/* the key is a valid name: only memory can fail */
			if (json_object_set_new(c->params, sp->name, d))
				return townorg__oom();
		}
	}
	return 0;
}

int townorg_policy_new(townorg_policy **out)
{
	*out = NULL;
	townorg_policy *p = townorg__calloc(1, sizeof *p);
	if (!p)
		return townorg__oom();
	int rc = builtin_defaults(p);
	if (rc == 0)
		rc = townorg_policy_apply_json(p, townorg__default_policy_json, strlen(townorg__default_policy_json),
					       "<default policy>");
	if (rc < 0) {
		townorg_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int townorg_policy_load(townorg_policy **out, const char *path)
{
	townorg_policy *p;
	*out = NULL;
	int rc = townorg_policy_new(&p);
	if (rc < 0)
		return rc;
	if ((rc = townorg_policy_apply_file(p, path)) < 0) {
		townorg_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int townorg_policy_apply_file(townorg_policy *p, const char *path)
{
	if (!p || !path)
		return townorg__err(TOWNORG_EINVALID, _("townorg_policy_apply_file: no policy or path"));
	char *data;
	size_t len;
	int rc = townorg__read_file(path, &data, &len);
	if (rc < 0)
		return rc;
	rc = townorg_policy_apply_json(p, data, len, path);
	townorg__free(data);
	return rc;
}

/* The changes a document makes, built completely before any is applied. */
typedef struct {
	bool set_enabled, enabled;
	townorg_severity severity;
	json_t *params; /* new params object (a copy), or NULL: unchanged */
} rule_change;

static int str_field(perr *e, json_t *obj, const char *key, const char **out, bool required)
{
	json_t *x = json_object_get(obj, key);
	*out = NULL;
	push_key(e, key);
	if (!x) {
		pop(e);
		if (required)
			return fail(e, false, _("missing \"%s\""), key);
		return 0;
	}
	if (!json_is_string(x) || !*json_string_value(x))
		return fail(e, false, _("expected a non-empty string, got %s"), json_type_name(x));
	*out = json_string_value(x);
	pop(e);
	return 0;
}

static int date_field(perr *e, json_t *root, const char *key, const char **out, bool *present)
{
	json_t *x = json_object_get(root, key);
	*out = NULL;
	*present = x != NULL;
	if (!x || json_is_null(x))
		return 0;
	push_key(e, key);
	if (!json_is_string(x) || townorg_date_check(json_string_value(x)) < 0)
		return fail(e, false, _("expected a date YYYY-MM-DD or null"));
	pop(e);
	*out = json_string_value(x);
	return 0;
}

static int check_rule_entry(perr *e, townorg__rule_conf *c, json_t *entry, rule_change *ch)
{
	const char *k;
	json_t *x;
	int rc;
	if (!json_is_object(entry))
		return fail(e, false, _("expected an object {\"enabled\", \"severity\", \"params\"}, got %s"),
			    json_type_name(entry));
	json_object_foreach(entry, k, x)
	{
		push_key(e, k);
		if (!strcmp(k, "enabled")) {
			if (!json_is_boolean(x))
				return fail(e, false, _("expected true or false, got %s"), json_type_name(x));
			ch->set_enabled = true;
			ch->enabled = json_is_true(x);
		} else if (!strcmp(k, "severity")) {
			if (!json_is_string(x) || townorg_severity_parse(&ch->severity, json_string_value(x)) < 0)
				return fail(e, false, _("expected \"error\", \"warning\" or \"info\""));
		} else if (!strcmp(k, "note")) {
			if (!json_is_string(x))
				return fail(e, false, _("expected a string, got %s"), json_type_name(x));
		} else if (!strcmp(k, "params")) {
			if (!json_is_object(x))
				return fail(e, false, _("expected an object of parameters, got %s"), json_type_name(x));
			const char *pk;
			json_t *pv;
			ch->params = json_deep_copy(c->params);
			if (!ch->params)
				return townorg__oom();
			json_object_foreach(x, pk, pv)
			{
				push_key(e, pk);
				if (!has_param(c, pk)) {
					char names[512];
					param_names(names, sizeof names, c);
					return fail(e, true, _("rule %s has no parameter '%s' (it has: %s)"), c->id, pk, names);
				}
				const townorg__param_spec *sp = spec_of(c, pk);
				if ((rc = check_param(e, sp, json_object_get(c->defaults, pk), pv)) < 0)
					return rc;
				if (json_object_set_new(ch->params, pk, normalize(sp, pv)))
					return townorg__oom();
				pop(e);
			}
		} else
			return fail(e, true, _("unknown key '%s' in a rule (expected enabled, severity, params, note)"), k);
		pop(e);
	}
	return 0;
}

static int check_waiver(perr *e, townorg_policy *p, json_t *w, townorg__waiver *out)
{
	const char *k;
	json_t *x;
	int rc;
	if (!json_is_object(w))
		return fail(e, false, _("expected a waiver object {rule, entity, reason, document}"));
	json_object_foreach(w, k, x)
	{
		if (strcmp(k, "rule") && strcmp(k, "entity") && strcmp(k, "reason") && strcmp(k, "document")) {
			push_key(e, k);
			return fail(e, true, _("unknown key '%s' in a waiver (expected rule, entity, reason, document)"), k);
		}
	}
	const char *rule, *entity, *reason, *doc;
	if ((rc = str_field(e, w, "rule", &rule, true)) < 0 || (rc = str_field(e, w, "entity", &entity, true)) < 0 ||
	    (rc = str_field(e, w, "reason", &reason, true)) < 0 || (rc = str_field(e, w, "document", &doc, true)) < 0)
		return rc;
	if (!townorg__policy_rule(p, rule)) {
		push_key(e, "rule");
		return fail(e, false, _("unknown rule '%s'"), rule);
	}
	out->rule = townorg__strdup(rule);
	out->entity = townorg__strdup(entity);
	out->reason = townorg__strdup(reason);
	out->document = townorg__strdup(doc);
	if (!out->rule || !out->entity || !out->reason || !out->document)
		return townorg__oom();
	return 0;
}

int townorg_policy_apply_json(townorg_policy *p, const char *text, size_t len, const char *name)
{
	if (!p || !text)
		return townorg__err(TOWNORG_EINVALID, _("townorg_policy_apply_json: no policy or text"));
	perr e = { text, len, name ? name : "<policy>", 0, { { 0 } } };
	if (!townorg__utf8_valid(text, len, true)) {
		return townorg__err(TOWNORG_EENCODING, _("%s: not valid UTF-8"), e.name);
	}
	json_error_t jerr;
	bool oom;
	json_t *root = townorg__json_loadb_twice(text, len, JSON_REJECT_DUPLICATES, &jerr, &oom);
	if (!root && oom)
		return townorg__oom();
	if (!root)
		return townorg__err(TOWNORG_EPARSE, "%s:%d:%d: %s", e.name, jerr.line, jerr.column, jerr.text);
	int rc = 0;
	rule_change *changes = townorg__calloc(p->n_rules ? p->n_rules : 1, sizeof *changes);
	townorg__waiver *new_w = NULL;
	size_t n_new_w = 0;
	if (!changes) {
		rc = townorg__oom();
		goto out;
	}
	const char *k;
	json_t *x;
	json_object_foreach(root, k, x)
	{
		if (strcmp(k, "format") && strcmp(k, "title") && strcmp(k, "note") && strcmp(k, "valid_from") &&
		    strcmp(k, "valid_to") && strcmp(k, "rules") && strcmp(k, "waivers")) {
			push_key(&e, k);
			rc = fail(&e, true,
				  _("unknown key '%s' (expected format, title, note, valid_from, valid_to, rules, waivers)"), k);
			goto out;
		}
	}
	const char *format, *title, *note;
	if ((rc = str_field(&e, root, "format", &format, true)) < 0)
		goto out;
	if (strcmp(format, POLICY_FORMAT)) {
		push_key(&e, "format");
		rc = fail(&e, false, _("unsupported format '%s' (expected \"%s\")"), format, POLICY_FORMAT);
		goto out;
	}
	if ((rc = str_field(&e, root, "title", &title, false)) < 0 || (rc = str_field(&e, root, "note", &note, false)) < 0)
		goto out;
	const char *from, *to;
	bool has_from, has_to;
	if ((rc = date_field(&e, root, "valid_from", &from, &has_from)) < 0 ||
	    (rc = date_field(&e, root, "valid_to", &to, &has_to)) < 0)
		goto out;
	if (from && to && strcmp(from, to) > 0) {
		push_key(&e, "valid_to");
		rc = fail(&e, false, _("valid_to %s is before valid_from %s"), to, from);
		goto out;
	}
	json_t *rules = json_object_get(root, "rules");
	if (rules) {
		push_key(&e, "rules");
		if (!json_is_object(rules)) {
			rc = fail(&e, false, _("expected an object {RULE-ID: {...}}, got %s"), json_type_name(rules));
			goto out;
		}
		json_object_foreach(rules, k, x)
		{
			push_key(&e, k);
			townorg__rule_conf *c = townorg__policy_rule(p, k);
			if (!c) {
				rc = fail(&e, true, _("unknown rule '%s'"), k);
				goto out;
			}
			if ((rc = check_rule_entry(&e, c, x, &changes[c - p->rules])) < 0)
				goto out;
			pop(&e);
		}
		pop(&e);
	}
	json_t *waivers = json_object_get(root, "waivers");
	if (waivers) {
		push_key(&e, "waivers");
		if (!json_is_array(waivers)) {
			rc = fail(&e, false, _("expected an array of waivers, got %s"), json_type_name(waivers));
			goto out;
		}
		size_t n = json_array_size(waivers), i;
		new_w = townorg__calloc(n ? n : 1, sizeof *new_w);
		if (!new_w) {
			rc = townorg__oom();
			goto out;
		}
		json_array_foreach(waivers, i, x)
		{
			push_idx(&e, i);
			n_new_w = i + 1;
			if ((rc = check_waiver(&e, p, x, &new_w[i])) < 0)
				goto out;
			pop(&e);
		}
		pop(&e);
	}
	/* Everything checked: apply.  Only allocations can fail from here, and
	 * they all happen before the first change. */
	townorg__waiver *all_w = NULL;
	if (n_new_w) {
		all_w = townorg__realloc(p->waivers, (p->n_waivers + n_new_w) * sizeof *all_w);
		if (!all_w) {
			rc = townorg__oom();
			goto out;
		}
		p->waivers = all_w;
	}
	char *t_title = NULL, *t_from = NULL, *t_to = NULL;
	if ((title && !(t_title = townorg__strdup(title))) || (from && !(t_from = townorg__strdup(from))) ||
	    (to && !(t_to = townorg__strdup(to)))) {
		townorg__free(t_title);
		townorg__free(t_from);
		townorg__free(t_to);
		rc = townorg__oom();
		goto out;
	}
	if (title) {
		townorg__free(p->title);
		p->title = t_title;
	}
	if (has_from) {
		townorg__free(p->valid_from);
		p->valid_from = t_from;
	} else
		townorg__free(t_from);
	if (has_to) {
		townorg__free(p->valid_to);
		p->valid_to = t_to;
	} else
		townorg__free(t_to);
	for (size_t i = 0; i < p->n_rules; i++) {
		rule_change *ch = &changes[i];
		townorg__rule_conf *c = &p->rules[i];
		if (ch->set_enabled)
			c->enabled = ch->enabled;
		if (ch->severity)
			c->severity = ch->severity;
		if (ch->params) {
			json_decref(c->params);
			c->params = ch->params;
			ch->params = NULL;
		}
	}
	if (n_new_w)
		memcpy(p->waivers + p->n_waivers, new_w, n_new_w * sizeof *new_w);
	p->n_waivers += n_new_w;
	n_new_w = 0;
	rc = 0;
out:
	for (size_t i = 0; changes && i < p->n_rules; i++)
		json_decref(changes[i].params);
	townorg__free(changes);
	for (size_t i = 0; i < n_new_w; i++)
		waiver_clear(&new_w[i]);
	townorg__free(new_w);
	json_decref(root);
	return rc;
}

/* ------------------------------------------------------------ programmatic edits */

static int find_rule(townorg__rule_conf **out, const townorg_policy *p, const char *rule)
{
	if (!p)
		return townorg__err(TOWNORG_EINVALID, _("no policy"));
	*out = townorg__policy_rule(p, rule);
	if (!*out)
		return townorg__err(TOWNORG_ENOTFOUND, _("unknown rule '%s'"), rule ? rule : "(null)");
	return 0;
}

const char *townorg_policy_title(const townorg_policy *p) { return p ? p->title : NULL; }
const char *townorg_policy_valid_from(const townorg_policy *p) { return p ? p->valid_from : NULL; }
const char *townorg_policy_valid_to(const townorg_policy *p) { return p ? p->valid_to : NULL; }
size_t townorg_policy_waiver_count(const townorg_policy *p) { return p ? p->n_waivers : 0; }

int townorg_policy_set_enabled(townorg_policy *p, const char *rule, int enabled)
{
	townorg__rule_conf *c;
	int rc = find_rule(&c, p, rule);
	if (rc < 0)
		return rc;
	c->enabled = enabled != 0;
	return 0;
}

int townorg_policy_set_severity(townorg_policy *p, const char *rule, townorg_severity s)
{
	townorg__rule_conf *c;
	int rc = find_rule(&c, p, rule);
	if (rc < 0)
		return rc;
	if (!townorg_severity_token(s))
		return townorg__err(TOWNORG_EINVALID, _("rule %s: bad severity %d"), rule, (int)s);
	c->severity = s;
	return 0;
}

int townorg_policy_set_param(townorg_policy *p, const char *rule, const char *param, const char *json_value)
{
	townorg__rule_conf *c;
	int rc = find_rule(&c, p, rule);
	if (rc < 0)
		return rc;
	if (!param || !has_param(c, param)) {
		char names[512];
		param_names(names, sizeof names, c);
		return townorg__err(TOWNORG_EINVALID, _("rule %s has no parameter '%s' (it has: %s)"), rule,
				    param ? param : "(null)", names);
	}
	json_error_t jerr;
	bool oom = false;
	json_t *v = json_value ? townorg__json_loadb_twice(json_value, strlen(json_value), JSON_DECODE_ANY, &jerr, &oom) : NULL;
	if (!v && oom)
		return townorg__oom();
	if (!v)
		return townorg__err(TOWNORG_EINVALID, _("rule %s parameter %s: not JSON: %s"), rule, param,
				    json_value ? jerr.text : "(null)");
	perr e = { NULL, 0, NULL, 0, { { 0 } } };
	push_key(&e, "rules");
	push_key(&e, rule);
	push_key(&e, "params");
	push_key(&e, param);
	const townorg__param_spec *sp = spec_of(c, param);
	rc = check_param(&e, sp, json_object_get(c->defaults, param), v);
	if (rc == 0) {
		json_t *n = normalize(sp, v);
		rc = n && !json_object_set_new(c->params, param, n) ? 0 : townorg__oom();
	}
	json_decref(v);
	return rc;
}

int townorg_policy_get_param(char **out, const townorg_policy *p, const char *rule, const char *param)
{
	townorg__rule_conf *c;
	*out = NULL;
	int rc = find_rule(&c, p, rule);
	if (rc < 0)
		return rc;
	json_t *v = json_object_get(c->params, param ? param : "");
	if (!v)
		return townorg__err(TOWNORG_ENOTFOUND, _("rule %s has no parameter '%s'"), rule, param ? param : "(null)");
	*out = townorg__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	return *out ? 0 : townorg__oom();
}

static bool nonempty_utf8(const char *s) { return s && *s && townorg__utf8_valid(s, strlen(s), false); }

int townorg_policy_add_waiver(townorg_policy *p, const char *rule, const char *entity, const char *reason,
			      const char *document)
{
	townorg__rule_conf *c;
	int rc = find_rule(&c, p, rule);
	if (rc < 0)
		return rc;
	if (!nonempty_utf8(entity) || !nonempty_utf8(reason) || !nonempty_utf8(document))
		return townorg__err(TOWNORG_EINVALID,
				    _("a waiver of %s needs an entity, a reason and a document (non-empty UTF-8)"), rule);
	townorg__waiver w = { townorg__strdup(rule), townorg__strdup(entity), townorg__strdup(reason),
			      townorg__strdup(document) };
	townorg__waiver *all = NULL;
	if (!w.rule || !w.entity || !w.reason || !w.document ||
	    !(all = townorg__realloc(p->waivers, (p->n_waivers + 1) * sizeof *all))) {
		waiver_clear(&w);
		return townorg__oom();
	}
	p->waivers = all;
	p->waivers[p->n_waivers++] = w;
	return 0;
}

static bool rule_id_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

int townorg_policy_register_rule(townorg_policy *p, const townorg_rule_def *def)
{
	if (!p || !def || def->version != TOWNORG_RULE_DEF_VERSION)
		return townorg__err(TOWNORG_EINVALID, _("townorg_policy_register_rule: no policy or a bad definition"));
	if (!rule_id_ok(def->id))
		return townorg__err(TOWNORG_EINVALID, _("bad rule id '%s' (expected [a-z0-9._-]+)"),
				    def->id ? def->id : "(null)");
	if (!def->check)
		return townorg__err(TOWNORG_EINVALID, _("rule %s has no check function"), def->id);
	if ((int)def->severity < 0 || (int)def->severity > TOWNORG_SEVERITY_ERROR)
		return townorg__err(TOWNORG_EINVALID, _("rule %s: bad severity %d"), def->id, (int)def->severity);
	if (townorg__policy_rule(p, def->id))
		return townorg__err(TOWNORG_EEXISTS, _("rule %s is already defined"), def->id);
	json_error_t jerr;
	bool oom = false;
	json_t *defaults = def->params_json ? townorg__json_loadb_twice(def->params_json, strlen(def->params_json), 0, &jerr, &oom)
					    : json_object();
	if (!defaults && (!def->params_json || oom))
		return townorg__oom();
	if (!defaults || !json_is_object(defaults)) {
		json_decref(defaults);
		return townorg__err(TOWNORG_EINVALID, _("rule %s: params_json is not a JSON object"), def->id);
	}
	json_t *params = json_deep_copy(defaults);
	townorg__rule_conf *rules = params ? townorg__realloc(p->rules, (p->n_rules + 1) * sizeof *rules) : NULL;
	if (!rules) {
		json_decref(params);
		json_decref(defaults);
		return townorg__oom();
	}
	p->rules = rules;
	townorg__rule_conf *c = &p->rules[p->n_rules];
	memset(c, 0, sizeof *c);
	c->custom = *def;
	c->custom.id = townorg__strdup(def->id);
	c->custom.params_json = def->params_json ? townorg__strdup(def->params_json) : NULL;
	c->custom.description = def->description ? townorg__strdup(def->description) : NULL;
	if (!c->custom.id || (def->params_json && !c->custom.params_json) ||
	    (def->description && !c->custom.description)) {
		townorg__free((char *)c->custom.id);
		townorg__free((char *)c->custom.params_json);
		townorg__free((char *)c->custom.description);
		json_decref(params);
		json_decref(defaults);
		return townorg__oom();
	}
	c->id = c->custom.id;
	c->enabled = true;
	c->severity = def->severity ? def->severity : TOWNORG_SEVERITY_ERROR;
	c->params = params;
	c->defaults = defaults;
	p->n_rules++;
	return 0;
}

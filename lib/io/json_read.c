/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * json_read.c — reading the JSON interchange format (docs/format.md) with
 * jansson.
 *
 * Input is untrusted: every member is checked for its type, unknown members
 * are refused (a misspelt field must not vanish silently), and every error
 * names the source and the path of the value at fault, e.g.
 * "plan.json: versions[3].changes.put[7].kind: unknown kind 'towm'".
 * Malformed JSON is reported with jansson's line and column.
 *
 * A repository import runs inside a repository batch, so it is all or
 * nothing: each version is rebuilt by a transaction from its parent and its
 * changes, and its recomputed state hash and version id must equal those the
 * document records — a difference means the file was altered, and the whole
 * import is rolled back.
 *
 * Areas: jansson hands a number with a fraction over as a double.  The
 * value is accepted only if it is exactly the double nearest to some
 * one-decimal value t/10 (checked by recomputing (double)t / 10, both steps
 * correctly rounded); below 10^14 km² distinct tenths map to distinct
 * doubles, so the fixed-point value is recovered exactly.  "146.75" is
 * refused for its second decimal place.
 */
#include "io/json_internal.h"
#include <jansson.h>
#include "base/json_oom.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <errno.h>

/* ------------------------------------------------------------ context */

typedef struct {
	const char *source; /* file name or source_name, for messages */
	char path[512];     /* path of the value being read */
	size_t plen;
} rd;

static size_t push_key(rd *r, const char *k)
{
	size_t old = r->plen;
	int n = snprintf(r->path + r->plen, sizeof r->path - r->plen, "%s%s", r->plen ? "." : "", k);
	if (n > 0)
		r->plen = r->plen + (size_t)n < sizeof r->path ? r->plen + (size_t)n : sizeof r->path - 1;
	return old;
}

static size_t push_index(rd *r, size_t i)
{
	size_t old = r->plen;
	int n = snprintf(r->path + r->plen, sizeof r->path - r->plen, "[%zu]", i);
	if (n > 0)
		r->plen = r->plen + (size_t)n < sizeof r->path ? r->plen + (size_t)n : sizeof r->path - 1;
	return old;
}

static void pop(rd *r, size_t old)
{
	r->plen = old;
	r->path[old] = 0;
}

/* Raise an error at the current path. */
static int __attribute__((format(printf, 3, 4))) bad(rd *r, int code, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return townorg__err(code, "%s: %s: %s", r->source, r->plen ? r->path : "(document)", msg);
}

/* Re-raise the error a library call just set, prefixed with source and path. */
static int wrap(rd *r, int rc)
{
	char msg[1024];
	const char *last = townorg_error_last();
	if (rc == TOWNORG_ENOMEM)
		return townorg__oom();
	snprintf(msg, sizeof msg, "%s", last ? last : townorg_error_name(rc));
	return bad(r, rc, "%s", msg);
}

/* rc of a call about member k: a failure is wrapped with k's path. */
static int about(rd *r, const char *k, int rc)
{
	if (rc >= 0)
		return rc;
	size_t old = push_key(r, k);
	rc = wrap(r, rc);
	pop(r, old);
	return rc;
}

static const char *type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int want(rd *r, const json_t *j, json_type t, const char *what)
{
	if (json_typeof(j) == t)
		return 0;
	return bad(r, TOWNORG_EINVALID, _("expected %s, found %s"), what, type_name(j));
}

/* Refuse members not in the NULL-terminated list `allowed`. */
static int only(rd *r, json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(allowed[i], k);
		if (ok)
			continue;
		size_t old = push_key(r, k);
		int rc = bad(r, TOWNORG_EINVALID, _("unknown member"));
		pop(r, old);
		return rc;
	}
	return 0;
}

/* An optional string member: *out NULL when absent. */
static int get_str(rd *r, json_t *obj, const char *k, bool required, const char **out)
{
	json_t *v = json_object_get(obj, k);
	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		return bad(r, TOWNORG_EINVALID, _("member \"%s\" is missing"), k);
	}
	size_t old = push_key(r, k);
	int rc = want(r, v, JSON_STRING, "a string");
	pop(r, old);
	if (rc == 0)
		*out = json_string_value(v);
	return rc;
}

static int get_hash(rd *r, json_t *obj, const char *k, const char **out)
{
	int rc = get_str(r, obj, k, true, out);
	if (rc < 0)
		return rc;
	size_t n = strlen(*out);
	bool ok = n == 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = ((*out)[i] >= '0' && (*out)[i] <= '9') || ((*out)[i] >= 'a' && (*out)[i] <= 'f');
	if (ok)
		return 0;
	size_t old = push_key(r, k);
	rc = bad(r, TOWNORG_EINVALID, _("'%.80s' is not 64 lowercase hex digits"), *out);
	pop(r, old);
	return rc;
}

/* An optional array of strings: *out is a new array (free it with
 * townorg__free) of strings borrowed from the JSON tree. */
static int get_strv(rd *r, json_t *obj, const char *k, const char ***out, size_t *n)
{
	json_t *a = json_object_get(obj, k), *x;
	size_t i, old;
	int rc = 0;
	*out = NULL;
	*n = 0;
	if (!a)
		return 0;
	old = push_key(r, k);
	if ((rc = want(r, a, JSON_ARRAY, "an array of strings")) < 0)
		goto out;
	if (json_array_size(a)) {
		*out = townorg__calloc(json_array_size(a), sizeof(char *));
		if (!*out) {
			rc = townorg__oom();
			goto out;
		}
	}
	json_array_foreach(a, i, x) {
		size_t o2 = push_index(r, i);
		rc = want(r, x, JSON_STRING, "a string");
		pop(r, o2);
		if (rc < 0) {
			townorg__free(*out);
			*out = NULL;
			goto out;
		}
		(*out)[i] = json_string_value(x);
	}
	*n = json_array_size(a);
out:
	pop(r, old);
	return rc;
}

/* ------------------------------------------------------------ numbers */

static int get_int(rd *r, json_t *v, int64_t *out)
{
	int rc = want(r, v, JSON_INTEGER, "an integer");
	if (rc < 0)
		return rc;
	json_int_t x = json_integer_value(v);
	if (x < 0)
		return bad(r, TOWNORG_EINVALID, _("%lld is negative"), (long long)x);
	if (x > TOWNORG__MAX_NUMBER)
		return bad(r, TOWNORG_EINVALID, _("%lld is too large (at most 10^15)"), (long long)x);
	*out = (int64_t)x;
	return 0;
}

/* Area in km² → tenths, exactly (see the comment at the top). */
static int get_area(rd *r, json_t *v, int64_t *out)
{
	const int64_t max_tenths = TOWNORG__MAX_NUMBER; /* 10^14 km² */
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < 0)
			return bad(r, TOWNORG_EINVALID, _("an area must not be negative"));
		if (x > max_tenths / 10)
			return bad(r, TOWNORG_EINVALID, _("area %lld km² is too large"), (long long)x);
		*out = (int64_t)x * 10;
		return 0;
	}
	if (!json_is_real(v))
		return bad(r, TOWNORG_EINVALID, _("expected a decimal number of km² such as 146.7, found %s"), type_name(v));
	double d = json_real_value(v);
	if (!(d >= 0))
		return bad(r, TOWNORG_EINVALID, _("an area must not be negative"));
	if (d > (double)max_tenths / 10)
		return bad(r, TOWNORG_EINVALID, _("area %.1f km² is too large"), d);
	int64_t t = (int64_t)(d * 10 + 0.5); /* d >= 0; verified below */
	if ((double)t / 10 != d)
		return bad(r, TOWNORG_EINVALID, _("area %.17g km² has more than one decimal place"), d);
	*out = t;
	return 0;
}

/* ------------------------------------------------------------ entities */

/* The entity object's members: the schema's (core/schema.def), then the
 * other quotas and the named attributes. */
#define TOWNORG__IF_1(...) __VA_ARGS__
#define TOWNORG__IF_0(...)
#define TOWNORG_ATTR(n, t, f, csv, json, ...) TOWNORG__IF_##json(#n, )
static const char *const entity_members[] = {
#include "core/schema.def"
	"quotas", "attrs", NULL,
};
#undef TOWNORG_ATTR

static int entity_attrs(rd *r, townorg_entity_builder *b, json_t *attrs)
{
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(attrs, k, v) {
		size_t old = push_key(r, k);
		if (json_is_string(v)) {
			if ((rc = townorg_entity_builder_set_text(b, k, json_string_value(v))) < 0)
				rc = wrap(r, rc);
		} else if (json_is_array(v)) {
			size_t i, n = json_array_size(v);
			json_t *x;
			if (!n)
				rc = bad(r, TOWNORG_EINVALID, _("a list attribute must not be empty (leave it out)"));
			json_array_foreach(v, i, x) {
				if (rc < 0)
					break;
				size_t o2 = push_index(r, i);
				if ((rc = want(r, x, JSON_STRING, "a string")) == 0) {
					const char *s = json_string_value(x);
					for (size_t j = 0; j < i && rc == 0; j++)
						if (!strcmp(json_string_value(json_array_get(v, j)), s))
							rc = bad(r, TOWNORG_EINVALID, _("duplicate value '%s'"), s);
					if (rc == 0 && (rc = townorg_entity_builder_list_add(b, k, s)) < 0)
						rc = wrap(r, rc);
				}
				pop(r, o2);
			}
		} else {
			rc = bad(r, TOWNORG_EINVALID, _("expected a string or an array of strings, found %s"), type_name(v));
		}
		pop(r, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Parse one entity object at the current path. */
static int parse_entity(rd *r, json_t *j, townorg_entity **out)
{
	const char *id, *kind_tok, *name, *parent, *cls_tok;
	townorg_kind kind;
	townorg_class cls = TOWNORG_CLASS_NONE;
	townorg_entity_builder *b = NULL;
	int rc;
	size_t old;
	*out = NULL;
	if ((rc = want(r, j, JSON_OBJECT, "an entity object")) < 0)
		return rc;
	/* The CSV tables' quota columns are spelt differently here: say so. */
	for (int f = TOWNORG_FIELD_ADMIN_QUOTA; f <= TOWNORG_FIELD_INST_QUOTA; f++)
		if (json_object_get(j, townorg_field_token((townorg_field)f))) {
			old = push_key(r, townorg_field_token((townorg_field)f));
			rc = bad(r, TOWNORG_EINVALID, _("unknown member (quotas are written \"quotas\": {\"%s\": N})"),
				 f == TOWNORG_FIELD_ADMIN_QUOTA ? "admin" : "inst");
			pop(r, old);
			return rc;
		}
	if ((rc = only(r, j, entity_members)) < 0)
		return rc;
	if ((rc = get_str(r, j, "id", true, &id)) < 0 || (rc = get_str(r, j, "kind", true, &kind_tok)) < 0 ||
	    (rc = get_str(r, j, "name", false, &name)) < 0 || (rc = get_str(r, j, "parent_id", false, &parent)) < 0 ||
	    (rc = get_str(r, j, "class", false, &cls_tok)) < 0)
		return rc;
	if ((rc = about(r, "kind", townorg_kind_parse(&kind, kind_tok))) < 0)
		return rc;
	if (cls_tok) {
		old = push_key(r, "class");
		if (!*cls_tok)
			rc = bad(r, TOWNORG_EINVALID, _("an empty class (leave the member out)"));
		else if ((rc = townorg_class_parse(&cls, cls_tok)) < 0)
			rc = wrap(r, rc);
		pop(r, old);
		if (rc < 0)
			return rc;
	}
	if (parent && !*parent) {
		old = push_key(r, "parent_id");
		rc = bad(r, TOWNORG_EINVALID, _("an empty parent id (leave the member out for a top-level entity)"));
		pop(r, old);
		return rc;
	}
	if ((rc = about(r, "id", townorg_entity_builder_new(&b, id, kind, "", NULL))) < 0)
		return rc;
	if (name && (rc = about(r, "name", townorg_entity_builder_set_name(b, name))) < 0)
		goto fail;
	if (parent && (rc = about(r, "parent_id", townorg_entity_builder_set_parent(b, parent))) < 0)
		goto fail;
	townorg_entity_builder_set_class(b, cls);
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++) {
		if (f == TOWNORG_FIELD_ADMIN_QUOTA || f == TOWNORG_FIELD_INST_QUOTA)
			continue;
		json_t *v = json_object_get(j, townorg_field_token((townorg_field)f));
		int64_t x;
		if (!v)
			continue;
		old = push_key(r, townorg_field_token((townorg_field)f));
		rc = f == TOWNORG_FIELD_AREA ? get_area(r, v, &x) : get_int(r, v, &x);
		if (rc == 0 && (rc = townorg_entity_builder_set_int(b, (townorg_field)f, x)) < 0)
			rc = wrap(r, rc);
		pop(r, old);
		if (rc < 0)
			goto fail;
	}
	json_t *q = json_object_get(j, "quotas");
	if (q) {
		const char *k;
		json_t *v;
		old = push_key(r, "quotas");
		rc = want(r, q, JSON_OBJECT, "an object of quota types");
		json_object_foreach(q, k, v) {
			if (rc < 0)
				break;
			size_t o2 = push_key(r, k);
			int64_t x;
			if ((rc = get_int(r, v, &x)) == 0 && (rc = townorg_entity_builder_set_quota(b, k, x)) < 0)
				rc = wrap(r, rc);
			pop(r, o2);
		}
		pop(r, old);
		if (rc < 0)
			goto fail;
	}
	json_t *a = json_object_get(j, "attrs");
	if (a) {
		old = push_key(r, "attrs");
		if ((rc = want(r, a, JSON_OBJECT, "an object of attributes")) == 0)
			rc = entity_attrs(r, b, a);
		pop(r, old);
		if (rc < 0)
			goto fail;
	}
	if ((rc = townorg_entity_builder_build(out, b)) < 0)
		rc = wrap(r, rc);
fail:
	townorg_entity_builder_free(b);
	return rc;
}

/* ------------------------------------------------------------ loading */

static int load(rd *r, json_t **out, const char *data, size_t len)
{
	json_error_t e;
	*out = NULL;
	if (!data)
		return townorg__err(TOWNORG_EINVALID, _("%s: no input"), r->source);
	bool oom;
	*out = townorg__json_loadb(data, len, JSON_REJECT_DUPLICATES, &e, &oom);
	if (*out)
		return 0;
	int code = TOWNORG_EPARSE;
	if (oom)
		return townorg__oom();
#if JANSSON_VERSION_HEX >= 0x020b00
	if (json_error_code(&e) == json_error_invalid_utf8)
		code = TOWNORG_EENCODING;
#else
	if (strstr(e.text, "UTF-8") || strstr(e.text, "decode byte"))
		code = TOWNORG_EENCODING;
#endif
	return townorg__err(code, "%s:%d:%d: %s", r->source, e.line, e.column, e.text);
}

static int read_file(const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (!path || !*path)
		return townorg__err(TOWNORG_EINVALID, _("no file name to read"));
	return townorg__read_file(path, data, len);
}

/* The top level: an object with the right "format" and "type". */
static int check_head(rd *r, json_t *root, const char *type)
{
	const char *fmt, *ty;
	int rc;
	if ((rc = want(r, root, JSON_OBJECT, "a JSON object")) < 0)
		return rc;
	if ((rc = get_str(r, root, "format", true, &fmt)) < 0)
		return rc;
	if (strcmp(fmt, TOWNORG_JSON_FORMAT)) {
		size_t old = push_key(r, "format");
		rc = bad(r, TOWNORG_EINVALID, _("'%.80s' is not a format this library reads (expected \"%s\")"), fmt,
			 TOWNORG_JSON_FORMAT);
		pop(r, old);
		return rc;
	}
	if ((rc = get_str(r, root, "type", true, &ty)) < 0)
		return rc;
	if (strcmp(ty, type)) {
		size_t old = push_key(r, "type");
		rc = bad(r, TOWNORG_EINVALID, _("this is a%s \"%.40s\" document, not a %s document"),
			 ty[0] == 'a' || ty[0] == 'o' ? "n" : "", ty, type);
		pop(r, old);
	}
	return rc;
}

static int cancelled(rd *r, const townorg_json_options *o, size_t done, size_t total)
{
	if (!o->progress)
		return 0;
	int rc = o->progress(done, total, o->payload);
	if (!rc)
		return 0;
	return townorg__err(rc > 0 ? TOWNORG_ERROR : rc, _("%s: import cancelled by the progress callback"), r->source);
}

/* ------------------------------------------------------------ entity JSON */

int townorg_entity_from_json(townorg_entity **out, const char *json)
{
	rd r = { "(entity)", { 0 }, 0 };
	json_t *root;
	*out = NULL;
	int rc = load(&r, &root, json, json ? strlen(json) : 0);
	if (rc < 0)
		return rc;
	rc = parse_entity(&r, root, out);
	json_decref(root);
	return rc;
}

/* ------------------------------------------------------------ events, meta */

static const char *const event_members[] = { "id", "kind", "from_ids", "to_ids", "documents", "date", "wording",
					     NULL };

static int add_event(rd *r, townorg_txn *t, json_t *j)
{
	townorg_event ev = TOWNORG_EVENT_INIT;
	const char *kind;
	const char **from = NULL, **to = NULL, **docs = NULL;
	int rc;
	if ((rc = want(r, j, JSON_OBJECT, "an event object")) < 0 || (rc = only(r, j, event_members)) < 0 ||
	    (rc = get_str(r, j, "id", false, &ev.event_id)) < 0 || (rc = get_str(r, j, "kind", true, &kind)) < 0 ||
	    (rc = get_str(r, j, "date", false, &ev.date)) < 0 || (rc = get_str(r, j, "wording", false, &ev.wording)) < 0)
		return rc;
	if ((rc = about(r, "kind", townorg_event_kind_parse(&ev.kind, kind))) < 0)
		return rc;
	if ((rc = get_strv(r, j, "from_ids", &from, &ev.from_count)) < 0 ||
	    (rc = get_strv(r, j, "to_ids", &to, &ev.to_count)) < 0 ||
	    (rc = get_strv(r, j, "documents", &docs, &ev.document_count)) < 0)
		goto out;
	ev.from_ids = from;
	ev.to_ids = to;
	ev.documents = docs;
	if ((rc = townorg_txn_add_event(t, &ev)) < 0)
		rc = wrap(r, rc);
out:
	townorg__free(from);
	townorg__free(to);
	townorg__free(docs);
	return rc;
}

static const char *const document_members[] = { "issuer", "number", "date", "title", NULL };

/* Metadata of a version object into *m (strings borrowed from j). */
static int get_meta(rd *r, json_t *j, townorg_meta *m)
{
	int rc;
	json_t *d;
	*m = (townorg_meta)TOWNORG_META_INIT;
	if ((rc = get_str(r, j, "effective_date", true, &m->effective_date)) < 0 ||
	    (rc = get_str(r, j, "recorded_at", true, &m->recorded_at)) < 0 ||
	    (rc = get_str(r, j, "author", false, &m->author)) < 0 ||
	    (rc = get_str(r, j, "message", false, &m->message)) < 0)
		return rc;
	if ((d = json_object_get(j, "document"))) {
		size_t old = push_key(r, "document");
		if ((rc = want(r, d, JSON_OBJECT, "an object")) == 0 && (rc = only(r, d, document_members)) == 0 &&
		    (rc = get_str(r, d, "issuer", false, &m->doc_issuer)) == 0 &&
		    (rc = get_str(r, d, "number", false, &m->doc_number)) == 0 &&
		    (rc = get_str(r, d, "date", false, &m->doc_date)) == 0)
			rc = get_str(r, d, "title", false, &m->doc_title);
		pop(r, old);
	}
	return rc;
}

/* ------------------------------------------------------------ entity sets */

/* Put every entity of the array j (at the current path) into t, refusing
 * an id seen before in `seen` (ids borrowed from the JSON tree). */
static int put_entities(rd *r, townorg_txn *t, json_t *arr, townorg__strmap *seen)
{
	size_t i;
	json_t *x;
	int rc;
	if ((rc = want(r, arr, JSON_ARRAY, "an array of entities")) < 0)
		return rc;
	json_array_foreach(arr, i, x) {
		townorg_entity *e;
		size_t old = push_index(r, i);
		if ((rc = parse_entity(r, x, &e)) == 0) {
			const char *id = json_string_value(json_object_get(x, "id"));
			if (townorg__strmap_get(seen, id))
				rc = bad(r, TOWNORG_EINTEGRITY, _("entity %s appears twice in this version"), id);
			else if ((rc = townorg__strmap_put(seen, id, (void *)id)) < 0)
				rc = townorg__oom();
			else if ((rc = townorg_txn_put(t, e)) < 0)
				rc = wrap(r, rc);
			townorg_entity_free(e);
		}
		pop(r, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ repository */

static const char *const repo_members[] = { "format", "type", "versions", "branches", "tags", NULL };
static const char *const version_members[] = { "id",     "state_hash", "parents", "effective_date", "recorded_at",
					       "author", "document",   "message", "events",         "entities",
					       "changes", NULL };
static const char *const changes_members[] = { "put", "remove", NULL };

/* Is `id` the id of a version later than index i in the array? */
static bool defined_later(json_t *versions, size_t i, const char *id)
{
	for (size_t k = i + 1; k < json_array_size(versions); k++) {
		json_t *s = json_object_get(json_array_get(versions, k), "id");
		if (json_is_string(s) && !strcmp(json_string_value(s), id))
			return true;
	}
	return false;
}

/* Resolve the parents of versions[i] (at the current path) into t. */
static int resolve_parents(rd *r, townorg_repo *repo, json_t *versions, size_t i, const char *self,
			   const char ***out, size_t *n)
{
	int rc = get_strv(r, json_array_get(versions, i), "parents", out, n);
	if (rc < 0)
		return rc;
	size_t old = push_key(r, "parents");
	for (size_t k = 0; k < *n && rc == 0; k++) {
		const char *pid = (*out)[k];
		const townorg_version *p;
		size_t o2 = push_index(r, k);
		for (size_t m = 0; m < k && rc == 0; m++)
			if (!strcmp((*out)[m], pid))
				rc = bad(r, TOWNORG_EINVALID, _("parent %.12s is listed twice"), pid);
		if (rc == 0 && !strcmp(pid, self))
			rc = bad(r, TOWNORG_EINVALID, _("version %.12s names itself as its parent (a cycle)"), pid);
		else if (rc == 0 && townorg_repo_version_by_id(&p, repo, pid) < 0) {
			townorg_error_clear();
			if (defined_later(versions, i, pid))
				rc = bad(r, TOWNORG_EINVALID,
					 _("parent %.12s comes later in the document: parents must come before their "
					 "children (a cycle of versions cannot be ordered)"),
					 pid);
			else
				rc = bad(r, TOWNORG_ENOTFOUND,
					 _("parent version %.12s is neither earlier in the document nor in the repository"), pid);
		}
		pop(r, o2);
	}
	pop(r, old);
	if (rc < 0) {
		townorg__free(*out);
		*out = NULL;
	}
	return rc;
}

/* Rebuild versions[i] in a transaction and check it against the recorded
 * hashes; commit it unless the repository already has it. */
static int import_version(rd *r, townorg_repo *repo, json_t *versions, size_t i)
{
	json_t *j = json_array_get(versions, i), *ev, *ents, *ch;
	const char *id, *state;
	const char **parents = NULL;
	size_t n_parents = 0;
	townorg_txn *t = NULL;
	townorg_version *pre = NULL;
	townorg__strmap seen = { 0 };
	townorg_meta m;
	int rc;
	if ((rc = want(r, j, JSON_OBJECT, "a version object")) < 0 || (rc = only(r, j, version_members)) < 0 ||
	    (rc = get_hash(r, j, "id", &id)) < 0 || (rc = get_hash(r, j, "state_hash", &state)) < 0 ||
	    (rc = get_meta(r, j, &m)) < 0)
		return rc;
	if ((rc = resolve_parents(r, repo, versions, i, id, &parents, &n_parents)) < 0)
		return rc;
	ents = json_object_get(j, "entities");
	ch = json_object_get(j, "changes");
	if (!n_parents && !ents) {
		rc = bad(r, TOWNORG_EINVALID, _("a version without parents lists its \"entities\"%s"),
			 ch ? _(", not \"changes\"") : "");
		goto out;
	}
	if (n_parents && !ch) {
		rc = bad(r, TOWNORG_EINVALID, _("a version with parents lists its \"changes\" from its first parent%s"),
			 ents ? _(", not \"entities\"") : "");
		goto out;
	}
	if (ents && ch) {
		rc = bad(r, TOWNORG_EINVALID, _("a version lists either \"entities\" or \"changes\", not both"));
		goto out;
	}
	const townorg_version *p0 = NULL;
	if (n_parents)
		townorg_repo_version_by_id(&p0, repo, parents[0]);
	if ((rc = townorg_txn_new(&t, repo, p0)) < 0) {
		rc = wrap(r, rc);
		goto out;
	}
	for (size_t k = 1; k < n_parents; k++) {
		const townorg_version *p;
		townorg_repo_version_by_id(&p, repo, parents[k]);
		if ((rc = townorg_txn_add_parent(t, p)) < 0) {
			rc = wrap(r, rc);
			goto out;
		}
	}
	size_t old;
	if (ents) {
		old = push_key(r, "entities");
		rc = put_entities(r, t, ents, &seen);
		pop(r, old);
	} else {
		old = push_key(r, "changes");
		json_t *put = json_object_get(ch, "put"), *rm = json_object_get(ch, "remove");
		if ((rc = want(r, ch, JSON_OBJECT, "an object with \"put\" and \"remove\"")) == 0)
			rc = only(r, ch, changes_members);
		if (rc == 0 && rm) {
			const char **ids = NULL;
			size_t n = 0;
			rc = get_strv(r, ch, "remove", &ids, &n);
			size_t o2 = push_key(r, "remove");
			for (size_t k = 0; k < n && rc == 0; k++) {
				size_t o3 = push_index(r, k);
				if (townorg__strmap_get(&seen, ids[k]))
					rc = bad(r, TOWNORG_EINTEGRITY, _("entity %s is removed twice"), ids[k]);
				else if (townorg__strmap_put(&seen, ids[k], (void *)ids[k]) < 0)
					rc = townorg__oom();
				else if ((rc = townorg_txn_remove(t, ids[k])) < 0)
					rc = wrap(r, rc);
				pop(r, o3);
			}
			pop(r, o2);
			townorg__free(ids);
		}
		if (rc == 0 && put) {
			size_t o2 = push_key(r, "put");
			rc = put_entities(r, t, put, &seen);
			pop(r, o2);
		}
		pop(r, old);
	}
	if (rc < 0)
		goto out;
	if ((ev = json_object_get(j, "events"))) {
		size_t k;
		json_t *x;
		old = push_key(r, "events");
		rc = want(r, ev, JSON_ARRAY, "an array of events");
		json_array_foreach(ev, k, x) {
			if (rc < 0)
				break;
			size_t o2 = push_index(r, k);
			rc = add_event(r, t, x);
			pop(r, o2);
		}
		pop(r, old);
		if (rc < 0)
			goto out;
	}
	if ((rc = townorg_txn_set_meta(t, &m)) < 0) {
		rc = wrap(r, rc);
		goto out;
	}
	if ((rc = townorg_txn_preview(&pre, t)) < 0) {
		rc = wrap(r, rc);
		goto out;
	}
	if (strcmp(pre->state_hash, state)) {
		rc = bad(r, TOWNORG_ECORRUPT,
			 _("version %.12s: the entities give state hash %.12s, but the document records %.12s: "
			 "the file was altered"),
			 id, pre->state_hash, state);
		goto out;
	}
	if (strcmp(pre->id, id)) {
		rc = bad(r, TOWNORG_ECORRUPT,
			 _("version %.12s: its content and metadata give id %.12s: the file was altered"), id, pre->id);
		goto out;
	}
	const townorg_version *have;
	if (townorg_repo_version_by_id(&have, repo, id) == 0)
		goto out; /* already there: reuse it */
	townorg_error_clear();
	const townorg_version *v;
	if ((rc = townorg_txn_commit(&v, t)) < 0)
		rc = wrap(r, rc);
	else if (strcmp(v->id, id))
		rc = bad(r, TOWNORG_ECORRUPT, _("version %.12s was committed as %.12s"), id, v->id);
out:
	townorg_version_free(pre);
	townorg_txn_free(t);
	townorg__strmap_free(&seen);
	townorg__free(parents);
	return rc;
}

static int import_refs(rd *r, townorg_repo *repo, json_t *refs, bool is_tag)
{
	const char *name;
	json_t *x;
	int rc;
	if (!refs)
		return 0;
	if ((rc = want(r, refs, JSON_OBJECT, is_tag ? "an object of tags" : "an object of branches")) < 0)
		return rc;
	json_object_foreach(refs, name, x) {
		const townorg_version *at = NULL, *cur = NULL;
		size_t old = push_key(r, name);
		if (json_is_null(x) && !is_tag)
			at = NULL;
		else if ((rc = want(r, x, JSON_STRING, is_tag ? "a version id" : "a version id or null")) < 0)
			goto next;
		else if (townorg_repo_version_by_id(&at, repo, json_string_value(x)) < 0) {
			rc = bad(r, TOWNORG_ENOTFOUND, _("names version %.12s, which is neither in the document nor in the "
						       "repository"), json_string_value(x));
			goto next;
		}
		if (is_tag) {
			if (townorg_repo_tag_lookup(&cur, repo, name) == 0) {
				if (cur != at)
					rc = bad(r, TOWNORG_EEXISTS, _("the repository already has tag %s on version %.12s"), name,
						 cur->id);
			} else if ((rc = townorg_repo_tag_create(repo, name, at)) < 0)
				rc = wrap(r, rc);
		} else {
			if (townorg_repo_branch_head(&cur, repo, name) == 0) {
				if (cur == at || !at)
					;
				else if (cur && townorg__version_is_ancestor(cur, at) < 0)
					rc = townorg__oom();
				else if (!cur || townorg__version_is_ancestor(cur, at)) {
					if ((rc = townorg_repo_branch_set(repo, name, at)) < 0)
						rc = wrap(r, rc);
				} else
					rc = bad(r, TOWNORG_ECONFLICT,
						 _("the repository's branch %s is at %.12s, which is not an ancestor of %.12s"), name,
						 cur->id, at->id);
			} else if ((rc = townorg_repo_branch_create(repo, name, at)) < 0)
				rc = wrap(r, rc);
		}
		if (rc == 0)
			townorg_error_clear();
	next:
		pop(r, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int import_repo_doc(rd *r, townorg_repo *repo, json_t *root, const townorg_json_options *o)
{
	int rc;
	json_t *versions;
	if ((rc = check_head(r, root, "repository")) < 0 || (rc = only(r, root, repo_members)) < 0)
		return rc;
	if (!(versions = json_object_get(root, "versions")))
		return bad(r, TOWNORG_EINVALID, _("member \"versions\" is missing"));
	size_t old = push_key(r, "versions");
	rc = want(r, versions, JSON_ARRAY, "an array of versions");
	pop(r, old);
	if (rc < 0)
		return rc;
	if ((rc = townorg__repo_batch_begin(repo)) < 0)
		return rc;
	size_t n = json_array_size(versions);
	for (size_t i = 0; i < n && rc == 0; i++) {
		old = push_key(r, "versions");
		push_index(r, i);
		rc = import_version(r, repo, versions, i);
		pop(r, old);
		if (rc == 0)
			rc = cancelled(r, o, i + 1, n);
	}
	if (rc == 0) {
		old = push_key(r, "branches");
		rc = import_refs(r, repo, json_object_get(root, "branches"), false);
		pop(r, old);
	}
	if (rc == 0) {
		old = push_key(r, "tags");
		rc = import_refs(r, repo, json_object_get(root, "tags"), true);
		pop(r, old);
	}
	if (rc < 0) {
		/* Roll back, keeping the message that explains why. */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
		townorg__repo_batch_end(repo, false);
		return townorg__err(rc, "%s", msg);
	}
	return townorg__repo_batch_end(repo, true);
}

int townorg_json_import_repo(townorg_repo *repo, const char *data, size_t len, const townorg_json_options *opts)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	json_t *root;
	int rc;
	if ((rc = townorg__json_opts(&o, opts)) < 0)
		return rc;
	rd r = { o.source_name ? o.source_name : "(string)", { 0 }, 0 };
	if (!repo)
		return townorg__err(TOWNORG_EINVALID, _("no repository to import into"));
	if ((rc = load(&r, &root, data, len)) < 0)
		return rc;
	rc = import_repo_doc(&r, repo, root, &o);
	json_decref(root);
	return rc;
}

int townorg_json_import_repo_file(townorg_repo *repo, const char *path, const townorg_json_options *opts)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	char *data;
	size_t len;
	int rc;
	if ((rc = townorg__json_opts(&o, opts)) < 0 || (rc = read_file(path, &data, &len)) < 0)
		return rc;
	o.source_name = path;
	rc = townorg_json_import_repo(repo, data, len, &o);
	townorg__free(data);
	return rc;
}

/* ------------------------------------------------------------ snapshots */

static const char *const snapshot_members[] = { "format", "type", "version", "state_hash", "effective_date",
						"entities", NULL };

static int import_snapshot_doc(rd *r, const townorg_version **out, townorg_repo *repo, const char *branch,
			       const townorg_meta *meta, json_t *root, const townorg_json_options *o)
{
	const char *vid = NULL, *state = NULL, *eff = NULL;
	townorg_txn *t = NULL;
	townorg_version *pre = NULL;
	townorg_iterator *it = NULL;
	townorg__strmap seen = { 0 };
	const char **gone = NULL;
	size_t n_gone = 0;
	json_t *ents;
	int rc;
	if ((rc = check_head(r, root, "snapshot")) < 0 || (rc = only(r, root, snapshot_members)) < 0 ||
	    (rc = get_str(r, root, "version", false, &vid)) < 0 ||
	    (rc = get_str(r, root, "effective_date", false, &eff)) < 0)
		return rc;
	if (json_object_get(root, "state_hash") && (rc = get_hash(r, root, "state_hash", &state)) < 0)
		return rc;
	if (!(ents = json_object_get(root, "entities")))
		return bad(r, TOWNORG_EINVALID, _("member \"entities\" is missing"));
	if ((rc = townorg_txn_new_on_branch(&t, repo, branch)) < 0)
		return rc;
	size_t old = push_key(r, "entities");
	rc = put_entities(r, t, ents, &seen);
	pop(r, old);
	if (rc < 0)
		goto out;
	/* Remove what the head holds and the snapshot lacks. */
	if (t->n_parents) {
		const townorg_entity *e;
		if ((rc = townorg_iterator_new(&it, t->parents[0])) < 0)
			goto out;
		gone = townorg__calloc(t->parents[0]->entities.count + 1, sizeof *gone);
		if (!gone) {
			rc = townorg__oom();
			goto out;
		}
		while (townorg_iterator_next(&e, it) == 0)
			if (!townorg__strmap_get(&seen, townorg_entity_id(e)))
				gone[n_gone++] = townorg_entity_id(e);
		for (size_t i = 0; i < n_gone && rc == 0; i++)
			if ((rc = townorg_txn_remove(t, gone[i])) < 0)
				rc = wrap(r, rc);
		if (rc < 0)
			goto out;
	}
	townorg_meta m = TOWNORG_META_INIT;
	if (meta) {
		if (meta->version != TOWNORG_META_VERSION) {
			rc = townorg__err(TOWNORG_EINVALID, _("metadata struct of an unknown version"));
			goto out;
		}
		m = *meta;
	}
	if (!m.effective_date)
		m.effective_date = eff;
	if ((rc = townorg_txn_set_meta(t, &m)) < 0) {
		/* the document's effective_date: name the file and member */
		size_t at = push_key(r, "effective_date");
		rc = wrap(r, rc);
		pop(r, at);
		goto out;
	}
	if ((rc = townorg_txn_preview(&pre, t)) < 0) {
		rc = wrap(r, rc);
		goto out;
	}
	if (state && strcmp(pre->state_hash, state)) {
		rc = bad(r, TOWNORG_ECORRUPT,
			 _("the entities give state hash %.12s, but the document records %.12s%s%.12s: the file was altered"),
			 pre->state_hash, state, vid ? _(" for version ") : "", vid ? vid : "");
		goto out;
	}
	if ((rc = cancelled(r, o, t->entities.count, t->entities.count)) < 0)
		goto out;
	rc = townorg_txn_commit(out, t);
out:
	townorg_iterator_free(it);
	townorg__free(gone);
	townorg_version_free(pre);
	townorg_txn_free(t);
	townorg__strmap_free(&seen);
	return rc;
}

int townorg_json_import_snapshot(const townorg_version **out, townorg_repo *repo, const char *branch,
				 const townorg_meta *meta, const char *data, size_t len, const townorg_json_options *opts)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	json_t *root;
	int rc;
	if (out)
		*out = NULL;
	if ((rc = townorg__json_opts(&o, opts)) < 0)
		return rc;
	rd r = { o.source_name ? o.source_name : "(string)", { 0 }, 0 };
	if (!repo)
		return townorg__err(TOWNORG_EINVALID, _("no repository to import into"));
	if ((rc = load(&r, &root, data, len)) < 0)
		return rc;
	rc = import_snapshot_doc(&r, out, repo, branch, meta, root, &o);
	json_decref(root);
	return rc;
}

int townorg_json_import_snapshot_file(const townorg_version **out, townorg_repo *repo, const char *branch,
				      const townorg_meta *meta, const char *path, const townorg_json_options *opts)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	char *data;
	size_t len;
	int rc;
	if (out)
		*out = NULL;
	if ((rc = townorg__json_opts(&o, opts)) < 0 || (rc = read_file(path, &data, &len)) < 0)
		return rc;
	o.source_name = path;
	rc = townorg_json_import_snapshot(out, repo, branch, meta, data, len, &o);
	townorg__free(data);
	return rc;
}

/*
 * json_write.c — writing the JSON interchange format (docs/format.md).
 *
 * The writer is our own rather than jansson's json_dumps for two reasons:
 * areas must come out as decimal literals with exactly one decimal place
 * made from the fixed-point integer (a binary double printed by a JSON
 * library gives "146.69999999999999" or "1e+14"), and the output must be
 * byte-stable with a layout of our choosing (one entity per line, so that
 * two exports compare well with diff).  Reading uses jansson.
 */
#include "io/json_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>

int townorg__json_opts(townorg_json_options *out, const townorg_json_options *in)
{
	static const townorg_json_options defaults = TOWNORG_JSON_OPTIONS_INIT;
	if (!in) {
		*out = defaults;
		return 0;
	}
	if (in->version != TOWNORG_JSON_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, "JSON options of unknown version %u", in->version);
	*out = *in;
	return 0;
}

/* Progress: 0 to go on, or the error code to stop with. */
static int progress(const townorg_json_options *o, size_t done, size_t total)
{
	if (!o->progress)
		return 0;
	int rc = o->progress(done, total, o->payload);
	if (!rc)
		return 0;
	if (rc > 0)
		rc = TOWNORG_ERROR;
	return townorg__err(rc, "JSON export cancelled by the progress callback");
}

/* ------------------------------------------------------------ primitives */

void townorg__jw_str(townorg__jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	townorg__buf *b = w->b;
	townorg__buf_putc(b, '"');
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *esc = NULL;
		char u[7];
		if (*p == '"')
			esc = "\\\"";
		else if (*p == '\\')
			esc = "\\\\";
		else if (*p == '\n')
			esc = "\\n";
		else if (*p == '\t')
			esc = "\\t";
		else if (*p == '\r')
			esc = "\\r";
		else if (*p < 0x20) {
			memcpy(u, "\\u00", 4);
			u[4] = hex[*p >> 4];
			u[5] = hex[*p & 15];
			u[6] = 0;
			esc = u;
		}
		if (!esc)
			continue;
		townorg__buf_put(b, run, (size_t)((const char *)p - run));
		townorg__buf_puts(b, esc);
		run = (const char *)p + 1;
	}
	townorg__buf_puts(b, run);
	townorg__buf_putc(b, '"');
}

static void key(townorg__jw *w, const char *k)
{
	townorg__jw_str(w, k);
	townorg__buf_puts(w->b, w->compact ? ":" : ": ");
}

/* Separator between members written on one line. */
static void comma(townorg__jw *w) { townorg__buf_puts(w->b, w->compact ? "," : ", "); }

/* Line break and indentation (nothing when compact). */
static void nl(townorg__jw *w, int depth)
{
	if (w->compact)
		return;
	townorg__buf_putc(w->b, '\n');
	for (int i = 0; i < depth; i++)
		townorg__buf_puts(w->b, "  ");
}

static void strlist(townorg__jw *w, const char *const *v, size_t n)
{
	townorg__buf_putc(w->b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			comma(w);
		townorg__jw_str(w, v[i]);
	}
	townorg__buf_putc(w->b, ']');
}

/* ------------------------------------------------------------ entities */

/* The integer fields in the order they are written (quotas go in "quotas"). */
static const townorg_field int_fields[] = {
	TOWNORG_FIELD_POPULATION,   TOWNORG_FIELD_AREA,         TOWNORG_FIELD_REVENUE_PER_CAPITA,
	TOWNORG_FIELD_LEADER_POSTS, TOWNORG_FIELD_ACTUAL_STAFF, TOWNORG_FIELD_CHIEF_POSTS,
	TOWNORG_FIELD_DEPUTY_POSTS,
};

void townorg__jw_entity(townorg__jw *w, const townorg_entity *e)
{
	townorg__buf *b = w->b;
	const char *s;
	int64_t v;
	townorg__buf_putc(b, '{');
	key(w, "id");
	townorg__jw_str(w, townorg_entity_id(e));
	comma(w);
	key(w, "kind");
	townorg__jw_str(w, townorg_kind_token(townorg_entity_kind(e)));
	comma(w);
	key(w, "name");
	townorg__jw_str(w, townorg_entity_name(e));
	if ((s = townorg_entity_parent_id(e))) {
		comma(w);
		key(w, "parent_id");
		townorg__jw_str(w, s);
	}
	if ((s = townorg_class_token(townorg_entity_class(e)))) {
		comma(w);
		key(w, "class");
		townorg__jw_str(w, s);
	}
	for (size_t i = 0; i < sizeof int_fields / sizeof int_fields[0]; i++) {
		if (townorg_entity_int(e, int_fields[i], &v) != 0)
			continue;
		comma(w);
		key(w, townorg_field_token(int_fields[i]));
		if (int_fields[i] == TOWNORG_FIELD_AREA) {
			char area[32];
			townorg_area_format(area, sizeof area, v);
			townorg__buf_puts(b, area);
		} else {
			townorg__buf_printf(b, "%lld", (long long)v);
		}
	}
	size_t nq = townorg_entity_quota_count(e);
	if (nq) {
		comma(w);
		key(w, "quotas");
		townorg__buf_putc(b, '{');
		for (size_t i = 0; i < nq; i++) {
			const char *type;
			townorg_entity_quota_at(e, i, &type, &v);
			if (i)
				comma(w);
			key(w, type);
			townorg__buf_printf(b, "%lld", (long long)v);
		}
		townorg__buf_putc(b, '}');
	}
	size_t na = townorg_entity_attr_count(e);
	if (na) {
		comma(w);
		key(w, "attrs");
		townorg__buf_putc(b, '{');
		for (size_t i = 0; i < na; i++) {
			const char *name;
			int is_list;
			townorg_entity_attr_at(e, i, &name, &is_list);
			if (i)
				comma(w);
			key(w, name);
			if (is_list) {
				size_t n;
				const char *const *vals = townorg_entity_list(e, name, &n);
				strlist(w, vals, n);
			} else {
				townorg__jw_str(w, townorg_entity_text(e, name));
			}
		}
		townorg__buf_putc(b, '}');
	}
	townorg__buf_putc(b, '}');
}

int townorg_entity_to_json(char **out, const townorg_entity *e)
{
	townorg__buf b = { 0 };
	townorg__jw w = { &b, false };
	*out = NULL;
	if (!e)
		return townorg__err(TOWNORG_EINVALID, "no entity to write");
	townorg__jw_entity(&w, e);
	townorg__buf_putc(&b, 0);
	if (b.failed) {
		townorg__buf_free(&b);
		return townorg__oom();
	}
	*out = b.data;
	return 0;
}

/* ------------------------------------------------------------ entity lists */

typedef struct {
	const townorg_entity **v;
	size_t n, cap;
	bool failed;
} elist;

static void elist_add(elist *l, const townorg_entity *e)
{
	if (l->failed)
		return;
	if (l->n == l->cap && TOWNORG__GROW(l->v, l->cap, 64) < 0) {
		l->failed = true;
		return;
	}
	l->v[l->n++] = e;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(townorg_entity_id(*(const townorg_entity *const *)a),
		      townorg_entity_id(*(const townorg_entity *const *)b));
}

static int collect_cb(const void *leaf, void *ctx)
{
	elist_add(ctx, leaf);
	return 0;
}

/* Diff a version against its first parent: puts (added or changed, the new
 * value) and removes (the old value, for its id). */
typedef struct {
	elist put, rm;
} changes;

static int diff_cb(const void *a, const void *b, void *ctx)
{
	changes *c = ctx;
	if (b)
		elist_add(&c->put, b);
	else
		elist_add(&c->rm, a);
	return 0;
}

/* Write a sorted entity list as an array, one entity per line at depth. */
static void entity_array(townorg__jw *w, elist *l, int depth)
{
	if (l->n)
		qsort((void *)l->v, l->n, sizeof *l->v, by_id);
	townorg__buf_putc(w->b, '[');
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			townorg__buf_putc(w->b, ',');
		nl(w, depth + 1);
		townorg__jw_entity(w, l->v[i]);
	}
	if (l->n)
		nl(w, depth);
	townorg__buf_putc(w->b, ']');
}

/* ------------------------------------------------------------ versions */

static void opt_member(townorg__jw *w, int depth, const char *k, const char *v)
{
	if (!v)
		return;
	townorg__buf_putc(w->b, ',');
	nl(w, depth);
	key(w, k);
	townorg__jw_str(w, v);
}

static void write_event(townorg__jw *w, const townorg_event *ev)
{
	bool first = true;
	townorg__buf_putc(w->b, '{');
	if (ev->event_id) {
		key(w, "id");
		townorg__jw_str(w, ev->event_id);
		first = false;
	}
	if (!first)
		comma(w);
	key(w, "kind");
	townorg__jw_str(w, townorg_event_kind_token(ev->kind));
	if (ev->from_count) {
		comma(w);
		key(w, "from_ids");
		strlist(w, ev->from_ids, ev->from_count);
	}
	if (ev->to_count) {
		comma(w);
		key(w, "to_ids");
		strlist(w, ev->to_ids, ev->to_count);
	}
	if (ev->document_count) {
		comma(w);
		key(w, "documents");
		strlist(w, ev->documents, ev->document_count);
	}
	if (ev->date) {
		comma(w);
		key(w, "date");
		townorg__jw_str(w, ev->date);
	}
	if (ev->wording) {
		comma(w);
		key(w, "wording");
		townorg__jw_str(w, ev->wording);
	}
	townorg__buf_putc(w->b, '}');
}

static int write_version(townorg__jw *w, const townorg_version *v, int depth)
{
	int rc;
	const townorg_meta *m = &v->meta;
	townorg__buf *b = w->b;
	if ((rc = townorg__version_ensure(v)) < 0)
		return rc;
	townorg__buf_putc(b, '{');
	nl(w, depth + 1);
	key(w, "id");
	townorg__jw_str(w, v->id);
	opt_member(w, depth + 1, "state_hash", v->state_hash);
	townorg__buf_putc(b, ',');
	nl(w, depth + 1);
	key(w, "parents");
	townorg__buf_putc(b, '[');
	for (size_t i = 0; i < v->n_parents; i++) {
		if (i)
			comma(w);
		townorg__jw_str(w, v->parents[i]->id);
	}
	townorg__buf_putc(b, ']');
	opt_member(w, depth + 1, "effective_date", m->effective_date);
	opt_member(w, depth + 1, "recorded_at", m->recorded_at);
	opt_member(w, depth + 1, "author", m->author);
	if (m->doc_issuer || m->doc_number || m->doc_date || m->doc_title) {
		const char *keys[4] = { "issuer", "number", "date", "title" };
		const char *vals[4] = { m->doc_issuer, m->doc_number, m->doc_date, m->doc_title };
		bool first = true;
		townorg__buf_putc(b, ',');
		nl(w, depth + 1);
		key(w, "document");
		townorg__buf_putc(b, '{');
		for (int i = 0; i < 4; i++) {
			if (!vals[i])
				continue;
			if (!first)
				comma(w);
			first = false;
			key(w, keys[i]);
			townorg__jw_str(w, vals[i]);
		}
		townorg__buf_putc(b, '}');
	}
	opt_member(w, depth + 1, "message", m->message);
	if (v->n_events) {
		townorg__buf_putc(b, ',');
		nl(w, depth + 1);
		key(w, "events");
		townorg__buf_putc(b, '[');
		townorg__event_iter it;
		townorg_event e;
		if ((rc = townorg__event_iter_init(&it, v)) < 0)
			return rc;
		while (townorg__event_iter_next(&it, &e)) {
			if (it.i > 1)
				townorg__buf_putc(b, ',');
			nl(w, depth + 2);
			write_event(w, &e);
		}
		townorg__event_iter_end(&it);
		nl(w, depth + 1);
		townorg__buf_putc(b, ']');
	}
	townorg__buf_putc(b, ',');
	nl(w, depth + 1);
	if (!v->n_parents) {
		elist all = { 0 };
		townorg__hamt_foreach(&v->entities, collect_cb, &all);
		key(w, "entities");
		if (!all.failed)
			entity_array(w, &all, depth + 1);
		townorg__free((void *)all.v);
		if (all.failed)
			return townorg__oom();
	} else {
		const townorg_version *p = v->parents[0];
		changes c = { { 0 }, { 0 } };
		if ((rc = townorg__version_ensure(p)) < 0)
			return rc;
		townorg__hamt_diff(&p->entities, &v->entities, &townorg__entity_trie, diff_cb, &c);
		bool failed = c.put.failed || c.rm.failed;
		if (!failed) {
			key(w, "changes");
			townorg__buf_putc(b, '{');
			nl(w, depth + 2);
			key(w, "put");
			entity_array(w, &c.put, depth + 2);
			townorg__buf_putc(b, ',');
			nl(w, depth + 2);
			key(w, "remove");
			if (c.rm.n)
				qsort((void *)c.rm.v, c.rm.n, sizeof *c.rm.v, by_id);
			townorg__buf_putc(b, '[');
			for (size_t i = 0; i < c.rm.n; i++) {
				if (i)
					comma(w);
				townorg__jw_str(w, townorg_entity_id(c.rm.v[i]));
			}
			townorg__buf_putc(b, ']');
			nl(w, depth + 1);
			townorg__buf_putc(b, '}');
		}
		townorg__free((void *)c.put.v);
		townorg__free((void *)c.rm.v);
		if (failed)
			return townorg__oom();
	}
	nl(w, depth);
	townorg__buf_putc(b, '}');
	return 0;
}

static void write_refs(townorg__jw *w, const townorg__ref *refs, size_t n, int depth)
{
	townorg__buf_putc(w->b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			townorg__buf_putc(w->b, ',');
		nl(w, depth + 1);
		key(w, refs[i].name);
		if (refs[i].v)
			townorg__jw_str(w, refs[i].v->id);
		else
			townorg__buf_puts(w->b, "null");
	}
	if (n)
		nl(w, depth);
	townorg__buf_putc(w->b, '}');
}

static int finish(char **out, size_t *len, townorg__buf *b, int rc)
{
	if (rc == 0) {
		townorg__buf_putc(b, 0);
		if (b->failed)
			rc = townorg__oom();
	}
	if (rc < 0) {
		townorg__buf_free(b);
		return rc;
	}
	*out = b->data;
	if (len)
		*len = b->len - 1;
	return 0;
}

/* A document's head, {"format": …, "type": TYPE (no comma after), and its
 * end. */
static void begin_document(townorg__jw *w, const char *type)
{
	townorg__buf_putc(w->b, '{');
	nl(w, 1);
	key(w, "format");
	townorg__jw_str(w, TOWNORG_JSON_FORMAT);
	townorg__buf_putc(w->b, ',');
	nl(w, 1);
	key(w, "type");
	townorg__jw_str(w, type);
}

static void end_document(townorg__jw *w)
{
	nl(w, 0);
	townorg__buf_putc(w->b, '}');
	if (!w->compact)
		townorg__buf_putc(w->b, '\n');
}

int townorg_json_export_repo(char **out, size_t *len, const townorg_repo *r, const townorg_json_options *opts)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	townorg__buf b = { 0 };
	int rc;
	*out = NULL;
	if (len)
		*len = 0;
	if (!r)
		return townorg__err(TOWNORG_EINVALID, "no repository to export");
	if ((rc = townorg__json_opts(&o, opts)) < 0)
		return rc;
	townorg__jw w = { &b, (o.flags & TOWNORG_JSON_COMPACT) != 0 };
	begin_document(&w, "repository");
	townorg__buf_putc(&b, ',');
	nl(&w, 1);
	key(&w, "versions");
	townorg__buf_putc(&b, '[');
	for (size_t i = 0; i < r->n_versions && rc == 0; i++) {
		if (i)
			townorg__buf_putc(&b, ',');
		nl(&w, 2);
		if ((rc = write_version(&w, r->versions[i], 2)) == 0)
			rc = progress(&o, i + 1, r->n_versions);
	}
	if (r->n_versions)
		nl(&w, 1);
	townorg__buf_putc(&b, ']');
	townorg__buf_putc(&b, ',');
	nl(&w, 1);
	key(&w, "branches");
	write_refs(&w, r->branches, r->n_branches, 1);
	townorg__buf_putc(&b, ',');
	nl(&w, 1);
	key(&w, "tags");
	write_refs(&w, r->tags, r->n_tags, 1);
	end_document(&w);
	return finish(out, len, &b, rc);
}

int townorg_json_export_snapshot(char **out, size_t *len, const townorg_version *v, const townorg_json_options *opts)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	townorg__buf b = { 0 };
	int rc;
	*out = NULL;
	if (len)
		*len = 0;
	if (!v)
		return townorg__err(TOWNORG_EINVALID, "no version to export");
	if ((rc = townorg__json_opts(&o, opts)) < 0 || (rc = townorg__version_ensure(v)) < 0)
		return rc;
	townorg__jw w = { &b, (o.flags & TOWNORG_JSON_COMPACT) != 0 };
	begin_document(&w, "snapshot");
	opt_member(&w, 1, "version", v->id[0] ? v->id : NULL);
	opt_member(&w, 1, "state_hash", v->state_hash);
	opt_member(&w, 1, "effective_date", v->meta.effective_date);
	townorg__buf_putc(&b, ',');
	nl(&w, 1);
	key(&w, "entities");
	elist all = { 0 };
	townorg__hamt_foreach(&v->entities, collect_cb, &all);
	if (all.failed)
		rc = townorg__oom();
	else
		entity_array(&w, &all, 1);
	townorg__free((void *)all.v);
	if (rc == 0)
		rc = progress(&o, v->entities.count, v->entities.count);
	end_document(&w);
	return finish(out, len, &b, rc);
}

/* Atomically, never over a repository (lib/files.c). */
static int write_file(const char *path, const char *data, size_t len)
{
	return townorg_write_file_atomic(path, data, len);
}

int townorg_json_export_repo_file(const char *path, const townorg_repo *r, const townorg_json_options *opts)
{
	char *s;
	size_t n;
	int rc = townorg_json_export_repo(&s, &n, r, opts);
	if (rc < 0)
		return rc;
	rc = write_file(path, s, n);
	townorg__free(s);
	return rc;
}

int townorg_json_export_snapshot_file(const char *path, const townorg_version *v, const townorg_json_options *opts)
{
	char *s;
	size_t n;
	int rc = townorg_json_export_snapshot(&s, &n, v, opts);
	if (rc < 0)
		return rc;
	rc = write_file(path, s, n);
	townorg__free(s);
	return rc;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * json_version.c — one version, or one event, as a JSON object on one line:
 * what `townorg log --json` and `townorg show --json` print for each
 * version and event, and what a program that lists a history wants
 * (townorg_version_to_json, townorg_event_to_json in townorg/json.h).
 * Members in a fixed order, separated by ", " and ": "; absent strings are
 * null.  The strings are escaped by the library's one JSON string writer
 * (townorg__jw_str, json_write.c).
 */
#include "io/json_internal.h"
#include <stdio.h>

static void put(townorg__buf *b, const char *s) { townorg__buf_put(b, s, strlen(s)); }

static void jstr(townorg__jw *w, const char *s)
{
	if (s)
		townorg__jw_str(w, s);
	else
		put(w->b, "null");
}

static void member(townorg__jw *w, int *first, const char *k)
{
	if (!*first)
		put(w->b, ", ");
	*first = 0;
	townorg__jw_str(w, k);
	put(w->b, ": ");
}

static void strs(townorg__jw *w, const char *const *v, size_t n)
{
	townorg__buf_putc(w->b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(w->b, ", ");
		jstr(w, v[i]);
	}
	townorg__buf_putc(w->b, ']');
}

static void event_object(townorg__jw *w, const townorg_event *e)
{
	int f = 1;
	townorg__buf_putc(w->b, '{');
	member(w, &f, "kind");
	jstr(w, townorg_event_kind_token(e->kind));
	member(w, &f, "event_id");
	jstr(w, e->event_id);
	member(w, &f, "from_ids");
	strs(w, e->from_ids, e->from_ids ? e->from_count : 0);
	member(w, &f, "to_ids");
	strs(w, e->to_ids, e->to_ids ? e->to_count : 0);
	member(w, &f, "documents");
	strs(w, e->documents, e->documents ? e->document_count : 0);
	member(w, &f, "date");
	jstr(w, e->date);
	member(w, &f, "wording");
	jstr(w, e->wording);
	townorg__buf_putc(w->b, '}');
}

static int finish(char **out, townorg__buf *b)
{
	townorg__buf_putc(b, 0);
	if (b->failed) {
		townorg__buf_free(b);
		return townorg__oom();
	}
	*out = b->data;
	return 0;
}

int townorg_event_to_json(char **out, const townorg_event *e)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_event_to_json: no place for the result");
	*out = NULL;
	if (!e)
		return townorg__err(TOWNORG_EINVALID, "no event to write");
	townorg__buf b = { 0 };
	townorg__jw w = { &b, false };
	event_object(&w, e);
	return finish(out, &b);
}

static bool same(const townorg_version *a, const townorg_version *b)
{
	return a && b && !strcmp(townorg_version_id(a), townorg_version_id(b));
}

int townorg_version_to_json(char **out, const townorg_version *v, const townorg_repo *repo)
{
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_version_to_json: no place for the result");
	*out = NULL;
	if (!v)
		return townorg__err(TOWNORG_EINVALID, "no version to write");
	const townorg_meta *m = townorg_version_meta(v);
	townorg__buf b = { 0 };
	townorg__jw w = { &b, false };
	int f = 1, g = 1;
	townorg__buf_putc(&b, '{');
	member(&w, &f, "id");
	jstr(&w, townorg_version_id(v));
	member(&w, &f, "state_hash");
	jstr(&w, townorg_version_state_hash(v));
	member(&w, &f, "parents");
	townorg__buf_putc(&b, '[');
	for (size_t i = 0; i < townorg_version_parent_count(v); i++) {
		if (i)
			put(&b, ", ");
		jstr(&w, townorg_version_id(townorg_version_parent(v, i)));
	}
	townorg__buf_putc(&b, ']');
	member(&w, &f, "effective_date");
	jstr(&w, m->effective_date);
	member(&w, &f, "recorded_at");
	jstr(&w, m->recorded_at);
	member(&w, &f, "author");
	jstr(&w, m->author);
	member(&w, &f, "document");
	townorg__buf_putc(&b, '{');
	member(&w, &g, "issuer");
	jstr(&w, m->doc_issuer);
	member(&w, &g, "number");
	jstr(&w, m->doc_number);
	member(&w, &g, "date");
	jstr(&w, m->doc_date);
	member(&w, &g, "title");
	jstr(&w, m->doc_title);
	townorg__buf_putc(&b, '}');
	member(&w, &f, "message");
	jstr(&w, m->message);
	if (repo) {
		int any = 0;
		member(&w, &f, "branches");
		townorg__buf_putc(&b, '[');
		for (size_t i = 0; i < townorg_repo_branch_count(repo); i++) {
			const char *name = townorg_repo_branch_name(repo, i);
			const townorg_version *at = NULL;
			if (townorg_repo_branch_head(&at, repo, name) == 0 && same(at, v)) {
				put(&b, any++ ? ", " : "");
				jstr(&w, name);
			} else
				townorg_error_clear();
		}
		townorg__buf_putc(&b, ']');
		any = 0;
		member(&w, &f, "tags");
		townorg__buf_putc(&b, '[');
		for (size_t i = 0; i < townorg_repo_tag_count(repo); i++) {
			const townorg_version *at = NULL;
			const char *name = townorg_repo_tag_name(repo, i, &at);
			if (same(at, v)) {
				put(&b, any++ ? ", " : "");
				jstr(&w, name);
			}
		}
		townorg__buf_putc(&b, ']');
	}
	member(&w, &f, "event_count");
	char n[32];
	snprintf(n, sizeof n, "%zu", townorg_version_event_count(v));
	put(&b, n);
	townorg__buf_putc(&b, '}');
	return finish(out, &b);
}

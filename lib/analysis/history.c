/*
 * history.c — blame, history and lineage of an entity; changes between
 * two dates on a branch.
 *
 * Blame and history walk first parents (the line a branch followed), as
 * `git blame` and `git log --first-parent` do: a merge version is blamed
 * for what it brought in.  Each step is one O(log n) lookup; consecutive
 * versions usually share the entity value itself, which is skipped by
 * pointer or hash without comparing fields.
 *
 * Lineage reads the change events of every ancestor of a version (the
 * events are the record of what became of what; the states alone cannot
 * tell a merge from an abolition plus a creation), builds the graph of
 * entity ids they link, and walks it from the id asked about.
 */
#include "analysis/diff_internal.h"
#include <jansson.h>
#include "base/json_oom.h"
#include <stdio.h>
#include <stdlib.h>

static const townorg_entity *get_in(const townorg_version *v, const char *id)
{
	if (!v || !id || townorg__version_ensure(v) < 0)
		return NULL;
	return townorg__hamt_get(&v->entities, &townorg__entity_trie, id);
}

static const townorg_version *first_parent(const townorg_version *v)
{
	return v->n_parents ? v->parents[0] : NULL;
}

/* ------------------------------------------------------------ blame */

struct townorg_blame {
	townorg__arena arena;
	const townorg_version *at;
	townorg_entity *entity;
	const townorg_version *created;
	size_t n;
	townorg_blame_entry *entries;
};

static void blame_set(townorg_blame_entry *e, const townorg_version *v)
{
	const townorg_meta *m = townorg_version_meta(v);
	e->version = v;
	e->doc_number = m->doc_number;
	e->effective_date = m->effective_date;
	e->author = m->author;
}

int townorg_blame_entity(townorg_blame **out, const townorg_version *at, const char *id)
{
	int rc;
	if (!out || !at || !id)
		return townorg__err(TOWNORG_EINVALID, "townorg_blame_entity: NULL argument");
	*out = NULL;
	const townorg_entity *e;
	if ((rc = townorg_version_get(&e, at, id)) < 0)
		return rc;
	townorg_blame *b = townorg__calloc(1, sizeof *b);
	if (!b)
		return townorg__oom();
	b->at = at;
	b->entity = townorg_entity_ref(e);
	townorg_diff_field *f;
	size_t nf;
	if ((rc = townorg__entity_fields_diff(&b->arena, NULL, e, NULL, 0, &f, &nf)) < 0)
		goto fail;
	b->entries = townorg__arena_alloc(&b->arena, (nf ? nf : 1) * sizeof *b->entries);
	if (!b->entries) {
		rc = TOWNORG_ENOMEM;
		goto fail;
	}
	b->n = nf;
	for (size_t i = 0; i < nf; i++) {
		memset(&b->entries[i], 0, sizeof b->entries[i]);
		b->entries[i].field = f[i].name;
		b->entries[i].type = f[i].type;
		b->entries[i].value = f[i].new_value;
	}
	size_t unresolved = nf;
	const townorg_version *v = at;
	const townorg_entity *cur = e;
	for (;;) {
		const townorg_version *p = first_parent(v);
		if (p && (rc = townorg__version_ensure(p)) < 0)
			goto fail;
		const townorg_entity *pe = p ? get_in(p, id) : NULL;
		if (!pe) {
			for (size_t i = 0; i < nf; i++)
				if (!b->entries[i].version)
					blame_set(&b->entries[i], v);
			b->created = v;
			break;
		}
		if (unresolved && !townorg_entity_equal(pe, cur)) {
			/* fields whose value differs in the parent were set here; every
			 * unresolved field still has its current value in cur */
			townorg__arena tmp = { 0 };
			townorg_diff_field *ch;
			size_t nch;
			if ((rc = townorg__entity_fields_diff(&tmp, pe, cur, NULL, 0, &ch, &nch)) < 0) {
				townorg__arena_free(&tmp);
				goto fail;
			}
			for (size_t i = 0; i < nf; i++) {
				if (b->entries[i].version)
					continue;
				for (size_t k = 0; k < nch; k++)
					if (!strcmp(ch[k].name, b->entries[i].field)) {
						blame_set(&b->entries[i], v);
						unresolved--;
						break;
					}
			}
			townorg__arena_free(&tmp);
		}
		v = p;
		cur = pe;
	}
	*out = b;
	return 0;
fail:
	townorg_blame_free(b);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

void townorg_blame_free(townorg_blame *b)
{
	if (!b)
		return;
	townorg_entity_free(b->entity);
	townorg__arena_free(&b->arena);
	townorg__free(b);
}

const townorg_entity *townorg_blame_entity_value(const townorg_blame *b) { return b->entity; }
const townorg_version *townorg_blame_created(const townorg_blame *b) { return b->created; }
size_t townorg_blame_count(const townorg_blame *b) { return b->n; }
const townorg_blame_entry *townorg_blame_at(const townorg_blame *b, size_t i) { return i < b->n ? &b->entries[i] : NULL; }

const townorg_blame_entry *townorg_blame_field(const townorg_blame *b, const char *field)
{
	for (size_t i = 0; field && i < b->n; i++)
		if (!strcmp(b->entries[i].field, field))
			return &b->entries[i];
	return NULL;
}

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

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

static int dump(char **out, json_t *root, bool bad)
{
	if (bad || !root) {
		json_decref(root);
		return townorg__oom();
	}
	*out = townorg__json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(root);
	return *out ? 0 : townorg__oom();
}

static bool event_names(const townorg_event *e, const char *id);

int townorg_blame_to_json(char **out, const townorg_blame *b)
{
	bool bad = false;
	json_t *root = json_object(), *fields = json_object();
	if (root) {
		jset(root, "id", json_string(townorg_entity_id(b->entity)), &bad);
		jset(root, "at", json_string(townorg_version_id(b->at)), &bad);
		jset(root, "created", json_string(townorg_version_id(b->created)), &bad);
	}
	for (size_t i = 0; fields && i < b->n; i++) {
		const townorg_blame_entry *e = &b->entries[i];
		json_t *o = json_object();
		if (o) {
			jset(o, "value", json_string(e->value), &bad);
			jset(o, "version", json_string(townorg_version_id(e->version)), &bad);
			jset(o, "doc_number", jstr(e->doc_number), &bad);
			jset(o, "effective_date", jstr(e->effective_date), &bad);
			jset(o, "author", jstr(e->author), &bad);
			/* the change that set the value: the first event of that
			 * version naming the entity (an importer's MCA row carries the
			 * approving document and the year), or null */
			const townorg_event *ev = NULL;
			const char *id = townorg_entity_id(b->entity);
			for (size_t k = 0; !ev && !bad && k < townorg_version_event_count(e->version); k++) {
				const townorg_event *x = townorg_version_event(e->version, k);
				if (!x)
					bad = true; /* no memory for the records */
				else if (event_names(x, id))
					ev = x;
			}
			json_t *ej = ev ? json_object() : json_null();
			if (ev && ej) {
				json_t *docs = json_array();
				for (size_t d = 0; docs && d < ev->document_count; d++)
					japp(docs, json_string(ev->documents[d]), &bad);
				jset(ej, "kind", jstr(townorg_event_kind_token(ev->kind)), &bad);
				jset(ej, "event_id", jstr(ev->event_id), &bad);
				jset(ej, "documents", docs, &bad);
				jset(ej, "date", jstr(ev->date), &bad);
				jset(ej, "wording", jstr(ev->wording), &bad);
			}
			jset(o, "event", ej, &bad);
		}
		jset(fields, e->field, o, &bad);
	}
	if (root)
		jset(root, "fields", fields, &bad);
	else
		json_decref(fields);
	return dump(out, root, bad);
}

/* ------------------------------------------------------------ history */

struct townorg_history {
	townorg__arena arena;
	size_t n, cap;
	townorg_history_entry *entries;
};

static bool event_names(const townorg_event *e, const char *id)
{
	for (size_t i = 0; i < e->from_count; i++)
		if (!strcmp(e->from_ids[i], id))
			return true;
	for (size_t i = 0; i < e->to_count; i++)
		if (!strcmp(e->to_ids[i], id))
			return true;
	return false;
}

static int history_add(townorg_history *h, const townorg_version *v, const townorg_entity *old_e,
		       const townorg_entity *new_e, const char *id)
{
	int rc;
	if (h->n == h->cap && TOWNORG__GROW(h->entries, h->cap, 8) < 0)
		return TOWNORG_ENOMEM;
	townorg_history_entry *e = &h->entries[h->n];
	memset(e, 0, sizeof *e);
	e->version = v;
	e->status = !old_e ? TOWNORG_DELTA_ADDED : !new_e ? TOWNORG_DELTA_REMOVED : TOWNORG_DELTA_CHANGED;
	townorg_diff_field *f;
	if ((rc = townorg__entity_fields_diff(&h->arena, old_e, new_e, NULL, 0, &f, &e->field_count)) < 0)
		return rc;
	e->fields = f;
	/* the events naming id: counted on the encoded events, and the array
	 * of v's events made only if there are some */
	size_t ne = 0;
	townorg__event_iter it;
	townorg_event ev;
	if (townorg__event_iter_init(&it, v) < 0)
		return TOWNORG_ENOMEM;
	while (townorg__event_iter_next(&it, &ev))
		ne += event_names(&ev, id);
	townorg__event_iter_end(&it);
	if (ne) {
		const townorg_event *all = townorg__version_events(v);
		const townorg_event **evs = all ? townorg__arena_alloc(&h->arena, ne * sizeof *evs) : NULL;
		if (!evs)
			return TOWNORG_ENOMEM;
		ne = 0;
		for (size_t i = 0; i < v->n_events; i++)
			if (event_names(&all[i], id))
				evs[ne++] = &all[i];
		e->events = evs;
		e->event_count = ne;
	}
	e->old_entity = old_e ? townorg_entity_ref(old_e) : NULL;
	e->new_entity = new_e ? townorg_entity_ref(new_e) : NULL;
	h->n++;
	return 0;
}

int townorg_history_entity(townorg_history **out, const townorg_version *at, const char *id)
{
	int rc = 0;
	if (!out || !at || !id)
		return townorg__err(TOWNORG_EINVALID, "townorg_history_entity: NULL argument");
	*out = NULL;
	if ((rc = townorg__version_ensure(at)) < 0)
		return rc;
	townorg_history *h = townorg__calloc(1, sizeof *h);
	if (!h)
		return townorg__oom();
	const townorg_version *v = at;
	const townorg_entity *cur = get_in(at, id);
	while (v) {
		const townorg_version *p = first_parent(v);
		if (p && (rc = townorg__version_ensure(p)) < 0)
			goto fail;
		const townorg_entity *pe = get_in(p, id);
		if ((cur || pe) && !(cur && pe && townorg_entity_equal(cur, pe)) &&
		    (rc = history_add(h, v, pe, cur, id)) < 0)
			goto fail;
		v = p;
		cur = pe;
	}
	*out = h;
	return 0;
fail:
	townorg_history_free(h);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

void townorg_history_free(townorg_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		townorg_entity_free((townorg_entity *)h->entries[i].old_entity);
		townorg_entity_free((townorg_entity *)h->entries[i].new_entity);
	}
	townorg__free(h->entries);
	townorg__arena_free(&h->arena);
	townorg__free(h);
}

size_t townorg_history_count(const townorg_history *h) { return h->n; }
const townorg_history_entry *townorg_history_at(const townorg_history *h, size_t i)
{
	return i < h->n ? &h->entries[i] : NULL;
}

/* ------------------------------------------------------------ lineage */

struct townorg_lineage {
	const townorg_version *at;
	const char *root;
	size_t n_nodes, n_edges;
	townorg_lineage_node *nodes;
	townorg_lineage_edge *edges;
	townorg__arena arena;
};

/* An edge index entry: one endpoint id and the edge it belongs to. */
typedef struct {
	const char *id;
	size_t edge;
} endpoint;

static int ep_cmp(const void *x, const void *y)
{
	const endpoint *a = x, *b = y;
	int c = strcmp(a->id, b->id);
	return c ? c : (a->edge > b->edge) - (a->edge < b->edge);
}

/* First index in the sorted endpoint array with that id. */
static size_t ep_find(const endpoint *v, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(v[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is `to` the new parent of `from` in v (a move event naming the place)? */
static bool names_parent(const townorg_version *v, const char *from, const char *to)
{
	const townorg_entity *e = get_in(v, from);
	const char *p = e ? townorg_entity_parent_id(e) : NULL;
	return p && !strcmp(p, to);
}

/* The edges, each with the index of its event in its version: the edges
 * are made from the encoded events (their ids point into the versions'
 * blocks of events), and only the edges kept get their event record
 * (townorg__version_events), at the end. */
typedef struct {
	townorg_lineage_edge *v;
	size_t *ev; /* event index of each edge */
	size_t n, cap;
} edgelist;

/* The event being read: its version and index. */
typedef struct {
	const townorg_version *version;
	size_t index;
} evref;

static int edge_push(edgelist *l, const char *f, const char *t, const evref *de)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		townorg_lineage_edge *nv = townorg__realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return TOWNORG_ENOMEM;
		l->v = nv;
		size_t *ne = townorg__realloc(l->ev, cap * sizeof *ne);
		if (!ne)
			return TOWNORG_ENOMEM;
		l->ev = ne;
		l->cap = cap;
	}
	l->v[l->n] = (townorg_lineage_edge){ f, t, de->version, NULL };
	l->ev[l->n++] = de->index;
	return 0;
}

/* Every step recorded by one event record. */
static int event_edges(edgelist *l, const townorg_event *e, const evref *de)
{
	int rc = 0;
	if (!e->from_count) {
		for (size_t j = 0; j < e->to_count && !rc; j++)
			rc = edge_push(l, NULL, e->to_ids[j], de);
		return rc;
	}
	if (!e->to_count) {
		for (size_t i = 0; i < e->from_count && !rc; i++)
			rc = edge_push(l, e->from_ids[i], NULL, de);
		return rc;
	}
	for (size_t i = 0; i < e->from_count && !rc; i++) {
		if (e->kind == TOWNORG_EVENT_MOVE && e->to_count == 1 && names_parent(de->version, e->from_ids[i], e->to_ids[0])) {
			rc = edge_push(l, e->from_ids[i], e->from_ids[i], de);
			continue;
		}
		for (size_t j = 0; j < e->to_count && !rc; j++)
			rc = edge_push(l, e->from_ids[i], e->to_ids[j], de);
	}
	return rc;
}

typedef struct {
	townorg__strmap seen;
	const char **ids;
	size_t n, cap;
} idset;

static int ids_add(idset *s, const char *id, bool *added)
{
	*added = false;
	if (townorg__strmap_get(&s->seen, id))
		return 0;
	if (s->n == s->cap && TOWNORG__GROW(s->ids, s->cap, 16) < 0)
		return TOWNORG_ENOMEM;
	s->ids[s->n++] = id;
	*added = true;
	return townorg__strmap_put(&s->seen, id, (void *)1);
}

/* Breadth-first from root; dir 1: successors (from → to), 2: predecessors,
 * 3: both. */
static int walk(idset *s, const char *root, const edgelist *l, const endpoint *by_from, const endpoint *by_to,
		size_t nf, size_t nt, int dir)
{
	idset local = { 0 };
	bool added;
	int rc = ids_add(&local, root, &added);
	for (size_t q = 0; q < local.n && rc == 0; q++) {
		const char *x = local.ids[q];
		if (dir & 1)
			for (size_t i = ep_find(by_from, nf, x); i < nf && !strcmp(by_from[i].id, x) && rc == 0; i++) {
				const char *t = l->v[by_from[i].edge].to_id;
				if (t)
					rc = ids_add(&local, t, &added);
			}
		if (dir & 2)
			for (size_t i = ep_find(by_to, nt, x); i < nt && !strcmp(by_to[i].id, x) && rc == 0; i++) {
				const char *f = l->v[by_to[i].edge].from_id;
				if (f)
					rc = ids_add(&local, f, &added);
			}
	}
	for (size_t i = 0; i < local.n && rc == 0; i++)
		rc = ids_add(s, local.ids[i], &added);
	townorg__strmap_free(&local.seen);
	townorg__free((void *)local.ids);
	return rc;
}

static int strp_cmp(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

/* The last known name and kind of an entity that is gone: from the newest
 * edge that names it (present in that version as a successor, in its first
 * parent as a predecessor). */
static void node_info(townorg_lineage_node *nd, const townorg_lineage *lg, const edgelist *l)
{
	const townorg_entity *e = get_in(lg->at, nd->id);
	nd->present = e != NULL;
	for (size_t i = l->n; !e && i-- > 0;) {
		const townorg_lineage_edge *ed = &l->v[i];
		if (ed->to_id && !strcmp(ed->to_id, nd->id))
			e = get_in(ed->version, nd->id);
		if (!e && ed->from_id && !strcmp(ed->from_id, nd->id)) {
			e = get_in(first_parent(ed->version), nd->id);
			if (!e)
				e = get_in(ed->version, nd->id);
		}
	}
	nd->name = e ? townorg_entity_name(e) : "";
	nd->kind = e ? townorg_entity_kind(e) : TOWNORG_KIND_INVALID;
}

int townorg_lineage_of(townorg_lineage **out, const townorg_version *at, const char *id, unsigned int flags)
{
	int rc;
	if (!out || !at || !id)
		return townorg__err(TOWNORG_EINVALID, "townorg_lineage_of: NULL argument");
	*out = NULL;
	if (flags & ~7u)
		return townorg__err(TOWNORG_EINVALID, "townorg_lineage_of: unknown flags 0x%x", flags);
	if (!flags)
		flags = TOWNORG_LINEAGE_PREDECESSORS | TOWNORG_LINEAGE_SUCCESSORS;
	townorg_lineage *lg = townorg__calloc(1, sizeof *lg);
	if (!lg)
		return townorg__oom();
	lg->at = at;
	edgelist l = { 0 };
	endpoint *by_from = NULL, *by_to = NULL;
	idset s = { 0 };
	const townorg_version **sel = NULL;
	size_t nsel = 0, nf = 0, nt = 0;
	if ((rc = townorg__versions_between(&sel, &nsel, NULL, at)) < 0)
		goto fail;
	for (size_t i = 0; i < nsel && rc == 0; i++) {
		townorg__event_iter it;
		townorg_event e;
		if ((rc = townorg__event_iter_init(&it, sel[i])) < 0)
			break;
		while (rc == 0 && townorg__event_iter_next(&it, &e))
			rc = event_edges(&l, &e, &(evref){ sel[i], it.i - 1 });
		townorg__event_iter_end(&it);
	}
	townorg__free((void *)sel);
	if (rc < 0)
		goto fail;
	by_from = townorg__malloc((l.n ? l.n : 1) * sizeof *by_from);
	by_to = townorg__malloc((l.n ? l.n : 1) * sizeof *by_to);
	if (!by_from || !by_to) {
		rc = TOWNORG_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].from_id)
			by_from[nf++] = (endpoint){ l.v[i].from_id, i };
		if (l.v[i].to_id)
			by_to[nt++] = (endpoint){ l.v[i].to_id, i };
	}
	if (nf)
		qsort(by_from, nf, sizeof *by_from, ep_cmp);
	if (nt)
		qsort(by_to, nt, sizeof *by_to, ep_cmp);
	lg->root = townorg__arena_strdup(&lg->arena, id);
	if (!lg->root) {
		rc = TOWNORG_ENOMEM;
		goto fail;
	}
	if (flags & TOWNORG_LINEAGE_FAMILY)
		rc = walk(&s, lg->root, &l, by_from, by_to, nf, nt, 3);
	else {
		if (flags & TOWNORG_LINEAGE_SUCCESSORS)
			rc = walk(&s, lg->root, &l, by_from, by_to, nf, nt, 1);
		if (rc == 0 && (flags & TOWNORG_LINEAGE_PREDECESSORS))
			rc = walk(&s, lg->root, &l, by_from, by_to, nf, nt, 2);
	}
	if (rc < 0)
		goto fail;
	/* nodes, sorted by id */
	if (s.n)
		qsort((void *)s.ids, s.n, sizeof *s.ids, strp_cmp);
	lg->nodes = townorg__calloc(s.n ? s.n : 1, sizeof *lg->nodes);
	if (!lg->nodes) {
		rc = TOWNORG_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < s.n; i++) {
		lg->nodes[i].id = s.ids[i];
		lg->nodes[i].is_root = !strcmp(s.ids[i], id);
		node_info(&lg->nodes[i], lg, &l);
	}
	lg->n_nodes = s.n;
	/* edges whose ends are in the set (an open end counts as in) */
	size_t k = 0;
	for (size_t i = 0; i < l.n; i++) {
		const char *f = l.v[i].from_id, *t = l.v[i].to_id;
		bool fin = !f || townorg__strmap_get(&s.seen, f), tin = !t || townorg__strmap_get(&s.seen, t);
		if (fin && tin) {
			l.v[k] = l.v[i];
			l.ev[k++] = l.ev[i];
		}
	}
	/* the records of the events of the edges kept */
	for (size_t i = 0; i < k; i++) {
		const townorg_event *evs = townorg__version_events(l.v[i].version);
		if (!evs) {
			rc = TOWNORG_ENOMEM;
			goto fail;
		}
		l.v[i].event = &evs[l.ev[i]];
	}
	lg->edges = l.v;
	lg->n_edges = k;
	l.v = NULL;
	townorg__free(l.ev);
	townorg__free(by_from);
	townorg__free(by_to);
	townorg__strmap_free(&s.seen);
	townorg__free((void *)s.ids);
	*out = lg;
	return 0;
fail:
	townorg__free(l.v);
	townorg__free(l.ev);
	townorg__free(by_from);
	townorg__free(by_to);
	townorg__strmap_free(&s.seen);
	townorg__free((void *)s.ids);
	townorg_lineage_free(lg);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

void townorg_lineage_free(townorg_lineage *lg)
{
	if (!lg)
		return;
	townorg__free(lg->nodes);
	townorg__free(lg->edges);
	townorg__arena_free(&lg->arena);
	townorg__free(lg);
}

size_t townorg_lineage_node_count(const townorg_lineage *lg) { return lg->n_nodes; }
const townorg_lineage_node *townorg_lineage_node_at(const townorg_lineage *lg, size_t i)
{
	return i < lg->n_nodes ? &lg->nodes[i] : NULL;
}
size_t townorg_lineage_edge_count(const townorg_lineage *lg) { return lg->n_edges; }
const townorg_lineage_edge *townorg_lineage_edge_at(const townorg_lineage *lg, size_t i)
{
	return i < lg->n_edges ? &lg->edges[i] : NULL;
}

static const char *edge_doc(const townorg_lineage_edge *e)
{
	return e->event->document_count ? e->event->documents[0] : townorg_version_meta(e->version)->doc_number;
}

int townorg_lineage_to_json(char **out, const townorg_lineage *lg)
{
	bool bad = false;
	if (!out || !lg)
		return townorg__err(TOWNORG_EINVALID, "townorg_lineage_to_json: NULL argument");
	*out = NULL;
	json_t *root = json_object(), *nodes = json_array(), *edges = json_array();
	if (root) {
		jset(root, "id", json_string(lg->root), &bad);
		jset(root, "at", json_string(townorg_version_id(lg->at)), &bad);
	}
	for (size_t i = 0; nodes && i < lg->n_nodes; i++) {
		const townorg_lineage_node *n = &lg->nodes[i];
		json_t *o = json_object();
		if (o) {
			jset(o, "id", json_string(n->id), &bad);
			jset(o, "name", json_string(n->name), &bad);
			jset(o, "kind", jstr(townorg_kind_token(n->kind)), &bad);
			jset(o, "present", json_boolean(n->present), &bad);
		}
		japp(nodes, o, &bad);
	}
	for (size_t i = 0; edges && i < lg->n_edges; i++) {
		const townorg_lineage_edge *e = &lg->edges[i];
		const townorg_meta *m = townorg_version_meta(e->version);
		json_t *o = json_object(), *docs = json_array();
		for (size_t d = 0; docs && d < e->event->document_count; d++)
			japp(docs, json_string(e->event->documents[d]), &bad);
		if (o) {
			jset(o, "from", jstr(e->from_id), &bad);
			jset(o, "to", jstr(e->to_id), &bad);
			jset(o, "kind", jstr(townorg_event_kind_token(e->event->kind)), &bad);
			jset(o, "event_id", jstr(e->event->event_id), &bad);
			jset(o, "version", json_string(townorg_version_id(e->version)), &bad);
			jset(o, "effective_date", jstr(m->effective_date), &bad);
			jset(o, "doc_number", jstr(m->doc_number), &bad);
			jset(o, "documents", docs, &bad);
			jset(o, "date", jstr(e->event->date), &bad);
			jset(o, "wording", jstr(e->event->wording), &bad);
		} else {
			json_decref(docs);
		}
		japp(edges, o, &bad);
	}
	if (root) {
		jset(root, "nodes", nodes, &bad);
		jset(root, "edges", edges, &bad);
	} else {
		json_decref(nodes);
		json_decref(edges);
	}
	return dump(out, root, bad);
}

/* A DOT double-quoted string: escape quotes and backslashes. */
static void dot_str(townorg__buf *b, const char *s)
{
	townorg__buf_putc(b, '"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			townorg__buf_putc(b, '\\');
		if (*s == '\n') {
			townorg__buf_puts(b, "\\n");
			continue;
		}
		townorg__buf_putc(b, *s);
	}
	townorg__buf_putc(b, '"');
}

static const char *kind_label_zh(townorg_event_kind k);

int townorg_lineage_to_dot(char **out, const townorg_lineage *lg)
{
	return townorg_lineage_to_dot_lang(out, lg, TOWNORG_LANG_EN);
}

int townorg_lineage_to_dot_lang(char **out, const townorg_lineage *lg, townorg_lang lang)
{
	townorg__buf b = { 0 };
	if (!out || !lg)
		return townorg__err(TOWNORG_EINVALID, "townorg_lineage_to_dot: NULL argument");
	*out = NULL;
	townorg__buf_puts(&b, "digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n");
	for (size_t i = 0; i < lg->n_nodes; i++) {
		const townorg_lineage_node *n = &lg->nodes[i];
		char label[4400];
		snprintf(label, sizeof label, "%s\n%s", *n->name ? n->name : n->id, n->id);
		townorg__buf_puts(&b, "  ");
		dot_str(&b, n->id);
		townorg__buf_puts(&b, " [label=");
		dot_str(&b, label);
		if (n->is_root)
			townorg__buf_puts(&b, ", style=bold");
		else if (!n->present)
			townorg__buf_puts(&b, ", style=dashed");
		townorg__buf_puts(&b, "];\n");
	}
	for (size_t i = 0; i < lg->n_edges; i++) {
		const townorg_lineage_edge *e = &lg->edges[i];
		char end[32], label[600];
		const char *doc = edge_doc(e), *date = townorg_version_meta(e->version)->effective_date;
		if (e->event->date)
			date = e->event->date; /* the change's own date (an MCA row: its year) */
		snprintf(label, sizeof label, "%s%s%s%s%s",
			 lang == TOWNORG_LANG_ZH ? kind_label_zh(e->event->kind) : townorg_event_kind_token(e->event->kind),
			 date ? "\n" : "", date ? date : "", doc ? "\n" : "", doc ? doc : "");
		if (!e->from_id || !e->to_id) {
			/* a creation or an abolition: an open end drawn as a point */
			snprintf(end, sizeof end, "_end%zu", i);
			townorg__buf_printf(&b, "  %s [shape=point];\n", end);
		}
		townorg__buf_puts(&b, "  ");
		if (e->from_id)
			dot_str(&b, e->from_id);
		else
			townorg__buf_puts(&b, end);
		townorg__buf_puts(&b, " -> ");
		if (e->to_id)
			dot_str(&b, e->to_id);
		else
			townorg__buf_puts(&b, end);
		townorg__buf_puts(&b, " [label=");
		dot_str(&b, label);
		townorg__buf_puts(&b, "];\n");
	}
	townorg__buf_puts(&b, "}\n");
	if (b.failed || !b.data) {
		townorg__buf_free(&b);
		return townorg__oom();
	}
	*out = b.data;
	return 0;
}

static const townorg_lineage_node *node_by_id(const townorg_lineage *lg, const char *id)
{
	size_t lo = 0, hi = lg->n_nodes;
	while (id && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(lg->nodes[mid].id, id);
		if (!c)
			return &lg->nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The Chinese label of an event kind (as the CLI's catalogue has it). */
static const char *kind_label_zh(townorg_event_kind k)
{
	static const char *const zh[] = { NULL,     "新设",     "撤销",     "撤并",     "拆分",     "整合",
					  "更名",   "改设",     "隶属变更", "职能划转", "人员分流", "档案移交" };
	return (int)k > 0 && (size_t)k < sizeof zh / sizeof zh[0] ? zh[k] : townorg_event_kind_token(k);
}

int townorg_lineage_to_text(char **out, const townorg_lineage *lg, townorg_lang lang)
{
	townorg__buf b = { 0 };
	if (!out || !lg)
		return townorg__err(TOWNORG_EINVALID, "townorg_lineage_to_text: NULL argument");
	*out = NULL;
	const townorg_lineage_node *r = node_by_id(lg, lg->root);
	townorg__buf_printf(&b, lang == TOWNORG_LANG_ZH ? "%s %s 的沿革\n" : "lineage of %s %s\n", lg->root,
			    r && *r->name ? r->name : "");
	for (size_t i = 0; i < lg->n_edges; i++) {
		const townorg_lineage_edge *e = &lg->edges[i];
		const char *vdate = townorg_version_meta(e->version)->effective_date, *doc = edge_doc(e);
		/* the event's own date when it has one (of day, month or year
		 * precision: an MCA row gives its table's year), else the version's */
		const char *date = e->event->date ? e->event->date : vdate;
		const townorg_lineage_node *f = node_by_id(lg, e->from_id), *t = node_by_id(lg, e->to_id);
		townorg__buf_printf(&b, "  %s %s %s %s → %s %s", date ? date : "",
				    lang == TOWNORG_LANG_ZH ? kind_label_zh(e->event->kind)
							    : townorg_event_kind_token(e->event->kind),
				    e->from_id ? e->from_id : "∅", f ? f->name : "", e->to_id ? e->to_id : "∅",
				    t ? t->name : "");
		if (doc)
			townorg__buf_printf(&b, lang == TOWNORG_LANG_ZH ? "（%s）" : " (%s)", doc);
		if (e->event->date && vdate && strcmp(e->event->date, vdate))
			townorg__buf_printf(&b, lang == TOWNORG_LANG_ZH ? "［记于 %s 版本］" : " [recorded in the version of %s]",
					    vdate);
		townorg__buf_putc(&b, '\n');
	}
	if (b.failed || !b.data) {
		townorg__buf_free(&b);
		return townorg__oom();
	}
	*out = b.data;
	return 0;
}

/* ------------------------------------------------------------ between dates */

static int asof_or_empty(const townorg_version **out, const townorg_repo *repo, const char *branch, const char *date)
{
	int rc = townorg_repo_asof(out, repo, branch, date);
	if (rc == TOWNORG_ENOTFOUND) {
		/* the branch exists (checked by the caller): nothing in effect yet */
		*out = NULL;
		townorg_error_clear();
		return 0;
	}
	return rc;
}

int townorg_diff_dates(townorg_diff **out, const townorg_repo *repo, const char *branch, const char *from_date,
		       const char *to_date, const townorg_diff_options *opts)
{
	int rc;
	const townorg_version *head, *a, *b;
	if (!out || !repo || !branch)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_dates: NULL argument");
	*out = NULL;
	if ((rc = townorg_date_check(from_date)) < 0 || (rc = townorg_date_check(to_date)) < 0)
		return rc;
	if ((rc = townorg_repo_branch_head(&head, repo, branch)) < 0)
		return rc;
	if ((rc = asof_or_empty(&a, repo, branch, from_date)) < 0 || (rc = asof_or_empty(&b, repo, branch, to_date)) < 0)
		return rc;
	return townorg_diff_versions(out, a, b, opts);
}

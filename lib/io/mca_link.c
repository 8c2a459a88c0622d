/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * mca_link.c — linking the rows of the MCA change tables to the NBS
 * editions that show them (the rows are read in mca.c).
 *
 * A row's *effect* holds in a state when its old unit is gone and its new
 * unit is present (for a rename that keeps the code: the unit bears the new
 * name).  Each edition is compared with the state before it, and a row not
 * yet linked is attached to the edition when, in this order:
 *
 *  1. its codes show the effect (old code gone, new code present) in the
 *     edition but not before it;
 *  2. its names show it within the county: no unit of the old code's county
 *     bears the old name, a unit of the new code's county (else the old
 *     one's) bears the new name;
 *  3. its new name is borne by exactly one unit of the new code's
 *     prefecture (then: province) and that unit is new in the edition (its
 *     id was absent before, or bore another name), while the old unit is
 *     gone (MCA and NBS number some units differently; NBS files some
 *     under another county of the prefecture);
 *  4. it is the surviving unit of a merge: another row of the same table
 *     with the same document and the same new unit was attached to this
 *     edition, and NBS kept that new unit under this row's old code;
 *  5. it is a link of a chain: a row attached to this edition starts from
 *     this row's new unit (a unit created or renamed by one row and renamed,
 *     reclassified or merged by a later one: NBS never lists the unit in
 *     between), and this row's old unit is gone.
 *
 * Steps 4 and 5 run after 1–3 over the whole edition, and 5 is repeated
 * until nothing more links (chains of three rows or more).
 *
 * The first edition imported on an empty branch has nothing before it: the
 * rows whose effect (steps 1, 2, 4, 5) already holds in it are attached to
 * it as history before it (they carry their table's year as the event
 * date, which is what tells them from changes the edition itself shows).
 *
 * Codes are reused years later, so an edition more than a year older than
 * the row's table is never chosen.  Every event carries the table's year as
 * a date of year precision ("2019"): the tables give no day.
 *
 * Determinism: the order rows are tried in is the order of the tables (file
 * name, line), each step runs over all rows before the next, and nothing
 * depends on anything but the two states and which rows are already linked.
 * townorg__mca_replay runs the same steps for editions already on the branch,
 * so importing editions one by one links every row to the same edition, once.
 */
#include "io/realdata_internal.h"
#include <stdio.h>
#include <stdlib.h>

/* A state to test effects in: a version's or a transaction's tries. */
typedef struct {
	const townorg__hamt *entities, *children;
} state;

static const townorg_entity *st_get(const state *s, const char *id)
{
	return s ? townorg__hamt_get(s->entities, &townorg__entity_trie, id) : NULL;
}

/* The unit of a county that bears a (normalised) name. */
static const char *st_find_name(const state *s, const char *code_in_county, const char *name)
{
	char county[7];
	if (!s || !code_in_county || strlen(code_in_county) != 9 || !*name)
		return NULL;
	memcpy(county, code_in_county, 6);
	county[6] = 0;
	const townorg__childset *c = townorg__children_get(s->children, county);
	for (size_t i = 0; c && i < c->n; i++) {
		const townorg_entity *u = townorg__child_at(s->entities, c, i);
		if (!strcmp(townorg_entity_name(u), name))
			return townorg__entity_id(u);
	}
	return NULL;
}

/* ------------------------------------------------------------ a name index */

/* The township-level units of a state sorted by (name, id), to find a
 * name within a prefecture or province. */
typedef struct {
	const char *name, *id;
} nent;

typedef struct {
	nent *v;
	size_t n;
} nindex;

static int cmp_nent(const void *a, const void *b)
{
	const nent *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->id, y->id);
}

static int nindex_build(nindex *ix, const state *s)
{
	townorg__hamt_iter it;
	const townorg_entity *e;
	size_t cap = 0;
	memset(ix, 0, sizeof *ix);
	townorg__hamt_iter_init(&it, s->entities);
	while ((e = townorg__hamt_iter_next(&it))) {
		if (!townorg_kind_is_township_level((townorg_kind)e->kind))
			continue;
		if (ix->n == cap) {
			cap = cap ? cap * 2 : 4096;
			nent *n = townorg__realloc(ix->v, cap * sizeof *n);
			if (!n) {
				townorg__free(ix->v);
				ix->v = NULL;
				return townorg__oom();
			}
			ix->v = n;
		}
		ix->v[ix->n].name = townorg_entity_name(e);
		ix->v[ix->n++].id = townorg__entity_id(e);
	}
	if (ix->n)
		qsort(ix->v, ix->n, sizeof *ix->v, cmp_nent);
	return 0;
}

/* The units bearing `name` whose id begins with the first plen digits of
 * `code`: how many, and the first of them. */
static size_t nindex_find(const nindex *ix, const char *name, const char *code, size_t plen, const char **first)
{
	size_t lo = 0, hi = ix->n, n = 0;
	*first = NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(ix->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ix->n && !strcmp(ix->v[i].name, name); i++)
		if (!strncmp(ix->v[i].id, code, plen)) {
			if (!n++)
				*first = ix->v[i].id;
		}
	return n;
}

/* ------------------------------------------------------------ effects */

static const char *nine(const char *code) { return code && strlen(code) == 9 ? code : NULL; }

/* The row's old unit in a state: its code, else the unit of its county
 * bearing its old name. */
static const char *old_unit(const state *s, const townorg__mca_row *r)
{
	if (RO(r) && st_get(s, RO(r)))
		return RO(r);
	return *r->onorm ? st_find_name(s, nine(RO(r)), r->onorm) : NULL;
}

/* Does the row's effect hold in the state, by its codes: the old code gone
 * and the new code present, or (same code) the unit bearing the new name?
 * When the new code is missing from the row, the successor is the unit of
 * the old code's county bearing the new name. */
static bool effect(const state *s, const townorg__mca_row *r, const char **target)
{
	const char *t = NULL;
	*target = NULL;
	if (r->bad)
		return false;
	if (RN(r))
		t = st_get(s, RN(r)) ? RN(r) : NULL;
	else if (RO(r) && *r->nnorm)
		t = st_find_name(s, RO(r), r->nnorm);
	*target = t;
	if (!RO(r))
		return t != NULL;
	if (!RN(r) && !*r->nnorm)
		return !st_get(s, RO(r));
	if (!t)
		return false;
	if (!strcmp(t, RO(r)))
		return *r->nnorm && !strcmp(townorg_entity_name(st_get(s, t)), r->nnorm);
	return !st_get(s, RO(r));
}

/* The same effect read from the names within the county: no unit of the
 * old code's county bears the old name, and a unit of the new code's
 * county (else the old one's) bears the new name. */
static bool effect_by_name(const state *s, const townorg__mca_row *r, const char **target)
{
	const char *oc = nine(RO(r));
	const char *nc = nine(RN(r)) ? RN(r) : oc;
	*target = NULL;
	if (r->bad || (!*r->onorm && !*r->nnorm))
		return false;
	if (*r->onorm && !oc)
		return false;
	if (*r->nnorm && !nc)
		return false;
	if (oc && nc && *r->onorm && !strcmp(r->onorm, r->nnorm) && !strncmp(oc, nc, 6))
		return false; /* nothing the names could show */
	if (*r->onorm && st_find_name(s, oc, r->onorm))
		return false;
	if (*r->nnorm && !(*target = st_find_name(s, nc, r->nnorm)))
		return false;
	return true;
}

/* Step 3: the new name borne by exactly one unit of the prefecture (then
 * the province) that is new in `cur`, the old unit gone. */
static bool effect_wide(const state *cur, const state *before, const nindex *ix, const townorg__mca_row *r,
			const char **target, const char **how)
{
	const char *code = nine(RN(r)) ? RN(r) : nine(RO(r));
	*target = NULL;
	if (r->bad || !before || !*r->nnorm || !code)
		return false;
	static const size_t scopes[] = { 4, 2 };
	for (size_t k = 0; k < 2; k++) {
		const char *t;
		size_t n = nindex_find(ix, r->nnorm, code, scopes[k], &t);
		if (n == 0)
			continue;
		if (n > 1)
			return false; /* ambiguous: names repeat */
		const townorg_entity *was = st_get(before, t);
		if (was && !strcmp(townorg_entity_name(was), r->nnorm))
			return false; /* not new in this edition */
		if (RO(r)) {
			const char *o = old_unit(cur, r);
			if (o && strcmp(o, t))
				return false; /* the old unit is still there */
			if (!old_unit(before, r) && !(was && nine(RO(r)) && !strcmp(t, RO(r))))
				return false; /* nor was it there before: nothing changed here */
		}
		*target = t;
		*how = k == 0 ? "name in prefecture" : "name in province";
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ event ids */

typedef struct {
	townorg__strmap ids; /* group key -> event id (both owned, in `owned`) */
	char **owned;
	size_t n_owned;
} groups;

static char *keep(groups *g, townorg__buf *b)
{
	townorg__buf_putc(b, 0);
	char **n = b->failed ? NULL : townorg__realloc(g->owned, (g->n_owned + 1) * sizeof *n);
	if (!n) {
		townorg__buf_free(b);
		return NULL;
	}
	g->owned = n;
	g->owned[g->n_owned++] = b->data;
	return b->data;
}

/* The event id of a row: rows of one table that merge into one unit, split
 * one unit, or reorganise a county under one document share one id. */
static const char *event_id(groups *g, const townorg__mca_row *r, const char *target)
{
	townorg__buf b = { 0 }, k = { 0 };
	if (*r->seq)
		townorg__buf_printf(&b, "mca-%d-%s", r->year, r->seq);
	else
		townorg__buf_printf(&b, "mca-%d-L%zu", r->year, r->line);
	char *id = keep(g, &b);
	if (!id)
		return NULL;
	if (r->kind == TOWNORG_EVENT_MERGE && target)
		townorg__buf_printf(&k, "merge|%s|%d|%s", r->file, r->year, target);
	else if (r->kind == TOWNORG_EVENT_SPLIT && RO(r))
		townorg__buf_printf(&k, "split|%s|%d|%s", r->file, r->year, RO(r));
	else if (r->kind == TOWNORG_EVENT_REORGANIZE)
		townorg__buf_printf(&k, "reorganize|%s|%d|%.6s|%s", r->file, r->year,
				     RO(r) ? RO(r) : target ? target : "", r->docs_raw);
	else
		return id;
	char *key = keep(g, &k);
	if (!key)
		return NULL;
	const char *have = townorg__strmap_get(&g->ids, key);
	if (have)
		return have;
	if (townorg__strmap_put(&g->ids, key, id) < 0)
		return NULL;
	return id;
}

/* ------------------------------------------------------------ one edition */

typedef struct {
	townorg__mca *m;
	townorg_txn *txn;      /* NULL: a replay, nothing is added */
	const state *cur, *before;
	nindex ix;
	int year;
	groups g;
	size_t attached;
} link_ctx;

static void set_id(char dst[16], const char *id)
{
	dst[0] = 0;
	if (id && strlen(id) < 16)
		strcpy(dst, id);
}

static int link_row(link_ctx *c, townorg__mca_row *r, const char *from_id, const char *target, const char *how)
{
	r->matched = true;
	r->at_year = c->year;
	r->history = c->before == NULL;
	r->how = how;
	set_id(r->from_id, from_id);
	set_id(r->to_id, target);
	c->attached++;
	if (!c->txn)
		return 0;
	if (r->year > 0 && !r->ystr[0])
		snprintf(r->ystr, sizeof r->ystr, "%d", r->year);
	const char *from[1] = { from_id }, *to[1] = { target };
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = r->kind;
	ev.from_ids = from;
	ev.from_count = from_id && *from_id ? 1 : 0;
	ev.to_ids = to;
	ev.to_count = target && *target && r->kind != TOWNORG_EVENT_ABOLISH ? 1 : 0;
	if (!ev.from_count && !ev.to_count) /* cannot happen: a linked row names a unit */
		return townorg__err(TOWNORG_ERROR, _("%s:%zu: a linked MCA row names no unit"), r->file, r->line);
	ev.documents = (const char *const *)r->docs;
	ev.document_count = r->n_docs;
	ev.wording = *r->reason ? r->reason : NULL;
	ev.date = r->ystr[0] ? r->ystr : NULL;
	if (!(ev.event_id = event_id(&c->g, r, target)))
		return townorg__oom();
	int rc = townorg_txn_add_event(c->txn, &ev);
	if (rc < 0)
		return townorg__err(rc, "%s:%zu: %s", r->file, r->line, townorg_error_last());
	return 0;
}

/* Rows of a table more than a year newer than the edition never link. */
static bool too_old(const link_ctx *c, const townorg__mca_row *r) { return r->year && c->year < r->year - 1; }

/* What this edition says of a row that stays unlinked, for its reason. */
static void observe(link_ctx *c, townorg__mca_row *r)
{
	const char *t;
	if (!r->seen_new) {
		if (RN(r) && st_get(c->cur, RN(r)))
			r->seen_new = true;
		else if (*r->nnorm) {
			const char *code = nine(RN(r)) ? RN(r) : nine(RO(r));
			r->seen_new = code && (st_find_name(c->cur, code, r->nnorm) ||
					       nindex_find(&c->ix, r->nnorm, code, 2, &t) > 0);
		}
	}
	if (RO(r)) {
		bool there = old_unit(c->cur, r) != NULL;
		r->old_seen = r->old_seen || there;
		r->old_gone = r->old_gone || !there;
	}
}

/* Steps 1–3. */
static int step_effects(link_ctx *c)
{
	for (size_t i = 0; i < c->m->n_rows; i++) {
		townorg__mca_row *r = &c->m->rows[i];
		const char *target, *t0, *from_id = RO(r), *how = "code";
		if (r->matched || r->bad)
			continue;
		observe(c, r);
		if (effect(c->cur, r, &target) && !(c->before && effect(c->before, r, &t0)))
			;
		else if (effect_by_name(c->cur, r, &target) && !(c->before && effect_by_name(c->before, r, &t0)))
			how = "name in county";
		else if (!effect_wide(c->cur, c->before, &c->ix, r, &target, &how))
			continue;
		if (strcmp(how, "code")) {
			const char *was = c->before && *r->onorm ? st_find_name(c->before, nine(RO(r)), r->onorm) : NULL;
			if (was)
				from_id = was;
		}
		if (too_old(c, r)) {
			r->early = true;
			continue;
		}
		int rc = link_row(c, r, from_id, target, how);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool same_new_unit(const townorg__mca_row *a, const townorg__mca_row *b)
{
	if (RN(a) && RN(b))
		return !strcmp(RN(a), RN(b));
	return *a->nnorm && !strcmp(a->nnorm, b->nnorm);
}

/* Step 4: the surviving unit of a merge, kept by NBS under its old code. */
static int step_survivors(link_ctx *c)
{
	townorg__mca *m = c->m;
	for (size_t i = 0; i < m->n_rows; i++) {
		townorg__mca_row *r = &m->rows[i];
		if (r->matched || r->bad || too_old(c, r) || !RO(r))
			continue;
		const char *o = old_unit(c->cur, r);
		if (!o)
			continue;
		/* the rows of one table are together in m->rows: look around r */
		for (size_t j = 0; j < m->n_rows; j++) {
			const townorg__mca_row *q = &m->rows[j];
			if (q == r || q->at_year != c->year || !q->matched || q->file != r->file || !q->to_id[0] ||
			    strcmp(q->docs_raw, r->docs_raw) || !same_new_unit(q, r) || strcmp(q->to_id, o))
				continue;
			int rc = link_row(c, r, o, o, "survivor of a merge");
			if (rc < 0)
				return rc;
			break;
		}
	}
	return 0;
}

/* Does q start from r's new unit? */
static bool continues(const townorg__mca_row *r, const townorg__mca_row *q)
{
	if (q == r || (q->year && r->year && q->year < r->year))
		return false;
	if (RN(r) && RO(q) && !strcmp(RN(r), RO(q)))
		return true;
	const char *rc = nine(RN(r)) ? RN(r) : nine(RO(r));
	return *r->nnorm && *q->onorm && rc && nine(RO(q)) && !strcmp(r->nnorm, q->onorm) && !strncmp(rc, RO(q), 6);
}

/* Step 5: chains. */
static int step_chains(link_ctx *c)
{
	townorg__mca *m = c->m;
	for (int round = 0; round < 8; round++) {
		size_t before = c->attached;
		for (size_t i = 0; i < m->n_rows; i++) {
			townorg__mca_row *r = &m->rows[i];
			if (r->matched || r->bad || too_old(c, r) || (!RN(r) && !*r->nnorm))
				continue;
			const char *from_id = NULL;
			if (RO(r) || *r->onorm) {
				if (old_unit(c->cur, r))
					continue; /* its old unit is still there */
				if (c->before && !(from_id = old_unit(c->before, r)))
					continue; /* nor was it there before */
				if (!from_id)
					from_id = RO(r);
			}
			for (size_t j = 0; j < m->n_rows; j++) {
				const townorg__mca_row *q = &m->rows[j];
				if (!q->matched || q->at_year != c->year || !continues(r, q))
					continue;
				const char *to = q->from_id[0] ? q->from_id : RN(r);
				if (!from_id && !to)
					continue;
				int rc = link_row(c, r, from_id, to, "chain");
				if (rc < 0)
					return rc;
				break;
			}
		}
		if (c->attached == before)
			break;
	}
	return 0;
}

static int link_edition(townorg__mca *m, townorg_txn *txn, const state *cur, const state *before, int year,
			size_t *attached)
{
	link_ctx c;
	memset(&c, 0, sizeof c);
	c.m = m;
	c.txn = txn;
	c.cur = cur;
	c.before = before;
	c.year = year;
	int rc = nindex_build(&c.ix, cur);
	if (rc >= 0)
		rc = step_effects(&c);
	if (rc >= 0)
		rc = step_survivors(&c);
	if (rc >= 0)
		rc = step_chains(&c);
	townorg__free(c.ix.v);
	townorg__strmap_free(&c.g.ids);
	for (size_t i = 0; i < c.g.n_owned; i++)
		townorg__free(c.g.owned[i]);
	townorg__free(c.g.owned);
	if (attached)
		*attached = c.attached;
	return rc;
}

static state version_state(const townorg_version *v)
{
	state s = { &v->entities, &v->children };
	return s;
}

int townorg__mca_attach(townorg__mca *m, townorg_txn *txn, const townorg_version *prev, int year,
			size_t *attached)
{
	*attached = 0;
	int rc = townorg__txn_indexes(txn);
	if (rc < 0)
		return rc;
	state cur = { &txn->entities, &txn->children }, before;
	if (prev)
		before = version_state(prev);
	return link_edition(m, txn, &cur, prev ? &before : NULL, year, attached);
}

int townorg__mca_replay(townorg__mca *m, const townorg_version *v, const townorg_version *prev, int year)
{
	int rc;
	if ((rc = townorg__version_ensure(v)) < 0 || (prev && (rc = townorg__version_ensure(prev)) < 0))
		return rc;
	state cur = version_state(v), before;
	if (prev)
		before = version_state(prev);
	return link_edition(m, NULL, &cur, prev ? &before : NULL, year, NULL);
}

/* ------------------------------------------------------------ reasons */

static void unit_text(char *buf, size_t size, const char *code, const char *name)
{
	snprintf(buf, size, "%s%s%s", code, *code && *name ? " " : "", name);
}

const char *townorg__mca_why(const townorg__mca_row *r, const townorg_version *first_prev,
			     const townorg_version *first, int last_year, const char *last_cutoff, char *buf,
			     size_t size, const char **code)
{
#define WHY(c) (*code = (c))
	const char *t;
	char o[128], n[128];
	if (r->bad && WHY("unusable"))
		return r->bad;
	if (!first && WHY("no-edition"))
		return "no edition was imported";
	if (first_prev) {
		state s = version_state(first_prev);
		if ((effect(&s, r, &t) || effect_by_name(&s, r, &t)) && WHY("before-branch"))
			return "older than the first imported edition: already in effect on the branch before it";
	}
	if (r->early && WHY("too-old-edition"))
		return "its effect shows only in an edition more than a year older than its table (the codes or "
		       "names were in use before)";
	unit_text(o, sizeof o, r->old_code, r->old_name);
	unit_text(n, sizeof n, r->new_code, r->new_name);
	if (r->year && r->year >= last_year && last_cutoff && WHY("after-last-edition")) {
		snprintf(buf, size,
			 "not yet shown: its table's year %d ends after the cut-off of the last imported edition "
			 "(%d, %s), which does not show it",
			 r->year, last_year, last_cutoff);
		return buf;
	}
	if ((RN(r) || *r->nnorm) && !r->seen_new) {
		if (RO(r) && !r->old_seen && WHY("not-in-nbs"))
			snprintf(buf, size,
				 "neither its old unit (%s) nor its new unit (%s) is in any imported edition, by code "
				 "or by name",
				 o, n);
		else if (WHY("new-not-in-nbs"))
			snprintf(buf, size,
				 "its new unit (%s) is in no imported edition, by code or by name in its province", n);
		return buf;
	}
	if (RO(r) && !r->old_seen && WHY("old-not-in-nbs")) {
		snprintf(buf, size, "its old unit (%s) is in no imported edition, by code or by name in its county", o);
		return buf;
	}
	if (RO(r) && !r->old_gone && WHY("old-never-gone")) {
		snprintf(buf, size,
			 "its old unit (%s) is listed in every imported edition: NBS never shows it gone", o);
		return buf;
	}
	if (!RO(r) && WHY("new-elsewhere")) {
		snprintf(buf, size,
			 "its new unit (%s) is found only by name outside its county: in the first edition (where a name "
			 "outside the county is not used), or where the name is not unique in its prefecture or province "
			 "or was listed before",
			 n);
		return buf;
	}
	WHY("no-consecutive-pair");
	snprintf(buf, size,
		 "its old unit's end and its new unit never show between the same two editions (by code, by name "
		 "in the county, or by a name unique in the prefecture or province)");
	return buf;
#undef WHY
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * functions_coverage.c — rules functions.no-gap and functions.no-overlap:
 * "职能配置做到了无空挡、无遗漏", "职责界定清晰" (篇10).
 *
 * no-gap compares a version with its first parent (the reform it records):
 * every function an organ held before and no longer holds must be held
 * after by some organ of the same township-level unit (or of the unit it
 * moved to, or of the unit's successors named by the version's events), or
 * be moved out explicitly by a transfer_functions event naming the organ or
 * its unit among its predecessors (上划, 下放, 转移 to market actors).  Only
 * the entities that changed are looked at (a trie diff).
 *
 * no-overlap: no function is held by two organs of one township-level unit
 * unless the two are co-located (合署办公, "colocated_with" either way).
 */
#include "validate/rules.h"
#include <stdio.h>

static bool list_has(const townorg_entity *e, const char *list, const char *value)
{
	size_t n;
	const char *const *l = townorg_entity_list(e, list, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], value))
			return true;
	return false;
}

static bool names(const townorg_event *ev, const char *id, bool from)
{
	size_t n = from ? ev->from_count : ev->to_count;
	const char *const *ids = from ? ev->from_ids : ev->to_ids;
	for (size_t i = 0; id && i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

static bool unit_holds(const townorg_version *v, const char *unit, const char *fn)
{
	const townorg__childset *cs = unit ? townorg__children_get(&v->children, unit) : NULL;
	for (size_t i = 0; cs && i < cs->n; i++) {
		const townorg_entity *o = townorg__child_at(&v->entities, cs, i);
		if (townorg_kind_is_organ(townorg_entity_kind(o)) && list_has(o, "functions", fn))
			return true;
	}
	return false;
}

typedef struct {
	townorg_rule_ctx *ctx;
	const townorg_version *v;
	int rc;
} gapctx;

/* 1 if covered, 0 if not, or TOWNORG_ENOMEM. */
static int covered(const townorg_version *v, const townorg_entity *a, const townorg_entity *b, const char *fn)
{
	const char *unit = townorg_entity_parent_id(a);
	if (unit_holds(v, unit, fn) || (b && unit_holds(v, townorg_entity_parent_id(b), fn)))
		return 1;
	townorg__event_iter it;
	townorg_event e;
	const townorg_event *ev = &e;
	int found = townorg__event_iter_init(&it, v);
	while (found == 0 && townorg__event_iter_next(&it, &e)) {
		bool from_organ = names(ev, townorg_entity_id(a), true), from_unit = names(ev, unit, true);
		if (ev->kind == TOWNORG_EVENT_TRANSFER_FUNCTIONS && (from_organ || from_unit))
			found = 1;
		if (!found && (from_unit || from_organ))
			for (size_t j = 0; j < ev->to_count && !found; j++) {
				const townorg_entity *s = townorg__hamt_get(&v->entities, &townorg__entity_trie, ev->to_ids[j]);
				if (!s)
					continue;
				if (list_has(s, "functions", fn) || unit_holds(v, ev->to_ids[j], fn) ||
				    unit_holds(v, townorg_entity_parent_id(s), fn))
					found = 1;
			}
	}
	townorg__event_iter_end(&it);
	return found;
}

static int gap_cb(const void *pa, const void *pb, void *p)
{
	gapctx *g = p;
	const townorg_entity *a = pa, *b = pb;
	if (!a || !townorg_kind_is_organ(townorg_entity_kind(a)))
		return 0;
	size_t n;
	const char *const *fns = townorg_entity_list(a, "functions", &n);
	for (size_t i = 0; i < n; i++) {
		int c = b && list_has(b, "functions", fns[i]) ? 1 : covered(g->v, a, b, fns[i]);
		if (c < 0)
			return g->rc = c;
		if (c)
			continue;
		townorg__report_in in = { .entity = townorg_entity_id(a), .path = "functions", .value_text = fns[i] };
		townorg__msgargs args = { .name = townorg__display_name(a), .text = fns[i] };
		if ((g->rc = townorg__report(g->ctx, &in, TOWNORG__M_GAP, &args)) < 0)
			return g->rc;
	}
	return 0;
}

static int check_gap(townorg_rule_ctx *ctx, const townorg_version *v)
{
	gapctx g = { ctx, v, 0 };
	int rc = townorg__rule_changes(v, gap_cb, &g);
	return rc < 0 ? rc : g.rc;
}

static bool colocated(const townorg_entity *a, const townorg_entity *b)
{
	return list_has(a, "colocated_with", townorg_entity_id(b)) || list_has(b, "colocated_with", townorg_entity_id(a));
}

/* The unit u's children are kids[0..nk-1] (their values at the version). */
static int overlap_kids(townorg_rule_ctx *ctx, const townorg_entity *u, const townorg_entity *const *kids, size_t nk)
{
	for (size_t i = 0; i < nk; i++) {
		const townorg_entity *a = kids[i];
		size_t n;
		const char *const *fns = townorg_entity_list(a, "functions", &n);
		for (size_t f = 0; f < n; f++) {
			/* Report each (unit, function) once: at its first holder. */
			bool earlier = false;
			for (size_t j = 0; j < i && !earlier; j++)
				earlier = list_has(kids[j], "functions", fns[f]);
			if (earlier)
				continue;
			townorg__buf who = { 0 };
			bool clash = false;
			townorg__buf_puts(&who, townorg__display_name(a));
			for (size_t j = i + 1; j < nk; j++) {
				const townorg_entity *b = kids[j];
				if (!list_has(b, "functions", fns[f]))
					continue;
				townorg__buf_puts(&who, "、");
				townorg__buf_puts(&who, townorg__display_name(b));
				if (!colocated(a, b))
					clash = true;
			}
			townorg__buf_putc(&who, '\0');
			int rc = 0;
			if (who.failed)
				rc = townorg__oom();
			else if (clash) {
				townorg__report_in in = { .entity = townorg_entity_id(u), .path = "functions",
							  .value_text = fns[f] };
				townorg__msgargs args = { .name = townorg__display_name(u), .text = fns[f], .other = who.data };
				rc = townorg__report(ctx, &in, TOWNORG__M_OVERLAP, &args);
			}
			townorg__buf_free(&who);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* The children's values are looked up once, together, not per pair. */
static int overlap_unit(townorg_rule_ctx *ctx, const townorg_version *v, const townorg_entity *u)
{
	const townorg__childset *cs = townorg__children_get(&v->children, townorg_entity_id(u));
	if (!cs || !cs->n)
		return 0;
	const townorg_entity *buf[64], **kids = townorg__children_resolve(&v->entities, cs, buf, 64);
	if (!kids)
		return townorg__oom();
	int rc = overlap_kids(ctx, u, kids, cs->n);
	townorg__children_done(kids, buf);
	return rc;
}

static int check_overlap(townorg_rule_ctx *ctx, const townorg_version *v)
{
	townorg__hamt_iter it;
	const townorg_entity *e;
	townorg__hamt_iter_init(&it, &v->entities);
	while ((e = townorg__hamt_iter_next(&it)))
		if (townorg_kind_is_township_level(townorg_entity_kind(e))) {
			int rc = overlap_unit(ctx, v, e);
			if (rc < 0)
				return rc;
		}
	return 0;
}

static const townorg__param_spec no_params[] = { { NULL, 0, NULL, NULL, NULL } };

const townorg__rule townorg__rule_no_gap = {
	"functions.no-gap", TOWNORG_SEVERITY_ERROR,
	"every function held before a change is held after it or transferred out by an event (无空挡)", no_params,
	check_gap,
};

const townorg__rule townorg__rule_no_overlap = {
	"functions.no-overlap", TOWNORG_SEVERITY_ERROR,
	"no function is held by two organs of one township unless they are co-located (职责界定清晰)", no_params,
	check_overlap,
};

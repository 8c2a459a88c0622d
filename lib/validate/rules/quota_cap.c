/*
 * quota_cap.c — rule quota.no-increase-window: "确保乡镇机构编制5年内只减不增"
 * (篇7).  From a baseline version, for `years` years, a quota total may not
 * rise: in mode "ceiling" no version of the window exceeds the baseline
 * total; in mode "monotone" (the strict reading) no version exceeds any
 * earlier version of the window.
 *
 * Totals: a township-level unit counts, per quota type, as its own pool
 * where one is set, else as the sum of its organs' quotas; a county as the
 * sum over the units under it at that version (so totals follow merges and
 * moves).  Each group of `totals` is summed and checked on its own.
 *
 * Cost: one pass over the baseline version through the children index,
 * then only the differences between consecutive versions of the window
 * (townorg__hamt_diff: O(k log n) for k changed entities), applied as
 * deltas.  At national scale (430k entities, ~10k changes a version) this
 * is a few milliseconds a version.  When only county totals of admin and
 * inst are asked, the quota totals index answers instead (the fast path
 * below), and whether a county still exists is looked up only for the
 * counties whose total differs from its reference.
 */
#include "validate/rules.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAXT 16 /* distinct quota types over all groups */

typedef struct county county;
typedef struct {
	char *id;
	county *county; /* where its effective quota is counted, or NULL */
	uint32_t pool_set;
	int64_t pool[MAXT];
	int64_t organsum[MAXT];
	/* per group: reference (baseline or running minimum) */
	bool has_ref;
	int64_t ref[8];
} unit;

struct county {
	char *id;
	bool live; /* the county entity exists at the current version */
	int64_t total[MAXT];
	bool has_ref;
	int64_t ref[8];
};

typedef struct {
	size_t nt, ng;
	const char *types[MAXT];
	uint32_t group_mask[8];
	char group_name[8][256];
	townorg__strmap units, counties;
	unit **ul;
	size_t n_units, cap_units;
	county **cl;
	size_t n_counties, cap_counties;
	bool failed;
	bool lazy_live; /* fast path: a county's liveness is looked up when a judgement needs it */
} state;

static int64_t quota(const townorg_entity *e, const char *type)
{
	int64_t q = 0;
	townorg_entity_quota(e, type, &q);
	return q;
}

static void *grow_push(void ***arr, size_t *n, size_t *cap, void *item)
{
	if (*n == *cap && TOWNORG__GROW(*arr, *cap, 64) < 0)
		return NULL;
	(*arr)[(*n)++] = item;
	return item;
}

static county *county_get(state *st, const char *id)
{
	county *c = townorg__strmap_get(&st->counties, id);
	if (c)
		return c;
	c = townorg__calloc(1, sizeof *c);
	if (!c || !(c->id = townorg__strdup(id))) {
		townorg__free(c);
		st->failed = true;
		return NULL;
	}
	if (!grow_push((void ***)&st->cl, &st->n_counties, &st->cap_counties, c)) {
		townorg__free(c->id);
		townorg__free(c);
		st->failed = true;
		return NULL;
	}
	if (townorg__strmap_put(&st->counties, c->id, c) < 0) {
		st->failed = true; /* freed with the list */
		return NULL;
	}
	return c;
}

static unit *unit_get(state *st, const char *id)
{
	unit *u = townorg__strmap_get(&st->units, id);
	if (u)
		return u;
	u = townorg__calloc(1, sizeof *u);
	if (!u || !(u->id = townorg__strdup(id))) {
		townorg__free(u);
		st->failed = true;
		return NULL;
	}
	if (!grow_push((void ***)&st->ul, &st->n_units, &st->cap_units, u)) {
		townorg__free(u->id);
		townorg__free(u);
		st->failed = true;
		return NULL;
	}
	if (townorg__strmap_put(&st->units, u->id, u) < 0) {
		st->failed = true;
		return NULL;
	}
	return u;
}

static inline int64_t eff(const unit *u, size_t t) { return (u->pool_set >> t) & 1 ? u->pool[t] : u->organsum[t]; }

static void organ_apply(state *st, const townorg_entity *o, int sign)
{
	const char *pid = townorg_entity_parent_id(o);
	if (!pid)
		return;
	unit *u = unit_get(st, pid);
	if (!u)
		return;
	for (size_t t = 0; t < st->nt; t++) {
		int64_t q = quota(o, st->types[t]) * sign;
		if (!q)
			continue;
		u->organsum[t] += q;
		if (!((u->pool_set >> t) & 1) && u->county)
			u->county->total[t] += q;
	}
}

static void unit_apply(state *st, const townorg_entity *e, int sign)
{
	unit *u = unit_get(st, townorg_entity_id(e));
	if (!u)
		return;
	if (sign < 0) {
		for (size_t t = 0; u->county && t < st->nt; t++)
			u->county->total[t] -= eff(u, t);
		u->county = NULL;
		u->pool_set = 0;
		memset(u->pool, 0, sizeof u->pool);
		return;
	}
	for (size_t t = 0; t < st->nt; t++) {
		int64_t q;
		if (townorg_entity_quota(e, st->types[t], &q) == 0) {
			u->pool_set |= 1u << t;
			u->pool[t] = q;
		}
	}
	const char *pid = townorg_entity_parent_id(e);
	u->county = pid ? county_get(st, pid) : NULL;
	for (size_t t = 0; u->county && t < st->nt; t++)
		u->county->total[t] += eff(u, t);
}

static int diff_cb(const void *a, const void *b, void *ctx)
{
	state *st = ctx;
	const townorg_entity *ea = a, *eb = b;
	const townorg_entity *any = eb ? eb : ea;
	if (townorg_entity_kind(any) == TOWNORG_KIND_COUNTY) {
		county *c = county_get(st, townorg_entity_id(any));
		if (c)
			c->live = eb != NULL;
	}
	if (ea) {
		townorg_kind k = townorg_entity_kind(ea);
		if (townorg_kind_is_organ(k))
			organ_apply(st, ea, -1);
		else if (townorg_kind_is_township_level(k))
			unit_apply(st, ea, -1);
	}
	if (eb) {
		townorg_kind k = townorg_entity_kind(eb);
		if (townorg_kind_is_organ(k))
			organ_apply(st, eb, +1);
		else if (townorg_kind_is_township_level(k))
			unit_apply(st, eb, +1);
	}
	return st->failed ? TOWNORG_ENOMEM : 0;
}

/* The first pass: counties found through the children index, top down. */
static void full_pass(state *st, const townorg_version *v, const char *parent, int depth)
{
	const townorg__childset *cs = townorg__children_get(&v->children, parent);
	for (size_t i = 0; cs && i < cs->n && !st->failed; i++) {
		const townorg_entity *e = townorg__child_at(&v->entities, cs, i);
		townorg_kind k = townorg_entity_kind(e);
		if (k == TOWNORG_KIND_PROVINCE || k == TOWNORG_KIND_PREFECTURE) {
			if (depth < 4)
				full_pass(st, v, townorg_entity_id(e), depth + 1);
			continue;
		}
		if (k != TOWNORG_KIND_COUNTY)
			continue;
		county *c = county_get(st, townorg_entity_id(e));
		if (!c)
			return;
		c->live = true;
		const townorg__childset *us = townorg__children_get(&v->children, townorg_entity_id(e));
		for (size_t j = 0; us && j < us->n && !st->failed; j++) {
			const townorg_entity *ue = townorg__child_at(&v->entities, us, j);
			if (!townorg_kind_is_township_level(townorg_entity_kind(ue)))
				continue;
			/* Sum the organs straight into the unit: their values are
			 * looked up together (townorg__children_values). */
			unit *u = unit_get(st, townorg_entity_id(ue));
			if (!u)
				return;
			const townorg__childset *os = townorg__children_get(&v->children, townorg_entity_id(ue));
			const townorg_entity *buf[64], **ov = NULL;
			if (os && !(ov = townorg__children_resolve(&v->entities, os, buf, 64))) {
				st->failed = true;
				return;
			}
			for (size_t o = 0; os && o < os->n; o++) {
				const townorg_entity *oe = ov[o];
				if (!townorg_kind_is_organ(townorg_entity_kind(oe)))
					continue;
				for (size_t t = 0; t < st->nt; t++)
					u->organsum[t] += quota(oe, st->types[t]);
			}
			if (ov)
				townorg__children_done(ov, buf);
			unit_apply(st, ue, +1);
		}
	}
}

/* ---- the fast path: county totals from the totals index ----
 * When only county totals of admin and inst are asked (the common case, and
 * the benchmark's), the version's quota totals index (lib/totals.c) already
 * holds each county's effective total (pools where units have them, organ
 * sums elsewhere): the baseline is one pass over the county leaves, and each
 * later version only the leaves that differ from the one before — the two
 * tries share every untouched leaf, so the diff skips them by pointer. */

static int fast_type(const char *ty)
{
	return !strcmp(ty, "admin") ? TOWNORG__TQ_ADMIN : !strcmp(ty, "inst") ? TOWNORG__TQ_INST : -1;
}

static void fast_set(state *st, const townorg__totals *l)
{
	county *c = county_get(st, l->key);
	if (!c)
		return;
	for (size_t t = 0; t < st->nt; t++) {
		int q = fast_type(st->types[t]);
		c->total[t] = l->capped[q];
	}
}

static int fast_leaf(const void *leaf, void *p)
{
	state *st = p;
	const townorg__totals *l = leaf;
	fast_set(st, l); /* every leaf is a county's */
	return st->failed ? TOWNORG_ENOMEM : 0;
}


/* The fast path's diffs, on two threads.  The totals tries of consecutive
 * window versions are diffed up front: this thread takes the root's lower
 * 16 slots of every pair, a helper the upper 16 (townorg__hamt_diff_range),
 * each listing the county leaves that differ; then the lists are applied
 * and judged version by version, in order.  A county's leaf holds its
 * absolute totals, so the order of changes within a version does not
 * matter.  Collecting is nearly all of the check's time, and it is
 * memory latency: two walks in flight instead of one. */
typedef struct {
	const townorg__totals *a, *b;
} tchange;

typedef struct {
	tchange *v;
	size_t n, cap;
} tlist;

static int collect_county(const void *a, const void *b, void *p)
{
	tlist *l = p;
	if (l->n == l->cap && TOWNORG__GROW(l->v, l->cap, 64) < 0)
		return TOWNORG_ENOMEM;
	l->v[l->n].a = a;
	l->v[l->n++].b = b;
	return 0;
}

typedef struct {
	const townorg_version *const *w; /* w[i] -> w[i + 1] */
	size_t pairs;
	tlist *lists; /* one per pair */
	unsigned lo, hi;
	int rc;
} halfjob;

static void *run_half(void *p)
{
	halfjob *h = p;
	for (size_t i = 0; i < h->pairs && h->rc == 0; i++)
		h->rc = townorg__hamt_diff_range(&h->w[i]->totals, &h->w[i + 1]->totals, &townorg__totals_trie, h->lo,
						 h->hi, collect_county, &h->lists[i]);
	return NULL;
}

/* Both halves of every pair's diff: lists[i] and lists[pairs + i]. */
static int collect_pairs(const townorg_version *const *w, size_t pairs, tlist *lists)
{
	halfjob lower = { w, pairs, lists, 0, 16, 0 }, upper = { w, pairs, lists + pairs, 16, 32, 0 };
	pthread_t th;
	bool two = pairs > 0 && townorg__threads_allowed() && pthread_create(&th, NULL, run_half, &upper) == 0;
	run_half(&lower);
	if (two)
		pthread_join(th, NULL);
	else
		run_half(&upper);
	return lower.rc < 0 ? lower.rc : upper.rc;
}

static void apply_changes(state *st, const tlist *l)
{
	for (size_t i = 0; i < l->n && !st->failed; i++) {
		if (l->v[i].b) {
			fast_set(st, l->v[i].b);
		} else {
			county *c = county_get(st, l->v[i].a->key);
			if (c)
				memset(c->total, 0, sizeof c->total);
		}
	}
}

static void state_free(state *st)
{
	for (size_t i = 0; i < st->n_units; i++) {
		townorg__free(st->ul[i]->id);
		townorg__free(st->ul[i]);
	}
	for (size_t i = 0; i < st->n_counties; i++) {
		townorg__free(st->cl[i]->id);
		townorg__free(st->cl[i]);
	}
	townorg__free(st->ul);
	townorg__free(st->cl);
	townorg__strmap_free(&st->units);
	townorg__strmap_free(&st->counties);
}

static int setup_groups(state *st, json_t *groups)
{
	size_t g;
	json_t *grp;
	json_array_foreach(groups, g, grp)
	{
		if (g >= 8)
			return townorg__err(TOWNORG_EINVALID, "quota.no-increase-window: at most 8 groups in totals");
		size_t i;
		json_t *tj;
		st->group_name[g][0] = '\0';
		json_array_foreach(grp, i, tj)
		{
			const char *ty = json_string_value(tj);
			size_t t;
			for (t = 0; t < st->nt && strcmp(st->types[t], ty); t++)
				;
			if (t == st->nt) {
				if (st->nt == MAXT)
					return townorg__err(TOWNORG_EINVALID,
							    "quota.no-increase-window: at most %d quota types in totals", MAXT);
				st->types[st->nt++] = ty;
			}
			st->group_mask[g] |= 1u << t;
			size_t len = strlen(st->group_name[g]);
			snprintf(st->group_name[g] + len, sizeof st->group_name[g] - len, "%s%s", i ? "+" : "", ty);
		}
		st->ng = g + 1;
	}
	return 0;
}

static int64_t county_group(const state *st, const county *c, size_t g)
{
	int64_t s = 0;
	for (size_t t = 0; t < st->nt; t++)
		if ((st->group_mask[g] >> t) & 1)
			s += c->total[t];
	return s;
}

static int64_t unit_group(const state *st, const unit *u, size_t g)
{
	int64_t s = 0;
	for (size_t t = 0; t < st->nt; t++)
		if ((st->group_mask[g] >> t) & 1)
			s += eff(u, t);
	return s;
}

typedef struct {
	townorg_rule_ctx *ctx;
	const townorg_version *w;
	bool monotone;
	int64_t years;
} judge;

static int flag(const judge *j, const state *st, const char *id, size_t g, int64_t total, int64_t limit)
{
	const townorg_entity *e = townorg__hamt_get(&j->w->entities, &townorg__entity_trie, id);
	char path[300];
	snprintf(path, sizeof path, "quota.%s", st->group_name[g]);
	townorg__report_in in = { .v = j->w, .entity = id, .path = path, .has_value = true, .value = total,
				  .has_limit = true, .limit = limit };
	townorg__msgargs a = { .name = e ? townorg__display_name(e) : id, .value = total, .limit = limit,
			       .years = j->years, .group = st->group_name[g] };
	return townorg__report(j->ctx, &in, j->monotone ? TOWNORG__M_CAP_MONOTONE : TOWNORG__M_CAP_CEILING, &a);
}

/* Does a county with references need anything at w: a total above its
 * reference (a finding), or in monotone mode below it (a new reference)?
 * Most counties at most versions need nothing, whether or not they exist. */
static bool needs_judging(const judge *j, const state *st, const county *c)
{
	for (size_t g = 0; g < st->ng; g++) {
		int64_t tot = county_group(st, c, g);
		if (tot > c->ref[g] || (j->monotone && tot < c->ref[g]))
			return true;
	}
	return false;
}

/* Is the county an existing county at w?  The slow path tracks it from
 * the entity diffs; the fast path (totals index only) looks it up here,
 * only for the counties a judgement needs. */
static bool county_live(const judge *j, const state *st, county *c)
{
	if (!st->lazy_live)
		return c->live;
	const townorg_entity *e = townorg__hamt_get(&j->w->entities, &townorg__entity_trie, c->id);
	return e && townorg_entity_kind(e) == TOWNORG_KIND_COUNTY;
}

/* Judge every tracked total at window version w (first: the baseline,
 * which only sets references). */
static int judge_all(const judge *j, state *st, bool first, bool do_county, bool do_unit)
{
	int rc;
	for (size_t i = 0; do_county && i < st->n_counties; i++) {
		county *c = st->cl[i];
		bool had = c->has_ref;
		if (!had && !first && !j->monotone)
			continue; /* no baseline for a county that appeared later */
		if (had && !needs_judging(j, st, c))
			continue;
		if (!county_live(j, st, c))
			continue;
		for (size_t g = 0; g < st->ng; g++) {
			int64_t tot = county_group(st, c, g);
			if (!had) {
				c->ref[g] = tot;
				continue;
			}
			if (tot > c->ref[g] && (rc = flag(j, st, c->id, g, tot, c->ref[g])) < 0)
				return rc;
			if (j->monotone && tot < c->ref[g])
				c->ref[g] = tot;
		}
		c->has_ref = true;
	}
	for (size_t i = 0; do_unit && i < st->n_units; i++) {
		unit *u = st->ul[i];
		if (!u->county)
			continue; /* not live */
		bool had = u->has_ref;
		if (!had && !first && !j->monotone)
			continue;
		for (size_t g = 0; g < st->ng; g++) {
			int64_t tot = unit_group(st, u, g);
			if (!had) {
				u->ref[g] = tot;
				continue;
			}
			if (tot > u->ref[g] && (rc = flag(j, st, u->id, g, tot, u->ref[g])) < 0)
				return rc;
			if (j->monotone && tot < u->ref[g])
				u->ref[g] = tot;
		}
		u->has_ref = true;
	}
	return 0;
}

/* YYYY-MM-DD plus whole years (a lexical bound: 02-29 stays 02-29). */
static void add_years(char out[32], const char *date, int64_t years)
{
	long y = atol(date) + (long)(years > 9999 ? 9999 : years);
	snprintf(out, 32, "%04ld%.6s", y > 9999 ? 9999 : y, date + 4);
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	int rc = 0;
	const char *mode = json_string_value(townorg__param(ctx, "mode"));
	int64_t years = json_integer_value(townorg__param(ctx, "years"));
	json_t *baseline = townorg__param(ctx, "baseline");
	json_t *scope = townorg__param(ctx, "scope");
	bool do_county = false, do_unit = false;
	size_t i;
	json_t *s;
	json_array_foreach(scope, i, s)
	{
		if (!strcmp(json_string_value(s), "county"))
			do_county = true;
		else
			do_unit = true; /* "township_level" or "township" */
	}

	/* The first-parent line, oldest first. */
	size_t n = 0, cap = 16;
	const townorg_version **line = townorg__malloc(cap * sizeof *line);
	if (!line)
		return townorg__oom();
	for (const townorg_version *u = v; u; u = townorg__first_parent(u)) {
		if (n == cap) {
			const townorg_version **l2 = townorg__realloc(line, (cap *= 2) * sizeof *line);
			if (!l2) {
				townorg__free(line);
				return townorg__oom();
			}
			line = l2;
		}
		line[n++] = u;
	}
	for (size_t a = 0, b = n - 1; a < b; a++, b--) {
		const townorg_version *t = line[a];
		line[a] = line[b];
		line[b] = t;
	}

	size_t base = 0;
	const char *base_date = line[0]->meta.effective_date;
	if (json_is_string(baseline)) {
		const char *name = json_string_value(baseline);
		if (townorg_date_check(name) == 0) {
			base_date = name;
			for (base = n; base > 0 && strcmp(line[base - 1]->meta.effective_date, name) > 0; base--)
				;
			base = base ? base - 1 : 0;
		} else {
			townorg_error_clear();
			townorg_repo *repo = townorg__ctx_repo(v);
			const townorg_version *bv = NULL;
			if (!repo || (rc = townorg_repo_lookup(&bv, repo, name)) < 0) {
				rc = townorg__err(TOWNORG_EINVALID, "quota.no-increase-window: baseline '%s' not found", name);
				goto out;
			}
			for (base = 0; base < n && line[base] != bv; base++)
				;
			if (base == n) {
				rc = townorg__err(TOWNORG_EINVALID,
						  "quota.no-increase-window: baseline '%s' is not on the first-parent line of "
						  "version %.12s",
						  name, v->id);
				goto out;
			}
			base_date = bv->meta.effective_date;
		}
	}
	char end[32];
	add_years(end, base_date ? base_date : "0000-01-01", years);

	state st = { 0 };
	if ((rc = setup_groups(&st, townorg__param(ctx, "totals"))) < 0)
		goto out_state;
	judge j = { ctx, line[base], !strcmp(mode, "monotone"), years };
	if ((rc = townorg__version_ensure(line[base])) < 0)
		goto out_state;
	bool fast = do_county && !do_unit;
	for (size_t t = 0; t < st.nt; t++)
		fast = fast && fast_type(st.types[t]) >= 0;
	st.lazy_live = fast;
	if (fast)
		townorg__hamt_foreach(&line[base]->totals, fast_leaf, &st);
	else
		full_pass(&st, line[base], NULL, 0);
	if (st.failed) {
		rc = townorg__oom();
		goto out_state;
	}
	if ((rc = judge_all(&j, &st, true, do_county, do_unit)) < 0)
		goto out_state;
	/* the window: the baseline, then the later versions inside it */
	size_t nw = 0;
	const townorg_version **win = townorg__malloc(n * sizeof *win);
	tlist *lists = NULL;
	if (!win) {
		rc = townorg__oom();
		goto out_state;
	}
	win[nw++] = line[base];
	for (size_t k = base + 1; k < n; k++) {
		const townorg_version *w = line[k];
		if (!w->meta.effective_date || strcmp(w->meta.effective_date, end) >= 0)
			continue;
		if ((rc = townorg__version_ensure(w)) < 0)
			goto out_win;
		win[nw++] = w;
	}
	if (fast) {
		if (nw > 1 && !(lists = townorg__calloc(2 * (nw - 1), sizeof *lists))) {
			rc = townorg__oom();
			goto out_win;
		}
		if (nw > 1 && (rc = collect_pairs(win, nw - 1, lists)) < 0) {
			if (rc == TOWNORG_ENOMEM)
				townorg__oom();
			goto out_win;
		}
	}
	for (size_t k = 1; k < nw; k++) {
		if (fast) {
			apply_changes(&st, &lists[k - 1]);
			apply_changes(&st, &lists[nw - 1 + k - 1]);
			rc = st.failed ? TOWNORG_ENOMEM : 0;
		} else
			rc = townorg__hamt_diff(&win[k - 1]->entities, &win[k]->entities, &townorg__entity_trie, diff_cb, &st);
		if (rc < 0) {
			if (rc == TOWNORG_ENOMEM)
				townorg__oom();
			goto out_win;
		}
		j.w = win[k];
		if ((rc = judge_all(&j, &st, false, do_county, do_unit)) < 0)
			goto out_win;
	}
out_win:
	for (size_t k = 0; lists && k < 2 * (nw - 1); k++)
		townorg__free(lists[k].v);
	townorg__free(lists);
	townorg__free((void *)win);
out_state:
	state_free(&st);
out:
	townorg__free(line);
	return rc;
}

static const char *const modes[] = { "ceiling", "monotone", NULL };
static const char *const scopes[] = { "county", "township_level", "township", NULL };

static const townorg__param_spec params[] = {
	{ "years", TOWNORG__P_INT, "5", NULL, "length of the window in years from the baseline" },
	{ "mode", TOWNORG__P_ENUM, "\"ceiling\"", modes,
	  "ceiling: never above the baseline; monotone: never above any earlier version of the window" },
	{ "baseline", TOWNORG__P_STRING_NULL, "null", NULL,
	  "a version name or a date YYYY-MM-DD; null: the first version of the line" },
	{ "totals", TOWNORG__P_GROUPS, "[[\"admin\"],[\"inst\"]]", NULL, "groups of quota types summed and checked" },
	{ "scope", TOWNORG__P_CHOICE_LIST, "[\"county\"]", scopes,
	  "county totals, and with township_level each township-level unit's" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_quota_cap = {
	"quota.no-increase-window", TOWNORG_SEVERITY_ERROR,
	"no quota total rises within a window of years from a baseline (乡镇机构编制5年内只减不增)", params, check,
};

/*
 * diff.c — the diff of two versions: deltas, events between, aggregates.
 *
 * The entity tries of both versions are compared with townorg__hamt_diff,
 * which skips every subtree whose hash is equal on both sides: the work is
 * O(k log n) for k changed entities, whether or not the versions share
 * memory.  Everything after that is proportional to k:
 *  - each changed pair is filtered (kind, subtree: a walk up the parent
 *    chain, a handful of O(log n) lookups) and compared field by field;
 *  - the events come from a walk of the version DAG that stops as soon as
 *    the two sides' ancestry meet (as git's revision walk does);
 *  - aggregates visit only the counties and townships the kept deltas
 *    touch, through the children index, on both sides.
 * Strings and field arrays live in one arena per diff, freed at once.
 */
#include "analysis/diff_internal.h"
#include <stdlib.h>
#include <stdio.h>
#include <inttypes.h>

/* ------------------------------------------------------------ fields */

/* The integer fields in the order the CSV tables list them, then the rest. */
static const townorg_field int_order[] = {
	TOWNORG_FIELD_POPULATION, TOWNORG_FIELD_AREA, TOWNORG_FIELD_REVENUE_PER_CAPITA,
	TOWNORG_FIELD_ADMIN_QUOTA, TOWNORG_FIELD_INST_QUOTA, TOWNORG_FIELD_LEADER_POSTS,
	TOWNORG_FIELD_ACTUAL_STAFF, TOWNORG_FIELD_CHIEF_POSTS, TOWNORG_FIELD_DEPUTY_POSTS,
};

static bool wanted(const char *name, const char *const *filter, size_t nf)
{
	if (!nf)
		return true;
	for (size_t i = 0; i < nf; i++)
		if (!strcmp(filter[i], name))
			return true;
	return false;
}

bool townorg__field_name_valid(const char *name)
{
	static const char *const fixed[] = { "parent_id", "name", "kind", "class" };
	if (!name || !*name)
		return false;
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(name, fixed[i]))
			return true;
	/* integer fields, <type>_quota and attribute names: [a-z0-9_]+ */
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return strcmp(name, "id") != 0;
}

/* A field list under construction: fields gather in a local buffer and
 * are copied into the arena once, at their final size (most changed
 * entities change one or two fields).  In borrow mode the caller keeps
 * both entities referenced for as long as the list lives, so their strings
 * are pointed at, not copied (a diff holds its deltas' entities). */
#define FL_LOCAL 32
typedef struct {
	townorg__arena *a;
	const char *const *filter;
	size_t nf;
	bool borrow;
	townorg_diff_field *v;
	size_t n, cap;
	bool failed;
	townorg_diff_field local[FL_LOCAL];
} fieldlist;

static void fl_add(fieldlist *fl, const char *name, townorg_value_type type, const char *o, const char *n)
{
	if (fl->failed)
		return;
	if (fl->n == fl->cap) {
		size_t cap = fl->cap * 2;
		townorg_diff_field *nv = townorg__arena_alloc(fl->a, cap * sizeof *nv);
		if (!nv) {
			fl->failed = true;
			return;
		}
		memcpy(nv, fl->v, fl->n * sizeof *nv);
		fl->v = nv;
		fl->cap = cap;
	}
	townorg_diff_field *f = &fl->v[fl->n++];
	f->name = name;
	f->type = type;
	f->old_value = o;
	f->new_value = n;
}

/* s for a field value: the entity's own string when borrowing, else an
 * arena copy; NULL stays NULL, a failed copy marks the list failed. */
static const char *fl_str(fieldlist *fl, const char *s)
{
	if (!s || fl->borrow)
		return s;
	char *d = townorg__arena_strdup(fl->a, s);
	if (!d)
		fl->failed = true;
	return d;
}

/* Decimal digits of v into buf (at least 21 bytes), NUL-terminated;
 * returns the length.  printf's machinery is most of a diff's cost when
 * it formats ten thousand values. */
static size_t fmt_i64(char *buf, int64_t v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = 0;
	return len;
}

static const char *fl_int(fieldlist *fl, int64_t v, bool area)
{
	char buf[32];
	size_t len;
	if (area) {
		townorg_area_format(buf, sizeof buf, v);
		len = strlen(buf);
	} else
		len = fmt_i64(buf, v);
	char *d = townorg__arena_alloc(fl->a, len + 1);
	if (!d) {
		fl->failed = true;
		return NULL;
	}
	memcpy(d, buf, len + 1);
	return d;
}

static void cmp_text(fieldlist *fl, const char *name, const char *o, const char *n)
{
	if ((!o && !n) || (o && n && (o == n || !strcmp(o, n))) || !wanted(name, fl->filter, fl->nf))
		return;
	fl_add(fl, name, TOWNORG_VALUE_TEXT, fl_str(fl, o), fl_str(fl, n));
}

static const char *attr_text(fieldlist *fl, const struct townorg__attr *at)
{
	if (!at)
		return NULL;
	if (!at->is_list)
		return fl_str(fl, at->values[0]);
	size_t len = 1;
	for (size_t i = 0; i < at->n; i++)
		len += strlen(at->values[i]) + 2;
	char *s = townorg__arena_alloc(fl->a, len), *p = s;
	if (!s) {
		fl->failed = true;
		return NULL;
	}
	*p = 0;
	for (size_t i = 0; i < at->n; i++) {
		if (i)
			*p++ = ';', *p++ = ' ';
		size_t l = strlen(at->values[i]);
		memcpy(p, at->values[i], l + 1);
		p += l;
	}
	return s;
}

static bool attr_equal(const struct townorg__attr *x, const struct townorg__attr *y)
{
	if (x->is_list != y->is_list || x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->values[i], y->values[i]))
			return false;
	return true;
}

static int fields_diff(townorg__arena *a, bool borrow, const townorg_entity *o, const townorg_entity *n,
		       const char *const *filter, size_t nfilter, townorg_diff_field **out, size_t *count)
{
	fieldlist fl;
	fl.a = a;
	fl.filter = filter;
	fl.nf = nfilter;
	fl.borrow = borrow;
	fl.v = fl.local;
	fl.n = 0;
	fl.cap = FL_LOCAL;
	fl.failed = false;
	*out = NULL;
	*count = 0;
	if (o && n && townorg_entity_equal(o, n))
		return 0;
	cmp_text(&fl, "parent_id", o ? townorg_entity_parent_id(o) : NULL, n ? townorg_entity_parent_id(n) : NULL);
	cmp_text(&fl, "name", o ? townorg_entity_name(o) : NULL, n ? townorg_entity_name(n) : NULL);
	/* tokens are static strings: never copied */
	const char *ko = o ? townorg_kind_token(townorg_entity_kind(o)) : NULL,
		   *kn = n ? townorg_kind_token(townorg_entity_kind(n)) : NULL;
	if (ko != kn && wanted("kind", filter, nfilter))
		fl_add(&fl, "kind", TOWNORG_VALUE_TEXT, ko, kn);
	const char *co = o ? townorg_class_token(townorg_entity_class(o)) : NULL,
		   *cn = n ? townorg_class_token(townorg_entity_class(n)) : NULL;
	if ((co || cn) && (!co || !cn || strcmp(co, cn)) && wanted("class", filter, nfilter))
		fl_add(&fl, "class", TOWNORG_VALUE_TEXT, co, cn);
	for (size_t i = 0; i < sizeof int_order / sizeof int_order[0]; i++) {
		townorg_field f = int_order[i];
		int64_t x = 0, y = 0;
		int hx = o ? townorg_entity_int(o, f, &x) == 0 : 0, hy = n ? townorg_entity_int(n, f, &y) == 0 : 0;
		if (hx == hy && x == y)
			continue;
		const char *name = townorg_field_token(f);
		if (!wanted(name, filter, nfilter))
			continue;
		bool area = f == TOWNORG_FIELD_AREA;
		fl_add(&fl, name, area ? TOWNORG_VALUE_AREA : TOWNORG_VALUE_INT, hx ? fl_int(&fl, x, area) : NULL,
		       hy ? fl_int(&fl, y, area) : NULL);
	}
	/* other quota types, merged by type name (both lists are sorted) */
	const struct townorg__ext *xo = o ? townorg__entity_ext(o) : NULL, *xn = n ? townorg__entity_ext(n) : NULL;
	size_t i = 0, j = 0, no = xo ? xo->n_xq : 0, nn = xn ? xn->n_xq : 0;
	while (i < no || j < nn) {
		int c = i >= no ? 1 : j >= nn ? -1 : strcmp(xo->xq[i].type, xn->xq[j].type);
		const struct townorg__xquota *qo = c <= 0 ? &xo->xq[i] : NULL, *qn = c >= 0 ? &xn->xq[j] : NULL;
		i += c <= 0;
		j += c >= 0;
		if (qo && qn && qo->value == qn->value)
			continue;
		const char *type = qo ? qo->type : qn->type;
		char *name = townorg__arena_alloc(a, strlen(type) + 7);
		if (!name)
			return TOWNORG_ENOMEM;
		sprintf(name, "%s_quota", type);
		if (!wanted(name, filter, nfilter))
			continue;
		fl_add(&fl, name, TOWNORG_VALUE_INT, qo ? fl_int(&fl, qo->value, false) : NULL,
		       qn ? fl_int(&fl, qn->value, false) : NULL);
	}
	/* text and list attributes, merged by name */
	i = 0, j = 0, no = xo ? xo->n_attrs : 0, nn = xn ? xn->n_attrs : 0;
	while (i < no || j < nn) {
		int c = i >= no ? 1 : j >= nn ? -1 : strcmp(xo->attrs[i].name, xn->attrs[j].name);
		const struct townorg__attr *ao = c <= 0 ? &xo->attrs[i] : NULL, *an = c >= 0 ? &xn->attrs[j] : NULL;
		i += c <= 0;
		j += c >= 0;
		if (ao && an && attr_equal(ao, an))
			continue;
		const char *name = ao ? ao->name : an->name;
		if (!wanted(name, filter, nfilter))
			continue;
		bool list = (ao && ao->is_list) || (an && an->is_list);
		fl_add(&fl, fl_str(&fl, name), list ? TOWNORG_VALUE_LIST : TOWNORG_VALUE_TEXT, attr_text(&fl, ao),
		       attr_text(&fl, an));
	}
	if (fl.failed)
		return TOWNORG_ENOMEM;
	if (!fl.n)
		return 0;
	if (fl.v == fl.local) {
		fl.v = townorg__arena_alloc(a, fl.n * sizeof *fl.v);
		if (!fl.v)
			return TOWNORG_ENOMEM;
		memcpy(fl.v, fl.local, fl.n * sizeof *fl.v);
	}
	*out = fl.v;
	*count = fl.n;
	return 0;
}

int townorg__entity_fields_diff(townorg__arena *a, const townorg_entity *o, const townorg_entity *n,
				const char *const *filter, size_t nfilter, townorg_diff_field **out, size_t *count)
{
	return fields_diff(a, false, o, n, filter, nfilter, out, count);
}

/* ------------------------------------------------------------ the object */

typedef struct {
	const char *type;
	int64_t before, after;
} qacc;

typedef struct {
	townorg_diff_totals t;
	const char *id_key; /* arena copy, also t.id */
	size_t nq, capq;
	qacc *q; /* townorg__malloc'd while accumulating */
} unit;

struct townorg_diff {
	const townorg_version *from, *to;
	townorg__arena arena;
	size_t n_deltas, cap_deltas;
	townorg_diff_delta *deltas;
	struct sortkey *keys; /* while collecting: each delta's sort key (see sort_deltas) */
	size_t n_status[4];
	townorg_diff_relation relation;
	size_t n_events;
	townorg_diff_event *events;
	bool has_totals;
	townorg_diff_totals all;
	size_t n_units[3];
	townorg_diff_totals *units[3]; /* [level]: sorted by id */
	uint64_t leaf_visits;
};

uint64_t townorg__diff_leaf_visits(const townorg_diff *d) { return d->leaf_visits; }

/* The entity trie, with its leaf accessors counted: every leaf the trie
 * diff inspects goes through key() or hash(). */
static _Thread_local uint64_t leaf_visits;
static const char *cnt_key(const void *l)
{
	leaf_visits++;
	return townorg__entity_id(l);
}
static const unsigned char *cnt_hash(const void *l)
{
	leaf_visits++;
	return ((const townorg_entity *)l)->hash;
}
static void cnt_ref(void *l) { townorg_entity_ref(l); }
static void cnt_unref(void *l) { townorg_entity_free(l); }
static const townorg__hamt_type counted_trie = { cnt_key, cnt_ref, cnt_unref, cnt_hash };

static const townorg_entity *get_in(const townorg_version *v, const char *id)
{
	return v && id ? townorg__hamt_get(&v->entities, &townorg__entity_trie, id) : NULL;
}

/* Is e (of version v) `under` or below it? */
static bool below(const townorg_version *v, const townorg_entity *e, const char *under)
{
	for (int depth = 0; e && depth < 32; depth++) {
		if (!strcmp(townorg__entity_id(e), under))
			return true;
		e = get_in(v, townorg_entity_parent_id(e));
	}
	return false;
}

/* Sorting the deltas by id.  The trie yields them in hash order; a diff
 * lists them in id order (strcmp order).  Comparing ids with strcmp reads
 * each id from its entity, scattered over the heap, some seventeen times
 * per delta, and moving the 56-byte deltas costs as much again.  So each
 * delta gets a 16-byte key — the first 16 bytes of its id, big-endian,
 * zero-padded, which orders exactly as strcmp does on those bytes — and
 * the keys are radix-sorted (LSD, a byte a pass, skipping passes in which
 * every key has the same byte: ids share long prefixes).  Ids longer than
 * 16 bytes that tie on the key are ordered by strcmp of the rest.  Then
 * the deltas are permuted once. */
struct sortkey {
	uint64_t hi, lo;
	uint32_t idx;
	bool long_id;
};
typedef struct sortkey sortkey;

static uint64_t be_bytes(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 8; i++)
		v = (v << 8) | (i < n ? p[i] : 0);
	return v;
}

static void set_key(sortkey *k, const char *id_, size_t idx)
{
	const unsigned char *id = (const unsigned char *)id_;
	size_t len = strlen(id_);
	k->hi = be_bytes(id, len);
	k->lo = be_bytes(id + (len < 8 ? len : 8), len > 8 ? len - 8 : 0);
	k->idx = (uint32_t)idx;
	k->long_id = len > 16;
}

static unsigned key_byte(const sortkey *k, int b)
{
	return b < 8 ? (unsigned)(k->hi >> (8 * (7 - b))) & 0xff : (unsigned)(k->lo >> (8 * (15 - b))) & 0xff;
}

typedef struct {
	const char *tail;
	sortkey key;
} tailkey;

static int tail_cmp(const void *x, const void *y)
{
	return strcmp(((const tailkey *)x)->tail, ((const tailkey *)y)->tail);
}

static int sort_deltas(townorg_diff *d)
{
	size_t n = d->n_deltas;
	if (n < 2)
		return 0;
	sortkey *k = d->keys, *tmp = townorg__malloc(n * sizeof *tmp), *mem = tmp;
	townorg_diff_delta *out = townorg__malloc(n * sizeof *out);
	if (!tmp || !out) {
		townorg__free(tmp);
		townorg__free(out);
		return TOWNORG_ENOMEM;
	}
	bool long_ids = false;
	/* the byte histograms do not change as the keys move: count them all in one pass */
	size_t(*count)[257] = townorg__calloc(16, sizeof *count);
	if (!count) {
		townorg__free(mem);
		townorg__free(out);
		return TOWNORG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 16; b++)
			count[b][key_byte(&k[i], b) + 1]++;
		long_ids |= k[i].long_id;
	}
	for (int b = 15; b >= 0; b--) {
		size_t *cnt = count[b];
		if (cnt[key_byte(&k[0], b) + 1] == n)
			continue; /* every key has this byte */
		for (int c = 0; c < 256; c++)
			cnt[c + 1] += cnt[c];
		for (size_t i = 0; i < n; i++)
			tmp[cnt[key_byte(&k[i], b)]++] = k[i];
		sortkey *t = k;
		k = tmp;
		tmp = t;
	}
	townorg__free(count);
	if (long_ids) { /* order runs of equal keys by the rest of their ids */
		for (size_t i = 0, j; i < n; i = j) {
			for (j = i + 1; j < n && k[j].hi == k[i].hi && k[j].lo == k[i].lo; j++)
				;
			if (j - i < 2)
				continue;
			tailkey *tk = townorg__malloc((j - i) * sizeof *tk);
			if (!tk) {
				townorg__free(mem);
				townorg__free(out);
				return TOWNORG_ENOMEM;
			}
			for (size_t x = i; x < j; x++) {
				const char *id = d->deltas[k[x].idx].id;
				tk[x - i].tail = strlen(id) > 16 ? id + 16 : "";
				tk[x - i].key = k[x];
			}
			qsort(tk, j - i, sizeof *tk, tail_cmp);
			for (size_t x = i; x < j; x++)
				k[x] = tk[x - i].key;
			townorg__free(tk);
		}
	}
	for (size_t i = 0; i < n; i++)
		out[i] = d->deltas[k[i].idx];
	townorg__free(mem);
	townorg__free(d->deltas);
	townorg__free(d->keys);
	d->keys = NULL;
	d->deltas = out;
	d->cap_deltas = n;
	return 0;
}

typedef struct {
	townorg_diff *d;
	const townorg_diff_options *o;
	int rc;
} collect_ctx;

static bool in_scope(const townorg_diff *d, const townorg_diff_options *o, const townorg_entity *a,
		     const townorg_entity *b)
{
	if (o->kinds && !((a && (o->kinds & TOWNORG_KIND_BIT(townorg_entity_kind(a)))) ||
			  (b && (o->kinds & TOWNORG_KIND_BIT(townorg_entity_kind(b))))))
		return false;
	if (o->under && !((a && below(d->from, a, o->under)) || (b && below(d->to, b, o->under))))
		return false;
	return true;
}

static int collect(const void *va, const void *vb, void *ctx)
{
	collect_ctx *c = ctx;
	townorg_diff *d = c->d;
	const townorg_entity *a = va, *b = vb;
	if (!in_scope(d, c->o, a, b))
		return 0;
	townorg_diff_delta dl = { 0 };
	dl.status = !a ? TOWNORG_DELTA_ADDED : !b ? TOWNORG_DELTA_REMOVED : TOWNORG_DELTA_CHANGED;
	dl.kind = townorg_entity_kind(b ? b : a);
	if (a && b) {
		townorg_diff_field *f;
		size_t nf;
		if ((c->rc = fields_diff(&d->arena, true, a, b, c->o->fields, c->o->field_count, &f, &nf)) < 0)
			return 1;
		if (!nf)
			return 0; /* the filtered fields did not change */
		dl.fields = f;
		dl.field_count = nf;
	}
	if (d->n_deltas == d->cap_deltas) {
		size_t cap = d->cap_deltas ? d->cap_deltas * 2 : 64;
		townorg_diff_delta *nd = townorg__realloc(d->deltas, cap * sizeof *nd);
		if (!nd) {
			c->rc = TOWNORG_ENOMEM;
			return 1;
		}
		d->deltas = nd;
		struct sortkey *nk = townorg__realloc(d->keys, cap * sizeof *nk);
		if (!nk) {
			c->rc = TOWNORG_ENOMEM;
			return 1;
		}
		d->keys = nk;
		d->cap_deltas = cap;
	}
	dl.old_entity = a ? townorg_entity_ref(a) : NULL;
	dl.new_entity = b ? townorg_entity_ref(b) : NULL;
	dl.id = townorg__entity_id(b ? b : a);
	set_key(&d->keys[d->n_deltas], dl.id, d->n_deltas); /* while the id is in cache */
	d->deltas[d->n_deltas++] = dl;
	d->n_status[dl.status]++;
	return 0;
}

/* ------------------------------------------------------------ two threads
 *
 * A wide diff (thousands of changes spread over the trie) is bounded by
 * memory latency, one cache miss after another; a second thread walking
 * the other half of the trie doubles the misses in flight.  The root's 32
 * slots are split in two (townorg__hamt_diff_range): a helper thread
 * collects the upper half into a diff object of its own, the calling
 * thread the lower half, and the helper's deltas, sort keys, arena and
 * counts are appended to ours before the one sort.  Narrow diffs (the
 * width test reads two trie levels) stay on the calling thread, where a
 * thread's start-up would cost more than it saves; so does everything if
 * the thread cannot be created. */
#include <pthread.h>

#define WIDE_DIFF 256 /* differing pairs two levels down, of at most 1,024 */

typedef struct {
	pthread_t thread_id;
	townorg_diff part;
	const townorg_diff_options *o;
	const townorg__hamt *a, *b;
	int rc;
	uint64_t visits;
} half;

static void *collect_upper(void *p)
{
	half *h = p;
	collect_ctx c = { &h->part, h->o, 0 };
	leaf_visits = 0;
	townorg__hamt_diff_range(h->a, h->b, &counted_trie, 16, 32, collect, &c);
	h->visits = leaf_visits;
	h->rc = c.rc;
	return NULL;
}

/* Append the helper's deltas to d's (the sort that follows orders them). */
static int adopt(townorg_diff *d, townorg_diff *x)
{
	size_t n = d->n_deltas + x->n_deltas;
	if (n > d->cap_deltas) {
		townorg_diff_delta *nd = townorg__realloc(d->deltas, n * sizeof *nd);
		if (!nd)
			return TOWNORG_ENOMEM;
		d->deltas = nd;
		struct sortkey *nk = townorg__realloc(d->keys, n * sizeof *nk);
		if (!nk)
			return TOWNORG_ENOMEM;
		d->keys = nk;
		d->cap_deltas = n;
	}
	for (size_t i = 0; i < x->n_deltas; i++) {
		d->deltas[d->n_deltas + i] = x->deltas[i];
		d->keys[d->n_deltas + i] = x->keys[i];
		d->keys[d->n_deltas + i].idx = (uint32_t)(d->n_deltas + i);
	}
	d->n_deltas = n;
	x->n_deltas = 0; /* the entity references are d's now */
	for (int s = 0; s < 4; s++)
		d->n_status[s] += x->n_status[s];
	/* x's arena chunks (field lists and values) join d's */
	townorg__arena_join(&d->arena, &x->arena);
	return 0;
}

static int diff_threads = 2;
void townorg__diff_set_threads(int n) { diff_threads = n < 1 ? 1 : n > 2 ? 2 : n; }

static void diff_release(townorg_diff *d);

static int collect_all(townorg_diff *d, const townorg_diff_options *o, const townorg__hamt *a, const townorg__hamt *b)
{
	collect_ctx c = { d, o, 0 };
	half h;
	bool two = diff_threads > 1 && townorg__threads_allowed() &&
		   townorg__hamt_diff_width(a, b, &townorg__entity_trie) >= WIDE_DIFF;
	if (two) {
		memset(&h, 0, sizeof h);
		h.o = o;
		h.a = a;
		h.b = b;
		two = pthread_create(&h.thread_id, NULL, collect_upper, &h) == 0;
	}
	leaf_visits = 0;
	if (two)
		townorg__hamt_diff_range(a, b, &counted_trie, 0, 16, collect, &c);
	else
		townorg__hamt_diff(a, b, &counted_trie, collect, &c);
	d->leaf_visits = leaf_visits;
	if (!two)
		return c.rc;
	pthread_join(h.thread_id, NULL);
	d->leaf_visits += h.visits;
	int rc = c.rc < 0 ? c.rc : h.rc < 0 ? h.rc : adopt(d, &h.part);
	diff_release(&h.part);
	return rc;
}

/* ------------------------------------------------------------ events */

int townorg__is_ancestor(const townorg_version *anc, const townorg_version *v)
{
	if (!anc)
		return 1; /* the empty state precedes everything */
	if (!v)
		return 0;
	if (anc == v || !strcmp(anc->id, v->id))
		return 1;
	if (v->repo)
		return townorg__version_is_ancestor(anc, v);
	for (size_t i = 0; i < v->n_parents; i++) {
		int a = townorg__is_ancestor(anc, v->parents[i]);
		if (a)
			return a; /* 1, or TOWNORG_ENOMEM */
	}
	return 0;
}

/* Position in the DAG order: parents come before children; a detached
 * version (a preview) comes after everything of its repository. */
static size_t vseq(const townorg_version *v) { return v->repo ? v->seq : SIZE_MAX; }

#define F_IN 1
#define F_OUT 2

typedef struct {
	const townorg_version *v;
	int flag;
} qitem;

/* A max-heap on vseq. */
typedef struct {
	qitem *h;
	size_t n, cap;
} heap;

static int heap_push(heap *hp, const townorg_version *v, int flag)
{
	if (hp->n == hp->cap && TOWNORG__GROW(hp->h, hp->cap, 16) < 0)
		return TOWNORG_ENOMEM;
	size_t i = hp->n++;
	while (i > 0 && vseq(hp->h[(i - 1) / 2].v) < vseq(v)) {
		hp->h[i] = hp->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	hp->h[i] = (qitem){ v, flag };
	return 0;
}

static qitem heap_pop(heap *hp)
{
	qitem top = hp->h[0], last = hp->h[--hp->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= hp->n)
			break;
		if (c + 1 < hp->n && vseq(hp->h[c + 1].v) > vseq(hp->h[c].v))
			c++;
		if (vseq(hp->h[c].v) <= vseq(last.v))
			break;
		hp->h[i] = hp->h[c];
		i = c;
	}
	if (hp->n)
		hp->h[i] = last;
	return top;
}

int townorg__versions_between(const townorg_version ***out, size_t *count, const townorg_version *lo,
			      const townorg_version *hi)
{
	/* git's revision walk: versions reachable from hi (F_IN) but not from lo
	 * (F_OUT), newest first; it stops when only F_OUT versions are queued. */
	townorg__strmap flags = { 0 };
	heap hp = { 0 };
	const townorg_version **sel = NULL;
	size_t nsel = 0, capsel = 0, n_in_queue = 0;
	int rc = 0;
	*out = NULL;
	*count = 0;
	if (!hi)
		return 0;
	if ((rc = heap_push(&hp, hi, F_IN)) < 0)
		goto done;
	n_in_queue = 1;
	if (lo && (rc = heap_push(&hp, lo, F_OUT)) < 0)
		goto done;
	while (hp.n && n_in_queue) {
		qitem it = heap_pop(&hp);
		intptr_t seen = (intptr_t)townorg__strmap_get(&flags, it.v->id);
		if (it.flag == F_IN)
			n_in_queue--;
		int f = (int)seen | it.flag;
		if (f & F_OUT)
			f = F_OUT;
		if (seen == f)
			continue; /* already handled with this flag */
		if ((seen & F_IN) && f == F_OUT) {
			/* became uninteresting after being selected: drop it */
			for (size_t i = 0; i < nsel; i++)
				if (sel[i] == it.v) {
					memmove(sel + i, sel + i + 1, (nsel - i - 1) * sizeof *sel);
					nsel--;
					break;
				}
		}
		if ((rc = townorg__strmap_put(&flags, it.v->id, (void *)(intptr_t)f)) < 0)
			goto done;
		if (f == F_IN) {
			if (nsel == capsel && TOWNORG__GROW(sel, capsel, 16) < 0) {
				rc = TOWNORG_ENOMEM;
				goto done;
			}
			sel[nsel++] = it.v;
		}
		for (size_t i = 0; i < it.v->n_parents; i++) {
			if ((rc = heap_push(&hp, it.v->parents[i], f)) < 0)
				goto done;
			if (f == F_IN)
				n_in_queue++;
		}
	}
	for (size_t i = 0; i < nsel / 2; i++) { /* selected newest first: reverse */
		const townorg_version *x = sel[i];
		sel[i] = sel[nsel - 1 - i];
		sel[nsel - 1 - i] = x;
	}
	*out = sel;
	*count = nsel;
	sel = NULL;
done:
	townorg__strmap_free(&flags);
	townorg__free(hp.h);
	townorg__free((void *)sel);
	return rc < 0 ? (rc == TOWNORG_ENOMEM ? townorg__oom() : rc) : 0;
}

static bool event_in_scope(const townorg_diff *d, const townorg_diff_options *o, const townorg_event *e)
{
	if (!o->under && !o->kinds)
		return true;
	for (int side = 0; side < 2; side++) {
		const char *const *ids = side ? e->to_ids : e->from_ids;
		size_t n = side ? e->to_count : e->from_count;
		for (size_t i = 0; i < n; i++) {
			const townorg_entity *a = get_in(d->from, ids[i]), *b = get_in(d->to, ids[i]);
			if ((a || b) && in_scope(d, o, a, b))
				return true;
		}
	}
	return false;
}

/* The events of the versions between the two sides that are in scope,
 * oldest first.  The records point into each version's array of events
 * (townorg__version_events), made only for versions that have an event in
 * scope: the scope is judged on the encoded events. */
static int collect_events(townorg_diff *d, const townorg_diff_options *o)
{
	const townorg_version *lo, *hi, **sel = NULL;
	size_t nsel = 0, total = 0, k = 0;
	size_t *idx = NULL; /* with a scope: the index of each event kept */
	bool all = !o->under && !o->kinds;
	if (d->relation == TOWNORG_DIFF_FORWARD)
		lo = d->from, hi = d->to;
	else if (d->relation == TOWNORG_DIFF_BACKWARD)
		lo = d->to, hi = d->from;
	else
		return 0;
	int rc = townorg__versions_between(&sel, &nsel, lo, hi);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nsel; i++)
		total += sel[i]->n_events;
	if (!total)
		goto done;
	d->events = townorg__malloc(total * sizeof *d->events);
	if (!d->events || (!all && !(idx = townorg__malloc(total * sizeof *idx)))) {
		rc = TOWNORG_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < nsel; i++) {
		const townorg_version *v = sel[i];
		size_t first = k;
		if (all)
			k += v->n_events;
		else {
			townorg__event_iter it;
			townorg_event e;
			if ((rc = townorg__event_iter_init(&it, v)) < 0)
				goto done;
			while (townorg__event_iter_next(&it, &e))
				if (event_in_scope(d, o, &e))
					idx[k++] = it.i - 1;
			townorg__event_iter_end(&it);
		}
		if (k == first)
			continue;
		const townorg_event *evs = townorg__version_events(v);
		if (!evs) {
			rc = TOWNORG_ENOMEM;
			goto done;
		}
		for (size_t j = first; j < k; j++)
			d->events[j] = (townorg_diff_event){ v, &evs[all ? j - first : idx[j]] };
	}
	d->n_events = k;
done:
	townorg__free((void *)sel);
	townorg__free(idx);
	return rc < 0 ? (rc == TOWNORG_ENOMEM ? townorg__oom() : rc) : 0;
}

/* ------------------------------------------------------------ aggregates */

static int q_add(unit *u, const char *type, int64_t v, bool after)
{
	size_t i = 0;
	while (i < u->nq && strcmp(u->q[i].type, type) < 0)
		i++;
	if (i == u->nq || strcmp(u->q[i].type, type)) {
		if (u->nq == u->capq && TOWNORG__GROW(u->q, u->capq, 4) < 0)
			return TOWNORG_ENOMEM;
		memmove(u->q + i + 1, u->q + i, (u->nq - i) * sizeof *u->q);
		u->q[i] = (qacc){ type, 0, 0 };
		u->nq++;
	}
	if (after)
		u->q[i].after += v;
	else
		u->q[i].before += v;
	return 0;
}

/*
 * What a township-level unit's children set adds to a tally: its members'
 * kinds and its organs' numbers (a unit's children — organs, villages,
 * communities — have none of their own).  A diff's totals tally every
 * touched county on both sides, and again in the unit's own totals: each
 * set is counted once per side of a diff (a memo keyed by the set and the
 * version: a set lists who the children are, and the same set may stand
 * for different values on the two sides) and added where needed.
 */
typedef struct {
	const char *type;
	int64_t v;
} qv;

typedef struct {
	const townorg__childset *cs;
	const townorg_version *v;
	size_t kinds[TOWNORG_KIND_COUNT + 1];
	int64_t organs, staff, quota;
	size_t nq;
	qv *q;
} setsum;

typedef struct {
	setsum *v;
	size_t n, cap;
	uint32_t *slot; /* index + 1; 0: empty */
	size_t mask;
	unsigned int kinds; /* the diff's kinds filter: only organs of these kinds count (0: all) */
} tmemo;

/* Does an organ of kind k count in the totals (the --kind filter)? */
static bool organ_counts(const tmemo *m, townorg_kind k)
{
	return townorg_kind_is_organ(k) && (!m || !m->kinds || (m->kinds & TOWNORG_KIND_BIT(k)));
}

static void tmemo_free(tmemo *m)
{
	for (size_t i = 0; i < m->n; i++)
		townorg__free(m->v[i].q);
	townorg__free(m->v);
	townorg__free(m->slot);
}

static size_t ptr_slot(const void *p, size_t mask)
{
	return (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull >> 17) & mask;
}

/* The memo's entry for cs at version v, counted now if it is new; NULL:
 * no memory. */
static const setsum *tmemo_get(tmemo *m, const townorg__childset *cs, const townorg_version *v)
{
	if (m->slot)
		for (size_t j = ptr_slot(cs, m->mask); m->slot[j]; j = (j + 1) & m->mask)
			if (m->v[m->slot[j] - 1].cs == cs && m->v[m->slot[j] - 1].v == v)
				return &m->v[m->slot[j] - 1];
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		setsum *nv = cap < UINT32_MAX ? townorg__realloc(m->v, cap * sizeof *nv) : NULL;
		if (!nv)
			return NULL;
		m->v = nv;
		m->cap = cap;
	}
	if (!m->slot || (m->n + 1) * 2 > m->mask + 1) {
		size_t size = m->slot ? (m->mask + 1) * 2 : 512;
		uint32_t *ns = townorg__calloc(size, sizeof *ns);
		if (!ns)
			return NULL;
		for (size_t i = 0; i < m->n; i++) {
			size_t j = ptr_slot(m->v[i].cs, size - 1);
			while (ns[j])
				j = (j + 1) & (size - 1);
			ns[j] = (uint32_t)(i + 1);
		}
		townorg__free(m->slot);
		m->slot = ns;
		m->mask = size - 1;
	}
	const townorg_entity *buf[64], **vals = townorg__children_resolve(&v->entities, cs, buf, 64);
	if (!vals)
		return NULL;
	setsum *ss = &m->v[m->n];
	memset(ss, 0, sizeof *ss);
	ss->cs = cs;
	ss->v = v;
	for (size_t i = 0; i < cs->n; i++) {
		const townorg_entity *e = vals[i];
		townorg_kind k = townorg_entity_kind(e);
		ss->kinds[k]++;
		if (!organ_counts(m, k))
			continue;
		int64_t st = 0;
		ss->organs++;
		if (townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &st) == 0)
			ss->staff += st;
		size_t nq = townorg_entity_quota_count(e);
		for (size_t qi = 0; qi < nq; qi++) {
			const char *type;
			int64_t q;
			townorg_entity_quota_at(e, qi, &type, &q);
			ss->quota += q;
			size_t t = 0;
			while (t < ss->nq && strcmp(ss->q[t].type, type))
				t++;
			if (t == ss->nq) {
				qv *nq2 = townorg__realloc(ss->q, (ss->nq + 1) * sizeof *nq2);
				if (!nq2) {
					townorg__free(ss->q);
					townorg__children_done(vals, buf);
					return NULL;
				}
				ss->q = nq2;
				ss->q[ss->nq++] = (qv){ type, 0 };
			}
			ss->q[t].v += q;
		}
	}
	size_t j = ptr_slot(cs, m->mask);
	while (m->slot[j])
		j = (j + 1) & m->mask;
	m->slot[j] = (uint32_t)(m->n + 1);
	m->n++;
	townorg__children_done(vals, buf);
	return ss;
}

static int add_setsum(unit *u, const setsum *ss, bool after)
{
	for (int k = 0; k <= TOWNORG_KIND_COUNT; k++)
		(after ? u->t.kind_after : u->t.kind_before)[k] += ss->kinds[k];
	(after ? &u->t.organs.after : &u->t.organs.before)[0] += ss->organs;
	(after ? &u->t.staff.after : &u->t.staff.before)[0] += ss->staff;
	(after ? &u->t.quota.after : &u->t.quota.before)[0] += ss->quota;
	for (size_t i = 0; i < ss->nq; i++) {
		int rc = q_add(u, ss->q[i].type, ss->q[i].v, after);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Count e (unless it is a non-organ root) and everything below it in v.
 * memo (may be NULL) holds the township-level units' sets. */
static int tally(unit *u, const townorg_version *v, const townorg_entity *e, bool after, int depth, tmemo *memo)
{
	townorg_kind k = townorg_entity_kind(e);
	int rc;
	if (depth > 0 || townorg_kind_is_organ(k)) {
		(after ? u->t.kind_after : u->t.kind_before)[k]++;
		if (organ_counts(memo, k)) {
			int64_t s = 0;
			(after ? &u->t.organs.after : &u->t.organs.before)[0]++;
			if (townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &s) == 0)
				(after ? &u->t.staff.after : &u->t.staff.before)[0] += s;
			size_t nq = townorg_entity_quota_count(e);
			for (size_t i = 0; i < nq; i++) {
				const char *type;
				int64_t q;
				townorg_entity_quota_at(e, i, &type, &q);
				(after ? &u->t.quota.after : &u->t.quota.before)[0] += q;
				if ((rc = q_add(u, type, q, after)) < 0)
					return rc;
			}
		}
	}
	/* Organs and departments have no children in a committed version (the
	 * kind rules of txn.c): no lookup for the 430,000 organs of a
	 * national diff. */
	if (depth > 16 || !(k == TOWNORG_KIND_PROVINCE || k == TOWNORG_KIND_PREFECTURE || k == TOWNORG_KIND_COUNTY ||
			    townorg_kind_is_township_level(k)))
		return 0;
	const townorg__childset *c = townorg__children_get(&v->children, townorg__entity_id(e));
	if (c && memo && townorg_kind_is_township_level(k)) {
		const setsum *ss = tmemo_get(memo, c, v);
		return ss ? add_setsum(u, ss, after) : TOWNORG_ENOMEM;
	}
	for (size_t i = 0; c && i < c->n; i++)
		if ((rc = tally(u, v, townorg__child_at(&v->entities, c, i), after, depth + 1, memo)) < 0)
			return rc;
	return 0;
}

static void set_rate(townorg_reduction *r)
{
	r->numerator = r->before - r->after;
	r->denominator = r->before;
	r->available = r->before != 0;
	r->value = r->available ? (double)r->numerator / (double)r->denominator : 0.0;
}

/* Fill a unit's totals from its subtree on both sides; quotas into the arena. */
static int unit_finish(townorg_diff *d, unit *u, const char *id, tmemo *memo)
{
	int rc;
	const townorg_entity *a = get_in(d->from, id), *b = get_in(d->to, id);
	if (a && (rc = tally(u, d->from, a, false, 0, memo)) < 0)
		return rc;
	if (b && (rc = tally(u, d->to, b, true, 0, memo)) < 0)
		return rc;
	const townorg_entity *e = b ? b : a;
	if (e) {
		u->t.kind = townorg_entity_kind(e);
		u->t.name = townorg__arena_strdup(&d->arena, townorg_entity_name(e));
		u->t.parent_id = townorg__arena_strdup(&d->arena, townorg_entity_parent_id(e));
		if (!u->t.name)
			return TOWNORG_ENOMEM;
	}
	return 0;
}

static int unit_seal(townorg_diff *d, unit *u)
{
	set_rate(&u->t.organs);
	set_rate(&u->t.quota);
	set_rate(&u->t.staff);
	if (!u->nq)
		return 0;
	townorg_diff_quota *qs = townorg__arena_alloc(&d->arena, u->nq * sizeof *qs);
	if (!qs)
		return TOWNORG_ENOMEM;
	for (size_t i = 0; i < u->nq; i++) {
		qs[i].type = townorg__arena_strdup(&d->arena, u->q[i].type);
		if (!qs[i].type)
			return TOWNORG_ENOMEM;
		qs[i].quota.before = u->q[i].before;
		qs[i].quota.after = u->q[i].after;
		set_rate(&qs[i].quota);
	}
	u->t.quotas = qs;
	u->t.quota_type_count = u->nq;
	return 0;
}

typedef struct {
	townorg__strmap seen[3];
	const char **ids[3];
	size_t n[3], cap[3];
} unitset;

static int us_add(townorg_diff *d, unitset *s, int level, const char *id)
{
	if (townorg__strmap_get(&s->seen[level], id))
		return 0;
	char *key = townorg__arena_strdup(&d->arena, id);
	if (!key)
		return TOWNORG_ENOMEM;
	if (s->n[level] == s->cap[level] && TOWNORG__GROW(s->ids[level], s->cap[level], 16) < 0)
		return TOWNORG_ENOMEM;
	s->ids[level][s->n[level]++] = key;
	return townorg__strmap_put(&s->seen[level], key, (void *)1);
}

/* Record the township and county at or above e in v. */
static int touch_units(townorg_diff *d, unitset *s, const townorg_version *v, const townorg_entity *e)
{
	int rc;
	for (int depth = 0; e && depth < 32; depth++) {
		townorg_kind k = townorg_entity_kind(e);
		if (townorg_kind_is_township_level(k) && (rc = us_add(d, s, TOWNORG_UNIT_TOWNSHIP, townorg__entity_id(e))) < 0)
			return rc;
		if (k == TOWNORG_KIND_COUNTY)
			return us_add(d, s, TOWNORG_UNIT_COUNTY, townorg__entity_id(e));
		e = get_in(v, townorg_entity_parent_id(e));
	}
	return 0;
}

static int strp_cmp(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

static void add_reduction(townorg_reduction *dst, const townorg_reduction *src)
{
	dst->before += src->before;
	dst->after += src->after;
}

static int compute_totals(townorg_diff *d, const townorg_diff_options *o)
{
	unitset s;
	unit u;
	tmemo memo = { 0 };
	int rc = 0;
	memo.kinds = o->kinds; /* the totals respect the kinds filter */
	memset(&s, 0, sizeof s);
	memset(&u, 0, sizeof u);
	for (size_t i = 0; i < d->n_deltas && rc == 0; i++) {
		const townorg_diff_delta *dl = &d->deltas[i];
		if (dl->old_entity)
			rc = touch_units(d, &s, d->from, dl->old_entity);
		if (rc == 0 && dl->new_entity)
			rc = touch_units(d, &s, d->to, dl->new_entity);
	}
	unit all;
	memset(&all, 0, sizeof all);
	if (o->under && rc == 0)
		rc = unit_finish(d, &all, o->under, &memo);
	for (int level = 1; level <= 2 && rc == 0; level++) {
		if (!s.n[level])
			continue;
		qsort((void *)s.ids[level], s.n[level], sizeof(char *), strp_cmp);
		d->units[level] = townorg__arena_alloc(&d->arena, s.n[level] * sizeof(townorg_diff_totals));
		if (!d->units[level]) {
			rc = TOWNORG_ENOMEM;
			break;
		}
		for (size_t i = 0; i < s.n[level] && rc == 0; i++) {
			memset(&u, 0, sizeof u);
			u.t.id = s.ids[level][i];
			if ((rc = unit_finish(d, &u, u.t.id, &memo)) == 0 && level == TOWNORG_UNIT_COUNTY && !o->under) {
				/* the whole diff: the sum of the counties it touches */
				for (int k = 0; k <= TOWNORG_KIND_COUNT; k++) {
					all.t.kind_before[k] += u.t.kind_before[k];
					all.t.kind_after[k] += u.t.kind_after[k];
				}
				add_reduction(&all.t.organs, &u.t.organs);
				add_reduction(&all.t.quota, &u.t.quota);
				add_reduction(&all.t.staff, &u.t.staff);
				for (size_t q = 0; q < u.nq && rc == 0; q++)
					if ((rc = q_add(&all, u.q[q].type, u.q[q].before, false)) == 0)
						rc = q_add(&all, u.q[q].type, u.q[q].after, true);
			}
			if (rc == 0)
				rc = unit_seal(d, &u);
			d->units[level][i] = u.t;
			d->n_units[level] = i + 1;
			townorg__free(u.q);
			u.q = NULL;
		}
	}
	if (rc == 0) {
		rc = unit_seal(d, &all);
		d->all = all.t;
		d->all.id = o->under ? townorg__arena_strdup(&d->arena, o->under) : NULL;
		if (!o->under) {
			d->all.name = "";
			d->all.parent_id = NULL;
			d->all.kind = TOWNORG_KIND_INVALID;
		}
		d->has_totals = true;
	}
	townorg__free(all.q);
	townorg__free(u.q);
	for (int level = 0; level < 3; level++) {
		townorg__strmap_free(&s.seen[level]);
		townorg__free((void *)s.ids[level]);
	}
	tmemo_free(&memo);
	return rc;
}

/* ------------------------------------------------------------ public API */

static int check_options(const townorg_diff_options *o)
{
	if (o->version != TOWNORG_DIFF_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_options: version %u is not supported (expected %d)",
				    o->version, TOWNORG_DIFF_OPTIONS_VERSION);
	if (o->field_count && !o->fields)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_options: field_count set without fields");
	for (size_t i = 0; i < o->field_count; i++)
		if (!townorg__field_name_valid(o->fields[i]))
			return townorg__err(TOWNORG_EINVALID, "townorg_diff_options: '%s' is not a field name",
					    o->fields[i] ? o->fields[i] : "(null)");
	if (o->kinds & ~(((1u << (TOWNORG_KIND_COUNT + 1)) - 1) & ~1u))
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_options: kinds holds an invalid kind bit");
	if (o->under && !*o->under)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_options: 'under' is empty");
	return 0;
}

int townorg_diff_versions(townorg_diff **out, const townorg_version *from, const townorg_version *to,
			  const townorg_diff_options *opts)
{
	static const townorg_diff_options defaults = TOWNORG_DIFF_OPTIONS_INIT;
	const townorg_diff_options *o = opts ? opts : &defaults;
	int rc;
	if (!out)
		return townorg__err(TOWNORG_EINVALID, "townorg_diff_versions: out is NULL");
	*out = NULL;
	if ((rc = check_options(o)) < 0)
		return rc;
	if ((from && (rc = townorg__version_ensure(from)) < 0) || (to && (rc = townorg__version_ensure(to)) < 0))
		return rc;
	townorg_diff *d = townorg__calloc(1, sizeof *d);
	if (!d)
		return townorg__oom();
	d->from = from;
	d->to = to;
	/* the diff proper */
	static const townorg__hamt empty = { NULL, 0 };
	if ((rc = collect_all(d, o, from ? &from->entities : &empty, to ? &to->entities : &empty)) < 0)
		goto fail;
	if ((rc = sort_deltas(d)) < 0)
		goto fail;
	/* how the versions are related, and the events between */
	int fwd = 0, back = 0;
	if (from == to || (from && to && !strcmp(from->id, to->id)))
		d->relation = TOWNORG_DIFF_SAME;
	else if ((fwd = townorg__is_ancestor(from, to)) > 0)
		d->relation = TOWNORG_DIFF_FORWARD;
	else if (fwd == 0 && (back = townorg__is_ancestor(to, from)) > 0)
		d->relation = TOWNORG_DIFF_BACKWARD;
	else
		d->relation = TOWNORG_DIFF_UNRELATED;
	if (fwd < 0 || back < 0) {
		rc = townorg__oom();
		goto fail;
	}
	if (!(o->flags & TOWNORG_DIFF_SKIP_EVENTS) && (rc = collect_events(d, o)) < 0)
		goto fail;
	if (!(o->flags & TOWNORG_DIFF_SKIP_TOTALS) && (rc = compute_totals(d, o)) < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	townorg_diff_free(d);
	return rc == TOWNORG_ENOMEM ? townorg__oom() : rc;
}

/* Everything a diff owns but the object itself (also the helper thread's
 * part of a two-thread diff, which lives in a struct of its own). */
static void diff_release(townorg_diff *d)
{
	for (size_t i = 0; i < d->n_deltas; i++) {
		townorg_entity_free((townorg_entity *)d->deltas[i].old_entity);
		townorg_entity_free((townorg_entity *)d->deltas[i].new_entity);
	}
	townorg__free(d->deltas);
	townorg__free(d->keys);
	townorg__free(d->events);
	townorg__arena_free(&d->arena);
}

void townorg_diff_free(townorg_diff *d)
{
	if (!d)
		return;
	diff_release(d);
	townorg__free(d);
}

const townorg_version *townorg_diff_from(const townorg_diff *d) { return d->from; }
const townorg_version *townorg_diff_to(const townorg_diff *d) { return d->to; }
size_t townorg_diff_num_deltas(const townorg_diff *d) { return d->n_deltas; }

const townorg_diff_delta *townorg_diff_delta_at(const townorg_diff *d, size_t i)
{
	return i < d->n_deltas ? &d->deltas[i] : NULL;
}

size_t townorg_diff_num_deltas_of_status(const townorg_diff *d, townorg_delta_status s)
{
	return (int)s >= 1 && (int)s <= 3 ? d->n_status[s] : 0;
}

const townorg_diff_delta *townorg_diff_delta_by_id(const townorg_diff *d, const char *id)
{
	size_t lo = 0, hi = d->n_deltas;
	while (id && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(d->deltas[mid].id, id);
		if (!c)
			return &d->deltas[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int townorg_diff_foreach(const townorg_diff *d, townorg_diff_delta_cb cb, void *payload)
{
	for (size_t i = 0; i < d->n_deltas; i++) {
		int r = cb(&d->deltas[i], payload);
		if (r)
			return r;
	}
	return 0;
}

townorg_diff_relation townorg_diff_get_relation(const townorg_diff *d) { return d->relation; }
size_t townorg_diff_num_events(const townorg_diff *d) { return d->n_events; }
const townorg_diff_event *townorg_diff_event_at(const townorg_diff *d, size_t i)
{
	return i < d->n_events ? &d->events[i] : NULL;
}

const townorg_diff_totals *townorg_diff_totals_all(const townorg_diff *d) { return d->has_totals ? &d->all : NULL; }

size_t townorg_diff_totals_count(const townorg_diff *d, townorg_unit_level level)
{
	return (int)level >= 1 && (int)level <= 2 ? d->n_units[level] : 0;
}

const townorg_diff_totals *townorg_diff_totals_at(const townorg_diff *d, townorg_unit_level level, size_t i)
{
	return i < townorg_diff_totals_count(d, level) ? &d->units[level][i] : NULL;
}

const townorg_diff_totals *townorg_diff_totals_by_id(const townorg_diff *d, const char *id)
{
	for (int level = 1; level <= 2 && id; level++) {
		size_t lo = 0, hi = d->n_units[level];
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(d->units[level][mid].id, id);
			if (!c)
				return &d->units[level][mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

int townorg_reduction_format(char *buf, size_t size, const townorg_reduction *r)
{
	int n;
	if (!r->available) {
		n = snprintf(buf, size, "n/a");
	} else {
		/* per mille, rounded half away from zero, from the exact fraction */
		__int128 num = (__int128)r->numerator * 2000, den = (__int128)r->denominator * 2;
		bool neg = (num < 0) != (den < 0);
		if (num < 0)
			num = -num;
		if (den < 0)
			den = -den;
		__int128 pm = (num + den / 2) / den;
		n = snprintf(buf, size, "%s%lld.%d", neg && pm ? "-" : "", (long long)(pm / 10), (int)(pm % 10));
	}
	if (n < 0 || (size_t)n >= size)
		return townorg__err(TOWNORG_EINVALID, "buffer too small for a rate");
	return 0;
}

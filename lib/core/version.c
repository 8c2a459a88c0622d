/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * version.c — reading versions: getters, lookups, children (the index
 * itself is in index.c), quota totals,
 * headroom and iteration, plus the canonical encoding that gives a version
 * its id.
 */
#include "core/repo_internal.h"
#include "base/codec.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ------------------------------------------------------------ meta, events */

static const char *const event_tokens[] = {
	NULL, "create", "abolish", "merge", "split", "reorganize", "rename", "reclassify", "move",
	"transfer_functions", "transfer_staff", "transfer_archives",
};
#define N_EVENT_KINDS 11

const char *townorg_event_kind_token(townorg_event_kind k)
{
	if ((int)k <= 0 || (int)k > N_EVENT_KINDS)
		return NULL;
	return event_tokens[k];
}

int townorg_event_kind_parse(townorg_event_kind *out, const char *token)
{
	for (int k = 1; token && k <= N_EVENT_KINDS; k++)
		if (!strcmp(token, event_tokens[k])) {
			*out = (townorg_event_kind)k;
			return 0;
		}
	return townorg__err(TOWNORG_EINVALID, "unknown event kind '%s'", token ? token : "(null)");
}

void townorg__meta_free(townorg_meta *m)
{
	townorg__free((char *)m->effective_date);
	townorg__free((char *)m->recorded_at);
	townorg__free((char *)m->author);
	townorg__free((char *)m->doc_issuer);
	townorg__free((char *)m->doc_number);
	townorg__free((char *)m->doc_date);
	townorg__free((char *)m->doc_title);
	townorg__free((char *)m->message);
	memset(m, 0, sizeof *m);
	m->version = TOWNORG_META_VERSION;
}

static int dup_opt(const char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = townorg__strdup(src);
	return *dst ? 0 : -1;
}

int townorg__meta_copy(townorg_meta *dst, const townorg_meta *src)
{
	memset(dst, 0, sizeof *dst);
	dst->version = TOWNORG_META_VERSION;
	if (dup_opt(&dst->effective_date, src->effective_date) || dup_opt(&dst->recorded_at, src->recorded_at) ||
	    dup_opt(&dst->author, src->author) || dup_opt(&dst->doc_issuer, src->doc_issuer) ||
	    dup_opt(&dst->doc_number, src->doc_number) || dup_opt(&dst->doc_date, src->doc_date) ||
	    dup_opt(&dst->doc_title, src->doc_title) || dup_opt(&dst->message, src->message)) {
		townorg__meta_free(dst);
		return TOWNORG_ENOMEM;
	}
	return 0;
}

/* A transaction's event is packed: its arrays and
 * strings live in one allocation, the pointer arrays first (from_ids, to_ids,
 * documents, each NULL when empty), then the strings (event_id, the ids, the
 * documents, date, wording).  So the allocation starts at the first of
 * from_ids, to_ids, documents that is not NULL, or else at the first of
 * event_id, date, wording that is not NULL; an event with none owns nothing. */
static void *event_block(const townorg_event *e)
{
	if (e->from_ids)
		return (void *)e->from_ids;
	if (e->to_ids)
		return (void *)e->to_ids;
	if (e->documents)
		return (void *)e->documents;
	if (e->event_id)
		return (void *)e->event_id;
	if (e->date)
		return (void *)e->date;
	return (void *)e->wording;
}

void townorg__event_free(townorg_event *e)
{
	townorg__free(event_block(e));
	memset(e, 0, sizeof *e);
}

static size_t str_size(const char *s) { return s ? strlen(s) + 1 : 0; }

static const char *str_put(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = memcpy(*p, s, n);
	*p += n;
	return d;
}

/* The arrays of s (n ids from src) into the block: ptrs at *pp, strings at *sp. */
static const char *const *strv_put(const char ***pp, char **sp, const char *const *src, size_t n)
{
	if (!n)
		return NULL;
	const char **v = *pp;
	for (size_t i = 0; i < n; i++)
		v[i] = str_put(sp, src[i]);
	*pp += n;
	return v;
}

int townorg__event_copy_id(townorg_event *d, const townorg_event *s, const char *default_id)
{
	const char *id = s->event_id ? s->event_id : default_id;
	size_t nf = s->from_ids ? s->from_count : 0, nt = s->to_ids ? s->to_count : 0,
	       nd = s->documents ? s->document_count : 0;
	memset(d, 0, sizeof *d);
	d->version = TOWNORG_EVENT_STRUCT_VERSION;
	d->kind = s->kind;
	if (nf > SIZE_MAX / 4 / sizeof(char *) || nt > SIZE_MAX / 4 / sizeof(char *) ||
	    nd > SIZE_MAX / 4 / sizeof(char *))
		return TOWNORG_ENOMEM;
	size_t np = nf + nt + nd;
	size_t size = np * sizeof(char *) + str_size(id) + str_size(s->date) + str_size(s->wording);
	for (size_t i = 0; i < nf; i++)
		size += str_size(s->from_ids[i]);
	for (size_t i = 0; i < nt; i++)
		size += str_size(s->to_ids[i]);
	for (size_t i = 0; i < nd; i++)
		size += str_size(s->documents[i]);
	if (!size)
		return 0;
	char *blk = townorg__malloc(size);
	if (!blk)
		return TOWNORG_ENOMEM;
	const char **pp = (const char **)(void *)blk;
	char *sp = blk + np * sizeof(char *);
	d->event_id = str_put(&sp, id);
	d->from_ids = strv_put(&pp, &sp, s->from_ids, nf);
	d->to_ids = strv_put(&pp, &sp, s->to_ids, nt);
	d->documents = strv_put(&pp, &sp, s->documents, nd);
	d->from_count = nf;
	d->to_count = nt;
	d->document_count = nd;
	d->date = str_put(&sp, s->date);
	d->wording = str_put(&sp, s->wording);
	return 0;
}


/* A version's events, encoded (see repo_internal.h).  Per event:
 *   byte 0: kind (bits 0-3), then flags: EV_ID (the event id follows as a
 *           string), EV_MADE_ID (the id is "e<i+1>", i the event's index:
 *           not stored), EV_DATE, EV_WORDING (that string follows);
 *   byte 1: from_count (bits 0-2), to_count (bits 3-5), document_count
 *           (bits 6-7); an all-ones field means the count follows as a
 *           varint (from, to, documents, in that order);
 *   then the strings, each ending in NUL: event id, from ids, to ids,
 *   documents, date, wording.
 * Strings never hold a NUL (townorg_txn_add_event and the store refuse
 * one), so NULL and "" stay distinct through the flags. */
enum { EV_KIND = 0x0f, EV_ID = 0x10, EV_MADE_ID = 0x20, EV_DATE = 0x40, EV_WORDING = 0x80 };
_Static_assert(N_EVENT_KINDS <= EV_KIND, "event kinds fit in four bits");

static void made_id(char out[24], size_t i) { snprintf(out, 24, "e%zu", i + 1); }

static void pack_str(townorg__buf *b, const char *s) { townorg__buf_put(b, s, strlen(s) + 1); }

void townorg__event_pack(townorg__buf *b, const townorg_event *e, size_t i, size_t *maxlist)
{
	size_t nf = e->from_ids ? e->from_count : 0, nt = e->to_ids ? e->to_count : 0,
	       nd = e->documents ? e->document_count : 0;
	char made[24];
	made_id(made, i);
	bool is_made = e->event_id && !strcmp(e->event_id, made);
	unsigned h = ((unsigned)e->kind & EV_KIND) | (e->event_id ? (is_made ? EV_MADE_ID : EV_ID) : 0) |
		     (e->date ? EV_DATE : 0) | (e->wording ? EV_WORDING : 0);
	unsigned cf = nf < 7 ? (unsigned)nf : 7, ct = nt < 7 ? (unsigned)nt : 7, cd = nd < 3 ? (unsigned)nd : 3;
	townorg__buf_putc(b, (char)h);
	townorg__buf_putc(b, (char)(cf | ct << 3 | cd << 6));
	if (cf == 7)
		townorg__buf_varint(b, nf);
	if (ct == 7)
		townorg__buf_varint(b, nt);
	if (cd == 3)
		townorg__buf_varint(b, nd);
	if (h & EV_ID)
		pack_str(b, e->event_id);
	for (size_t j = 0; j < nf; j++)
		pack_str(b, e->from_ids[j]);
	for (size_t j = 0; j < nt; j++)
		pack_str(b, e->to_ids[j]);
	for (size_t j = 0; j < nd; j++)
		pack_str(b, e->documents[j]);
	if (e->date)
		pack_str(b, e->date);
	if (e->wording)
		pack_str(b, e->wording);
	if (nf + nt + nd > *maxlist)
		*maxlist = nf + nt + nd;
}

int townorg__version_take_events(townorg_version *v, townorg__buf *b, size_t n, size_t maxlist)
{
	if (b->failed) {
		townorg__buf_free(b);
		return townorg__oom();
	}
	if (!n) {
		townorg__buf_free(b);
		return 0;
	}
	/* the buffer's spare room is not kept for the version's life; a
	 * failed shrink keeps it as it is */
	void *d = b->data;
	if (b->cap > b->len) {
		void *fit = townorg__realloc(d, b->len);
		if (fit)
			d = fit;
	}
	v->ev_data = d;
	v->ev_len = b->len;
	v->n_events = n;
	v->ev_maxlist = maxlist;
	b->data = NULL;
	b->len = b->cap = 0;
	return 0;
}

int townorg__version_set_events(townorg_version *v, const townorg_event *evs, size_t n)
{
	townorg__buf b = { 0 };
	size_t maxlist = 0;
	for (size_t i = 0; i < n && !b.failed; i++)
		townorg__event_pack(&b, &evs[i], i, &maxlist);
	return townorg__version_take_events(v, &b, n, maxlist);
}

int townorg__event_iter_init(townorg__event_iter *it, const townorg_version *v)
{
	it->p = v->ev_data;
	it->end = it->p ? it->p + v->ev_len : NULL;
	it->i = 0;
	it->n = v->n_events;
	it->ids = it->small;
	if (v->ev_maxlist > TOWNORG__EVENT_ITER_IDS) {
		it->ids = townorg__calloc(v->ev_maxlist, sizeof *it->ids);
		if (!it->ids) {
			it->n = 0;
			it->ids = it->small;
			return townorg__oom();
		}
	}
	return 0;
}

void townorg__event_iter_end(townorg__event_iter *it)
{
	if (it->ids != it->small)
		townorg__free((void *)it->ids);
	it->ids = it->small;
	it->n = it->i = 0;
}

/* A count of the packed block (written by townorg__buf_varint), read with
 * the codec's reader, bounded by the block's end. */
static size_t get_varint(const unsigned char **pp, const unsigned char *end)
{
	townorg__rd r = { *pp, end, false, false };
	uint64_t v = townorg__rd_varint(&r);
	*pp = r.p;
	return (size_t)v;
}

/* The next string of the block at *sp. */
static const char *get_str(const char **sp)
{
	const char *s = *sp;
	*sp = s + strlen(s) + 1;
	return s;
}

static const char *const *get_strv(const char **sp, const char **into, size_t n)
{
	for (size_t j = 0; j < n; j++)
		into[j] = get_str(sp);
	return n ? into : NULL;
}

bool townorg__event_iter_next(townorg__event_iter *it, townorg_event *e)
{
	if (it->i >= it->n)
		return false;
	const unsigned char *p = it->p;
	unsigned h = p[0], c = p[1];
	p += 2;
	size_t nf = c & 7, nt = (c >> 3) & 7, nd = c >> 6;
	if (nf == 7)
		nf = get_varint(&p, it->end);
	if (nt == 7)
		nt = get_varint(&p, it->end);
	if (nd == 3)
		nd = get_varint(&p, it->end);
	const char *s = (const char *)p;
	*e = (townorg_event)TOWNORG_EVENT_INIT;
	e->kind = (townorg_event_kind)(h & EV_KIND);
	if (h & EV_ID)
		e->event_id = get_str(&s);
	else if (h & EV_MADE_ID) {
		made_id(it->made_id, it->i);
		e->event_id = it->made_id;
	}
	e->from_ids = get_strv(&s, it->ids, nf);
	e->to_ids = get_strv(&s, it->ids + nf, nt);
	e->documents = get_strv(&s, it->ids + nf + nt, nd);
	e->from_count = nf;
	e->to_count = nt;
	e->document_count = nd;
	if (h & EV_DATE)
		e->date = get_str(&s);
	if (h & EV_WORDING)
		e->wording = get_str(&s);
	it->p = (const unsigned char *)s;
	it->i++;
	return true;
}

/* The public array of v's events in one block: the records, their id
 * arrays, then the made-up event ids; the other strings stay in ev_data. */
static townorg_event *events_make(const townorg_version *v)
{
	townorg__event_iter it;
	townorg_event e;
	size_t nids = 0, nmade = 0;
	if (townorg__event_iter_init(&it, v) < 0)
		return NULL;
	while (townorg__event_iter_next(&it, &e)) {
		nids += e.from_count + e.to_count + e.document_count;
		if (e.event_id == it.made_id)
			nmade += strlen(it.made_id) + 1;
	}
	townorg__event_iter_end(&it);
	townorg_event *arr = NULL;
	if (nids > (SIZE_MAX / 2 - v->n_events * sizeof *arr) / sizeof(char *) ||
	    !(arr = townorg__malloc(v->n_events * sizeof *arr + nids * sizeof(char *) + nmade)) ||
	    townorg__event_iter_init(&it, v) < 0) {
		townorg__free(arr);
		townorg__oom();
		return NULL;
	}
	const char **pp = (const char **)(void *)(arr + v->n_events);
	char *sp = (char *)(pp + nids);
	for (size_t i = 0; townorg__event_iter_next(&it, &e); i++) {
		townorg_event *d = &arr[i];
		*d = e;
		if (e.event_id == it.made_id)
			d->event_id = str_put(&sp, e.event_id);
		d->from_ids = e.from_count ? memcpy(pp, e.from_ids, e.from_count * sizeof *pp) : NULL;
		pp += e.from_count;
		d->to_ids = e.to_count ? memcpy(pp, e.to_ids, e.to_count * sizeof *pp) : NULL;
		pp += e.to_count;
		d->documents = e.document_count ? memcpy(pp, e.documents, e.document_count * sizeof *pp) : NULL;
		pp += e.document_count;
	}
	townorg__event_iter_end(&it);
	return arr;
}

const townorg_event *townorg__version_events(const townorg_version *cv)
{
	townorg_version *v = (townorg_version *)cv;
	townorg_event *arr = __atomic_load_n(&v->ev_cache, __ATOMIC_ACQUIRE);
	if (arr || !v->n_events)
		return arr;
	pthread_mutex_lock(&v->ev_lock);
	arr = __atomic_load_n(&v->ev_cache, __ATOMIC_RELAXED);
	if (!arr && (arr = events_make(v)))
		__atomic_store_n(&v->ev_cache, arr, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&v->ev_lock);
	return arr;
}

/* ------------------------------------------------------------ dates */

int townorg_date_check(const char *d)
{
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		goto bad;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(d[i] >= '0' && d[i] <= '9'))
			goto bad;
	int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1000 || m < 1 || m > 12 || day < 1)
		goto bad;
	int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (day > max)
		goto bad;
	return 0;
bad:
	return townorg__err(TOWNORG_EINVALID, "'%s' is not a date (expected YYYY-MM-DD)", d ? d : "(null)");
}

void townorg__now(char out[21])
{
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			t = (time_t)v;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------ encoding */

void townorg__version_encode(townorg__buf *b, const townorg_version *v)
{
	townorg__buf_str(b, v->state_hash);
	townorg__buf_varint(b, v->n_parents);
	for (size_t i = 0; i < v->n_parents; i++)
		townorg__buf_str(b, v->parents[i]->id);
	const townorg_meta *m = &v->meta;
	townorg__buf_str(b, m->effective_date);
	townorg__buf_str(b, m->recorded_at);
	townorg__buf_str(b, m->author);
	townorg__buf_str(b, m->doc_issuer);
	townorg__buf_str(b, m->doc_number);
	townorg__buf_str(b, m->doc_date);
	townorg__buf_str(b, m->doc_title);
	townorg__buf_str(b, m->message);
	townorg__buf_varint(b, v->n_events);
	townorg__event_iter it;
	townorg_event e;
	if (townorg__event_iter_init(&it, v) < 0) {
		b->failed = true;
		return;
	}
	while (townorg__event_iter_next(&it, &e)) {
		townorg__buf_varint(b, (uint64_t)e.kind);
		townorg__buf_str(b, e.event_id);
		townorg__buf_varint(b, e.from_count);
		for (size_t j = 0; j < e.from_count; j++)
			townorg__buf_str(b, e.from_ids[j]);
		townorg__buf_varint(b, e.to_count);
		for (size_t j = 0; j < e.to_count; j++)
			townorg__buf_str(b, e.to_ids[j]);
		townorg__buf_varint(b, e.document_count);
		for (size_t j = 0; j < e.document_count; j++)
			townorg__buf_str(b, e.documents[j]);
		townorg__buf_str(b, e.date);
		townorg__buf_str(b, e.wording);
	}
	townorg__event_iter_end(&it);
}

townorg_version *townorg__version_alloc(void)
{
	townorg_version *v = townorg__calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->meta.version = TOWNORG_META_VERSION;
	v->loaded = 1;
	pthread_mutex_init(&v->load_lock, NULL);
	pthread_mutex_init(&v->kids_lock, NULL);
	pthread_mutex_init(&v->ev_lock, NULL);
	return v;
}

int townorg__version_ensure(const townorg_version *cv)
{
	townorg_version *v = (townorg_version *)cv;
	if (__atomic_load_n(&v->loaded, __ATOMIC_ACQUIRE))
		return 0;
	int rc = 0;
	pthread_mutex_lock(&v->load_lock);
	if (!v->loaded) {
		rc = v->loader ? v->loader(v, v->loader_ctx) : 0;
		if (rc == 0)
			__atomic_store_n(&v->loaded, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&v->load_lock);
	return rc;
}

void townorg__version_destroy(townorg_version *v)
{
	if (!v)
		return;
	pthread_mutex_destroy(&v->load_lock);
	pthread_mutex_destroy(&v->kids_lock);
	pthread_mutex_destroy(&v->ev_lock);
	for (size_t i = 0; i < v->kids.cap; i++)
		if (v->kids.keys[i])
			townorg__free(v->kids.vals[i]);
	townorg__strmap_free(&v->kids);
	townorg__meta_free(&v->meta);
	townorg__free(v->ev_data);
	townorg__free(v->ev_cache);
	townorg__free((void *)v->parents);
	townorg__hamt_release(&v->entities, &townorg__entity_trie);
	townorg__hamt_release(&v->children, &townorg__children_trie);
	townorg__hamt_release(&v->totals, &townorg__totals_trie);
	townorg__free(v);
}

void townorg_version_free(townorg_version *v)
{
	if (v && !v->repo)
		townorg__version_destroy(v);
}

/* ------------------------------------------------------------ getters */

const char *townorg_version_id(const townorg_version *v) { return v->id; }
const char *townorg_version_state_hash(const townorg_version *v) { return v->state_hash; }
const townorg_meta *townorg_version_meta(const townorg_version *v) { return &v->meta; }
size_t townorg_version_parent_count(const townorg_version *v) { return v->n_parents; }
const townorg_version *townorg_version_parent(const townorg_version *v, size_t i)
{
	return i < v->n_parents ? v->parents[i] : NULL;
}
size_t townorg_version_event_count(const townorg_version *v) { return v->n_events; }
const townorg_event *townorg_version_event(const townorg_version *v, size_t i)
{
	if (i >= v->n_events)
		return NULL;
	const townorg_event *arr = townorg__version_events(v);
	return arr ? &arr[i] : NULL;
}
size_t townorg_version_entity_count(const townorg_version *v)
{
	return townorg__version_ensure(v) < 0 ? 0 : v->entities.count;
}
size_t townorg_version_kind_count(const townorg_version *v, townorg_kind k)
{
	if (townorg__version_ensure(v) < 0)
		return 0;
	return townorg_kind_token(k) ? v->kind_count[k] : 0;
}

int townorg_version_get(const townorg_entity **out, const townorg_version *v, const char *id)
{
	int rc = townorg__version_ensure(v);
	*out = NULL;
	if (rc < 0)
		return rc;
	const townorg_entity *e = townorg__hamt_get(&v->entities, &townorg__entity_trie, id);
	*out = e;
	if (!e)
		return townorg__err(TOWNORG_ENOTFOUND, "no entity '%s' in version %.12s", id ? id : "(null)", v->id);
	return 0;
}

int townorg_version_children(const townorg_entity *const **out, size_t *count, const townorg_version *v,
			     const char *parent_id)
{
	int rc = townorg__version_ensure(v);
	*out = NULL;
	*count = 0;
	if (rc < 0)
		return rc;
	const townorg__childset *c = townorg__children_get(&v->children, parent_id);
	if (!c || !c->n)
		return 0;
	/* A set lists who the children are; their values at v are looked up.
	 * When every item is still the child's value (a set made by this
	 * version, or whose children have not changed since), the set's own
	 * array is the answer; otherwise an array of the values, made once and
	 * kept with the version (the answer is borrowed for v's lifetime). */
	townorg_version *mv = (townorg_version *)v;
	pthread_mutex_lock(&mv->kids_lock);
	const townorg_entity **got = townorg__strmap_get(&mv->kids, c->key);
	pthread_mutex_unlock(&mv->kids_lock);
	if (got) {
		*out = got;
		*count = c->n;
		return 0;
	}
	const townorg_entity **arr = townorg__malloc(c->n * sizeof *arr);
	if (!arr)
		return townorg__oom();
	townorg__children_values(&v->entities, c, arr);
	if (!memcmp(arr, c->items, c->n * sizeof *arr)) {
		townorg__free(arr);
		*out = (const townorg_entity *const *)c->items;
		*count = c->n;
		return 0;
	}
	pthread_mutex_lock(&mv->kids_lock);
	const townorg_entity **other = townorg__strmap_get(&mv->kids, c->key);
	if (other) { /* another thread answered first: its array is the one handed out */
		townorg__free(arr);
		arr = other;
	} else if (townorg__strmap_put(&mv->kids, c->key, arr) < 0) {
		pthread_mutex_unlock(&mv->kids_lock);
		townorg__free(arr);
		return townorg__oom();
	}
	pthread_mutex_unlock(&mv->kids_lock);
	*out = arr;
	*count = c->n;
	return 0;
}

static int64_t quota_of(const townorg_entity *e, const char *type)
{
	int64_t q = 0;
	if (!type)
		return townorg_entity_quota_total(e);
	townorg_entity_quota(e, type, &q);
	return q;
}

/* Sum of organ quotas at or below e (depth-limited: the hierarchy is at most
 * six levels deep, enforced by the kind rules). */
static int64_t subtree_quota(const townorg_version *v, const townorg_entity *e, const char *type, int depth)
{
	if (townorg_kind_is_organ((townorg_kind)e->kind))
		return quota_of(e, type);
	if (depth > 8)
		return 0;
	const townorg__childset *c = townorg__children_get(&v->children, townorg__entity_id(e));
	int64_t t = 0;
	for (size_t i = 0; c && i < c->n; i++)
		t += subtree_quota(v, townorg__child_at(&v->entities, c, i), type, depth + 1);
	return t;
}

static const townorg_entity *version_lookup(void *ctx, const char *id)
{
	return townorg__hamt_get(ctx, &townorg__entity_trie, id);
}

int townorg_version_quota_total(int64_t *out, const townorg_version *v, const char *id, const char *type)
{
	const townorg_entity *e;
	int rc = townorg_version_get(&e, v, id);
	if (rc < 0)
		return rc;
	/* counties: one lookup in the totals index */
	townorg_kind k = (townorg_kind)e->kind;
	int t = !type ? TOWNORG__TQ_ALL : !strcmp(type, "admin") ? TOWNORG__TQ_ADMIN
				      : !strcmp(type, "inst") ? TOWNORG__TQ_INST : -1;
	if (t >= 0 && k == TOWNORG_KIND_COUNTY) {
		const townorg__totals *tl = townorg__totals_get(&v->totals, id);
		*out = tl ? tl->osum[t] : 0;
		return 0;
	}
	/* township-level units: their organs, in their children set */
	if (t >= 0 && townorg_kind_is_township_level(k)) {
		townorg__contrib us;
		townorg__unit_sums(&us, &v->children, version_lookup, (void *)&v->entities, id);
		*out = us.q[t];
		return 0;
	}
	*out = subtree_quota(v, e, type, 0);
	return 0;
}

int townorg_version_headroom(int64_t *out, const townorg_version *v, const char *id, const char *type)
{
	const townorg_entity *e;
	int rc = townorg_version_get(&e, v, id);
	if (rc < 0)
		return rc;
	bool has_quota = type ? townorg_entity_quota(e, type, &(int64_t){ 0 }) == 0 : townorg_entity_quota_count(e) > 0;
	if (!has_quota)
		return townorg__err(TOWNORG_EINVALID, "entity %s has no %s%squota", id, type ? type : "", type ? " " : "");
	int64_t own = quota_of(e, type);
	if (townorg_kind_is_organ((townorg_kind)e->kind)) {
		int64_t staff = 0;
		townorg_entity_int(e, TOWNORG_FIELD_ACTUAL_STAFF, &staff);
		*out = own - staff;
	} else {
		*out = own - subtree_quota(v, e, type, 0);
	}
	return 0;
}

/* ------------------------------------------------------------ iterator */

struct townorg_iterator {
	townorg__hamt_iter it;
};

int townorg_iterator_new(townorg_iterator **out, const townorg_version *v)
{
	*out = NULL;
	int rc = townorg__version_ensure(v);
	if (rc < 0)
		return rc;
	townorg_iterator *it = townorg__malloc(sizeof *it);
	if (!it)
		return townorg__oom();
	townorg__hamt_iter_init(&it->it, &v->entities);
	*out = it;
	return 0;
}

int townorg_iterator_next(const townorg_entity **out, townorg_iterator *it)
{
	*out = townorg__hamt_iter_next(&it->it);
	return *out ? 0 : TOWNORG_ITEROVER;
}

void townorg_iterator_free(townorg_iterator *it) { townorg__free(it); }

/*
 * repo.c — repositories: the list of versions, lookup by id, branches and
 * tags, version names (branch, tag, id, prefix, NAME@DATE, NAME~N) and
 * as-of queries along a branch's first-parent line.
 */
#include "core/repo_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>

int townorg_repo_new(townorg_repo **out)
{
	townorg_repo *r = townorg__calloc(1, sizeof *r);
	*out = r;
	return r ? 0 : townorg__oom();
}

static void refs_free(townorg__ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		townorg__free(refs[i].name);
	townorg__free(refs);
}

void townorg_repo_free(townorg_repo *r)
{
	if (!r)
		return;
	if (r->in_batch)
		townorg__repo_batch_end(r, false);
	if (r->store_ops && r->store_ops->close)
		r->store_ops->close(r->store);
	/* Newest first: a version's tries may share nodes with older ones; the
	 * order does not matter for correctness (reference counts), only for
	 * how much is freed at each step. */
	for (size_t i = r->n_versions; i-- > 0;)
		townorg__version_destroy(r->versions[i]);
	townorg__free(r->versions);
	townorg__strmap_free(&r->by_id);
	refs_free(r->branches, r->n_branches);
	refs_free(r->tags, r->n_tags);
	townorg__free(r);
}

int townorg__repo_add_version(townorg_repo *r, townorg_version *v)
{
	if (r->n_versions == r->cap_versions && TOWNORG__GROW(r->versions, r->cap_versions, 16) < 0)
		return townorg__oom();
	if (townorg__strmap_put(&r->by_id, v->id, v) < 0)
		return townorg__oom();
	v->repo = r;
	v->seq = r->n_versions;
	r->versions[r->n_versions++] = v;
	return 0;
}

size_t townorg_repo_version_count(const townorg_repo *r) { return r->n_versions; }
const townorg_version *townorg_repo_version_at(const townorg_repo *r, size_t i)
{
	return i < r->n_versions ? r->versions[i] : NULL;
}

/* ---------------------------------------------------------------- refs */

static townorg__ref *ref_find(townorg__ref *refs, size_t n, const char *name, size_t *pos)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(refs[mid].name, name);
		if (!c) {
			if (pos)
				*pos = mid;
			return &refs[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return NULL;
}

int townorg__repo_set_ref_raw(townorg_repo *r, bool is_tag, const char *name, const townorg_version *v)
{
	townorg__ref **refs = is_tag ? &r->tags : &r->branches;
	size_t *n = is_tag ? &r->n_tags : &r->n_branches;
	size_t pos;
	townorg__ref *f = ref_find(*refs, *n, name, &pos);
	if (f) {
		f->v = v;
		return 0;
	}
	char *nm = townorg__strdup(name);
	townorg__ref *nr = nm ? townorg__realloc(*refs, (*n + 1) * sizeof *nr) : NULL;
	if (!nr) {
		townorg__free(nm);
		return townorg__oom();
	}
	memmove(nr + pos + 1, nr + pos, (*n - pos) * sizeof *nr);
	nr[pos].name = nm;
	nr[pos].v = v;
	*refs = nr;
	(*n)++;
	return 0;
}

int townorg__repo_reserve_version(townorg_repo *r)
{
	if (r->n_versions == r->cap_versions) {
		size_t cap = r->cap_versions ? r->cap_versions * 2 : 16;
		townorg_version **n = townorg__realloc(r->versions, cap * sizeof *n);
		if (!n)
			return townorg__oom();
		r->versions = n;
		r->cap_versions = cap;
	}
	return townorg__strmap_reserve(&r->by_id, 1) < 0 ? townorg__oom() : 0;
}

int townorg__repo_ref_prepare(townorg__ref_slot *slot, const townorg_repo *r, bool is_tag, const char *name)
{
	size_t n = is_tag ? r->n_tags : r->n_branches;
	slot->refs = NULL;
	slot->name = NULL;
	if (ref_find(is_tag ? r->tags : r->branches, n, name, NULL))
		return 0;
	slot->name = townorg__strdup(name);
	slot->refs = slot->name ? townorg__malloc((n + 1) * sizeof *slot->refs) : NULL;
	if (!slot->refs) {
		townorg__repo_ref_slot_free(slot);
		return townorg__oom();
	}
	return 0;
}

void townorg__repo_ref_install(townorg__ref_slot *slot, townorg_repo *r, bool is_tag, const char *name,
			       const townorg_version *v)
{
	townorg__ref **refs = is_tag ? &r->tags : &r->branches;
	size_t *n = is_tag ? &r->n_tags : &r->n_branches, pos;
	townorg__ref *f = ref_find(*refs, *n, name, &pos);
	if (f || !slot->refs) {
		/* prepared for an existing ref (or one made since): no slot */
		if (f)
			f->v = v;
		townorg__repo_ref_slot_free(slot);
		return;
	}
	townorg__ref *nr = slot->refs;
	if (pos)
		memcpy(nr, *refs, pos * sizeof *nr);
	if (*n > pos)
		memcpy(nr + pos + 1, *refs + pos, (*n - pos) * sizeof *nr);
	nr[pos].name = slot->name;
	nr[pos].v = v;
	townorg__free(*refs);
	*refs = nr;
	(*n)++;
	slot->refs = NULL;
	slot->name = NULL;
}

void townorg__repo_ref_slot_free(townorg__ref_slot *slot)
{
	townorg__free(slot->refs);
	townorg__free(slot->name);
	slot->refs = NULL;
	slot->name = NULL;
}

static int check_own(const townorg_repo *r, const townorg_version *v)
{
	if (v && v->repo != r)
		return townorg__err(TOWNORG_EINVALID, _("version %.12s does not belong to this repository"), v->id);
	return 0;
}

int townorg_repo_branch_head(const townorg_version **out, const townorg_repo *r, const char *name)
{
	townorg__ref *f = name ? ref_find(r->branches, r->n_branches, name, NULL) : NULL;
	*out = f ? f->v : NULL;
	if (!f)
		return townorg__err(TOWNORG_ENOTFOUND, _("no branch '%s'"), name ? name : "(null)");
	return 0;
}

static int ref_write(townorg_repo *r, bool is_tag, const char *name, const townorg_version *v, bool create)
{
	int rc;
	if (r->readonly)
		return townorg__err(TOWNORG_EREADONLY, _("the repository was opened read-only"));
	townorg__ref_slot slot;
	if ((rc = townorg__repo_ref_prepare(&slot, r, is_tag, name)) < 0)
		return rc;
	if (r->store_ops && (rc = r->store_ops->ref_update(r->store, is_tag, name, v, create)) < 0) {
		townorg__repo_ref_slot_free(&slot);
		return rc;
	}
	townorg__repo_ref_install(&slot, r, is_tag, name, v);
	return 0;
}

int townorg_repo_branch_create(townorg_repo *r, const char *name, const townorg_version *at)
{
	int rc;
	if (!townorg__valid_ref_name(name))
		return townorg__err(TOWNORG_EINVALID, _("'%s' is not a valid branch name"), name ? name : "(null)");
	if ((rc = check_own(r, at)) < 0)
		return rc;
	if (ref_find(r->branches, r->n_branches, name, NULL))
		return townorg__err(TOWNORG_EEXISTS, _("branch '%s' already exists"), name);
	return ref_write(r, false, name, at, true);
}

int townorg_repo_branch_set(townorg_repo *r, const char *name, const townorg_version *at)
{
	int rc;
	if (!name || !ref_find(r->branches, r->n_branches, name, NULL))
		return townorg__err(TOWNORG_ENOTFOUND, _("no branch '%s'"), name ? name : "(null)");
	if (!at)
		return townorg__err(TOWNORG_EINVALID, _("a branch can only be moved to a version"));
	if ((rc = check_own(r, at)) < 0)
		return rc;
	return ref_write(r, false, name, at, false);
}

int townorg_repo_branch_delete(townorg_repo *r, const char *name)
{
	size_t pos;
	int rc;
	if (!name || !ref_find(r->branches, r->n_branches, name, &pos))
		return townorg__err(TOWNORG_ENOTFOUND, _("no branch '%s'"), name ? name : "(null)");
	if (r->readonly)
		return townorg__err(TOWNORG_EREADONLY, _("the repository was opened read-only"));
	if (r->store_ops && (rc = r->store_ops->ref_update(r->store, false, name, NULL, false)) < 0)
		return rc;
	townorg__free(r->branches[pos].name);
	memmove(r->branches + pos, r->branches + pos + 1, (r->n_branches - pos - 1) * sizeof *r->branches);
	r->n_branches--;
	return 0;
}

size_t townorg_repo_branch_count(const townorg_repo *r) { return r->n_branches; }
const char *townorg_repo_branch_name(const townorg_repo *r, size_t i)
{
	return i < r->n_branches ? r->branches[i].name : NULL;
}

int townorg_repo_tag_create(townorg_repo *r, const char *name, const townorg_version *at)
{
	int rc;
	if (!townorg__valid_ref_name(name))
		return townorg__err(TOWNORG_EINVALID, _("'%s' is not a valid tag name"), name ? name : "(null)");
	if (!at)
		return townorg__err(TOWNORG_EINVALID, _("tag %s: no version given"), name);
	if ((rc = check_own(r, at)) < 0)
		return rc;
	if (ref_find(r->tags, r->n_tags, name, NULL))
		return townorg__err(TOWNORG_EEXISTS, _("tag '%s' already exists"), name);
	return ref_write(r, true, name, at, true);
}

int townorg_repo_tag_lookup(const townorg_version **out, const townorg_repo *r, const char *name)
{
	townorg__ref *f = name ? ref_find(r->tags, r->n_tags, name, NULL) : NULL;
	*out = f ? f->v : NULL;
	return f ? 0 : townorg__err(TOWNORG_ENOTFOUND, _("no tag '%s'"), name ? name : "(null)");
}

size_t townorg_repo_tag_count(const townorg_repo *r) { return r->n_tags; }
const char *townorg_repo_tag_name(const townorg_repo *r, size_t i, const townorg_version **at)
{
	if (i >= r->n_tags)
		return NULL;
	if (at)
		*at = r->tags[i].v;
	return r->tags[i].name;
}

/* ---------------------------------------------------------------- batches */

static townorg__ref *refs_dup(const townorg__ref *refs, size_t n)
{
	townorg__ref *d = townorg__calloc(n ? n : 1, sizeof *d);
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		d[i].v = refs[i].v;
		if (!(d[i].name = townorg__strdup(refs[i].name))) {
			refs_free(d, i);
			return NULL;
		}
	}
	return d;
}

int townorg__repo_batch_begin(townorg_repo *r)
{
	int rc;
	if (r->in_batch)
		return townorg__err(TOWNORG_EINVALID, _("a batch is already open"));
	if (r->readonly)
		return townorg__err(TOWNORG_EREADONLY, _("the repository was opened read-only"));
	townorg__ref *b = refs_dup(r->branches, r->n_branches), *t = refs_dup(r->tags, r->n_tags);
	if (!b || !t) {
		if (b)
			refs_free(b, r->n_branches);
		if (t)
			refs_free(t, r->n_tags);
		return townorg__oom();
	}
	if (r->store_ops && r->store_ops->batch && (rc = r->store_ops->batch(r->store, 0)) < 0) {
		refs_free(b, r->n_branches);
		refs_free(t, r->n_tags);
		return rc;
	}
	r->batch_branches = b;
	r->batch_tags = t;
	r->batch_n_branches = r->n_branches;
	r->batch_n_tags = r->n_tags;
	r->batch_mark = r->n_versions;
	r->in_batch = true;
	return 0;
}

int townorg__repo_batch_end(townorg_repo *r, bool commit)
{
	int rc = 0;
	if (!r->in_batch)
		return townorg__err(TOWNORG_EINVALID, _("no batch is open"));
	if (commit && r->store_ops && r->store_ops->batch && (rc = r->store_ops->batch(r->store, 1)) < 0)
		commit = false; /* the store could not commit: undo in memory too */
	if (!commit) {
		if (r->store_ops && r->store_ops->batch)
			r->store_ops->batch(r->store, 2);
		/* drop the versions added since begin */
		for (size_t i = r->n_versions; i-- > r->batch_mark;) {
			townorg__strmap_del(&r->by_id, r->versions[i]->id);
			townorg__version_destroy(r->versions[i]);
		}
		r->n_versions = r->batch_mark;
		refs_free(r->branches, r->n_branches);
		refs_free(r->tags, r->n_tags);
		r->branches = r->batch_branches;
		r->tags = r->batch_tags;
		r->n_branches = r->batch_n_branches;
		r->n_tags = r->batch_n_tags;
	} else {
		refs_free(r->batch_branches, r->batch_n_branches);
		refs_free(r->batch_tags, r->batch_n_tags);
	}
	r->batch_branches = r->batch_tags = NULL;
	r->in_batch = false;
	return rc;
}

/* ---------------------------------------------------------------- lookup */

int townorg_repo_version_by_id(const townorg_version **out, const townorg_repo *r, const char *id)
{
	*out = id ? townorg__strmap_get(&r->by_id, id) : NULL;
	return *out ? 0 : townorg__err(TOWNORG_ENOTFOUND, _("no version '%s'"), id ? id : "(null)");
}

static bool all_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int lookup_plain(const townorg_version **out, const townorg_repo *r, const char *name)
{
	townorg__ref *f = ref_find(r->branches, r->n_branches, name, NULL);
	if (f) {
		if (!f->v)
			return townorg__err(TOWNORG_ENOTFOUND, _("branch '%s' has no version yet"), name);
		*out = f->v;
		return 0;
	}
	if ((f = ref_find(r->tags, r->n_tags, name, NULL))) {
		*out = f->v;
		return 0;
	}
	size_t n = strlen(name);
	if (n >= 4 && n <= 64 && all_hex(name)) {
		if (n == 64 && (*out = townorg__strmap_get(&r->by_id, name)))
			return 0;
		const townorg_version *hit = NULL;
		for (size_t i = 0; i < r->n_versions; i++)
			if (!strncmp(r->versions[i]->id, name, n)) {
				if (hit)
					return townorg__err(TOWNORG_EAMBIGUOUS, _("version prefix '%s' is ambiguous"), name);
				hit = r->versions[i];
			}
		if (hit) {
			*out = hit;
			return 0;
		}
	}
	return townorg__err(TOWNORG_ENOTFOUND, _("no branch, tag or version named '%s'"), name);
}

static const townorg_version *asof_from(const townorg_version *v, const char *date)
{
	while (v) {
		if (strcmp(v->meta.effective_date, date) <= 0)
			return v;
		v = v->n_parents ? v->parents[0] : NULL;
	}
	return NULL;
}

int townorg_repo_lookup(const townorg_version **out, const townorg_repo *r, const char *name)
{
	*out = NULL;
	if (!name || !*name)
		return townorg__err(TOWNORG_EINVALID, _("empty version name"));
	if (strlen(name) > 400)
		return townorg__err(TOWNORG_EINVALID, _("version name too long"));
	/* whole name first: a plain ref can't hold '@' or '~' anyway */
	const char *at = strrchr(name, '@'), *tilde = strrchr(name, '~');
	if (!at && !tilde)
		return lookup_plain(out, r, name);
	const char *cut = at > tilde ? at : tilde;
	char base[401];
	size_t bl = (size_t)(cut - name);
	if (bl == 0)
		return townorg__err(TOWNORG_EINVALID, _("'%s': a name must come before '%c'"), name, *cut);
	memcpy(base, name, bl);
	base[bl] = 0;
	const townorg_version *v;
	int rc = townorg_repo_lookup(&v, r, base);
	if (rc < 0)
		return rc;
	if (*cut == '@') {
		if (townorg_date_check(cut + 1) < 0)
			return townorg__err(TOWNORG_EINVALID, _("'%s': expected NAME@YYYY-MM-DD"), name);
		const townorg_version *hit = asof_from(v, cut + 1);
		if (!hit)
			return townorg__err(TOWNORG_ENOTFOUND, _("'%s': nothing on %s was in effect on %s"), name, base, cut + 1);
		*out = hit;
		return 0;
	}
	const char *digits = cut + 1;
	if (!*digits || strlen(digits) > 9)
		return townorg__err(TOWNORG_EINVALID, _("'%s': expected NAME~N"), name);
	for (const char *p = digits; *p; p++)
		if (!isdigit((unsigned char)*p))
			return townorg__err(TOWNORG_EINVALID, _("'%s': expected NAME~N"), name);
	long steps = atol(digits);
	for (long i = 0; i < steps; i++) {
		if (!v->n_parents)
			return townorg__err(TOWNORG_ENOTFOUND, _("'%s': the history of %s is only %ld versions deep"), name, base, i);
		v = v->parents[0];
	}
	*out = v;
	return 0;
}

int townorg_repo_asof(const townorg_version **out, const townorg_repo *r, const char *branch, const char *date)
{
	const townorg_version *head;
	int rc;
	*out = NULL;
	if ((rc = townorg_date_check(date)) < 0)
		return rc;
	if ((rc = townorg_repo_branch_head(&head, r, branch)) < 0)
		return rc;
	*out = asof_from(head, date);
	if (!*out)
		return townorg__err(TOWNORG_ENOTFOUND, _("nothing on branch %s was in effect on %s"), branch, date);
	return 0;
}

int townorg_version_is_ancestor(const townorg_version *anc, const townorg_version *v)
{
	return townorg__version_is_ancestor(anc, v) > 0;
}

/* 1, 0, or TOWNORG_ENOMEM (no message): an answer of 0 for want of memory
 * made a diff call its versions unrelated (found by tests/check_faults.c).
 * Histories of up to 512 versions walk in stack memory. */
int townorg__version_is_ancestor(const townorg_version *anc, const townorg_version *v)
{
	if (!anc || !v)
		return 0;
	if (anc == v)
		return 1;
	if (anc->repo != v->repo || !v->repo || anc->seq > v->seq)
		return 0;
	/* breadth-first over parents; versions are added after their parents,
	 * so nothing older than anc needs visiting. */
	/* Only v and its ancestors are visited, all numbered up to v->seq: size
	 * by that, not by the repository's count, which a thread committing
	 * meanwhile may be changing (readers take no lock). */
	size_t n = v->seq + 1;
	unsigned char seen_stack[512];
	const townorg_version *queue_stack[512];
	bool small = n <= 512;
	unsigned char *seen = small ? seen_stack : townorg__calloc(n, 1);
	const townorg_version **queue = small ? queue_stack : townorg__malloc(n * sizeof *queue);
	int found = 0;
	if (small)
		memset(seen, 0, n);
	if (!seen || !queue) {
		found = TOWNORG_ENOMEM;
		goto out;
	}
	size_t head = 0, tail = 0;
	queue[tail++] = v;
	seen[v->seq] = 1;
	while (head < tail && !found) {
		const townorg_version *x = queue[head++];
		for (size_t i = 0; i < x->n_parents; i++) {
			const townorg_version *p = x->parents[i];
			if (p == anc) {
				found = 1;
				break;
			}
			if (p->seq > anc->seq && !seen[p->seq]) {
				seen[p->seq] = 1;
				queue[tail++] = p;
			}
		}
	}
out:
	if (!small) {
		townorg__free(seen);
		townorg__free(queue);
	}
	return found;
}

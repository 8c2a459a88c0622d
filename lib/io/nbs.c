/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * nbs.c — the National Bureau of Statistics' township lists, one version
 * per edition, and the import driver (MCA events: mca.c; CSV: realdata_csv.c).
 *
 * An edition is read whole (provinces, prefectures, counties, townships,
 * each checked: code shape, code prefix against the parent, duplicates,
 * parents that exist), then laid over the branch head in a transaction:
 * units whose name, kind or parent changed are rebuilt from the head's
 * value (so attributes that others set on them, such as quotas, survive),
 * new units are added, and units of those four levels that the edition no
 * longer lists are removed, deepest first — refusing when something of
 * another kind (an organ, a village) still sits under one.  Only what
 * changed is touched, so an edition costs O(n) to read and compare and
 * O(k log n) to commit.
 *
 * The whole import runs in a repository batch: any failure or a cancel
 * rolls back every version, branch move and tag it made.
 */
#include "io/realdata_internal.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const struct {
	int year;
	const char *cutoff;
} editions_known[] = {
	{ 2016, "2016-07-31" }, { 2017, "2017-10-31" }, { 2018, "2018-10-31" }, { 2019, "2019-10-31" },
	{ 2020, "2020-06-30" }, { 2021, "2021-10-31" }, { 2022, "2022-10-31" }, { 2023, "2023-06-30" },
};

/* ------------------------------------------------------------ names, kinds */

/* The name without its kind word: 北淮淀乡 and 北淮淀镇 share the stem 北淮淀. */
static size_t name_stem(const char *name)
{
	static const char *suffixes[] = { "街道", "苏木", "乡", "镇" };
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (len > strlen(suffixes[i]) && townorg__rd_ends_with(name, len, suffixes[i]))
			return len - strlen(suffixes[i]);
	return len;
}

static bool replaced_kind(townorg_kind k)
{
	return k == TOWNORG_KIND_PROVINCE || k == TOWNORG_KIND_PREFECTURE || k == TOWNORG_KIND_COUNTY ||
	       townorg_kind_is_township_level(k);
}

/* Depth of the replaced kinds: deepest are removed first. */
static int depth(townorg_kind k)
{
	switch (k) {
	case TOWNORG_KIND_PROVINCE: return 0;
	case TOWNORG_KIND_PREFECTURE: return 1;
	case TOWNORG_KIND_COUNTY: return 2;
	default: return 3;
	}
}

/* ------------------------------------------------------------ an edition */

typedef struct {
	char code[10];
	char parent[10];   /* "" for the top level */
	townorg_kind kind;
	bool pseudo;       /* a 市辖区/县/省直辖县级行政区划 grouping: no entity */
	const char *file;
	size_t line;
	char *name;        /* normalised */
} unit;

#define CHUNK 4096

typedef struct {
	int year;
	char ystr[8];
	const char *cutoff;
	char *path;
	char *files[4];
	unit **chunks;
	size_t n, n_chunks;
	townorg__strmap by_code; /* code -> unit */
	size_t townships;
} edition;

static unit *unit_at(const edition *e, size_t i) { return &e->chunks[i / CHUNK][i % CHUNK]; }

static void edition_clear(edition *e)
{
	for (size_t i = 0; i < e->n; i++)
		townorg__free(unit_at(e, i)->name);
	for (size_t i = 0; i < e->n_chunks; i++)
		townorg__free(e->chunks[i]);
	townorg__free(e->chunks);
	for (int i = 0; i < 4; i++)
		townorg__free(e->files[i]);
	townorg__strmap_free(&e->by_code);
	e->chunks = NULL;
	e->n = e->n_chunks = 0;
	e->townships = 0;
	memset(e->files, 0, sizeof e->files);
}

static unit *unit_new(edition *e)
{
	if (e->n == e->n_chunks * CHUNK) {
		unit **c = townorg__realloc(e->chunks, (e->n_chunks + 1) * sizeof *c);
		if (!c)
			return NULL;
		e->chunks = c;
		if (!(c[e->n_chunks] = townorg__calloc(CHUNK, sizeof(unit))))
			return NULL;
		e->n_chunks++;
	}
	unit *u = unit_at(e, e->n++);
	memset(u, 0, sizeof *u);
	return u;
}

enum { F_PROVINCES, F_CITIES, F_AREAS, F_STREETS };
static const char *file_names[] = { "provinces.csv", "cities.csv", "areas.csv", "streets.csv" };
static const char *headers[] = { "code,name", "code,name,provinceCode", "code,name,cityCode,provinceCode",
				 "code,name,areaCode,provinceCode,cityCode" };
static const size_t header_fields[] = { 2, 3, 4, 5 };
static const size_t code_len[] = { 2, 4, 6, 9 };
static const char *level_names[] = { N_("province"), N_("prefecture"), N_("county"), N_("township") };

typedef struct {
	edition *e;
	int which;
	const char *file;
	bool header_seen;
} file_ctx;

static bool is_pseudo_prefecture(const char *name)
{
	size_t len = strlen(name);
	return !strcmp(name, "市辖区") || !strcmp(name, "县") || townorg__rd_ends_with(name, len, "直辖县级行政区划");
}

static int edition_row(char **f, size_t n, size_t line, void *ctx)
{
	file_ctx *c = ctx;
	edition *e = c->e;
	int w = c->which;
	if (!c->header_seen) {
		townorg__buf b = { 0 };
		for (size_t i = 0; i < n; i++)
			townorg__buf_printf(&b, "%s%s", i ? "," : "", f[i]);
		townorg__buf_putc(&b, 0);
		int ok = !b.failed && !strcmp(b.data, headers[w]);
		int rc = b.failed ? townorg__oom()
			 : ok     ? 0
				  : townorg__err(TOWNORG_EPARSE, _("%s:%zu: expected the header '%s', found '%s'"), c->file,
						 line, headers[w], b.data);
		townorg__buf_free(&b);
		c->header_seen = true;
		return rc;
	}
	if (n != header_fields[w])
		return townorg__err(TOWNORG_EPARSE, _("%s:%zu: expected %zu fields, found %zu (truncated row?)"), c->file,
				    line, header_fields[w], n);
	const char *code = f[0], *name = f[1];
	if (!townorg__rd_digits(code, code_len[w]) || (w == F_STREETS && !townorg_nbs_code_kind(code)))
		return townorg__err(TOWNORG_EPARSE, _("%s:%zu: '%s' is not a %zu-digit %s code"), c->file, line, code,
				    code_len[w], _(level_names[w]));
	if (!*name)
		return townorg__err(TOWNORG_EPARSE, _("%s:%zu: %s %s has no name"), c->file, line, _(level_names[w]), code);
	const unit *dup = townorg__strmap_get(&e->by_code, code);
	if (dup)
		return townorg__err(TOWNORG_EPARSE, _("%s:%zu: duplicate code %s (already on %s:%zu)"), c->file, line, code,
				    dup->file, dup->line);
	/* the parent: its code is the prefix of this one, and it must be listed */
	const char *pcode = w == F_PROVINCES ? NULL : f[2];
	const unit *parent = NULL;
	if (pcode) {
		if (strlen(pcode) != code_len[w - 1] || strncmp(code, pcode, code_len[w - 1]))
			return townorg__err(TOWNORG_EPARSE, _("%s:%zu: %s %s does not begin with its parent's code '%s'"),
					    c->file, line, _(level_names[w]), code, pcode);
		parent = townorg__strmap_get(&e->by_code, pcode);
		if (!parent)
			return townorg__err(TOWNORG_EPARSE, _("%s:%zu: %s %s: parent %s is not listed in %s"), c->file, line,
					    _(level_names[w]), code, pcode, file_names[w - 1]);
		if (w == F_STREETS && parent->kind != TOWNORG_KIND_COUNTY)
			return townorg__err(TOWNORG_EPARSE, _("%s:%zu: parent %s is not a county"), c->file, line, pcode);
	}
	unit *u = unit_new(e);
	if (!u)
		return townorg__oom();
	memcpy(u->code, code, code_len[w] + 1);
	u->file = c->file;
	u->line = line;
	if (!(u->name = townorg__rd_norm_name(name)))
		return townorg__oom();
	switch (w) {
	case F_PROVINCES:
		u->kind = TOWNORG_KIND_PROVINCE;
		break;
	case F_CITIES:
		u->kind = TOWNORG_KIND_PREFECTURE;
		u->pseudo = is_pseudo_prefecture(u->name);
		strcpy(u->parent, pcode);
		break;
	case F_AREAS:
		u->kind = TOWNORG_KIND_COUNTY;
		/* counties of a grouping (省直辖县级, a municipality's 市辖区) sit
		 * directly under the province */
		strcpy(u->parent, parent->pseudo ? parent->parent : pcode);
		break;
	default:
		u->kind = townorg_nbs_code_kind(code);
		strcpy(u->parent, pcode);
		e->townships++;
	}
	if (townorg__strmap_put(&e->by_code, u->code, u) < 0)
		return townorg__oom();
	return 0;
}

static int edition_read(edition *e)
{
	int rc;
	for (int w = F_PROVINCES; w <= F_STREETS; w++) {
		townorg__buf p = { 0 };
		townorg__buf_printf(&p, "%s/%s", e->path, file_names[w]);
		townorg__buf_putc(&p, 0);
		if (p.failed) {
			townorg__buf_free(&p);
			return townorg__oom();
		}
		e->files[w] = p.data;
		file_ctx c = { e, w, e->files[w], false };
		if ((rc = townorg__csv_read(e->files[w], edition_row, &c)) < 0)
			return rc;
		if (!c.header_seen)
			return townorg__err(TOWNORG_EPARSE, _("%s:1: empty file (expected the header '%s')"), e->files[w],
					    headers[w]);
	}
	return 0;
}

/* ------------------------------------------------------------ the report */

struct townorg_realdata_report {
	size_t n_editions;
	townorg_realdata_edition *editions;
	size_t mca_rows, mca_matched;
	size_t n_unmatched;
	townorg_realdata_unmatched *unmatched;
	size_t n_attached;
	townorg_realdata_link *attached;
	size_t n_tables;
	townorg_realdata_table *tables;
};

static void edition_report_free(townorg_realdata_edition *e)
{
	townorg__free((char *)e->year);
	townorg__free((char *)e->tag);
	townorg__free((char *)e->effective_date);
	townorg__free((char *)e->path);
	townorg__free((char *)e->version_id);
}

void townorg_realdata_report_free(townorg_realdata_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_editions; i++)
		edition_report_free(&r->editions[i]);
	townorg__free(r->editions);
	for (size_t i = 0; i < r->n_unmatched; i++) {
		townorg_realdata_unmatched *u = &r->unmatched[i];
		townorg__free((char *)u->file);
		townorg__free((char *)u->old_code);
		townorg__free((char *)u->old_name);
		townorg__free((char *)u->reason);
		townorg__free((char *)u->new_code);
		townorg__free((char *)u->new_name);
		townorg__free((char *)u->documents);
		townorg__free((char *)u->why);
	}
	townorg__free(r->unmatched);
	for (size_t i = 0; i < r->n_attached; i++) {
		townorg__free((char *)r->attached[i].file);
		townorg__free((char *)r->attached[i].edition);
		townorg__free((char *)r->attached[i].from_id);
		townorg__free((char *)r->attached[i].to_id);
	}
	townorg__free(r->attached);
	for (size_t i = 0; i < r->n_tables; i++)
		townorg__free((char *)r->tables[i].file);
	townorg__free(r->tables);
	townorg__free(r);
}

size_t townorg_realdata_report_edition_count(const townorg_realdata_report *r) { return r ? r->n_editions : 0; }

const townorg_realdata_edition *townorg_realdata_report_edition(const townorg_realdata_report *r, size_t i)
{
	return r && i < r->n_editions ? &r->editions[i] : NULL;
}

size_t townorg_realdata_report_mca_rows(const townorg_realdata_report *r) { return r ? r->mca_rows : 0; }
size_t townorg_realdata_report_mca_matched(const townorg_realdata_report *r) { return r ? r->mca_matched : 0; }
size_t townorg_realdata_report_unmatched_count(const townorg_realdata_report *r) { return r ? r->n_unmatched : 0; }

const townorg_realdata_unmatched *townorg_realdata_report_unmatched(const townorg_realdata_report *r, size_t i)
{
	return r && i < r->n_unmatched ? &r->unmatched[i] : NULL;
}

size_t townorg_realdata_report_attached_count(const townorg_realdata_report *r) { return r ? r->n_attached : 0; }

const townorg_realdata_link *townorg_realdata_report_attached(const townorg_realdata_report *r, size_t i)
{
	return r && i < r->n_attached ? &r->attached[i] : NULL;
}

size_t townorg_realdata_report_table_count(const townorg_realdata_report *r) { return r ? r->n_tables : 0; }

const townorg_realdata_table *townorg_realdata_report_table(const townorg_realdata_report *r, size_t i)
{
	return r && i < r->n_tables ? &r->tables[i] : NULL;
}

/* ------------------------------------------------------------ applying */

typedef struct {
	townorg_realdata_edition *rep;
	townorg__strmap added_stems; /* "parent|stem" -> added unit (township level) */
	char **keys;
	size_t n_keys;
} apply_ctx;

static int put_unit(townorg_txn *t, const unit *u, const townorg_entity *old, townorg_realdata_edition *rep)
{
	townorg_entity_builder *b = NULL;
	int rc;
	const char *parent = *u->parent ? u->parent : NULL;
	if (!old)
		rc = townorg_entity_builder_new(&b, u->code, u->kind, u->name, parent);
	else {
		if ((rc = townorg_entity_builder_from(&b, old)) < 0)
			return rc;
		if ((townorg_kind)old->kind != u->kind)
			rep->reclassified++, rc = townorg_entity_builder_set_kind(b, u->kind);
		if (!rc && strcmp(townorg_entity_name(old), u->name))
			rep->renamed++, rc = townorg_entity_builder_set_name(b, u->name);
		const char *op = townorg_entity_parent_id(old);
		if (!rc && strcmp(op ? op : "", u->parent))
			rep->moved++, rc = townorg_entity_builder_set_parent(b, parent);
	}
	if (rc < 0) {
		townorg_entity_builder_free(b); /* a setter failed (no memory): the builder is ours */
		return townorg__err(rc, "%s:%zu: %s", u->file, u->line, townorg_error_last());
	}
	rc = townorg_txn_put_builder(t, b);
	townorg_entity_builder_free(b);
	if (rc < 0)
		return townorg__err(rc, "%s:%zu: %s", u->file, u->line, townorg_error_last());
	return 0;
}

static int stem_key(townorg__buf *b, const char *parent, const char *name)
{
	townorg__buf_printf(b, "%s|%.*s", parent ? parent : "", (int)name_stem(name), name);
	townorg__buf_putc(b, 0);
	return b->failed ? townorg__oom() : 0;
}

static int cmp_depth(const void *a, const void *b)
{
	const townorg_entity *x = *(const townorg_entity *const *)a, *y = *(const townorg_entity *const *)b;
	int dx = depth((townorg_kind)x->kind), dy = depth((townorg_kind)y->kind);
	if (dx != dy)
		return dy - dx;
	return strcmp(townorg__entity_id(x), townorg__entity_id(y));
}

static int apply_edition(townorg_txn *t, const townorg_version *head, edition *e, townorg_realdata_edition *rep)
{
	int rc = 0;
	townorg__strmap stems = { 0 };
	char **owned = NULL; /* the stem keys */
	size_t n_owned = 0;
	const townorg_entity **gone = NULL;
	size_t n_gone = 0;

	/* 1. puts: new and changed units */
	for (size_t i = 0; i < e->n; i++) {
		const unit *u = unit_at(e, i);
		if (u->pseudo)
			continue;
		rep->entities++;
		const townorg_entity *old = townorg__hamt_get(&t->entities, &townorg__entity_trie, u->code);
		if (old && !replaced_kind((townorg_kind)old->kind)) {
			rc = townorg__err(TOWNORG_EINTEGRITY, _("%s:%zu: %s %s is listed as a %s, but the branch holds a %s with that id"),
					  u->file, u->line, u->code, u->name, townorg_kind_token(u->kind),
					  townorg_kind_token((townorg_kind)old->kind));
			goto out;
		}
		if (old && (townorg_kind)old->kind == u->kind && !strcmp(townorg_entity_name(old), u->name)) {
			const char *op = townorg_entity_parent_id(old);
			if (!strcmp(op ? op : "", u->parent))
				continue;
		}
		if ((rc = put_unit(t, u, old, rep)) < 0)
			goto out;
		if (!old) {
			rep->added++;
			if (townorg_kind_is_township_level(u->kind)) {
				townorg__buf k = { 0 };
				if ((rc = stem_key(&k, u->parent, u->name)) < 0)
					goto out;
				char **no = townorg__realloc(owned, (n_owned + 1) * sizeof *no);
				if (!no) {
					townorg__buf_free(&k);
					rc = townorg__oom();
					goto out;
				}
				owned = no;
				owned[n_owned++] = k.data;
				if (!townorg__strmap_get(&stems, k.data) &&
				    (rc = townorg__strmap_put(&stems, k.data, (void *)u)) < 0)
					goto out;
			}
		}
	}

	/* 2. removals: units of the four levels the edition no longer lists */
	if (head) {
		townorg__hamt_iter it;
		const townorg_entity *x;
		size_t cap = 0;
		townorg__hamt_iter_init(&it, &head->entities);
		while ((x = townorg__hamt_iter_next(&it))) {
			if (!replaced_kind((townorg_kind)x->kind))
				continue;
			const unit *u = townorg__strmap_get(&e->by_code, townorg__entity_id(x));
			if (u && !u->pseudo)
				continue;
			if (n_gone == cap) {
				cap = cap ? cap * 2 : 256;
				const townorg_entity **ng = townorg__realloc(gone, cap * sizeof *ng);
				if (!ng) {
					rc = townorg__oom();
					goto out;
				}
				gone = ng;
			}
			gone[n_gone++] = x;
		}
		if (n_gone) /* gone is NULL when nothing went */
			qsort(gone, n_gone, sizeof *gone, cmp_depth);
	}
	if (n_gone && (rc = townorg__txn_indexes(t)) < 0)
		goto out;
	for (size_t i = 0; i < n_gone; i++) {
		const char *id = townorg__entity_id(gone[i]);
		const townorg__childset *c = townorg__children_get(&t->children, id);
		if (c && c->n) {
			townorg__buf b = { 0 };
			for (size_t j = 0; j < c->n && j < 5; j++) {
				const townorg_entity *ch = townorg__child_at(&t->entities, c, j);
				townorg__buf_printf(&b, "%s%s %s (%s)", j ? ", " : "", townorg__entity_id(ch),
						    townorg_entity_name(ch), townorg_kind_token((townorg_kind)ch->kind));
			}
			townorg__buf_putc(&b, 0);
			rc = townorg__err(TOWNORG_EINTEGRITY,
					  _("%s: edition %s no longer lists %s %s (%s), but %zu entities still sit under it: %s%s"),
					  e->path, e->ystr, townorg_kind_token((townorg_kind)gone[i]->kind), id,
					  townorg_entity_name(gone[i]), (size_t)c->n, b.failed ? "" : b.data, c->n > 5 ? ", …" : "");
			townorg__buf_free(&b);
			goto out;
		}
		/* a township whose stem reappears in its county as another kind:
		 * one unit reclassified (撤乡设镇), not one removed and one added */
		bool pair = false;
		if (townorg_kind_is_township_level((townorg_kind)gone[i]->kind)) {
			townorg__buf k = { 0 };
			if ((rc = stem_key(&k, townorg_entity_parent_id(gone[i]), townorg_entity_name(gone[i]))) < 0)
				goto out;
			const unit *nu = townorg__strmap_get(&stems, k.data);
			if (nu && nu->kind != (townorg_kind)gone[i]->kind) {
				pair = true;
				townorg__strmap_del(&stems, k.data);
			}
			townorg__buf_free(&k);
		}
		if (pair) {
			rep->reclassified++;
			rep->added--;
		} else
			rep->removed++;
		if ((rc = townorg_txn_remove(t, id)) < 0)
			goto out;
	}
out:
	townorg__strmap_free(&stems);
	for (size_t i = 0; i < n_owned; i++)
		townorg__free(owned[i]);
	townorg__free(owned);
	townorg__free(gone);
	return rc;
}

/* ------------------------------------------------------------ the driver */

typedef struct {
	int year;
	char *path;
} source_ed;

static int cmp_source(const void *a, const void *b)
{
	return ((const source_ed *)a)->year - ((const source_ed *)b)->year;
}

/* 1 if dir holds a streets.csv, 0 if not, or TOWNORG_ENOMEM. */
static int has_streets(const char *dir)
{
	struct stat st;
	townorg__buf p = { 0 };
	townorg__buf_printf(&p, "%s/streets.csv", dir);
	townorg__buf_putc(&p, 0);
	if (p.failed) {
		townorg__buf_free(&p);
		return townorg__oom();
	}
	int ok = stat(p.data, &st) == 0 && S_ISREG(st.st_mode);
	townorg__buf_free(&p);
	return ok;
}

/* The year an edition folder's name ends with ("…/2019"), or 0. */
static int folder_year(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len < 4)
		return 0;
	const char *y = path + len - 4;
	for (int i = 0; i < 4; i++)
		if (y[i] < '0' || y[i] > '9')
			return 0;
	if (len > 4 && y[-1] >= '0' && y[-1] <= '9')
		return 0;
	return atoi(y);
}

static int list_editions(source_ed **out, size_t *count, const char *source)
{
	struct stat st;
	*out = NULL;
	*count = 0;
	if (stat(source, &st) != 0 || !S_ISDIR(st.st_mode))
		return townorg__err(TOWNORG_ENOTFOUND, _("%s: no such folder"), source);
	source_ed *v = NULL;
	size_t n = 0;
	int here = has_streets(source);
	if (here < 0)
		return here;
	if (here) {
		int year = folder_year(source);
		if (!year)
			return townorg__err(TOWNORG_EINVALID, _("%s: an edition folder's name must end in its year (YYYY)"),
					    source);
		if (!(v = townorg__calloc(1, sizeof *v)) || !(v->path = townorg__strdup(source))) {
			townorg__free(v);
			return townorg__oom();
		}
		v->year = year;
		*out = v;
		*count = 1;
		return 0;
	}
	DIR *d = opendir(source);
	if (!d)
		return townorg__err(TOWNORG_EIO, "%s: %s", source, strerror(errno));
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != 4 || !folder_year(de->d_name))
			continue;
		townorg__buf p = { 0 };
		townorg__buf_printf(&p, "%s/%s", source, de->d_name);
		townorg__buf_putc(&p, 0);
		if (p.failed) {
			rc = townorg__oom();
			break;
		}
		int has = has_streets(p.data);
		if (has <= 0) {
			townorg__buf_free(&p);
			if (has < 0) {
				rc = has;
				break;
			}
			continue;
		}
		source_ed *nv = townorg__realloc(v, (n + 1) * sizeof *nv);
		if (!nv) {
			townorg__buf_free(&p);
			rc = townorg__oom();
			break;
		}
		v = nv;
		v[n].year = atoi(de->d_name);
		v[n++].path = p.data;
	}
	closedir(d);
	if (!rc && !n)
		rc = townorg__err(TOWNORG_ENOTFOUND, _("%s: no NBS edition here (neither streets.csv nor YYYY/streets.csv)"),
				  source);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			townorg__free(v[i].path);
		townorg__free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_source);
	*out = v;
	*count = n;
	return 0;
}

static int cancelled(int rc)
{
	return rc < 0 ? townorg__err(rc, _("import cancelled by the progress callback"))
		      : townorg__err(TOWNORG_ERROR, _("import cancelled by the progress callback"));
}

static int progress(const townorg_nbs_import_options *o, townorg_realdata_stage stage, const char *path,
		    const char *ed, size_t cur, size_t total)
{
	if (!o->progress)
		return 0;
	townorg_realdata_progress p = { TOWNORG_REALDATA_PROGRESS_VERSION, stage, path, ed, cur, total };
	int rc = o->progress(&p, o->progress_payload);
	return rc ? cancelled(rc) : 0;
}

static int head_of(const townorg_version **out, townorg_repo *repo, const char *branch)
{
	int rc = townorg_repo_branch_head(out, repo, branch);
	if (rc == TOWNORG_ENOTFOUND) {
		townorg_error_clear();
		*out = NULL;
		return 0;
	}
	if (rc < 0)
		return rc;
	return *out ? townorg__version_ensure(*out) : 0;
}

/* One edition: checks against the head, then apply, events, commit, tag. */
static int import_edition(townorg_repo *repo, const char *branch, edition *e, const townorg_nbs_import_options *o,
			  townorg__mca *mca, townorg_realdata_edition *rep, const townorg_version **made,
			  size_t index, size_t total)
{
	const townorg_version *head, *tagged = NULL;
	char tag[16];
	int rc;
	*made = NULL;
	snprintf(tag, sizeof tag, "nbs-%d", e->year);
	if ((rc = head_of(&head, repo, branch)) < 0)
		return rc;
	rc = townorg_repo_tag_lookup(&tagged, repo, tag);
	if (rc < 0 && rc != TOWNORG_ENOTFOUND)
		return rc;
	townorg_error_clear();
	if (tagged) {
		int a = head ? townorg__version_is_ancestor(tagged, head) : 0;
		if (a < 0)
			return townorg__oom();
		if (a) {
			rep->skipped = 1;
			return (rep->version_id = townorg__strdup(tagged->id)) ? 0 : townorg__oom();
		}
		return townorg__err(TOWNORG_EEXISTS, _("%s: tag %s already names version %.12s, which is not on branch %s"),
				    e->path, tag, tagged->id, branch);
	}
	if (head && head->meta.effective_date && strcmp(e->cutoff, head->meta.effective_date) < 0)
		return townorg__err(TOWNORG_EINVALID,
				    _("%s: edition %d (cut-off %s) is older than the head of branch %s (effective %s); "
				    "editions must be imported in date order"),
				    e->path, e->year, e->cutoff, branch, head->meta.effective_date);
	if ((rc = progress(o, TOWNORG_REALDATA_READ_EDITION, e->path, e->ystr, index, total)) < 0)
		return rc;
	if ((rc = edition_read(e)) < 0)
		return rc;
	rep->townships = e->townships;
	townorg_txn *t;
	if ((rc = townorg_txn_new_on_branch(&t, repo, branch)) < 0)
		return rc;
	if ((rc = apply_edition(t, head, e, rep)) < 0)
		goto out;
	if (mca && (rc = townorg__mca_attach(mca, t, head, e->year, &rep->events)) < 0)
		goto out;
	char title[64], message[160];
	snprintf(title, sizeof title, "%d年统计用区划代码", e->year);
	snprintf(message, sizeof message,
		 "国家统计局%d年统计用区划代码（截至%s）: NBS township list, edition %d (cut-off %s)", e->year,
		 e->cutoff, e->year, e->cutoff);
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = e->cutoff;
	char recorded[24];
	snprintf(recorded, sizeof recorded, "%sT00:00:00Z", e->cutoff);
	m.recorded_at = o->recorded_at ? o->recorded_at : recorded; /* deterministic: the cut-off */
	m.author = o->author;
	m.doc_issuer = "国家统计局";
	m.doc_title = title;
	m.message = message;
	if ((rc = townorg_txn_set_meta(t, &m)) < 0)
		goto out;
	if ((rc = progress(o, TOWNORG_REALDATA_COMMIT_EDITION, e->path, e->ystr, index, total)) < 0)
		goto out;
	if ((rc = townorg_txn_commit(made, t)) < 0) {
		rc = townorg__err(rc, _("%s: edition %d: %s"), e->path, e->year, townorg_error_last());
		goto out;
	}
	if ((rc = townorg_repo_tag_create(repo, tag, *made)) < 0)
		goto out;
	if (!(rep->version_id = townorg__strdup((*made)->id)))
		rc = townorg__oom();
out:
	townorg_txn_free(t);
	return rc;
}

static char *dup0(const char *s) { return townorg__strdup(s ? s : ""); }

static int report_mca(townorg_realdata_report *r, townorg__mca *m, const townorg_version *first_prev,
		      const townorg_version *first, int last_year, const char *last_cutoff, size_t first_new)
{
	r->mca_rows = m->n_rows;
	size_t n = 0, a = 0;
	for (size_t i = 0; i < m->n_rows; i++) {
		n += !m->rows[i].matched;
		a += m->rows[i].matched && m->rows[i].at_year >= (int)first_new;
	}
	r->mca_matched = m->n_rows - n;
	if (!(r->tables = townorg__calloc(m->n_files ? m->n_files : 1, sizeof *r->tables)))
		return townorg__oom();
	for (size_t f = 0; f < m->n_files; f++) {
		townorg_realdata_table *t = &r->tables[r->n_tables++];
		if (!(t->file = townorg__strdup(m->files[f])))
			return townorg__oom();
		for (size_t i = 0; i < m->n_rows; i++) {
			const townorg__mca_row *row = &m->rows[i];
			if (row->file != m->files[f])
				continue;
			t->year = row->year;
			t->rows++;
			t->linked += row->matched;
			t->history += row->matched && row->history;
		}
	}
	if (a && !(r->attached = townorg__calloc(a, sizeof *r->attached)))
		return townorg__oom();
	for (size_t i = 0; i < m->n_rows && a; i++) {
		const townorg__mca_row *row = &m->rows[i];
		if (!row->matched || row->at_year < (int)first_new)
			continue;
		townorg_realdata_link *l = &r->attached[r->n_attached++];
		char ed[12];
		snprintf(ed, sizeof ed, "%d", row->at_year);
		l->line = row->line;
		l->table_year = row->year;
		l->history = row->history;
		l->how = row->how;
		l->file = dup0(row->file);
		l->edition = dup0(ed);
		l->from_id = dup0(row->from_id);
		l->to_id = dup0(row->to_id);
		if (!l->file || !l->edition || !l->from_id || !l->to_id)
			return townorg__oom();
	}
	if (!n)
		return 0;
	if (!(r->unmatched = townorg__calloc(n, sizeof *r->unmatched)))
		return townorg__oom();
	for (size_t i = 0; i < m->n_rows; i++) {
		const townorg__mca_row *row = &m->rows[i];
		if (row->matched)
			continue;
		townorg_realdata_unmatched *u = &r->unmatched[r->n_unmatched++];
		char buf[512];
		const char *code = "";
		u->line = row->line;
		u->table_year = row->year;
		u->file = dup0(row->file);
		u->old_code = dup0(row->old_code);
		u->old_name = dup0(row->old_name);
		u->reason = dup0(row->reason);
		u->new_code = dup0(row->new_code);
		u->new_name = dup0(row->new_name);
		u->documents = dup0(row->docs_raw);
		u->why = dup0(townorg__mca_why(row, first_prev, first, last_year, last_cutoff, buf, sizeof buf, &code));
		u->why_code = code; /* static */
		if (!u->file || !u->old_code || !u->old_name || !u->reason || !u->new_code || !u->new_name ||
		    !u->documents || !u->why)
			return townorg__oom();
	}
	return 0;
}

/* The editions already on the branch (tags nbs-YYYY naming the head or an
 * ancestor of it), oldest first: replay the linking of MCA rows on them, so
 * that rows they show are not attached again.  An edition that carries no
 * MCA event (imported without tables) is not replayed. */
static int replay_branch(townorg__mca *m, townorg_repo *repo, const townorg_version *head)
{
	if (!head)
		return 0;
	/* tag names in byte order: nbs-2016, nbs-2017, … oldest first */
	for (size_t k = 0; k < townorg_repo_tag_count(repo); k++) {
		const townorg_version *v = NULL;
		const char *tag = townorg_repo_tag_name(repo, k, &v);
		int rc;
		if (!tag || !v || strlen(tag) != 8 || strncmp(tag, "nbs-", 4) || !townorg__rd_digits(tag + 4, 4))
			continue;
		if (!townorg_version_is_ancestor(v, head))
			continue;
		/* an edition imported without MCA tables recorded no row: nothing
		 * to replay (its rows stay to be reported, not counted as linked) */
		bool has_mca = false;
		for (size_t i = 0; !has_mca && i < townorg_version_event_count(v); i++) {
			const townorg_event *ev = townorg_version_event(v, i);
			if (!ev)
				return townorg__oom();
			has_mca = ev->event_id && !strncmp(ev->event_id, "mca-", 4);
		}
		if (!has_mca)
			continue;
		const townorg_version *prev = townorg_version_parent_count(v) ? townorg_version_parent(v, 0) : NULL;
		if ((rc = townorg__mca_replay(m, v, prev, atoi(tag + 4))) < 0)
			return rc;
	}
	return 0;
}

int townorg_nbs_import(townorg_realdata_report **out, townorg_repo *repo, const char *source,
		       const townorg_nbs_import_options *opts)
{
	townorg_nbs_import_options defaults = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	const townorg_nbs_import_options *o = opts ? opts : &defaults;
	source_ed *eds = NULL;
	size_t n_eds = 0;
	townorg__mca mca = { 0 };
	townorg_realdata_report *rep = NULL;
	const char **cutoffs = NULL;
	bool have_mca = false, in_batch = false;
	int rc;
	if (out)
		*out = NULL;
	if (!repo || !source)
		return townorg__err(TOWNORG_EINVALID, _("townorg_nbs_import needs a repository and a source folder"));
	if (o->version != TOWNORG_NBS_IMPORT_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, _("import options of an unknown version %u"), o->version);
	const char *branch = o->branch ? o->branch : "main";
	if (!townorg__valid_ref_name(branch))
		return townorg__err(TOWNORG_EINVALID, _("'%s' is not a valid branch name"), branch);
	if (o->effective_date && (rc = townorg_date_check(o->effective_date)) < 0)
		return rc;
	if ((rc = list_editions(&eds, &n_eds, source)) < 0)
		return rc;
	if (o->effective_date && n_eds != 1) {
		rc = townorg__err(TOWNORG_EINVALID, _("an effective date can be given for one edition only, not %zu"), n_eds);
		goto out;
	}
	/* every edition needs its cut-off date before anything starts */
	if (!(cutoffs = townorg__calloc(n_eds, sizeof *cutoffs))) {
		rc = townorg__oom();
		goto out;
	}
	for (size_t i = 0; i < n_eds; i++) {
		for (size_t k = 0; k < sizeof editions_known / sizeof editions_known[0]; k++)
			if (editions_known[k].year == eds[i].year)
				cutoffs[i] = editions_known[k].cutoff;
		if (o->effective_date)
			cutoffs[i] = o->effective_date;
		if (!cutoffs[i]) {
			rc = townorg__err(TOWNORG_EINVALID,
					  _("%s: no cut-off date is known for edition %d; give one (effective_date)"),
					  eds[i].path, eds[i].year);
			goto out;
		}
	}
	if (!(rep = townorg__calloc(1, sizeof *rep)) || !(rep->editions = townorg__calloc(n_eds, sizeof *rep->editions))) {
		rc = townorg__oom();
		goto out;
	}
	if (o->mca_source) {
		have_mca = true;
		if ((rc = townorg__mca_read(&mca, o->mca_source, o->progress, o->progress_payload)) < 0)
			goto out;
	}
	const townorg_version *first_prev = NULL, *first = NULL;
	int first_year = 99999;
	if ((rc = head_of(&first_prev, repo, branch)) < 0)
		goto out;
	if (have_mca && (rc = replay_branch(&mca, repo, first_prev)) < 0)
		goto out;
	if ((rc = townorg__repo_batch_begin(repo)) < 0)
		goto out;
	in_batch = true;
	for (size_t i = 0; i < n_eds; i++) {
		edition e = { 0 };
		townorg_realdata_edition *re = &rep->editions[rep->n_editions++];
		e.year = eds[i].year;
		snprintf(e.ystr, sizeof e.ystr, "%d", e.year);
		e.cutoff = cutoffs[i];
		e.path = eds[i].path;
		char tag[16];
		snprintf(tag, sizeof tag, "nbs-%d", e.year);
		if (!(re->year = townorg__strdup(e.ystr)) || !(re->tag = townorg__strdup(tag)) ||
		    !(re->effective_date = townorg__strdup(e.cutoff)) || !(re->path = townorg__strdup(e.path))) {
			rc = townorg__oom();
			goto out;
		}
		const townorg_version *made = NULL, *before = NULL;
		if ((rc = head_of(&before, repo, branch)) < 0)
			goto out;
		rc = import_edition(repo, branch, &e, o, have_mca ? &mca : NULL, re, &made, i, n_eds);
		edition_clear(&e);
		if (rc < 0)
			goto out;
		if (made && !first) {
			first = made;
			first_prev = before;
			first_year = e.year;
		}
	}
	char last_year[12];
	snprintf(last_year, sizeof last_year, "%d", n_eds ? eds[n_eds - 1].year : 0);
	if ((rc = progress(o, TOWNORG_REALDATA_COMMIT_EDITION, source, last_year, n_eds, n_eds)) < 0)
		goto out;
	if (have_mca && (rc = report_mca(rep, &mca, first ? first_prev : NULL, first, eds[n_eds - 1].year,
					 cutoffs[n_eds - 1], first_year)) < 0)
		goto out;
	in_batch = false;
	rc = townorg__repo_batch_end(repo, true);
out:
	townorg__free(cutoffs);
	if (in_batch)
		townorg__repo_batch_end(repo, false);
	for (size_t i = 0; i < n_eds; i++)
		townorg__free(eds[i].path);
	townorg__free(eds);
	if (have_mca)
		townorg__mca_free(&mca);
	if (rc < 0 || !out)
		townorg_realdata_report_free(rep);
	else
		*out = rep;
	return rc;
}

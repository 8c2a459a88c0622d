/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * tables.c — importing the CSV table set (versions.csv, base.csv,
 * changes.csv, events.csv; docs/tables.md) as versions on a branch.
 *
 * Design
 * ------
 * Two phases, so that nothing is written before every file has been read:
 *
 *  1. Read.  versions.csv first (small: it decides the labels and lets a
 *     taken tag or a bad onto refuse the import before the big files are
 *     touched), then base.csv, cut in two at a line near 58 % of it when
 *     it is large and has no quotes before that line: the calling thread
 *     parses the first part while a second thread parses the second, then
 *     events.csv, then changes.csv (read_tables, read_more); that thread
 *     reads those two files into memory (and checks their encoding) while
 *     the calling thread reads base.csv.  Every row is
 *     checked cell by cell as it is parsed, and each entity row is turned
 *     straight into an entity value — one allocation, hashed at once — and
 *     filed under its version.  Strings that are not entities (delete ids,
 *     event ids, labels) go into an arena, so rows cost no mallocs of
 *     their own.
 *
 *  2. Apply.  The first version is put and committed while the second
 *     thread still reads changes.csv, which only the later versions need;
 *     errors are still reported as if every file had been read first (a
 *     reading error of any file before any error of applying; base.csv,
 *     then changes.csv, then events.csv).  On the national workload the
 *     two threads take the first commit from about 1.0 s to 0.8 s.  The
 *     later versions give the second thread, idle by then, their children
 *     index updates (townorg__txn_async_index).
 *     Inside a repository batch (townorg__repo_batch_begin/end),
 *     each version is one transaction on top of the previous one: base.csv
 *     puts every entity into an empty state (the first version's state is
 *     exactly base.csv, also when it continues `onto` another version),
 *     later versions put and remove their rows.  Events are attached, the
 *     metadata set, and the commit's integrity check runs; its message is
 *     given the file, line and version of the row it concerns.  Any error,
 *     or a progress callback that cancels, ends the batch with a rollback:
 *     every version added is dropped and every branch and tag restored.
 *
 * Why entities are not made with the public builder: a builder costs some
 * nine allocations per row (its strings, then the value), which at national
 * scale (630,000 entity rows) is most of the import.  make_entity() parses
 * the cells straight into the parts entity.c's townorg__entity_assemble
 * takes (the one place values are laid out and hashed), reusing one encoding
 * buffer; check_tables verifies that every imported entity has the hash the
 * builder gives it.
 *
 * Order: the rows of a version are applied sorted by id (the result does
 * not depend on the order).  Ids share their unit's prefix, so a unit's
 * children come right after it and the children index entry being grown
 * stays in cache; measured at 300 counties, the first version built 1.4
 * times faster than in file order and 2.6 times faster than in trie-hash
 * order.  The sort also puts rows with the same id next to each other,
 * which is how a duplicate id in base.csv, or (version, id) in
 * changes.csv, is found.  The generator's files are sorted already.
 */
#include "io/tables_internal.h"
#include "base/arena.h"
#include "core/repo_internal.h"
#include <stdio.h>
#include <stdlib.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

/* ------------------------------------------------------------------ state */

typedef struct {
	townorg_entity *e; /* upsert (owned reference), NULL for a delete */
	const char *id;    /* the entity's id, or the arena copy for a delete */
	uint32_t line;
} crow;

typedef struct {
	townorg_event_kind kind;
	const char *from, *to; /* arena; ';'-separated */
	uint32_t line;
} erow;

typedef struct {
	const char *label, *parent, *date, *doc; /* arena */
	uint32_t line;
	crow *rows;
	size_t n_rows, cap_rows;
	erow *evs;
	size_t n_evs, cap_evs;
	const townorg_version *v;
} vrow;

struct townorg_tables_report {
	size_t n;
	const townorg_version **versions;
	char **labels;
	size_t rows[TOWNORG_TABLES_FILE_COUNT];
	const char *encoding[TOWNORG_TABLES_FILE_COUNT];
	townorg__notes notes;
};

typedef struct imp imp;

/* What a thread reading tables owns: strings that outlive the read go into
 * its arena, entity encodings are made in its buffer. */
typedef struct {
	imp *im;
	townorg__arena ar;
	townorg__buf enc;
	townorg__notes notes;
	townorg__table_info info[2];
	int rc;
	char msg[1024]; /* its error, carried over to the calling thread */
	crow *rows;     /* base.csv rows of its part */
	size_t n_rows, cap_rows;
} reader;

/* What the second thread reads, in its order, and its results. */
enum { PART_BASE, PART_EVENTS, PART_CHANGES, PARTS };
typedef struct {
	int rc;
	char msg[1024];
	townorg__notes notes;
	townorg__table_info info;
} part;

struct imp {
	townorg_repo *repo;
	const townorg_tables_import_options *o;
	const char *branch, *tag_prefix;
	bool tags;
	reader rd[2]; /* [0] versions.csv and base.csv, [1] the rest (see read_tables) */
	pthread_t thread;
	bool thread_running;
	townorg__table_file base_file; /* while its second part is read */
	size_t base_split;             /* where that part starts; 0: none */
	bool base_ready;               /* under mu: base_file and base_split are set */
	/* the second thread's progress: the parts read so far (under mu) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int parts_done;
	part parts[PARTS];
	vrow *vs;
	size_t n_vs, cap_vs;
	townorg__strmap labels; /* label -> index + 1 */
	crow *base;
	size_t n_base, cap_base;
	townorg_tables_report *rep;
	const char *dir;
	const townorg_version *onto;
};


static const char *const versions_cols[] = { "version", "parent", "effective_date", "document_number", NULL };
/* The entity columns: the schema's CSV attributes, in order (core/schema.def). */
#define TOWNORG__IF_1(...) __VA_ARGS__
#define TOWNORG__IF_0(...)
#define TOWNORG_ATTR(n, t, f, csv, ...) TOWNORG__IF_##csv(#n, )
static const char *const base_cols[] = {
#include "core/schema.def"
	NULL,
};
static const char *const changes_cols[] = { "version", "op",
#include "core/schema.def"
	NULL,
};
#undef TOWNORG_ATTR
static const char *const events_cols[] = { "version", "kind", "from_ids", "to_id", NULL };

/* The integer columns after `class`, in file order, and their fields. */
static const townorg_field int_cols[7] = {
	TOWNORG_FIELD_POPULATION, TOWNORG_FIELD_AREA, TOWNORG_FIELD_REVENUE_PER_CAPITA, TOWNORG_FIELD_ADMIN_QUOTA,
	TOWNORG_FIELD_INST_QUOTA, TOWNORG_FIELD_LEADER_POSTS, TOWNORG_FIELD_ACTUAL_STAFF,
};

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *p = townorg__realloc(*arr, nc * size);
	if (!p)
		return townorg__oom();
	*arr = p;
	*cap = nc;
	return 0;
}

static vrow *find_version(imp *im, const char *label)
{
	uintptr_t i = (uintptr_t)townorg__strmap_get(&im->labels, label);
	return i ? &im->vs[i - 1] : NULL;
}

/* ------------------------------------------------------------------ cells */

/* An id: what check_id in entity.c accepts (UTF-8 was checked for the whole
 * file already). */
static int check_id_cell(const char *file, uint32_t line, const char *col, const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if (*p < 0x20 || *p == 0x7f || *p == ' ' || *p == ';' || *p == ',')
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s '%s' holds a space, ';', ',' or a control character"),
					    file, line, col, s);
	if (!n)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s is empty"), file, line, col);
	if (n > TOWNORG__MAX_ID)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s '%.40s…' is longer than %d bytes"), file, line, col, s,
				    TOWNORG__MAX_ID);
	return 0;
}

static int check_text_cell(const char *file, uint32_t line, const char *col, const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s holds a control character (0x%02X)"), file, line, col,
					    *p);
	*len = (size_t)(p - (const unsigned char *)s);
	if (*len > TOWNORG__MAX_NAME)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s is longer than %d bytes"), file, line, col, TOWNORG__MAX_NAME);
	return 0;
}

/* A non-negative whole number up to TOWNORG__MAX_NUMBER. */
static int parse_count(const char *file, uint32_t line, const char *col, const char *s, int64_t *out)
{
	const char *p = s;
	int64_t v = 0;
	if (*p == '-' && p[1] >= '0' && p[1] <= '9')
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s '%s' is negative"), file, line, col, s);
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > TOWNORG__MAX_NUMBER)
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s '%.40s' is too large (at most 10^15)"), file, line,
					    col, s);
	}
	if (p == s || *p)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s '%.40s' is not a whole number"), file, line, col, s);
	*out = v;
	return 0;
}

static int parse_kind(const char *file, uint32_t line, const char *s, townorg_kind *out)
{
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++) {
		const char *t = townorg_kind_token((townorg_kind)k);
		if (t[0] == s[0] && !strcmp(s, t)) {
			*out = (townorg_kind)k;
			return 0;
		}
	}
	if (!*s)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: kind is empty"), file, line);
	return townorg__err(TOWNORG_EPARSE, _("%s:%u: unknown kind '%.40s'"), file, line, s);
}

/*
 * The 12 entity cells (id … actual_staff) to an entity value, made by
 * townorg__entity_assemble (entity.c) from the parsed parts.
 */
static int make_entity(townorg__buf *enc, const char *file, uint32_t line, const char *const *c, bool heap,
		       townorg_entity **out)
{
	int rc;
	townorg_kind kind = TOWNORG_KIND_INVALID;
	townorg_class cls = TOWNORG_CLASS_NONE;
	int64_t ints[TOWNORG_FIELD_COUNT] = { 0 };
	uint16_t present = 0;
	size_t lname;
	const char *id = c[0], *parent = *c[1] ? c[1] : NULL, *name = c[3];
	if ((rc = check_id_cell(file, line, "id", id)) < 0)
		return rc;
	if (parent) {
		if ((rc = check_id_cell(file, line, "parent_id", parent)) < 0)
			return rc;
		if (!strcmp(parent, id))
			return townorg__err(TOWNORG_EINTEGRITY, _("%s:%u: entity %s cannot be its own parent"), file, line, id);
	}
	if ((rc = parse_kind(file, line, c[2], &kind)) < 0)
		return rc;
	if ((rc = check_text_cell(file, line, "name", name, &lname)) < 0)
		return rc;
	if (*c[4]) {
		int k;
		for (k = 1; k <= 3; k++)
			if (!strcmp(c[4], townorg_class_token((townorg_class)k)))
				break;
		if (k > 3)
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: unknown class '%.40s' (expected large, medium or small)"),
					    file, line, c[4]);
		cls = (townorg_class)k;
	}
	for (int i = 0; i < 7; i++) {
		const char *s = c[5 + i];
		townorg_field f = int_cols[i];
		if (!*s)
			continue;
		if (f == TOWNORG_FIELD_AREA) {
			if (townorg_area_parse(&ints[f], s) < 0)
				return townorg__err(TOWNORG_EPARSE, _("%s:%u: area_km2 '%.40s' is not a non-negative decimal with "
						    "at most one decimal place (or is too large)"), file, line, s);
		} else if ((rc = parse_count(file, line, townorg_field_token(f), s, &ints[f])) < 0) {
			return rc;
		}
		present |= (uint16_t)(1u << f);
	}
	if (strlen(id) + 1 + lname + 1 >= 0xffff)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: entity %s: strings too long"), file, line, id);
	return heap ? townorg__entity_assemble_heap(out, kind, cls, present, ints, id, name, parent, enc)
		    : townorg__entity_assemble(out, kind, cls, present, ints, id, name, parent, NULL, enc);
}

/* ------------------------------------------------------------------ rows */

static int on_version(void *ctx, const char *const *c, uint32_t line)
{
	reader *rd = ctx;
	imp *im = rd->im;
	int rc;
	const char *f = "versions.csv";
	size_t dummy;
	if ((rc = check_id_cell(f, line, "version", c[0])) < 0)
		return rc;
	vrow *dup = find_version(im, c[0]);
	if (dup)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: version '%s' appears twice (first at line %u)"), f, line, c[0],
				    dup->line);
	if (townorg_date_check(c[2]) < 0)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: effective_date '%.40s' is not a date (expected YYYY-MM-DD)"), f,
				    line, c[2]);
	if ((rc = check_text_cell(f, line, "document_number", c[3], &dummy)) < 0)
		return rc;
	if ((rc = grow((void **)&im->vs, &im->cap_vs, im->n_vs, sizeof *im->vs)) < 0)
		return rc;
	vrow *v = &im->vs[im->n_vs];
	memset(v, 0, sizeof *v);
	v->line = line;
	if (!(v->label = townorg__arena_strndup(&rd->ar, c[0], strlen(c[0]))) ||
	    !(v->parent = townorg__arena_strndup(&rd->ar, c[1], strlen(c[1]))) || !(v->date = townorg__arena_strndup(&rd->ar, c[2], 10)) ||
	    !(v->doc = townorg__arena_strndup(&rd->ar, c[3], strlen(c[3]))))
		return townorg__oom();
	if (townorg__strmap_put(&im->labels, v->label, (void *)(uintptr_t)(im->n_vs + 1)) < 0)
		return townorg__oom();
	im->n_vs++;
	return 0;
}

static int on_base(void *ctx, const char *const *c, uint32_t line)
{
	reader *rd = ctx;
	int rc;
	townorg_entity *e;
	if ((rc = grow((void **)&rd->rows, &rd->cap_rows, rd->n_rows, sizeof *rd->rows)) < 0)
		return rc;
	if ((rc = make_entity(&rd->enc, "base.csv", line, c, false, &e)) < 0)
		return rc;
	rd->rows[rd->n_rows++] = (crow){ e, townorg__entity_id(e), line };
	return 0;
}

static int row_version(imp *im, const char *file, uint32_t line, const char *label, vrow **out)
{
	*out = find_version(im, label);
	if (!*out)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: version '%.40s' is not in versions.csv"), file, line, label);
	return 0;
}

static int on_change(void *ctx, const char *const *c, uint32_t line)
{
	reader *rd = ctx;
	imp *im = rd->im;
	int rc;
	vrow *v;
	crow r = { NULL, NULL, line };
	const char *f = "changes.csv";
	if ((rc = row_version(im, f, line, c[0], &v)) < 0)
		return rc;
	if (v == &im->vs[0])
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: version '%s' is the first version: its state is base.csv"), f,
				    line, c[0]);
	if (!strcmp(c[1], "upsert")) {
		/* on the heap: apply_version settles it in the pool (a twin
		 * of the value it replaces, most often) */
		if ((rc = make_entity(&rd->enc, f, line, c + 2, true, &r.e)) < 0)
			return rc;
		r.id = townorg__entity_id(r.e);
	} else if (!strcmp(c[1], "delete")) {
		if ((rc = check_id_cell(f, line, "id", c[2])) < 0)
			return rc;
		if (!(r.id = townorg__arena_strndup(&rd->ar, c[2], strlen(c[2]))))
			return townorg__oom();
	} else {
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: unknown op '%.40s' (expected upsert or delete)"), f, line, c[1]);
	}
	if ((rc = grow((void **)&v->rows, &v->cap_rows, v->n_rows, sizeof *v->rows)) < 0) {
		townorg_entity_free(r.e);
		return rc;
	}
	v->rows[v->n_rows++] = r;
	return 0;
}

static int on_event(void *ctx, const char *const *c, uint32_t line)
{
	reader *rd = ctx;
	imp *im = rd->im;
	int rc;
	vrow *v;
	erow r = { TOWNORG_EVENT_INVALID, NULL, NULL, line };
	const char *f = "events.csv";
	if ((rc = row_version(im, f, line, c[0], &v)) < 0)
		return rc;
	if (townorg_event_kind_parse(&r.kind, c[1]) < 0)
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: unknown event kind '%.40s'"), f, line, c[1]);
	if (!*c[2] && !*c[3])
		return townorg__err(TOWNORG_EPARSE, _("%s:%u: the %s event names no entity (from_ids and to_id are empty)"),
				    f, line, c[1]);
	for (int i = 2; i <= 3; i++)
		for (const unsigned char *p = (const unsigned char *)c[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f || *p == ' ' || *p == ',')
				return townorg__err(TOWNORG_EPARSE, _("%s:%u: %s '%.40s' is not a ';'-separated list of ids"), f,
						    line, i == 2 ? "from_ids" : "to_id", c[i]);
	if (!(r.from = townorg__arena_strndup(&rd->ar, c[2], strlen(c[2]))) || !(r.to = townorg__arena_strndup(&rd->ar, c[3], strlen(c[3]))))
		return townorg__oom();
	if ((rc = grow((void **)&v->evs, &v->cap_evs, v->n_evs, sizeof *v->evs)) < 0)
		return rc;
	v->evs[v->n_evs++] = r;
	return 0;
}

/* The rows must form one line: each row's parent is the row before it. */
static int check_version_line(imp *im, const townorg_version *onto)
{
	const char *f = "versions.csv";
	if (!im->n_vs)
		return townorg__err(TOWNORG_EPARSE, _("%s: no versions (only a header)"), f);
	for (size_t i = 0; i < im->n_vs; i++) {
		vrow *v = &im->vs[i], *p = *v->parent ? find_version(im, v->parent) : NULL;
		if (i == 0 && *v->parent)
			return townorg__err(TOWNORG_EPARSE,
					    _("%s:%u: the first version '%s' has parent '%s'%s; the first row starts the "
					    "history (use onto to continue a branch)"),
					    f, v->line, v->label, v->parent,
					    p ? _(", which comes later: rows are out of order") : _(", which is not in the file"));
		if (i > 0 && !*v->parent)
			return townorg__err(TOWNORG_EPARSE,
					    _("%s:%u: version '%s' has no parent; only the first row may start the history"), f,
					    v->line, v->label);
		if (i > 0 && !p)
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: version '%s' has an unknown parent '%.40s'"), f, v->line,
					    v->label, v->parent);
		if (i > 0 && p != v - 1)
			return townorg__err(TOWNORG_EPARSE,
					    _("%s:%u: version '%s' has parent '%s' (line %u), not the row before it ('%s'): %s"),
					    f, v->line, v->label, v->parent, p->line, v[-1].label,
					    p > v ? "rows are out of order" : "the history must be one line");
		const char *pdate = i > 0 ? v[-1].date : onto ? onto->meta.effective_date : NULL;
		if (pdate && strcmp(v->date, pdate) < 0)
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: effective_date %s of version '%s' is before its parent's (%s)"),
					    f, v->line, v->date, v->label, pdate);
	}
	return 0;
}

static int check_tags(imp *im)
{
	if (!im->tags)
		return 0;
	for (size_t i = 0; i < im->n_vs; i++) {
		char name[512];
		const townorg_version *t;
		snprintf(name, sizeof name, "%s%s", im->tag_prefix, im->vs[i].label);
		if (!townorg__valid_ref_name(name))
			return townorg__err(TOWNORG_EPARSE, _("versions.csv:%u: '%s' is not a valid tag name"), im->vs[i].line,
					    name);
		if (townorg_repo_tag_lookup(&t, im->repo, name) == 0)
			return townorg__err(TOWNORG_EEXISTS, _("versions.csv:%u: tag '%s' already exists (version %.12s)"),
					    im->vs[i].line, name, t->id);
	}
	townorg_error_clear();
	return 0;
}

/* ------------------------------------------------------------------ apply */

static int join_reader(imp *im);
static int wait_part(imp *im, int which);
static int reader_error(imp *im, int rc);
static int progress(imp *im, const char *stage, size_t done, size_t total);

/* By id, then line: rows with the same id become neighbours. */
static int crow_cmp(const void *a, const void *b)
{
	const crow *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Sort rows by id (see "Order" above); a second row for an id is an error
 * naming both lines. */
static int sort_rows(crow *rows, size_t n, const char *file, const char *label)
{
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = strcmp(rows[i - 1].id, rows[i].id) < 0;
	if (!sorted && n)
		qsort(rows, n, sizeof *rows, crow_cmp);
	for (size_t i = 1; i < n && !sorted; i++)
		if (!strcmp(rows[i - 1].id, rows[i].id)) {
			if (!label)
				return townorg__err(TOWNORG_EPARSE, _("%s:%u: duplicate id '%s' (first at line %u)"), file,
						    rows[i].line, rows[i].id, rows[i - 1].line);
			return townorg__err(TOWNORG_EPARSE, _("%s:%u: (version %s, id %s) appears twice (first at line %u)"), file,
					    rows[i].line, label, rows[i].id, rows[i - 1].line);
		}
	return 0;
}

/* Give a commit's integrity message the file, line and version it is
 * about: the message names the entity ("entity ID ..."); find its row. */
static int commit_error(imp *im, size_t vi, int rc)
{
	char msg[1024];
	const char *last = townorg_error_last();
	snprintf(msg, sizeof msg, "%s", last ? last : townorg_error_name(rc));
	const char *file = vi == 0 ? "base.csv" : "changes.csv";
	uint32_t line = 0;
	const char *p = strstr(msg, "entity ");
	if (p) {
		char id[TOWNORG__MAX_ID + 1];
		size_t n = strcspn(p + 7, " :(");
		if (n <= TOWNORG__MAX_ID) {
			memcpy(id, p + 7, n);
			id[n] = 0;
			crow *rows = vi == 0 ? im->base : im->vs[vi].rows;
			size_t nr = vi == 0 ? im->n_base : im->vs[vi].n_rows;
			for (size_t i = 0; i < nr && !line; i++)
				if (!strcmp(rows[i].id, id))
					line = rows[i].line;
		}
	}
	if (line)
		return townorg__err(rc, _("%s:%u: version %s: %s"), file, line, im->vs[vi].label, msg);
	return townorg__err(rc, _("%s: version %s: %s"), file, im->vs[vi].label, msg);
}

static int cancelled(int cb)
{
	return townorg__err(cb < 0 ? cb : TOWNORG_ERROR, _("cancelled"));
}

/* Split a ';'-list in place into ids[]; empty parts are skipped.  Returns
 * the count, or SIZE_MAX when there are more than max. */
static size_t split_ids(char *s, const char **ids, size_t max)
{
	size_t n = 0;
	while (*s) {
		char *e = strchr(s, ';');
		if (e)
			*e = 0;
		if (*s) {
			if (n == max)
				return SIZE_MAX;
			ids[n++] = s;
		}
		if (!e)
			break;
		s = e + 1;
	}
	return n;
}

/* Attach the version's events.  Each row is used once, so its arena lists
 * are split in place. */
static const crow *find_row(const crow *rows, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rows[mid].id, id);
		if (!c)
			return &rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int add_events(const crow *rows, size_t n_rows, townorg_txn *txn, vrow *v, const townorg_version *parent)
{
	enum { MAXIDS = 1024 };
	const char *from[MAXIDS], *to[MAXIDS];
	for (size_t i = 0; i < v->n_evs; i++) {
		erow *r = &v->evs[i];
		townorg_event ev = TOWNORG_EVENT_INIT;
		ev.kind = r->kind;
		ev.from_ids = from;
		ev.to_ids = to;
		ev.from_count = split_ids((char *)r->from, from, MAXIDS);
		ev.to_count = split_ids((char *)r->to, to, MAXIDS);
		if (ev.from_count == SIZE_MAX || ev.to_count == SIZE_MAX)
			return townorg__err(TOWNORG_EPARSE, _("events.csv:%u: more than %d ids in one list"), r->line, MAXIDS);
		/* A rename of a unit whose kind changes in this version is a
		 * reclassification (撤乡设镇, 撤镇设街道). */
		if (ev.kind == TOWNORG_EVENT_RENAME && parent) {
			/* Only a unit upserted in this version can have changed its
			 * kind: find its row (rows are sorted by id) before looking
			 * in the parent's trie. */
			const char *id = ev.to_count ? to[0] : ev.from_count ? from[0] : NULL;
			const crow *row = id ? find_row(rows, n_rows, id) : NULL;
			const townorg_entity *a =
				row && row->e ? townorg__hamt_get(&parent->entities, &townorg__entity_trie, id) : NULL;
			if (a && a->kind != row->e->kind)
				ev.kind = TOWNORG_EVENT_RECLASSIFY;
		}
		int rc = townorg_txn_add_event(txn, &ev);
		if (rc < 0) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
			return townorg__err(rc == TOWNORG_ENOMEM ? rc : TOWNORG_EPARSE, _("events.csv:%u: %s"), r->line, msg);
		}
	}
	return 0;
}

static int apply_version(imp *im, size_t vi, const townorg_version *parent, const townorg_version **out)
{
	vrow *v = &im->vs[vi];
	townorg_txn *txn = NULL;
	bool reading = false; /* changes.csv may still be being read */
	int rc;
	if (vi == 0) {
		/* The first version's state is base.csv exactly: start empty, and
		 * give it the onto version as parent without its content. */
		if ((rc = townorg_txn_new(&txn, im->repo, NULL)) < 0)
			return rc;
		if (parent && (rc = townorg_txn_add_parent(txn, parent)) < 0)
			goto done;
		if ((rc = sort_rows(im->base, im->n_base, "base.csv", NULL)) < 0)
			goto done;
		townorg_entity **ents = townorg__malloc((im->n_base ? im->n_base : 1) * sizeof *ents);
		if (!ents) {
			rc = townorg__oom();
			goto done;
		}
		for (size_t i = 0; i < im->n_base; i++)
			ents[i] = im->base[i].e;
		rc = townorg__txn_put_all(txn, ents, im->n_base);
		townorg__free(ents);
		if (rc < 0)
			goto done;
		/* the events come from the second thread */
		if ((rc = wait_part(im, PART_EVENTS)) < 0)
			goto done;
		reading = true;
	} else {
		if ((rc = sort_rows(v->rows, v->n_rows, "changes.csv", v->label)) < 0)
			return rc;
		if ((rc = townorg_txn_new(&txn, im->repo, parent)) < 0)
			return rc;
		/* the children index on the second thread, idle by now */
		townorg__txn_async_index(txn);
		for (size_t i = 0; i < v->n_rows; i++) {
			crow *r = &v->rows[i];
			if (r->e && r->e->heap) {
				/* into the pool; a change of numbers only keeps its
				 * strings with the value it replaces (a twin:
				 * entity_internal.h) */
				const townorg_entity *prev =
					townorg__hamt_get(&txn->entities, &townorg__entity_trie, r->id);
				townorg_entity *st = townorg__entity_settle(r->e, prev);
				if (st) {
					townorg_entity_free(r->e);
					r->e = st;
					r->id = townorg__entity_id(st); /* it pointed into the old copy */
				}
			}
			if (r->e)
				rc = townorg_txn_put(txn, r->e);
			else if ((rc = townorg_txn_remove(txn, r->id)) == TOWNORG_ENOTFOUND)
				rc = townorg__err(TOWNORG_EPARSE, _("changes.csv:%u: delete of '%s', which is not in version %s"),
						  r->line, r->id, v[-1].label);
			if (rc < 0)
				goto done;
		}
	}
	if ((rc = add_events(vi ? v->rows : im->base, vi ? v->n_rows : im->n_base, txn, v, parent)) < 0)
		goto done;
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = v->date;
	m.doc_number = *v->doc ? v->doc : NULL;
	m.author = im->o->author;
	m.recorded_at = im->o->recorded_at;
	if ((rc = townorg_txn_set_meta(txn, &m)) < 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
		rc = townorg__err(rc, _("versions.csv:%u: %s"), v->line, msg);
		goto done;
	}
	rc = townorg_txn_commit(out, txn);
	if (rc == TOWNORG_EEXISTS) {
		/* The very same version (state, parents, metadata, events) is in
		 * the repository already, e.g. the same tables imported into a
		 * second branch within the same second: versions are content
		 * addressed, so it is reused rather than refused. */
		townorg_version *same = NULL;
		if (townorg_txn_preview(&same, txn) == 0 &&
		    townorg_repo_version_by_id(out, im->repo, townorg_version_id(same)) == 0) {
			townorg_error_clear();
			rc = 0;
		}
		townorg_version_free(same);
	}
	if (rc < 0)
		rc = commit_error(im, vi, rc);
done:
	/* A reading error of changes.csv comes before this version's errors
	 * (as when every file was read first); the file is needed from the
	 * next version on. */
	if (reading)
		rc = rc < 0 ? reader_error(im, rc) : join_reader(im);
	townorg_txn_free(txn);
	return rc;
}


static int apply_all(imp *im, const townorg_version *onto)
{
	int rc;
	const townorg_version *prev = onto, *head = NULL;
	for (size_t i = 0; i < im->n_vs; i++) {
		if ((rc = apply_version(im, i, prev, &im->vs[i].v)) < 0)
			return rc;
		prev = im->vs[i].v;
		if ((rc = progress(im, "versions", i + 1, im->n_vs)) < 0)
			return rc;
	}
	rc = townorg_repo_branch_head(&head, im->repo, im->branch);
	townorg_error_clear();
	rc = rc == 0 ? townorg_repo_branch_set(im->repo, im->branch, prev)
		     : townorg_repo_branch_create(im->repo, im->branch, prev);
	if (rc < 0)
		return rc;
	for (size_t i = 0; im->tags && i < im->n_vs; i++) {
		char name[512];
		snprintf(name, sizeof name, "%s%s", im->tag_prefix, im->vs[i].label);
		if ((rc = townorg_repo_tag_create(im->repo, name, im->vs[i].v)) < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ entry */

static void imp_free(imp *im)
{
	for (size_t i = 0; i < im->n_base; i++)
		townorg_entity_free(im->base[i].e);
	townorg__free(im->base);
	for (size_t i = 0; i < im->n_vs; i++) {
		for (size_t j = 0; j < im->vs[i].n_rows; j++)
			townorg_entity_free(im->vs[i].rows[j].e);
		townorg__free(im->vs[i].rows);
		townorg__free(im->vs[i].evs);
	}
	townorg__free(im->vs);
	townorg__strmap_free(&im->labels);
	for (int i = 0; i < PARTS; i++)
		townorg__notes_free(&im->parts[i].notes);
	townorg__table_file_free(&im->base_file);
	for (int i = 0; i < 2; i++) {
		for (size_t j = 0; j < im->rd[i].n_rows; j++)
			townorg_entity_free(im->rd[i].rows[j].e);
		townorg__free(im->rd[i].rows);
		townorg__buf_free(&im->rd[i].enc);
		townorg__arena_free(&im->rd[i].ar);
		townorg__notes_free(&im->rd[i].notes);
	}
}

void townorg_tables_report_free(townorg_tables_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		townorg__free(r->labels ? r->labels[i] : NULL);
	townorg__free(r->labels);
	townorg__free((void *)r->versions);
	townorg__notes_free(&r->notes);
	townorg__free(r);
}

static void part_done(imp *im, int which, int rc)
{
	part *p = &im->parts[which];
	p->rc = rc;
	if (rc < 0)
		snprintf(p->msg, sizeof p->msg, "%s", townorg_error_last() ? townorg_error_last() : "");
	pthread_mutex_lock(&im->mu);
	im->parts_done = which + 1;
	pthread_cond_broadcast(&im->cv);
	pthread_mutex_unlock(&im->mu);
}

/* Parse a file read earlier (f, or its reading error lrc with message
 * lmsg); frees f. */
static int parse_loaded(reader *rd, townorg__table_file *f, int lrc, const char *lmsg, const char *const *cols,
			townorg__row_fn fn, part *p)
{
	int rc = lrc < 0 ? townorg__err(lrc, "%s", lmsg)
			 : townorg__table_parse(f, f->skip, f->len, cols, fn, rd, &p->info, &p->notes);
	townorg__table_file_free(f);
	return rc;
}

/* The second thread: it reads events.csv and changes.csv into memory while
 * the calling thread reads base.csv; then it parses the second part of
 * base.csv (if it was cut), events.csv (the first version needs it) and
 * changes.csv. */
static void *read_more(void *arg)
{
	imp *im = arg;
	reader *rd = &im->rd[1];
	part *p = im->parts;
	townorg__table_file ef, cf;
	char emsg[1024] = "", cmsg[1024] = "";
	memset(&p[PART_EVENTS].info, 0, sizeof p[PART_EVENTS].info);
	memset(&p[PART_CHANGES].info, 0, sizeof p[PART_CHANGES].info);
	int erc = townorg__table_load(im->dir, "events.csv", &ef, &p[PART_EVENTS].notes);
	if (erc < 0)
		snprintf(emsg, sizeof emsg, "%s", townorg_error_last() ? townorg_error_last() : "");
	int crc = townorg__table_load(im->dir, "changes.csv", &cf, &p[PART_CHANGES].notes);
	if (crc < 0)
		snprintf(cmsg, sizeof cmsg, "%s", townorg_error_last() ? townorg_error_last() : "");
	pthread_mutex_lock(&im->mu);
	while (!im->base_ready)
		pthread_cond_wait(&im->cv, &im->mu);
	pthread_mutex_unlock(&im->mu);
	int rc = 0;
	if (im->base_split)
		rc = townorg__table_parse(&im->base_file, im->base_split, im->base_file.len, base_cols, on_base, rd,
					  &p[PART_BASE].info, &p[PART_BASE].notes);
	part_done(im, PART_BASE, rc);
	part_done(im, PART_EVENTS, parse_loaded(rd, &ef, erc, emsg, events_cols, on_event, &p[PART_EVENTS]));
	part_done(im, PART_CHANGES, parse_loaded(rd, &cf, crc, cmsg, changes_cols, on_change, &p[PART_CHANGES]));
	return NULL;
}

static int progress(imp *im, const char *stage, size_t done, size_t total)
{
	int rc;
	if (im->o->progress && (rc = im->o->progress(stage, done, total, im->o->progress_payload)))
		return cancelled(rc);
	return 0;
}

/* Wait until the second thread has read part `which` (and those before). */
static void wait_parts(imp *im, int which)
{
	pthread_mutex_lock(&im->mu);
	while (im->parts_done <= which)
		pthread_cond_wait(&im->cv, &im->mu);
	pthread_mutex_unlock(&im->mu);
}

/* The first error of the second thread's parts up to `which`, in the order
 * the files were always reported in (base.csv, changes.csv, events.csv). */
static int part_error(imp *im, int which)
{
	static const int order[] = { PART_BASE, PART_CHANGES, PART_EVENTS };
	for (int i = 0; i < PARTS; i++)
		if (order[i] <= which && im->parts[order[i]].rc < 0)
			return townorg__err(im->parts[order[i]].rc, "%s", im->parts[order[i]].msg);
	return 0;
}

/* Part `which` read, or the error to report: an error of a part the first
 * version needs is reported only once changes.csv is read too, so that
 * errors come in file order (all reading errors before any other). */
static int wait_part(imp *im, int which)
{
	wait_parts(im, which);
	for (int i = 0; i <= which; i++)
		if (im->parts[i].rc < 0) {
			wait_parts(im, PART_CHANGES);
			return part_error(im, PART_CHANGES);
		}
	return 0;
}

/* After the calling thread's error rc (its message set): the second
 * thread's error instead, if reading failed, which comes first. */
static int reader_error(imp *im, int rc)
{
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
	int r = join_reader(im);
	return r < 0 ? r : townorg__err(rc, "%s", msg);
}

/* Wait for the second thread; take over its results, or its error. */
static int join_reader(imp *im)
{
	int rc;
	if (!im->rd[1].im)
		return 0; /* already joined */
	if (im->thread_running) {
		pthread_join(im->thread, NULL);
		im->thread_running = false;
	}
	im->rd[1].im = NULL;
	if ((rc = part_error(im, PART_CHANGES)) < 0)
		return rc;
	im->rep->rows[TOWNORG_TABLES_CHANGES] = im->parts[PART_CHANGES].info.rows;
	im->rep->encoding[TOWNORG_TABLES_CHANGES] = im->parts[PART_CHANGES].info.encoding;
	im->rep->rows[TOWNORG_TABLES_EVENTS] = im->parts[PART_EVENTS].info.rows;
	im->rep->encoding[TOWNORG_TABLES_EVENTS] = im->parts[PART_EVENTS].info.encoding;
	for (int k = PART_CHANGES; k >= PART_EVENTS; k--)
		for (size_t i = 0; i < im->parts[k].notes.n; i++)
			if ((rc = townorg__notes_add(&im->rep->notes, "%s", im->parts[k].notes.v[i])) < 0)
				return rc;
	if ((rc = progress(im, "read", 3, TOWNORG_TABLES_FILE_COUNT)) < 0 ||
	    (rc = progress(im, "read", 4, TOWNORG_TABLES_FILE_COUNT)) < 0)
		return rc;
	return 0;
}

/*
 * versions.csv first: it names the versions the other files refer to, and
 * a bad line or a taken tag refuses the import before the big files are
 * read.  Then base.csv, cut in two parts when it is large (see
 * townorg__table_split): the first is read here while a second thread
 * reads the second part, then events.csv and changes.csv (they only add
 * rows to the versions, which base.csv does not touch; each thread has its
 * own arena, buffer and notes).  The first version is applied as soon as
 * base.csv and events.csv are read, while changes.csv still is.  If the
 * thread cannot be started, everything is read here.
 */
static int read_tables(imp *im)
{
	int rc;
	reader *r0 = &im->rd[0], *r1 = &im->rd[1];
	r0->im = r1->im = im;
	if ((rc = townorg__table_read(im->dir, "versions.csv", versions_cols, on_version, r0, &r0->info[0],
				      &im->rep->notes)) < 0)
		return rc;
	im->rep->rows[TOWNORG_TABLES_VERSIONS] = r0->info[0].rows;
	im->rep->encoding[TOWNORG_TABLES_VERSIONS] = r0->info[0].encoding;
	if ((rc = check_version_line(im, im->onto)) < 0 || (rc = check_tags(im)) < 0 ||
	    (rc = progress(im, "read", 1, TOWNORG_TABLES_FILE_COUNT)) < 0)
		return rc;
	im->thread_running = townorg__threads_allowed() && pthread_create(&im->thread, NULL, read_more, im) == 0;
	rc = townorg__table_load(im->dir, "base.csv", &im->base_file, &im->rep->notes);
	if (rc == 0 && im->thread_running)
		im->base_split = townorg__table_split(&im->base_file);
	pthread_mutex_lock(&im->mu);
	im->base_ready = true; /* (on an error too: the thread then reads on) */
	pthread_cond_broadcast(&im->cv);
	pthread_mutex_unlock(&im->mu);
	if (rc < 0)
		return rc;
	if (!im->thread_running)
		read_more(im);
	if ((rc = townorg__table_parse(&im->base_file, im->base_file.skip,
				       im->base_split ? im->base_split : im->base_file.len, base_cols, on_base, r0,
				       &r0->info[1], &im->rep->notes)) < 0)
		return rc;
	if ((rc = wait_part(im, PART_BASE)) < 0)
		return rc;
	townorg__table_file_free(&im->base_file);
	/* the two parts' rows, in file order */
	size_t n = r0->n_rows + r1->n_rows;
	if (r1->n_rows) {
		crow *all = townorg__realloc(r0->rows, n * sizeof *all);
		if (!all)
			return townorg__oom();
		memcpy(all + r0->n_rows, r1->rows, r1->n_rows * sizeof *all);
		r0->rows = NULL;
		r0->n_rows = r0->cap_rows = 0;
		townorg__free(r1->rows);
		r1->rows = NULL;
		r1->n_rows = r1->cap_rows = 0;
		im->base = all;
	} else {
		im->base = r0->rows;
		r0->rows = NULL;
		r0->n_rows = r0->cap_rows = 0;
	}
	im->n_base = im->cap_base = n;
	im->rep->rows[TOWNORG_TABLES_BASE] = r0->info[1].rows + im->parts[PART_BASE].info.rows;
	im->rep->encoding[TOWNORG_TABLES_BASE] = im->base_file.encoding;
	for (size_t i = 0; i < im->parts[PART_BASE].notes.n; i++)
		if ((rc = townorg__notes_add(&im->rep->notes, "%s", im->parts[PART_BASE].notes.v[i])) < 0)
			return rc;
	return progress(im, "read", 2, TOWNORG_TABLES_FILE_COUNT);
}

static int resolve_onto(imp *im, const townorg_version **onto)
{
	const townorg_version *head = NULL;
	int rc;
	*onto = NULL;
	rc = townorg_repo_branch_head(&head, im->repo, im->branch);
	if (rc < 0 && rc != TOWNORG_ENOTFOUND)
		return rc;
	townorg_error_clear();
	if (im->o->onto) {
		if ((rc = townorg_repo_lookup(onto, im->repo, im->o->onto)) < 0) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
			return townorg__err(rc, _("onto: %s"), msg);
		}
		if ((rc = townorg__version_ensure(*onto)) < 0)
			return rc;
	}
	if (head && !*onto)
		return townorg__err(TOWNORG_EINVALID,
				    _("branch '%s' already has versions (head %.12s): say which version the tables continue "
				    "(onto), or import into a new branch"),
				    im->branch, head->id);
	if (head && *onto != head)
		return townorg__err(TOWNORG_EINVALID,
				    _("onto '%s' (%.12s) is not the head of branch '%s' (%.12s): the import would fork the "
				    "branch; import into a new branch instead"),
				    im->o->onto, (*onto)->id, im->branch, head->id);
	return 0;
}

int townorg_tables_import(townorg_tables_report **report_out, townorg_repo *repo, const char *dir,
			  const townorg_tables_import_options *opts)
{
	static const townorg_tables_import_options defaults = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	imp im;
	int rc;
	bool in_batch = false;
	const townorg_version *onto = NULL;
	if (report_out)
		*report_out = NULL;
	if (!repo || !dir)
		return townorg__err(TOWNORG_EINVALID, _("tables import: repository and directory are required"));
	if (!opts)
		opts = &defaults;
	if (opts->version != TOWNORG_TABLES_IMPORT_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, _("tables import: options of an unknown version %u"), opts->version);
	if (repo->readonly)
		return townorg__err(TOWNORG_EREADONLY, _("the repository was opened read-only"));
	memset(&im, 0, sizeof im);
	pthread_mutex_init(&im.mu, NULL);
	pthread_cond_init(&im.cv, NULL);
	im.repo = repo;
	im.o = opts;
	im.branch = opts->branch ? opts->branch : "main";
	im.tag_prefix = opts->tag_prefix ? opts->tag_prefix : "v";
	im.tags = !(opts->flags & TOWNORG_TABLES_IMPORT_NO_TAGS);
	if (!townorg__valid_ref_name(im.branch))
		return townorg__err(TOWNORG_EINVALID, _("'%s' is not a valid branch name"), im.branch);
	if (im.tags && *im.tag_prefix && !townorg__valid_ref_name(im.tag_prefix))
		return townorg__err(TOWNORG_EINVALID, _("tag prefix '%s' cannot start a tag name"), im.tag_prefix);
	if (opts->recorded_at && strlen(opts->recorded_at) != 20)
		return townorg__err(TOWNORG_EINVALID, _("recorded_at '%s' is not a UTC timestamp YYYY-MM-DDTHH:MM:SSZ"),
				    opts->recorded_at);
	if (!(im.rep = townorg__calloc(1, sizeof *im.rep)))
		return townorg__oom();
	im.dir = dir;
	if ((rc = resolve_onto(&im, &onto)) < 0)
		goto done;
	im.onto = onto;
	if ((rc = read_tables(&im)) < 0)
		goto done;
	if ((rc = townorg__repo_batch_begin(repo)) < 0)
		goto done;
	in_batch = true;
	if ((rc = apply_all(&im, onto)) < 0)
		goto done;
	im.rep->versions = townorg__calloc(im.n_vs, sizeof *im.rep->versions);
	im.rep->labels = townorg__calloc(im.n_vs, sizeof *im.rep->labels);
	if (!im.rep->versions || !im.rep->labels) {
		rc = townorg__oom();
		goto done;
	}
	im.rep->n = im.n_vs;
	for (size_t i = 0; i < im.n_vs; i++) {
		im.rep->versions[i] = im.vs[i].v;
		if (!(im.rep->labels[i] = townorg__strdup(im.vs[i].label))) {
			rc = townorg__oom();
			goto done;
		}
	}
	in_batch = false;
	rc = townorg__repo_batch_end(repo, true);
done:
	if (in_batch) {
		/* keep the first error's message over anything the rollback says */
		char msg[1024];
		int code = townorg_error_last_code();
		snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
		townorg__repo_batch_end(repo, false);
		townorg__err(code ? code : rc, "%s", msg);
	}
	if (im.thread_running) {
		pthread_join(im.thread, NULL);
		im.thread_running = false;
	}
	imp_free(&im);
	pthread_mutex_destroy(&im.mu);
	pthread_cond_destroy(&im.cv);
	if (rc < 0 || !report_out)
		townorg_tables_report_free(im.rep);
	else
		*report_out = im.rep;
#ifdef HAVE_MALLOC_TRIM
	/* The rows, arenas and batches just freed leave holes in the heap that
	 * glibc keeps; give them back (about 8 MB of RSS after a national
	 * import, for about a millisecond). */
	malloc_trim(0);
#endif
	return rc;
}

/* ------------------------------------------------------------------ report */

size_t townorg_tables_report_version_count(const townorg_tables_report *r) { return r ? r->n : 0; }

const townorg_version *townorg_tables_report_version(const townorg_tables_report *r, size_t i, const char **label)
{
	if (!r || i >= r->n)
		return NULL;
	if (label)
		*label = r->labels[i];
	return r->versions[i];
}

size_t townorg_tables_report_rows(const townorg_tables_report *r, townorg_tables_file f)
{
	return r && (int)f >= 0 && (int)f < TOWNORG_TABLES_FILE_COUNT ? r->rows[f] : 0;
}

const char *townorg_tables_report_encoding(const townorg_tables_report *r, townorg_tables_file f)
{
	return r && (int)f >= 0 && (int)f < TOWNORG_TABLES_FILE_COUNT ? r->encoding[f] : NULL;
}

size_t townorg_tables_report_note_count(const townorg_tables_report *r) { return r ? r->notes.n : 0; }

const char *townorg_tables_report_note(const townorg_tables_report *r, size_t i)
{
	return r && i < r->notes.n ? r->notes.v[i] : NULL;
}

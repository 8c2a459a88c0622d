/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * tables_export.c — writing a stretch of a branch's first-parent line as
 * the CSV table set (docs/tables.md): base.csv is the first version's
 * whole state, changes.csv each later version's diff against the one
 * before it (the tries' hash-pruned diff, so a version costs what it
 * changed), versions.csv and events.csv their metadata and events.
 *
 * The output is written so that the generator's own files come back byte
 * for byte: base.csv in tree order (each top-level entity, then its
 * children depth-first, siblings by id, as the generator writes county,
 * township, organs), changes.csv sorted by version then id, and a
 * reclassify event written as the tables' `rename` when the unit's kind
 * changes in that version (which is how the import reads it back).
 *
 * Files are written under temporary names and renamed into place only when
 * all four are complete, so a failed export replaces nothing.
 */
#include "io/tables_internal.h"
#include "core/repo_internal.h"
#include "base/files_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { F_VERSIONS, F_BASE, F_CHANGES, F_EVENTS, F_N };
static const char *const out_names[F_N] = { "versions.csv", "base.csv", "changes.csv", "events.csv" };

typedef struct {
	FILE *f[F_N];
	char tmp[F_N][4200], final[F_N][4200];
	townorg__buf b[F_N];
	const townorg_tables_export_options *o;
} exp_state;

static int flush(exp_state *x, int f, bool force)
{
	townorg__buf *b = &x->b[f];
	if (b->failed)
		return townorg__oom();
	if (!force && b->len < (1u << 20))
		return 0;
	if (b->len && fwrite(b->data, 1, b->len, x->f[f]) != b->len)
		return townorg__err(TOWNORG_EIO, _("%s: write error: %s"), out_names[f], strerror(errno));
	b->len = 0;
	return 0;
}

/* RFC 4180: quote a cell holding a delimiter, quote or line break, or
 * spaces at either end (which CSV readers trim). */
static void put_cell(townorg__buf *b, const char *s)
{
	size_t n = strlen(s);
	bool q = n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
	for (size_t i = 0; i < n && !q; i++)
		q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!q) {
		townorg__buf_put(b, s, n);
		return;
	}
	townorg__buf_putc(b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			townorg__buf_putc(b, '"');
		townorg__buf_putc(b, *p);
	}
	townorg__buf_putc(b, '"');
}

static void put_int(townorg__buf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	char out[24];
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	townorg__buf_put(b, out, (size_t)n);
}

/* The 12 entity cells, comma-first (the caller wrote what comes before). */
static int put_entity(exp_state *x, townorg__buf *b, const townorg_entity *e)
{
	static const townorg_field cols[7] = {
		TOWNORG_FIELD_POPULATION, TOWNORG_FIELD_AREA, TOWNORG_FIELD_REVENUE_PER_CAPITA, TOWNORG_FIELD_ADMIN_QUOTA,
		TOWNORG_FIELD_INST_QUOTA, TOWNORG_FIELD_LEADER_POSTS, TOWNORG_FIELD_ACTUAL_STAFF,
	};
	if (!(x->o->flags & TOWNORG_TABLES_EXPORT_LOSSY)) {
		const char *what = NULL;
		if (e->present & (1u << TOWNORG_FIELD_CHIEF_POSTS))
			what = "chief_posts";
		else if (e->present & (1u << TOWNORG_FIELD_DEPUTY_POSTS))
			what = "deputy_posts";
		else if (townorg__entity_ext(e) && townorg__entity_ext(e)->n_xq)
			what = townorg__entity_ext(e)->xq[0].type;
		else if (townorg__entity_ext(e) && townorg__entity_ext(e)->n_attrs)
			what = townorg__entity_ext(e)->attrs[0].name;
		if (what)
			return townorg__err(TOWNORG_EINVALID,
					    _("entity %s: the tables have no column for '%s' (export lossy to leave "
					    "it out: townorg export --lossy, or TOWNORG_TABLES_EXPORT_LOSSY)"),
					    townorg_entity_id(e), what);
	}
	const char *pid = townorg_entity_parent_id(e);
	const char *cls = townorg_class_token(townorg_entity_class(e));
	put_cell(b, townorg_entity_id(e));
	townorg__buf_putc(b, ',');
	put_cell(b, pid ? pid : "");
	townorg__buf_putc(b, ',');
	townorg__buf_puts(b, townorg_kind_token(townorg_entity_kind(e)));
	townorg__buf_putc(b, ',');
	put_cell(b, townorg_entity_name(e));
	townorg__buf_putc(b, ',');
	townorg__buf_puts(b, cls ? cls : "");
	for (int i = 0; i < 7; i++) {
		int64_t v;
		townorg__buf_putc(b, ',');
		if (townorg_entity_int(e, cols[i], &v) < 0)
			continue;
		if (cols[i] == TOWNORG_FIELD_AREA) {
			char a[40];
			townorg_area_format(a, sizeof a, v);
			townorg__buf_puts(b, a);
		} else {
			put_int(b, v);
		}
	}
	townorg__buf_putc(b, '\n');
	return 0;
}

/* base.csv: depth-first from the top level, siblings in id order. */
static int put_tree(exp_state *x, const townorg_version *v, const char *parent, int depth, size_t *count)
{
	const townorg__childset *c = townorg__children_get(&v->children, parent);
	int rc;
	if (depth > 16)
		return townorg__err(TOWNORG_ECORRUPT, _("version %.12s: the tree is deeper than the kinds allow"), v->id);
	for (size_t i = 0; c && i < c->n; i++) {
		const townorg_entity *e = townorg__child_at(&v->entities, c, i);
		if ((rc = put_entity(x, &x->b[F_BASE], e)) < 0 || (rc = flush(x, F_BASE, false)) < 0)
			return rc;
		(*count)++;
		if ((rc = put_tree(x, v, townorg_entity_id(e), depth + 1, count)) < 0)
			return rc;
	}
	return 0;
}

typedef struct {
	const char *id;
	const townorg_entity *e; /* NULL: deleted */
} change;

typedef struct {
	change *v;
	size_t n, cap;
} changes;

static int on_diff(const void *a, const void *b, void *ctx)
{
	changes *c = ctx;
	if (c->n == c->cap && TOWNORG__GROW(c->v, c->cap, 1024) < 0)
		return TOWNORG_ENOMEM;
	const townorg_entity *ea = a, *eb = b;
	c->v[c->n++] = (change){ townorg_entity_id(eb ? eb : ea), eb };
	return 0;
}

static int change_cmp(const void *a, const void *b)
{
	return strcmp(((const change *)a)->id, ((const change *)b)->id);
}

static void put_ids(townorg__buf *b, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			townorg__buf_putc(b, ';');
		townorg__buf_puts(b, ids[i]);
	}
}

static int put_events(exp_state *x, const townorg_version *v, const char *label)
{
	townorg__buf *b = &x->b[F_EVENTS];
	const townorg_version *p = v->n_parents ? v->parents[0] : NULL;
	int rc;
	if (p && (rc = townorg__version_ensure(p)) < 0)
		return rc;
	townorg__event_iter it;
	townorg_event e;
	const townorg_event *ev = &e;
	if ((rc = townorg__event_iter_init(&it, v)) < 0)
		return rc;
	while (townorg__event_iter_next(&it, &e)) {
		const char *kind = townorg_event_kind_token(ev->kind);
		if (ev->kind == TOWNORG_EVENT_RECLASSIFY && p) {
			const char *id = ev->to_count ? ev->to_ids[0] : ev->from_count ? ev->from_ids[0] : NULL;
			const townorg_entity *a = id ? townorg__hamt_get(&p->entities, &townorg__entity_trie, id) : NULL;
			const townorg_entity *c = id ? townorg__hamt_get(&v->entities, &townorg__entity_trie, id) : NULL;
			if (a && c && a->kind != c->kind)
				kind = "rename";
		}
		put_cell(b, label);
		townorg__buf_putc(b, ',');
		townorg__buf_puts(b, kind);
		townorg__buf_putc(b, ',');
		put_ids(b, ev->from_ids, ev->from_count);
		townorg__buf_putc(b, ',');
		put_ids(b, ev->to_ids, ev->to_count);
		townorg__buf_putc(b, '\n');
		if ((rc = flush(x, F_EVENTS, false)) < 0)
			break;
	}
	townorg__event_iter_end(&it);
	return rc < 0 ? rc : 0;
}

static int open_outputs(exp_state *x, const char *dir)
{
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return townorg__err(TOWNORG_EIO, _("cannot create directory %s: %s"), dir, strerror(errno));
	for (int f = 0; f < F_N; f++) {
		if ((size_t)snprintf(x->final[f], sizeof x->final[f], "%s/%s", dir, out_names[f]) >= sizeof x->final[f] ||
		    (size_t)snprintf(x->tmp[f], sizeof x->tmp[f], "%s/.%s.%ld.tmp", dir, out_names[f], (long)getpid()) >=
			    sizeof x->tmp[f])
			return townorg__err(TOWNORG_EINVALID, _("directory path too long"));
		if (townorg_output_path_check(x->final[f]) < 0)
			return TOWNORG_EINVALID;
		if (!(x->f[f] = fopen(x->tmp[f], "w")))
			return townorg__err(TOWNORG_EIO, _("%s: cannot create %s: %s"), out_names[f], x->tmp[f], strerror(errno));
	}
	townorg__buf_puts(&x->b[F_VERSIONS], "version,parent,effective_date,document_number\n");
	townorg__buf_puts(&x->b[F_BASE], "id,parent_id,kind,name,class,population,area_km2,revenue_per_capita,"
					 "admin_quota,inst_quota,leader_posts,actual_staff\n");
	townorg__buf_puts(&x->b[F_CHANGES], "version,op,id,parent_id,kind,name,class,population,area_km2,"
					    "revenue_per_capita,admin_quota,inst_quota,leader_posts,actual_staff\n");
	townorg__buf_puts(&x->b[F_EVENTS], "version,kind,from_ids,to_id\n");
	return 0;
}

static int close_outputs(exp_state *x, bool ok)
{
	int rc = 0;
	for (int f = 0; f < F_N; f++) {
		if (ok && rc == 0)
			rc = flush(x, f, true);
		/* on disk before the rename (lib/files.c does the same) */
		if (x->f[f] && ok && rc == 0 && (fflush(x->f[f]) != 0 || fsync(fileno(x->f[f])) != 0))
			rc = townorg__err(TOWNORG_EIO, _("%s: write error: %s"), out_names[f], strerror(errno));
		if (x->f[f] && fclose(x->f[f]) != 0 && ok && rc == 0)
			rc = townorg__err(TOWNORG_EIO, _("%s: write error: %s"), out_names[f], strerror(errno));
		x->f[f] = NULL;
		townorg__buf_free(&x->b[f]);
	}
	ok = ok && rc == 0;
	for (int f = 0; f < F_N; f++) {
		if (!x->tmp[f][0])
			continue;
		if (ok && rename(x->tmp[f], x->final[f]) < 0) {
			rc = townorg__err(TOWNORG_EIO, _("%s: cannot rename into place: %s"), out_names[f], strerror(errno));
			ok = false;
		}
		if (!ok)
			unlink(x->tmp[f]);
	}
	if (ok)
		(void)townorg__fsync_dir(x->final[0]);
	return rc;
}

static int export_line(exp_state *x, const townorg_version **line, size_t n)
{
	int rc;
	changes ch = { 0 };
	char label[32], plabel[32];
	for (size_t i = 0; i < n; i++) {
		const townorg_version *v = line[i];
		snprintf(label, sizeof label, "%zu", i);
		townorg__buf *vb = &x->b[F_VERSIONS];
		townorg__buf_puts(vb, label);
		townorg__buf_putc(vb, ',');
		if (i) {
			snprintf(plabel, sizeof plabel, "%zu", i - 1);
			townorg__buf_puts(vb, plabel);
		}
		townorg__buf_putc(vb, ',');
		townorg__buf_puts(vb, v->meta.effective_date ? v->meta.effective_date : "");
		townorg__buf_putc(vb, ',');
		put_cell(vb, v->meta.doc_number ? v->meta.doc_number : "");
		townorg__buf_putc(vb, '\n');
		if (i == 0) {
			size_t count = 0;
			if ((rc = put_tree(x, v, NULL, 0, &count)) < 0)
				goto done;
			if (count != v->entities.count) {
				rc = townorg__err(TOWNORG_ECORRUPT, _("version %.12s: %zu of %zu entities are not in the tree"), v->id,
						  v->entities.count - count, v->entities.count);
				goto done;
			}
		} else {
			ch.n = 0;
			rc = townorg__hamt_diff(&line[i - 1]->entities, &v->entities, &townorg__entity_trie, on_diff, &ch);
			if (rc) {
				rc = townorg__oom();
				goto done;
			}
			if (ch.n)
				qsort(ch.v, ch.n, sizeof *ch.v, change_cmp);
			townorg__buf *b = &x->b[F_CHANGES];
			for (size_t k = 0; k < ch.n; k++) {
				townorg__buf_puts(b, label);
				if (ch.v[k].e) {
					townorg__buf_puts(b, ",upsert,");
					if ((rc = put_entity(x, b, ch.v[k].e)) < 0)
						goto done;
				} else {
					townorg__buf_puts(b, ",delete,");
					put_cell(b, ch.v[k].id);
					townorg__buf_puts(b, ",,,,,,,,,,,\n");
				}
				if ((rc = flush(x, F_CHANGES, false)) < 0)
					goto done;
			}
		}
		if ((rc = put_events(x, v, label)) < 0)
			goto done;
		if (x->o->progress && (rc = x->o->progress("export", i + 1, n, x->o->progress_payload))) {
			rc = townorg__err(rc < 0 ? rc : TOWNORG_ERROR, _("cancelled"));
			goto done;
		}
	}
	rc = 0;
done:
	townorg__free(ch.v);
	return rc;
}

int townorg_tables_export(const townorg_repo *repo, const townorg_version *from, const townorg_version *to,
			  const char *dir, const townorg_tables_export_options *opts)
{
	static const townorg_tables_export_options defaults = TOWNORG_TABLES_EXPORT_OPTIONS_INIT;
	exp_state x;
	const townorg_version **line = NULL;
	size_t n = 0, cap = 0;
	int rc;
	if (!repo || !to || !dir)
		return townorg__err(TOWNORG_EINVALID, _("tables export: repository, version and directory are required"));
	if (!opts)
		opts = &defaults;
	if (opts->version != TOWNORG_TABLES_EXPORT_OPTIONS_VERSION)
		return townorg__err(TOWNORG_EINVALID, _("tables export: options of an unknown version %u"), opts->version);
	if (to->repo != repo || (from && from->repo != repo))
		return townorg__err(TOWNORG_EINVALID, _("tables export: the versions must belong to the repository"));
	/* the first-parent line from `to` back to `from` (or the root) */
	for (const townorg_version *v = to;; v = v->parents[0]) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			const townorg_version **nl = townorg__realloc((void *)line, cap * sizeof *nl);
			if (!nl) {
				townorg__free((void *)line);
				return townorg__oom();
			}
			line = nl;
		}
		line[n++] = v;
		if (v == from || !v->n_parents)
			break;
	}
	if (from && line[n - 1] != from) {
		townorg__free((void *)line);
		return townorg__err(TOWNORG_EINVALID, _("tables export: version %.12s is not on the first-parent line of %.12s"),
				    from->id, to->id);
	}
	for (size_t i = 0; i < n / 2; i++) {
		const townorg_version *t = line[i];
		line[i] = line[n - 1 - i];
		line[n - 1 - i] = t;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = townorg__version_ensure(line[i])) < 0) {
			townorg__free((void *)line);
			return rc;
		}
	memset(&x, 0, sizeof x);
	x.o = opts;
	rc = open_outputs(&x, dir);
	if (rc == 0)
		rc = export_line(&x, line, n);
	if (rc < 0) {
		/* keep the first error's message over what closing might say */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
		close_outputs(&x, false);
		townorg__err(rc, "%s", msg);
	} else {
		rc = close_outputs(&x, true);
	}
	townorg__free((void *)line);
	return rc;
}

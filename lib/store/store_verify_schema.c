/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * store_verify_schema.c — verify's checks of what the hashes do not cover:
 * the schema (tables, their columns, indexes and the append-only
 * triggers) and the informative columns version.depth and
 * version.n_entities (issue 23).
 *
 * The schema is compared with the one the library creates, as SQLite
 * itself understands both: the library's schema SQL is run in a private
 * in-memory database, and each object of the file (sqlite_master: table,
 * index, trigger, view) is compared with it by name, by its SQL text and,
 * for tables, column by column (PRAGMA table_info), so that the report
 * names the extra table, the added column or the dropped or altered
 * trigger.  The optional signed-head table (lib/sign.c) is part of the
 * expected schema when present.  A dropped trigger matters: it is what
 * refuses UPDATE and DELETE, and an administrator rolling history back
 * drops it first (docs/security.md).
 *
 * depth must be what the commit rule gives (0 for a root and every eighth
 * version along a first-parent line, else the first parent's depth + 1),
 * with a snapshot exactly where depth is 0 and a delta exactly where there
 * is a first parent; n_entities must be the number of entities of the
 * version as rebuilt from its delta or snapshot.
 */
#include "store/store_internal.h"
#include <stdio.h>
#include <stdlib.h>

static const char *sql_of(sqlite3 *db, const char *name, const char **type)
{
	sqlite3_stmt *st;
	static __thread char buf[2048];
	*type = NULL;
	if (sqlite3_prepare_v2(db, "SELECT type, sql FROM sqlite_master WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	static __thread char tbuf[16];
	const char *res = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0), *q = (const char *)sqlite3_column_text(st, 1);
		snprintf(tbuf, sizeof tbuf, "%s", t ? t : "?");
		*type = tbuf;
		snprintf(buf, sizeof buf, "%s", q ? q : "");
		res = buf;
	}
	sqlite3_finalize(st);
	return res;
}

/* Columns of a table, "name type notnull pk" each, joined by ','. */
static char *columns_of(sqlite3 *db, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	townorg__buf b = { 0 };
	snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 1), *t = (const char *)sqlite3_column_text(st, 2);
		townorg__buf_printf(&b, "%s%s %s %d %d", b.len ? "," : "", n ? n : "", t ? t : "", sqlite3_column_int(st, 3),
				    sqlite3_column_int(st, 5));
	}
	sqlite3_finalize(st);
	townorg__buf_putc(&b, 0);
	if (b.failed) {
		townorg__buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The first column name in `have` that is not in `want` (the column list
 * strings of columns_of), copied into out. */
static bool extra_column(const char *have, const char *want, char *out, size_t cap)
{
	const char *p = have;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *sp = memchr(p, ' ', n);
		size_t nl = sp ? (size_t)(sp - p) : n;
		bool found = false;
		for (const char *q = want; q && *q;) {
			const char *qe = strchr(q, ',');
			const char *qs = strchr(q, ' ');
			size_t ql = qs && (!qe || qs < qe) ? (size_t)(qs - q) : qe ? (size_t)(qe - q) : strlen(q);
			if (ql == nl && !memcmp(q, p, nl))
				found = true;
			q = qe ? qe + 1 : NULL;
		}
		if (!found) {
			snprintf(out, cap, "%.*s", (int)nl, p);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

int townorg__verify_schema(townorg__store *s, struct townorg_verify_report *r, const char *schema_sql)
{
	sqlite3 *ref = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_exec(ref, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(ref, TOWNORG__STORE_SIGNED_SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlite3_errcode(ref) == SQLITE_NOMEM ? townorg__oom()
							     : townorg__err(TOWNORG_ERROR, _("cannot build the reference schema"));
		goto out;
	}
	/* every object of the file must be one of the library's, as it made it */
	if (sqlite3_prepare_v2(s->db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid", -1, &st, NULL) !=
	    SQLITE_OK) {
		townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "schema", _("the schema could not be read: %s"),
				    sqlite3_errmsg(s->db));
		goto out;
	}
	bool has_signed = false;
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
		const char *tbl = (const char *)sqlite3_column_text(st, 2), *sql = (const char *)sqlite3_column_text(st, 3);
		if (!type || !name)
			continue;
		if (!strcmp(name, "signed_head"))
			has_signed = true;
		const char *rtype, *rsql = sql_of(ref, name, &rtype);
		if (!rsql) {
			if (!strncmp(name, "sqlite_autoindex_", 17) && tbl) {
				const char *tt;
				if (sql_of(ref, tbl, &tt))
					continue; /* an index SQLite made for a constraint */
			}
			townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("extra %s %s: not part of a townorg repository"), type,
					    name);
			continue;
		}
		if (strcmp(type, rtype)) {
			townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("%s is a %s where a townorg repository has a %s"), name,
					    type, rtype);
			continue;
		}
		if (!strcmp(type, "table")) {
			char *have = columns_of(s->db, name), *want = columns_of(ref, name), col[128];
			if (!have || !want)
				rc = townorg__oom();
			else if (extra_column(have, want, col, sizeof col))
				townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("table %s has an extra column %s"), name, col);
			else if (extra_column(want, have, col, sizeof col))
				townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("table %s lacks its column %s"), name, col);
			else if (strcmp(have, want) || strcmp(sql ? sql : "", rsql))
				townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("table %s differs from the townorg schema"), name);
			townorg__free(have);
			townorg__free(want);
			if (rc < 0)
				goto out;
		} else if (strcmp(sql ? sql : "", rsql)) {
			townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("%s %s was altered: %s"), type, name, sql ? sql : "");
		}
	}
	if (src != SQLITE_DONE)
		townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "schema", _("the schema could not be read to its end: %s"),
				    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	st = NULL;
	/* and every object of the library's must be in the file */
	if (sqlite3_prepare_v2(ref, "SELECT type, name, tbl_name FROM sqlite_master ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
		const char *tbl = (const char *)sqlite3_column_text(st, 2), *ft;
		if (!type || !name || !strncmp(name, "sqlite_autoindex_", 17))
			continue;
		if (tbl && !strcmp(tbl, "signed_head") && !has_signed)
			continue; /* optional: made by the first sign-head */
		if (sql_of(s->db, name, &ft))
			continue;
		if (!strcmp(type, "trigger"))
			townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name,
					    _("trigger %s is missing: table %s is no longer append-only (dropped to rewrite history?)"),
					    name, tbl ? tbl : "?");
		else
			townorg__verify_add(r, TOWNORG_VERIFY_SCHEMA, name, _("%s %s is missing"), type, name);
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(ref);
	return rc;
}

typedef struct {
	char id[65];
	int depth;
} vdepth;

int townorg__verify_version_rows(townorg__store *s, struct townorg_verify_report *r)
{
	sqlite3_stmt *st;
	townorg__strmap depths = { 0 };
	vdepth *all = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, src;
	cap = s->repo->n_versions;
	if (cap && !(all = townorg__malloc(cap * sizeof *all)))
		return townorg__oom();
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, depth, n_entities, delta IS NOT NULL, snapshot IS NOT NULL FROM version ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK) {
		townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "version",
				    _("depth and n_entities could not be checked: %s"), sqlite3_errmsg(s->db));
		townorg__free(all);
		return 0;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != TOWNORG__HASH_SIZE)
			continue; /* reported by the open */
		char id[65];
		townorg__hex(id, sqlite3_column_blob(st, 0), TOWNORG__HASH_SIZE);
		int64_t depth = sqlite3_column_int64(st, 1), count = sqlite3_column_int64(st, 2);
		bool has_delta = sqlite3_column_int(st, 3), has_snap = sqlite3_column_int(st, 4);
		townorg_version *v = townorg__strmap_get(&s->repo->by_id, id);
		if (!v)
			continue; /* a version the open could not read: reported */
		int want = 0;
		if (v->n_parents) {
			vdepth *pd = townorg__strmap_get(&depths, v->parents[0]->id);
			if (!pd)
				continue; /* parent unreadable: reported */
			want = pd->depth + 1 >= TOWNORG__STORE_SNAPSHOT_EVERY ? 0 : pd->depth + 1;
		}
		if (depth != want)
			townorg__verify_add(r, TOWNORG_VERIFY_VERSION, id, _("depth is %lld where the commit rule gives %d"),
					    (long long)depth, want);
		if (has_snap != (want == 0))
			townorg__verify_add(r, TOWNORG_VERIFY_VERSION, id, _("%s a snapshot where its depth is %d"),
					    has_snap ? _("has") : _("lacks"), want);
		if (has_delta != (v->n_parents > 0))
			townorg__verify_add(r, TOWNORG_VERIFY_VERSION, id, _("%s a delta where it has %zu parents"),
					    has_delta ? _("has") : _("lacks"), v->n_parents);
		if (__atomic_load_n(&v->loaded, __ATOMIC_ACQUIRE) && (uint64_t)count != (uint64_t)v->entities.count)
			townorg__verify_add(r, TOWNORG_VERIFY_VERSION, id, _("n_entities is %lld but the version has %zu entities"),
					    (long long)count, (size_t)v->entities.count);
		if (n == cap)
			continue; /* more rows than versions read: cannot be */
		vdepth *d = &all[n++];
		memcpy(d->id, id, 65);
		d->depth = want; /* a wrong depth is reported once, not again in its children */
		if (townorg__strmap_put(&depths, d->id, d) < 0) {
			rc = townorg__oom();
			break;
		}
	}
	if (rc == 0 && src != SQLITE_DONE)
		townorg__verify_add(r, TOWNORG_VERIFY_UNCHECKED, "version",
				    _("depth and n_entities were checked up to a row that could not be read: %s"),
				    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	townorg__strmap_free(&depths);
	townorg__free(all);
	return rc;
}

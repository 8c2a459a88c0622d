/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/suggest.c — "did you mean": the closest of a set of names to a word
 * that names nothing (a rule id, a field name, an entity id), by edit
 * distance (optimal string alignment: insertions, deletions, substitutions
 * and swaps of two neighbours, on bytes), and the error for an unknown
 * entity id, which suggests the closest id of the version.
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static size_t dist(const char *a, const char *b, size_t cap)
{
	size_t n = strlen(a), m = strlen(b);
	if ((n > m ? n - m : m - n) > cap || n > 64 || m > 64)
		return cap + 1;
	size_t d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[n][m];
}

/* How far a suggestion may be: 1 for short words, 2 from 4 bytes on. */
static size_t cap_for(const char *word) { return strlen(word) >= 4 ? 2 : 1; }

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t cap = cap_for(word), bd = cap + 1;
	for (size_t i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		size_t d = dist(word, cands[i], cap);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	return bd <= cap ? best : NULL;
}

int cli_entity_error(const townorg_version *v, const char *id)
{
	townorg_iterator *it = NULL;
	const townorg_entity *e, *best = NULL;
	size_t cap = cap_for(id), bd = cap + 1;
	if (townorg_iterator_new(&it, v) == 0) {
		while (townorg_iterator_next(&e, it) == 0) {
			size_t d = dist(id, townorg_entity_id(e), cap);
			if (d < bd || (d == bd && best && strcmp(townorg_entity_id(e), townorg_entity_id(best)) < 0)) {
				bd = d;
				best = e;
			}
		}
		townorg_iterator_free(it);
	}
	townorg_error_clear();
	if (best && bd <= cap)
		cli_warn(_("no entity '%s' in version %s (did you mean %s %s?)"), id, cli_short_id(v),
			townorg_entity_id(best), townorg_entity_name(best));
	else
		cli_warn(_("no entity '%s' in version %s"), id, cli_short_id(v));
	return EXIT_BAD;
}

/* Field names every entity may have (docs: townorg/diff.h). */
static const char *const known_fields[] = { "parent_id", "name", "kind", "class", "population", "area_km2",
					    "revenue_per_capita", "leader_posts", "actual_staff", "chief_posts",
					    "deputy_posts", "admin_quota", "inst_quota", "nameplates", "functions",
					    "funding", "nature", "rank", "regime", "supervisor", "colocated_with" };

static int has_attr(const townorg_version *v, const char *name)
{
	townorg_iterator *it = NULL;
	const townorg_entity *e;
	int found = 0;
	if (!v || townorg_iterator_new(&it, v) < 0) {
		townorg_error_clear();
		return 0;
	}
	while (!found && townorg_iterator_next(&e, it) == 0)
		for (size_t i = 0; !found && i < townorg_entity_attr_count(e); i++) {
			const char *an = NULL;
			int is_list;
			if (townorg_entity_attr_at(e, i, &an, &is_list) == 0 && an && !strcmp(an, name))
				found = 1;
		}
	townorg_iterator_free(it);
	townorg_error_clear();
	return found;
}

int cli_check_field(const townorg_version *a, const townorg_version *b, const char *field)
{
	size_t n = sizeof known_fields / sizeof known_fields[0], len = strlen(field);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(known_fields[i], field))
			return EXIT_OK;
	if (len > 6 && !strcmp(field + len - 6, "_quota"))
		return EXIT_OK; /* a quota type */
	if (has_attr(a, field) || has_attr(b, field))
		return EXIT_OK; /* an attribute some entity has */
	const char *near = cli_suggest(field, known_fields, n);
	if (near)
		return cli_usage_error(_("no field '%s' in either version (did you mean '%s'?)"), field, near);
	return cli_usage_error(_("no field '%s' in either version"), field);
}

/* diff_internal.h — what lib/diff.c shares with the renderers and with
 * lib/history.c (internal; never installed). */
#ifndef TOWNORG_DIFF_INTERNAL_H
#define TOWNORG_DIFF_INTERNAL_H

#include "core/repo_internal.h"
#include "townorg/diff.h"
#include "townorg/history.h"

/* Results keep their strings and arrays in an arena (base/arena.h). */
#include "base/arena.h"

/* The fields in which two entities differ, in field order (either side may
 * be NULL: then every field set on the other side is listed).  filter, if
 * nfilter > 0, keeps only the named fields.  Arrays and strings live in
 * the arena.  Returns 0 or TOWNORG_ENOMEM. */
int townorg__entity_fields_diff(townorg__arena *a, const townorg_entity *old_e, const townorg_entity *new_e,
				const char *const *filter, size_t nfilter, townorg_diff_field **out, size_t *n);

/* 1 if the name is a field name townorg__entity_fields_diff can report. */
bool townorg__field_name_valid(const char *name);

/* Threads a wide diff may use: 2 (the default) or 1.  Tests compare the
 * two; not thread-safe to change while diffs run. */
void townorg__diff_set_threads(int n);

/* Leaf inspections made by the trie diff that built this diff: a
 * deterministic measure of its cost (tests prove O(k log n) with it). */
uint64_t townorg__diff_leaf_visits(const townorg_diff *d);

/* An entity as the JSON object of docs/format.md "Diff JSON" (a jansson
 * json_t *, returned as void * to keep jansson out of this header).
 * NULL on allocation failure. */
void *townorg__entity_json(const townorg_entity *e);

/* The lowest common ancestor walk: the versions that are ancestors of
 * `hi` (inclusive) and not of `lo` (NULL: the empty state), oldest first
 * (their events are the events between).  *out is townorg__malloc'd
 * (NULL when there are none). */
int townorg__versions_between(const townorg_version ***out, size_t *n, const townorg_version *lo,
			      const townorg_version *hi);

/* 1 if anc is v or an ancestor of v (v may be detached). */
/* 1, 0 or TOWNORG_ENOMEM (no message). */
int townorg__is_ancestor(const townorg_version *anc, const townorg_version *v);

#endif

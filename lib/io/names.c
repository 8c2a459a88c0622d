/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * names.c — what the NBS and MCA importers share about units: the kind a
 * 9-digit NBS code stands for, and the normal form of a unit's name
 * (trimmed, 街道办事处 and 街道办 folded to 街道).  Both importers call it; it
 * calls only the CSV helpers below it, so neither importer calls the other
 * for it.
 */
#include "io/realdata_internal.h"
#include <stdlib.h>

townorg_kind townorg_nbs_code_kind(const char *code)
{
	if (!code || !townorg__rd_digits(code, 9))
		return TOWNORG_KIND_INVALID;
	int t = atoi(code + 6);
	if (t == 0)
		return TOWNORG_KIND_TOWNSHIP_LIKE; /* e.g. 350527000 金门县, listed as its own placeholder unit */
	if (t < 100)
		return TOWNORG_KIND_SUBDISTRICT;
	if (t < 200)
		return TOWNORG_KIND_TOWN;
	if (t < 400)
		return TOWNORG_KIND_TOWNSHIP;
	return TOWNORG_KIND_TOWNSHIP_LIKE;
}

bool townorg__rd_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t k = strlen(suffix);
	return len >= k && !memcmp(s + len - k, suffix, k);
}

char *townorg__rd_norm_name(const char *name)
{
	char *s = townorg__strdup(name);
	if (!s)
		return NULL;
	townorg__rd_trim(s);
	size_t len = strlen(s);
	/* "东华门街道办事处" (to 2018) and "东华门街道" (from 2019) are one name */
	if (len > strlen("办事处") && townorg__rd_ends_with(s, len, "办事处"))
		s[len -= strlen("办事处")] = 0;
	/* "吴林街道办" (2018) is "吴林街道" (2019): 街道办 abbreviates 街道办事处 */
	if (len > strlen("街道办") && townorg__rd_ends_with(s, len, "街道办"))
		s[len - strlen("办")] = 0;
	return s;
}


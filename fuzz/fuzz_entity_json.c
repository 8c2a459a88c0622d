/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_entity_json.c — townorg_entity_from_json on arbitrary text.  What
 * parses must write back and parse again to an equal entity with the same
 * text. */
#include <stdlib.h>
#include <string.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *s = fz_cstr(data, len);
	townorg_entity *e = NULL, *e2 = NULL;
	int rc = townorg_entity_from_json(&e, s);
	if (rc != 0) {
		if (rc > 0 || e || !townorg_error_last())
			abort();
	} else {
		char *j, *j2;
		if (townorg_entity_to_json(&j, e) != 0 || townorg_entity_from_json(&e2, j) != 0 ||
		    !townorg_entity_equal(e, e2) || townorg_entity_to_json(&j2, e2) != 0 || strcmp(j, j2))
			abort();
		townorg_free(j);
		townorg_free(j2);
	}
	townorg_entity_free(e);
	townorg_entity_free(e2);
	free(s);
	return 0;
}

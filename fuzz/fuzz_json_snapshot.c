/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_json_snapshot.c — townorg_json_import_snapshot on arbitrary bytes,
 * onto a branch that already holds one version: a failed import leaves
 * that one version and the branch head as they were. */
#include <stdlib.h>
#include <string.h>
#include "townorg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static const char base[] = "{\"format\":\"townorg/1\",\"type\":\"snapshot\",\"entities\":["
			   "{\"id\":\"341023\",\"kind\":\"county\",\"name\":\"黟县\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	townorg_repo *r;
	const townorg_version *v0, *v, *head;
	townorg_meta m = TOWNORG_META_INIT;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.effective_date = "2000-01-01";
	if (townorg_repo_new(&r) != 0 || townorg_json_import_snapshot(&v0, r, "main", &m, base, strlen(base), NULL) != 0)
		abort();
	m.effective_date = NULL;
	int rc = townorg_json_import_snapshot(&v, r, "main", &m, (const char *)data, len, NULL);
	if (townorg_repo_branch_head(&head, r, "main") != 0)
		abort();
	if (rc != 0) {
		if (rc > 0 || !townorg_error_last() || townorg_repo_version_count(r) != 1 || head != v0)
			abort();
	} else {
		if (head != v || townorg_repo_version_count(r) != 2)
			abort();
		char *out;
		if (townorg_json_export_snapshot(&out, NULL, v, NULL) != 0)
			abort();
		townorg_free(out);
	}
	townorg_repo_free(r);
	return 0;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_json_repo.c — townorg_json_import_repo on arbitrary bytes.  A
 * failed import must leave the repository empty; a successful one must
 * export, and the export must import again to the same versions. */
#include <stdlib.h>
#include <string.h>
#include "townorg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	townorg_repo *r;
	if (townorg_repo_new(&r) != 0)
		abort();
	int rc = townorg_json_import_repo(r, (const char *)data, len, NULL);
	if (rc != 0) {
		if (rc > 0 || !townorg_error_last() || townorg_repo_version_count(r) || townorg_repo_branch_count(r) ||
		    townorg_repo_tag_count(r))
			abort();
	} else {
		char *out;
		size_t n;
		if (townorg_json_export_repo(&out, &n, r, NULL) != 0)
			abort();
		townorg_repo *r2;
		if (townorg_repo_new(&r2) != 0)
			abort();
		if (townorg_json_import_repo(r2, out, n, NULL) != 0 ||
		    townorg_repo_version_count(r2) != townorg_repo_version_count(r))
			abort();
		for (size_t i = 0; i < townorg_repo_version_count(r); i++)
			if (strcmp(townorg_version_id(townorg_repo_version_at(r, i)),
				   townorg_version_id(townorg_repo_version_at(r2, i))))
				abort();
		townorg_repo_free(r2);
		townorg_free(out);
	}
	townorg_repo_free(r);
	return 0;
}

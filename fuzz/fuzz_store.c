/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_store.c — opening a store file: the input written to a file, opened
 * read-only, every version's entities read, and the file verified.  Any
 * outcome but a crash, a leak or a positive code is acceptable. */
#include <stdio.h>
#include <stdlib.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/fuzz.townorg", fz_tmpdir());
	fz_write(path, data, len);
	townorg_repo *r = NULL;
	int rc = townorg_repo_open(&r, path, TOWNORG_OPEN_READONLY);
	if (rc > 0 || (rc < 0 && r))
		abort();
	if (rc == 0) {
		size_t n = townorg_repo_version_count(r);
		for (size_t i = 0; i < n && i < 8; i++) {
			const townorg_version *v = townorg_repo_version_at(r, i);
			const townorg_entity *e;
			townorg_iterator *it;
			if (townorg_iterator_new(&it, v) == 0) {
				while (townorg_iterator_next(&e, it) == 0)
					;
				townorg_iterator_free(it);
			}
			townorg_version_get(&e, v, "341023");
		}
		townorg_repo_free(r);
		townorg_verify_report *rep = NULL;
		rc = townorg_repo_verify(&rep, path, NULL, NULL);
		if (rc > 0 || (rc == 0 && !rep))
			abort();
		townorg_verify_report_free(rep);
	}
	/* SQLite may leave a journal beside a file it could not recover */
	char j[540];
	snprintf(j, sizeof j, "%s-journal", path);
	remove(j);
	snprintf(j, sizeof j, "%s-wal", path);
	remove(j);
	snprintf(j, sizeof j, "%s-shm", path);
	remove(j);
	return 0;
}

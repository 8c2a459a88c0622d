/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_mca.c — an MCA change table (the input, as sub-county-diff_2018.csv)
 * imported with the three NBS editions of tests/data/nbs.  A failed import
 * leaves the repository empty. */
#include <stdio.h>
#include <stdlib.h>
#include "townorg.h"
#include "fuzz_util.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char path[512];
	const char *src = getenv("TOWNORG_SRCDIR") ? getenv("TOWNORG_SRCDIR") : FUZZ_SRCDIR;
	char editions[512];
	snprintf(path, sizeof path, "%s/sub-county-diff_2018.csv", fz_tmpdir());
	snprintf(editions, sizeof editions, "%s/tests/data/nbs", src);
	fz_write(path, data, len);
	townorg_repo *r;
	if (townorg_repo_new(&r) != 0)
		abort();
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	o.recorded_at = "2024-01-01T00:00:00Z";
	o.mca_source = path;
	townorg_realdata_report *rep = NULL;
	int rc = townorg_nbs_import(&rep, r, editions, &o);
	if (rc == TOWNORG_ENOTFOUND && townorg_error_last() && strstr(townorg_error_last(), "tests/data/nbs")) {
		fprintf(stderr, "fuzz_mca: %s (set TOWNORG_SRCDIR)\n", townorg_error_last());
		abort();
	}
	if (rc != 0) {
		if (rc > 0 || rep || !townorg_error_last() || townorg_repo_version_count(r) || townorg_repo_tag_count(r))
			abort();
	} else if (townorg_realdata_report_mca_matched(rep) > townorg_realdata_report_mca_rows(rep)) {
		abort();
	}
	townorg_realdata_report_free(rep);
	townorg_repo_free(r);
	return 0;
}

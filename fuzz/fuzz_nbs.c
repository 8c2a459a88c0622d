/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_nbs.c — townorg_nbs_import on one NBS edition: the input holds
 * provinces.csv, cities.csv, areas.csv and streets.csv separated by lines
 * "%%" (fuzz_util.h), written to a folder named 2019.  A failed import
 * leaves the repository empty. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static const char *const names[] = { "provinces.csv", "cities.csv", "areas.csv", "streets.csv" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/2019", fz_tmpdir());
	mkdir(dir, 0700);
	fz_write_parts(dir, names, 4, data, len);
	townorg_repo *r;
	if (townorg_repo_new(&r) != 0)
		abort();
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	o.recorded_at = "2024-01-01T00:00:00Z";
	townorg_realdata_report *rep = NULL;
	int rc = townorg_nbs_import(&rep, r, dir, &o);
	if (rc != 0) {
		if (rc > 0 || rep || !townorg_error_last() || townorg_repo_version_count(r) || townorg_repo_tag_count(r))
			abort();
	}
	townorg_realdata_report_free(rep);
	townorg_repo_free(r);
	return 0;
}

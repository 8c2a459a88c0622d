/* fuzz_tables.c — townorg_tables_import on a table set: the input holds
 * versions.csv, base.csv, changes.csv and events.csv separated by lines
 * "%%" (fuzz_util.h), written to a temporary folder.  A failed import
 * leaves the repository empty. */
#include <stdlib.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static const char *const names[] = { "versions.csv", "base.csv", "changes.csv", "events.csv" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *dir = fz_tmpdir();
	fz_write_parts(dir, names, 4, data, len);
	townorg_repo *r;
	if (townorg_repo_new(&r) != 0)
		abort();
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	o.recorded_at = "2024-01-01T00:00:00Z";
	townorg_tables_report *rep = NULL;
	int rc = townorg_tables_import(&rep, r, dir, &o);
	if (rc != 0) {
		if (rc > 0 || rep || !townorg_error_last() || townorg_repo_version_count(r) || townorg_repo_tag_count(r))
			abort();
	} else if (townorg_tables_report_version_count(rep) != townorg_repo_version_count(r)) {
		abort();
	}
	townorg_tables_report_free(rep);
	townorg_repo_free(r);
	return 0;
}

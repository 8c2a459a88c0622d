/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_tables.c — townorg_tables_import on a table set: the input holds
 * versions.csv, base.csv, changes.csv and events.csv separated by lines
 * "%%" (fuzz_util.h), written to a temporary folder.  A failed import
 * leaves the repository empty.
 *
 * Differential: each input is imported twice, with the reader's fast path
 * for plain rows (lib/io/tables_read.c) and with libcsv parsing every row; the
 * two must agree on success or the error message, and on every version. */
#include <stdlib.h>
#include <string.h>
#include "townorg.h"
#include "townorg/tables.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
void townorg__tables_plain_rows(_Bool on); /* lib/io/tables_internal.h */

static const char *const names[] = { "versions.csv", "base.csv", "changes.csv", "events.csv" };

static int import(townorg_repo **r, char **err, const char *dir)
{
	if (townorg_repo_new(r) != 0)
		abort();
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	o.recorded_at = "2024-01-01T00:00:00Z";
	townorg_tables_report *rep = NULL;
	int rc = townorg_tables_import(&rep, *r, dir, &o);
	*err = NULL;
	if (rc != 0) {
		if (rc > 0 || rep || !townorg_error_last() || townorg_repo_version_count(*r) || townorg_repo_tag_count(*r))
			abort();
		*err = strdup(townorg_error_last());
	} else if (townorg_tables_report_version_count(rep) != townorg_repo_version_count(*r)) {
		abort();
	}
	townorg_tables_report_free(rep);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *dir = fz_tmpdir();
	fz_write_parts(dir, names, 4, data, len);
	townorg_repo *a, *b;
	char *ea, *eb;
	townorg__tables_plain_rows(1);
	int ra = import(&a, &ea, dir);
	townorg__tables_plain_rows(0);
	int rb = import(&b, &eb, dir);
	townorg__tables_plain_rows(1);
	if (ra != rb || (ea && strcmp(ea, eb)) || townorg_repo_version_count(a) != townorg_repo_version_count(b))
		abort();
	for (size_t i = 0; i < townorg_repo_version_count(a); i++)
		if (strcmp(townorg_version_id(townorg_repo_version_at(a, i)), townorg_version_id(townorg_repo_version_at(b, i))))
			abort();
	free(ea);
	free(eb);
	townorg_repo_free(a);
	townorg_repo_free(b);
	return 0;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_xlsx.c — the workbook reader and importer (lib/io/xlsx_read.c,
 * lib/io/xlsx_import.c) on arbitrary bytes.
 *
 * An input that starts with "PK" is taken as the .xlsx file itself.  Any
 * other input holds the XML parts, separated by lines "%%" (fuzz_util.h):
 * xl/workbook.xml, xl/_rels/workbook.xml.rels, xl/sharedStrings.xml,
 * xl/worksheets/sheet1.xml, xl/worksheets/sheet2.xml; they are zipped
 * (stored, so the fuzzer's mutations reach the XML rather than dying in
 * the deflate stream or the checksum) with a fixed _rels/.rels, an empty
 * part left out.  The workbook is read; every cell is visited; then it is
 * imported onto a branch holding one version: a failure must leave that
 * version the branch head and the repository as it was. */
#include <stdlib.h>
#include <string.h>
#include <minizip/zip.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static const char *const parts[] = { "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
				     "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml" };
static const char rels[] =
	"<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static void add(zipFile z, const char *name, const void *p, size_t n)
{
	if (zipOpenNewFileInZip(z, name, NULL, NULL, 0, NULL, 0, NULL, 0, 0) != ZIP_OK ||
	    (n && zipWriteInFileInZip(z, p, (unsigned)n) != ZIP_OK) || zipCloseFileInZip(z) != ZIP_OK)
		abort();
}

/* Zip the parts into a file and read it back. */
static char *zip_parts(const uint8_t *data, size_t len, size_t *out_len)
{
	const uint8_t *part[5];
	size_t plen[5];
	char path[128];
	fz_split(data, len, 5, part, plen);
	snprintf(path, sizeof path, "%s/w.xlsx", fz_tmpdir());
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	if (!z)
		abort();
	add(z, "_rels/.rels", rels, strlen(rels));
	for (int i = 0; i < 5; i++)
		if (plen[i])
			add(z, parts[i], part[i], plen[i]);
	if (zipClose(z, NULL) != ZIP_OK)
		abort();
	FILE *f = fopen(path, "rb");
	if (!f)
		abort();
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*out_len = (size_t)n;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *zipped = NULL;
	const void *book_data = data;
	size_t book_len = len;
	if (!(len >= 2 && data[0] == 'P' && data[1] == 'K')) {
		zipped = zip_parts(data, len, &book_len);
		book_data = zipped;
	}
	townorg_xlsx_book *b = NULL;
	int rc = townorg_xlsx_open_memory(&b, book_data, book_len, "fuzz.xlsx");
	free(zipped);
	if (rc != 0) {
		if (rc > 0 || b || !townorg_error_last())
			abort();
		return 0;
	}
	for (size_t s = 0; s < townorg_xlsx_sheet_count(b); s++) {
		if (!townorg_xlsx_sheet_name(b, s))
			abort();
		uint32_t prow = 0, pcol = 0;
		for (size_t i = 0; i < townorg_xlsx_cell_count(b, s); i++) {
			uint32_t row, col;
			const char *text;
			int num;
			char ref[16];
			if (townorg_xlsx_cell_at(b, s, i, &row, &col, &text, &num) != 0 || !text || !*text)
				abort();
			/* sorted, no cell twice */
			if (i && (row < prow || (row == prow && col <= pcol)))
				abort();
			prow = row;
			pcol = col;
			if (townorg_xlsx_cell_name(ref, sizeof ref, row, col) != 0)
				abort();
		}
	}
	townorg_repo *r;
	townorg_txn *t;
	townorg_entity_builder *eb;
	const townorg_version *v0, *v, *head;
	if (townorg_repo_new(&r) != 0 || townorg_txn_new_on_branch(&t, r, "main") != 0 ||
	    townorg_entity_builder_new(&eb, "341023", TOWNORG_KIND_COUNTY, "黟县", NULL) != 0 ||
	    townorg_txn_put_builder(t, eb) != 0)
		abort();
	townorg_meta m = TOWNORG_META_INIT;
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.effective_date = "2000-01-01";
	if (townorg_txn_set_meta(t, &m) != 0 || townorg_txn_commit(&v0, t) != 0)
		abort();
	townorg_txn_free(t);
	townorg_entity_builder_free(eb);
	townorg_xlsx_import_options o = TOWNORG_XLSX_IMPORT_OPTIONS_INIT;
	townorg_xlsx_report *rep = NULL;
	m.effective_date = NULL;
	o.meta = &m;
	o.with_events = len & 1;
	rc = townorg_import_xlsx_book(&v, &rep, r, b, &o);
	if (townorg_repo_branch_head(&head, r, "main") != 0)
		abort();
	if (rc != 0) {
		if (rc > 0 || rep || !townorg_error_last() || townorg_repo_version_count(r) != 1 || head != v0)
			abort();
	} else {
		if (!rep || head != v || townorg_repo_version_count(r) != 2 ||
		    townorg_xlsx_report_entity_count(rep) != townorg_version_entity_count(v))
			abort();
		for (size_t i = 0; i < townorg_xlsx_report_note_count(rep); i++)
			if (!townorg_xlsx_report_note(rep, i))
				abort();
	}
	townorg_xlsx_report_free(rep);
	townorg_repo_free(r);
	townorg_xlsx_close(b);
	return 0;
}

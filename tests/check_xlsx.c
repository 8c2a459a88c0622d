/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_xlsx.c — the 台账 workbook (include/townorg/xlsx.h): export and
 * import round trips on the bundled examples and the test fixtures, the
 * sheets and cells written, what Excel and WPS do to a workbook (ids and
 * dates retyped as numbers, shared strings, extra sheets and columns), and
 * bad workbooks (not a zip, no workbook, bad cells, missing columns,
 * duplicated ids), each leaving the repository unchanged.
 *
 * Hand-made workbooks are zipped here with minizip from a small notation:
 * a sheet is rows separated by '\n', cells by '|'; a cell "#123" is a
 * number cell, "$n" the n-th shared string, anything else an inline
 * string, and an empty cell is left out. */
#include <config.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/stat.h>
#include <minizip/zip.h>
#include "testutil.h"

#define EX TEST_SRCDIR "/examples/data/"

static townorg_repo *repo;
static char tmpdir[64];

static void setup(void)
{
	ck_assert_int_eq(townorg_repo_new(&repo), 0);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_xlsx.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	townorg_repo_free(repo);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *tmp(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

static const townorg_version *lookup(townorg_repo *r, const char *name)
{
	const townorg_version *v = NULL;
	OK(townorg_repo_lookup(&v, r, name));
	return v;
}

/* Import `path` into a fresh repository; return its new version's state
 * hash (static buffer). */
static const char *reimport(const char *path, townorg_xlsx_report **rep_out)
{
	static char hash[65];
	townorg_repo *r2;
	const townorg_version *v = NULL;
	townorg_xlsx_report *rep = NULL;
	OK(townorg_repo_new(&r2));
	OK(townorg_import_xlsx(&v, &rep, r2, path, NULL));
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(rep);
	snprintf(hash, sizeof hash, "%s", townorg_version_state_hash(v));
	if (rep_out)
		*rep_out = rep;
	else
		townorg_xlsx_report_free(rep);
	townorg_repo_free(r2);
	return hash;
}

/* ------------------------------------------------------------ reading helpers */

static size_t sheet_index(const townorg_xlsx_book *b, const char *name)
{
	for (size_t i = 0; i < townorg_xlsx_sheet_count(b); i++)
		if (strcmp(townorg_xlsx_sheet_name(b, i), name) == 0)
			return i;
	return SIZE_MAX;
}

/* The cell at row, col of a sheet (NULL when empty). */
static const char *cell(const townorg_xlsx_book *b, const char *sheet, uint32_t row, uint32_t col, int *number)
{
	size_t s = sheet_index(b, sheet);
	ck_assert_msg(s != SIZE_MAX, "no sheet %s", sheet);
	for (size_t i = 0; i < townorg_xlsx_cell_count(b, s); i++) {
		uint32_t r, c;
		const char *t;
		int num;
		OK(townorg_xlsx_cell_at(b, s, i, &r, &c, &t, &num));
		if (r == row && c == col) {
			if (number)
				*number = num;
			return t;
		}
	}
	return NULL;
}

/* The column of a header in row 0. */
static uint32_t column(const townorg_xlsx_book *b, const char *sheet, const char *header)
{
	for (uint32_t c = 0; c < 64; c++) {
		const char *t = cell(b, sheet, 0, c, NULL);
		if (t && strcmp(t, header) == 0)
			return c;
	}
	ck_abort_msg("sheet %s has no column %s", sheet, header);
	return 0;
}

/* The row whose column 0 is `id`. */
static uint32_t row_of(const townorg_xlsx_book *b, const char *sheet, uint32_t col, const char *id)
{
	for (uint32_t r = 1; r < 10000; r++) {
		const char *t = cell(b, sheet, r, col, NULL);
		if (t && strcmp(t, id) == 0)
			return r;
	}
	ck_abort_msg("sheet %s has no row %s", sheet, id);
	return 0;
}

/* ------------------------------------------------------------ round trips */

static void roundtrip_all_versions(townorg_repo *r)
{
	for (size_t i = 0; i < townorg_repo_version_count(r); i++) {
		const townorg_version *v = townorg_repo_version_at(r, i);
		OK(townorg_export_xlsx(v, tmp("v.xlsx"), NULL));
		ck_assert_str_eq(reimport(tmp("v.xlsx"), NULL), townorg_version_state_hash(v));
	}
}

START_TEST(roundtrip_yixian)
{
	OK(townorg_json_import_repo_file(repo, EX "yixian.json", NULL));
	roundtrip_all_versions(repo);
}
END_TEST

START_TEST(roundtrip_examples_and_fixtures)
{
	static const char *const files[] = { EX "yian.json", EX "district.json", TEST_SRCDIR "/tests/data/json/good/repo.json" };
	for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
		townorg_repo *r;
		OK(townorg_repo_new(&r));
		OK(townorg_json_import_repo_file(r, files[k], NULL));
		ck_assert_uint_gt(townorg_repo_version_count(r), 0);
		roundtrip_all_versions(r);
		townorg_repo_free(r);
	}
	/* the CSV table fixture, every version */
	townorg_repo *rt;
	townorg_tables_import_options to = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	to.recorded_at = "2024-01-01T00:00:00Z";
	OK(townorg_repo_new(&rt));
	OK(townorg_tables_import(NULL, rt, TEST_SRCDIR "/tests/data/tables/mini", &to));
	ck_assert_uint_gt(townorg_repo_version_count(rt), 1);
	roundtrip_all_versions(rt);
	townorg_repo_free(rt);
	/* the snapshot fixture */
	townorg_repo *r;
	const townorg_version *v;
	OK(townorg_repo_new(&r));
	OK(townorg_json_import_snapshot_file(&v, r, "main", NULL, TEST_SRCDIR "/tests/data/json/good/snapshot.json", NULL));
	OK(townorg_export_xlsx(v, tmp("s.xlsx"), NULL));
	ck_assert_str_eq(reimport(tmp("s.xlsx"), NULL), townorg_version_state_hash(v));
	townorg_repo_free(r);
}
END_TEST

/* An entity with every kind of attribute, ids that look like numbers. */
START_TEST(every_attribute)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	const townorg_version *v;
	OK(townorg_txn_new_on_branch(&t, repo, "main"));
	OK(townorg_entity_builder_new(&b, "341023", TOWNORG_KIND_COUNTY, "黟县", NULL));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 1234567890123LL));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_builder_new(&b, "341023100", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	OK(townorg_entity_builder_set_class(b, TOWNORG_CLASS_LARGE));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 1467));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_POPULATION, 21000));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_REVENUE_PER_CAPITA, 0));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_LEADER_POSTS, 9));
	OK(townorg_entity_builder_set_text(b, "code", "341023100000"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_builder_new(&b, "341023100-C1", TOWNORG_KIND_CENTER, "为民服务中心", "341023100"));
	OK(townorg_entity_builder_set_quota(b, "inst", 21));
	OK(townorg_entity_builder_set_quota(b, "admin", 0));
	OK(townorg_entity_builder_set_quota(b, "worker", 3));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_CHIEF_POSTS, 1));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_DEPUTY_POSTS, 2));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_ACTUAL_STAFF, 19));
	OK(townorg_entity_builder_set_int(b, TOWNORG_FIELD_AREA, 5));
	OK(townorg_entity_builder_set_text(b, "funding", "partial"));
	OK(townorg_entity_builder_set_text(b, "nature", "public_welfare"));
	OK(townorg_entity_builder_set_text(b, "regime", "department_led"));
	OK(townorg_entity_builder_set_text(b, "rank", "股级"));
	OK(townorg_entity_builder_set_text(b, "supervisor", "341023"));
	OK(townorg_entity_builder_set_text(b, "remark", "备注 文字"));
	OK(townorg_entity_builder_list_add(b, "functions", "农技推广"));
	OK(townorg_entity_builder_list_add(b, "functions", "计划生育服务"));
	OK(townorg_entity_builder_list_add(b, "nameplates", "计生所"));
	OK(townorg_entity_builder_list_add(b, "colocated_with", "341023100"));
	OK(townorg_entity_builder_list_add(b, "tags", "试点"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_entity_builder_new(&b, "341023100-001", TOWNORG_KIND_VILLAGE, "", "341023100"));
	OK(townorg_txn_put_builder(t, b));
	townorg_entity_builder_free(b);
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);

	OK(townorg_export_xlsx(v, tmp("all.xlsx"), NULL));
	ck_assert_str_eq(reimport(tmp("all.xlsx"), NULL), townorg_version_state_hash(v));

	townorg_xlsx_book *bk;
	int num = -1;
	OK(townorg_xlsx_open(&bk, tmp("all.xlsx")));
	ck_assert_uint_eq(townorg_xlsx_sheet_count(bk), 5); /* 说明 区划 乡镇 机构 村社区 */
	ck_assert_str_eq(townorg_xlsx_sheet_name(bk, 0), "说明");
	/* ids are text cells, never numbers */
	ck_assert_str_eq(cell(bk, "乡镇", 1, 0, &num), "341023100");
	ck_assert_int_eq(num, 0);
	ck_assert_str_eq(cell(bk, "乡镇", 1, column(bk, "乡镇", "类型"), NULL), "镇");
	ck_assert_str_eq(cell(bk, "乡镇", 1, column(bk, "乡镇", "类别"), NULL), "大");
	ck_assert_str_eq(cell(bk, "乡镇", 1, column(bk, "乡镇", "区域面积（平方公里）"), &num), "146.7");
	ck_assert_int_eq(num, 1);
	ck_assert_str_eq(cell(bk, "乡镇", 1, column(bk, "乡镇", "所辖人口"), &num), "21000");
	ck_assert_int_eq(num, 1);
	ck_assert_str_eq(cell(bk, "乡镇", 1, column(bk, "乡镇", "统计代码"), &num), "341023100000");
	ck_assert_int_eq(num, 0);
	const char *o = "机构";
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "经费形式"), NULL), "差额拨款");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "单位性质"), NULL), "公益性");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "管理体制"), NULL), "以条为主");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "职能"), NULL), "农技推广\n计划生育服务");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "编制：worker"), NULL), "3");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "属性：remark"), NULL), "备注 文字");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "列表：tags"), NULL), "试点");
	ck_assert_str_eq(cell(bk, o, 1, column(bk, o, "行政编制"), NULL), "0");
	/* no column that no entity of the sheet sets */
	for (uint32_t c = 0; c < 64; c++) {
		const char *h = cell(bk, "村社区", 0, c, NULL);
		ck_assert(!h || !strcmp(h, "编码") || !strcmp(h, "名称") || !strcmp(h, "类型") || !strcmp(h, "上级编码"));
	}
	townorg_xlsx_close(bk);
}
END_TEST

START_TEST(changes_rates_findings)
{
	OK(townorg_json_import_repo_file(repo, EX "yixian.json", NULL));
	townorg_policy *p;
	OK(townorg_policy_load(&p, TEST_SRCDIR "/policies/default.json"));
	townorg_xlsx_export_options o = TOWNORG_XLSX_EXPORT_OPTIONS_INIT;
	o.changes_since = lookup(repo, "2007-baseline");
	o.policy = p;
	const townorg_version *v = lookup(repo, "main");
	OK(townorg_export_xlsx(v, tmp("c.xlsx"), &o));
	townorg_policy_free(p);

	townorg_xlsx_book *b;
	OK(townorg_xlsx_open(&b, tmp("c.xlsx")));
	ck_assert_uint_ne(sheet_index(b, "变更表"), SIZE_MAX);
	/* 精简率: the county, 108 organs before and 52 after */
	uint32_t r = row_of(b, "精简率", 1, "341023");
	ck_assert_str_eq(cell(b, "精简率", r, 0, NULL), "县");
	ck_assert_str_eq(cell(b, "精简率", r, 3, NULL), "108");
	ck_assert_str_eq(cell(b, "精简率", r, 4, NULL), "52");
	double rate = strtod(cell(b, "精简率", r, 5, NULL), NULL);
	ck_assert(rate > 0.5185 && rate < 0.5186);
	r = row_of(b, "精简率", 1, "341023102");
	ck_assert_str_eq(cell(b, "精简率", r, 2, NULL), "渔亭镇");
	/* 变更表: Chinese field names and values */
	r = row_of(b, "变更表", 0, "341023100");
	ck_assert_str_eq(cell(b, "变更表", r, 3, NULL), "调整");
	/* 核查结果: 渔亭镇's leader posts */
	r = row_of(b, "核查结果", 0, "leaders.by-class");
	ck_assert_str_eq(cell(b, "核查结果", r, 1, NULL), "错误");
	ck_assert_str_eq(cell(b, "核查结果", r, 2, NULL), "341023102");
	ck_assert_str_eq(cell(b, "核查结果", r, 5, NULL), "7");
	ck_assert_str_eq(cell(b, "核查结果", r, 6, NULL), "5");
	townorg_xlsx_close(b);
	/* the derived sheets are skipped on import, silently */
	townorg_xlsx_report *rep;
	ck_assert_str_eq(reimport(tmp("c.xlsx"), &rep), townorg_version_state_hash(v));
	ck_assert_uint_eq(townorg_xlsx_report_note_count(rep), 0);
	ck_assert_uint_eq(townorg_xlsx_report_entity_count(rep), townorg_version_entity_count(v));
	townorg_xlsx_report_free(rep);
}
END_TEST

/* Imported onto a branch that has a head: the new version's state is the
 * workbook's (what the head has and the workbook lacks is removed), its
 * parent the head, its metadata from 说明, events only when asked. */
START_TEST(onto_branch_head)
{
	OK(townorg_json_import_repo_file(repo, EX "yixian.json", NULL));
	const townorg_version *after = lookup(repo, "2008-reform"), *before = lookup(repo, "2007-baseline");
	OK(townorg_export_xlsx(after, tmp("a.xlsx"), NULL));
	OK(townorg_repo_branch_create(repo, "plan", before));
	const townorg_version *v;
	townorg_xlsx_import_options o = TOWNORG_XLSX_IMPORT_OPTIONS_INIT;
	o.branch = "plan";
	OK(townorg_import_xlsx(&v, NULL, repo, tmp("a.xlsx"), &o));
	ck_assert_str_eq(townorg_version_state_hash(v), townorg_version_state_hash(after));
	ck_assert_ptr_eq(townorg_version_parent(v, 0), before);
	ck_assert_str_eq(townorg_version_meta(v)->effective_date, townorg_version_meta(after)->effective_date);
	ck_assert_str_eq(townorg_version_meta(v)->doc_number, townorg_version_meta(after)->doc_number);
	ck_assert_uint_eq(townorg_version_event_count(v), 0);
	/* with events, and metadata given by the caller winning */
	townorg_meta m = TOWNORG_META_INIT;
	m.doc_number = "黟编〔2009〕1号";
	o.meta = &m;
	o.with_events = 1;
	OK(townorg_import_xlsx(&v, NULL, repo, tmp("a.xlsx"), &o));
	ck_assert_str_eq(townorg_version_meta(v)->doc_number, "黟编〔2009〕1号");
	ck_assert_uint_eq(townorg_version_event_count(v), townorg_version_event_count(after));
	for (size_t i = 0; i < townorg_version_event_count(v); i++) {
		const townorg_event *a = townorg_version_event(v, i), *b = townorg_version_event(after, i);
		ck_assert_int_eq(a->kind, b->kind);
		ck_assert_uint_eq(a->from_count, b->from_count);
		ck_assert_uint_eq(a->to_count, b->to_count);
		ck_assert_str_eq(a->event_id, b->event_id);
	}
}
END_TEST

/* ------------------------------------------------------------ hand-made workbooks */

typedef struct {
	const char *name;
	const char *cells;
} msheet;

static void zput(zipFile z, const char *name, const char *data)
{
	ck_assert_int_eq(zipOpenNewFileInZip(z, name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, Z_DEFAULT_COMPRESSION),
			 ZIP_OK);
	ck_assert_int_eq(zipWriteInFileInZip(z, data, (unsigned)strlen(data)), ZIP_OK);
	ck_assert_int_eq(zipCloseFileInZip(z), ZIP_OK);
}

static void append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	*buf = realloc(*buf, *len + n + 1);
	ck_assert_ptr_nonnull(*buf);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

static void append_xml(char **buf, size_t *len, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c[2] = { s[i], 0 };
		append(buf, len, s[i] == '<' ? "&lt;" : s[i] == '&' ? "&amp;" : c);
	}
}

static char *sheet_xml(const char *cells)
{
	char *x = NULL;
	size_t len = 0;
	append(&x, &len, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/"
			 "spreadsheetml/2006/main\"><sheetData>");
	const char *p = cells;
	int row = 1;
	while (*p) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		char tag[64];
		snprintf(tag, sizeof tag, "<row r=\"%d\">", row);
		append(&x, &len, tag);
		int col = 0;
		const char *c = p;
		while (c <= eol) {
			const char *bar = memchr(c, '|', (size_t)(eol - c));
			const char *end = bar ? bar : eol;
			size_t n = (size_t)(end - c);
			if (n) {
				char ref[16];
				townorg_xlsx_cell_name(ref, sizeof ref, (uint32_t)row - 1, (uint32_t)col);
				if (c[0] == '#') {
					snprintf(tag, sizeof tag, "<c r=\"%s\"><v>", ref);
					append(&x, &len, tag);
					append_xml(&x, &len, c + 1, n - 1);
					append(&x, &len, "</v></c>");
				} else if (c[0] == '$') {
					snprintf(tag, sizeof tag, "<c r=\"%s\" t=\"s\"><v>", ref);
					append(&x, &len, tag);
					append_xml(&x, &len, c + 1, n - 1);
					append(&x, &len, "</v></c>");
				} else {
					snprintf(tag, sizeof tag, "<c r=\"%s\" t=\"inlineStr\"><is><t>", ref);
					append(&x, &len, tag);
					append_xml(&x, &len, c, n);
					append(&x, &len, "</t></is></c>");
				}
			}
			col++;
			if (!bar)
				break;
			c = bar + 1;
		}
		append(&x, &len, "</row>");
		row++;
		p = *eol ? eol + 1 : eol;
	}
	append(&x, &len, "</sheetData></worksheet>");
	return x;
}

/* Zip a workbook of the given sheets (and shared strings, or NULL). */
static void make_book(const char *path, const msheet *sheets, size_t n, const char *sst)
{
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	ck_assert_ptr_nonnull(z);
	zput(z, "[Content_Types].xml",
	     "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
	zput(z, "_rels/.rels",
	     "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	     "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	     "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
	char *wb = NULL, *rels = NULL;
	size_t wl = 0, rl = 0;
	append(&wb, &wl, "<?xml version=\"1.0\"?><x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
			 "main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><x:sheets>");
	append(&rels, &rl, "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
			   "relationships\">");
	for (size_t i = 0; i < n; i++) {
		char buf[512], part[64];
		snprintf(buf, sizeof buf, "<x:sheet name=\"%s\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", sheets[i].name, i + 1,
			 i + 1);
		append(&wb, &wl, buf);
		snprintf(buf, sizeof buf,
			 "<Relationship Id=\"rId%zu\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
			 "relationships/worksheet\" Target=\"worksheets/sheet%zu.xml\"/>",
			 i + 1, i + 1);
		append(&rels, &rl, buf);
		snprintf(part, sizeof part, "xl/worksheets/sheet%zu.xml", i + 1);
		char *x = sheet_xml(sheets[i].cells);
		zput(z, part, x);
		free(x);
	}
	if (sst) {
		append(&rels, &rl, "<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
				   "relationships/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>");
		zput(z, "xl/sharedStrings.xml", sst);
	}
	append(&wb, &wl, "</x:sheets></x:workbook>");
	append(&rels, &rl, "</Relationships>");
	zput(z, "xl/workbook.xml", wb);
	zput(z, "xl/_rels/workbook.xml.rels", rels);
	free(wb);
	free(rels);
	ck_assert_int_eq(zipClose(z, NULL), ZIP_OK);
}

static const char *const towns =
	"编码|名称|类型|上级编码|类别|区域面积（平方公里）|职能\n"
	"#341023|黟县|县\n"
	"#3.41023100E8|碧阳镇|镇|#341023|大|#146.69999999999999|农技推广\n"
	"#341023101|宏村镇| 镇 |341023 |中　|#96";

/* What Excel and WPS do: ids as numbers (3.41023100E8), areas with binary
 * noise, dates as serials, shared strings with runs and phonetics, an
 * office's extra sheet and column, headers with their own wording. */
START_TEST(excel_retyped)
{
	const char *sst = "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
			  "<si><t>生效日期</t></si><si><r><t>黟编〔2008〕</t></r><r><t>5号</t></r><rPh><t>ふりがな</t></rPh></si>"
			  "<si><t>文号</t></si></sst>";
	const msheet s[] = {
		{ "说明", "项目|内容\n$0|#39600\n$2|$1\n发文日期|2008年5月20日" },
		{ "乡镇", towns },
		{ "统计", "随便|什么\n#1|#2" },
		{ "机构表", "黟县乡镇机构编制台账（2008年）\n机构编码|单位名称|机构类型|所属编码|行政编制|备注\n"
			    "#341023100001|党政办|综合性办公室|#341023100|#10|x" },
	};
	make_book(tmp("e.xlsx"), s, 4, sst);
	const townorg_version *v;
	townorg_xlsx_report *rep;
	OK(townorg_import_xlsx(&v, &rep, repo, tmp("e.xlsx"), NULL));
	const townorg_entity *e;
	OK(townorg_version_get(&e, v, "341023100"));
	ck_assert_str_eq(townorg_entity_parent_id(e), "341023");
	int64_t area;
	OK(townorg_entity_int(e, TOWNORG_FIELD_AREA, &area));
	ck_assert_int_eq(area, 1467);
	ck_assert_int_eq(townorg_entity_class(e), TOWNORG_CLASS_LARGE);
	OK(townorg_version_get(&e, v, "341023101"));
	OK(townorg_entity_int(e, TOWNORG_FIELD_AREA, &area));
	ck_assert_int_eq(area, 960);
	OK(townorg_version_get(&e, v, "341023100001"));
	ck_assert_int_eq(townorg_entity_kind(e), TOWNORG_KIND_OFFICE);
	ck_assert_str_eq(townorg_entity_parent_id(e), "341023100");
	ck_assert_str_eq(townorg_version_meta(v)->effective_date, "2008-06-01");
	ck_assert_str_eq(townorg_version_meta(v)->doc_number, "黟编〔2008〕5号");
	ck_assert_str_eq(townorg_version_meta(v)->doc_date, "2008-05-20");
	ck_assert_uint_eq(townorg_xlsx_report_entity_count(rep), 4);
	/* notes: 统计 ignored, 机构表 read by its header (in row 2, below a
	 * title), 备注 ignored */
	ck_assert_uint_eq(townorg_xlsx_report_note_count(rep), 4);
	ck_assert_ptr_nonnull(strstr(townorg_xlsx_report_note(rep, 0), "统计"));
	ck_assert_ptr_nonnull(strstr(townorg_xlsx_report_note(rep, 1), "机构表"));
	ck_assert_ptr_nonnull(strstr(townorg_xlsx_report_note(rep, 2), "row 2"));
	ck_assert_ptr_nonnull(strstr(townorg_xlsx_report_note(rep, 3), "机构表!F2"));
	ck_assert_ptr_nonnull(strstr(townorg_xlsx_report_note(rep, 3), "备注"));
	townorg_xlsx_report_free(rep);
}
END_TEST

/* A bad workbook: the error code, a message naming the file and `where`,
 * and the repository untouched. */
static void bad(const char *path, int code, const char *where)
{
	size_t before = townorg_repo_version_count(repo);
	const townorg_version *v = (const townorg_version *)1;
	townorg_xlsx_report *rep = (townorg_xlsx_report *)1;
	int rc = townorg_import_xlsx(&v, &rep, repo, path, NULL);
	ck_assert_msg(rc == code, "%s: rc %d, wanted %d: %s", path, rc, code, townorg_error_last());
	ck_assert_ptr_null(v);
	ck_assert_ptr_null(rep);
	const char *m = townorg_error_last();
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(strstr(m, path) != NULL, "message '%s' does not name the file", m);
	ck_assert_msg(strstr(m, where) != NULL, "message '%s' does not name '%s'", m, where);
	ck_assert_uint_eq(townorg_repo_version_count(repo), before);
}

static void bad_sheet(const char *sheet, const char *cells, int code, const char *where)
{
	const msheet s[] = { { sheet, cells } };
	make_book(tmp("bad.xlsx"), s, 1, NULL);
	bad(tmp("bad.xlsx"), code, where);
}

START_TEST(bad_workbooks)
{
	/* a head, so that "unchanged" means something */
	OK(townorg_json_import_repo_file(repo, EX "yixian.json", NULL));
	bad(tmp("missing.xlsx"), TOWNORG_ENOTFOUND, "missing.xlsx");
	FILE *f = fopen(tmp("text.xlsx"), "w");
	fputs("编码,名称\n1,2\n", f);
	fclose(f);
	bad(tmp("text.xlsx"), TOWNORG_EPARSE, "not a workbook");
	/* a zip without a workbook */
	zipFile z = zipOpen(tmp("nowb.xlsx"), APPEND_STATUS_CREATE);
	zput(z, "hello.txt", "hello");
	zipClose(z, NULL);
	bad(tmp("nowb.xlsx"), TOWNORG_EPARSE, "without a workbook");
	/* a truncated workbook */
	townorg_export_xlsx(lookup(repo, "main"), tmp("good.xlsx"), NULL);
	struct stat st;
	ck_assert_int_eq(stat(tmp("good.xlsx"), &st), 0);
	ck_assert_int_eq(truncate(tmp("good.xlsx"), st.st_size / 2), 0);
	bad(tmp("good.xlsx"), TOWNORG_EPARSE, "good.xlsx");
	/* no entity sheet; a workbook of the CSV tables */
	bad_sheet("统计", "a|b\n#1|#2", TOWNORG_EPARSE, "no entity sheet");
	bad_sheet("versions", "version|parent|effective_date\n#0||2020-01-01", TOWNORG_EPARSE, "a workbook of CSV tables");
	/* bad cells */
	bad_sheet("乡镇", "编码|名称|类型\n341023|黟县|县\n341023100|碧阳镇|twon", TOWNORG_EPARSE, "乡镇!C3: unknown kind 'twon'");
	bad_sheet("乡镇", "编码|名称|类型|类别\n341023100|碧阳镇|镇|特大", TOWNORG_EPARSE, "乡镇!D2");
	bad_sheet("乡镇", "编码|名称|类型|行政编制\n341023100|碧阳镇|镇|-3", TOWNORG_EPARSE, "乡镇!D2");
	bad_sheet("乡镇", "编码|名称|类型|行政编制\n341023100|碧阳镇|镇|#2.5", TOWNORG_EPARSE, "乡镇!D2");
	bad_sheet("乡镇", "编码|名称|类型|区域面积\n341023100|碧阳镇|镇|#146.75", TOWNORG_EPARSE, "乡镇!D2");
	bad_sheet("机构", "编码|名称|类型|经费形式\nx1|站|站所|财政", TOWNORG_EPARSE, "机构!D2: unknown value '财政'");
	bad_sheet("机构", "编码|名称|类型\nx 1|站|站所", TOWNORG_EPARSE, "机构!A2");
	bad_sheet("乡镇", "编码|名称|类型\n|碧阳镇|镇", TOWNORG_EPARSE, "乡镇!A2");
	/* missing required column, twice the same column */
	bad_sheet("乡镇", "编码|名称\n341023100|碧阳镇", TOWNORG_EPARSE, "乡镇!A1");
	bad_sheet("乡镇", "编码|名称|类型|名称\n341023100|碧阳镇|镇|x", TOWNORG_EPARSE, "乡镇!D1");
	/* duplicated id, also across sheets and as a number */
	bad_sheet("乡镇", "编码|名称|类型\n341023100|碧阳镇|镇\n#341023100|宏村镇|镇", TOWNORG_EPARSE,
		  "乡镇!A3: id '341023100' appears twice (first at 乡镇!A2)");
	/* a structural rule: a parent that is not there */
	bad_sheet("乡镇", "编码|名称|类型|上级编码\n341023100|碧阳镇|镇|999", TOWNORG_EINTEGRITY, "341023100");
	/* a bad date in 说明 */
	const msheet s[] = { { "说明", "项目|内容\n生效日期|2008-13-45" }, { "乡镇", "编码|名称|类型\n1|x|镇" } };
	make_book(tmp("date.xlsx"), s, 2, NULL);
	bad(tmp("date.xlsx"), TOWNORG_EPARSE, "说明!B2");
	/* a shared string index out of range */
	bad_sheet("乡镇", "编码|名称|类型\n$7|x|镇", TOWNORG_EPARSE, "A2");
}
END_TEST

/* Bad arguments, and the output written by rename (no partial file and no
 * temporary left behind on failure). */
START_TEST(export_errors)
{
	OK(townorg_json_import_repo_file(repo, EX "yixian.json", NULL));
	const townorg_version *v = lookup(repo, "main");
	ck_assert_int_eq(townorg_export_xlsx(NULL, tmp("x.xlsx"), NULL), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_export_xlsx(v, NULL, NULL), TOWNORG_EINVALID);
	townorg_xlsx_export_options o = TOWNORG_XLSX_EXPORT_OPTIONS_INIT;
	o.version = 99;
	ck_assert_int_eq(townorg_export_xlsx(v, tmp("x.xlsx"), &o), TOWNORG_EINVALID);
	ck_assert_int_eq(townorg_export_xlsx(v, "/nonexistent-dir/x.xlsx", NULL), TOWNORG_EIO);
	ck_assert_ptr_nonnull(strstr(townorg_error_last(), "/nonexistent-dir/x.xlsx"));
	/* replacing a file: the new one is whole, and no temporary is left */
	FILE *f = fopen(tmp("x.xlsx"), "w");
	fputs("old", f);
	fclose(f);
	chmod(tmp("x.xlsx"), 0640);
	OK(townorg_export_xlsx(v, tmp("x.xlsx"), NULL));
	struct stat st;
	ck_assert_int_eq(stat(tmp("x.xlsx"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_str_eq(reimport(tmp("x.xlsx"), NULL), townorg_version_state_hash(v));
	char cmd[300];
	snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	/* the reader's accessors out of range */
	townorg_xlsx_book *b;
	OK(townorg_xlsx_open(&b, tmp("x.xlsx")));
	ck_assert_ptr_null(townorg_xlsx_sheet_name(b, 99));
	ck_assert_uint_eq(townorg_xlsx_cell_count(b, 99), 0);
	ck_assert_int_eq(townorg_xlsx_cell_at(b, 0, 1u << 30, NULL, NULL, NULL, NULL), TOWNORG_ENOTFOUND);
	townorg_xlsx_close(b);
	char ref[16];
	OK(townorg_xlsx_cell_name(ref, sizeof ref, 6, 2));
	ck_assert_str_eq(ref, "C7");
	OK(townorg_xlsx_cell_name(ref, sizeof ref, 0, 27));
	ck_assert_str_eq(ref, "AB1");
	OK(townorg_xlsx_cell_name(ref, sizeof ref, 1048575, 16383));
	ck_assert_str_eq(ref, "XFD1048576");
}
END_TEST

int main(void)
{
	if (!townorg_xlsx_available()) {
		printf("1..0 # SKIP built without workbook support\n");
		return 0; /* a visible skip under the TAP driver */
	}
	Suite *s = suite_create("xlsx");
	TCase *tc = tcase_create("xlsx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, roundtrip_yixian);
	tcase_add_test(tc, roundtrip_examples_and_fixtures);
	tcase_add_test(tc, every_attribute);
	tcase_add_test(tc, changes_rates_findings);
	tcase_add_test(tc, onto_branch_head);
	tcase_add_test(tc, excel_retyped);
	tcase_add_test(tc, bad_workbooks);
	tcase_add_test(tc, export_errors);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

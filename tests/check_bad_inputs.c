/* SPDX-License-Identifier: MulanPSL-2.0 */
/* check_bad_inputs.c — every file of the bad-input corpus tests/bad/ goes
 * through its loader (listed with the expected error code and a fragment
 * of the message in tests/bad/MANIFEST.tsv) and must give exactly that
 * code, a message holding the fragment (and naming the file where the
 * loader reads a file), no crash, and no change to the repository it was
 * loaded into — versions, branch heads, tags and state hashes — or to a
 * store file.  TOWNORG_BAD_PRINT=1 prints what each entry gives instead of
 * checking (for writing the manifest). */
#include <config.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "../fuzz/fuzz_util.h"

#define BAD TEST_SRCDIR "/tests/bad/"

typedef struct {
	char file[160], loader[24], code[24], fragment[200];
} entry;

static entry *entries;
static int n_entries;
static bool printing;

static const struct {
	const char *name;
	int code;
} codes[] = {
	{ "ERROR", TOWNORG_ERROR },	    { "ENOTFOUND", TOWNORG_ENOTFOUND }, { "EEXISTS", TOWNORG_EEXISTS },
	{ "EINVALID", TOWNORG_EINVALID },   { "ENOMEM", TOWNORG_ENOMEM },	{ "EIO", TOWNORG_EIO },
	{ "ECORRUPT", TOWNORG_ECORRUPT },   { "ECONFLICT", TOWNORG_ECONFLICT }, { "EPARSE", TOWNORG_EPARSE },
	{ "EINTEGRITY", TOWNORG_EINTEGRITY }, { "EAMBIGUOUS", TOWNORG_EAMBIGUOUS },
	{ "EREADONLY", TOWNORG_EREADONLY }, { "EBUSY", TOWNORG_EBUSY },	{ "EENCODING", TOWNORG_EENCODING },
};

static const char *code_name(int code)
{
	static char buf[32];
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		if (codes[i].code == code)
			return codes[i].name;
	snprintf(buf, sizeof buf, "%d", code);
	return buf;
}

static int code_of(const char *name)
{
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		if (!strcmp(codes[i].name, name))
			return codes[i].code;
	ck_abort_msg("manifest: unknown code %s", name);
	return 0;
}

static void read_manifest(void)
{
	FILE *f = fopen(BAD "MANIFEST.tsv", "r");
	if (!f) {
		perror(BAD "MANIFEST.tsv");
		exit(EXIT_FAILURE);
	}
	char line[1024];
	int cap = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (n_entries == cap) {
			cap = cap ? 2 * cap : 64;
			entries = realloc(entries, sizeof *entries * (size_t)cap);
		}
		entry *e = &entries[n_entries];
		memset(e, 0, sizeof *e);
		char *save, *field[4] = { 0 };
		int k = 0;
		for (char *t = strtok_r(line, "\t", &save); t && k < 4; t = strtok_r(NULL, "\t", &save))
			field[k++] = t;
		if (k < 3) {
			fprintf(stderr, "MANIFEST.tsv: bad line (%d fields)\n", k);
			exit(EXIT_FAILURE);
		}
		snprintf(e->file, sizeof e->file, "%s", field[0]);
		snprintf(e->loader, sizeof e->loader, "%s", field[1]);
		snprintf(e->code, sizeof e->code, "%s", field[2]);
		snprintf(e->fragment, sizeof e->fragment, "%s", field[3] ? field[3] : "");
		n_entries++;
	}
	fclose(f);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return s;
}

/* ------------------------------------------------------------ the repository */

static townorg_repo *repo;

static const townorg_version *commit_base(townorg_repo *r)
{
	townorg_txn *t;
	OK(townorg_txn_new_on_branch(&t, r, "main"));
	put(t, mk_organ("341023", TOWNORG_KIND_COUNTY, "黟县", NULL, 224, 169, -1));
	put(t, mk("341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023"));
	put(t, mk_organ("341023-001-01", TOWNORG_KIND_OFFICE, "碧阳镇党政办公室", "341023-001", 10, -1, 9));
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2008-06-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = "黟政〔2008〕12号";
	OK(townorg_txn_set_meta(t, &m));
	const townorg_version *v;
	OK(townorg_txn_commit(&v, t));
	townorg_txn_free(t);
	return v;
}

/* Everything about a repository a failed load must not change, as text. */
static char *fingerprint(const townorg_repo *r)
{
	size_t cap = 1 << 16, len = 0;
	char *s = malloc(cap);
	len += (size_t)snprintf(s + len, cap - len, "versions %zu\n", townorg_repo_version_count(r));
	for (size_t i = 0; i < townorg_repo_version_count(r) && len < cap - 200; i++) {
		const townorg_version *v = townorg_repo_version_at(r, i);
		len += (size_t)snprintf(s + len, cap - len, "%s %s\n", townorg_version_id(v), townorg_version_state_hash(v));
	}
	for (size_t i = 0; i < townorg_repo_branch_count(r) && len < cap - 200; i++) {
		const char *name = townorg_repo_branch_name(r, i);
		const townorg_version *h;
		OK(townorg_repo_branch_head(&h, r, name));
		len += (size_t)snprintf(s + len, cap - len, "branch %s %s\n", name, h ? townorg_version_id(h) : "-");
	}
	for (size_t i = 0; i < townorg_repo_tag_count(r) && len < cap - 200; i++) {
		const townorg_version *at;
		const char *name = townorg_repo_tag_name(r, i, &at);
		len += (size_t)snprintf(s + len, cap - len, "tag %s %s\n", name, townorg_version_id(at));
	}
	return s;
}

static void setup(void)
{
	OK(townorg_repo_new(&repo));
	const townorg_version *v = commit_base(repo);
	OK(townorg_repo_tag_create(repo, "v0", v));
	OK(townorg_repo_branch_create(repo, "plan", v));
}

static void teardown(void)
{
	townorg_repo_free(repo);
	repo = NULL;
}

/* ------------------------------------------------------------ loaders */

static const char *const table_names[] = { "versions.csv", "base.csv", "changes.csv", "events.csv" };
static const char *const nbs_names[] = { "provinces.csv", "cities.csv", "areas.csv", "streets.csv" };

/* Run one entry; returns the code, and for "finding" entries the finding's
 * message in *finding (owned). */
static int load(const entry *e, const char *path, bool *names_file, char **finding)
{
	size_t len;
	char *data;
	int rc;
	char dir[512];
	*names_file = false;
	*finding = NULL;
	if (!strcmp(e->loader, "json-repo")) {
		*names_file = true;
		return townorg_json_import_repo_file(repo, path, NULL);
	}
	if (!strcmp(e->loader, "json-snapshot")) {
		townorg_meta m = TOWNORG_META_INIT;
		m.recorded_at = "2024-01-01T00:00:00Z";
		const townorg_version *v = NULL;
		*names_file = true;
		rc = townorg_json_import_snapshot_file(&v, repo, "main", &m, path, NULL);
		ck_assert(rc == 0 || v == NULL);
		return rc;
	}
	if (!strcmp(e->loader, "entity")) {
		townorg_entity *ent = (void *)1;
		data = slurp(path, &len);
		rc = townorg_entity_from_json(&ent, data);
		free(data);
		ck_assert(rc == 0 || ent == NULL);
		townorg_entity_free(ent);
		return rc;
	}
	if (!strcmp(e->loader, "tables") || !strcmp(e->loader, "nbs")) {
		bool tables = e->loader[0] == 't';
		snprintf(dir, sizeof dir, "%s/%s", fz_tmpdir(), tables ? "tables" : "2019");
		mkdir(dir, 0700);
		data = slurp(path, &len);
		fz_write_parts(dir, tables ? table_names : nbs_names, 4, (const uint8_t *)data, len);
		free(data);
		if (tables) {
			townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
			o.branch = "bad";
			o.tag_prefix = "bad-";
			o.recorded_at = "2024-01-01T00:00:00Z";
			townorg_tables_report *rep = (void *)1;
			rc = townorg_tables_import(&rep, repo, dir, &o);
			ck_assert(rc == 0 || rep == NULL);
			townorg_tables_report_free(rep);
		} else {
			townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
			o.branch = "nbs";
			o.recorded_at = "2024-01-01T00:00:00Z";
			townorg_realdata_report *rep = NULL;
			rc = townorg_nbs_import(&rep, repo, dir, &o);
			ck_assert(rc == 0 || rep == NULL);
			townorg_realdata_report_free(rep);
		}
		return rc;
	}
	if (!strcmp(e->loader, "mca")) {
		char copy[600];
		snprintf(copy, sizeof copy, "%s/sub-county-diff_2018.csv", fz_tmpdir());
		data = slurp(path, &len);
		fz_write(copy, data, len);
		free(data);
		townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
		o.branch = "nbs";
		o.recorded_at = "2024-01-01T00:00:00Z";
		o.mca_source = copy;
		townorg_realdata_report *rep = NULL;
		rc = townorg_nbs_import(&rep, repo, TEST_SRCDIR "/tests/data/nbs", &o);
		ck_assert(rc == 0 || rep == NULL);
		townorg_realdata_report_free(rep);
		return rc;
	}
	if (!strcmp(e->loader, "policy")) {
		townorg_policy *p;
		OK(townorg_policy_new(&p));
		size_t waivers = townorg_policy_waiver_count(p);
		char *before;
		OK(townorg_policy_get_param(&before, p, "offices.by-class", "limits"));
		*names_file = true;
		rc = townorg_policy_apply_file(p, path);
		if (rc != 0) {
			char *after;
			int saved = rc;
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", townorg_error_last());
			ck_assert_uint_eq(townorg_policy_waiver_count(p), waivers);
			OK(townorg_policy_get_param(&after, p, "offices.by-class", "limits"));
			ck_assert_str_eq(after, before);
			townorg_free(after);
			/* restore the error the checks above cleared */
			rc = saved;
			townorg_policy_free(p);
			townorg_free(before);
			*finding = strdup(msg);
			return rc;
		}
		townorg_free(before);
		townorg_policy_free(p);
		return rc;
	}
	if (!strcmp(e->loader, "name")) {
		const townorg_version *v = NULL;
		data = slurp(path, &len);
		rc = townorg_repo_lookup(&v, repo, data);
		free(data);
		return rc;
	}
	if (!strcmp(e->loader, "docnum")) {
		/* a dry run: the document number of a transaction on main, validated */
		townorg_txn *t;
		townorg_meta m = TOWNORG_META_INIT;
		data = slurp(path, &len);
		m.effective_date = "2010-01-01";
		m.recorded_at = "2024-01-01T00:00:00Z";
		m.doc_number = data;
		OK(townorg_txn_new_on_branch(&t, repo, "main"));
		put(t, mk("341023-002", TOWNORG_KIND_TOWN, "渔亭镇", "341023"));
		OK(townorg_txn_set_meta(t, &m));
		townorg_validation *res;
		OK(townorg_validate_txn(&res, t, NULL));
		rc = 0;
		for (size_t i = 0; i < townorg_validation_count(res); i++) {
			const townorg_finding *f = townorg_validation_at(res, i);
			if (strcmp(f->rule, "document.number"))
				continue;
			char buf[1024];
			snprintf(buf, sizeof buf, "%s %s | %s", townorg_severity_token(f->severity), f->message_en,
				 f->message_zh);
			*finding = strdup(buf);
			rc = 1;
		}
		townorg_validation_free(res);
		townorg_txn_free(t);
		free(data);
		return rc;
	}
	if (!strcmp(e->loader, "store")) {
		/* a copy, so that SQLite never writes into the source tree */
		char copy[600];
		snprintf(copy, sizeof copy, "%s/%s", fz_tmpdir(), strrchr(path, '/') + 1);
		data = slurp(path, &len);
		fz_write(copy, data, len);
		townorg_repo *r = (void *)1;
		*names_file = true;
		rc = townorg_repo_open(&r, copy, 0);
		ck_assert(rc == 0 || r == NULL);
		townorg_repo_free(r);
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", townorg_error_last() ? townorg_error_last() : "");
		townorg_verify_report *rep = NULL;
		int rc2 = townorg_repo_verify(&rep, copy, NULL, NULL);
		ck_assert_msg(rc2 == rc, "%s: open gives %d, verify %d", e->file, rc, rc2);
		townorg_verify_report_free(rep);
		size_t len2;
		char *after = slurp(copy, &len2);
		ck_assert_msg(len2 == len && !memcmp(after, data, len), "%s: the file was changed", e->file);
		free(after);
		free(data);
		*finding = strdup(msg);
		unlink(copy);
		return rc;
	}
	ck_abort_msg("manifest: unknown loader %s", e->loader);
	return 0;
}

START_TEST(bad_input)
{
	const entry *e = &entries[_i];
	char path[512];
	snprintf(path, sizeof path, BAD "%s", e->file);
	char *before = fingerprint(repo);
	bool names_file;
	char *finding;
	townorg_error_clear();
	int rc = load(e, path, &names_file, &finding);
	const char *msg = finding ? finding : townorg_error_last() ? townorg_error_last() : "";
	if (printing) {
		printf("%s\t%s\t%s\t%s\n", e->file, e->loader,
		       !strcmp(e->loader, "docnum") ? (rc ? "finding" : "none") : code_name(rc), msg);
	} else if (!strcmp(e->loader, "docnum")) {
		ck_assert_msg(rc == 1, "%s: no document.number finding", e->file);
		ck_assert_msg(strstr(msg, e->fragment), "%s: finding \"%s\" lacks \"%s\"", e->file, msg, e->fragment);
	} else {
		int want = code_of(e->code);
		ck_assert_msg(rc == want, "%s: %s gives %s (%s), expected %s", e->file, e->loader, code_name(rc), msg,
			      e->code);
		ck_assert_msg(strstr(msg, e->fragment), "%s: message \"%s\" lacks \"%s\"", e->file, msg, e->fragment);
		if (names_file) {
			const char *base = strrchr(e->file, '/') + 1;
			ck_assert_msg(strstr(msg, base), "%s: message \"%s\" does not name the file", e->file, msg);
		}
	}
	char *after = fingerprint(repo);
	ck_assert_msg(!strcmp(before, after), "%s: the repository changed", e->file);
	free(before);
	free(after);
	free(finding);
}
END_TEST

/* The corpus is as large and as varied as docs/reliability.md says. */
START_TEST(corpus_is_complete)
{
	const char *loaders[] = { "json-repo", "json-snapshot", "entity", "tables", "nbs", "mca", "policy", "name",
				  "docnum", "store" };
	ck_assert_int_ge(n_entries, 50);
	for (size_t i = 0; i < sizeof loaders / sizeof *loaders; i++) {
		int n = 0;
		for (int k = 0; k < n_entries; k++)
			n += !strcmp(entries[k].loader, loaders[i]);
		ck_assert_msg(n >= 3, "only %d entries for %s", n, loaders[i]);
	}
	/* every entry's file exists */
	for (int k = 0; k < n_entries; k++) {
		char path[512];
		snprintf(path, sizeof path, BAD "%s", entries[k].file);
		ck_assert_msg(access(path, R_OK) == 0, "missing %s", path);
	}
}
END_TEST

int main(void)
{
	printing = getenv("TOWNORG_BAD_PRINT") != NULL;
	read_manifest();
	Suite *s = suite_create("bad_inputs");
	TCase *tc = tcase_create("bad_inputs");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_input, 0, n_entries);
	tcase_add_test(tc, corpus_is_complete);
	suite_add_tcase(s, tc);
	int rc = run_suite(s);
	free(entries);
	return rc;
}

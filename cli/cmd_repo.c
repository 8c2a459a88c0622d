/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_repo.c — the repository file: init, import, export, verify.
 */
#include <config.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "cli.h"

/* ------------------------------------------------------------ init */

int cmd_init(int argc, char **argv)
{
	const char *pos[1];
	int npos, ec;
	if (cli_parse(argc, argv, NULL, pos, 1, &npos, 1, &ec) < 0)
		return ec;
	int rc = townorg_repo_init(pos[0]);
	if (rc < 0)
		return cli_lib_error(rc);
	printf(_("Created an empty repository in %s\n"), pos[0]);
	return EXIT_OK;
}

/* ------------------------------------------------------------ import */

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_file(const char *dir, const char *name)
{
	struct stat st;
	char *buf = malloc(strlen(dir) + strlen(name) + 2);
	if (!buf)
		return 0;
	sprintf(buf, "%s/%s", dir, name);
	int yes = stat(buf, &st) == 0 && S_ISREG(st.st_mode);
	free(buf);
	return yes;
}

/* A folder of NBS editions: subfolders named YYYY holding streets.csv. */
static int has_editions(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	if (!d)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		if (strlen(e->d_name) == 4 && strspn(e->d_name, "0123456789") == 4) {
			char *sub = malloc(strlen(dir) + strlen(e->d_name) + 2);
			if (!sub)
				break;
			sprintf(sub, "%s/%s", dir, e->d_name);
			found = has_file(sub, "streets.csv");
			free(sub);
		}
	}
	closedir(d);
	return found;
}

static const char *detect_format(const char *source)
{
	if (is_dir(source)) {
		if (has_file(source, "versions.csv"))
			return "tables";
		if (has_file(source, "streets.csv") || has_editions(source))
			return "nbs";
		return NULL;
	}
	size_t n = strlen(source);
	if (n > 5 && strcmp(source + n - 5, ".json") == 0)
		return "json";
	if (n > 5 && strcasecmp(source + n - 5, ".xlsx") == 0)
		return "xlsx";
	return NULL;
}

/* Is a JSON document a snapshot?  The writer puts "format" and "type"
 * first; look in the first few kilobytes (of `text` when given: a pipe,
 * read once). */
static int json_is_snapshot(const char *path, const char *text)
{
	char buf[8192];
	size_t n;
	if (text) {
		n = strnlen(text, sizeof buf - 1);
		memcpy(buf, text, n);
	} else {
		FILE *f = fopen(path, "rb");
		if (!f)
			return 0;
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	const char *p = strstr(buf, "\"type\"");
	if (!p)
		return 0;
	p += 6;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')
		p++;
	return strncmp(p, "\"snapshot\"", 10) == 0;
}

static int quiet_flag;

static int tables_progress(const char *stage, size_t done, size_t total, void *payload)
{
	(void)payload;
	if (!quiet_flag)
		cli_progress(strcmp(stage, "versions") == 0 ? _("versions") : stage, done, total);
	return 0;
}

static int nbs_progress(const townorg_realdata_progress *p, void *payload)
{
	(void)payload;
	if (quiet_flag)
		return 0;
	char what[128];
	if (p->stage == TOWNORG_REALDATA_READ_MCA)
		snprintf(what, sizeof what, _("reading the MCA table of %s"), p->edition ? p->edition : "?");
	else if (p->stage == TOWNORG_REALDATA_READ_EDITION)
		snprintf(what, sizeof what, _("reading edition %s"), p->edition ? p->edition : "");
	else
		snprintf(what, sizeof what, _("committing edition %s"), p->edition ? p->edition : "");
	cli_progress(what, p->current, p->total);
	return 0;
}

static int json_progress(size_t done, size_t total, void *payload)
{
	(void)payload;
	if (!quiet_flag)
		cli_progress(_("versions"), done, total);
	return 0;
}

/* For importers that build on the branch head: --onto creates a missing
 * branch at that version, or must name the head of an existing one. */
static int prepare_onto(townorg_repo *repo, const char *branch, const char *onto)
{
	const townorg_version *at, *head = NULL;
	int ec = cli_lookup(&at, repo, onto);
	if (ec)
		return ec;
	int rc = townorg_repo_branch_head(&head, repo, branch);
	if (rc == TOWNORG_ENOTFOUND) {
		rc = townorg_repo_branch_create(repo, branch, at);
		return rc < 0 ? cli_lib_error(rc) : EXIT_OK;
	}
	if (rc < 0)
		return cli_lib_error(rc);
	if (!head) {
		rc = townorg_repo_branch_set(repo, branch, at);
		return rc < 0 ? cli_lib_error(rc) : EXIT_OK;
	}
	if (strcmp(townorg_version_id(head), townorg_version_id(at)) != 0) {
		cli_warn(_("--onto %s is not the head of branch '%s'"), onto, branch);
		return EXIT_BAD;
	}
	return EXIT_OK;
}

static int import_tables(townorg_repo *repo, const char *src, const char *branch, const char *onto,
	const char *author)
{
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	townorg_tables_report *rep = NULL;
	o.branch = branch;
	o.onto = onto;
	o.author = author;
	o.progress = tables_progress;
	int rc = townorg_tables_import(&rep, repo, src, &o);
	cli_progress_end();
	if (rc < 0)
		return cli_lib_error(rc);
	if (!quiet_flag) {
		size_t n = townorg_tables_report_version_count(rep);
		printf(_("Imported %zu versions into branch '%s'.\n"), n, branch);
		const char *hdr[] = { _("label"), _("version"), _("date"), _("document") };
		cli_table *t = cli_table_new(4, hdr);
		for (size_t i = 0; i < n; i++) {
			const char *label = NULL;
			const townorg_version *v = townorg_tables_report_version(rep, i, &label);
			const townorg_meta *m = townorg_version_meta(v);
			cli_table_addf(t, "v%s", label ? label : "?");
			cli_table_add(t, cli_short_id(v));
			cli_table_add(t, cli_or_dash(m->effective_date));
			cli_table_add(t, cli_or_dash(m->doc_number));
		}
		cli_table_print(t, stdout);
		cli_table_free(t);
		for (size_t i = 0; i < townorg_tables_report_note_count(rep); i++)
			printf(_("note: %s\n"), townorg_tables_report_note(rep, i));
	}
	townorg_tables_report_free(rep);
	return EXIT_OK;
}

/* A 台账 workbook: one new version on the branch (lib/xlsx_import.c). */
static int import_xlsx(townorg_repo *repo, const char *src, const char *branch, const char *author)
{
	townorg_xlsx_import_options o = TOWNORG_XLSX_IMPORT_OPTIONS_INIT;
	townorg_meta m = TOWNORG_META_INIT;
	townorg_xlsx_report *rep = NULL;
	const townorg_version *v = NULL;
	m.author = author;
	o.branch = branch;
	o.meta = &m;
	int rc = townorg_import_xlsx(&v, &rep, repo, src, &o);
	if (rc < 0)
		return cli_lib_error(rc);
	if (!quiet_flag) {
		printf(_("Imported %zu entities from %s as version %s on branch '%s'.\n"),
		       townorg_xlsx_report_entity_count(rep), src, cli_short_id(v), branch);
		for (size_t i = 0; i < townorg_xlsx_report_note_count(rep); i++)
			printf(_("note: %s\n"), townorg_xlsx_report_note(rep, i));
	}
	townorg_xlsx_report_free(rep);
	return EXIT_OK;
}

static int import_nbs(townorg_repo *repo, const char *src, const char *branch, const char *events,
	const char *author, int json_report)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_realdata_report *rep = NULL;
	o.branch = branch;
	o.mca_source = events;
	o.author = author;
	o.progress = json_report && quiet_flag ? NULL : nbs_progress;
	int rc = townorg_nbs_import(&rep, repo, src, &o);
	cli_progress_end();
	if (rc < 0)
		return cli_lib_error(rc);
	if (json_report)
		cli_nbs_report_json(stdout, rep, branch);
	else if (!quiet_flag)
		cli_nbs_report_text(rep, branch, events != NULL);
	townorg_realdata_report_free(rep);
	return EXIT_OK;
}

static int import_json(townorg_repo *repo, const char *src, const char *branch, int branch_given,
	const char *author)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	o.progress = json_progress;
	o.source_name = src;
	int rc;
	/* a pipe (/dev/stdin) can be read only once: read it whole, within
	 * the input limit, and import from memory */
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	if (stat(src, &st) == 0 && S_ISFIFO(st.st_mode) && (rc = townorg_input_read(&text, &len, src)) < 0)
		return cli_lib_error(rc);
	if (json_is_snapshot(src, text)) {
		townorg_meta m = TOWNORG_META_INIT;
		const townorg_version *v = NULL;
		m.author = author;
		rc = text ? townorg_json_import_snapshot(&v, repo, branch, &m, text, len, &o)
			  : townorg_json_import_snapshot_file(&v, repo, branch, &m, src, &o);
		townorg_free(text);
		cli_progress_end();
		if (rc < 0)
			return cli_lib_error(rc);
		if (!quiet_flag)
			printf(_("Imported a snapshot as version %s on branch '%s'.\n"), cli_short_id(v), branch);
		return EXIT_OK;
	}
	if (branch_given)
		cli_warn(_("--branch does not apply to a repository document; its own branches are used"));
	size_t before = townorg_repo_version_count(repo);
	rc = text ? townorg_json_import_repo(repo, text, len, &o) : townorg_json_import_repo_file(repo, src, &o);
	townorg_free(text);
	cli_progress_end();
	if (rc < 0)
		return cli_lib_error(rc);
	if (!quiet_flag)
		printf(_("Imported a repository document: %zu new versions, %zu branches, %zu tags.\n"),
			townorg_repo_version_count(repo) - before, townorg_repo_branch_count(repo),
			townorg_repo_tag_count(repo));
	return EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
	const char *format = NULL, *branch = NULL, *onto = NULL, *events = NULL, *author = NULL;
	int json_report = 0;
	const cli_option opts[] = {
		{ "format", 'f', 1, &format, NULL },
		{ "branch", 'b', 1, &branch, NULL },
		{ "onto", 0, 1, &onto, NULL },
		{ "events", 0, 1, &events, NULL },
		{ "author", 0, 1, &author, NULL },
		{ "quiet", 'q', 0, NULL, &quiet_flag },
		{ "json", 0, 0, NULL, &json_report },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 2, &ec) < 0)
		return ec;
	const char *src = pos[1];
	struct stat st;
	if (stat(src, &st) != 0) {
		cli_warn("%s: %s", src, strerror(errno));
		return EXIT_BAD;
	}
	if (!format) {
		format = detect_format(src);
		if (!format)
			return cli_usage_error(_("cannot tell the format of %s: give --format json|tables|nbs|xlsx"), src);
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "tables") != 0 && strcmp(format, "nbs") != 0 &&
	    strcmp(format, "xlsx") != 0)
		return cli_usage_error(_("unknown format '%s' (json, tables, nbs or xlsx)"), format);
	if (events && strcmp(format, "nbs") != 0)
		return cli_usage_error(_("--events applies to --format nbs only"));
	if (json_report && strcmp(format, "nbs") != 0)
		return cli_usage_error(_("--json applies to --format nbs only"));

	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 1)) != 0)
		return ec;
	int branch_given = branch != NULL;
	if (!branch)
		branch = "main";
	if (strcmp(format, "tables") == 0) {
		ec = import_tables(repo, src, branch, onto, author);
	} else if (strcmp(format, "xlsx") == 0) {
		ec = onto ? prepare_onto(repo, branch, onto) : EXIT_OK;
		if (ec == EXIT_OK)
			ec = import_xlsx(repo, src, branch, author);
	} else {
		ec = onto ? prepare_onto(repo, branch, onto) : EXIT_OK;
		if (ec == EXIT_OK)
			ec = strcmp(format, "nbs") == 0 ? import_nbs(repo, src, branch, events, author, json_report)
						       : import_json(repo, src, branch, branch_given, author);
	}
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ export */

/* The 台账 workbook of one version (lib/xlsx_write.c). */
static int export_xlsx(const char *repo_path, const char *version, const char *output, const char *since,
		       const char *policy_path)
{
	townorg_repo *repo;
	townorg_policy *policy = NULL;
	const townorg_version *v = NULL, *from = NULL;
	int ec;
	if (!output || strcmp(output, "-") == 0)
		return cli_usage_error(_("--format xlsx needs -o FILE.xlsx"));
	if ((ec = cli_open(&repo, repo_path, 0)) != 0)
		return ec;
	if (version ? (ec = cli_lookup(&v, repo, version)) != 0 : (ec = cli_branch_head(&v, repo, "main")) != 0)
		goto done;
	if (since && (ec = cli_lookup(&from, repo, since)) != 0)
		goto done;
	if (policy_path) {
		int rc = townorg_policy_load(&policy, policy_path);
		if (rc < 0) {
			ec = cli_lib_error(rc);
			goto done;
		}
	}
	townorg_xlsx_export_options o = TOWNORG_XLSX_EXPORT_OPTIONS_INIT;
	o.changes_since = from;
	o.policy = policy;
	int rc = townorg_export_xlsx(v, output, &o);
	ec = rc < 0 ? cli_lib_error(rc) : EXIT_OK;
done:
	townorg_policy_free(policy);
	townorg_repo_free(repo);
	return ec;
}

int cmd_export(int argc, char **argv)
{
	const char *format = NULL, *output = NULL, *from = NULL, *since = NULL, *policy_path = NULL;
	int lossy = 0, compact = 0;
	const cli_option opts[] = {
		{ "format", 'f', 1, &format, NULL },
		{ "output", 'o', 1, &output, NULL },
		{ "from", 0, 1, &from, NULL },
		{ "changes-since", 0, 1, &since, NULL },
		{ "policy", 0, 1, &policy_path, NULL },
		{ "lossy", 0, 0, NULL, &lossy },
		{ "compact", 0, 0, NULL, &compact },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 2, &npos, 1, &ec) < 0)
		return ec;
	if (!format)
		return cli_usage_error(_("--format json|tables|xlsx is required"));
	if (strcmp(format, "xlsx") == 0)
		return export_xlsx(pos[0], npos > 1 ? pos[1] : NULL, output, since, policy_path);
	if (since || policy_path)
		return cli_usage_error(_("--changes-since and --policy apply to --format xlsx only"));
	int json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "tables") != 0)
		return cli_usage_error(_("unknown format '%s' (json, tables or xlsx)"), format);
	if (!json && !output)
		return cli_usage_error(_("--format tables needs -o FOLDER"));
	if (json && from)
		return cli_usage_error(_("--from applies to --format tables only"));

	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], 0)) != 0)
		return ec;
	const townorg_version *v = NULL, *start = NULL;
	if (npos > 1 && (ec = cli_lookup(&v, repo, pos[1])) != 0)
		goto done;
	if (from && (ec = cli_lookup(&start, repo, from)) != 0)
		goto done;
	int rc;
	if (json) {
		townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
		if (compact)
			o.flags |= TOWNORG_JSON_COMPACT;
		if (output && strcmp(output, "-") != 0) {
			rc = v ? townorg_json_export_snapshot_file(output, v, &o)
			       : townorg_json_export_repo_file(output, repo, &o);
		} else {
			char *text = NULL;
			size_t len = 0;
			rc = v ? townorg_json_export_snapshot(&text, &len, v, &o)
			       : townorg_json_export_repo(&text, &len, repo, &o);
			if (rc == 0) {
				fwrite(text, 1, len, stdout);
				if (len && text[len - 1] != '\n')
					fputc('\n', stdout);
			}
			townorg_free(text);
		}
	} else {
		if (!v && (ec = cli_branch_head(&v, repo, "main")) != 0)
			goto done;
		townorg_tables_export_options o = TOWNORG_TABLES_EXPORT_OPTIONS_INIT;
		if (lossy)
			o.flags |= TOWNORG_TABLES_EXPORT_LOSSY;
		o.progress = tables_progress;
		rc = townorg_tables_export(repo, start, v, output, &o);
		cli_progress_end();
	}
	ec = rc < 0 ? cli_lib_error(rc) : EXIT_OK;
done:
	townorg_repo_free(repo);
	return ec;
}

/* ------------------------------------------------------------ verify */

static int verify_progress(uint64_t done, uint64_t total, void *payload)
{
	(void)payload;
	cli_progress(_("verifying"), done, total);
	return 0;
}

static const char *verify_kind_token(townorg_verify_kind k)
{
	switch (k) {
	case TOWNORG_VERIFY_FILE: return "file";
	case TOWNORG_VERIFY_OBJECT: return "object";
	case TOWNORG_VERIFY_VERSION: return "version";
	case TOWNORG_VERIFY_REFLOG: return "reflog";
	case TOWNORG_VERIFY_SCHEMA: return "schema";
	case TOWNORG_VERIFY_UNCHECKED: return "unchecked";
	default: return "?";
	}
}

int cmd_verify(int argc, char **argv)
{
	int json = 0;
	const char *expect = NULL, *key = NULL, *signature = NULL;
	const cli_option opts[] = { { "json", 0, 0, NULL, &json },
				    { "expect-head", 0, 1, &expect, NULL },
				    { "key", 'k', 1, &key, NULL },
				    { "signature", 0, 1, &signature, NULL },
				    { NULL, 0, 0, NULL, NULL } };
	const char *pos[1];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 1, &npos, 1, &ec) < 0)
		return ec;
	townorg_verify_report *rep = NULL;
	int rc = townorg_repo_verify(&rep, pos[0], verify_progress, NULL);
	cli_progress_end();
	if (rc < 0)
		return cli_lib_error(rc);
	/* rollback detection: a head kept elsewhere (cmd_sign.c) */
	cli_head_result *heads = NULL;
	size_t nheads = 0;
	if ((ec = cli_check_heads(pos[0], expect, key, signature, &heads, &nheads)) != EXIT_OK) {
		townorg_verify_report_free(rep);
		return ec;
	}
	int heads_ok = 1;
	for (size_t i = 0; i < nheads; i++)
		heads_ok &= heads[i].ok;
	size_t objects = 0, versions = 0, records = 0;
	townorg_verify_report_counts(rep, &objects, &versions, &records);
	size_t n = townorg_verify_report_problem_count(rep);
	int ok = townorg_verify_report_ok(rep);
	if (json) {
		int f = 1;
		fputc('{', stdout);
		cli_json_key(stdout, &f, "ok");
		fputs(ok ? "true" : "false", stdout);
		cli_json_key(stdout, &f, "objects");
		printf("%zu", objects);
		cli_json_key(stdout, &f, "versions");
		printf("%zu", versions);
		cli_json_key(stdout, &f, "log_records");
		printf("%zu", records);
		cli_json_key(stdout, &f, "log_head");
		cli_json_str(stdout, townorg_verify_report_log_head(rep));
		cli_json_key(stdout, &f, "problems");
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++) {
			townorg_verify_kind k;
			const char *what = NULL, *msg = NULL;
			townorg_verify_report_problem(rep, i, &k, &what, &msg);
			int g = 1;
			fputs(i ? ", {" : "{", stdout);
			cli_json_key(stdout, &g, "kind");
			cli_json_str(stdout, verify_kind_token(k));
			cli_json_key(stdout, &g, "what");
			cli_json_str(stdout, what);
			cli_json_key(stdout, &g, "message");
			cli_json_str(stdout, msg);
			fputc('}', stdout);
		}
		fputc(']', stdout);
		if (nheads) {
			cli_json_key(stdout, &f, "heads");
			fputc('[', stdout);
			for (size_t i = 0; i < nheads; i++) {
				int g = 1;
				fputs(i ? ", {" : "{", stdout);
				cli_json_key(stdout, &g, "ok");
				fputs(heads[i].ok ? "true" : "false", stdout);
				cli_json_key(stdout, &g, "what");
				cli_json_str(stdout, heads[i].what);
				cli_json_key(stdout, &g, "message");
				cli_json_str(stdout, heads[i].message);
				fputc('}', stdout);
			}
			fputc(']', stdout);
		}
		fputs("}\n", stdout);
	} else {
		printf(_("Checked %zu objects, %zu versions and %zu log records.\n"), objects, versions, records);
		for (size_t i = 0; i < n; i++) {
			townorg_verify_kind k;
			const char *what = NULL, *msg = NULL;
			townorg_verify_report_problem(rep, i, &k, &what, &msg);
			printf("%s %s: %s\n", verify_kind_token(k), cli_or_dash(what), cli_or_dash(msg));
		}
		if (ok)
			printf(_("OK: every hash matches.\n"));
		else
			printf(_("%zu problems found.\n"), n);
		for (size_t i = 0; i < nheads; i++)
			printf("%s %s: %s\n", heads[i].ok ? "head-ok" : "head", heads[i].what, heads[i].message);
		if (nheads && !heads_ok)
			printf(_("The log head does not match the head kept elsewhere.\n"));
	}
	cli_head_results_free(heads, nheads);
	townorg_verify_report_free(rep);
	return ok && heads_ok ? EXIT_OK : EXIT_NO;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/main.c — `townorg`: the command table, --help, --version, locale
 * set-up and dispatch to the subcommands of cli/cmd_*.c.
 */
#include <config.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const cli_command commands[] = {
	{ "init", cmd_init, "REPO",
	  N_("Create an empty repository file."),
	  NULL },
	{ "import", cmd_import, "REPO SOURCE [--format json|tables|nbs|xlsx] [--branch B] [--onto VERSION] [--events MCA_SOURCE] [--json]",
	  N_("Import a JSON document, a CSV table set, NBS township lists or a 台账 workbook."),
	  N_("  --format F       json, tables, nbs or xlsx (default: detected from SOURCE:\n"
	     "                   a folder with versions.csv is tables, a folder of NBS\n"
	     "                   editions or one edition is nbs, a .json file is json,\n"
	     "                   an .xlsx file is xlsx: one new version on the branch)\n"
	     "  --branch B       branch to import into (default main; created if missing)\n"
	     "  --onto VERSION   the version the imported history continues from\n"
	     "  --events DIR     MCA change tables whose rows become events (nbs)\n"
	     "  --author NAME    author recorded in the new versions\n"
	     "  --json           print the import report as JSON (nbs): every MCA row\n"
	     "                   attached, and every row not linked with its reason\n"
	     "  --quiet          no report, no progress\n") },
	{ "log", cmd_log, "REPO [BRANCH] [--json]",
	  N_("List the versions of a branch, newest first."),
	  N_("  --json           print JSON\n"
	     "  -n, --max N      show at most N versions\n") },
	{ "show", cmd_show, "REPO VERSION [ENTITY] [--json]",
	  N_("Show a version, or one entity of it with its children."),
	  N_("  --json           print JSON\n") },
	{ "as-of", cmd_asof, "REPO BRANCH DATE [ENTITY] [--json]",
	  N_("Show the version in effect on a date (YYYY-MM-DD) on a branch."),
	  N_("  --json           print JSON\n") },
	{ "diff", cmd_diff, "REPO FROM TO [--json] [--kind K,...] [--under ENTITY] [--field F,...]",
	  N_("What changed between two versions."),
	  N_("  --json           print JSON (shape: docs/format.md, \"Diff JSON\")\n"
	     "  --kind K,...     only entities of these kinds\n"
	     "  --under ENTITY   only this entity and what is below it\n"
	     "  --field F,...    only changes of these fields\n") },
	{ "validate", cmd_validate, "REPO [VERSION] [--policy FILE] [--rule R] [--severity S] [--under ID] [--from V] [--to V] [--json|--csv]",
	  N_("Check a version against a policy (default: head of main, default policy)."),
	  N_("  --policy FILE    policy file (docs/format.md, \"Policy files\");\n"
	     "                   policies/nbs.json for statistical data (NBS, MCA)\n"
	     "  --rule R[,R2]    only these rules' findings\n"
	     "  --severity S     only findings of severity S or worse (info, warning, error)\n"
	     "  --under ID       only findings on this unit and the units under it\n"
	     "  --from V         validate every version from V to VERSION (first parents)\n"
	     "  --to V           the last version (same as VERSION)\n"
	     "  --json           print JSON (shape: docs/format.md, \"Validation JSON\")\n"
	     "  --csv            print the findings as CSV\n"
	     "The text starts with a summary by rule and severity; each finding names\n"
	     "its unit by code, name and county.\n"
	     "Exit status 1 when an unwaived error is found.\n") },
	{ "blame", cmd_blame, "REPO ENTITY [--at VERSION] [--json]",
	  N_("Show, for each field of an entity, the version that set its value."),
	  N_("  --at VERSION     blame at this version (default: head of main)\n"
	     "  --json           print JSON\n") },
	{ "lineage", cmd_lineage, "REPO ENTITY [--json|--dot] [--at VERSION]",
	  N_("Predecessors and successors of an entity, across merges and renames."),
	  N_("  --at VERSION     read the history of this version (default: head of main)\n"
	     "  --family         the whole connected family\n"
	     "  --json           print JSON\n"
	     "  --dot            print a Graphviz DOT digraph\n") },
	{ "export", cmd_export, "REPO [VERSION] --format json|tables|xlsx [-o OUT]",
	  N_("Write the repository (or one version) as JSON, a branch line as CSV tables, or a version as a 台账 workbook."),
	  N_("  --format F       json, tables or xlsx\n"
	     "  -o, --output OUT file (json; default standard output), folder (tables)\n"
	     "                   or .xlsx file (xlsx)\n"
	     "  --from VERSION   tables: first version written (default: the root)\n"
	     "  --lossy          tables: drop what the tables have no column for\n"
	     "  --changes-since VERSION  xlsx: add the sheets 变更表 and 精简率\n"
	     "  --policy FILE    xlsx: add the sheet 核查结果 (findings under the policy)\n"
	     "Without VERSION, json writes the whole repository; with it, a snapshot.\n") },
	{ "verify", cmd_verify, "REPO [--expect-head HASH] [--key PUBLIC_KEY [--signature FILE]]",
	  N_("Recompute every hash of a repository file and check the branch log."),
	  N_("  --json           print JSON\n"
	     "  --expect-head H  the log must hold head H (kept from an earlier verify\n"
	     "                   or sync): catches a history rolled back or rewritten\n"
	     "  --key PUB        check the heads signed with this key (kept in the\n"
	     "                   repository, and the --signature file) against the log\n"
	     "  --signature F    a signed head published by the signer (sign-head -o)\n"
	     "Also checks the schema, the append-only triggers, depth and n_entities.\n"
	     "Exit status 1 when any problem is found.\n") },
	{ "keygen", cmd_keygen, "SECRET_KEY_FILE [PUBLIC_KEY_FILE]",
	  N_("Make an Ed25519 key pair for signing log heads."),
	  N_("The public key goes to PUBLIC_KEY_FILE (default SECRET_KEY_FILE.pub).\n"
	     "The secret key file is created with mode 0600 and never overwritten.\n") },
	{ "sign-head", cmd_sign_head, "REPO --key SECRET_KEY_FILE [-o FILE]",
	  N_("Sign the head of the branch log; print the signed head and keep it."),
	  N_("  -k, --key FILE   secret key file (townorg keygen)\n"
	     "  -o, --output F   also write the signed head to F (to publish it)\n"
	     "  --no-store       do not keep it in the repository (read-only use)\n") },
	{ "branch", cmd_branch, "REPO [NAME [FROM]]",
	  N_("List branches, or create one at a version (default: head of main)."),
	  N_("  -d, --delete     delete branch NAME (its versions stay)\n"
	     "  --json           print the list as JSON\n") },
	{ "tag", cmd_tag, "REPO [NAME VERSION]",
	  N_("List tags, or tag a version (tags never move)."),
	  N_("  --json           print the list as JSON\n") },
	{ "merge", cmd_merge, "REPO FROM [--into BRANCH]",
	  N_("Land a version or branch on a branch: fast-forward or three-way."),
	  N_("  --into BRANCH    target branch (default main)\n"
	     "  --message TEXT   message of the merge version\n"
	     "  --document NUM   authorising document number\n"
	     "  --date DATE      effective date (default: the later of the two heads)\n"
	     "  --author NAME    author\n"
	     "  --json           print the outcome as JSON\n"
	     "Conflicts (an entity changed differently on both sides) are listed,\n"
	     "nothing is committed, and the exit status is 1.\n") },
	{ "chart", cmd_chart, "REPO VERSION UNIT -o FILE.svg|FILE.png [--format svg|png|dot] [--lang zh|en]",
	  N_("Draw the org chart of a unit (a township, a county) as SVG or PNG."),
	  N_("  -o, --output FILE  the chart (written to a temporary file, then renamed)\n"
	     "  --format F         svg, png or dot (default: from the file name)\n"
	     "  --lang L           zh (default) or en: the language of the labels\n"
	     "  --per-row N        boxes in a row (default 4)\n"
	     "Needs a townorg built with Graphviz (configure --with-graphviz).\n") },
	{ "report", cmd_report, "REPO FROM TO -o report.html [--policy FILE] [--under UNIT] [--lang zh|en]",
	  N_("Write a reform report (org charts, changes, events, findings) as one HTML file."),
	  N_("  -o, --output FILE  the report (one self-contained HTML file)\n"
	     "  --policy FILE      validate the later version with this policy (default policy otherwise)\n"
	     "  --under UNIT       the unit reported on (default: the one county of the version)\n"
	     "  --lang L           zh (default) or en\n"
	     "  --no-charts        list the structure as tables instead of charts\n") },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void cli_print_help(const cli_command *cmd, FILE *out)
{
	fprintf(out, _("Usage: townorg %s %s\n"), cmd->name, cmd->synopsis);
	fprintf(out, "%s\n", _(cmd->summary));
	fprintf(out, "\n%s\n", _("Options:"));
	if (cmd->help)
		fputs(_(cmd->help), out);
	fputs(_("  -h, --help       show this help\n"), out);
}

static void usage(FILE *out)
{
	fputs(_("Usage: townorg COMMAND REPO [ARGS...]\n"
		"Keep the organisation of townships as an immutable versioned graph.\n\n"
		"Commands:\n"), out);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		size_t w = strlen(commands[i].name);
		fprintf(out, "  %s%*s%s\n", commands[i].name, (int)(10 - (w < 10 ? w : 9)), "",
			_(commands[i].summary));
	}
	fputs(_("\nVersions are named by branch, tag, version id or a unique prefix of at\n"
		"least 4 hex digits, NAME@YYYY-MM-DD (in effect on that date) or NAME~N.\n"
		"Run 'townorg COMMAND --help' for the options of a command.\n"
		"Every command takes --max-input SIZE: the largest input file read\n"
		"(bytes, or with K, M or G; default 512M).\n"
		"Exit status: 0 success, 1 the answer is no, 2 bad usage or bad data.\n"), out);
}

static void setup_locale(void)
{
	const char *lc = setlocale(LC_ALL, "");
	if (!lc)
		lc = "";
#ifdef ENABLE_NLS
	const char *dir = getenv("TOWNORG_LOCALEDIR");
	bindtextdomain("townorg", dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset("townorg", "UTF-8");
	textdomain("townorg");
#endif
	const char *msg = setlocale(LC_MESSAGES, NULL);
	cli_lang = (msg && strncmp(msg, "zh", 2) == 0) ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN;
}

int main(int argc, char **argv)
{
	setup_locale();
	int ec;
	if (cli_global_options(&argc, argv, &ec) < 0)
		return ec;
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("townorg %s\n", townorg_library_version());
		return EXIT_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		const cli_command *c = cli_find_command(argv[2]);
		if (!c)
			return cli_usage_error(_("unknown command '%s'"), argv[2]);
		cli_print_help(c, stdout);
		return EXIT_OK;
	}
	const cli_command *cmd = cli_find_command(name);
	if (!cmd) {
		fprintf(stderr, _("townorg: unknown command '%s' (see 'townorg --help')\n"), name);
		return EXIT_BAD;
	}
	cli_cmd_name = cmd->name;
	int rc = cmd->run(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "townorg: %s\n", _("error writing standard output"));
		return EXIT_BAD;
	}
	return rc;
}

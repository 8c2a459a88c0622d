/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/util.c — what the subcommands share: option parsing, error
 * reporting, version names, aligned tables (display width of Chinese
 * text counted as two columns), a small JSON writer, terminal progress.
 */
#include <config.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

const char *cli_cmd_name = NULL;
townorg_lang cli_lang = TOWNORG_LANG_EN;

const char *cli_pgettext(const char *ctx_and_id, const char *id)
{
#ifdef ENABLE_NLS
	const char *t = gettext(ctx_and_id);
	return t == ctx_and_id ? id : t;
#else
	(void)ctx_and_id;
	return id;
#endif
}

/* ------------------------------------------------------------ errors */

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("townorg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* One line, so scripts can log it as it is. */
	if (cli_cmd_name)
		fprintf(stderr, _(" (see 'townorg %s --help')"), cli_cmd_name);
	fputc('\n', stderr);
	return EXIT_BAD;
}

int cli_lib_error(int code)
{
	const char *msg = townorg_error_last();
	if (!msg || !*msg)
		msg = townorg_error_name(code);
	fprintf(stderr, "townorg: %s\n", msg);
	return EXIT_BAD;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("townorg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------ options */

int cli_parse(int argc, char **argv, const cli_option *opts, const char **pos, int max_pos, int *npos,
	int min_pos, int *exit_code)
{
	struct option longs[32];
	char shorts[64] = ":h";
	size_t n = 0, sl = 2;
	for (const cli_option *o = opts; o && o->name; o++) {
		longs[n].name = o->name;
		longs[n].has_arg = o->has_arg ? required_argument : no_argument;
		longs[n].flag = NULL;
		longs[n].val = 256 + (int)n;
		n++;
		if (o->short_name) {
			shorts[sl++] = (char)o->short_name;
			if (o->has_arg)
				shorts[sl++] = ':';
		}
	}
	longs[n].name = "help";
	longs[n].has_arg = no_argument;
	longs[n].flag = NULL;
	longs[n].val = 'h';
	memset(&longs[n + 1], 0, sizeof longs[0]);
	shorts[sl] = '\0';

	const cli_command *cmd = cli_find_command(argv[0]);
	opterr = 0;
	optind = 0; /* full re-initialisation (glibc) */
	int c;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const cli_option *o = NULL;
		if (c == 'h') {
			cli_print_help(cmd, stdout);
			*exit_code = EXIT_OK;
			return -1;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			*exit_code = c == ':' ? cli_usage_error(_("option '%s' needs a value"), bad)
					      : cli_usage_error(_("unknown option '%s'"), bad);
			return -1;
		}
		if (c >= 256)
			o = &opts[c - 256];
		else
			for (const cli_option *p = opts; p->name; p++)
				if (p->short_name == c)
					o = p;
		if (!o)
			continue;
		if (o->has_arg && o->value)
			*o->value = optarg;
		if (!o->has_arg && o->flag)
			*o->flag = 1;
	}
	int k = 0;
	for (int i = optind; i < argc; i++) {
		if (k >= max_pos) {
			*exit_code = cli_usage_error(_("too many arguments ('%s')"), argv[i]);
			return -1;
		}
		pos[k++] = argv[i];
	}
	if (k < min_pos) {
		*exit_code = cli_usage_error(_("missing arguments: usage: townorg %s %s"), cmd->name, cmd->synopsis);
		return -1;
	}
	*npos = k;
	return 0;
}

/* ------------------------------------------------------------ repositories */

int cli_open(townorg_repo **out, const char *path, int writable)
{
	int rc = townorg_repo_open(out, path, writable ? 0 : TOWNORG_OPEN_READONLY);
	if (rc < 0)
		return cli_lib_error(rc);
	if (writable && townorg_repo_is_readonly(*out)) {
		cli_warn(_("%s: the repository file is read-only"), path);
		townorg_repo_free(*out);
		*out = NULL;
		return EXIT_BAD;
	}
	return EXIT_OK;
}

int cli_lookup(const townorg_version **out, const townorg_repo *repo, const char *name)
{
	int rc = townorg_repo_lookup(out, repo, name);
	if (rc < 0)
		return cli_lib_error(rc);
	if (!*out) {
		cli_warn(_("'%s' names no version (the branch is empty)"), name);
		return EXIT_BAD;
	}
	return EXIT_OK;
}

int cli_branch_head(const townorg_version **out, const townorg_repo *repo, const char *branch)
{
	int rc = townorg_repo_branch_head(out, repo, branch);
	if (rc < 0)
		return cli_lib_error(rc);
	if (!*out) {
		cli_warn(_("branch '%s' has no versions yet"), branch);
		return EXIT_BAD;
	}
	return EXIT_OK;
}

const char *cli_short_id(const townorg_version *v)
{
	static char bufs[4][16];
	static int next;
	char *b = bufs[next++ & 3];
	if (!v)
		return "-";
	snprintf(b, sizeof bufs[0], "%.12s", townorg_version_id(v));
	return b;
}

char *cli_refs_of(const townorg_repo *repo, const townorg_version *v)
{
	size_t cap = 64, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass == 0 ? townorg_repo_branch_count(repo) : townorg_repo_tag_count(repo);
		for (size_t i = 0; i < n; i++) {
			const townorg_version *at = NULL;
			const char *name;
			if (pass == 0) {
				name = townorg_repo_branch_name(repo, i);
				if (townorg_repo_branch_head(&at, repo, name) < 0)
					continue;
			} else {
				name = townorg_repo_tag_name(repo, i, &at);
			}
			if (!at || strcmp(townorg_version_id(at), townorg_version_id(v)) != 0)
				continue;
			size_t need = len + strlen(name) + 3;
			if (need > cap) {
				while (need > cap)
					cap *= 2;
				char *t = realloc(s, cap);
				if (!t) {
					free(s);
					return NULL;
				}
				s = t;
			}
			len += (size_t)sprintf(s + len, "%s%s", len ? ", " : "", name);
		}
	}
	return s;
}

/* ------------------------------------------------------------ text */

/* Columns a code point takes on a terminal: East Asian wide and full-width
 * characters take two (enough for Chinese names, 〔〕 and full-width
 * digits), combining marks none. */
static int cp_width(uint32_t c)
{
	if (c == 0 || (c >= 0x300 && c <= 0x36f) || c == 0x200b)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

size_t cli_display_width(const char *s)
{
	size_t w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c;
		int n;
		if (*p < 0x80) {
			c = *p;
			n = 1;
		} else if ((*p & 0xe0) == 0xc0) {
			c = *p & 0x1f;
			n = 2;
		} else if ((*p & 0xf0) == 0xe0) {
			c = *p & 0x0f;
			n = 3;
		} else {
			c = *p & 0x07;
			n = 4;
		}
		int i;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			c = (c << 6) | (p[i] & 0x3f);
		p += i;
		w += (size_t)cp_width(c);
	}
	return w;
}

const char *cli_or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* Kinds are labelled by the library's schema (townorg_kind_label). */
const char *cli_kind_label(townorg_kind kind)
{
	if (cli_lang != TOWNORG_LANG_ZH)
		return townorg_kind_token(kind) ? townorg_kind_token(kind) : "?";
	const char *l = townorg_kind_label(kind, TOWNORG_LANG_ZH);
	return l ? l : "?";
}

const char *cli_class_label(townorg_class cls)
{
	if (cls == TOWNORG_CLASS_NONE)
		return "-";
	if (cli_lang != TOWNORG_LANG_ZH)
		return townorg_class_token(cls);
	switch (cls) {
	case TOWNORG_CLASS_LARGE: return P_("class", "large");
	case TOWNORG_CLASS_MEDIUM: return P_("class", "medium");
	case TOWNORG_CLASS_SMALL: return P_("class", "small");
	default: return "-";
	}
}

const char *cli_event_label(townorg_event_kind kind)
{
	const char *tok = townorg_event_kind_token(kind);
	if (!tok)
		return "?";
	if (cli_lang != TOWNORG_LANG_ZH)
		return tok;
	switch (kind) {
	case TOWNORG_EVENT_CREATE: return P_("event", "create");
	case TOWNORG_EVENT_ABOLISH: return P_("event", "abolish");
	case TOWNORG_EVENT_MERGE: return P_("event", "merge");
	case TOWNORG_EVENT_SPLIT: return P_("event", "split");
	case TOWNORG_EVENT_REORGANIZE: return P_("event", "reorganize");
	case TOWNORG_EVENT_RENAME: return P_("event", "rename");
	case TOWNORG_EVENT_RECLASSIFY: return P_("event", "reclassify");
	case TOWNORG_EVENT_MOVE: return P_("event", "move");
	case TOWNORG_EVENT_TRANSFER_FUNCTIONS: return P_("event", "transfer_functions");
	case TOWNORG_EVENT_TRANSFER_STAFF: return P_("event", "transfer_staff");
	case TOWNORG_EVENT_TRANSFER_ARCHIVES: return P_("event", "transfer_archives");
	default: return tok;
	}
}

/* ------------------------------------------------------------ tables */

struct cli_table {
	size_t ncols;
	char **cells;  /* row-major; the first row is the header */
	size_t ncells, cap;
	unsigned char *right;
};

cli_table *cli_table_new(size_t ncols, const char *const *headers)
{
	cli_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->right = calloc(ncols, 1);
	for (size_t i = 0; i < ncols; i++)
		cli_table_add(t, headers[i]);
	return t;
}

void cli_table_right(cli_table *t, size_t col)
{
	if (t && col < t->ncols)
		t->right[col] = 1;
}

void cli_table_add(cli_table *t, const char *cell)
{
	if (!t)
		return;
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cells, cap * sizeof *c);
		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	t->cells[t->ncells++] = strdup(cell ? cell : "");
}

void cli_table_addf(cli_table *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cli_table_add(t, buf);
}

void cli_table_print(cli_table *t, FILE *out)
{
	if (!t)
		return;
	size_t *w = calloc(t->ncols, sizeof *w);
	if (!w)
		return;
	for (size_t i = 0; i < t->ncells; i++) {
		size_t dw = cli_display_width(t->cells[i]);
		if (dw > w[i % t->ncols])
			w[i % t->ncols] = dw;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		size_t col = i % t->ncols;
		size_t pad = w[col] - cli_display_width(t->cells[i]);
		int last = col == t->ncols - 1 || i == t->ncells - 1;
		if (t->right[col])
			fprintf(out, "%*s", (int)pad, "");
		fputs(t->cells[i], out);
		if (!t->right[col] && !last)
			fprintf(out, "%*s", (int)pad, "");
		fputs(last ? "\n" : "  ", out);
	}
	free(w);
}

void cli_table_free(cli_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}

/* ------------------------------------------------------------ JSON */

void cli_json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void cli_json_key(FILE *out, int *first, const char *key)
{
	if (!*first)
		fputs(", ", out);
	*first = 0;
	cli_json_str(out, key);
	fputs(": ", out);
}

/* A version's and an event's objects come from the library
 * (townorg_version_to_json, townorg_event_to_json). */
static void json_owned(FILE *out, int rc, char *s)
{
	if (rc == 0)
		fputs(s, out);
	else
		fputs("null", out);
	townorg_free(s);
}

void cli_json_event(FILE *out, const townorg_event *e)
{
	char *s = NULL;
	int rc = townorg_event_to_json(&s, e);
	json_owned(out, rc, s);
}

void cli_json_version(FILE *out, const townorg_repo *repo, const townorg_version *v)
{
	char *s = NULL;
	int rc = townorg_version_to_json(&s, v, repo);
	json_owned(out, rc, s);
}

/* ------------------------------------------------------------ progress */

static int progress_shown;

void cli_progress(const char *what, uint64_t done, uint64_t total)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	if (total)
		fprintf(stderr, "\r%s %llu/%llu ", what, (unsigned long long)done, (unsigned long long)total);
	else
		fprintf(stderr, "\r%s %llu ", what, (unsigned long long)done);
	fputs("\033[K", stderr);
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cli.h — shared declarations of the `townorg` command-line program.
 *
 * The program uses only libtownorg's public API.  Each group of subcommands
 * lives in its own cli/cmd_*.c; cli/util.c holds what they share: argument
 * parsing, version names, error reporting, aligned tables that count the
 * display width of Chinese text, and a small JSON writer.
 *
 * Exit codes (docs/cli.md): 0 success, 1 "the answer is no" (validation
 * errors, verify problems, merge conflicts), 2 bad usage or bad data.
 */
#ifndef TOWNORG_CLI_H
#define TOWNORG_CLI_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <townorg.h>

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#define gettext(s) (s)
#endif
#define N_(s) (s)
/* A message with a context (xgettext keyword P_:1c,2), for short words like
 * kind names that need their own translation. */
#define P_(ctx, s) cli_pgettext(ctx "\004" s, s)
const char *cli_pgettext(const char *ctx_and_id, const char *id);

enum { EXIT_OK = 0, EXIT_NO = 1, EXIT_BAD = 2 };

/* One subcommand. */
typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;   /* "REPO SOURCE [--format json|tables|nbs] ..." */
	const char *summary;    /* one line, translated at print time */
	const char *help;       /* the options, translated at print time */
} cli_command;

/* ---- program state */
extern const char *cli_cmd_name;   /* the running subcommand, for messages */
extern townorg_lang cli_lang;      /* language of human output */

/* ---- options: a small getopt_long wrapper */
typedef struct {
	const char *name;   /* long name without "--" */
	int short_name;     /* 'o' or 0 */
	int has_arg;        /* 1: takes a value */
	const char **value; /* where the value goes (has_arg) */
	int *flag;          /* set to 1 when present (no arg) */
} cli_option;

/* Parse argv (argv[0] is the subcommand).  Positionals are collected into
 * pos (at most max_pos; *npos set).  Handles --help.  Returns -1 when the
 * command should exit with *exit_code (help printed or usage error). */
int cli_parse(int argc, char **argv, const cli_option *opts, const char **pos, int max_pos, int *npos,
	int min_pos, int *exit_code);

/* ---- errors */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_lib_error(int code);         /* prints townorg_error_last(), returns EXIT_BAD */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_help(const cli_command *cmd, FILE *out);
const cli_command *cli_find_command(const char *name);

/* ---- repositories and versions */
int cli_open(townorg_repo **out, const char *path, int writable);
int cli_lookup(const townorg_version **out, const townorg_repo *repo, const char *name);
/* Head of a branch; an empty branch is an error here. */
int cli_branch_head(const townorg_version **out, const townorg_repo *repo, const char *branch);
/* Short id (12 hex digits) of a version, into a static buffer rotated 4x. */
const char *cli_short_id(const townorg_version *v);
/* Tags and branches naming v, comma separated (owned: free()). */
char *cli_refs_of(const townorg_repo *repo, const townorg_version *v);

/* ---- text */
size_t cli_display_width(const char *s);
const char *cli_kind_label(townorg_kind kind);
const char *cli_class_label(townorg_class cls);
const char *cli_event_label(townorg_event_kind kind);
const char *cli_or_dash(const char *s);

/* An aligned table: add cells row by row, then print. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(size_t ncols, const char *const *headers);
void cli_table_right(cli_table *t, size_t col);   /* right-align a column (numbers) */
void cli_table_add(cli_table *t, const char *cell); /* copies; fills the current row */
void cli_table_addf(cli_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_table_print(cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

/* ---- JSON output */
void cli_json_str(FILE *out, const char *s);      /* "..." or null */
void cli_json_key(FILE *out, int *first, const char *key);
void cli_json_version(FILE *out, const townorg_repo *repo, const townorg_version *v);
void cli_json_event(FILE *out, const townorg_event *e);

/* ---- progress on a terminal (stderr); quiet otherwise */
void cli_progress(const char *what, uint64_t done, uint64_t total);
void cli_progress_end(void);

/* ---- subcommands */
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_asof(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_blame(int argc, char **argv);
int cmd_lineage(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_branch(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_merge(int argc, char **argv);
/* org charts and the HTML report (cmd_chart.c; issue 21) */
int cmd_chart(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* ---- reliability and signed heads (cli/cmd_sign.c) */
/* Take the options every command accepts (--max-input SIZE) out of argv
 * and apply them; -1 with *exit_code on a bad value. */
int cli_global_options(int *argc, char **argv, int *exit_code);
/* verify --expect-head / --key / --signature: one result per check
 * (ok or not, what it is about, message).  EXIT_BAD for an unreadable key
 * or signature file or a malformed head (message printed), else EXIT_OK
 * with the results (free with cli_head_results_free). */
typedef struct {
	int ok;
	char *what, *message;
} cli_head_result;
int cli_check_heads(const char *repo_path, const char *expect, const char *key, const char *signature,
	cli_head_result **out, size_t *n);
void cli_head_results_free(cli_head_result *r, size_t n);
int cmd_keygen(int argc, char **argv);
int cmd_sign_head(int argc, char **argv);

/* "did you mean" (suggest.c): the closest candidate within a small edit
 * distance, or NULL; the error (exit 2) for an entity id a version lacks */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);
int cli_entity_error(const townorg_version *v, const char *id);
/* EXIT_OK when `field` is a field of entities (a known one, a quota type, or
 * an attribute some entity of a or b has); else a usage error (exit 2) with
 * "did you mean". */
int cli_check_field(const townorg_version *a, const townorg_version *b, const char *field);

/* the report of an NBS import (import_report.c) */
void cli_nbs_report_text(const townorg_realdata_report *rep, const char *branch, int with_events);
void cli_nbs_report_json(FILE *out, const townorg_realdata_report *rep, const char *branch);

/* shared by show and as-of */
int cli_show_version(const townorg_repo *repo, const townorg_version *v, const char *entity, int json);

#endif /* TOWNORG_CLI_H */

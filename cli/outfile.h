/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/outfile.h — output files of the chart and report commands, and the
 * report's HTML writer (cli/report_html.c).
 */
#ifndef TOWNORG_CLI_OUTFILE_H
#define TOWNORG_CLI_OUTFILE_H

#include <stddef.h>
#include <townorg.h>

/* Refuse an output path that is a directory or the repository file
 * (repo_path, or NULL).  Returns EXIT_OK or EXIT_BAD (message printed). */
int cli_output_check(const char *path, const char *repo_path);

/* Write len bytes to path through a temporary file, fsync and rename.
 * Returns EXIT_OK or EXIT_BAD (message printed; the old file is kept). */
int cli_output_write(const char *path, const char *repo_path, const void *data, size_t len);

/* What the report shows. */
typedef struct {
	const townorg_repo *repo;
	const char *repo_path;         /* for the header */
	const townorg_version *from, *to;
	const char *from_name, *to_name; /* as given on the command line */
	const char *under;             /* the unit charted and tabled (resolved) */
	const townorg_policy *policy;  /* NULL: the default policy */
	const char *policy_name;       /* file name, or NULL */
	townorg_lang lang;
	int charts;                    /* 1: Graphviz charts; 0: tables instead */
} cli_report;

/* The report as one self-contained HTML document.  *out is malloc'd (free
 * it); returns 0, or a negative libtownorg code (message printed). */
int cli_report_html(char **out, size_t *len, const cli_report *r);

#endif

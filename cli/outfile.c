/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/outfile.c — writing an output file (a chart, a report) safely, with
 * the library's atomic writer (townorg_write_file_atomic): the bytes go to
 * a temporary file beside the target, are flushed to disk (fsync), and the
 * temporary file is renamed over the target; the directory is synced too.  A reader never sees half a file, and a failed write leaves the old
 * file as it was.  The target may not be the repository file itself (nor a
 * link to it), nor a directory: both are refused before anything is
 * written.
 */
#include <config.h>
#include <sys/stat.h>
#include "cli.h"
#include "outfile.h"

int cli_output_check(const char *path, const char *repo_path)
{
	struct stat out_st, repo_st;
	if (!path || !*path)
		return cli_usage_error(_("an output file is required (-o FILE)"));
	if (stat(path, &out_st) == 0) {
		if (S_ISDIR(out_st.st_mode)) {
			cli_warn(_("%s: is a directory, not an output file"), path);
			return EXIT_BAD;
		}
		if (repo_path && stat(repo_path, &repo_st) == 0 && out_st.st_dev == repo_st.st_dev &&
		    out_st.st_ino == repo_st.st_ino) {
			cli_warn(_("%s: is the repository file; refusing to write over it"), path);
			return EXIT_BAD;
		}
	}
	return EXIT_OK;
}

int cli_output_write(const char *path, const char *repo_path, const void *data, size_t len)
{
	int ec = cli_output_check(path, repo_path);
	if (ec)
		return ec;
	/* the library's atomic writer: temporary file, fsync, rename, the
	 * folder's fsync; it refuses any repository and its -wal/-shm */
	int rc = townorg_write_file_atomic(path, data, len);
	return rc < 0 ? cli_lib_error(rc) : EXIT_OK;
}

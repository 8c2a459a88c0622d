/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/outfile.c — writing an output file (a chart, a report) safely.
 *
 * The bytes go to a temporary file beside the target (same directory, so
 * the rename cannot cross file systems), are flushed to disk (fsync), and
 * the temporary file is renamed over the target; the directory is synced
 * too.  A reader never sees half a file, and a failed write leaves the old
 * file as it was.  The target may not be the repository file itself (nor a
 * link to it), nor a directory: both are refused before anything is
 * written.
 */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "outfile.h"

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

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
	char *dcopy = strdup(path), *bcopy = strdup(path);
	char *tmp = NULL;
	int fd = -1, dfd = -1;
	ec = EXIT_BAD;
	if (!dcopy || !bcopy)
		goto oom;
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t tl = strlen(dir) + strlen(base) + 16;
	tmp = malloc(tl);
	if (!tmp)
		goto oom;
	snprintf(tmp, tl, "%s/.%s.XXXXXX", dir, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_warn(_("%s: cannot create a temporary file: %s"), path, strerror(errno));
		goto out;
	}
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		cli_warn(_("%s: write failed: %s"), path, strerror(errno));
		goto unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		cli_warn(_("%s: write failed: %s"), path, strerror(errno));
		goto unlink;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		cli_warn(_("%s: cannot rename the temporary file into place: %s"), path, strerror(errno));
		goto unlink;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	ec = EXIT_OK;
	goto out;
unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
	goto out;
oom:
	cli_warn("%s", _("out of memory"));
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dcopy);
	free(bcopy);
	return ec;
}

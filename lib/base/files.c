/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * files.c — the library's one place for input and output files
 * (include/townorg/files.h, lib/files_internal.h).
 *
 * Output: every writer of an output file goes through townorg__atomic_*
 * (or townorg_write_file_atomic on top of it).  The bytes go to a new
 * temporary file in the target's directory (so that the rename stays on
 * one file system), created with O_EXCL under a name no other writer uses
 * (`.NAME.<pid>.<counter>.tmp`); commit fsyncs it, gives it the mode of the
 * file it replaces, renames it over the target and fsyncs the directory.
 * A failure at any step (a short write for a full disk or RLIMIT_FSIZE,
 * fsync, rename) removes the temporary file and leaves the target as it
 * was.  Before anything is created the target is checked: a townorg
 * repository (recognised by its SQLite header and application id, so
 * through any name or link) or an SQLite `-wal`/`-shm`/`-journal` file is
 * never replaced.
 *
 * Input: townorg__read_input opens the file, refuses what is neither a
 * regular file nor a pipe (a device like /dev/zero never ends; a directory
 * is not a document), refuses a regular file larger than the input limit
 * from its size before reading, and stops a pipe as soon as more than the
 * limit arrived.  A read error stops the read with the file's name and the
 * reason (EINTR is retried).  The limit is process-wide (an atomic
 * variable), 512 MiB by default, set by townorg_set_max_input (the
 * program's --max-input).  No input of the library is legitimately that
 * large: the national workload's whole-repository JSON is far smaller.
 */
#include "base/files_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t max_input; /* 0: the default */

void townorg_set_max_input(uint64_t bytes) { __atomic_store_n(&max_input, bytes, __ATOMIC_RELAXED); }

uint64_t townorg_max_input(void)
{
	uint64_t m = __atomic_load_n(&max_input, __ATOMIC_RELAXED);
	return m ? m : TOWNORG_MAX_INPUT_DEFAULT;
}

/* ------------------------------------------------------------ output */

/* 1 when the file at path starts with an SQLite header; *townorg set when
 * its application id is townorg's ("TOWN").  0 when it is not (or cannot
 * be read: then rename would be refused by the system anyway or the file
 * is not ours to judge). */
static int sqlite_header(const char *path, int *townorg)
{
	unsigned char h[72];
	*townorg = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	struct stat sb;
	ssize_t n = 0;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		n = pread(fd, h, sizeof h, 0);
	close(fd);
	if (n < 16 || memcmp(h, "SQLite format 3", 16))
		return 0;
	*townorg = n >= 72 && !memcmp(h + 68, "TOWN", 4);
	return 1;
}

int townorg_output_path_check(const char *path)
{
	if (!path || !*path)
		return townorg__err(TOWNORG_EINVALID, "no file name to write to");
	int town;
	if (sqlite_header(path, &town) && town)
		return townorg__err(TOWNORG_EINVALID, "%s is a townorg repository: refusing to overwrite it with an output file",
				    path);
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		size_t k = strlen(sfx[i]);
		if (n <= k || strcmp(path + n - k, sfx[i]))
			continue;
		char *base = townorg__strndup(path, n - k);
		if (!base)
			return townorg__oom();
		struct stat sb;
		int is_db = sqlite_header(base, &town), exists = stat(base, &sb) == 0;
		townorg__free(base);
		if (is_db || exists)
			return townorg__err(TOWNORG_EINVALID,
					    "%s belongs to the %s database beside it (SQLite's %s file): refusing to overwrite it",
					    path, town ? "townorg repository" : "SQLite", sfx[i] + 1);
	}
	return 0;
}

int townorg__fsync_dir(const char *path)
{
	char *copy = townorg__strdup(path);
	if (!copy)
		return -ENOMEM;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	townorg__free(copy);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 && errno != EINVAL && errno != EROFS ? -errno : 0;
	close(fd);
	return rc;
}

int townorg__atomic_begin(townorg__atomic *a, const char *path)
{
	static unsigned long counter;
	memset(a, 0, sizeof *a);
	a->fd = -1;
	int rc = townorg_output_path_check(path);
	if (rc < 0)
		return rc;
	char *copy = townorg__strdup(path);
	a->path = townorg__strdup(path);
	if (!copy || !a->path) {
		townorg__free(copy);
		townorg__free(a->path);
		a->path = NULL;
		return townorg__oom();
	}
	char *slash = strrchr(copy, '/');
	const char *base = slash ? slash + 1 : copy;
	size_t dirlen = slash ? (size_t)(slash - copy) + 1 : 0;
	size_t cap = strlen(path) + 64;
	a->tmp = townorg__malloc(cap);
	if (!a->tmp) {
		townorg__free(copy);
		townorg__free(a->path);
		a->path = NULL;
		return townorg__oom();
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned long c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		snprintf(a->tmp, cap, "%.*s.%s.%ld.%lu.tmp", (int)dirlen, copy, base, (long)getpid(), c);
		a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (a->fd >= 0 || errno != EEXIST)
			break;
	}
	int err = errno;
	townorg__free(copy);
	if (a->fd < 0) {
		rc = townorg__err(TOWNORG_EIO, "%s: cannot create a temporary file beside it: %s", path, strerror(err));
		townorg__free(a->tmp);
		townorg__free(a->path);
		memset(a, 0, sizeof *a);
		a->fd = -1;
		return rc;
	}
	return 0;
}

void townorg__atomic_write(townorg__atomic *a, const void *data, size_t len)
{
	const char *p = data;
	while (len && !a->err) {
		ssize_t n = write(a->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			a->err = n < 0 ? errno : ENOSPC;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void atomic_free(townorg__atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp)
		unlink(a->tmp);
	townorg__free(a->tmp);
	townorg__free(a->path);
	memset(a, 0, sizeof *a);
	a->fd = -1;
}

void townorg__atomic_abort(townorg__atomic *a) { atomic_free(a); }

int townorg__atomic_commit(townorg__atomic *a)
{
	int rc = 0;
	struct stat sb;
	if (!a->err && fsync(a->fd) < 0)
		a->err = errno;
	/* keep the mode of the file replaced */
	if (!a->err && stat(a->path, &sb) == 0 && S_ISREG(sb.st_mode))
		(void)fchmod(a->fd, sb.st_mode & 07777);
	if (!a->err && close(a->fd) < 0)
		a->err = errno;
	a->fd = -1;
	if (a->err) {
		rc = townorg__err(TOWNORG_EIO, "%s: write failed: %s (the previous file is unchanged)", a->path,
				  strerror(a->err));
	} else if (townorg_output_path_check(a->path) < 0) {
		rc = TOWNORG_EINVALID; /* it became a repository meanwhile */
	} else if (rename(a->tmp, a->path) < 0) {
		rc = townorg__err(TOWNORG_EIO, "%s: cannot rename the new file into place: %s", a->path, strerror(errno));
	} else {
		townorg__free(a->tmp);
		a->tmp = NULL; /* nothing to remove */
		int e = townorg__fsync_dir(a->path);
		if (e < 0 && e != -ENOMEM)
			rc = townorg__err(TOWNORG_EIO, "%s: written, but syncing its directory failed: %s", a->path,
					  strerror(-e));
	}
	atomic_free(a);
	return rc;
}

int townorg_write_file_atomic(const char *path, const void *data, size_t len)
{
	townorg__atomic a;
	if (!data && len)
		return townorg__err(TOWNORG_EINVALID, "no data to write");
	int rc = townorg__atomic_begin(&a, path);
	if (rc < 0)
		return rc;
	townorg__atomic_write(&a, data, len);
	return townorg__atomic_commit(&a);
}

/* ------------------------------------------------------------ input */

static int too_large(const char *path, uint64_t limit)
{
	return townorg__err(TOWNORG_EINVALID,
			    "%s: larger than the input limit of %llu bytes (raise it with --max-input or townorg_set_max_input)",
			    path, (unsigned long long)limit);
}

int townorg_input_read(char **out, size_t *len, const char *path)
{
	if (!out || !len)
		return townorg__err(TOWNORG_EINVALID, "townorg_input_read: no place for the result");
	return townorg__read_input(path, out, len);
}

int townorg__read_input(const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (!path || !*path)
		return townorg__err(TOWNORG_EINVALID, "no file name to read");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return townorg__err(errno == ENOENT ? TOWNORG_ENOTFOUND : TOWNORG_EIO, "%s: cannot open: %s", path,
				    strerror(errno));
	struct stat sb;
	uint64_t limit = townorg_max_input();
	int rc = 0;
	if (fstat(fd, &sb) < 0) {
		rc = townorg__err(TOWNORG_EIO, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(sb.st_mode) && !S_ISFIFO(sb.st_mode)) {
		rc = townorg__err(TOWNORG_EINVALID, "%s: not a regular file or a pipe (%s): refusing to read it", path,
				  S_ISDIR(sb.st_mode) ? "a directory" : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
													: "a special file");
	} else if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > limit) {
		rc = too_large(path, limit);
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	townorg__buf b = { 0 };
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = townorg__err(TOWNORG_EIO, "%s: read error: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if ((uint64_t)b.len + (uint64_t)n > limit) {
			rc = too_large(path, limit);
			break;
		}
		townorg__buf_put(&b, chunk, (size_t)n);
		if (b.failed)
			break;
	}
	close(fd);
	if (rc == 0) {
		townorg__buf_putc(&b, 0);
		if (b.failed)
			rc = townorg__oom();
	}
	if (rc < 0) {
		townorg__buf_free(&b);
		return rc;
	}
	*data = b.data;
	*len = b.len - 1;
	return 0;
}

/* The library's readers read files within the input limit, regular files
 * and pipes only. */
int townorg__read_file(const char *path, char **data, size_t *len)
{
	return townorg__read_input(path, data, len);
}

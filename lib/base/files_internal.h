/* SPDX-License-Identifier: MulanPSL-2.0 */
/* files_internal.h — the library's one place for writing output files
 * atomically and for reading input files within the input limit
 * (lib/files.c; the public part is include/townorg/files.h).  Internal. */
#ifndef TOWNORG_FILES_INTERNAL_H
#define TOWNORG_FILES_INTERNAL_H

#include "base/internal.h"
#include "townorg/files.h"

/* An output file being written: write to it with townorg__atomic_write
 * (or fd / a stdio stream of your own on fd), then townorg__atomic_commit
 * (fsync, rename into place) or townorg__atomic_abort (remove).  Both
 * free everything; after commit's failure no abort is needed. */
typedef struct {
	char *path; /* the target */
	char *tmp;  /* the temporary file beside it */
	int fd;
	int err;    /* first write error (errno), 0 if none */
} townorg__atomic;

/* Check the target (townorg_output_path_check) and create the temporary
 * file.  0, or EINVALID / EIO naming the target. */
int townorg__atomic_begin(townorg__atomic *a, const char *path);
/* Append bytes; errors are kept and reported by commit. */
void townorg__atomic_write(townorg__atomic *a, const void *data, size_t len);
int townorg__atomic_commit(townorg__atomic *a);
void townorg__atomic_abort(townorg__atomic *a);

/* fsync the directory holding path (after a rename into it); 0 or -errno. */
int townorg__fsync_dir(const char *path);

/* Read an input file: a regular file or a pipe, at most the input limit
 * (townorg_max_input).  Owned NUL-terminated memory; *len excludes the
 * NUL.  ENOTFOUND / EIO / EINVALID name the path; ENOMEM.  This is what
 * townorg__read_file does. */
int townorg__read_input(const char *path, char **data, size_t *len);

#endif

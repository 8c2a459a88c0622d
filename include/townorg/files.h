/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/files.h — how the library reads its input files and writes its
 * output files.  Part of libtownorg's public API.
 *
 * Input (JSON documents, policy files, NBS and MCA tables, CSV table sets):
 * only a regular file or a pipe is read (a device such as /dev/zero or a
 * directory is refused), a read error stops the read with a message naming
 * the file, and no input may be larger than the input limit
 * (townorg_set_max_input; 512 MiB unless set).  A regular file larger than
 * the limit is refused before anything is read; a pipe is refused as soon
 * as more than the limit has arrived, so a hostile input never costs more
 * memory than the limit.
 *
 * Output files (JSON exports, signed-head files, ...) are written to a
 * temporary file in the same directory, flushed to disk (fsync) and
 * renamed over the target, so a failed write (disk full, file size limit,
 * a crash) leaves the previous file as it was.  The target may never be a
 * townorg repository or one of SQLite's files beside it (`-wal`, `-shm`,
 * `-journal`): exporting over the repository being read is refused.
 */
#ifndef TOWNORG_FILES_H
#define TOWNORG_FILES_H

#include "common.h"

TOWNORG_BEGIN_DECLS

/** The input limit in force when none was set: 512 MiB. */
#define TOWNORG_MAX_INPUT_DEFAULT ((uint64_t)512 << 20)

/**
 * Set the largest input file the library reads, in bytes, for the whole
 * process (all threads).  0 restores TOWNORG_MAX_INPUT_DEFAULT.  An input
 * larger than the limit fails with TOWNORG_EINVALID and a message naming
 * the file and the limit.
 */
TOWNORG_EXTERN(void) townorg_set_max_input(uint64_t bytes);

/** The input limit in force, in bytes. */
TOWNORG_EXTERN(uint64_t) townorg_max_input(void);

/**
 * Read a whole input file the way the library reads its own: a regular
 * file or a pipe, at most the input limit, stopping at a read error
 * (TOWNORG_EINVALID / TOWNORG_EIO / TOWNORG_ENOTFOUND naming the path).
 * *out is NUL-terminated (*len excludes the NUL); free it with
 * townorg_free.  A pipe can be read only once: read it with this, then
 * use the in-memory import functions.
 */
TOWNORG_EXTERN(int) townorg_input_read(char **out, size_t *len, const char *path);

/**
 * Check that `path` may be written as an output file: 0, or
 * TOWNORG_EINVALID with a message when it is a townorg repository (by its
 * content, so also through another name, a hard or symbolic link), or the
 * `-wal`, `-shm` or `-journal` file of an SQLite database.  A path that
 * does not exist is fine.  Every output writer of the library calls this.
 */
TOWNORG_EXTERN(int) townorg_output_path_check(const char *path);

/**
 * Write `len` bytes to `path` atomically: a temporary file in the same
 * directory (`.NAME.XXXXXX.tmp`, created with mode 0666 less the umask, or
 * the mode of the file it replaces), fsync, rename over `path`, fsync of
 * the directory.  On any failure the temporary file is removed, `path` is
 * unchanged, and the message names `path` and the reason (TOWNORG_EIO).
 * Refuses what townorg_output_path_check refuses.
 */
TOWNORG_EXTERN(int) townorg_write_file_atomic(const char *path, const void *data, size_t len);

TOWNORG_END_DECLS

#endif /* TOWNORG_FILES_H */

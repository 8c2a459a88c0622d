/* faultvfs.h — a test-only SQLite VFS for fault injection (tests/faultvfs.c,
 * docs/reliability.md).  It is registered as the default VFS of the test
 * binary that calls fv_install() and forwards everything to the real
 * default VFS ("unix"), including the shared-memory methods WAL needs
 * (sqlite3_io_methods version 2), so the store runs in its production
 * journal mode (WAL, synchronous=FULL) under it.  Two kinds of fault:
 *  - I/O errors: the Nth call of the chosen kinds (read, write, sync,
 *    truncate, shared-memory map, shared-memory lock) fails with the
 *    matching SQLITE_IOERR_* code (SQLITE_FULL for writes when asked);
 *  - power loss: every file's content as of its last xSync is kept; at
 *    the Nth write, sync or truncate (before it happens) every file is put
 *    back to that content — the writes the disk never made durable are
 *    lost — and the process kills itself with SIGKILL.  Only for a forked
 *    child; the parent then opens the file as a rebooted machine would.
 * Never linked into the library. */
#ifndef TOWNORG_FAULTVFS_H
#define TOWNORG_FAULTVFS_H

#include <stdbool.h>

enum {
	FV_READ = 1 << 0,
	FV_WRITE = 1 << 1,
	FV_SYNC = 1 << 2,
	FV_TRUNC = 1 << 3,
	FV_SHMMAP = 1 << 4,
	FV_SHMLOCK = 1 << 5,
	FV_ALL = (1 << 6) - 1
};

/* Register the VFS as the default (once; after any sqlite3_config). */
void fv_install(void);
/* Fail the nth call (1 = the next) among the kinds in `what`, counted from
 * now; writes fail with SQLITE_FULL when full, else SQLITE_IOERR_WRITE. */
void fv_arm(unsigned what, long nth, bool full);
/* Stop failing; returns how many calls of the armed kinds were counted. */
long fv_disarm(void);
/* Whether the armed fault has happened since fv_arm. */
bool fv_fired(void);
/* Calls of each kind the VFS has seen (all, armed or not), by FV_ bit. */
long fv_calls(unsigned kind);
/* Power-loss mode (a forked child only): from now, remember what each
 * file held at its last sync; at the crash_at-th write, sync or truncate,
 * put every file back to that and SIGKILL the process.  0: never crash,
 * only keep the images (fv_power_crash then crashes on demand). */
void fv_power_on(long crash_at);
void fv_power_crash(void) __attribute__((noreturn));
/* Writes, syncs and truncates counted since fv_power_on. */
long fv_power_count(void);

#endif

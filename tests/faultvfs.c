/* faultvfs.c — the fault-injecting SQLite VFS of the tests (faultvfs.h).
 *
 * Design: each file opened through the VFS wraps the real VFS's file.
 * Every method is forwarded; the ones that can fail on a real machine
 * (xRead, xWrite, xSync, xTruncate, xShmMap, xShmLock) first ask
 * `fault_here` whether this is the armed call.  iVersion is 2: the
 * shared-memory methods are forwarded, so journal_mode=WAL works exactly
 * as on the real VFS (with version 1 methods SQLite silently stays in a
 * rollback journal, which is what the older shim of check_reliability.c
 * tested); xFetch/xUnfetch (version 3, memory-mapped reads) are left out so
 * that every page read goes through xRead and can fail.
 *
 * Power loss keeps, per path, the bytes the file held at its last xSync
 * (or when first opened): a write or truncate only marks the path dirty,
 * a sync takes a new image from the disk.  The crash writes the images of
 * dirty paths back (as if the unsynced writes had never reached the disk)
 * and SIGKILLs the process, which releases its locks; the -shm file is
 * left as it is, as SQLite rebuilds it when the first connection after a
 * reboot finds no other.  Not modelled: a torn sector, a write reordered
 * before an earlier unsynced one, a lost directory entry (files are never
 * created and then needed across a crash by the store in WAL mode).  The
 * images use the C library's malloc, never SQLite's or the library's, so
 * that the allocation-failure tests do not count them. */
#include <config.h>
#include "faultvfs.h"
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	sqlite3_file base;
	sqlite3_file *real;
	int image; /* index in images[], or -1 */
} fv_file;

static sqlite3_vfs fv_vfs, *real_vfs;
static sqlite3_io_methods fv_io;
static unsigned armed_what;
static long armed_nth, armed_count;
static bool armed_full, fired;
static long calls[6];

/* power loss */
typedef struct {
	char *path;
	unsigned char *data;
	size_t len;
	bool dirty;
} image;
static image *images;
static size_t n_images;
static bool power;
static long power_at, power_count;

static int bit_index(unsigned kind)
{
	int i = 0;
	while (kind > 1)
		kind >>= 1, i++;
	return i;
}

long fv_calls(unsigned kind) { return calls[bit_index(kind)]; }

static bool fault_here(unsigned kind)
{
	__atomic_add_fetch(&calls[bit_index(kind)], 1, __ATOMIC_RELAXED);
	if (power && (kind & (FV_WRITE | FV_SYNC | FV_TRUNC)) && ++power_count == power_at)
		fv_power_crash();
	if (!armed_nth || !(armed_what & kind))
		return false;
	if (++armed_count != armed_nth)
		return false;
	fired = true;
	return true;
}

void fv_arm(unsigned what, long nth, bool full)
{
	armed_what = what;
	armed_count = 0;
	armed_full = full;
	fired = false;
	armed_nth = nth;
}

long fv_disarm(void)
{
	armed_nth = 0;
	return armed_count;
}

bool fv_fired(void) { return fired; }

/* ------------------------------------------------------------ power loss */

static bool read_whole(const char *path, unsigned char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return true; /* not there: an empty image */
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return false;
	}
	*data = malloc(st.st_size ? (size_t)st.st_size : 1);
	size_t got = 0;
	while (*data && got < (size_t)st.st_size) {
		ssize_t n = read(fd, *data + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return *data != NULL;
}

static int image_of(const char *path)
{
	for (size_t i = 0; i < n_images; i++)
		if (images[i].path && !strcmp(images[i].path, path))
			return (int)i;
	image *n = realloc(images, (n_images + 1) * sizeof *n);
	if (!n)
		abort();
	images = n;
	image *im = &images[n_images];
	memset(im, 0, sizeof *im);
	im->path = strdup(path);
	if (!im->path || !read_whole(path, &im->data, &im->len))
		abort();
	return (int)n_images++;
}

static void image_refresh(int i)
{
	if (i < 0)
		return;
	free(images[i].data);
	if (!read_whole(images[i].path, &images[i].data, &images[i].len))
		abort();
	images[i].dirty = false;
}

void fv_power_on(long crash_at)
{
	power_at = crash_at;
	power_count = 0;
	power = true;
}

long fv_power_count(void) { return power_count; }

void fv_power_crash(void)
{
	for (size_t i = 0; i < n_images; i++) {
		image *im = &images[i];
		if (!im->path || !im->dirty)
			continue;
		int fd = open(im->path, O_WRONLY | O_TRUNC | O_CREAT, 0644);
		if (fd < 0 || (im->len && write(fd, im->data, im->len) != (ssize_t)im->len))
			abort();
		close(fd);
	}
	kill(getpid(), SIGKILL);
	abort();
}

/* ------------------------------------------------------------ methods */

static int fv_close(sqlite3_file *f)
{
	fv_file *s = (fv_file *)f;
	int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
	free(s->real);
	return rc;
}

static int fv_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	fv_file *s = (fv_file *)f;
	if (fault_here(FV_READ))
		return SQLITE_IOERR_READ;
	return s->real->pMethods->xRead(s->real, p, n, off);
}

static int fv_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	fv_file *s = (fv_file *)f;
	if (fault_here(FV_WRITE))
		return armed_full ? SQLITE_FULL : SQLITE_IOERR_WRITE;
	if (s->image >= 0)
		images[s->image].dirty = true;
	return s->real->pMethods->xWrite(s->real, p, n, off);
}

static int fv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	fv_file *s = (fv_file *)f;
	if (fault_here(FV_TRUNC))
		return SQLITE_IOERR_TRUNCATE;
	if (s->image >= 0)
		images[s->image].dirty = true;
	return s->real->pMethods->xTruncate(s->real, size);
}

static int fv_sync(sqlite3_file *f, int flags)
{
	fv_file *s = (fv_file *)f;
	if (fault_here(FV_SYNC))
		return SQLITE_IOERR_FSYNC;
	int rc = s->real->pMethods->xSync(s->real, flags);
	if (rc == SQLITE_OK && power)
		image_refresh(s->image);
	return rc;
}

static int fv_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	fv_file *s = (fv_file *)f;
	if (fault_here(FV_SHMMAP)) {
		*pp = NULL;
		return SQLITE_IOERR_SHMMAP;
	}
	return s->real->pMethods->xShmMap(s->real, pg, pgsz, extend, pp);
}

static int fv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	fv_file *s = (fv_file *)f;
	/* an unlock cannot fail: SQLite ignores its result */
	if (!(flags & SQLITE_SHM_UNLOCK) && fault_here(FV_SHMLOCK))
		return SQLITE_IOERR_SHMLOCK;
	return s->real->pMethods->xShmLock(s->real, offset, n, flags);
}

#define PASS(name, ret, proto, args)                                                                      \
	static ret fv_##name proto                                                                         \
	{                                                                                                  \
		fv_file *s = (fv_file *)f;                                                                 \
		return s->real->pMethods->x##name args;                                                    \
	}
PASS(FileSize, int, (sqlite3_file * f, sqlite3_int64 *size), (s->real, size))
PASS(Lock, int, (sqlite3_file * f, int l), (s->real, l))
PASS(Unlock, int, (sqlite3_file * f, int l), (s->real, l))
PASS(CheckReservedLock, int, (sqlite3_file * f, int *out), (s->real, out))
PASS(FileControl, int, (sqlite3_file * f, int op, void *arg), (s->real, op, arg))
PASS(SectorSize, int, (sqlite3_file * f), (s->real))
PASS(DeviceCharacteristics, int, (sqlite3_file * f), (s->real))
PASS(ShmUnmap, int, (sqlite3_file * f, int del), (s->real, del))

static void fv_shm_barrier(sqlite3_file *f)
{
	fv_file *s = (fv_file *)f;
	s->real->pMethods->xShmBarrier(s->real);
}

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)vfs;
	fv_file *s = (fv_file *)f;
	s->image = -1;
	s->real = calloc(1, (size_t)real_vfs->szOsFile);
	if (!s->real)
		return SQLITE_NOMEM;
	int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		free(s->real);
		s->real = NULL;
		f->pMethods = NULL;
		return rc;
	}
	if (power && name && !(flags & SQLITE_OPEN_DELETEONCLOSE))
		s->image = image_of(name);
	f->pMethods = &fv_io;
	return SQLITE_OK;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int dirsync)
{
	(void)vfs;
	for (size_t i = 0; i < n_images; i++)
		if (images[i].path && !strcmp(images[i].path, name)) {
			/* a deleted file stays deleted (the store's WAL mode deletes
			 * only the -wal file, after a complete checkpoint) */
			free(images[i].path);
			free(images[i].data);
			images[i].path = NULL;
			images[i].data = NULL;
		}
	return real_vfs->xDelete(real_vfs, name, dirsync);
}

void fv_install(void)
{
	if (real_vfs)
		return;
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs)
		abort();
	fv_vfs = *real_vfs;
	fv_vfs.zName = "townorg-faultvfs";
	fv_vfs.szOsFile = sizeof(fv_file);
	fv_vfs.xOpen = fv_open;
	fv_vfs.xDelete = fv_delete;
	fv_io = (sqlite3_io_methods){
		.iVersion = 2,
		.xClose = fv_close,
		.xRead = fv_read,
		.xWrite = fv_write,
		.xTruncate = fv_truncate,
		.xSync = fv_sync,
		.xFileSize = fv_FileSize,
		.xLock = fv_Lock,
		.xUnlock = fv_Unlock,
		.xCheckReservedLock = fv_CheckReservedLock,
		.xFileControl = fv_FileControl,
		.xSectorSize = fv_SectorSize,
		.xDeviceCharacteristics = fv_DeviceCharacteristics,
		.xShmMap = fv_shm_map,
		.xShmLock = fv_shm_lock,
		.xShmBarrier = fv_shm_barrier,
		.xShmUnmap = fv_ShmUnmap,
	};
	if (sqlite3_vfs_register(&fv_vfs, 1) != SQLITE_OK)
		abort();
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * fuzz_util.h — helpers shared by the libFuzzer targets (fuzz/fuzz_*.c)
 * and by tests/check_bad_inputs.c, which feeds the bad-input corpus
 * through the same loaders.
 *
 * Loaders that read a folder of files (CSV tables, an NBS edition) take
 * one input holding every file: the parts are separated by a line "%%"
 * and go, in order, to the names the loader lists; missing parts are
 * written empty.  A file's own bytes never need escaping, since "%%" is
 * no valid first cell of any of these formats.
 */
#ifndef TOWNORG_FUZZ_UTIL_H
#define TOWNORG_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A private temporary folder, made once per process and removed at exit. */
static char fz_dir_[64];

static void fz_cleanup_(void)
{
	char cmd[128];
	if (!fz_dir_[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir_);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fz_dir_);
}

static inline const char *fz_tmpdir(void)
{
	if (!fz_dir_[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fz_dir_, sizeof fz_dir_, "%s/townorg-fz-XXXXXX", t && strlen(t) < 32 ? t : "/tmp");
		if (!mkdtemp(fz_dir_)) {
			perror("mkdtemp");
			abort();
		}
		atexit(fz_cleanup_);
	}
	return fz_dir_;
}

/* Write len bytes to path (created or truncated); aborts on failure, which
 * is the harness's fault, not the library's. */
static inline void fz_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* Split data at lines "%%" into n parts (the last takes the rest). */
static inline void fz_split(const uint8_t *data, size_t len, size_t n, const uint8_t **part, size_t *plen)
{
	size_t start = 0, k = 0;
	for (size_t i = 0; i <= len && k + 1 < n; i++) {
		/* a separator starts at i when i begins a line */
		if ((i == 0 || data[i - 1] == '\n') && len - i >= 2 && data[i] == '%' && data[i + 1] == '%' &&
		    (len - i == 2 || data[i + 2] == '\n')) {
			part[k] = data + start;
			plen[k] = i - start;
			k++;
			start = i + 2 < len ? i + 3 : len;
			i = start - 1;
		}
	}
	part[k] = data + start;
	plen[k] = len - start;
	for (k++; k < n; k++) {
		part[k] = data + len;
		plen[k] = 0;
	}
}

/* Write the parts of data into folder dir as the files names[0..n-1]. */
static inline void fz_write_parts(const char *dir, const char *const *names, size_t n, const uint8_t *data,
				  size_t len)
{
	const uint8_t *part[8];
	size_t plen[8];
	char path[512];
	fz_split(data, len, n, part, plen);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		fz_write(path, part[i], plen[i]);
	}
}

/* A NUL-terminated copy of the input (the caller frees it). */
static inline char *fz_cstr(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = 0;
	return s;
}

#endif

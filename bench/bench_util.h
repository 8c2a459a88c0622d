/* SPDX-License-Identifier: MulanPSL-2.0 */
/* bench_util.h — what the C benchmark programs share: a clock, the
 * failure exit, and the summary of a diff as the workload's expected files
 * state it (counts, and the SHA-256 of the sorted delta lines of the
 * peers' common.py).  Define BENCH_NAME before including it. */
#ifndef TOWNORG_BENCH_UTIL_H
#define TOWNORG_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nettle/sha2.h>
#include "townorg.h"
#include "townorg/diff.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, townorg_error_last() ? townorg_error_last() : "failed");
	exit(1);
}

#define CHECK(expr, what) do { if ((expr) < 0) die(what); } while (0)

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct summary {
	size_t added, removed, changed, fields;
	size_t f_parent, f_name, f_kind, f_other;
	char sha[65];
};

/* Counts and digest of a diff; the sorted lines go to dump if non-NULL. */
static void summarize(const townorg_diff *d, struct summary *out, FILE *dump)
{
	size_t n = townorg_diff_num_deltas(d), nl = 0, cap = n * 2 + 16;
	char **lines = malloc(cap * sizeof *lines);
	if (!lines)
		die("out of memory");
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		char buf[512];
		size_t k = dl->status == TOWNORG_DELTA_CHANGED ? dl->field_count : 1;
		if (nl + k > cap) {
			while (nl + k > cap)
				cap *= 2;
			if (!(lines = realloc(lines, cap * sizeof *lines)))
				die("out of memory");
		}
		if (dl->status != TOWNORG_DELTA_CHANGED) {
			int added = dl->status == TOWNORG_DELTA_ADDED;
			snprintf(buf, sizeof buf, "%c\t%s\n", added ? 'A' : 'R', dl->id);
			*(added ? &out->added : &out->removed) += 1;
			lines[nl++] = strdup(buf);
			continue;
		}
		out->changed++;
		for (size_t f = 0; f < dl->field_count; f++) {
			const char *name = dl->fields[f].name;
			snprintf(buf, sizeof buf, "C\t%s\t%s\n", dl->id, name);
			lines[nl++] = strdup(buf);
			out->fields++;
			if (!strcmp(name, "parent_id"))
				out->f_parent++;
			else if (!strcmp(name, "name"))
				out->f_name++;
			else if (!strcmp(name, "kind"))
				out->f_kind++;
			else
				out->f_other++;
		}
	}
	qsort(lines, nl, sizeof *lines, cmp_str);
	struct sha256_ctx c;
	unsigned char h[32];
	sha256_init(&c);
	for (size_t i = 0; i < nl; i++) {
		if (!lines[i])
			die("out of memory");
		sha256_update(&c, strlen(lines[i]), (const uint8_t *)lines[i]);
		if (dump)
			fputs(lines[i], dump);
		free(lines[i]);
	}
	free(lines);
	sha256_digest(&c, 32, h);
	for (int i = 0; i < 32; i++)
		sprintf(out->sha + 2 * i, "%02x", h[i]);
}

#endif

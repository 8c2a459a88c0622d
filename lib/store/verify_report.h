/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * verify_report.h — the report that `verify` fills in (store layer,
 * internal).  The store's open adds to it while it loads a repository for
 * verification, and store_verify.c's passes add the rest; keeping the
 * report in a file of its own lets both do so without the open calling up
 * into the verifier.
 */
#ifndef TOWNORG_STORE_VERIFY_REPORT_H
#define TOWNORG_STORE_VERIFY_REPORT_H
#include "base/internal.h"
#include "townorg/store.h"

typedef struct {
	townorg_verify_kind kind;
	char *what, *msg;
} problem;

struct townorg_verify_report {
	problem *p;
	size_t n, cap;
	size_t objects, versions, log_records;
	char log_head[65];
	bool oom;
};

/* Add a problem to the report (printf-style message); on allocation
 * failure the report remembers that it is incomplete. */
void townorg__verify_add(struct townorg_verify_report *r, townorg_verify_kind kind, const char *what,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

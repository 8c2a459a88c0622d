/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * verify_report.c — the verify report: its problems and counts, and the
 * public accessors townorg_verify_report_* (see include/townorg/store.h).
 * It calls nothing above the base layer.
 */
#include "store/verify_report.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void townorg__verify_add(struct townorg_verify_report *r, townorg_verify_kind kind, const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->n == r->cap && TOWNORG__GROW(r->p, r->cap, 16) < 0) {
		r->oom = true;
		return;
	}
	problem *p = &r->p[r->n];
	p->kind = kind;
	p->what = townorg__strdup(what ? what : "");
	p->msg = townorg__strdup(msg);
	if (!p->what || !p->msg) {
		townorg__free(p->what);
		townorg__free(p->msg);
		r->oom = true;
		return;
	}
	r->n++;
}

void townorg_verify_report_free(townorg_verify_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		townorg__free(r->p[i].what);
		townorg__free(r->p[i].msg);
	}
	townorg__free(r->p);
	townorg__free(r);
}

int townorg_verify_report_ok(const townorg_verify_report *r) { return r && r->n == 0; }
size_t townorg_verify_report_problem_count(const townorg_verify_report *r) { return r ? r->n : 0; }

int townorg_verify_report_problem(const townorg_verify_report *r, size_t i, townorg_verify_kind *kind, const char **what,
				  const char **message)
{
	if (!r || i >= r->n)
		return townorg__err(TOWNORG_ENOTFOUND, _("no verify problem %zu"), i);
	if (kind)
		*kind = r->p[i].kind;
	if (what)
		*what = r->p[i].what;
	if (message)
		*message = r->p[i].msg;
	return 0;
}

void townorg_verify_report_counts(const townorg_verify_report *r, size_t *objects, size_t *versions, size_t *log_records)
{
	if (objects)
		*objects = r ? r->objects : 0;
	if (versions)
		*versions = r ? r->versions : 0;
	if (log_records)
		*log_records = r ? r->log_records : 0;
}

const char *townorg_verify_report_log_head(const townorg_verify_report *r) { return r ? r->log_head : ""; }


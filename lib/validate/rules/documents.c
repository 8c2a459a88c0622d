/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * documents.c — rule document.number: every change cites a document whose
 * number parses as ISSUER〔YYYY〕N号 (brackets U+3014/U+3015, e.g.
 * 涞办字〔2020〕10号).  The variants real documents use — ﹝﹞, [], ［］,
 * 【】, (), （） and full-width digits — are accepted and normalised for
 * comparison (townorg_document_number_normalize); with the parameter
 * `warn_variants` they are reported as warnings with the standard form.  A
 * number that does not parse, or (with `required`) a version that cites
 * none, is a finding at the rule's severity.  The version's own document
 * and the documents of its events are checked.
 */
#include "validate/rules.h"
#include <stdio.h>

static const char *const opens[] = { "〔", "[", "［", "(", "（", "【", "﹝", NULL };
static const char *const closes[] = { "〕", "]", "］", ")", "）", "】", "﹞", NULL };

static int match_any(const char *s, const char *const *set, size_t *len)
{
	for (int i = 0; set[i]; i++) {
		size_t n = strlen(set[i]);
		if (!strncmp(s, set[i], n)) {
			*len = n;
			return i;
		}
	}
	return -1;
}

/* A digit (ASCII or full-width) at s: its value, with *len bytes; else -1. */
static int digit(const char *s, size_t *len, bool *wide)
{
	if (*s >= '0' && *s <= '9') {
		*len = 1;
		return *s - '0';
	}
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 && u[2] <= 0x99) {
		*len = 3;
		*wide = true;
		return u[2] - 0x90;
	}
	return -1;
}

int townorg__docnum_check(const char *num, char **canon)
{
	*canon = NULL;
	if (!num)
		return -1;
	const char *p = num;
	size_t len = 0;
	int o = -1;
	/* The issuer runs up to the first opening bracket. */
	while (*p && (o = match_any(p, opens, &len)) < 0)
		p++;
	if (o < 0 || p == num)
		return -1;
	size_t issuer_len = (size_t)(p - num);
	p += len;
	bool wide = false;
	char year[5], seq[24];
	size_t dl;
	for (int i = 0; i < 4; i++) {
		int d = digit(p, &dl, &wide);
		if (d < 0)
			return -1;
		year[i] = (char)('0' + d);
		p += dl;
	}
	year[4] = '\0';
	int c = match_any(p, closes, &len);
	if (c != o)
		return -1;
	p += len;
	size_t ns = 0;
	int d;
	while ((d = digit(p, &dl, &wide)) >= 0 && ns < sizeof seq - 1) {
		seq[ns++] = (char)('0' + d);
		p += dl;
	}
	seq[ns] = '\0';
	if (!ns || strcmp(p, "号"))
		return -1;
	if (o == 0 && !wide)
		return 0;
	townorg__buf b = { 0 };
	townorg__buf_put(&b, num, issuer_len);
	townorg__buf_printf(&b, "〔%s〕%s号", year, seq);
	townorg__buf_putc(&b, '\0');
	if (b.failed) {
		townorg__buf_free(&b);
		return -1;
	}
	*canon = b.data;
	return 1;
}

int townorg_document_number_normalize(char **out, const char *number)
{
	char *canon = NULL;
	if (!out || !number)
		return townorg__err(TOWNORG_EINVALID, "townorg_document_number_normalize: NULL argument");
	*out = NULL;
	int r = townorg__docnum_check(number, &canon);
	if (r < 0)
		return townorg__err(TOWNORG_EINVALID, "document number \"%s\" does not parse (expected ISSUER〔YYYY〕N号)",
				    number);
	if (r == 0 && !(canon = townorg__strdup(number)))
		return townorg__oom();
	*out = canon;
	return 0;
}

static int judge(townorg_rule_ctx *ctx, const char *name, const char *path, const char *num)
{
	char *canon;
	int r = townorg__docnum_check(num, &canon);
	if (r == 0)
		return 0;
	if (r > 0 && !json_is_true(townorg__param(ctx, "warn_variants"))) {
		townorg__free(canon); /* a variant real documents use: accepted */
		return 0;
	}
	townorg__report_in in = { .path = path, .value_text = num };
	townorg__msgargs a = { .name = name, .text = num, .other = canon };
	if (r > 0)
		in.severity = TOWNORG_SEVERITY_WARNING;
	int rc = townorg__report(ctx, &in, r > 0 ? TOWNORG__M_DOC_VARIANT : TOWNORG__M_DOC_UNPARSED, &a);
	townorg__free(canon);
	return rc;
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	const char *date = v->meta.effective_date ? v->meta.effective_date : v->id;
	const char *num = v->meta.doc_number;
	int rc = 0;
	if (!num || !*num) {
		if (json_is_true(townorg__param(ctx, "required"))) {
			townorg__report_in in = { .path = "doc_number" };
			townorg__msgargs a = { .name = date };
			rc = townorg__report(ctx, &in, TOWNORG__M_DOC_MISSING, &a);
		}
	} else
		rc = judge(ctx, date, "doc_number", num);
	townorg__event_iter it;
	townorg_event e;
	const townorg_event *ev = &e;
	if (rc < 0 || (rc = townorg__event_iter_init(&it, v)) < 0)
		return rc;
	while (rc == 0 && townorg__event_iter_next(&it, &e)) {
		size_t i = it.i - 1;
		for (size_t j = 0; rc == 0 && j < ev->document_count; j++) {
			char path[64], name[128];
			snprintf(path, sizeof path, "events[%zu].documents[%zu]", i, j);
			snprintf(name, sizeof name, "%s %s", date, ev->event_id ? ev->event_id : "");
			rc = judge(ctx, name, path, ev->documents[j]);
		}
	}
	townorg__event_iter_end(&it);
	return rc;
}

static const townorg__param_spec params[] = {
	{ "required", TOWNORG__P_BOOL, "true", NULL, "a version that cites no document number is a finding" },
	{ "warn_variants", TOWNORG__P_BOOL, "false", NULL,
	  "warn about numbers in a variant form (﹝﹞, [], 【】, (), full-width digits), giving the standard form" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_documents = {
	"document.number", TOWNORG_SEVERITY_ERROR,
	"every change cites a document whose number parses as ISSUER〔YYYY〕N号", params, check,
};

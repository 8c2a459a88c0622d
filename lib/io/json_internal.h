/* SPDX-License-Identifier: MulanPSL-2.0 */
/* json_internal.h — shared by the JSON writer (json_write.c) and reader
 * (json_read.c); never installed.  The format is specified in
 * docs/format.md. */
#ifndef TOWNORG_JSON_INTERNAL_H
#define TOWNORG_JSON_INTERNAL_H

#include "core/repo_internal.h"
#include "townorg/json.h"

/* A writer: output buffer plus layout.  Pretty output puts each entity,
 * event and reference on a line of its own, indented by two spaces a level;
 * compact output has no whitespace at all. */
typedef struct {
	townorg__buf *b;
	bool compact;
} townorg__jw;

/* Append s as a JSON string literal (UTF-8 kept as is; '"', '\\' and
 * control characters escaped). */
void townorg__jw_str(townorg__jw *w, const char *s);
/* Append the JSON object of one entity, on one line. */
void townorg__jw_entity(townorg__jw *w, const townorg_entity *e);

/* The options, with defaults for NULL; refuses an unknown struct version. */
int townorg__json_opts(townorg_json_options *out, const townorg_json_options *in);

#endif

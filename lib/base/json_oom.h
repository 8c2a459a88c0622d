/* json_oom.h — jansson under memory exhaustion (found by
 * tests/check_faults.c failing jansson's allocations): whether a load
 * failed for want of memory rather than for its input (an out-of-memory
 * load was reported as bad JSON), and a json_dumps that cannot silently
 * lose a key.  Internal; include after <jansson.h>. */
#ifndef TOWNORG_JSON_OOM_H
#define TOWNORG_JSON_OOM_H

#include <stdbool.h>
#include <string.h>
#include "base/internal.h"

static inline bool townorg__json_oom(const json_error_t *e)
{
	/* when jansson cannot allocate its reader it returns before writing
	 * any message (or code: read it only after a message): every input
	 * error has one */
	if (e->text[0] == 0)
		return true;
#if JANSSON_VERSION_HEX >= 0x020b00
	return json_error_code(e) == json_error_out_of_memory;
#else
	return false;
#endif
}

/* json_loadb, once more when it fails for a reason other than memory:
 * jansson reports an allocation failing inside its lexer as a syntax
 * error ("string or '}' expected near ..."), so a failure that does not
 * repeat, or repeats differently, was memory.  Returns the value, or NULL
 * with *e set and *oom telling which it was.  (Under memory pressure that
 * fails at the same place twice, bad JSON is reported: documented in
 * docs/reliability.md.) */
static inline json_t *townorg__json_loadb(const char *buf, size_t len, size_t flags, json_error_t *e, bool *oom)
{
	*oom = false;
	json_t *j = json_loadb(buf, len, flags, e);
	if (j || (*oom = townorg__json_oom(e)))
		return j;
	json_error_t again;
	j = json_loadb(buf, len, flags, &again);
	if (j)
		return j;
	*oom = townorg__json_oom(&again) || again.position != e->position || strcmp(again.text, e->text);
	return NULL;
}

/* townorg__json_loadb twice, for small documents every string of which
 * matters (policies, rule parameters): jansson's lexer drops a character
 * without an error when its buffer cannot grow (load.c, lex_save), so two
 * reads that differ, or a second that fails where the first did not, mean
 * memory failed in one of them: NULL with *oom set. */
static inline json_t *townorg__json_loadb_twice(const char *buf, size_t len, size_t flags, json_error_t *e, bool *oom)
{
	json_t *a = townorg__json_loadb(buf, len, flags, e, oom);
	if (!a)
		return NULL;
	json_t *b = townorg__json_loadb(buf, len, flags, e, oom);
	if (b && json_equal(a, b)) {
		json_decref(b);
		return a;
	}
	json_decref(a);
	json_decref(b);
	*oom = true;
	return NULL;
}

static inline int townorg__json_dump_cb(const char *buf, size_t size, void *data)
{
	townorg__buf *b = data;
	townorg__buf_put(b, buf, size);
	return b->failed ? -1 : 0;
}

/* json_dumps into the library's memory (free with townorg__free), through
 * a callback: jansson ignores a failed write of an object's key (dump.c
 * does not check dump_string's result there), so json_dumps, when its
 * buffer cannot grow, silently drops the key ({"a":1,:"forward"}: found by
 * tests/check_faults.c).  Here a failed append is remembered whatever
 * jansson does with it.  NULL when memory ran out. */
static inline char *townorg__json_dumps(const json_t *j, size_t flags)
{
	townorg__buf b = { 0 };
	int rc = json_dump_callback(j, townorg__json_dump_cb, &b, flags);
	townorg__buf_putc(&b, 0);
	if (rc != 0 || b.failed) {
		townorg__buf_free(&b);
		return NULL;
	}
	return b.data;
}

#endif

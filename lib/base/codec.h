/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * codec.h — the one varint and string codec of the library (base layer,
 * internal).
 *
 * Everything that gets hashed or stored is written with it: entity values,
 * version bodies, log records, store packs and deltas.  Unsigned LEB128
 * varints (7 bits a byte, low first, at most 10 bytes); a string is the
 * varint of its length + 1 followed by its bytes, 0 standing for NULL.
 * Writing goes through townorg__buf (base/internal.h: townorg__buf_varint,
 * townorg__buf_str) or townorg__varint_encode for a fixed buffer (a hash
 * fed without allocating).  Reading is always bounds-checked: a reader never
 * reads past its end, and a varint longer than 10 bytes, a string longer
 * than what is left, or a string holding a NUL byte marks it bad.
 */
#ifndef TOWNORG_BASE_CODEC_H
#define TOWNORG_BASE_CODEC_H
#include "base/internal.h"

#define TOWNORG__VARINT_MAX 10

/* Encode v into out; returns the number of bytes (1 to 10). */
size_t townorg__varint_encode(unsigned char out[TOWNORG__VARINT_MAX], uint64_t v);

/* A reader over [p, end).  bad: the bytes were malformed or ran out (every
 * later read returns 0 or NULL); oom: a string could not be allocated. */
typedef struct {
	const unsigned char *p, *end;
	bool bad;
	bool oom;
} townorg__rd;

static inline void townorg__rd_init(townorg__rd *r, const void *data, size_t len)
{
	r->p = data;
	r->end = r->p + len;
	r->bad = r->oom = false;
}

/* The next varint (0 and r->bad when malformed or cut short). */
uint64_t townorg__rd_varint(townorg__rd *r);
/* The next string, allocated (free with townorg__free); NULL for an encoded
 * NULL, and on error (r->bad; r->oom and *oom, when oom is not NULL, if the
 * allocation failed).  So NULL with neither flag set means "NULL". */
char *townorg__rd_str(townorg__rd *r, bool *oom);
/* The next n bytes, borrowed from the input; NULL and r->bad if fewer remain. */
const unsigned char *townorg__rd_bytes(townorg__rd *r, size_t n);

#endif

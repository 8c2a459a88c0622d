/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * codec.c — the varint and string codec (see codec.h): one encoder, one
 * bounds-checked reader, for every byte the library hashes or stores.
 */
#include "base/codec.h"

size_t townorg__varint_encode(unsigned char out[TOWNORG__VARINT_MAX], uint64_t v)
{
	size_t n = 0;
	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		out[n++] = c | (v ? 0x80 : 0);
	} while (v);
	return n;
}

/* The writers (declared in base/internal.h, beside townorg__buf). */
void townorg__buf_varint(townorg__buf *b, uint64_t v)
{
	unsigned char tmp[TOWNORG__VARINT_MAX];
	townorg__buf_put(b, tmp, townorg__varint_encode(tmp, v));
}

void townorg__buf_str(townorg__buf *b, const char *s)
{
	if (!s) {
		townorg__buf_varint(b, 0);
		return;
	}
	size_t n = strlen(s);
	townorg__buf_varint(b, n + 1);
	townorg__buf_put(b, s, n);
}

uint64_t townorg__rd_varint(townorg__rd *r)
{
	uint64_t v = 0;
	if (r->bad)
		return 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			break;
		unsigned char c = *r->p++;
		/* the tenth byte holds bit 63 only */
		if (shift == 63 && (c & 0x7e))
			break;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

char *townorg__rd_str(townorg__rd *r, bool *oom)
{
	uint64_t n = townorg__rd_varint(r);
	if (r->bad || n == 0)
		return NULL;
	n--;
	if ((uint64_t)(r->end - r->p) < n || memchr(r->p, 0, (size_t)n)) {
		r->bad = true;
		return NULL;
	}
	char *s = townorg__strndup((const char *)r->p, (size_t)n);
	if (!s) {
		r->bad = r->oom = true;
		if (oom)
			*oom = true;
		return NULL;
	}
	r->p += n;
	return s;
}

const unsigned char *townorg__rd_bytes(townorg__rd *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const unsigned char *p = r->p;
	r->p += n;
	return p;
}

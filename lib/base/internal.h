/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * internal.h — helpers shared by the library's files; never installed.
 * Internal symbols are prefixed townorg__ and hidden (the library is built
 * with -fvisibility=hidden; only TOWNORG_EXTERN symbols are exported).
 */
#ifndef TOWNORG_INTERNAL_H
#define TOWNORG_INTERNAL_H

#include <config.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "townorg.h"

/* ---- memory: every allocation of the library's own goes through these ---- */
void *townorg__malloc(size_t size);
void *townorg__calloc(size_t n, size_t size);
void *townorg__realloc(void *ptr, size_t size);
void townorg__free(void *ptr);
char *townorg__strdup(const char *s);
char *townorg__strndup(const char *s, size_t n);
/* Fault injection for tests: fail the nth allocation from now (1 = next);
 * 0 disables.  Returns the number of allocations counted since set. */
void townorg__fault_set(long nth);
long townorg__fault_count(void);
/* For allocators built on these (pool.c): whether this call is the one
 * fault injection fails (and counts it); whether the host kept the C
 * library's functions; the host's malloc and free, uncounted. */
bool townorg__fault_hit(void);
bool townorg__allocator_is_default(void);
void *townorg__host_malloc(size_t size);
void townorg__host_free(void *ptr);

/* ---- messages (i18n.c) ----
 * _("...") marks a message of the library for translation (xgettext keyword
 * _) and returns it in the user's language; N_("...") only marks it. */
#define TOWNORG__TEXT_DOMAIN "townorg"
const char *townorg__tr(const char *msgid) __attribute__((format_arg(1)));
#define _(s) townorg__tr(s)
#define N_(s) (s)

/* ---- growable arrays (vec.c) ----
 * Double the capacity of the array *arrp of elem-byte elements (to min when
 * it is empty), checking the size for overflow.  0, or TOWNORG_ENOMEM with
 * the array and *cap unchanged (no error is set: callers report).  Use the
 * macro: if (n == cap && TOWNORG__GROW(arr, cap, 16) < 0) return ...; */
int townorg__grow(void *arrp, size_t *cap, size_t elem, size_t min);
#define TOWNORG__GROW(arr, cap, min) townorg__grow(&(arr), &(cap), sizeof *(arr), (min))

/* ---- errors ---- */
/* Set the thread's last error; returns code so callers can `return townorg__err(...)`. */
int townorg__err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int townorg__oom(void);

/* ---- hashing (SHA-256 through nettle) ---- */
#define TOWNORG__HASH_SIZE 32
typedef struct { unsigned char opaque[128]; } townorg__sha;
void townorg__sha_init(townorg__sha *s);
void townorg__sha_update(townorg__sha *s, const void *data, size_t len);
void townorg__sha_final(townorg__sha *s, unsigned char out[TOWNORG__HASH_SIZE]);
void townorg__hex(char *out /* 2n+1 */, const unsigned char *in, size_t n);
/* Deterministic 64-bit hash of a key (FNV-1a + avalanche): decides trie shape. */
uint64_t townorg__keyhash(const char *s, size_t len);

/* ---- growable byte buffer ---- */
typedef struct {
	char *data;
	size_t len, cap;
	bool failed;
} townorg__buf;
void townorg__buf_put(townorg__buf *b, const void *p, size_t n);
void townorg__buf_putc(townorg__buf *b, char c);
void townorg__buf_puts(townorg__buf *b, const char *s);
void townorg__buf_printf(townorg__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void townorg__buf_varint(townorg__buf *b, uint64_t v);
void townorg__buf_str(townorg__buf *b, const char *s); /* varint length + bytes; NULL as 0 + marker */
void townorg__buf_free(townorg__buf *b);

/* ---- files ---- */
/* Read a whole file into owned memory (NUL-terminated; *len excludes the
 * NUL).  ENOTFOUND or EIO name the path; ENOMEM.  Free with townorg__free. */
int townorg__read_file(const char *path, char **data, size_t *len);

/* ---- strings ---- */
/* 1 when s (len bytes) is valid UTF-8 without C0 control characters (other than none). */
bool townorg__utf8_valid(const char *s, size_t len, bool allow_newlines);
bool townorg__valid_ref_name(const char *name);

/* ---- atomics ---- */
#define TOWNORG__INC(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define TOWNORG__DEC(p) __atomic_sub_fetch((p), 1, __ATOMIC_ACQ_REL)

/* May the library start a thread of its own (a wide diff's second walk,
 * the cap rule's second collector, a table import's reader and index
 * thread)?  Yes, unless the environment variable TOWNORG_THREADS is "1"
 * (read once): then all of that work runs on the calling thread, for
 * embedding applications that must not see threads, and for the tests of
 * those paths. */
bool townorg__threads_allowed(void);

/* Population count.  __builtin_popcount is a call into libgcc on the
 * x86-64 baseline (no POPCNT instruction), and entity accessors and trie
 * walks count bits on every step. */
static inline unsigned townorg__popc(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (x * 0x01010101u) >> 24;
}

#endif

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * common.c — allocation hooks, per-thread errors, hashing, buffers and
 * string checks shared by every part of the library.
 */
#include "base/internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <nettle/sha2.h>

/* ------------------------------------------------------------------ threads */

bool townorg__threads_allowed(void)
{
	static int allowed = -1; /* -1: not read yet */
	int a = __atomic_load_n(&allowed, __ATOMIC_RELAXED);
	if (a < 0) {
		const char *e = getenv("TOWNORG_THREADS");
		a = !(e && !strcmp(e, "1"));
		__atomic_store_n(&allowed, a, __ATOMIC_RELAXED);
	}
	return a != 0;
}

/* ------------------------------------------------------------------ memory */

static townorg_allocator allocator = { malloc, realloc, free };
/* Fault injection (tests): countdown to the failing allocation. */
static long fault_nth, fault_counter;

int townorg_set_allocator(const townorg_allocator *a)
{
	if (!a) {
		allocator.malloc_fn = malloc;
		allocator.realloc_fn = realloc;
		allocator.free_fn = free;
		return 0;
	}
	if (!a->malloc_fn || !a->realloc_fn || !a->free_fn)
		return townorg__err(TOWNORG_EINVALID, "townorg_set_allocator: every function must be set");
	allocator = *a;
	return 0;
}

/* Atomic: the library's own threads (a wide diff, a table import)
 * allocate while a test counts. */
void townorg__fault_set(long nth)
{
	__atomic_store_n(&fault_counter, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_nth, nth, __ATOMIC_RELAXED);
}

long townorg__fault_count(void) { return __atomic_load_n(&fault_counter, __ATOMIC_RELAXED); }

static bool fault_now(void)
{
	long nth = __atomic_load_n(&fault_nth, __ATOMIC_RELAXED);
	if (!nth)
		return false;
	return __atomic_add_fetch(&fault_counter, 1, __ATOMIC_RELAXED) == nth;
}

bool townorg__fault_hit(void) { return fault_now(); }
bool townorg__allocator_is_default(void) { return allocator.malloc_fn == malloc && allocator.free_fn == free; }
void *townorg__host_malloc(size_t size) { return allocator.malloc_fn(size ? size : 1); }
void townorg__host_free(void *ptr) { allocator.free_fn(ptr); }

void *townorg__malloc(size_t size)
{
	if (fault_now())
		return NULL;
	return allocator.malloc_fn(size ? size : 1);
}

void *townorg__calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = townorg__malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *townorg__realloc(void *ptr, size_t size)
{
	if (fault_now())
		return NULL;
	return allocator.realloc_fn(ptr, size ? size : 1);
}

void townorg__free(void *ptr)
{
	if (ptr)
		allocator.free_fn(ptr);
}

void townorg_free(void *ptr) { townorg__free(ptr); }

char *townorg__strndup(const char *s, size_t n)
{
	char *d = townorg__malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

char *townorg__strdup(const char *s) { return s ? townorg__strndup(s, strlen(s)) : NULL; }

/* ------------------------------------------------------------------ errors */

/* Per-thread last error.  The message buffer is static thread-local storage
 * so that reporting an error never needs to allocate (it must work when
 * memory has run out). */
static _Thread_local struct {
	int code;
	char msg[1024];
} last_error;

int townorg__err(int code, const char *fmt, ...)
{
	va_list ap;
	char tmp[sizeof last_error.msg];
	/* Format into a copy first: callers may pass the previous message as
	 * an argument to wrap it with more context. */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	last_error.code = code;
	memcpy(last_error.msg, tmp, sizeof tmp);
	return code;
}

int townorg__oom(void) { return townorg__err(TOWNORG_ENOMEM, "out of memory"); }

const char *townorg_error_last(void) { return last_error.code ? last_error.msg : NULL; }
int townorg_error_last_code(void) { return last_error.code; }
void townorg_error_clear(void)
{
	last_error.code = 0;
	last_error.msg[0] = 0;
}

const char *townorg_error_name(int code)
{
	switch (code) {
	case TOWNORG_OK: return "ok";
	case TOWNORG_ENOTFOUND: return "not found";
	case TOWNORG_EEXISTS: return "already exists";
	case TOWNORG_EINVALID: return "invalid argument";
	case TOWNORG_ENOMEM: return "out of memory";
	case TOWNORG_EIO: return "input/output error";
	case TOWNORG_ECORRUPT: return "corrupt data";
	case TOWNORG_ECONFLICT: return "conflict";
	case TOWNORG_EPARSE: return "parse error";
	case TOWNORG_EINTEGRITY: return "integrity violation";
	case TOWNORG_EAMBIGUOUS: return "ambiguous name";
	case TOWNORG_EREADONLY: return "read-only";
	case TOWNORG_EBUSY: return "busy";
	case TOWNORG_EENCODING: return "bad encoding";
	case TOWNORG_ITEROVER: return "iteration over";
	default: return "error";
	}
}

const char *townorg_library_version(void) { return TOWNORG_VERSION; }

void townorg_library_version_numbers(int *major, int *minor, int *patch)
{
	if (major) *major = TOWNORG_VERSION_MAJOR;
	if (minor) *minor = TOWNORG_VERSION_MINOR;
	if (patch) *patch = TOWNORG_VERSION_PATCH;
}

/* ------------------------------------------------------------------ hashing */

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(townorg__sha), "sha context too large");

void townorg__sha_init(townorg__sha *s) { sha256_init((struct sha256_ctx *)s); }
void townorg__sha_update(townorg__sha *s, const void *data, size_t len)
{
	sha256_update((struct sha256_ctx *)s, len, data);
}
void townorg__sha_final(townorg__sha *s, unsigned char out[TOWNORG__HASH_SIZE])
{
	sha256_digest((struct sha256_ctx *)s, SHA256_DIGEST_SIZE, out);
}

void townorg__hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

uint64_t townorg__keyhash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	/* murmur3 fmix64: spread FNV's weak low bits over the whole word */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* ------------------------------------------------------------------ buffers */

static bool buf_grow(townorg__buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *d = townorg__realloc(b->data, cap);
	if (!d) {
		b->failed = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void townorg__buf_put(townorg__buf *b, const void *p, size_t n)
{
	if (!buf_grow(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void townorg__buf_putc(townorg__buf *b, char c) { townorg__buf_put(b, &c, 1); }
void townorg__buf_puts(townorg__buf *b, const char *s) { townorg__buf_put(b, s, strlen(s)); }

void townorg__buf_printf(townorg__buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		townorg__buf_put(b, small, (size_t)n);
		return;
	}
	if (!buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void townorg__buf_free(townorg__buf *b)
{
	townorg__free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

/* ------------------------------------------------------------------ strings */

bool townorg__utf8_valid(const char *str, size_t len, bool allow_newlines)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				if (!(allow_newlines && (c == '\n' || c == '\t' || c == '\r')))
					return false;
			}
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
		else return false;
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

bool townorg__valid_ref_name(const char *name)
{
	if (!name)
		return false;
	size_t n = strlen(name);
	if (n == 0 || n > 200 || name[0] == '-')
		return false;
	if (!townorg__utf8_valid(name, n, false))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == ' ' || c == '~' || c == '@' || c == ':' || c == '^' || c == '\\')
			return false;
	}
	return true;
}

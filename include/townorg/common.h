/*
 * townorg/common.h — error codes, per-thread error messages, library
 * version, memory helpers.  Part of libtownorg's public API.
 *
 * Conventions (after libgit2 and SQLite):
 *  - A function that can fail returns int: 0 on success or a negative
 *    TOWNORG_E* code, and sets a per-thread message (townorg_error_last())
 *    that names the entity, file, line or column at fault.
 *  - Results returned through `**out` are owned by the caller and freed with
 *    the matching _free function; `const T *` results are borrowed and live as
 *    long as the object they came from.  Every _free accepts NULL.
 *  - Strings are UTF-8, in and out.  Invalid UTF-8 is refused at the boundary.
 */
#ifndef TOWNORG_COMMON_H
#define TOWNORG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define TOWNORG_BEGIN_DECLS extern "C" {
#define TOWNORG_END_DECLS }
#else
#define TOWNORG_BEGIN_DECLS
#define TOWNORG_END_DECLS
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define TOWNORG_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define TOWNORG_EXTERN(type) extern type
#endif

TOWNORG_BEGIN_DECLS

/** Compile-time version of the headers. */
#define TOWNORG_VERSION "0.1.0"
#define TOWNORG_VERSION_MAJOR 0
#define TOWNORG_VERSION_MINOR 1
#define TOWNORG_VERSION_PATCH 0
#define TOWNORG_VERSION_NUMBER (TOWNORG_VERSION_MAJOR * 10000 + TOWNORG_VERSION_MINOR * 100 + TOWNORG_VERSION_PATCH)

/** Error codes.  Every failure is negative; 0 is success. */
typedef enum {
	TOWNORG_OK = 0,
	TOWNORG_ERROR = -1,      /**< generic failure */
	TOWNORG_ENOTFOUND = -3,  /**< no such entity, version, branch, tag or file */
	TOWNORG_EEXISTS = -4,    /**< the name or id is already taken */
	TOWNORG_EINVALID = -5,   /**< an argument or value is not acceptable */
	TOWNORG_ENOMEM = -6,     /**< out of memory */
	TOWNORG_EIO = -7,        /**< a read or write failed */
	TOWNORG_ECORRUPT = -8,   /**< stored data fails its hash or structure check */
	TOWNORG_ECONFLICT = -9,  /**< a merge or concurrent update conflicts */
	TOWNORG_EPARSE = -10,    /**< input could not be parsed (message names file:line:column) */
	TOWNORG_EINTEGRITY = -11,/**< the graph would break a structural rule (message names the entity) */
	TOWNORG_EAMBIGUOUS = -12,/**< a version prefix matches more than one version */
	TOWNORG_EREADONLY = -13, /**< the repository was opened read-only */
	TOWNORG_EBUSY = -14,     /**< the store is locked by another writer */
	TOWNORG_EENCODING = -15, /**< input is not valid UTF-8 (or an unsupported encoding) */
	TOWNORG_ITEROVER = -31   /**< an iterator has no more items (not an error) */
} townorg_error_code;

/**
 * The message of the last error raised on the calling thread, or NULL when
 * there is none.  The string is borrowed; it stays valid until the next
 * libtownorg call on this thread that fails or clears the error.
 */
TOWNORG_EXTERN(const char *) townorg_error_last(void);

/** The code of the last error raised on the calling thread (0 if none). */
TOWNORG_EXTERN(int) townorg_error_last_code(void);

/** Forget the calling thread's last error. */
TOWNORG_EXTERN(void) townorg_error_clear(void);

/** A short English name for an error code ("not found", ...). Never NULL. */
TOWNORG_EXTERN(const char *) townorg_error_name(int code);

/** Run-time library version string, e.g. "0.1.0". */
TOWNORG_EXTERN(const char *) townorg_library_version(void);

/** Run-time version numbers; any pointer may be NULL. */
TOWNORG_EXTERN(void) townorg_library_version_numbers(int *major, int *minor, int *patch);

/**
 * Free memory that the library returned as owned plain memory (strings and
 * arrays documented as "free with townorg_free").  NULL is harmless.
 */
TOWNORG_EXTERN(void) townorg_free(void *ptr);

/** Memory functions libtownorg uses for its own allocations. */
typedef struct {
	void *(*malloc_fn)(size_t size);
	void *(*realloc_fn)(void *ptr, size_t size);
	void (*free_fn)(void *ptr);
} townorg_allocator;

/**
 * Replace the functions libtownorg uses for its own allocations, zlib's
 * included (the store compresses through them), but not those of SQLite
 * or the JSON library, which a host program may share.  Call it
 * before any other libtownorg function, or pass NULL to restore the C
 * library's malloc/realloc/free.  Returns TOWNORG_EINVALID if a member is
 * NULL.
 *
 * The small objects a history is made of (entity values, trie nodes, index
 * leaves) are carved from 64 KiB slabs aligned to their size.  Without a
 * host allocator the slabs come from mmap; with one, each slab is one
 * malloc_fn call of 128 KiB, of which the aligned 64 KiB are used (the rest
 * is never touched), given back with free_fn as soon as nothing in it is
 * live.  The environment variable TOWNORG_POOL=0 makes every object a
 * malloc_fn call of its own instead.
 */
TOWNORG_EXTERN(int) townorg_set_allocator(const townorg_allocator *allocator);

/** Language of human-readable text. */
typedef enum {
	TOWNORG_LANG_EN = 0, /**< English */
	TOWNORG_LANG_ZH = 1  /**< Chinese (简体中文) */
} townorg_lang;

/**
 * The gettext domain of the library's messages: "townorg".  The library
 * binds it itself on first use (to $TOWNORG_LOCALEDIR when set, else the
 * installed locale directory) and looks its messages up with dgettext, so
 * error messages (townorg_error_last) come in Chinese under a zh_CN locale
 * in any program that has called setlocale(LC_ALL, "").  A program that
 * ships its own catalogue may use the same domain.  Never fails.
 */
TOWNORG_EXTERN(const char *) townorg_text_domain(void);

TOWNORG_END_DECLS

#endif /* TOWNORG_COMMON_H */

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/sign.h — pinning and signing the head of a repository's branch
 * and tag log, to catch a history rolled back or rewritten by someone who
 * can write the file.  Part of libtownorg's public API.
 *
 * Every branch and tag move of a repository file is a record of a hash
 * chain (docs/store.md); the hash of the last record, the *log head*,
 * pins every version reachable from any branch or tag at that moment.
 * verify (townorg_repo_verify) proves that the chain is intact, but a
 * history cut back to an older record (the newest versions and log records
 * deleted) or rewritten from the start with fresh hashes is again an
 * intact chain.  What catches it is a head kept elsewhere:
 *
 *  - townorg_head_check compares the log with a head recorded elsewhere
 *    (the other side of a sync, `townorg verify --expect-head HASH`);
 *  - a *signed head*: the approving office signs the log head with its
 *    Ed25519 key (nettle's hogweed) and publishes the signed head; anyone
 *    holding the office's public key checks a repository against it
 *    (`townorg sign-head`, `townorg verify --key`).  Signed heads may also
 *    be kept in the repository (table signed_head, append-only), so each
 *    later verify checks them; but only a copy kept outside the file
 *    defeats an administrator who deletes those too (docs/security.md).
 *
 * Key files are one line of text (docs/security.md):
 *   `townorg-ed25519-secret <64 hex digits: the 32-byte secret seed>`
 *   `townorg-ed25519-public <64 hex digits: the 32-byte public key>`
 * optionally followed by a space and a comment.  A secret key file is
 * created with mode 0600 and never overwritten.
 *
 * A signed head is one line of text:
 *   `townorg-signed-head-1 SEQ HEAD AT KEY SIGNATURE`
 * SEQ the number of the log record signed (decimal), HEAD its hash (64
 * hex), AT the UTC time of signing (YYYY-MM-DDTHH:MM:SSZ), KEY the public
 * key (64 hex), SIGNATURE the Ed25519 signature (128 hex) of the bytes
 * "townorg-signed-head-1" NUL, SEQ as 8 bytes big-endian, HEAD as 32
 * bytes, AT as its 20 characters.
 */
#ifndef TOWNORG_SIGN_H
#define TOWNORG_SIGN_H

#include "common.h"
#include "repository.h"

TOWNORG_BEGIN_DECLS

/** Bytes of an Ed25519 public key and of a secret seed. */
#define TOWNORG_KEY_SIZE 32
/** Bytes of an Ed25519 signature. */
#define TOWNORG_SIGNATURE_SIZE 64
/** Room for a signed head as text (townorg_signed_head_format), NUL included. */
#define TOWNORG_SIGNED_HEAD_TEXT_MAX 400

/** An Ed25519 public key. */
typedef struct {
	unsigned char key[TOWNORG_KEY_SIZE]; /**< the key's 32 bytes */
} townorg_public_key;

/** An Ed25519 secret key: the secret seed and its public key. */
typedef struct {
	unsigned char seed[TOWNORG_KEY_SIZE]; /**< the secret 32-byte seed */
	townorg_public_key pub;               /**< its public key */
} townorg_secret_key;

/** A signed log head. */
typedef struct {
	int64_t log_seq;                                  /**< number of the log record signed (1 = the first) */
	char log_head[65];                                /**< its hash, 64 hex digits */
	char at[21];                                      /**< UTC time of signing, YYYY-MM-DDTHH:MM:SSZ */
	townorg_public_key key;                           /**< the signer's public key */
	unsigned char signature[TOWNORG_SIGNATURE_SIZE];  /**< Ed25519 signature (see the file comment) */
} townorg_signed_head;

/** How a repository's log stands against a head recorded elsewhere. */
typedef enum {
	TOWNORG_HEAD_CURRENT = 0,  /**< the log ends at that head */
	TOWNORG_HEAD_AHEAD = 1,    /**< the log holds that head and records after it */
	TOWNORG_HEAD_ROLLED_BACK = 2, /**< the log ends before that record: history was removed */
	TOWNORG_HEAD_REWRITTEN = 3,   /**< the log's record of that number has another hash */
	TOWNORG_HEAD_MISSING = 4      /**< no record of the log has that hash (rolled back or rewritten) */
} townorg_head_status;

/** Make a new key pair from the system's random source (getrandom).
 *  TOWNORG_EIO when no randomness is available. */
TOWNORG_EXTERN(int) townorg_key_generate(townorg_secret_key *out);

/**
 * Write a key pair: the secret key to `secret_path` (mode 0600; an
 * existing file is never replaced: TOWNORG_EEXISTS) and, when
 * `public_path` is not NULL, the public key to `public_path` (written
 * atomically, may replace a file).
 */
TOWNORG_EXTERN(int) townorg_key_save(const townorg_secret_key *key, const char *secret_path, const char *public_path);

/** Read a secret key file.  TOWNORG_EPARSE (naming the file) for anything
 *  that is not a secret key file, such as a public key. */
TOWNORG_EXTERN(int) townorg_key_load_secret(townorg_secret_key *out, const char *path);

/** Read a public key file.  TOWNORG_EPARSE (naming the file) for anything
 *  that is not a public key file. */
TOWNORG_EXTERN(int) townorg_key_load_public(townorg_public_key *out, const char *path);

/** The key's short name: the first 16 hex digits of SHA-256 of the key. */
TOWNORG_EXTERN(void) townorg_key_id(char out[17], const townorg_public_key *key);

/**
 * The head of a repository file's branch and tag log, as the file has it
 * now: the last record's number (*seq, 0 for an empty log) and hash (hex,
 * "" for an empty log).  TOWNORG_EINVALID for an in-memory repository.
 */
TOWNORG_EXTERN(int) townorg_repo_log_head(const townorg_repo *repo, int64_t *seq, char head[65]);

/** Flags of townorg_head_sign. */
#define TOWNORG_SIGN_STORE (1u << 0) /**< also keep the signed head in the repository (needs write access) */

/**
 * Sign the current log head of a repository file with `key`, now.  With
 * TOWNORG_SIGN_STORE the signed head is also appended to the repository's
 * signed_head table (created the first time), in one transaction with the
 * reading of the head.  TOWNORG_EINVALID for an empty log (nothing to
 * sign) or an in-memory repository; TOWNORG_EREADONLY when storing in a
 * read-only repository.
 */
TOWNORG_EXTERN(int) townorg_head_sign(townorg_signed_head *out, townorg_repo *repo, const townorg_secret_key *key,
	unsigned int flags);

/** Check a signed head's signature: 0 when it is valid and made by `key`
 *  (NULL: by the key it names), TOWNORG_EINVALID when made by another key,
 *  TOWNORG_ECORRUPT when the signature does not match. */
TOWNORG_EXTERN(int) townorg_signed_head_verify(const townorg_signed_head *head, const townorg_public_key *key);

/** Write a signed head as one line of text (no newline) into buf (at
 *  least TOWNORG_SIGNED_HEAD_TEXT_MAX bytes).  Returns its length. */
TOWNORG_EXTERN(size_t) townorg_signed_head_format(char *buf, const townorg_signed_head *head);

/** Read a signed head from its text (one line; a trailing newline is
 *  allowed).  TOWNORG_EPARSE naming `source` (may be NULL) when malformed.
 *  The signature is not checked here (townorg_signed_head_verify). */
TOWNORG_EXTERN(int) townorg_signed_head_parse(townorg_signed_head *out, const char *text, const char *source);

/** Read a signed head from a file (as written by `townorg sign-head -o`). */
TOWNORG_EXTERN(int) townorg_signed_head_read(townorg_signed_head *out, const char *path);

/**
 * Compare a repository file's log with a head recorded elsewhere: record
 * number `seq` with hash `head` (64 hex digits), or, with seq 0, the record
 * with that hash wherever it is.  *status says how the log stands
 * (townorg_head_status); *records_after (may be NULL) is the number of
 * records after that head when the log holds it.  Returns 0 when the
 * comparison was made — a rolled-back log is a status, not an error — or
 * TOWNORG_EINVALID for a malformed hash or an in-memory repository.  The
 * records' stored hashes are compared; townorg_repo_verify checks that
 * they chain.
 */
TOWNORG_EXTERN(int) townorg_head_check(townorg_head_status *status, int64_t *records_after, const townorg_repo *repo,
	int64_t seq, const char *head);

/** Number of signed heads kept in a repository file (0 when none, or for
 *  an in-memory repository). */
TOWNORG_EXTERN(size_t) townorg_repo_signed_head_count(const townorg_repo *repo);

/** The i-th signed head kept in a repository file, oldest first.
 *  TOWNORG_ENOTFOUND when i is out of range; TOWNORG_ECORRUPT for a
 *  malformed row. */
TOWNORG_EXTERN(int) townorg_repo_signed_head(townorg_signed_head *out, const townorg_repo *repo, size_t i);

TOWNORG_END_DECLS

#endif /* TOWNORG_SIGN_H */

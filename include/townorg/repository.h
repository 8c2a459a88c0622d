/*
 * townorg/repository.h — repositories: versions, branches and tags.
 *
 * A repository holds versions (a DAG: each version names its parents),
 * named branches ("main" is the official line; others are draft plans) and
 * tags.  townorg_repo_new makes one in memory; a repository in a single
 * SQLite file is opened with townorg_repo_open (see townorg/store.h).
 *
 * A repository may be read from many threads at once; writes (commits,
 * branch and tag moves) must be serialized by the caller.
 */
#ifndef TOWNORG_REPOSITORY_H
#define TOWNORG_REPOSITORY_H

#include "common.h"
#include "version.h"

TOWNORG_BEGIN_DECLS

typedef struct townorg_repo townorg_repo;

/** Make an empty in-memory repository (no branches yet; "main" is created
 *  by the first commit to it).  Free with townorg_repo_free. */
TOWNORG_EXTERN(int) townorg_repo_new(townorg_repo **out);

/** Free a repository and every version it holds.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_repo_free(townorg_repo *repo);

/** Number of versions and the i-th version in the order they were added. */
TOWNORG_EXTERN(size_t) townorg_repo_version_count(const townorg_repo *repo);
TOWNORG_EXTERN(const townorg_version *) townorg_repo_version_at(const townorg_repo *repo, size_t i);

/**
 * Find a version by name, trying in this order: branch, tag, full version
 * id, unique prefix of a version id (at least 4 hex digits).  Suffixes:
 * "NAME@YYYY-MM-DD" is the version in effect on that date on NAME's
 * first-parent line; "NAME~N" goes N first parents back.  Errors:
 * TOWNORG_ENOTFOUND, TOWNORG_EAMBIGUOUS (prefix), TOWNORG_EINVALID (syntax).
 */
TOWNORG_EXTERN(int) townorg_repo_lookup(const townorg_version **out, const townorg_repo *repo, const char *name);

/**
 * As-of: the latest version on the branch's first-parent line whose
 * effective date is on or before `date` (YYYY-MM-DD).  TOWNORG_ENOTFOUND if
 * the branch does not exist or nothing was in effect yet.
 */
TOWNORG_EXTERN(int) townorg_repo_asof(const townorg_version **out, const townorg_repo *repo,
	const char *branch, const char *date);

/** Head of a branch.  A branch that exists but has no version yet gives
 *  *out = NULL and 0; a missing branch TOWNORG_ENOTFOUND. */
TOWNORG_EXTERN(int) townorg_repo_branch_head(const townorg_version **out, const townorg_repo *repo, const char *branch);

/** Create a branch at a version (NULL: an empty branch).  Names: 1–200
 *  bytes, no whitespace, control characters, '~', '@' or ':', not starting
 *  with '-'.  TOWNORG_EEXISTS if it exists. */
TOWNORG_EXTERN(int) townorg_repo_branch_create(townorg_repo *repo, const char *name, const townorg_version *at);

/** Point an existing branch at another version of this repository. */
TOWNORG_EXTERN(int) townorg_repo_branch_set(townorg_repo *repo, const char *name, const townorg_version *at);

/** Delete a branch (its versions stay). */
TOWNORG_EXTERN(int) townorg_repo_branch_delete(townorg_repo *repo, const char *name);

/** Number of branches and the i-th name, in byte order (borrowed). */
TOWNORG_EXTERN(size_t) townorg_repo_branch_count(const townorg_repo *repo);
TOWNORG_EXTERN(const char *) townorg_repo_branch_name(const townorg_repo *repo, size_t i);

/** Create a tag (names as for branches).  Tags never move: TOWNORG_EEXISTS
 *  if the name is taken. */
TOWNORG_EXTERN(int) townorg_repo_tag_create(townorg_repo *repo, const char *name, const townorg_version *at);

/** The version a tag names. */
TOWNORG_EXTERN(int) townorg_repo_tag_lookup(const townorg_version **out, const townorg_repo *repo, const char *name);

/** Number of tags and the i-th tag name in byte order, with its version. */
TOWNORG_EXTERN(size_t) townorg_repo_tag_count(const townorg_repo *repo);
TOWNORG_EXTERN(const char *) townorg_repo_tag_name(const townorg_repo *repo, size_t i, const townorg_version **at);

/** Find a version by its full id (64 hex digits). */
TOWNORG_EXTERN(int) townorg_repo_version_by_id(const townorg_version **out, const townorg_repo *repo, const char *id);

/** 1 if `ancestor` is `v` or reachable from `v` through parents, else 0
 *  (also 0 in the rare case that a history of more than 512 versions
 *  cannot be walked for want of memory). */
TOWNORG_EXTERN(int) townorg_version_is_ancestor(const townorg_version *ancestor, const townorg_version *v);

TOWNORG_END_DECLS

#endif /* TOWNORG_REPOSITORY_H */

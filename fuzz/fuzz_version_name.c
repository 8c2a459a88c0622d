/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_version_name.c — townorg_repo_lookup ("main@2020-01-01", "main~3",
 * tags, id prefixes) and townorg_repo_asof on a small fixed repository.
 * A name that resolves must give one of its versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static townorg_repo *repo;

static void commit(const char *branch, int i)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	char id[32], date[16];
	townorg_meta m = TOWNORG_META_INIT;
	snprintf(id, sizeof id, "3410%02d", i);
	snprintf(date, sizeof date, "20%02d-0%d-01", 10 + i, 1 + i % 9);
	m.effective_date = date;
	m.recorded_at = "2024-01-01T00:00:00Z";
	if (townorg_txn_new_on_branch(&t, repo, branch) ||
	    townorg_entity_builder_new(&b, id, TOWNORG_KIND_COUNTY, "县", NULL) || townorg_txn_put_builder(t, b) ||
	    townorg_txn_set_meta(t, &m))
		abort();
	townorg_entity_builder_free(b);
	const townorg_version *v;
	if (townorg_txn_commit(&v, t))
		abort();
	townorg_txn_free(t);
	char tag[16];
	snprintf(tag, sizeof tag, "v%d", i);
	if (townorg_repo_tag_create(repo, tag, v))
		abort();
}

static void setup(void)
{
	if (townorg_repo_new(&repo))
		abort();
	for (int i = 0; i < 6; i++)
		commit("main", i);
	const townorg_version *v;
	if (townorg_repo_lookup(&v, repo, "main~2") || townorg_repo_branch_create(repo, "plan", v))
		abort();
	commit("plan", 7);
	commit("plan", 8);
}

static int in_repo(const townorg_version *v)
{
	for (size_t i = 0; i < townorg_repo_version_count(repo); i++)
		if (townorg_repo_version_at(repo, i) == v)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!repo)
		setup();
	char *s = fz_cstr(data, len);
	const townorg_version *v = NULL;
	int rc = townorg_repo_lookup(&v, repo, s);
	if (rc > 0 || (rc == 0 && !in_repo(v)) || (rc < 0 && !townorg_error_last()))
		abort();
	/* the input as a date on each branch, and as a branch name */
	v = NULL;
	rc = townorg_repo_asof(&v, repo, "main", s);
	if (rc > 0 || (rc == 0 && !in_repo(v)))
		abort();
	rc = townorg_repo_asof(&v, repo, s, "2013-06-01");
	if (rc > 0 || (rc == 0 && !in_repo(v)))
		abort();
	townorg_date_check(s);
	free(s);
	return 0;
}

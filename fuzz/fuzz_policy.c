/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_policy.c — townorg_policy_apply_json on arbitrary bytes.  A failed
 * apply leaves the policy as it was (its waivers and title); a successful
 * one gives a policy that validates a small version. */
#include <stdlib.h>
#include <string.h>
#include "townorg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static townorg_repo *repo;
static const townorg_version *version;

static void setup(void)
{
	townorg_txn *t;
	townorg_entity_builder *b;
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2010-01-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = "黟编〔2010〕3号";
	if (townorg_repo_new(&repo) || townorg_txn_new_on_branch(&t, repo, "main"))
		abort();
	if (townorg_entity_builder_new(&b, "341023", TOWNORG_KIND_COUNTY, "黟县", NULL) ||
	    townorg_entity_builder_set_quota(b, "admin", 224) || townorg_txn_put_builder(t, b))
		abort();
	townorg_entity_builder_free(b);
	if (townorg_entity_builder_new(&b, "341023-001", TOWNORG_KIND_TOWN, "碧阳镇", "341023") ||
	    townorg_txn_put_builder(t, b))
		abort();
	townorg_entity_builder_free(b);
	if (townorg_entity_builder_new(&b, "341023-001-01", TOWNORG_KIND_OFFICE, "党政办公室", "341023-001") ||
	    townorg_entity_builder_set_quota(b, "admin", 12) || townorg_txn_put_builder(t, b))
		abort();
	townorg_entity_builder_free(b);
	if (townorg_txn_set_meta(t, &m) || townorg_txn_commit(&version, t))
		abort();
	townorg_txn_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!repo)
		setup();
	townorg_policy *p;
	if (townorg_policy_new(&p) != 0)
		abort();
	size_t waivers = townorg_policy_waiver_count(p);
	const char *title = townorg_policy_title(p);
	char *title_copy = title ? strdup(title) : NULL;
	int rc = townorg_policy_apply_json(p, (const char *)data, len, "fuzz.json");
	if (rc != 0) {
		const char *t2 = townorg_policy_title(p);
		if (rc > 0 || !townorg_error_last() || townorg_policy_waiver_count(p) != waivers ||
		    (title_copy ? !t2 || strcmp(t2, title_copy) : t2 != NULL))
			abort();
	} else {
		townorg_validation *res;
		rc = townorg_validate(&res, version, p);
		if (rc > 0 || (rc < 0 && rc != TOWNORG_EINVALID && rc != TOWNORG_ENOTFOUND))
			abort();
		if (rc == 0) {
			char *j;
			if (townorg_validation_to_json(&j, res, 0) != 0)
				abort();
			townorg_free(j);
		}
		townorg_validation_free(res);
	}
	free(title_copy);
	townorg_policy_free(p);
	return 0;
}

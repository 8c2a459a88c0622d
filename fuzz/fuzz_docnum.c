/* SPDX-License-Identifier: MulanPSL-2.0 */
/* fuzz_docnum.c — document numbers (涞办字〔2020〕10号): the parser of the
 * rule document.number directly, and the rule itself on a one-entity
 * version whose document number is the input. */
#include <stdlib.h>
#include <string.h>
#include "townorg.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
/* lib/rules/rules.h: the parser behind the rule (internal, linked from the
 * convenience library). */
int townorg__docnum_check(const char *number, char **canon);

static townorg_policy *policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!policy && (townorg_policy_new(&policy) || townorg_policy_set_enabled(policy, "document.number", 1)))
		abort();
	char *s = fz_cstr(data, len);
	char *canon = NULL;
	int ok = townorg__docnum_check(s, &canon);
	/* a number in a standard form parses to itself */
	if (canon) {
		char *again = NULL;
		if (townorg__docnum_check(canon, &again) < 0)
			abort();
		townorg_free(again);
	}
	townorg_free(canon);
	(void)ok;

	townorg_repo *r;
	townorg_txn *t;
	townorg_entity_builder *b;
	townorg_meta m = TOWNORG_META_INIT;
	m.effective_date = "2010-01-01";
	m.recorded_at = "2024-01-01T00:00:00Z";
	m.doc_number = s;
	if (townorg_repo_new(&r) || townorg_txn_new_on_branch(&t, r, "main") ||
	    townorg_entity_builder_new(&b, "341023", TOWNORG_KIND_COUNTY, "黟县", NULL) || townorg_txn_put_builder(t, b))
		abort();
	townorg_entity_builder_free(b);
	const townorg_version *v;
	if (townorg_txn_set_meta(t, &m) == 0 && townorg_txn_commit(&v, t) == 0) {
		townorg_validation *res;
		if (townorg_validate(&res, v, policy) != 0)
			abort();
		char *out;
		if (townorg_validation_to_text(&out, res, "zh") != 0)
			abort();
		townorg_free(out);
		townorg_validation_free(res);
	}
	townorg_txn_free(t);
	townorg_repo_free(r);
	free(s);
	return 0;
}

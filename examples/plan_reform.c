/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * plan_reform — the 黟县 reform tour of docs/guide-en.md in C.
 *
 * Starts a draft plan on branch `plan-2025` from `main`, merges 渔亭镇's
 * three institutions (为民服务中心, 林业站, 国土所) into one new service
 * centre with a smaller quota, records the merge, validates the plan before
 * committing (dry run, with the waivers of examples/data/yixian-waivers.json
 * when given), commits it with the approving document 某编〔2025〕3号, shows
 * the diff against `main`, and — approved — moves `main` to the plan.
 * Optionally writes the repository back as a townorg/1 document.
 *
 *   cc plan_reform.c $(pkg-config --cflags --libs townorg) -o plan_reform
 *   ./plan_reform examples/data/yixian.json examples/data/yixian-waivers.json [OUT.json]
 */
#include <stdio.h>
#include <townorg.h>

#define TOWN "341023102"        /* 渔亭镇 */
#define DOC "某编〔2025〕3号"

static int fail(const char *what)
{
	fprintf(stderr, "plan_reform: %s: %s\n", what, townorg_error_last());
	return 2;
}

/* Put the new centre: the three old ones' functions, 20 of their 22 posts. */
static int put_centre(townorg_txn *txn, const char *const *old, size_t n)
{
	townorg_entity_builder *b = NULL;
	int rc = townorg_entity_builder_new(&b, TOWN "-C2", TOWNORG_KIND_CENTER, "渔亭镇农业农村综合服务中心", TOWN);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const townorg_entity *e;
		size_t count;
		if ((rc = townorg_txn_get(&e, txn, old[i])) < 0)
			break;
		const char *const *funcs = townorg_entity_list(e, "functions", &count);
		for (size_t j = 0; rc == 0 && j < count; j++)
			rc = townorg_entity_builder_list_add(b, "functions", funcs[j]);
	}
	if (rc == 0) rc = townorg_entity_builder_set_quota(b, "inst", 20);
	if (rc == 0) rc = townorg_entity_builder_set_int(b, TOWNORG_FIELD_CHIEF_POSTS, 1);
	if (rc == 0) rc = townorg_entity_builder_set_int(b, TOWNORG_FIELD_DEPUTY_POSTS, 1);
	if (rc == 0) rc = townorg_entity_builder_list_add(b, "nameplates", "计生所");
	if (rc == 0) rc = townorg_entity_builder_set_text(b, "funding", "full");
	if (rc == 0) rc = townorg_entity_builder_set_text(b, "nature", "public_welfare");
	if (rc == 0) rc = townorg_entity_builder_set_text(b, "rank", "股级");
	if (rc == 0) rc = townorg_entity_builder_set_text(b, "regime", "township_led");
	if (rc == 0) rc = townorg_txn_put_builder(txn, b);
	townorg_entity_builder_free(b);
	return rc;
}

/* The township's institutional pool follows its organs: 22 → 20. */
static int shrink_pool(townorg_txn *txn)
{
	const townorg_entity *town;
	townorg_entity_builder *b = NULL;
	int rc = townorg_txn_get(&town, txn, TOWN);
	if (rc == 0) rc = townorg_entity_builder_from(&b, town);
	if (rc == 0) rc = townorg_entity_builder_set_quota(b, "inst", 20);
	if (rc == 0) rc = townorg_txn_put_builder(txn, b);
	townorg_entity_builder_free(b);
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const old[] = {TOWN "-C1", TOWN "-LYZ", TOWN "-GTS"};
	static const char *const to[] = {TOWN "-C2"};
	static const char *const docs[] = {DOC};
	const char *path = argc > 1 ? argv[1] : "examples/data/yixian.json";
	townorg_repo *repo = NULL;
	townorg_txn *txn = NULL;
	townorg_policy *policy = NULL;
	townorg_validation *res = NULL;
	townorg_diff *diff = NULL;
	const townorg_version *main_head, *plan;
	char *text = NULL;
	int rc = 2;

	if (townorg_repo_new(&repo) < 0)
		return fail("repository");
	if (townorg_json_import_repo_file(repo, path, NULL) < 0) { rc = fail(path); goto out; }
	if ((argc > 2 ? townorg_policy_load(&policy, argv[2]) : townorg_policy_new(&policy)) < 0) {
		rc = fail("policy");
		goto out;
	}

	/* 1. A draft plan: a branch that starts at main. */
	if (townorg_repo_branch_head(&main_head, repo, "main") < 0 ||
	    townorg_repo_branch_create(repo, "plan-2025", main_head) < 0 ||
	    townorg_txn_new_on_branch(&txn, repo, "plan-2025") < 0) { rc = fail("branch"); goto out; }

	/* 2. Merge three institutions into one centre, and say so. */
	townorg_event ev = TOWNORG_EVENT_INIT;
	ev.kind = TOWNORG_EVENT_MERGE;
	ev.event_id = "yuting-2025";
	ev.from_ids = old; ev.from_count = 3;
	ev.to_ids = to; ev.to_count = 1;
	ev.documents = docs; ev.document_count = 1;
	ev.wording = "渔亭镇为民服务中心、林业站、国土所整合为渔亭镇农业农村综合服务中心";
	townorg_meta meta = TOWNORG_META_INIT;
	meta.effective_date = "2025-03-01";
	meta.recorded_at = "2025-02-20T08:00:00Z";
	meta.author = "黟县编办";
	meta.doc_issuer = "黟县机构编制委员会";
	meta.doc_number = DOC;
	meta.doc_date = "2025-02-18";
	meta.message = "渔亭镇三站合一 / 渔亭镇: three institutions become one centre";
	if (put_centre(txn, old, 3) < 0 || shrink_pool(txn) < 0 ||
	    townorg_txn_remove(txn, old[0]) < 0 || townorg_txn_remove(txn, old[1]) < 0 ||
	    townorg_txn_remove(txn, old[2]) < 0 || townorg_txn_add_event(txn, &ev) < 0 ||
	    townorg_txn_set_meta(txn, &meta) < 0) { rc = fail("plan"); goto out; }

	/* 3. Validate before anything is filed (dry run: nothing is committed). */
	if (townorg_validate_txn(&res, txn, policy) < 0 || townorg_validation_to_text(&text, res, "zh") < 0) {
		rc = fail("validate");
		goto out;
	}
	printf("== dry run ==\n%s", text);
	townorg_free(text);
	text = NULL;
	if (!townorg_validation_conforms(res)) {
		fprintf(stderr, "plan_reform: the plan does not conform; not committed\n");
		rc = 1;
		goto out;
	}

	/* 4. Commit the approved plan with its document, 5. diff it against main. */
	if (townorg_txn_commit(&plan, txn) < 0) { rc = fail("commit"); goto out; }
	townorg_diff_options opts = TOWNORG_DIFF_OPTIONS_INIT;
	opts.under = TOWN;
	if (townorg_diff_versions(&diff, main_head, plan, &opts) < 0 ||
	    townorg_diff_to_text(&text, diff, TOWNORG_LANG_ZH) < 0) { rc = fail("diff"); goto out; }
	printf("== diff main plan-2025 ==\n%s", text);

	/* 6. Approved: main moves to the plan (a fast-forward). */
	if (townorg_repo_branch_set(repo, "main", plan) < 0) { rc = fail("main"); goto out; }
	printf("== main is now %.12s (%s, %s) ==\n", townorg_version_id(plan),
		townorg_version_meta(plan)->effective_date, townorg_version_meta(plan)->doc_number);
	if (argc > 3 && townorg_json_export_repo_file(argv[3], repo, NULL) < 0) { rc = fail(argv[3]); goto out; }
	rc = 0;
out:
	townorg_free(text);
	townorg_diff_free(diff);
	townorg_validation_free(res);
	townorg_txn_free(txn);
	townorg_policy_free(policy);
	townorg_repo_free(repo);
	return rc;
}

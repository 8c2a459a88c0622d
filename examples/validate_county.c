/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * validate_county — validate the head of `main` of a repository document
 * against a policy, as a personnel or archive system would before filing a
 * change.
 *
 * Loads a townorg/1 repository document (e.g. examples/data/yixian.json)
 * into an in-memory repository, validates the version named on the command
 * line (default: main) against the default policy (篇7's 2008 limits) or
 * against a policy file applied on top of it, and prints the findings in
 * Chinese or English.  Exit status: 0 conforms, 1 does not, 2 bad input.
 *
 *   cc validate_county.c $(pkg-config --cflags --libs townorg) -o validate_county
 *   ./validate_county examples/data/yixian.json                       # 渔亭镇 flagged
 *   ./validate_county examples/data/yixian.json -p examples/data/yixian-waivers.json
 *   ./validate_county examples/data/yian.json -p /usr/share/libtownorg/policies/2020.json -l en
 */
#include <stdio.h>
#include <string.h>
#include <townorg.h>

static int fail(const char *what)
{
	fprintf(stderr, "validate_county: %s: %s\n", what, townorg_error_last());
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *policy_path = NULL, *name = "main", *lang = "zh";
	townorg_repo *repo = NULL;
	townorg_policy *policy = NULL;
	townorg_validation *res = NULL;
	const townorg_version *v;
	char *text = NULL;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-p") && i + 1 < argc)
			policy_path = argv[++i];
		else if (!strcmp(argv[i], "-l") && i + 1 < argc)
			lang = argv[++i];
		else if (!path)
			path = argv[i];
		else
			name = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: validate_county REPO.json [VERSION] [-p POLICY.json] [-l zh|en]\n");
		return 2;
	}
	if (townorg_repo_new(&repo) < 0)
		return fail("repository");
	if (townorg_json_import_repo_file(repo, path, NULL) < 0) {
		rc = fail(path);
		goto out;
	}
	if (townorg_repo_lookup(&v, repo, name) < 0) {
		rc = fail(name);
		goto out;
	}
	/* NULL would do for the defaults; a file is applied on top of them. */
	if ((policy_path ? townorg_policy_load(&policy, policy_path) : townorg_policy_new(&policy)) < 0) {
		rc = fail(policy_path ? policy_path : "policy");
		goto out;
	}
	if (townorg_validate(&res, v, policy) < 0 || townorg_validation_to_text(&text, res, lang) < 0) {
		rc = fail("validate");
		goto out;
	}
	printf("%s %.12s %s (%s)\n", path, townorg_version_id(v), townorg_version_meta(v)->effective_date,
		policy_path ? policy_path : "default policy");
	fputs(text, stdout);
	rc = townorg_validation_conforms(res) ? 0 : 1;
out:
	townorg_free(text);
	townorg_validation_free(res);
	townorg_policy_free(policy);
	townorg_repo_free(repo);
	return rc;
}

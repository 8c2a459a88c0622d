/* SPDX-License-Identifier: MulanPSL-2.0 */
/* policy_default.c — the default policy embedded in the library, so that
 * validation works uninstalled.  Keep it identical to policies/default.json
 * (tests/check_validate.c compares them); regenerate with
 *   python3 policies/embed.py > lib/validate/policy_default.c */
#include "validate/rules.h"

const char townorg__default_policy_json[] =
	"{\n"
	"  \"format\": \"townorg-policy/1\",\n"
	"  \"title\": \"乡镇机构改革规定（2008 年，黟县，篇7）/ township reform rules of 2008 (Yi County, seed 篇7)\",\n"
	"  \"note\": \"The defaults libtownorg uses when no policy is given. They encode the limits of the 2008 township reform in the seeds (篇7): large/medium/small townships get 9/7/5 leader posts and 3/3/2 comprehensive offices; staffing quota may not rise for five years from the reform (确保乡镇机构编制5年内只减不增); allocations stay within the pools (总量控制). They apply from 2008-01-01 until a later policy replaces them (the 2019-2020 reforms, e.g. 涞办字〔2020〕10号, set other structures: see policies/2020.json). The seeds give no class thresholds, so class.indicators does nothing until a policy sets them.\",\n"
	"  \"valid_from\": \"2008-01-01\",\n"
	"  \"valid_to\": null,\n"
	"  \"rules\": {\n"
	"    \"quota.no-increase-window\": {\n"
	"      \"enabled\": true,\n"
	"      \"severity\": \"error\",\n"
	"      \"params\": {\"years\": 5, \"mode\": \"ceiling\", \"baseline\": null, \"totals\": [[\"admin\"], [\"inst\"]], \"scope\": [\"county\"]}\n"
	"    },\n"
	"    \"quota.pool\": {\"enabled\": true, \"severity\": \"error\", \"params\": {\"report_unallocated\": true}},\n"
	"    \"quota.overstaffed\": {\"enabled\": true, \"severity\": \"error\"},\n"
	"    \"leaders.by-class\": {\"enabled\": true, \"severity\": \"error\", \"params\": {\"limits\": {\"large\": 9, \"medium\": 7, \"small\": 5}}},\n"
	"    \"offices.by-class\": {\n"
	"      \"enabled\": true,\n"
	"      \"severity\": \"error\",\n"
	"      \"params\": {\"limits\": {\"large\": 3, \"medium\": 3, \"small\": 2}, \"kinds\": [\"office\"]}\n"
	"    },\n"
	"    \"class.indicators\": {\"enabled\": true, \"severity\": \"error\", \"params\": {\"thresholds\": {}, \"match\": \"all\"}},\n"
	"    \"functions.no-gap\": {\"enabled\": true, \"severity\": \"error\"},\n"
	"    \"functions.no-overlap\": {\"enabled\": true, \"severity\": \"error\"},\n"
	"    \"lineage.disposition\": {\"enabled\": true, \"severity\": \"error\", \"params\": {\"archives\": true}},\n"
	"    \"posts.heads\": {\"enabled\": true, \"severity\": \"error\", \"params\": {\"kinds\": [\"office\"], \"chiefs\": 1, \"max_deputies\": 1}},\n"
	"    \"document.number\": {\"enabled\": true, \"severity\": \"error\", \"params\": {\"required\": true}},\n"
	"    \"code.kind-range\": {\"enabled\": true, \"severity\": \"warning\"}\n"
	"  },\n"
	"  \"waivers\": []\n"
	"}\n";

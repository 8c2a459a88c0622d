#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# diff (text, --json, filters), validate (exit codes, policies, waivers),
# blame and lineage on the benchmark sample.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

expect 0 "diff v0 v1" diff "$R" v0 v1
check "diff summary line" out_has "added 0, removed 0, changed 19"
expect 0 "diff --json v0 v5" diff "$R" v0 v5 --json
check "diff --json has the documented members" json 'all(k in d for k in ("from","to","added","removed","changed","events","totals"))'
check "diff --json counts match expected_diffs.csv (2 added, 5 removed, 61 changed)" json 'len(d["added"]) == 2 and len(d["removed"]) == 5 and len(d["changed"]) == 61'
check "diff --json entities carry id, kind, name, parent_id" json 'all(k in d["added"][0] for k in ("id","kind","name","parent_id"))'
check "diff --json changed fields are [old, new] pairs" json 'all(len(v) == 2 for c in d["changed"] for v in c["fields"].values())'
expect 0 "diff --kind office" diff "$R" v0 v5 --json --kind office
check "--kind keeps only offices" json 'all(e["kind"] == "office" for e in d["added"] + d["removed"] + d["changed"])'
expect 0 "diff --kind office,center --under 120121" diff "$R" v0 v5 --json --kind office,center --under 120121
check "--under keeps only that county" json 'all(e["id"].startswith("120121") for e in d["added"] + d["removed"] + d["changed"]) and len(d["changed"]) > 0'
expect 0 "diff of a version with itself" diff "$R" v3 v3 --json
check "nothing changed" json 'not d["added"] and not d["removed"] and not d["changed"]'
expect 2 "diff --kind with an unknown kind" diff "$R" v0 v5 --kind twon
check "the message names the kind" err_has "twon"

expect 1 "validate the head of main: errors, exit 1" validate "$R"
check "validate prints the summary" out_has "does not conform"
expect 1 "validate --json" validate "$R" --json
check "validate --json: conforms false, findings with both messages" json 'd["conforms"] is False and all(f["message_zh"] and f["message_en"] for f in d["findings"])'
expect 0 "validate with a policy whose only error is waived" validate "$R" v5 --policy "$DATA/waive.json" --json
check "the waived finding is still reported" json 'd["conforms"] and any(f["waived"] and f["rule"] == "quota.no-increase-window" for f in d["findings"])'
expect 2 "validate with a bad policy" validate "$R" --policy "$DATA/bad-policy.json"
check "the message names the policy file" err_has "bad-policy.json"
expect 2 "validate with a missing policy" validate "$R" --policy "$TMP/none.json"

expect 0 "blame an organ" blame "$R" 120121-003-01
check "blame names the version that set admin_quota" out_has "admin_quota"
expect 0 "blame --json" blame "$R" 120121-003-01 --json
check "blame --json: admin_quota set by v5's document" json 'd["fields"]["admin_quota"]["doc_number"] == "中编办发〔2017〕23号"'
expect 2 "blame an unknown entity" blame "$R" nosuch

expect 0 "lineage of a merged township" lineage "$R" 120121-004
check "lineage shows the merge into 西滩镇" out_has "西滩镇"
expect 0 "lineage --json" lineage "$R" 120121-004 --json
check "lineage --json has a merge edge" json 'any(e["kind"] == "merge" and e["to"] == "120121-003" for e in d["edges"])'
expect 0 "lineage --dot" lineage "$R" 120121-004 --dot
check "lineage --dot is a digraph" grep -q '^digraph' "$TMP/out"
expect 2 "lineage --json --dot" lineage "$R" 120121-004 --json --dot

done_testing

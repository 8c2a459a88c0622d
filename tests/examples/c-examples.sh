#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The C examples of examples/ on the seed datasets.
. "${top_srcdir:-.}/tests/examples/lib.sh"

# reform_rates: the district of 篇4 — the report's reduction rates.
run "$BIN/reform_rates" "$DATA/district.json" p4-16
check_rc 0 "reform_rates runs on district.json"
has "17 → 4    精简  76.5%  事业站所" "2002: institutions 17 → 4, 76% (篇4)"
has "10 → 2    精简  80.0%  行政机构" "2002: offices 10 → 2, 80% (8–10 → 1–2, 80%以上)"
has "600 → 540  精简  10.0%  编制 quota (admin" "2002: administrative quota −10%"
has "800 → 640  精简  20.0%  编制 quota (inst" "2002: institutional quota −20%"
has "17 → 7    精简  58.8%  事业站所" "2005: institutions 17 → 7, 59%"
has "12 → 3    精简  75.0%  党政机构" "2005: party and government organs 12 → 3, 75%"
has "10 → 3    精简  70.0%  行政机构" "2005: administrative organs 10 → 3, 70%"
has "20 → 18   精简  10.0%  乡镇、街道" "2005: 4 abolished, 2 sub-districts created: 20 → 18, 10%"
run "$BIN/reform_rates" "$DATA/district.json" p4-99
check_rc 2 "reform_rates: a unit the diff does not touch is an error"
run "$BIN/reform_rates" "$TMP/missing.json"
check_rc 2 "reform_rates: a missing file is an error"
if grep -q "missing.json" "$TMP/err"; then ok "the error names the file"; else not_ok "the error names the file"; fi

# validate_county: 黟县 with the default policy, then with the waivers.
run "$BIN/validate_county" "$DATA/yixian.json"
check_rc 1 "validate_county: 黟县 does not conform to the 2008 limits"
has "渔亭镇：领导职数 7 名，超过小乡镇上限 5 名" "渔亭镇 flagged: leader posts"
has "渔亭镇：综合性办公室 3 个，超过小乡镇上限 2 个" "渔亭镇 flagged: offices"
if [ "$(grep -c '^error' "$TMP/out")" = 2 ]; then ok "only 渔亭镇's two findings are errors"; else
	not_ok "only 渔亭镇's two findings are errors"; sed 's/^/# /' "$TMP/out"; fi
run "$BIN/validate_county" "$DATA/yixian.json" -p "$DATA/yixian-waivers.json" -l en
check_rc 0 "validate_county: 黟县 conforms with the waivers"
has "[waived: 黟编〔2008〕12号]" "the waivers cite their document"
has "conforms: 0 errors, 0 warnings, 8 infos, 2 waived" "summary: conforms, 2 waived"
run "$BIN/validate_county" "$DATA/yixian.json" 2007-baseline
check_rc 0 "the baseline of 2007 lies before the 2008 policy"
has "policy.era" "the baseline is not judged (policy.era)"

# 义安镇 (篇10): the 2008 limits flag four offices; the 2020 policy does not.
run "$BIN/validate_county" "$DATA/yian.json" -l en
check_rc 1 "validate_county: 义安镇 under the 2008 default"
has "义安镇: 4 comprehensive offices, above the limit of 3" "2008 limits flag 义安镇's four offices"
run "$BIN/validate_county" "$DATA/yian.json" -p "$abs_top_srcdir/policies/2020.json"
check_rc 0 "validate_county: 义安镇 conforms to policies/2020.json"
has "义安镇：核定行政编制 31 名，已分配 25 名，留有空编 6 名" "6 administrative posts left unallocated (reported, not flagged)"

# plan_reform: the tour — branch, merge three into one, dry run, commit, diff.
run "$BIN/plan_reform" "$DATA/yixian.json" "$DATA/yixian-waivers.json" "$TMP/plan.json"
check_rc 0 "plan_reform runs"
has "符合：错误 0，警告 0，提示 9，已豁免 2" "the plan conforms (dry run, waivers)"
has "新增 1，撤销 3，变更 1" "the diff: 1 added, 3 removed, 1 changed"
has "merge 341023102-C1, 341023102-LYZ, 341023102-GTS → 341023102-C2（某编〔2025〕3号）" "the merge event with its document"
has "渔亭镇: 机构 7 → 5, 精简 28.6%" "渔亭镇's organs 7 → 5"
has "(2025-03-01, 某编〔2025〕3号)" "main moved to the plan"
if [ -x "$TOWNORG" ]; then
	run "$TOWNORG" init "$TMP/plan.db"
	run "$TOWNORG" import "$TMP/plan.db" "$TMP/plan.json"
	check_rc 0 "the repository plan_reform wrote imports (hashes check)"
	run "$TOWNORG" log "$TMP/plan.db"
	has "某编〔2025〕3号" "its log shows the plan on main"
	has "plan-2025" "and the branch plan-2025"
else
	skip "the townorg program was not built"
fi
done_testing

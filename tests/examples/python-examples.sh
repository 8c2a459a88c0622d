#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The Python examples of examples/ on the seed datasets, with the module of
# this build (skipped when the bindings were not built).
. "${top_srcdir:-.}/tests/examples/lib.sh"

if ! python_env; then
	skip "the Python bindings were not built"
	done_testing
	exit 0
fi

run "$PYTHON" "$EX/reform_rates.py" "$DATA/district.json" p4-16
check_rc 0 "reform_rates.py runs"
has "17 → 4  精简 76.5% (≈76%)" "2002: institutions 17 → 4, 76%"
has "17 → 7  精简 58.8% (≈59%)" "2005: institutions 17 → 7, 59%"
has "12 → 3  精简 75.0% (≈75%)" "2005: party and government organs 12 → 3, 75%"
has "10 → 3  精简 70.0% (≈70%)" "2005: administrative organs 10 → 3, 70%"
has "20 → 18 精简 10.0% (≈10%)" "2005: township-level units 20 → 18, 10%"
has "abolished: p4-05, p4-18, p4-19, p4-20; created: p4-21, p4-22" "4 townships abolished, 2 sub-districts created"

run "$PYTHON" "$EX/yian_2020.py" "$DATA/yian.json" "$abs_top_srcdir/policies/2020.json"
check_rc 0 "yian_2020.py runs"
has "义安镇 130623102 (涞办字〔2020〕10号): 核定编制 59 名（行政 31，事业 28）" "59 = 31 + 28"
has "organs: 8, quota allocated 53 of 59" "eight organs hold 53"
has "delegated powers: 131 items" "19 + 112 delegated items"
has "[2008 default] conforms: False" "the 2008 limits reject the 2020 structure"
has "义安镇：综合性办公室 4 个，超过中等乡镇上限 3 个" "… because of its four offices"
has "[2020] conforms: True" "the 2020 policy accepts it"

run "$PYTHON" "$EX/plan_2025.py" "$DATA/yixian.json" "$DATA/yixian-waivers.json"
check_rc 0 "plan_2025.py runs"
has "渔亭镇 as of 2024-12-31 (黟编〔2008〕5号): small, 7 leader posts" "as-of 渔亭镇"
has "dry run: conforms=True, 2 waived" "the plan conforms with the waivers (dry run)"
has "diff main plan-2025: 1 added, 3 removed, 1 changed" "the plan's diff"
has "渔亭镇 organs 7 → 5 精简 28.6%" "渔亭镇's reduction rate"
has "2025-03-01 某编〔2025〕3号" "main carries the approving document"

# The datasets are what make_datasets.py makes (byte for byte).
run "$PYTHON" "$DATA/make_datasets.py" "$TMP"
check_rc 0 "make_datasets.py runs"
for f in yixian.json yian.json district.json yixian-tables/base.csv yixian-tables/changes.csv \
	 yixian-tables/events.csv yixian-tables/versions.csv; do
	if cmp -s "$TMP/$f" "$DATA/$f"; then ok "examples/data/$f is up to date"; else
		not_ok "examples/data/$f differs from what make_datasets.py makes"; fi
done
done_testing

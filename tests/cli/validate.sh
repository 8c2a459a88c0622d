#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# tests/cli/validate.sh — validate on a history: the summary by rule and
# severity, --rule, --severity, --under, --from/--to, units named by code,
# name and county, --json, --csv; the statistical profile policies/nbs.json
# on the NBS/MCA fixtures; unknown rules and entities (exit 2, did you mean).
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

expect 1 "validate the head" validate "$R"
check "the summary by rule and severity comes first" "$PY" -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert "by rule and severity" in lines[0], lines[0]
assert lines[1].split()[:3] == ["rule", "severity", "findings"], lines[1]
assert lines[-1].startswith("does not conform")' "$TMP/out"
expect 1 "validate --json" validate "$R" --json
check "findings name the unit and its county" json 'd["findings"] and all(f["name"] and f["county"] for f in d["findings"] if f["entity"])'
cp "$TMP/out" "$TMP/all.json"
expect 1 "validate --rule" validate "$R" --rule quota.overstaffed --json
check "only that rule" json 'd["findings"] and all(f["rule"] == "quota.overstaffed" for f in d["findings"])'
expect 2 "an unknown rule" validate "$R" --rule quota.pol
check "did you mean" err_has "did you mean 'quota.pool'"
expect 2 "an unknown severity" validate "$R" --severity fatal
run validate "$R" --severity warning --json
check "--severity warning leaves out infos" json 'all(f["severity"] in ("warning", "error") for f in d["findings"])'
run validate "$R" --under 120121 --json
check "--under keeps the county's units" json 'd["findings"] and all(f["county"] == "120121" for f in d["findings"])'
expect 2 "--under an unknown unit" validate "$R" --under 1201219
check "the message names it" err_has "no entity '1201219'"
run validate "$R" v5 --from v0 --json
check "--from v0 validates v0 to v5" json 'len(d["versions"]) == 6'
expect 2 "--from a version not on the line" validate "$R" v0 --from v5
run validate "$R" --csv
check "--csv: a header and one row per finding" "$PY" -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
d = json.load(open(sys.argv[2], encoding="utf-8"))
assert len(rows) == len(d["findings"]) > 0
assert all(r["rule"] and r["severity"] and r["message"] for r in rows)' "$TMP/out" "$TMP/all.json"
expect 2 "--json and --csv together" validate "$R" --json --csv

# statistical data: no archives anywhere is said once; the profile checks what the data has
N="$TMP/n.db"
"$TOWNORG" init "$N" >/dev/null
"$TOWNORG" import "$N" "$top_srcdir/tests/data/nbs" --events "$top_srcdir/tests/data/mca" -q
run validate "$N" --from nbs-2017 --json
check "no archives recorded: one finding naming the statistical profile" json \
	'[f["severity"] for f in d["findings"] if f["path"] == "archives"] == ["warning"] and "policies/nbs.json" in [f for f in d["findings"] if f["path"] == "archives"][0]["message_en"]'
expect 0 "the statistical profile" validate "$N" --policy "$top_srcdir/policies/nbs.json" --from nbs-2017
check "nothing about archives or documents of the editions" sh -c '! grep -q "archives\|cites no document" "$1"' sh "$TMP/out"

# names that name nothing: exit 2, with the closest name
expect 2 "diff --under an unknown unit" diff "$R" v0 v5 --under 999999
check "the message names it" err_has "no entity '999999'"
expect 2 "diff --field with a typo" diff "$R" v0 v5 --field nmae
check "did you mean name" err_has "did you mean 'name'"
expect 0 "diff --field of a quota type" diff "$R" v0 v5 --field admin_quota
expect 2 "lineage of an unknown id" lineage "$R" 999
check "lineage names the id" err_has "no entity '999'"
expect 2 "blame of an id one digit off" blame "$N" 51052512
check "blame suggests a close id" err_has "did you mean 5105251"
expect 0 "an empty diff" diff "$R" v5 v5
# the totals respect --kind; units with no organs on either side are left out
run diff "$R" v0 v5 --kind office --json
check "the organ totals count the offices only" json 'd["totals"]["all"]["organs"]["before"] == d["totals"]["all"]["kinds"]["office"][0] and d["totals"]["all"]["organs"]["after"] == d["totals"]["all"]["kinds"]["office"][1]'
expect 0 "diff of two NBS editions" diff "$N" nbs-2017 nbs-2018
check "no 0 → 0 unit lines" sh -c '! grep -q "organs 0 → 0, reduction n/a; quota 0 → 0" "$1" || [ "$(grep -c "organs 0 → 0" "$1")" -eq 1 ]' sh "$TMP/out"

# Chinese: the summary, the severities and the import report's reasons
mkdir -p "$TMP/locale/zh_CN/LC_MESSAGES"
mo="$TMP/locale/zh_CN/LC_MESSAGES/townorg.mo"
msgfmt -o "$mo" "$top_srcdir/po/zh_CN.po" 2>/dev/null
zh=
for l in zh_CN.UTF-8 zh_CN.utf8; do
	if locale -a 2>/dev/null | grep -qix "$(echo $l | sed 's/UTF-8/utf8/')"; then zh=$l; break; fi
done
if [ -z "$zh" ] || [ ! -f "$mo" ]; then
	for i in 1 2 3 4 5 6 7 8; do skip "no zh_CN.UTF-8 locale or no msgfmt"; done
else
	LC_ALL=$zh TOWNORG_LOCALEDIR="$TMP/locale" run validate "$R"
	check "Chinese summary heading" out_has "按规则和严重程度"
	check "Chinese severities" out_has "错误"
	check "Chinese conformance line" out_has "不符合"
	"$TOWNORG" init "$TMP/z.db" >/dev/null
	LC_ALL=$zh TOWNORG_LOCALEDIR="$TMP/locale" run import "$TMP/z.db" "$top_srcdir/tests/data/nbs" --events "$top_srcdir/tests/data/mca"
	check "Chinese import report" out_has "未挂接的记录"
	check "Chinese reasons" out_has "原单位和现单位都不在任何年版中"
	LC_ALL=$zh TOWNORG_LOCALEDIR="$TMP/locale" run blame "$TMP/z.db" 510525120
	check "Chinese blame field names" sh -c 'grep -q "^上级 " "$1" && grep -q "^名称 " "$1"' sh "$TMP/out"
	LC_ALL=$zh TOWNORG_LOCALEDIR="$TMP/locale" run lineage "$TMP/z.db" 510525116
	check "Chinese event kinds in lineage" out_has "2016 改设 510525202"
	LC_ALL=$zh TOWNORG_LOCALEDIR="$TMP/locale" run import "$TMP/z.db" "$top_srcdir/tests/data/nbs" --events "$top_srcdir/tests/data/mca"
	check "Chinese: a re-import in one line" out_has "无需导入"
fi
done_testing

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# init, import, log, show, as-of, --version and --help of every command.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"

expect 0 "--version" --version
check "--version prints the library version" grep -q '^townorg [0-9][0-9.]*' "$TMP/out"
expect 0 "--help" --help
check "--help lists the commands" out_has "as-of"
for c in init import log show as-of diff validate blame lineage export verify branch tag merge; do
	expect 0 "$c --help" "$c" --help
	check "$c --help shows the usage" out_has "Usage: townorg $c"
done
expect 0 "help diff" help diff

expect 0 "init" init "$R"
check "init made the file" test -s "$R"
expect 2 "init refuses an existing file" init "$R"
expect 0 "log of an empty repository" log "$R" --json
check "log --json of an empty branch" json 'd["versions"] == []'
expect 0 "import the benchmark sample (tables detected)" import "$R" "$SAMPLE"
check "import reports 6 versions" out_has "Imported 6 versions"

expect 0 "log" log "$R"
check "log lists 6 versions and a header" test "$(wc -l <"$TMP/out")" -eq 7
check "log shows the document numbers" out_has "中编办发〔2017〕23号"
check "log shows the tags" out_has "main, v5"
check "log columns are aligned" "$PY" -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
pos = {w(l[:l.index("  2")]) for l in lines if "  2" in l}
sys.exit(0 if len(pos) == 1 else 1)' "$TMP/out"
expect 0 "log --json" log "$R" --json
check "log --json: 6 versions newest first, tags" json 'len(d["versions"]) == 6 and d["versions"][0]["tags"] == ["v5"] and d["versions"][-1]["parents"] == [] and d["versions"][0]["document"]["number"] == "中编办发〔2017〕23号"'
expect 0 "log -n 2" log "$R" -n 2
check "log -n 2 shows two versions" test "$(wc -l <"$TMP/out")" -eq 3

expect 0 "show a version" show "$R" v3
check "show lists entity counts" out_has "office"
check "show gives the effective date" out_has "2016-07-01"
expect 0 "show a township" show "$R" v5 120121-001
check "show lists the organs" out_has "金州乡综合行政执法队"
check "show sums the organs" out_has "8 organs in all"
expect 0 "show --json a township" show "$R" main 120121-001 --json
check "show --json: entity, 8 organs, quota totals" json 'd["entity"]["name"] == "金州乡" and len(d["children"]) == 8 and d["quota_totals"]["admin"] == 19 and d["quota_totals"]["inst"] == 11'
expect 0 "show --json a version" show "$R" v0 --json
check "show --json: kinds counted" json 'd["entity_count"] == 453 and d["kinds"]["county"] == 3'
expect 2 "show an unknown entity" show "$R" v5 999999
check "show names the missing entity" err_has "999999"

expect 0 "as-of a date" as-of "$R" main 2016-01-01
check "as-of gives the version in effect (v2)" out_has "v2"
expect 0 "as-of --json" as-of "$R" main 2017-03-01 --json
check "as-of --json names v4" json '"v4" in d["version"]["tags"]'
expect 0 "as-of with an entity" as-of "$R" main 2015-06-01 110121-005
check "as-of shows the entity then (still a township)" out_has "广城乡"
expect 2 "as-of before anything was in effect" as-of "$R" main 2000-01-01
expect 2 "as-of a bad date" as-of "$R" main 2016-13-01

done_testing

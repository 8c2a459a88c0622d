#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# branch, tag, version names, merge (fast-forward, three-way, conflicts).
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

vid() { "$TOWNORG" show "$R" "$1" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["version"]["id"])'; }
# edit SNAPSHOT OUT ID KEY VALUE: a copy of a snapshot with one entity member changed.
edit() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
src, out, eid, key, val = sys.argv[1:6]
d = json.load(open(src, encoding="utf-8"))
for k in ("version", "state_hash"):
    d.pop(k, None)
for e in d["entities"]:
    if e["id"] == eid:
        if key == "admin":
            e.setdefault("quotas", {})["admin"] = int(val)
        else:
            e[key] = val
json.dump(d, open(out, "w", encoding="utf-8"), ensure_ascii=False)
PYEOF
}

V3=$(vid v3)
expect 0 "a version by a 4-digit prefix" show "$R" "$(echo "$V3" | cut -c1-4)" --json
check "the prefix names v3" json "d['version']['id'] == '$V3'"
expect 0 "a version by its full id" show "$R" "$V3" --json
expect 0 "NAME~N" show "$R" main~2 --json
check "main~2 is v3" json "d['version']['id'] == '$V3'"
expect 0 "NAME@DATE" show "$R" main@2016-12-31 --json
check "main@2016-12-31 is v3" json "d['version']['id'] == '$V3'"
expect 2 "an unknown version name" show "$R" nosuchname
check "the message names it" err_has "nosuchname"

expect 0 "branch: list" branch "$R"
check "main is listed" out_has "main"
expect 0 "branch NAME FROM" branch "$R" plan v3
expect 0 "branch --json" branch "$R" --json
check "plan starts at v3" json "any(b['name'] == 'plan' and b['version'] == '$V3' for b in d)"
expect 2 "branch that exists" branch "$R" plan v4
expect 0 "branch NAME (from main)" branch "$R" tmp
expect 0 "branch -d" branch "$R" -d tmp
expect 0 "branch list after delete" branch "$R" --json
check "tmp is gone" json 'not any(b["name"] == "tmp" for b in d)'

expect 0 "tag NAME VERSION" tag "$R" approved v4
expect 0 "the tag names a version" show "$R" approved --json
check "approved is v4" json '"v4" in d["version"]["tags"] and "approved" in d["version"]["tags"]'
expect 2 "a tag never moves" tag "$R" approved v5
expect 2 "tag with a name only" tag "$R" lonely

# Fast-forward: a plan on top of main.
"$TOWNORG" export "$R" v5 --format json -o "$TMP/v5.json" >/dev/null
edit "$TMP/v5.json" "$TMP/ff.json" 120121-001-01 name 金州乡党政办公室
"$TOWNORG" branch "$R" ff main >/dev/null
"$TOWNORG" import "$R" "$TMP/ff.json" --branch ff >/dev/null
expect 0 "merge: fast-forward" merge "$R" ff
check "it says fast-forward" out_has "Fast-forward"
expect 0 "show the merged change" show "$R" main 120121-001-01 --json
check "main has the plan's name" json 'd["entity"]["name"] == "金州乡党政办公室"'
expect 0 "merge again: up to date" merge "$R" ff --json
check "up-to-date result" json 'd["result"] == "up-to-date"'

# Three-way: plan branched at v3 changes one office; main changed others since.
"$TOWNORG" export "$R" v3 --format json -o "$TMP/v3.json" >/dev/null
edit "$TMP/v3.json" "$TMP/p.json" 110121-001-01 name 下滩镇党政办公室
"$TOWNORG" import "$R" "$TMP/p.json" --branch plan >/dev/null
expect 0 "merge: three-way" merge "$R" plan --document "某编〔2025〕3号" --date 2025-03-01 --json
check "merged with base v3 and one change applied" json "d['result'] == 'merged' and d['base'] == '$V3' and d['applied'] == 1"
expect 0 "the merge version has two parents" log "$R" --json
check "two parents, document and date set" json 'len(d["versions"][0]["parents"]) == 2 and d["versions"][0]["document"]["number"] == "某编〔2025〕3号" and d["versions"][0]["effective_date"] == "2025-03-01"'
expect 0 "main has both sides' changes" show "$R" main 110121-001-01 --json
check "the plan's change is on main" json 'd["entity"]["name"] == "下滩镇党政办公室"'
expect 0 "and main's own change is kept" show "$R" main 120121-001-01 --json
check "main's change survived" json 'd["entity"]["name"] == "金州乡党政办公室"'

# Conflict: the plan sets a quota that main changed too (v3 -> v5: 8 -> 11).
before=$("$TOWNORG" log "$R" --json)
"$TOWNORG" branch "$R" clash v3 >/dev/null
edit "$TMP/v3.json" "$TMP/c.json" 120121-003-01 admin 9
"$TOWNORG" import "$R" "$TMP/c.json" --branch clash >/dev/null
expect 1 "merge with a conflict exits 1" merge "$R" clash
check "the conflict is listed with its three values" out_has "admin_quota: base 8, here 11, there 9"
expect 1 "merge --json lists conflicts" merge "$R" clash --json
check "conflict JSON: entity and [base, ours, theirs]" json 'd["result"] == "conflicts" and d["conflicts"][0]["id"] == "120121-003-01" and d["conflicts"][0]["fields"]["admin_quota"] == ["8", "11", "9"]'
check "nothing was committed" test "$before" = "$("$TOWNORG" log "$R" --json)"
expect 2 "merge into a branch that does not exist" merge "$R" clash --into nosuch

# Field level: two plans change different fields of the same office.
"$TOWNORG" export "$R" main --format json -o "$TMP/m.json" >/dev/null
"$TOWNORG" branch "$R" f1 main >/dev/null
"$TOWNORG" branch "$R" f2 main >/dev/null
edit "$TMP/m.json" "$TMP/f1.json" 120121-003-01 name 综合办公室
edit "$TMP/m.json" "$TMP/f2.json" 120121-003-01 admin 20
"$TOWNORG" import "$R" "$TMP/f1.json" --branch f1 >/dev/null
"$TOWNORG" import "$R" "$TMP/f2.json" --branch f2 >/dev/null
expect 0 "merge f1: fast-forward" merge "$R" f1
expect 0 "merge f2: field-level three-way" merge "$R" f2 --json
check "merged, one entity applied" json "d['result'] == 'merged' and d['applied'] == 1"
expect 0 "the office has both fields" show "$R" main 120121-003-01 --json
check "name from f1, admin quota from f2" json 'd["entity"]["name"] == "综合办公室" and d["entity"]["quotas"]["admin"] == 20'

done_testing

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# export/import round trips (JSON repository, JSON snapshot, CSV tables)
# and the NBS importer on a slice of the real township lists.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

ids() { "$TOWNORG" log "$1" "${2:-main}" --json | "$PY" -c 'import json,sys; print(" ".join(v["id"] for v in json.load(sys.stdin)["versions"]))'; }
states() { "$TOWNORG" log "$1" "${2:-main}" --json | "$PY" -c 'import json,sys; print(" ".join(v["state_hash"] for v in json.load(sys.stdin)["versions"]))'; }

# JSON repository document
expect 0 "export --format json -o FILE" export "$R" --format json -o "$TMP/all.json"
check "the export is a repository document" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["type"] != "repository")' "$TMP/all.json"
expect 0 "export --format json to standard output" export "$R" --format json
check "standard output holds the same document" cmp -s "$TMP/out" "$TMP/all.json"
"$TOWNORG" init "$TMP/r2.db" >/dev/null
expect 0 "import the JSON document (format detected)" import "$TMP/r2.db" "$TMP/all.json"
check "round trip keeps every version id" test "$(ids "$R")" = "$(ids "$TMP/r2.db")"
expect 0 "tags come along" tag "$TMP/r2.db" --json
check "six tags" json 'sorted(t["name"] for t in d) == ["v0","v1","v2","v3","v4","v5"]'
expect 0 "importing the same document again changes nothing" import "$TMP/r2.db" "$TMP/all.json"
check "still the same ids" test "$(ids "$R")" = "$(ids "$TMP/r2.db")"

# JSON snapshot
expect 0 "export a snapshot" export "$R" v3 --format json -o "$TMP/v3.json"
check "the export is a snapshot" grep -q '"snapshot"' "$TMP/v3.json"
"$TOWNORG" init "$TMP/r3.db" >/dev/null
expect 0 "import the snapshot on a new branch" import "$TMP/r3.db" "$TMP/v3.json" --branch snap
expect 0 "show the imported snapshot" show "$TMP/r3.db" snap --json
v3state=$("$TOWNORG" show "$R" v3 --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["version"]["state_hash"])')
check "the snapshot has the state hash of v3" json "d['version']['state_hash'] == '$v3state'"

# CSV tables
expect 0 "export --format tables" export "$R" --format tables -o "$TMP/tables"
check "the four tables are written" test -s "$TMP/tables/versions.csv" -a -s "$TMP/tables/base.csv" -a -f "$TMP/tables/changes.csv" -a -f "$TMP/tables/events.csv"
"$TOWNORG" init "$TMP/r4.db" >/dev/null
expect 0 "import the exported tables" import "$TMP/r4.db" "$TMP/tables" --format tables
check "tables round trip keeps every state hash" test "$(states "$R")" = "$(states "$TMP/r4.db")"
expect 2 "export tables without -o" export "$R" --format tables
expect 2 "export without --format" export "$R"

# --onto: a plan continuing from v5 on its own branch
"$TOWNORG" export "$R" v5 --format json -o "$TMP/v5.json" >/dev/null
expect 0 "import a snapshot --onto v5 into a new branch" import "$R" "$TMP/v5.json" --branch plan --onto v5
expect 0 "log of the plan" log "$R" plan --json
check "the plan continues from v5" json 'len(d["versions"]) == 7 and d["versions"][1]["tags"] == ["v5"]'
expect 2 "--onto that is not the head is refused" import "$R" "$TMP/v5.json" --branch plan --onto v4

# NBS township lists: one county from two real editions
NBS="$SHARED_DIR/data/real/nbs-townships"
if [ -f "$NBS/2018/streets.csv" ] && [ -f "$NBS/2019/streets.csv" ]; then
	for y in 2018 2019; do
		mkdir -p "$TMP/nbs/$y"
		for f in provinces cities areas streets; do
			awk -F, 'NR == 1 || $1 ~ /^34/ && (length($1) < 6 || substr($1, 1, 6) == "341621" || substr($1, 1, 4) == "3416" && length($1) == 4)' \
				"$NBS/$y/$f.csv" >"$TMP/nbs/$y/$f.csv"
		done
	done
	"$TOWNORG" init "$TMP/n.db" >/dev/null
	expect 0 "import NBS editions (format detected)" import "$TMP/n.db" "$TMP/nbs"
	check "the editions are tagged nbs-YYYY" out_has "nbs-2019"
	expect 0 "log of the NBS import" log "$TMP/n.db" --json
	check "two versions, tagged" json '[v["tags"] for v in d["versions"]] == [["nbs-2019"], ["nbs-2018"]]'
	expect 0 "show the county" show "$TMP/n.db" nbs-2019 341621 --json
	check "the county has its townships" json 'len(d["children"]) > 10 and all(c["kind"] in ("town","township","subdistrict","township_like") for c in d["children"])'
	expect 0 "importing the head edition again is a no-op" import "$TMP/n.db" "$TMP/nbs/2019" --format nbs
	expect 0 "still two versions" log "$TMP/n.db" --json
	check "no version added" json 'len(d["versions"]) == 2'
else
	for i in 1 2 3 4 5 6 7 8; do skip "NBS data not found in $NBS"; done
fi

done_testing

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# tests/cli/realdata.sh — `townorg import --format nbs --events`: the text
# report by reason, --json, a re-import that changes nothing, and MCA events
# (dates of year precision, documents) in lineage and blame.  Uses the
# fixtures cut from the real files (tests/data/nbs, tests/data/mca).
. "${top_srcdir:-.}/tests/cli/lib.sh"
NBS="$top_srcdir/tests/data/nbs"
MCA="$top_srcdir/tests/data/mca"
R="$TMP/r.db"
"$TOWNORG" init "$R" >/dev/null

expect 0 "import editions with MCA events" import "$R" "$NBS" --events "$MCA"
check "the report gives the linked rows per table" out_has "MCA rows: 46 read"
check "unlinked rows are summarised by reason" out_has "Not linked, by reason"
check "no line per row" sh -c '! grep -q "sub-county-diff_2015.csv:" "$1"' sh "$TMP/out"
expect 0 "import again" import "$R" "$NBS" --events "$MCA"
check "a re-import that changes nothing says so in one line" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "Nothing to do" "$1"' sh "$TMP/out"

"$TOWNORG" init "$TMP/j.db" >/dev/null
expect 0 "import --json" import "$TMP/j.db" "$NBS" --events "$MCA" --json
check "the JSON report lists attached and unlinked rows with reasons" json \
	'd["changed"] and d["mca_rows"] == 46 and len(d["attached"]) == d["mca_linked"] and len(d["unmatched"]) == 46 - d["mca_linked"] and all(u["why_code"] and u["why"] for u in d["unmatched"])'
check "rows already in effect in the first edition are history before it" json \
	'any(a["history"] and a["table_year"] == 2016 and a["edition"] == "2017" for a in d["attached"])'
check "an MCA row found by name in the county says so" json 'any(a["how"] == "name in county" for a in d["attached"])'
expect 0 "import --json again" import "$TMP/j.db" "$NBS" --events "$MCA" --json
check "nothing changed, nothing attached" json 'not d["changed"] and d["attached"] == []'
expect 2 "--json applies to nbs only" import "$TMP/j.db" "$top_srcdir/tests/cli/data" --format tables --json

expect 0 "lineage of a 2016 撤乡设镇 kept as history" lineage "$R" 510525116
check "lineage shows the table's year and the document" out_has "2016 reclassify 510525202"
expect 0 "lineage --json" lineage "$R" 510525116 --json
check "the event date is of year precision" json 'any(e.get("date") == "2016" for e in d["edges"])'
expect 0 "blame a unit made by an MCA change" blame "$R" 510525120
check "blame shows the approving document" out_has "川府民政〔2018〕1号"
check "and the change's year" out_has "(2018)"
expect 0 "blame --json" blame "$R" 510525120 --json
check "blame JSON carries the event: document and year" json 'd["fields"]["name"]["event"]["documents"] == ["川府民政〔2018〕1号"] and d["fields"]["name"]["event"]["date"] == "2018"'
done_testing

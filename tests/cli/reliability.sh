#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Issue 23: no command destroys data.  Output files never replace a
# repository and are written atomically; input files are bounded; a
# half-made repository says so and init redoes it.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }
sum() { cat "$@" | cksum; }
before=$(sum "$R")

# ---- output paths that are a repository
expect 2 "export -o the repository itself is refused" export "$R" --format json -o "$R"
check "the message says it is a repository" err_has "is a townorg repository"
check "the repository is unchanged" test "$before" = "$(sum "$R")"
expect 0 "and still verifies" verify "$R"
expect 2 "a snapshot export over the repository is refused" export "$R" v1 --format json -o "$R"
ln "$R" "$TMP/hardlink.db"
expect 2 "export over a hard link to the repository is refused" export "$R" --format json -o "$TMP/hardlink.db"
ln -s "$R" "$TMP/symlink.json"
expect 2 "export over a symbolic link to the repository is refused" export "$R" --format json -o "$TMP/symlink.json"
"$TOWNORG" init "$TMP/other.db" >/dev/null
other=$(sum "$TMP/other.db")
expect 2 "export over another repository is refused" export "$R" --format json -o "$TMP/other.db"
check "the other repository is unchanged" test "$other" = "$(sum "$TMP/other.db")"
for sfx in -wal -shm; do
	[ -e "$R$sfx" ] || : >"$R$sfx"
	s=$(sum "$R$sfx")
	expect 2 "export over the repository's $sfx file is refused" export "$R" --format json -o "$R$sfx"
	check "the message names SQLite's file" err_has "SQLite's ${sfx#-} file"
	check "the $sfx file is unchanged" test "$s" = "$(sum "$R$sfx")"
done
check "the repository is unchanged after all that" test "$before" = "$(sum "$R")"
expect 0 "export to a new file works" export "$R" --format json -o "$TMP/all.json"
check "no temporary file is left" test -z "$(ls -A "$TMP" | grep '\.tmp$')"

# ---- atomic output: a failed write leaves the previous file intact
expect 0 "a snapshot export" export "$R" v1 --format json -o "$TMP/out.json"
prev=$(sum "$TMP/out.json")
big=$(wc -c <"$TMP/all.json")
# 64 KiB: enough for SQLite's -shm, too little for the whole repository
if [ "$big" -gt 70000 ]; then
	(trap '' XFSZ; ulimit -f 64; "$TOWNORG" export "$R" --format json -o "$TMP/out.json" >"$TMP/out" 2>"$TMP/err")
	rc=$?
	check "an export stopped by the file size limit fails (exit $rc)" test "$rc" -eq 2
	check "and says the write failed" err_has "write failed"
	check "the previous file is intact" test "$prev" = "$(sum "$TMP/out.json")"
	check "no temporary file is left" test -z "$(ls -A "$TMP" | grep '\.tmp$')"
else
	not_ok "the sample's JSON should be larger than 64 KiB ($big bytes)"
fi
mkdir "$TMP/ro"

# ---- bounded input
expect 2 "import from /dev/zero is refused at once" import "$R" /dev/zero --format json
check "as not a regular file or a pipe" err_has "not a regular file or a pipe"
expect 2 "a policy from /dev/zero is refused" validate "$R" --policy /dev/zero
check "as not a regular file or a pipe" err_has "/dev/zero: not a regular file or a pipe"
expect 2 "import of a directory as JSON is refused" import "$R" "$TMP/ro" --format json
truncate -s 1G "$TMP/huge.json" 2>/dev/null || dd if=/dev/null of="$TMP/huge.json" bs=1 seek=1073741824 2>/dev/null
expect 2 "a 1 GB JSON file is refused by its size" import "$R" "$TMP/huge.json"
check "naming the input limit" err_has "larger than the input limit of 536870912 bytes"
expect 2 "--max-input lowers the limit" import "$R" "$TMP/all.json" --max-input 1K
check "and the message gives it" err_has "input limit of 1024 bytes"
expect 2 "--max-input=SIZE before the command" --max-input=10K import "$R" "$TMP/all.json"
check "is applied too" err_has "input limit of 10240 bytes"
expect 2 "a bad --max-input is a usage error" import "$R" "$TMP/all.json" --max-input 12Q
check "naming the option" err_has "--max-input"
# a pipe is read, but only up to the limit (a 1 GB string is refused after 1 MiB)
{ printf '{"format": "townorg-json/1", "type": "snapshot", "name": "'; head -c 1073741824 /dev/zero | tr '\0' 'a'; } |
	"$TOWNORG" import "$R" /dev/stdin --format json --max-input 1M >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a 1 GB string through a pipe is refused (exit $rc)" test "$rc" -eq 2
check "at the input limit" err_has "input limit of 1048576 bytes"
check "the repository is unchanged" test "$before" = "$(sum "$R")"
expect 0 "a file as /dev/stdin is read" import "$R" /dev/stdin --format json <"$TMP/all.json"
cat "$TMP/all.json" | "$TOWNORG" import "$R" /dev/stdin --format json >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a pipe within the limit is read whole (exit $rc)" test "$rc" -eq 0
"$TOWNORG" export "$R" v2 --format json -o "$TMP/v2.json"
cat "$TMP/v2.json" | "$TOWNORG" import "$R" /dev/stdin --format json --branch piped >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a snapshot through a pipe is imported (exit $rc)" test "$rc" -eq 0
check "as a snapshot" out_has "Imported a snapshot"

# ---- verify of damaged pages reports what it checked and what it could not
# damage PAGE-OF TABLE: overwrite the root page of TABLE (or page 1 past
# SQLite's header with "header") in a copy of the repository
damage() {
	cp "$R" "$TMP/d.db"
	rm -f "$TMP/d.db-wal" "$TMP/d.db-shm"
	"$PY" -c 'import sqlite3, sys
path, what = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path)
size = db.execute("PRAGMA page_size").fetchone()[0]
page = 1 if what == "header" else db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (what,)).fetchone()[0]
db.close()
with open(path, "r+b") as f:
    f.seek((page - 1) * size + (100 if page == 1 else 0))
    f.write(b"\xde\xad\xbe\xef" * ((size - 100) // 4))' "$TMP/d.db" "$1"
}
for t in pack version reflog meta; do
	damage $t
	expect 1 "verify of a damaged $t page gives a report (exit 1, not 2)" verify "$TMP/d.db"
	check "saying what it checked" out_has "Checked "
	check "and what it could not" grep -q "^unchecked $t: " "$TMP/out"
	check "and counting the problems" out_has "problems found"
done
damage version
expect 1 "verify --json of a damaged file" verify "$TMP/d.db" --json
check "lists the unchecked part" json 'not d["ok"] and any(p["kind"] == "unchecked" for p in d["problems"])'
damage header
expect 1 "verify of a damaged schema page gives a report" verify "$TMP/d.db"
check "saying the repository cannot be opened" out_has "the repository cannot be opened"
check "and what was not checked" out_has "objects, versions, the branch log and the schema could not be checked"
expect 2 "other commands still refuse the damaged file" log "$TMP/d.db"

# ---- a half-made repository
: >"$TMP/half.db"
expect 2 "an empty file is reported as a half-made repository" log "$TMP/half.db"
check "and init is suggested" err_has "half-made repository"
expect 2 "verify says so too" verify "$TMP/half.db"
check "with the same words" err_has "half-made repository"
expect 0 "init redoes a half-made repository" init "$TMP/half.db"
expect 0 "which then works" log "$TMP/half.db"
# what an older init killed after its schema, before its meta rows, left
"$PY" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("PRAGMA application_id=1414485838; CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
                 "CREATE TABLE pack(first INTEGER PRIMARY KEY, count INTEGER NOT NULL, hashes BLOB NOT NULL, data BLOB NOT NULL);")
db.close()' "$TMP/half2.db"
expect 2 "a schema without its format row is a half-made repository" tag "$TMP/half2.db"
check "so says the message" err_has "half-made repository"
expect 0 "init redoes it" init "$TMP/half2.db"
expect 0 "and it verifies" verify "$TMP/half2.db"
"$PY" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID; CREATE TABLE mine(x);")
db.close()' "$TMP/foreign.db"
expect 2 "a file with a table of its own is not half-made" init "$TMP/foreign.db"
check "init says it exists" err_has "already exists"
before=$(sum "$R")
expect 2 "init still refuses a real repository" init "$R"
check "the repository is unchanged" test "$before" = "$(sum "$R")"
expect 2 "init refuses a file that is not a repository" init "$DATA/not-a-repo.db"
done_testing

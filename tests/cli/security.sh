#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Issue 23: a rollback of history does not pass silently (verify
# --expect-head, signed log heads), and verify checks the schema, the
# append-only triggers, depth and n_entities (docs/security.md).
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

# sql FILE SQL: run SQL on a repository file behind the library's back
sql() {
	"$PY" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(sys.argv[2])
db.commit()
db.close()' "$1" "$2"
}
# the administrator's rollback: drop the append-only triggers, delete the
# log records after $2 (and kept signed heads after $3), put the
# triggers back as they were, vacuum
rollback() {
	"$PY" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
trig = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = \"trigger\"")]
names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = \"trigger\"")]
for n in names: db.execute("DROP TRIGGER " + n)
db.execute("DELETE FROM reflog WHERE seq > ?", (int(sys.argv[2]),))
if sys.argv[3] != "-": db.execute("DELETE FROM signed_head WHERE seq > ?", (int(sys.argv[3]),))
for t in trig: db.execute(t)
db.commit()
db.execute("VACUUM")
db.close()' "$@"
}
head_of() { "$TOWNORG" verify "$1" --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["log_head"])'; }

# ---- keys
expect 0 "keygen makes a key pair" keygen "$TMP/office.key"
check "it names the key" out_has "Key "
check "the secret key file is private (0600)" test "$(stat -c %a "$TMP/office.key")" = 600
check "the public key file is beside it" grep -q '^townorg-ed25519-public [0-9a-f]\{64\}$' "$TMP/office.key.pub"
check "the secret key file has its format" grep -q '^townorg-ed25519-secret [0-9a-f]\{64\}$' "$TMP/office.key"
s=$(cksum <"$TMP/office.key")
expect 2 "keygen never overwrites a secret key" keygen "$TMP/office.key"
check "the secret key is unchanged" test "$s" = "$(cksum <"$TMP/office.key")"
expect 0 "a second key pair" keygen "$TMP/other.key" "$TMP/other.pub"
expect 2 "sign-head with a public key as the secret key is refused" sign-head "$R" --key "$TMP/office.key.pub"
check "saying what the file is not" err_has "not a secret key file"
expect 2 "sign-head without --key is a usage error" sign-head "$R"
expect 2 "verify with a secret key as the public key is refused" verify "$R" --key "$TMP/office.key"

# ---- sign and check
expect 0 "sign-head signs the log head and publishes it" sign-head "$R" --key "$TMP/office.key" -o "$TMP/h1.sig"
check "the signed head is printed" grep -q '^townorg-signed-head-1 7 [0-9a-f]\{64\} ' "$TMP/out"
check "and written to the file" cmp -s "$TMP/out" "$TMP/h1.sig"
expect 0 "verify --key checks the kept signed head" verify "$R" --key "$TMP/office.key.pub"
check "the log ends at the signed head" out_has "the log ends at the head signed by key"
expect 0 "verify --key --signature checks the published one too" verify "$R" --key "$TMP/office.key.pub" --signature "$TMP/h1.sig"
expect 1 "a signature by another key is refused" verify "$R" --key "$TMP/other.pub" --signature "$TMP/h1.sig"
check "naming both keys" out_has "was signed by key"
sed 's/ 7 / 6 /' "$TMP/h1.sig" >"$TMP/forged.sig"
expect 1 "a signed head whose record number was changed fails its signature" verify "$R" --key "$TMP/office.key.pub" --signature "$TMP/forged.sig"
check "the signature is not valid" out_has "is not valid"
echo "townorg-signed-head-1 7 zz" >"$TMP/bad.sig"
expect 2 "a malformed signed head file is refused" verify "$R" --key "$TMP/office.key.pub" --signature "$TMP/bad.sig"
check "naming the file" err_has "bad.sig:1: not a signed head"
H1=$(head_of "$R")
expect 0 "verify --expect-head with the current head" verify "$R" --expect-head "$H1"
expect 2 "a malformed --expect-head is a usage error" verify "$R" --expect-head 1234

# the county goes on: a new tag, signed again (record 8)
"$TOWNORG" tag "$R" approved v5 >/dev/null
expect 0 "after a new record the older signed head still passes" verify "$R" --key "$TMP/office.key.pub" --signature "$TMP/h1.sig" --expect-head "$H1"
check "saying a record follows it" out_has "1 records follow it"
expect 0 "sign the new head" sign-head "$R" --key "$TMP/office.key" -o "$TMP/h2.sig"
H2=$(head_of "$R")
expect 0 "sign-head --no-store only prints" sign-head "$R" --key "$TMP/office.key" --no-store
expect 0 "two heads are kept" verify "$R" --key "$TMP/office.key.pub" --json
check "both checked, both fine" json 'len([h for h in d["heads"] if h["ok"]]) == 2'

# ---- the rollback: record 8 and the second kept signed head deleted
cp "$R" "$TMP/rolled.db"
rollback "$TMP/rolled.db" 7 1
expect 0 "the rolled-back file passes a plain verify (why heads are kept elsewhere)" verify "$TMP/rolled.db"
expect 0 "and its kept signed heads (the newer one was deleted too)" verify "$TMP/rolled.db" --key "$TMP/office.key.pub"
expect 1 "verify --expect-head catches the rollback" verify "$TMP/rolled.db" --expect-head "$H2"
check "and says so" out_has "ROLLBACK: the expected head"
expect 1 "the published signed head catches the rollback" verify "$TMP/rolled.db" --key "$TMP/office.key.pub" --signature "$TMP/h2.sig"
check "saying the log ends before the signed record" out_has "ROLLBACK: the log ends at record 7, but record 8 was signed"
expect 1 "so does --json" verify "$TMP/rolled.db" --key "$TMP/office.key.pub" --signature "$TMP/h2.sig" --json
check "the failing head check is listed" json 'd["ok"] and not all(h["ok"] for h in d["heads"])'
# a rollback that keeps the kept signed heads is caught from the file alone
cp "$R" "$TMP/rolled2.db"
rollback "$TMP/rolled2.db" 7 -
expect 1 "a rollback that leaves the kept signed heads is caught by them" verify "$TMP/rolled2.db" --key "$TMP/office.key.pub"
check "naming the kept signed head" out_has "kept signed head 2: ROLLBACK"
# rolled back and rewritten: record 8 replaced by another with a fresh hash
cp "$TMP/rolled.db" "$TMP/rewritten.db"
"$TOWNORG" tag "$TMP/rewritten.db" other v4 >/dev/null
expect 0 "the rewritten file passes a plain verify" verify "$TMP/rewritten.db"
expect 1 "the published signed head catches the rewrite" verify "$TMP/rewritten.db" --key "$TMP/office.key.pub" --signature "$TMP/h2.sig"
check "and says so" out_has "REWRITTEN: log record 8 is not the head signed"

# ---- schema, triggers, depth, n_entities
cp "$R" "$TMP/s.db"
sql "$TMP/s.db" "DROP TRIGGER reflog_no_delete;"
expect 1 "verify fails on a dropped trigger" verify "$TMP/s.db"
check "naming it" out_has "trigger reflog_no_delete is missing"
cp "$R" "$TMP/s.db"
sql "$TMP/s.db" "DROP TRIGGER pack_no_update; CREATE TRIGGER pack_no_update BEFORE UPDATE ON pack BEGIN SELECT 1; END;"
expect 1 "verify fails on an altered trigger" verify "$TMP/s.db"
check "naming it" out_has "trigger pack_no_update was altered"
cp "$R" "$TMP/s.db"
sql "$TMP/s.db" "ALTER TABLE version ADD COLUMN note TEXT;"
expect 1 "verify fails on an added column" verify "$TMP/s.db"
check "naming it" out_has "table version has an extra column note"
cp "$R" "$TMP/s.db"
sql "$TMP/s.db" "CREATE TABLE hidden(x); CREATE INDEX pack_by_count ON pack(count);"
expect 1 "verify fails on an extra table and index" verify "$TMP/s.db"
check "naming the table" out_has "extra table hidden"
check "naming the index" out_has "extra index pack_by_count"
cp "$R" "$TMP/s.db"
sql "$TMP/s.db" "DROP TRIGGER version_no_update; UPDATE version SET n_entities = n_entities + 1 WHERE seq = 3;
CREATE TRIGGER version_no_update BEFORE UPDATE ON version BEGIN SELECT RAISE(ABORT, 'townorg: version is append-only'); END;"
expect 1 "verify fails on an altered n_entities" verify "$TMP/s.db"
check "naming it" out_has "n_entities is"
check "and nothing else" test "$(grep -c '^version ' "$TMP/out")" -eq 1
cp "$R" "$TMP/s.db"
sql "$TMP/s.db" "DROP TRIGGER version_no_update; UPDATE version SET depth = 3 WHERE seq = 2;
CREATE TRIGGER version_no_update BEFORE UPDATE ON version BEGIN SELECT RAISE(ABORT, 'townorg: version is append-only'); END;"
expect 1 "verify fails on an altered depth" verify "$TMP/s.db"
check "naming it" out_has "depth is 3 where the commit rule gives 1"
expect 0 "the signed_head table is part of the schema" verify "$R"
done_testing

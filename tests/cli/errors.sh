#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Bad usage and bad data: exit 2 with a "townorg: " message, nothing
# changed; verify of an intact and of a tampered file.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

expect 2 "no command" 
expect 2 "an unknown command" frobnicate
check "the message says so" err_has "unknown command"
expect 2 "an unknown option" log "$R" --frob
check "the message starts with townorg:" grep -q '^townorg: ' "$TMP/err"
check "and names the option" err_has "--frob"
check "a usage error is one line" test "$(wc -l <"$TMP/err")" -eq 1
expect 2 "a missing argument" show "$R"
expect 2 "too many arguments" log "$R" main extra
expect 2 "an option without its value" diff "$R" v0 v1 --kind
expect 2 "import with an unknown format" import "$R" "$SAMPLE" --format xml
expect 2 "import of a source whose format cannot be told" import "$R" "$DATA"
expect 2 "import of a missing source" import "$R" "$TMP/nothing"

expect 2 "a missing repository file" log "$TMP/missing.db"
check "the message names the file" err_has "missing.db"
check "nothing was created" test ! -e "$TMP/missing.db"
cp "$DATA/not-a-repo.db" "$TMP/bad.db"
expect 2 "a file that is not a repository" log "$TMP/bad.db"
check "the message names the file" err_has "bad.db"
expect 2 "verify of a file that is not a repository" verify "$TMP/bad.db"

"$TOWNORG" init "$TMP/e.db" >/dev/null
expect 2 "import of tables with an unknown kind" import "$TMP/e.db" "$DATA/bad-tables"
check "the message names file and line" err_has "base.csv:3"
check "the message is one line" test "$(wc -l <"$TMP/err")" -eq 1
expect 0 "the repository is still empty" log "$TMP/e.db" --json
check "no version" json 'd["versions"] == []'
expect 0 "no branch was left behind" branch "$TMP/e.db" --json
check "no branch" json 'd == []'
before=$("$TOWNORG" log "$R" --json; "$TOWNORG" tag "$R")
expect 2 "import of tables onto a branch that has versions, without --onto" import "$R" "$SAMPLE"
check "the repository is still unchanged" test "$before" = "$("$TOWNORG" log "$R" --json; "$TOWNORG" tag "$R")"

expect 0 "verify an intact file" verify "$R"
check "verify says OK" out_has "OK"
expect 0 "verify --json" verify "$R" --json
check "verify --json: ok, counts" json 'd["ok"] and d["versions"] == 6 and d["problems"] == []'
cp "$R" "$TMP/t.db"
if "$PY" - "$TMP/t.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER reflog_no_update")
db.execute("UPDATE reflog SET name = 'tampered' WHERE seq = (SELECT MIN(seq) FROM reflog)")
db.commit()
PYEOF
then
	expect 1 "verify a tampered file exits 1" verify "$TMP/t.db"
	check "the problem is listed" grep -q 'reflog' "$TMP/out"
else
	skip "cannot tamper with the file (store schema changed)"
	skip "cannot tamper with the file (store schema changed)"
fi
expect 2 "verify a missing file" verify "$TMP/missing.db"

chmod a-w "$R"
if [ ! -w "$R" ]; then
	expect 2 "writing to a read-only file" tag "$R" ro v1
	check "the message says read-only" err_has "read-only"
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$TOWNORG" --version >/dev/null 2>&1; then
	# root may write anywhere: write as nobody, for whom the file (and
	# its folder) is read-only, so that the test can fail
	chmod 755 "$TMP"
	chmod a+r "$R"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$TOWNORG" tag "$R" ro v1 >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ]; then ok "writing to a read-only file (as nobody)"; else not_ok "writing to a read-only file (as nobody): exit $rc"; fi
	check "the message says read-only" err_has "read-only"
	chmod 700 "$TMP"
else
	skip "running as root, and nobody cannot run $TOWNORG (or no setpriv): files stay writable"
	skip "running as root, and nobody cannot run $TOWNORG (or no setpriv): files stay writable"
fi
chmod u+w "$R"

done_testing

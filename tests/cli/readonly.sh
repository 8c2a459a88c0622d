#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# tests/cli/readonly.sh — a repository the user cannot write (the file, or
# the folder it is in) opens for reading and leaves no -wal or -shm file
# behind; writing to it is refused; an empty file is "not a townorg
# repository".  CI runs as root, who may write anywhere: as root the reads
# run as nobody through setpriv (they skip, visibly, when setpriv is missing
# or nobody cannot run the program from this build tree).
. "${top_srcdir:-.}/tests/cli/lib.sh"
D="$TMP/ro"
mkdir "$D"
"$TOWNORG" init "$D/r.db" >/dev/null
"$TOWNORG" import "$D/r.db" "$top_srcdir/tests/data/nbs" -q
chmod 755 "$TMP"
chmod 555 "$D"
chmod 444 "$D/r.db"
as_user=""
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1 &&
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$TOWNORG" --version >/dev/null 2>&1; then
		as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	else
		as_user=skip
	fi
fi
ro_run() {
	$as_user "$TOWNORG" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
if [ "$as_user" = skip ]; then
	for i in 1 2 3 4 5 6 7; do skip "root, and nobody cannot run $TOWNORG (or no setpriv)"; done
else
	ro_run log "$D/r.db"
	if [ "$rc" -eq 0 ]; then ok "log of a repository in a read-only folder"; else not_ok "log of a read-only repository (exit $rc: $(cat "$TMP/err"))"; fi
	check "it lists the versions" out_has "nbs-2019"
	ro_run show "$D/r.db" nbs-2018 341621
	if [ "$rc" -eq 0 ]; then ok "show reads it"; else not_ok "show reads it (exit $rc)"; fi
	check "no -wal or -shm file is left behind" sh -c '[ ! -e "$1-wal" ] && [ ! -e "$1-shm" ]' sh "$D/r.db"
	ro_run tag "$D/r.db" t1 nbs-2018
	if [ "$rc" -eq 2 ]; then ok "writing is refused (exit 2)"; else not_ok "writing is refused (exit $rc)"; fi
	check "the message says read-only" err_has "read-only"
	ro_run verify "$D/r.db"
	if [ "$rc" -eq 0 ]; then ok "verify reads it"; else not_ok "verify reads it (exit $rc: $(cat "$TMP/err"))"; fi
fi
chmod 755 "$D"
chmod 644 "$D/r.db"
: >"$TMP/empty.db"
expect 2 "an empty file" log "$TMP/empty.db"
check "is not a townorg repository" err_has "not a townorg repository (an empty file)"
done_testing

# SPDX-License-Identifier: MulanPSL-2.0
# tests/cli/lib.sh — helpers for the shell tests of the `townorg` program.
# Sourced by each tests/cli/*.sh; prints TAP ("ok N - ...", plan at the end).

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
TOWNORG="$top_builddir/cli/townorg"
DATA="$top_srcdir/tests/cli/data"
SHARED_DIR=${SHARED_DIR:-$top_srcdir/../shared}
SAMPLE="$SHARED_DIR/bench/sample"
# The tarball carries a copy of the sample's four tables (make distcheck
# builds where ../shared is out of reach).
[ -f "$SAMPLE/versions.csv" ] || SAMPLE="$DATA/sample"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
LC_ALL=C
export LC_ALL
unset LANGUAGE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/townorg-cli.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
done_testing() { echo "1..$n"; }

# run ARGS...: run townorg, keep stdout in $TMP/out, stderr in $TMP/err, status in $rc.
run() {
	"$TOWNORG" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# expect RC DESCRIPTION ARGS...: run townorg and check the exit status.
expect() {
	want=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, wanted $want)"
		sed 's/^/# err: /' "$TMP/err" | head -5
		sed 's/^/# out: /' "$TMP/out" | head -5
	fi
}

# check DESCRIPTION COMMAND...: ok when the shell command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# out_has TEXT / err_has TEXT: the last run's output contains TEXT.
out_has() { grep -qF -- "$1" "$TMP/out"; }
err_has() { grep -qF -- "$1" "$TMP/err"; }

# json PYTHON-EXPR: evaluate EXPR with d = the last run's stdout parsed as JSON.
json() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out" "$1"
}

# A repository with the benchmark sample (6 versions v0..v5) in $1.
sample_repo() {
	"$TOWNORG" init "$1" >/dev/null && "$TOWNORG" import "$1" "$SAMPLE" >/dev/null
}

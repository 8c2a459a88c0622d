# SPDX-License-Identifier: MulanPSL-2.0
# tests/examples/lib.sh — helpers for the tests that run the examples.
# Sourced by each tests/examples/*.sh; prints TAP ("ok N - ...", plan at the end).

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
. "$top_builddir/tests/examples/config.sh" || exit 99
DATA="$abs_top_srcdir/examples/data"
EX="$abs_top_srcdir/examples"
BIN="$abs_top_builddir/examples"
TOWNORG="$abs_top_builddir/cli/townorg"
LC_ALL=C
export LC_ALL
unset LANGUAGE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/townorg-ex.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
done_testing() { echo "1..$n"; }

# run CMD...: keep stdout in $TMP/out, stderr in $TMP/err, status in $rc.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# check_rc WANT DESC: the last run's status.
check_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2 (exit $rc)"; else
		not_ok "$2 (exit $rc, want $1)"; sed 's/^/# /' "$TMP/err" | head -20; fi
}

# has TEXT DESC: the last run's output holds the fixed string TEXT.
has() {
	if grep -qF -- "$1" "$TMP/out"; then ok "$2"; else
		not_ok "$2: no '$1' in the output"; sed 's/^/# /' "$TMP/out" | head -40; fi
}

# lacks TEXT DESC: the last run's output does not hold TEXT.
lacks() {
	if grep -qF -- "$1" "$TMP/out"; then not_ok "$2: '$1' in the output"; else ok "$2"; fi
}

# python_env: run Python against this build's module and the source tree's
# package; returns 1 when the bindings were not built.
python_env() {
	module="$abs_top_builddir/bindings/python/.libs/_townorg_c.so"
	[ -f "$module" ] || return 1
	PYTHONPATH="$abs_top_builddir/bindings/python/.libs:$abs_top_srcdir/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
	LD_LIBRARY_PATH="$abs_top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	MPLBACKEND=Agg
	MPLCONFIGDIR="$TMP/mpl"
	PYTHONDONTWRITEBYTECODE=1
	export PYTHONPATH LD_LIBRARY_PATH MPLBACKEND MPLCONFIGDIR PYTHONDONTWRITEBYTECODE
	# The sanitizer build: load libasan before the interpreter (as tests/python does).
	if ldd "$module" 2>/dev/null | grep -q libasan; then
		LD_PRELOAD="$($CC -print-file-name=libasan.so)${LD_PRELOAD:+:$LD_PRELOAD}"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		export LD_PRELOAD ASAN_OPTIONS
	fi
	return 0
}

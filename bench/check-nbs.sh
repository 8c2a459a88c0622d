#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# make check: bench/nbs.sh on the real NBS editions, one run — libtownorg's
# import and diffs against the Python dictionary diff of the same files
# (every pair's counts and digest must agree).  No timing is asserted.
# Skipped when the shared data is absent or TOWNORG_SLOW_TESTS=0.
set -eu
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
echo "1..1"
if [ "${TOWNORG_SLOW_TESTS:-1}" = 0 ] || [ ! -f "${SHARED_DIR:-$srcdir/../shared}/data/real/nbs-townships/2016/streets.csv" ]; then
	echo "ok 1 # SKIP NBS data not found (SHARED_DIR) or TOWNORG_SLOW_TESTS=0"
	exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if NO_MAKE=1 NBS_RUNS=1 OUT="$out" SHARED="${SHARED_DIR:-$srcdir/../shared}" \
	bash "$srcdir/bench/nbs.sh" "$builddir" >"$out/table" 2>"$out/err"; then
	sed 's/^/# /' "$out/table"
	echo "ok 1 - bench/nbs.sh: townorg and the Python dict diff agree on every pair of NBS editions"
else
	sed 's/^/# /' "$out/table" "$out/err"
	echo "not ok 1 - bench/nbs.sh failed"
	exit 1
fi

#!/bin/bash
# Long reliability runs, too slow for every submission (docs/reliability.md):
#  1. the kill-at-a-random-point crash test of tests/check_reliability for
#     SOAK_CRASH_ROUNDS rounds (default 2000) — each round a child commits
#     until SIGKILL, and the file must open, verify and hold every commit
#     that returned;
#  2. every fuzz target for SOAK_FUZZ_SECONDS (default 600) seconds.
# BUILD is a configured build tree (default build/main); FUZZ_BUILD the
# fuzzers' tree (default /tmp/build-fuzz).  Results are appended to
# $BUILD/soak-results.log; record them in docs/reliability.md.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build/main}
ROUNDS=${SOAK_CRASH_ROUNDS:-2000}
SECS=${SOAK_FUZZ_SECONDS:-600}
LOG=$BUILD/soak-results.log
cd "$BUILD"
make -j"$(nproc)" tests/check_reliability >/dev/null
start=$(date +%s)
if CK_RUN_CASE=crash TOWNORG_CRASH_ROUNDS=$ROUNDS CK_DEFAULT_TIMEOUT=0 ./tests/check_reliability; then
	st=ok
else
	st=FAILED
fi
echo "$(date -u +%FT%TZ) crash rounds=$ROUNDS seconds=$(( $(date +%s) - start )) $st" | tee -a "$LOG"
[ $st = ok ] || exit 1
FUZZ_BUILD=${FUZZ_BUILD:-/tmp/build-fuzz} bash "$SRC/fuzz/run.sh" all "$SECS" | tee -a "$LOG"

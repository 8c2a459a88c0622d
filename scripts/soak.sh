#!/bin/bash
# Long reliability runs, too slow for every submission (docs/reliability.md):
#  1. the kill-at-a-random-point crash test of tests/check_reliability for
#     SOAK_CRASH_ROUNDS rounds (default 2000) — each round a child commits
#     until SIGKILL, and the file must open, verify and hold every commit
#     that returned;
#  2. SOAK_KILL_ROUNDS (default 1000) kill -9 rounds of tests/check_faults
#     (case soak): each round a child initialises a file (every fourth
#     round), imports a table set onto a new branch, tags, branches,
#     commits on both branches and merges them, until SIGKILL at a random
#     moment; every call that returned must be in the file, which must
#     verify.  (push and fetch do not exist yet: when the PostgreSQL sync
#     lands, its calls belong in that child too.)
#  3. every fuzz target for SOAK_FUZZ_SECONDS (default 600) seconds; 0
#     skips the fuzzing.
# BUILD is a configured build tree (default build/main); FUZZ_BUILD the
# fuzzers' tree (default /tmp/build-fuzz).  Results are appended to
# $BUILD/soak-results.log; record them in docs/reliability.md.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build/main}
ROUNDS=${SOAK_CRASH_ROUNDS:-2000}
KILLS=${SOAK_KILL_ROUNDS:-1000}
SECS=${SOAK_FUZZ_SECONDS:-600}
LOG=$BUILD/soak-results.log
cd "$BUILD"
make -j"$(nproc)" tests/check_reliability tests/check_faults >/dev/null
start=$(date +%s)
if CK_RUN_CASE=crash TOWNORG_CRASH_ROUNDS=$ROUNDS CK_DEFAULT_TIMEOUT=0 ./tests/check_reliability; then
	st=ok
else
	st=FAILED
fi
echo "$(date -u +%FT%TZ) crash rounds=$ROUNDS seconds=$(( $(date +%s) - start )) $st" | tee -a "$LOG"
[ $st = ok ] || exit 1
start=$(date +%s)
out=$(mktemp)
if CK_RUN_CASE=soak TOWNORG_SOAK_ROUNDS=$KILLS CK_DEFAULT_TIMEOUT=0 ./tests/check_faults 2>&1 | tee "$out"; then
	st=ok
else
	st=FAILED
fi
echo "$(date -u +%FT%TZ) kill rounds=$KILLS seconds=$(( $(date +%s) - start )) $st: $(grep -o '[0-9]* operations returned.*' "$out" | head -1)" | tee -a "$LOG"
rm -f "$out"
[ $st = ok ] || exit 1
[ "$SECS" -gt 0 ] || exit 0
FUZZ_BUILD=${FUZZ_BUILD:-/tmp/build-fuzz} bash "$SRC/fuzz/run.sh" all "$SECS" | tee -a "$LOG"

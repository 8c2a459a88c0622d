#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Run fuzz targets for a while each:
#   fuzz/run.sh TARGET|all SECONDS [libFuzzer options...]
# e.g. fuzz/run.sh fuzz_tables 60, or fuzz/run.sh all 10 (what CI does).
# Builds first (fuzz/build.sh).  Each target starts from its seed corpus
# fuzz/corpus/TARGET (copied, so the source tree is never written) and keeps
# what it learns in BUILD/corpus/TARGET; crashes are written to
# BUILD/artifacts/ and end the run with a failure.  One summary line per
# target (execs, corpus size, coverage) goes to BUILD/fuzz-results.log.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD:-/tmp/build-fuzz}
[ $# -ge 2 ] || { echo "usage: $0 TARGET|all SECONDS [libFuzzer options]" >&2; exit 2; }
TARGET=$1 SECS=$2
shift 2
bash "$SRC/fuzz/build.sh" "$BUILD" >/dev/null
if [ "$TARGET" = all ]; then
	targets=$(cd "$SRC/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
else
	targets=$TARGET
fi
export TOWNORG_SRCDIR=$SRC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$BUILD/artifacts"
fail=0
for t in $targets; do
	bin=$BUILD/fuzz/$t
	[ -x "$bin" ] || { echo "no such target: $t" >&2; exit 2; }
	work=$BUILD/corpus/$t
	mkdir -p "$work"
	[ -d "$SRC/fuzz/corpus/$t" ] && cp -n "$SRC/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
	maxlen=16384
	[ "$t" = fuzz_store ] && maxlen=65536
	log=$BUILD/$t.log
	if "$bin" -max_total_time="$SECS" -max_len=$maxlen -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 "$@" "$work" >"$log" 2>&1; then
		status=ok
	else
		status=FAILED
		fail=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
	line="$(date -u +%FT%TZ) $t ${SECS}s execs=${execs:-?} cov=${cov:-?} corpus=$(ls "$work" | wc -l) $status"
	echo "$line"
	echo "$line" >>"$BUILD/fuzz-results.log"
	if [ $status = FAILED ]; then
		grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$log" | head -20
	fi
done
exit $fail

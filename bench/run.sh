#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Run libtownorg and the peers of ../shared/bench on the same workload, in
# one invocation, and print one table with our ratio to the best peer.
#
# Usage: bench/run.sh [BUILD_DIR]    (default: build/main, made by scripts/test-all.sh)
# env:   COUNTIES=2850 (national scale)  WL=/tmp/wl  RUNS=1  PEERS="pandas sqlite" (add git: slow)
#        OUT=/tmp/townorg-bench (to_frame against read_csv: $OUT/frame-cN.jsonl, bench/bench_frame.py)
#        NBS=1: then the real NBS editions, townorg against a Python dict diff (bench/nbs.sh,
#        ~10 s, answers checked); NBS=0 skips it
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build/main}
SHARED=${SHARED:-$SRC/../shared}
COUNTIES=${COUNTIES:-2850}
WL=${WL:-/tmp/wl}
RUNS=${RUNS:-1}
PEERS=${PEERS:-"pandas sqlite"}
OUT=${OUT:-/tmp/townorg-bench}
mkdir -p "$OUT" "$WL"
W="$WL/c$COUNTIES"
if [ ! -f "$W/manifest.json" ]; then
	python3 "$SHARED/bench/gen_workload.py" --counties "$COUNTIES" --out "$W" >&2
fi
make -C "$BUILD" bench >/dev/null
RES="$OUT/results-c$COUNTIES.jsonl"
: >"$RES"
for r in $(seq 1 "$RUNS"); do
	sync
	line=$("$BUILD/bench/bench_townorg" "$W" "$OUT/townorg-c$COUNTIES.db")
	echo "{\"scale\": $COUNTIES, \"run\": $r, \"result\": $line}" >>"$RES"
	echo "townorg run $r done" >&2
	if [ -f "$BUILD/bindings/python/.libs/_townorg_c.so" ]; then
		line=$(PYTHONPATH="$BUILD/bindings/python/.libs:$SRC/bindings/python" \
			LD_LIBRARY_PATH="$BUILD/lib/.libs" /usr/bin/python3 "$SRC/bench/bench_python.py" "$W")
		echo "{\"scale\": $COUNTIES, \"run\": $r, \"result\": $line}" >>"$RES"
		echo "python run $r done" >&2
		# Issue 20: to_frame() against pandas.read_csv of the same version
		# (bench/bench_frame.py; one JSON line, kept beside the results).
		PYTHONPATH="$BUILD/bindings/python/.libs:$SRC/bindings/python" LD_LIBRARY_PATH="$BUILD/lib/.libs" \
			/usr/bin/python3 "$SRC/bench/bench_frame.py" "$W" 3 >>"$OUT/frame-c$COUNTIES.jsonl"
		echo "to_frame run $r done: $(tail -n 1 "$OUT/frame-c$COUNTIES.jsonl")" >&2
	fi
	for peer in $PEERS; do
		case $peer in
		pandas) cmd=(/usr/bin/python3 "$SHARED/bench/peers/peer_pandas.py" "$W") ;;
		sqlite) cmd=(/usr/bin/python3 "$SHARED/bench/peers/peer_sqlite.py" "$W" --db "$OUT/peer_sqlite_c$COUNTIES.db") ;;
		git) cmd=(bash "$SHARED/bench/peers/peer_git.sh" "$W" "$OUT/peer_git_c$COUNTIES") ;;
		*) echo "unknown peer $peer" >&2; exit 2 ;;
		esac
		sync
		line=$("${cmd[@]}" 2>"$OUT/$peer-c$COUNTIES-r$r.err")
		echo "{\"scale\": $COUNTIES, \"run\": $r, \"result\": $line}" >>"$RES"
		echo "$peer run $r done" >&2
	done
done
/usr/bin/python3 "$SRC/bench/compare.py" "$RES" "$W"
if [ "${NBS:-1}" != 0 ]; then
	echo
	rc=0
	NO_MAKE=1 SHARED="$SHARED" OUT="$OUT" bash "$SRC/bench/nbs.sh" "$BUILD" || rc=$?
	[ "$rc" = 77 ] && echo "(NBS data not found under $SHARED/data/real: skipped)"
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || exit "$rc"
fi

#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Install dependencies, build, and run every test: the Check and Python
# suites, the same suites under valgrind, an AddressSanitizer +
# UndefinedBehaviorSanitizer build, `make distcheck`, and the Debian
# packages (scripts/deb-test.sh: build, lintian, install, use, purge).  Fails on any
# failure.  Build trees go under build/ (or $BUILD_ROOT).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_ROOT=${BUILD_ROOT:-$SRC/build}
JOBS=${JOBS:-$(nproc)}
PY=/usr/bin/python3
bash "$SRC/scripts/install-deps.sh"
cd "$SRC"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

step() { echo; echo "=== $* ==="; }
# The real data and the benchmark kit live beside the project; distcheck
# builds elsewhere, so name the place once for every test.
if [ -d "$SRC/../shared" ]; then
	SHARED_DIR=$(cd "$SRC/../shared" && pwd)
	export SHARED_DIR
fi

step "build and test"
mkdir -p "$BUILD_ROOT/main"
cd "$BUILD_ROOT/main"
# --with-graphviz=yes: CI must build libtownorg-chart (org charts, the
# report's charts); configure fails if Graphviz's library is missing.
"$SRC/configure" -q PYTHON=$PY --with-graphviz=yes
make -j"$JOBS" >/dev/null
make -j"$JOBS" check

step "benchmark harness at a small scale (answers checked, no timing asserted)"
if [ -n "${SHARED_DIR:-}" ] && [ -f "$SHARED_DIR/bench/gen_workload.py" ]; then
	WL30="$BUILD_ROOT/wl-c30"
	[ -f "$WL30/manifest.json" ] || $PY "$SHARED_DIR/bench/gen_workload.py" --counties 30 --out "$WL30" >/dev/null
	make -j"$JOBS" bench >/dev/null
	rm -f "$BUILD_ROOT/bench-c30.db"
	./bench/bench_townorg "$WL30" "$BUILD_ROOT/bench-c30.db"
else
	echo "skipped: ../shared/bench not found"
fi

step "valgrind"
make check-valgrind

step "AddressSanitizer + UndefinedBehaviorSanitizer"
mkdir -p "$BUILD_ROOT/asan"
cd "$BUILD_ROOT/asan"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
"$SRC/configure" -q PYTHON=$PY --with-graphviz=yes CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN"
make -j"$JOBS" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	make -j"$JOBS" check TOWNORG_SANITIZED=1
# The pool is off under ASan (each object its own malloc); run the suites
# that make most values and nodes once more with it on, for UBSan's
# alignment checks (values sit at 4-byte boundaries in it).
for t in check_pool check_entity check_repo check_tables check_diff; do
	TOWNORG_POOL=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		CK_TAP_LOG_FILE_NAME=/dev/null ./tests/$t
done

step "ThreadSanitizer: readers, diffs and validation while another thread commits; the two-thread diff, table import (indexes and hashing on the second thread) and cap check"
mkdir -p "$BUILD_ROOT/tsan"
cd "$BUILD_ROOT/tsan"
[ -f Makefile ] || "$SRC/configure" -q CC=clang PYTHON=$PY --disable-python --disable-shared \
	CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread"
make -j"$JOBS" tests/check_reliability tests/check_diff tests/check_tables tests/check_validate tests/check_repo \
	tests/check_pool >/dev/null
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 CK_RUN_CASE=threads ./tests/check_reliability
TSAN_OPTIONS=halt_on_error=1 ./tests/check_diff
TSAN_OPTIONS=halt_on_error=1 ./tests/check_tables
TSAN_OPTIONS=halt_on_error=1 ./tests/check_validate
TSAN_OPTIONS=halt_on_error=1 ./tests/check_repo
TSAN_OPTIONS=halt_on_error=1 ./tests/check_pool

step "fuzzing: every target for ${FUZZ_SECONDS:-10} s"
# a fixed seed: the same inputs every run, so a failure here is reproducible
FUZZ_BUILD="$BUILD_ROOT/fuzz" bash "$SRC/fuzz/run.sh" all "${FUZZ_SECONDS:-10}" -seed=1

step "distcheck"
cd "$BUILD_ROOT/main"
make -j"$JOBS" distcheck >/dev/null 2>"$BUILD_ROOT/distcheck.err" || { tail -50 "$BUILD_ROOT/distcheck.err"; exit 1; }
echo "distcheck passed"

step "Debian packages: build, lintian, install, use the installed files, purge (scripts/deb-test.sh)"
JOBS="$JOBS" bash "$SRC/scripts/deb-test.sh"
echo
echo "all tests passed"

#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Build the libFuzzer targets fuzz/fuzz_*.c with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, in a build tree of their own:
#   fuzz/build.sh [BUILD_DIR]        (default $FUZZ_BUILD or /tmp/build-fuzz)
# The library is configured there with CC=clang and
# -fsanitize=fuzzer-no-link,address,undefined; each target is linked with
# -fsanitize=fuzzer.  Binaries go to BUILD_DIR/fuzz/.  `make fuzz` runs this.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${FUZZ_BUILD:-/tmp/build-fuzz}}
CC=${FUZZ_CC:-clang}
JOBS=${JOBS:-$(nproc)}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f Makefile ] || [ "$SRC/configure" -nt Makefile ]; then
	"$SRC/configure" -q CC="$CC" PYTHON=/usr/bin/python3 --disable-python --disable-shared \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $SAN" LDFLAGS="$SAN"
fi
make -j"$JOBS" lib/libtownorg_core.la >/dev/null
mkdir -p fuzz
for src in "$SRC"/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	out=fuzz/$name
	if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt lib/libtownorg_core.la ] &&
	   [ "$out" -nt "$SRC/fuzz/fuzz_util.h" ]; then
		continue
	fi
	"$CC" -O1 -g $SAN -fsanitize=fuzzer -I"$SRC/include" -I"$SRC/lib" -I"$SRC/fuzz" -I. \
		-DFUZZ_SRCDIR="\"$SRC\"" -c "$src" -o "fuzz/$name.o"
	./libtool --quiet --tag=CC --mode=link "$CC" -O1 -g -Wc,-fsanitize=fuzzer \
		-XCClinker -fsanitize=fuzzer $(printf -- '-XCClinker %s ' $SAN) \
		-o "$out" "fuzz/$name.o" lib/libtownorg_core.la
	echo "built $BUILD/$out"
done

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# A program links libtownorg.a with what townorg.pc says a static link needs
# (Requires.private, Libs.private) against the shared libraries of the
# dependencies (some, like libcsv, ship no static library), with every object
# of the archive pulled in (--whole-archive), so a missing dependency fails
# the link; then the program runs an example and gives the example's answer.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
# the build's compiler and flags (a sanitizer build links its runtimes)
CC=${TOWNORG_TEST_CC:-${CC:-cc}}
CFLAGS=${TOWNORG_TEST_CFLAGS:-}
LDFLAGS=${TOWNORG_TEST_LDFLAGS:-}
echo "1..2"
a=$builddir/lib/.libs/libtownorg.a
if [ ! -f "$a" ]; then
	echo "ok 1 # SKIP no static library (configured with --disable-static)"
	echo "ok 2 # SKIP no static library"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the built townorg.pc, pointed at this tree
sed -e "s|^libdir=.*|libdir=$builddir/lib/.libs|" -e "s|^includedir=.*|includedir=$srcdir/include|" \
	"$builddir/townorg.pc" >"$tmp/townorg.pc"
if ! deps=$(PKG_CONFIG_PATH="$tmp" pkg-config --static --libs townorg 2>"$tmp/err"); then
	sed 's/^/# /' "$tmp/err"
	echo "not ok 1 - pkg-config --static --libs townorg"
	exit 1
fi
deps=$(printf '%s\n' "$deps" | sed -e 's/-ltownorg\b//' -e "s|-L$builddir/lib/.libs||")
cflags=$(PKG_CONFIG_PATH="$tmp" pkg-config --cflags townorg)
if $CC $CFLAGS $cflags -o "$tmp/reform_rates" "$srcdir/examples/reform_rates.c" $LDFLAGS \
	-Wl,--whole-archive "$a" -Wl,--no-whole-archive $deps >"$tmp/log" 2>&1 &&
   ! ldd "$tmp/reform_rates" | grep -q libtownorg; then
	echo "ok 1 - linked libtownorg.a with: $deps"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 1 - static link with townorg.pc's private libraries ($deps)"
	exit 1
fi
out=$("$tmp/reform_rates" "$srcdir/examples/data/district.json" p4-16 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
if printf '%s' "$out" | grep -q '17 → 4' && printf '%s' "$out" | grep -q '76'; then
	echo "ok 2 - the statically linked example gives 17 → 4 (76%)"
else
	echo "not ok 2 - the statically linked example's answer"
	exit 1
fi

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The shared library exports exactly the functions the public headers
# declare with TOWNORG_EXTERN: nothing internal leaks, nothing is missing.
set -eu
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
lib=$builddir/lib/.libs/libtownorg.so
echo "1..1"
if [ ! -f "$lib" ]; then
	echo "not ok 1 - $lib not built (shared libraries disabled?)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u >"$tmp/exported"
cat "$srcdir"/include/townorg.h "$srcdir"/include/townorg/*.h |
	tr '\n' ' ' | grep -o 'TOWNORG_EXTERN([^)]*) *[a-z_0-9]*(' |
	sed 's/.*) *\([a-z_0-9]*\)(/\1/' | sort -u >"$tmp/declared"
if diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
	echo "ok 1 - $(wc -l <"$tmp/exported") exported symbols match the headers"
else
	sed 's/^/# /' "$tmp/diff"
	echo "not ok 1 - exported symbols differ from the public headers"
	exit 1
fi

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# libtownorg-chart exports exactly the functions its header declares with
# TOWNORG_CHART_EXTERN (as tests/check-exports.sh does for libtownorg);
# built without Graphviz there is no such library (a visible SKIP).
set -eu
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
lib=$builddir/render/.libs/libtownorg-chart.so
if ! grep -q '^#define HAVE_GRAPHVIZ 1' "$builddir/config.h" 2>/dev/null; then
	echo "1..0 # SKIP built without Graphviz: no libtownorg-chart"
	exit 0
fi
echo "1..2"
if [ ! -f "$lib" ]; then
	echo "not ok 1 - $lib not built (shared libraries disabled?)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u >"$tmp/exported"
tr '\n' ' ' <"$srcdir/include/townorg/chart.h" | grep -o 'TOWNORG_CHART_EXTERN([^)]*) *[a-z_0-9]*(' |
	sed 's/.*) *\([a-z_0-9]*\)(/\1/' | sort -u >"$tmp/declared"
if diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
	echo "ok 1 - $(wc -l <"$tmp/exported") exported symbols match include/townorg/chart.h"
else
	sed 's/^/# /' "$tmp/diff"
	echo "not ok 1 - libtownorg-chart's exported symbols differ from its header"
	exit 1
fi
# Graphviz stays out of the core library
if objdump -p "$builddir/lib/.libs/libtownorg.so" | grep -q 'NEEDED.*\(libgvc\|libcgraph\)'; then
	echo "not ok 2 - libtownorg links Graphviz"
	exit 1
fi
echo "ok 2 - libtownorg does not link Graphviz (only libtownorg-chart does)"

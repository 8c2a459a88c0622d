#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The layers of lib/ form a staircase without circles: no include and no
# call runs up a layer, and no objects call each other in a circle
# (tests/layer-graph.py says how; lib/README.md names the layers).
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
PY=${PYTHON:-python3}
echo "1..2"
# First, that the check can fail: a made-up tree whose core includes io.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lib/core" "$tmp/lib/io"
printf '#include "io/x.h"\n' >"$tmp/lib/core/a.c"
printf '#include "core/y.h"\n' >"$tmp/lib/io/b.c"
bad=$("$PY" "$srcdir/tests/layer-graph.py" "$tmp" "$tmp" 2>&1)
if [ $? -eq 1 ] && printf '%s' "$bad" | grep -q 'lib/core/a.c:1: #include "io/x.h" reaches up from core to io' &&
   ! printf '%s' "$bad" | grep -q 'lib/io/b.c'; then
	echo "ok 1 - the check finds an include that reaches up"
else
	printf '%s\n' "$bad" | sed 's/^/# /'
	echo "not ok 1 - the check missed an include that reaches up"
	exit 1
fi
out=$("$PY" "$srcdir/tests/layer-graph.py" "$srcdir" "$builddir" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
case $rc in
0) echo "ok 2 - layers: $(printf '%s\n' "$out" | tail -1)" ;;
77) echo "ok 2 # SKIP the library's objects are not built" ;;
*) echo "not ok 2 - layers: includes or calls run up a layer or in a circle"; exit 1 ;;
esac

#!/bin/sh
# tests/check-spdx.sh — every source file names its licence: lists the files
# that lack the line `SPDX-License-Identifier: MulanPSL-2.0` (in its
# language's comment syntax) and fails if there is any.  Which files count,
# and where the line goes, is defined once, in scripts/add-spdx.sh (which
# adds the missing lines); this runs it with --check.  Files that name
# another SPDX licence are listed as notes and do not fail.
#
#   tests/check-spdx.sh [DIR]   DIR: the tree to check (default $top_srcdir,
#                               else the tree this script is in)
# Prints TAP (one test) so that it can run under the project's test harness.
here=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-${top_srcdir:-$here}}
out=$(bash "$here/scripts/add-spdx.sh" --check "$tree" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - every source file has SPDX-License-Identifier: MulanPSL-2.0"
else
	echo "not ok 1 - source files without SPDX-License-Identifier: MulanPSL-2.0 (listed above)"
fi
echo "1..1"
[ "$rc" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Every public header compiles on its own, strictly (C99, -Wall -Wextra -pedantic -Werror).
set -eu
srcdir=${top_srcdir:-.}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
headers=$(cd "$srcdir/include" && ls townorg.h townorg/*.h)
n=$(echo "$headers" | wc -l)
echo "1..$n"
i=0
fail=0
for h in $headers; do
	i=$((i + 1))
	printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$h" "$h" >"$tmp/t.c"
	if $CC -std=c99 -Wall -Wextra -pedantic -Werror -I"$srcdir/include" -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/err"; then
		echo "ok $i - $h compiles alone"
	else
		sed 's/^/# /' "$tmp/err"
		echo "not ok $i - $h does not compile alone"
		fail=1
	fi
done
exit $fail

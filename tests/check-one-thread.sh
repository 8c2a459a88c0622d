#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The library's own threads (a wide diff's second walk, the cap rule's
# second collector, a table import's reader and index thread) all fall back
# to the calling thread when TOWNORG_THREADS=1, or when a thread cannot be
# started.  Run the suites that take those paths again that way, so the
# one-thread paths are tested too.
set -u
builddir=${top_builddir:-.}
unset CK_TAP_LOG_FILE_NAME
echo "1..3"
n=0
fail=0
for t in check_diff check_tables check_validate; do
	n=$((n + 1))
	if out=$(TOWNORG_THREADS=1 "$builddir/tests/$t" 2>&1); then
		echo "ok $n - $t with TOWNORG_THREADS=1: $(echo "$out" | tail -1)"
	else
		echo "$out" | tail -20 | sed 's/^/# /'
		echo "not ok $n - $t with TOWNORG_THREADS=1"
		fail=1
	fi
done
exit $fail

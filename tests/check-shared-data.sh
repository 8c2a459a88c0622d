#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The Check cases tagged "shared" read ../shared: the real NBS editions, and
# the bench kit's workload generator.  (The real editions with the MCA
# tables: tests/check_realdata_real, which skips visibly by itself.)  Run them when the
# data is there; otherwise say SKIP (the TAP plan "1..0 # SKIP"), so that a
# tree without ../shared never passes them silently.
set -u
builddir=${top_builddir:-.}
shared=${SHARED_DIR:-}
if [ -z "$shared" ] || [ ! -d "$shared/data/real/nbs-townships" ] ||
   [ ! -d "$shared/data/real/mca-changes/sub-county" ] || [ ! -f "$shared/bench/gen_workload.py" ]; then
	echo "1..0 # SKIP the real data and bench kit are not at SHARED_DIR='$shared' (../shared)"
	exit 0
fi
echo "1..2"
n=0
fail=0
for t in check_merge check_tables; do
	n=$((n + 1))
	out=$(CK_TAP_LOG_FILE_NAME=/dev/null CK_EXCLUDE_TAGS= CK_INCLUDE_TAGS=shared "$builddir/tests/$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q '100%: Checks: [1-9]'; then
		echo "ok $n - $t: the cases tagged shared on $shared"
	else
		echo "not ok $n - $t: the cases tagged shared (exit $rc)"
		fail=1
	fi
done
exit $fail

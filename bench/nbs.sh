#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The real national data: import the eight NBS editions (../shared/data/real/
# nbs-townships) with libtownorg and diff each pair of consecutive years
# (bench/bench_nbs), beside a plain Python dictionary diff of the same files
# (bench/nbs_dict_diff.py).  The two answers must agree — counts and the
# SHA-256 of the sorted delta lines of every pair — or the run fails (exit 1)
# and the first differing lines are shown.  Prints a markdown table.
#
# Usage: bench/nbs.sh [BUILD_DIR]    (default: build/main)
# env:   SHARED=../shared  NBS_RUNS=3 (times are the minimum of that many runs)
#        OUT=/tmp/townorg-bench  NO_MAKE=1 (do not run `make bench` first)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build/main}
SHARED=${SHARED:-${SHARED_DIR:-$SRC/../shared}}
NBS=$SHARED/data/real/nbs-townships
NBS_RUNS=${NBS_RUNS:-3}
OUT=${OUT:-/tmp/townorg-bench}
PY=/usr/bin/python3
if [ ! -f "$NBS/2016/streets.csv" ]; then
	echo "nbs.sh: no NBS data under $NBS" >&2
	exit 77
fi
[ "${NO_MAKE:-0}" = 1 ] || make -C "$BUILD" bench >/dev/null
mkdir -p "$OUT"
DUMP=$(mktemp -d "$OUT/nbs-dump.XXXXXX")
trap 'rm -rf "$DUMP"' EXIT
"$BUILD/bench/bench_nbs" --runs "$NBS_RUNS" --dump "$DUMP" "$NBS" >"$OUT/nbs-townorg.json"
"$PY" "$SRC/bench/nbs_dict_diff.py" --runs "$NBS_RUNS" --dump "$DUMP" "$NBS" >"$OUT/nbs-python.json"
"$PY" - "$OUT/nbs-townorg.json" "$OUT/nbs-python.json" "$DUMP" <<'EOF'
import difflib, json, os, sys
c = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
dump = sys.argv[3]
keys = ("added", "removed", "changed", "fields", "changed_fields", "sha256")
bad = []
if [(x["from"], x["to"]) for x in c["pairs"]] != [(x["from"], x["to"]) for x in p["pairs"]]:
    sys.exit("nbs.sh: the two programs diffed different pairs of editions")
for a, b in zip(c["pairs"], p["pairs"]):
    if any(a[k] != b[k] for k in keys):
        bad.append((a, b))
# the import report counts a 撤乡设镇 seen in the lists (a township gone and one
# of another kind with the same name stem in its county) once as
# reclassified; the diff, by code, sees one removed and one added
for e, a in zip(c["editions"][1:], c["pairs"]):
    if (e["added"] + e["reclassified"], e["removed"] + e["reclassified"], e["renamed"] + e["moved"]) != \
            (a["added"], a["removed"], a["changed"]):
        print("nbs.sh: %s: the import report (%s) does not add up to the diff" % (e["year"], e), file=sys.stderr)
        bad.append((a, a))
for a, b in bad:
    pair = "%s-%s" % (a["from"], a["to"])
    print("nbs.sh: %s: townorg %s, Python %s" % (pair, {k: a[k] for k in keys[:4]}, {k: b[k] for k in keys[:4]}),
          file=sys.stderr)
    lc = open(os.path.join(dump, "townorg-%s.txt" % pair), encoding="utf-8").readlines()
    lp = open(os.path.join(dump, "python-%s.txt" % pair), encoding="utf-8").readlines()
    d = list(difflib.unified_diff(lc, lp, "townorg", "python", n=0))
    sys.stderr.writelines(d[:40])
    if len(d) > 40:
        print("… %d more lines" % (len(d) - 40), file=sys.stderr)
print("NBS editions %s–%s, %s entities a version; times are the minimum of %d runs.\n"
      % (c["editions"][0]["year"], c["editions"][-1]["year"],
         "–".join("{:,}".format(f(e["entities"] for e in c["editions"])) for f in (min, max)), c["runs"]))
print("| pair | added | removed | changed | townorg diff (ms) | with totals (ms) | Python dict diff (ms) | ratio |")
print("|---|---|---|---|---|---|---|---|")
for a, b in zip(c["pairs"], p["pairs"]):
    print("| %s→%s | %d | %d | %d | %.2f | %.2f | %.1f | %.0fx |" % (
        a["from"], a["to"], a["added"], a["removed"], a["changed"], a["diff_s"] * 1e3, a["diff_full_s"] * 1e3,
        b["diff_s"] * 1e3, b["diff_s"] / a["diff_s"]))
print("\nimport of all editions (townorg_nbs_import, in memory): %.3f s; Python reading the same files into "
      "dicts: %.3f s (%.2fx)" % (c["import_s"], p["read_s"], p["read_s"] / c["import_s"]))
if bad:
    print("\nnbs.sh: the answers DIFFER for %d pairs" % len(bad), file=sys.stderr)
    sys.exit(1)
print("\nanswers checked: townorg and the Python dict diff agree on every pair (counts and SHA-256 of the deltas),"
      " and the import report adds up to the diffs")
EOF

#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""The bindings on the benchmark workload: the same bulk operations as
bench_townorg.c (import, diffs, cap check, and a version as a DataFrame),
through the Python package, with the answers checked the same way.  Prints
one JSON line; bench/run.sh puts it beside the C numbers (issue 9: bulk
operations within 1.5x of C).

Usage: PYTHONPATH=BUILD/bindings/python/.libs:SRC/bindings/python \
       /usr/bin/python3 bench/bench_python.py WORKLOAD_DIR
"""
import csv
import json
import os
import sys
import time

import townorg


def main(wl):
    out = {"peer": "townorg-python"}
    repo = townorg.Repository()
    t = time.perf_counter()
    repo.import_tables(wl, recorded_at="2024-01-01T00:00:00Z")
    out["build_total_s"] = round(time.perf_counter() - t, 4)
    with open(os.path.join(wl, "versions.csv"), encoding="utf-8") as f:
        last = len(list(csv.DictReader(f))) - 1
    v0, v1, vl = repo["v0"], repo["v1"], repo["v%d" % last]

    expected = {}
    with open(os.path.join(wl, "expected_diffs.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            expected[(int(r["from_version"]), int(r["to_version"]))] = r
    for name, a, b, key in (("diff_adjacent", v0, v1, (0, 1)), ("diff_full", v0, vl, (0, last))):
        t = time.perf_counter()
        d = a.diff(b, events=False, totals=False)
        out[name + "_s"] = round(time.perf_counter() - t, 5)
        counts = {s: 0 for s in ("added", "removed", "changed")}
        for delta in d.deltas:
            counts[delta.status] += 1
        exp = expected[key]
        for s in counts:
            if counts[s] != int(exp[s]):
                sys.exit("diff %s: %s %d, expected %s" % (name, s, counts[s], exp[s]))

    policy = townorg.Policy()
    for rule in townorg.builtin_rules():
        policy.disable(rule if isinstance(rule, str) else rule[0])
    policy.apply_json(json.dumps({"format": "townorg-policy/1", "rules": {"quota.no-increase-window": {
        "enabled": True, "params": {"mode": "ceiling", "baseline": "v0", "years": 5,
                                    "totals": [["admin", "inst"]], "scope": "county"}}}}), "bench")
    t = time.perf_counter()
    res = vl.validate(policy)
    out["cap_check_s"] = round(time.perf_counter() - t, 5)
    flagged = {f.entity for f in res if f.rule == "quota.no-increase-window" and not f.waived}
    with open(os.path.join(wl, "expected_cap_violations.csv"), encoding="utf-8") as f:
        want = {r["county_id"] for r in csv.DictReader(f)}
    if flagged != want:
        sys.exit("cap check: %d counties flagged, %d expected" % (len(flagged), len(want)))

    t = time.perf_counter()
    frame = vl.to_frame()
    out["to_frame_s"] = round(time.perf_counter() - t, 4)
    if len(frame) != len(vl):
        sys.exit("to_frame: %d rows for %d entities" % (len(frame), len(vl)))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])

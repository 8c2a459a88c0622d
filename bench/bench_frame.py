#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Version.to_frame() against pandas.read_csv of the same version.

Imports the workload (bench/run.sh's, e.g. COUNTIES=2850: the national
scale), takes its last version, writes that version's entities as one CSV
(every column to_frame() has, lists joined with "; "), and times
  - to_frame():      the library's frame, from arrays filled in C;
  - read_csv:        pandas.read_csv of that one CSV (dtype=str for text,
                     the default inference for numbers);
printing one JSON line with both, their ratio, and the row count.
Issue 20's targets: to_frame at least 5x faster than before (4-5 s at the
national scale), within 2x of read_csv.

Usage (bench/run.sh runs it): PYTHONPATH=BUILD/bindings/python/.libs:SRC/bindings/python \\
       LD_LIBRARY_PATH=BUILD/lib/.libs /usr/bin/python3 bench/bench_frame.py WORKLOAD_DIR [RUNS]
"""
import csv
import json
import os
import sys
import tempfile
import time

import pandas as pd

import townorg


def best(fn, runs):
    """The best wall and CPU (this process) times of `runs` calls, and the
    last result.  CPU time is the steadier figure on a shared machine."""
    wall, cpu, out = None, None, None
    for _ in range(runs):
        out = None
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        wall = dt if wall is None or dt < wall else wall
        cpu = dc if cpu is None or dc < cpu else cpu
    return (wall, cpu), out


def main(wl, runs=3):
    repo = townorg.Repository()
    repo.import_tables(wl, recorded_at="2024-01-01T00:00:00Z")
    with open(os.path.join(wl, "versions.csv"), encoding="utf-8") as f:
        last = len(list(csv.DictReader(f))) - 1
    v = repo["v%d" % last]
    t_frame, df = best(v.to_frame, runs)
    if len(df) != len(v) or not df.index.is_monotonic_increasing or not df.index.is_unique:
        sys.exit("to_frame: %d rows for %d entities, or not sorted by id" % (len(df), len(v)))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "version.csv")
        out = df.copy()
        for c in ("nameplates", "functions", "colocated_with"):
            out[c] = out[c].map("; ".join)
        out.to_csv(path)
        size = os.path.getsize(path)
        t_csv, back = best(lambda: pd.read_csv(path, index_col="id", dtype={
            "parent_id": str, "name": str, "kind": str, "class": str}), runs)
    if len(back) != len(df):
        sys.exit("read_csv: %d rows" % len(back))
    print(json.dumps({"rows": len(df), "to_frame_s": round(t_frame[0], 3), "read_csv_s": round(t_csv[0], 3),
                      "ratio": round(t_frame[0] / t_csv[0], 2), "to_frame_cpu_s": round(t_frame[1], 3),
                      "read_csv_cpu_s": round(t_csv[1], 3), "cpu_ratio": round(t_frame[1] / t_csv[1], 2),
                      "csv_bytes": size, "runs": runs}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)

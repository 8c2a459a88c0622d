#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Print one table from a results .jsonl: each operation, each system, and
libtownorg's ratio to the best peer (peer time / our time; > 1 means faster;
for memory and size, peer / ours as well).  Targets from issue 9 are shown
beside the ratio."""
import json
import os
import sys

OPS = [  # key, label, target ratio
    ("build_total_s", "build all versions (s)", 6),
    ("diff_adjacent_s", "diff v0->v1 (s)", 10),
    ("diff_full_s", "diff v0->last (s)", 10),
    ("asof_s", "as-of x1000 (s)", 10),
    ("cap_check_s", "5-year cap check (s)", 50),
    ("rss_all_versions_mb", "RSS growth, all versions (MiB)", None),
    ("db_bytes", "store file (MB)", None),
]


def peer_value(res, key):
    if key == "asof_s" and "asof_s" not in res:
        return res.get("asof_indexed_s")
    if key == "db_bytes":
        v = res.get("db_bytes") or res.get("git_bytes_packed")
        return v / 1e6 if v else None
    return res.get(key)


def csv_bytes(wl):
    """The workload's input tables (what the import reads)."""
    return sum(os.path.getsize(os.path.join(wl, f)) for f in ("versions.csv", "base.csv", "changes.csv", "events.csv")
               if os.path.exists(os.path.join(wl, f)))


def main(path, wl=None):
    rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    by = {}
    for r in rows:
        res = r["result"]
        by.setdefault(res.get("peer", "?"), []).append(res)
    ours = by.pop("townorg", [])
    py = by.pop("townorg-python", [])
    if not ours:
        sys.exit("no townorg result")
    peers = sorted(by)
    head = ["operation", "townorg"] + peers + ["ratio to best peer", "target"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key, label, target in OPS:
        mine = [peer_value(o, key) for o in ours]
        mine = [m for m in mine if m is not None and m >= 0]
        if not mine:
            continue
        m = min(mine)
        cells = [label, "%.4g" % m]
        best = None
        for p in peers:
            vals = [peer_value(x, key) for x in by[p]]
            vals = [v for v in vals if v is not None]
            if vals:
                v = min(vals)
                cells.append("%.4g" % v)
                best = v if best is None else min(best, v)
            else:
                cells.append("")
        ratio = (best / m) if best and m else None
        cells.append("%.1fx" % ratio if ratio else "")
        cells.append((">= %dx" % target) if target else "")
        print("| " + " | ".join(cells) + " |")
    o = ours[0]
    extra = {k: o.get(k) for k in ("build_store_s", "diff_100_s", "open_read_s", "rss_store_open_mb",
                                    "rss_store_read_mb", "bytes_per_entity_value", "entity_values")}
    print()
    print("libtownorg only: " + ", ".join("%s=%s" % kv for kv in extra.items()))
    if py:
        p = py[0]
        print("Python bindings / C (target <= 1.5x): " + ", ".join(
            "%s %.3g s = %.2fx" % (k, p[k], p[k] / o[k]) for k in ("build_total_s", "diff_adjacent_s",
                                                                  "diff_full_s", "cap_check_s")
            if p.get(k) and o.get(k)) + "; to_frame of the last version %.3g s" % p.get("to_frame_s", 0))
    if o.get("diff_100_s"):
        print("diff v0->v1 / diff of 100 entities: %.0fx (target >= 50x)" % (o["diff_adjacent_s"] / o["diff_100_s"]))
    if wl and o.get("rss_all_versions_mb"):
        size = csv_bytes(wl)
        if size:
            rss = o["rss_all_versions_mb"] * 1048576
            print("RSS growth / CSV tables: %.1f MiB / %.1f MB = %.2fx (target <= 2.5x, i.e. <= %.1f MiB)"
                  % (o["rss_all_versions_mb"], size / 1e6, rss / size, 2.5 * size / 1048576))


if __name__ == "__main__":
    main(*sys.argv[1:3])

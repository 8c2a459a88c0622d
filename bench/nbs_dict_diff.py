#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""A plain Python dictionary diff of the NBS township lists: the peer of
bench/bench_nbs.c.  Standard library only.

Each edition folder (provinces.csv, cities.csv, areas.csv, streets.csv) is
read into a dict {code: (parent, name, kind)} holding what libtownorg's
entities hold after townorg_nbs_import (docs/realdata.md):

  - ids are the codes; every field is trimmed of ASCII space, tab, CR, LF,
    U+00A0 and U+3000 (the library's CSV reader does this);
  - names are normalised: a trailing 办事处 is dropped, a trailing 街道办
    becomes 街道;
  - the kind is the level (province, prefecture, county), and for a
    township-level unit the GB/T 10114 range of its last three digits;
  - prefecture rows that are statistical groupings (市辖区, 县, …直辖县级行政区划)
    are no units: they are left out and their counties' parent is the
    province.

Consecutive editions are then diffed (added, removed, changed with the
changed fields), and each diff summarised like bench_nbs.c: counts and the
SHA-256 of the sorted lines "A\\tid", "R\\tid", "C\\tid\\tfield".  Reading and
each diff are timed separately, as the minimum of --runs runs.  Prints one
JSON line.

Usage: nbs_dict_diff.py [--runs N] [--dump DIR] NBS_DIR
"""
import argparse
import csv
import hashlib
import json
import os
import sys
import time

SPACES = " \t\r\n\u00a0\u3000"
FIELDS = ("parent_id", "name", "kind")  # the library's field order


def norm_name(s):
    s = s.strip(SPACES)
    if len(s) > 3 and s.endswith("办事处"):
        s = s[:-3]
    if len(s) > 3 and s.endswith("街道办"):
        s = s[:-1]
    return s


def township_kind(code):
    t = int(code[6:])
    if t == 0:
        return "township_like"  # 350527000 金门县, a placeholder unit of its own county
    if t < 100:
        return "subdistrict"
    if t < 200:
        return "town"
    if t < 400:
        return "township"
    return "township_like"


def is_grouping(name):
    return name in ("市辖区", "县") or name.endswith("直辖县级行政区划")


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            if row:
                yield [x.strip(SPACES) for x in row]


def read_edition(folder):
    """{code: (parent, name, kind)} of one edition."""
    units = {}
    for code, name in rows(os.path.join(folder, "provinces.csv")):
        units[code] = (None, norm_name(name), "province")
    groupings = {}
    for code, name, prov in rows(os.path.join(folder, "cities.csv")):
        name = norm_name(name)
        if is_grouping(name):
            groupings[code] = prov
        else:
            units[code] = (prov, name, "prefecture")
    for code, name, city, prov in rows(os.path.join(folder, "areas.csv")):
        units[code] = (groupings.get(city, city), norm_name(name), "county")
    for code, name, area, prov, city in rows(os.path.join(folder, "streets.csv")):
        units[code] = (area, norm_name(name), township_kind(code))
    return units


def dict_diff(a, b):
    """Added and removed ids, and (id, changed field names) — sorted by id."""
    added = sorted(b.keys() - a.keys())
    removed = []
    changed = []
    get = b.get
    for k, va in a.items():
        vb = get(k)
        if vb is None:
            removed.append(k)
        elif va != vb:
            changed.append((k, [FIELDS[i] for i in range(3) if va[i] != vb[i]]))
    removed.sort()
    changed.sort()
    return added, removed, changed


def summarize(added, removed, changed, dump=None):
    lines = ["A\t%s\n" % k for k in added] + ["R\t%s\n" % k for k in removed]
    per_field = dict.fromkeys(FIELDS, 0)
    for k, fields in changed:
        for f in fields:
            lines.append("C\t%s\t%s\n" % (k, f))
            per_field[f] += 1
    lines.sort(key=lambda s: s.encode())  # bytewise, as strcmp
    h = hashlib.sha256()
    for s in lines:
        h.update(s.encode())
    if dump:
        with open(dump, "w", encoding="utf-8") as f:
            f.writelines(lines)
    return {"added": len(added), "removed": len(removed), "changed": len(changed),
            "fields": sum(per_field.values()), "changed_fields": dict(per_field, other=0),
            "sha256": h.hexdigest()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nbs_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dump")
    a = ap.parse_args()
    years = sorted(d for d in os.listdir(a.nbs_dir)
                   if len(d) == 4 and d.isdigit() and os.path.isfile(os.path.join(a.nbs_dir, d, "streets.csv")))
    if len(years) < 2:
        sys.exit("nbs_dict_diff: %s: need two editions or more" % a.nbs_dir)
    read_s = float("inf")
    for _ in range(a.runs):
        t0 = time.perf_counter()
        eds = [read_edition(os.path.join(a.nbs_dir, y)) for y in years]
        read_s = min(read_s, time.perf_counter() - t0)
    pairs = []
    for i in range(len(years) - 1):
        best = float("inf")
        for _ in range(a.runs):
            t0 = time.perf_counter()
            res = dict_diff(eds[i], eds[i + 1])
            best = min(best, time.perf_counter() - t0)
        dump = os.path.join(a.dump, "python-%s-%s.txt" % (years[i], years[i + 1])) if a.dump else None
        pairs.append(dict({"from": years[i], "to": years[i + 1]}, **summarize(*res, dump=dump), diff_s=round(best, 6)))
    print(json.dumps({"peer": "python-dict", "runs": a.runs, "read_s": round(read_s, 4),
                      "editions": [{"year": y, "entities": len(e)} for y, e in zip(years, eds)],
                      "pairs": pairs}, ensure_ascii=False))


if __name__ == "__main__":
    main()

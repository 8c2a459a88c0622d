#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""The reduction rates 精简率 of the district of 篇4, in Python.

    python3 examples/reform_rates.py [examples/data/district.json] [p4-16]

Diffs the version before 2002 against the 2002 and the 2005 reforms and
prints, for one township and for the district, the counts the report gives:
institutions 17 → 4 (76%) and 17 → 7 (59%), party and government organs
12 → 3 (75%), administrative organs 10 → 3 (70%), quotas −10% / −20%, and
township-level units 20 → 18 (10%).  With pandas installed it also prints the
per-township table of Diff.totals_frame().
"""
import os
import sys
from fractions import Fraction

import townorg

HERE = os.path.dirname(os.path.abspath(__file__))

# What the report counts, as sets of kinds.
COUNTS = [
    ("事业站所 institutions", ("center", "station")),
    ("党政机构 party and government organs", ("office", "listed")),
    ("行政机构 administrative organs", ("office",)),
]
UNITS = ("town", "township", "subdistrict")


def rate(before, after):
    """精简率 as the report rounds it (whole per cent) and to one decimal."""
    if before == 0:
        return "n/a"
    r = Fraction(before - after, before) * 100
    return "%.1f%% (≈%d%%)" % (float(r), int(r + Fraction(1, 2)))


def count(totals, kinds, side):
    return sum(totals["kinds_" + side].get(k, 0) for k in kinds)


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(HERE, "data", "district.json")
    unit = argv[2] if len(argv) > 2 else "p4-16"
    repo = townorg.Repository.memory()
    repo.import_json(path)
    for to in ("2002-reform", "2005-reform"):
        d = repo.diff("2001-baseline", to)
        t = next(x for x in d.townships if x["id"] == unit)
        print("2001-baseline → %s (%s %s, %s)" % (to, unit, t["name"], repo[to].meta["doc_number"]))
        for label, kinds in COUNTS:
            b, a = count(t, kinds, "before"), count(t, kinds, "after")
            print("  %-40s %2d → %-2d 精简 %s" % (label, b, a, rate(b, a)))
        for qtype, r in sorted(d.totals["quotas"].items()):
            print("  %-40s %d → %d 精简 %s%%" % ("编制 %s (district)" % qtype, r["before"], r["after"], r["text"]))
        b, a = count(d.totals, UNITS, "before"), count(d.totals, UNITS, "after")
        print("  %-40s %2d → %-2d 精简 %s" % ("乡镇、街道 township-level units", b, a, rate(b, a)))
        abolished = [x.id for x in d.removed if x.kind in UNITS]
        created = [x.id for x in d.added if x.kind in UNITS]
        if abolished or created:
            print("  abolished: %s; created: %s" % (", ".join(abolished), ", ".join(created)))
    try:
        import pandas  # noqa: F401
    except ImportError:
        return 0
    frame = repo.diff("2001-baseline", "2005-reform").totals_frame("township")
    print("townships in the 2005 diff: %d rows" % len(frame))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

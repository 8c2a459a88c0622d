#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Check the DOM of a rendered `townorg report` against `townorg diff --json`.

    check-report-dom.py DOM.html DIFF.json CHARTS(0|1) NAME...

DOM.html is what headless Chromium printed with --dump-dom (the document
after the browser parsed and laid it out); DIFF.json the output of
`townorg diff REPO FROM TO --json --under UNIT` for the same versions.
NAME... are the township names that must appear.  Prints TAP lines
(without the plan) and exits 1 on any failure.

Checks: every township is in the table of changes and in every chart;
each chart is an inline <svg> holding <text> elements; the numbers of the
table (organs, quotas, by quota type, 精简率 as a percent) equal the diff's
totals (per township, and the total row equals the diff's "all"); the page
refers to nothing on the network.
"""
import json
import sys
from fractions import Fraction
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = {}          # data-unit -> {field: text}
        self.charts = []        # [{"texts": [...], "svg": n}]
        self.urls = []          # src/href attributes
        self.stack = []
        self.unit = None
        self.field = None
        self.chart = None
        self.in_text = False
        self.body_text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "xlink:href"):
            if k in a and a[k]:
                self.urls.append(a[k])
        if tag == "tr" and "data-unit" in a:
            self.unit = a["data-unit"]
            self.rows[self.unit] = {}
        if tag == "td" and self.unit is not None and "data-field" in a:
            self.field = a["data-field"]
            self.rows[self.unit][self.field] = ""
        if tag == "figure" and "data-chart" in a:
            self.chart = {"name": a["data-chart"], "texts": [], "svg": 0}
            self.charts.append(self.chart)
        if tag == "svg" and self.chart is not None:
            self.chart["svg"] += 1
        if tag == "text" and self.chart is not None:
            self.in_text = True
            self.chart["texts"].append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self.unit = None
        if tag == "td":
            self.field = None
        if tag == "figure":
            self.chart = None
        if tag == "text":
            self.in_text = False

    def handle_data(self, data):
        self.body_text.append(data)
        if self.unit is not None and self.field is not None:
            self.rows[self.unit][self.field] += data
        if self.in_text and self.chart is not None:
            self.chart["texts"][-1] += data


def percent(r):
    """townorg_reduction_format: one decimal, half away from zero, of the exact fraction."""
    if not r["denominator"]:
        return "—"
    f = Fraction(r["numerator"] * 1000, r["denominator"])
    sign = -1 if f < 0 else 1
    # tenths of a percent = numerator/denominator * 1000, rounded half away from zero
    q = abs(f)
    tenths = int(q) + (1 if q - int(q) >= Fraction(1, 2) else 0)
    tenths *= sign
    s = "%s%d.%d%%" % ("-" if tenths < 0 else "", abs(tenths) // 10, abs(tenths) % 10)
    return s


n = 0
failed = 0


def check(cond, what):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, what))
    else:
        failed += 1
        print("not ok %d - %s" % (n, what))


def expect_row(row, t, what):
    exp = {
        "organs-before": str(t["organs"]["before"]), "organs-after": str(t["organs"]["after"]),
        "organs-rate": percent(t["organs"]),
        "quota-before": str(t["quota"]["before"]), "quota-after": str(t["quota"]["after"]),
        "quota-rate": percent(t["quota"]),
    }
    for qt in ("admin", "inst"):
        q = t["quotas"].get(qt, {"before": 0, "after": 0})
        exp[qt] = "%d → %d" % (q["before"], q["after"])
    got = {k: (row or {}).get(k, "").strip() for k in exp}
    check(got == exp, "%s: the numbers equal the diff's" % what)
    if got != exp:
        print("# got      %s" % json.dumps(got, ensure_ascii=False))
        print("# expected %s" % json.dumps(exp, ensure_ascii=False))


def main(argv):
    dom_path, diff_path, charts = argv[1], argv[2], argv[3] == "1"
    names = argv[4:]
    dom = Dom()
    with open(dom_path, encoding="utf-8") as f:
        dom.feed(f.read())
    with open(diff_path, encoding="utf-8") as f:
        diff = json.load(f)
    totals = diff["totals"]
    text = "".join(dom.body_text)
    for name in names:
        check(any(r.get("name", "").strip() == name for r in dom.rows.values()),
              "%s is in the table of changes" % name)
    touched = {t["id"]: t for t in totals["townships"]}
    for uid, t in touched.items():
        expect_row(dom.rows.get(uid), t, "%s (%s)" % (t["name"], uid))
    expect_row(dom.rows.get("*"), totals["all"], "the total row")
    if not touched:
        # one version compared: every township's row is its own numbers, and
        # with one township those are the total's
        units = [u for u in dom.rows if u != "*" and "organs-before" in dom.rows[u]]
        if len(units) == 1:
            expect_row(dom.rows[units[0]], totals["all"], "the one township's row")
    if charts:
        check(len(dom.charts) >= 1, "the report holds org charts (%d)" % len(dom.charts))
        for c in dom.charts:
            texts = [x.strip() for x in c["texts"] if x.strip()]
            check(c["svg"] == 1 and len(texts) > 10, "chart '%s' is an inline SVG with text (%d <text>)"
                  % (c["name"], len(texts)))
            for name in names:
                check(any(name in x for x in texts), "chart '%s' names %s" % (c["name"], name))
    else:
        check(len(dom.charts) == 0, "no charts: the structure is listed as tables")
        for name in names:
            check(text.count(name) >= 2, "%s appears in the structure tables" % name)
    check(not [u for u in dom.urls if "://" in u and not u.startswith("file:")],
          "nothing is loaded from the network (%s)" % ", ".join(dom.urls[:3]))
    return 1 if failed else 0


if __name__ == "__main__":
    rc = main(sys.argv)
    print("# %d checks" % n)
    sys.exit(rc)

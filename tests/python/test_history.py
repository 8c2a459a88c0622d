# SPDX-License-Identifier: MulanPSL-2.0
"""Diffs, blame, history, lineage — checked against the bench oracles."""

import csv

import pytest

import townorg


def test_diff_matches_expected(repo, sample_dir):
    with open(sample_dir / "expected_diffs.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        d = repo.diff("v" + row["from_version"], "v" + row["to_version"])
        assert len(d.added) == int(row["added"])
        assert len(d.removed) == int(row["removed"])
        assert len(d.changed) == int(row["changed"])
        assert sum(len(x.fields) for x in d.changed) == int(row["changed_fields"])
        assert len(d) == len(d.added) + len(d.removed) + len(d.changed)
        assert d.relation == "forward"


def test_diff_contents(repo):
    d = repo["v0"].diff(repo["v5"])
    x = d.changed[0]
    assert d[x.id] is not None and x.id in d and "nope" not in d
    with pytest.raises(townorg.NotFound):
        d["nope"]
    assert x.old is not None and x.new is not None and x.old != x.new
    for f in x.fields:
        assert f.name and (f.old is not None or f.new is not None)
    rem = d.removed[0]
    assert rem.new is None and rem.old.id == rem.id
    assert d.events and all(e.version is not None for e in d.events)
    back = repo.diff("v5", "v0")
    assert back.relation == "backward" and len(back.added) == len(d.removed)
    same = repo.diff("v3", "v3")
    assert same.relation == "same" and len(same) == 0
    assert len(repo.diff(None, "v0").added) == len(repo["v0"])


def test_diff_totals_and_reduction(repo):
    d = repo.diff("v0", "v5")
    t = d.totals
    assert t["organs"]["before"] == sum(1 for e in repo["v0"] if e.is_organ)
    assert t["organs"]["after"] == sum(1 for e in repo["v5"] if e.is_organ)
    r = d.reduction("organs")
    assert r["available"] and abs(r["value"] - (r["before"] - r["after"]) / r["before"]) < 1e-12
    assert d.townships and d.counties
    unit = d.townships[0]
    assert d.reduction("quota", unit["id"]) == unit["quota"]
    with pytest.raises(townorg.NotFound):
        d.reduction("quota", "nope")
    tf = d.totals_frame("county")
    assert len(tf) == len(d.counties) and "organs_reduction" in tf
    with pytest.raises(townorg.Invalid):
        d.totals_frame("province")


def test_diff_filters(repo):
    full = repo.diff("v0", "v5")
    towns = repo.diff("v0", "v5", kinds=["town", "township"])
    assert 0 < len(towns) < len(full) and {x.kind for x in towns} <= {"town", "township"}
    named = repo.diff("v0", "v5", fields=["name"])
    assert all(f.name == "name" for x in named.changed for f in x.fields)
    county = full.deltas[0].id.split("-")[0]
    under = repo.diff("v0", "v5", under=county)
    assert all(x.id.startswith(county) for x in under)
    with pytest.raises(townorg.Invalid):
        repo.diff("v0", "v5", kinds=["twon"])


def test_diff_renderings(repo):
    d = repo.diff("v0", "v1")
    import json
    doc = json.loads(d.to_json())
    assert len(doc["changed"]) == len(d.changed)
    assert "变更" in d.to_text("zh") and "changed" in d.to_text("en")


def test_diff_dates(repo):
    d = repo.diff_dates(repo["v1"].effective_date, repo["v4"].effective_date)
    ref = repo.diff("v1", "v4")
    assert len(d) == len(ref) and d.from_version == repo["v1"] and d.to_version == repo["v4"]
    with pytest.raises(townorg.NotFound):
        repo.diff_dates("2015-01-01", "2016-01-01", branch="nope")


def test_blame_and_history(small):
    with small.transaction(branch="main", effective_date="2021-01-01", doc_number="黟编〔2021〕2号") as tx:
        tx.update("341023-002-01", admin_quota=9)
    v = small.head()
    b = v.blame("341023-002-01")
    assert b["admin_quota"].value == "9" and b["admin_quota"].doc_number == "黟编〔2021〕2号"
    assert b["admin_quota"].version == v
    assert b["name"].version == v.parent and b.created == v.parent
    assert len(b) == len(list(b)) and b.to_frame().shape[0] == len(b)
    with pytest.raises(townorg.NotFound):
        b["population"]
    with pytest.raises(townorg.NotFound):
        v.blame("nope")
    h = v.history("341023-002-01")
    assert [e.status for e in h] == ["changed", "added"]
    assert h[0].version == v and [f.name for f in h[0].fields] == ["admin_quota"]
    with pytest.raises(townorg.NotFound, match="never-seen"):
        v.history("never-seen")


def test_lineage(small):
    with small.transaction(branch="main", effective_date="2022-01-01", doc_number="黟编〔2022〕1号") as tx:
        tx.create("341023-002-05", "center", "综合服务中心", parent_id="341023-002", inst_quota=20)
        tx.remove("341023-002-03")
        tx.event("merge", from_ids=["341023-002-03"], to_ids=["341023-002-05"], documents=["黟编〔2022〕1号"])
    v = small.head()
    lin = v.lineage("341023-002-05", direction="predecessors")
    assert {n["id"] for n in lin.nodes} == {"341023-002-03", "341023-002-05"}
    assert lin.edges[0]["from_id"] == "341023-002-03" and lin.edges[0]["event"].kind == "merge"
    assert lin.edges[0]["version"] == v
    assert lin.dot.startswith("digraph") and "341023-002-03" in lin.dot
    g = lin.graph()
    assert g.dot == lin.dot
    if townorg.Graph.can_render():
        assert "<svg" in g.svg()
    succ = v.lineage("341023-002-03", direction="successors", lang="en")
    assert any(n["id"] == "341023-002-05" for n in succ.nodes) and succ.text
    with pytest.raises(townorg.Invalid):
        v.lineage("341023-002-03", direction="sideways")

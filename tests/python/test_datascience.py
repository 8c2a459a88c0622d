"""DataFrames built in C, Jupyter HTML, org charts, quota plots."""

import warnings

import pytest

import townorg

pd = pytest.importorskip("pandas")


def test_version_frame(repo):
    v = repo.head()
    df = v.to_frame()
    assert len(df) == len(v) and df.index.name == "id" and list(df.index) == sorted(e.id for e in v)
    assert "id" not in df.columns
    assert str(df["admin_quota"].dtype) == "Int64" and str(df["area_km2"].dtype) == "Float64"
    assert str(df["kind"].dtype) == "category" and str(df["class"].dtype) == "category"
    assert list(df["kind"].cat.categories) == list(townorg.KINDS)
    assert str(df["name"].dtype) == "string" and str(df["parent_id"].dtype) == "string"
    row = df.loc["110121-001"]
    assert row["name"] == "下滩镇" and row["area_km2"] == 146.7 and pd.isna(row["admin_quota"])
    assert row["kind"] == "town"
    top = df[df["kind"] == "county"].iloc[0]
    assert top["parent_id"] is pd.NA and top["funding"] is pd.NA
    organs = v.to_frame(under="110121-001", kinds=townorg.ORGAN_KINDS)
    assert set(organs["parent_id"]) == {"110121-001"}
    assert organs["quota_total"].sum() == v.quota_total("110121-001")
    assert len(v.to_frame(under="110121-001")) == 1 + len(v.descendants("110121-001"))
    with pytest.raises(townorg.NotFound):
        v.to_frame(under="nope")
    with pytest.raises(townorg.Invalid):
        v.to_frame(kinds=["twon"])
    with pytest.raises(townorg.Invalid, match="labels"):
        v.to_frame(labels="fr")


def test_frame_matches_entities(small):
    v = small.head()
    df = v.to_frame()
    for e in v:
        r = df.loc[e.id]
        assert r["name"] == e.name and r["kind"] == e.kind
        for f in townorg.INT_FIELDS:
            assert (pd.isna(r[f]) and e.get(f) is None) or r[f] == e.get(f), (e.id, f)
        assert r["nameplates"] == e.nameplates and r["functions"] == e.functions


def test_lists_in_frame_and_chinese_labels(small):
    df = small.head().to_frame()
    assert df.loc["341023-002-03", "nameplates"] == ["计生所"]
    assert df.loc["341023-002-01", "functions"] == ["党务", "政务"]
    assert df.loc["341023-002-10", "functions"] == []
    assert df.loc["341023-002-03", "funding"] == "full"
    assert df.loc["341023-002", "class"] == "small" and pd.isna(df.loc["341023-002-01", "class"])
    zh = small.head().to_frame(labels="zh")
    assert zh.index.name == "编码" and "行政编制" in zh.columns and "名称" in zh.columns
    assert zh.loc["341023-002-01", "行政编制"] == 10 and zh.loc["341023-002-01", "牌子"] == []


def test_empty_frame():
    r = townorg.Repository()
    with r.transaction(branch="main") as tx:
        tx.create("1", "county", "空县")
    df = r.head().to_frame(kinds=["office"])
    assert len(df) == 0 and "admin_quota" in df.columns
    r.close()


def test_diff_and_validation_frames(repo):
    d = repo.diff("v0", "v5")
    df = d.to_frame()
    assert len(df) == len(d.added) + len(d.removed) + sum(len(x.fields) for x in d.changed)
    assert set(df["status"]) == {"added", "removed", "changed"}
    val = repo.head().validate()
    vf = val.to_frame()
    assert len(vf) == len(val)
    assert set(townorg.Finding.FIELDS) <= set(vf.columns)
    assert {"name", "township", "township_name", "county", "county_name", "version"} <= set(vf.columns)
    assert str(vf["value"].dtype) == "Int64" and list(vf["severity"].cat.categories) == ["info", "warning", "error"]
    assert (vf["version"] == vf["version_id"].str[:12]).all()


def test_diff_frame_typed_values_and_places():
    with townorg.examples.yixian() as r:
        d = r.diff("2007-baseline", "2008-reform")
        df = d.to_frame()
        q = df[(df["id"] == "341023100") & (df["field"] == "inst_quota")].iloc[0]
        assert q["old"] == 32 and q["new"] == 29 and q["change"] == -3 and q["type"] == "int"
        assert q["name"] == "碧阳镇" and q["township"] == "341023100" and q["county_name"] == "黟县"
        gts = df[(df["id"] == "341023100-GTS") & (df["field"] == "functions")].iloc[0]
        assert gts["old"] == ["国土资源管理", "村镇建设规划"] and pd.isna(gts["change"])
        assert gts["township_name"] == "碧阳镇"
        gone = df[df["status"] == "removed"].iloc[0]
        assert gone["township_name"] == "碧阳镇" and pd.isna(gone["field"])  # placed in the old version
        county = df[df["id"] == "341023"].iloc[0]
        assert pd.isna(county["township"]) and county["county"] == "341023"
        assert "变更" in d.to_frame(labels="zh").columns
        # 精简率: a fraction in frames, a percent in text
        t = d.totals_frame("county")
        red = d.reduction("organs", unit="341023")
        assert t.loc[t["id"] == "341023", "organs_reduction"].iloc[0] == pytest.approx(red["value"])
        assert 0 < red["value"] < 1 and red["text"] == "%.1f" % (red["value"] * 100)
        assert red["text"] + "%" in d._repr_html_()
        vf = r.head().validate().to_frame()
        row = vf[vf["entity"] == "341023102"].iloc[0]
        assert row["name"] == "渔亭镇" and row["township"] == "341023102" and row["county_name"] == "黟县"


def test_html(repo):
    v = repo.head()
    h = v._repr_html_()
    assert h.startswith("<div>") and v.id[:12] in h and "下滩镇" in h
    assert "<table" in repo.diff("v0", "v5")._repr_html_()
    val = v.validate()
    assert "不符合" in val._repr_html_() and val[0].message_zh in val[0]._repr_html_()
    assert "&lt;" in townorg.make_entity("x", "office", "<b>")._repr_html_()


def test_org_chart(small):
    g = small.head().org_chart("341023-002")
    assert g.dot.startswith("digraph") and "渔亭镇" in g.dot and "为民服务中心" in g.dot
    if townorg.Graph.can_render():
        # drawn by libtownorg-chart (Graphviz's library): nameplates once each
        assert g.dot.count("挂牌：计生所") == 1 and "村/社区 1 个" in g.dot
        svg = g.svg()
        assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg and "渔亭镇" in svg
        assert g._repr_svg_() == svg
        png = g.png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and g._repr_png_() == png
        assert "渔亭镇" in townorg.Graph("digraph { a -> \"渔亭镇\" }").svg()
        with pytest.raises(townorg.Error):
            townorg.Graph("digraph { a -> ; }").svg()
    else:
        assert "牌子: 计生所" in g.dot and "村/社区 1 个" in g.dot
        assert g._repr_svg_() is None and g._repr_png_() is None
        with pytest.raises(townorg.Error):
            g.svg()
    with pytest.raises(townorg.NotFound):
        small.head().org_chart("nope")


def test_quota_trend_and_plot(repo):
    df = repo.quota_trend()
    assert len(df) == 6
    for i, row in df.iterrows():
        v = repo["v%d" % i]
        assert row["total"] == v.quota_total() and row["admin"] == v.quota_total(None, "admin")
    assert len(repo.quota_trend(last=3)) == 3
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = townorg.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = repo.plot_quota_trend(unit_id="110121")
        ax.figure.canvas.draw()
    missing = [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []
    assert "编制总数变化" in ax.get_title() and "盛屯县" in ax.get_title()
    assert ax.get_title() and ax.title.get_fontname() == font
    assert len(ax.get_lines()) == 3
    plt.close(ax.figure)


def test_schema_from_the_library():
    """The frames' Chinese labels are the C library's schema, not a copy."""
    s = townorg.schema()
    names = [a["name"] for a in s]
    assert names[:5] == ["id", "parent_id", "kind", "name", "class"]
    by = {a["name"]: a for a in s}
    assert by["population"]["label_zh"] == "人口" and by["population"]["type"] == "integer"
    assert by["area_km2"]["type"] == "decimal" and townorg.ZH_LABELS["area_km2"] == "面积（平方公里）"
    assert ("township_led", "以块为主", "township-led") in by["regime"]["values"]
    assert by["nameplates"]["values"] is None and by["nameplates"]["type"] == "list"
    assert [a["name"] for a in s if a["in_csv"]] == [
        "id", "parent_id", "kind", "name", "class", "population", "area_km2", "revenue_per_capita",
        "admin_quota", "inst_quota", "leader_posts", "actual_staff"]
    for a in s:
        assert townorg.ZH_LABELS[a["name"]].startswith(a["label_zh"])

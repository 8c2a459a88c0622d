"""Import and export: CSV tables, JSON, snapshots, NBS/MCA, Excel workbooks."""

import pytest

import townorg


def state_hashes(r, branch="main"):
    return [v.state_hash for v in reversed(r.head(branch).ancestors())]


def test_tables_roundtrip(repo, tmp_path):
    repo.export_tables(tmp_path / "out")
    r2 = townorg.Repository()
    rep = r2.import_tables(tmp_path / "out", tag_prefix="t")
    assert [label for label, _ in rep["versions"]] == [str(i) for i in range(6)]
    assert state_hashes(r2) == state_hashes(repo) and "t5" in r2.tags
    assert rep["encodings"]["base"].startswith("UTF-8")


def test_tables_errors_change_nothing(repo, tmp_path, sample_dir):
    with pytest.raises(townorg.NotFound):
        townorg.Repository().import_tables(tmp_path / "nothing-here")
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("versions.csv", "base.csv", "changes.csv", "events.csv"):
        (bad / name).write_text((sample_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    lines = (bad / "base.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",office,", ",twon,")
    (bad / "base.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = townorg.Repository()
    with pytest.raises(townorg.ParseError) as ei:
        r.import_tables(bad)
    assert "base.csv:4" in str(ei.value) and len(r) == 0 and r.branches == {}
    with pytest.raises(townorg.Invalid):
        repo.import_tables(sample_dir)  # main has versions and no onto


def test_json_roundtrip(repo, tmp_path):
    text = repo.export_json()
    r2 = townorg.Repository()
    r2.import_json(text=text)
    assert [v.id for v in r2.versions] == [v.id for v in repo.versions]
    repo.export_json(tmp_path / "repo.json", compact=True)
    r3 = townorg.Repository()
    r3.import_json(tmp_path / "repo.json")
    assert r3.head() == repo.head() and set(r3.tags) == set(repo.tags)
    with pytest.raises(townorg.ParseError):
        townorg.Repository().import_json(text='{"format": "townorg/1", ')
    with pytest.raises(TypeError):
        r3.import_json()


def test_snapshot(repo):
    snap = repo.head().to_json()
    r2 = townorg.Repository()
    v = r2.import_snapshot(text=snap, branch="copy", author="复制", doc_number="某编〔2024〕1号")
    assert v.state_hash == repo.head().state_hash and v.author == "复制" and r2.head("copy") == v
    with pytest.raises(townorg.Invalid):
        r2.import_snapshot(text=snap, branch="copy", colour="red")


def test_nbs_import(data_dir):
    if not (data_dir / "nbs" / "2017").exists():
        pytest.skip("no NBS fixtures")
    r = townorg.Repository()
    rep = r.import_nbs(data_dir / "nbs", mca=data_dir / "mca")
    years = [e["year"] for e in rep["editions"]]
    assert years == sorted(years) and all("nbs-" + y in r.tags for y in years)
    assert rep["mca_rows"] >= rep["mca_matched"] and len(r) == len(years)
    again = r.import_nbs(data_dir / "nbs")
    assert all(e["skipped"] for e in again["editions"]) and len(r) == len(years)
    with pytest.raises(townorg.NotFound):
        townorg.Repository().import_nbs(data_dir / "nbs" / "no-such-year")


def test_excel_roundtrip(repo, tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "county.xlsx"
    repo.export_excel(path)
    r2 = townorg.Repository()
    rep = r2.import_excel(path)
    assert len(rep["versions"]) == 6 and state_hashes(r2) == state_hashes(repo)
    zh = tmp_path / "county-zh.xlsx"
    repo.export_excel(zh, chinese=True)
    import pandas as pd
    sheets = pd.read_excel(zh, sheet_name=None)
    assert list(sheets["base"].columns[:4]) == ["编码", "上级编码", "类型", "名称"]
    r3 = townorg.Repository()
    r3.import_excel(zh)
    assert state_hashes(r3) == state_hashes(repo)


def test_excel_chinese_workbook(tmp_path):
    pytest.importorskip("openpyxl")
    import pandas as pd
    path = tmp_path / "编办.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        pd.DataFrame({"版本": [0, 1], "上一版本": [None, 0], "生效日期": ["2020-01-01", "2021-01-01"],
                      "文号": ["黟编〔2020〕1号", "黟编〔2021〕2号"]}).to_excel(xw, sheet_name="版本", index=False)
        pd.DataFrame({"编码": ["341023", "341023-002", "341023-002-01"], "上级编码": [None, "341023", "341023-002"],
                      "类型": ["县", "镇", "办公室"], "名称": ["黟县", "渔亭镇", "党政办公室"], "类别": [None, "小", None],
                      "人口": [None, 21000, None], "面积（平方公里）": [None, 146.7, None],
                      "人均财政收入": [None, None, None], "行政编制": [None, None, 10], "事业编制": [None, None, None],
                      "领导职数": [None, 7, 1], "实有人数": [None, None, 9]}).to_excel(xw, sheet_name="基础", index=False)
        pd.DataFrame({"版本": [1], "操作": ["修改"], "编码": ["341023-002-01"], "上级编码": ["341023-002"],
                      "类型": ["办公室"], "名称": ["党政综合办公室"], "类别": [None], "人口": [None], "面积": [None],
                      "人均财政收入": [None], "行政编制": [9], "事业编制": [None], "领导职数": [1],
                      "实有人数": [9]}).to_excel(xw, sheet_name="变更", index=False)
        pd.DataFrame({"版本": [1], "类型": ["名称变更"], "原编码": ["341023-002-01"],
                      "新编码": ["341023-002-01"]}).to_excel(xw, sheet_name="事件", index=False)
    r = townorg.Repository()
    r.import_excel(path)
    v = r.head()
    town = v["341023-002"]
    assert (town.kind, town.cls, town.area_km2, town.population) == ("town", "small", 146.7, 21000)
    assert v["341023-002-01"].name == "党政综合办公室" and v["341023-002-01"].admin_quota == 9
    assert v.events[0].kind == "rename" and v.doc_number == "黟编〔2021〕2号"
    assert r["v0"]["341023-002-01"].admin_quota == 10


def test_excel_errors(tmp_path, repo):
    pytest.importorskip("openpyxl")
    import pandas as pd
    with pytest.raises(townorg.NotFound):
        townorg.Repository().import_excel(tmp_path / "missing.xlsx")
    notxl = tmp_path / "not.xlsx"
    notxl.write_text("hello")
    with pytest.raises(townorg.ParseError):
        townorg.Repository().import_excel(notxl)
    path = tmp_path / "bad.xlsx"
    repo.export_excel(path)
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    sheets["base"].loc[2, "kind"] = "twon"
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    r = townorg.Repository()
    with pytest.raises(townorg.ParseError) as ei:
        r.import_excel(path)
    assert "bad.xlsx" in str(ei.value) and "base.csv:4" in str(ei.value) and "twon" in str(ei.value)
    assert len(r) == 0
    del sheets["events"]
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    with pytest.raises(townorg.NotFound) as ei:
        townorg.Repository().import_excel(path)
    assert "events" in str(ei.value)

# SPDX-License-Identifier: MulanPSL-2.0
"""Import and export: CSV tables, JSON, snapshots, NBS/MCA, Excel workbooks."""

import pytest

import townorg


needs_xlsx = pytest.mark.skipif(not townorg.xlsx_available(),
                                reason="libtownorg built without workbook support (configure --with-xlsx)")


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


def _write_table_set_workbook(repo, path, chinese=False):
    """A workbook in the table-set layout, as export_excel wrote it with
    openpyxl up to libtownorg 0.1 (the code of that export_excel)."""
    import csv
    import tempfile
    import pandas as pd
    from townorg._excel import HEADERS_ZH, SHEETS
    ints = {"population", "revenue_per_capita", "admin_quota", "inst_quota", "leader_posts", "actual_staff"}
    with tempfile.TemporaryDirectory() as tmp:
        repo.export_tables(tmp)
        frames = {}
        for table in SHEETS:
            with open("%s/%s.csv" % (tmp, table), encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            cols, body = rows[0], rows[1:]
            data = {}
            for i, c in enumerate(cols):
                vals = [r[i] if i < len(r) else "" for r in body]
                if c in ints or (c == "version" and all(v.isdigit() for v in vals)):
                    data[c] = pd.array([int(v) if v != "" else None for v in vals], dtype="Int64")
                elif c == "area_km2":
                    data[c] = pd.array([float(v) if v != "" else None for v in vals], dtype="Float64")
                else:
                    data[c] = vals
            df = pd.DataFrame(data, columns=cols)
            if chinese:
                df.columns = [HEADERS_ZH[c][0] if c in HEADERS_ZH else c for c in cols]
            frames[table] = df
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for table, df in frames.items():
            df.to_excel(xw, sheet_name=table, index=False)


@needs_xlsx
def test_excel_roundtrip(repo, tmp_path):
    """The 台账 of every version, written and read by the C library, gives
    back the same state hash."""
    path = tmp_path / "台账.xlsx"
    for v in reversed(repo.head().ancestors()):
        repo.export_excel(path, version=v)
        r2 = townorg.Repository()
        rep = r2.import_excel(path)
        assert rep["version"].state_hash == v.state_hash and r2.head().state_hash == v.state_hash
        assert rep["entities"] == len(v) and rep["notes"] == []
    # the keywords of the older export_excel
    with pytest.warns(DeprecationWarning):
        repo.export_excel(path, to="v2", chinese=True)
    assert townorg.Repository().import_excel(path)["version"].state_hash == repo["v2"].state_hash
    with pytest.raises(TypeError):
        repo.export_excel(path, from_="v0")
    # onto a branch with a head (v5): a new version whose parent is that
    # head, with v2's state (what v5 has and v2 lacks is removed)
    rep = repo.import_excel(path, branch="main", message="re-imported")
    assert rep["version"].state_hash == repo["v2"].state_hash and rep["version"].parents[0] == repo["v5"]
    assert rep["version"].message == "re-imported"


@needs_xlsx
def test_excel_layout(repo, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "台账.xlsx"
    repo.export_excel(path, version="v5", changes_since="v0", policy=townorg.Policy())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "说明" and {"乡镇", "机构", "变更表", "精简率", "核查结果"} <= set(wb.sheetnames)
    ws = wb["乡镇"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["编码", "名称", "类型"] and ws.freeze_panes == "A2"
    assert all(isinstance(row[0].value, str) for row in ws.iter_rows(min_row=2))
    assert {row[2].value for row in ws.iter_rows(min_row=2)} <= {"镇", "乡", "街道", "类似乡级单位"}
    assert ws.column_dimensions["B"].width > 8
    # edited in a spreadsheet program: imported, with a note
    ws["B2"] = ws["B2"].value + "（改）"
    wb.save(path)
    rep = townorg.Repository().import_excel(path)
    assert rep["version"].state_hash != repo["v5"].state_hash
    assert any("the workbook was edited" in n for n in rep["notes"])
    assert rep["version"][ws["A2"].value].name.endswith("（改）")


@needs_xlsx
def test_excel_table_set_layout(repo, tmp_path):
    """Workbooks in the older table-set layout are still read (many
    versions), with English or Chinese headers."""
    pytest.importorskip("openpyxl")
    pytest.importorskip("pandas")
    path = tmp_path / "county.xlsx"
    _write_table_set_workbook(repo, path)
    r2 = townorg.Repository()
    rep = r2.import_excel(path)
    assert len(rep["versions"]) == 6 and state_hashes(r2) == state_hashes(repo)
    zh = tmp_path / "county-zh.xlsx"
    _write_table_set_workbook(repo, zh, chinese=True)
    tables = townorg.read_workbook(zh)
    assert tables["base"][0][:4] == ["id", "parent_id", "kind", "name"]
    r3 = townorg.Repository()
    r3.import_excel(zh)
    assert state_hashes(r3) == state_hashes(repo)


@needs_xlsx
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


@needs_xlsx
def test_excel_errors(tmp_path, repo):
    with pytest.raises(townorg.NotFound):
        townorg.Repository().import_excel(tmp_path / "missing.xlsx")
    notxl = tmp_path / "not.xlsx"
    notxl.write_text("hello")
    with pytest.raises(townorg.ParseError) as ei:
        townorg.Repository().import_excel(notxl)
    assert "not a workbook" in str(ei.value)
    openpyxl = pytest.importorskip("openpyxl")
    # the 台账 layout: a bad cell named by sheet and cell, nothing changed
    path = tmp_path / "bad.xlsx"
    repo.export_excel(path)
    wb = openpyxl.load_workbook(path)
    wb["乡镇"]["C2"] = "twon"
    wb.save(path)
    n = len(repo)
    with pytest.raises(townorg.ParseError) as ei:
        repo.import_excel(path)
    assert "bad.xlsx: 乡镇!C2: unknown kind 'twon'" in str(ei.value) and len(repo) == n
    # the table-set layout: the CSV line it became
    pytest.importorskip("pandas")
    import pandas as pd
    _write_table_set_workbook(repo, path)
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

@needs_xlsx
def test_excel_office_workbook(tmp_path):
    """An office's own 台账 written by another program (openpyxl): a title
    row above the header, its own header wording and extra columns, ids and
    a date typed as numbers and a datetime, an extra sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    import datetime
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全县机构"
    ws.append(["黟县乡镇机构编制台账"])
    ws.append(["序号", "机构编码", "单位名称", "机构类型", "上级编码", "类别", "面积（平方公里）", "事业编制", "经费形式",
               "职能"])
    ws.append([1, 341023, "黟县", "县"])
    ws.append([2, 341023100, "碧阳镇", "镇", 341023, "大", 146.7])
    ws.append([3, "341023100-C1", "为民服务中心", "事业单位", 341023100, None, None, 21, "全额拨款", "农技推广\n文化广播"])
    info = wb.create_sheet("说明")
    info.append(["项目", "内容"])
    info.append(["生效日期", datetime.datetime(2008, 6, 1)])
    info.append(["文号", "黟编〔2008〕5号"])
    wb.create_sheet("填表说明").append(["请按要求填写"])
    path = tmp_path / "黟县台账.xlsx"
    wb.save(path)
    r = townorg.Repository()
    rep = r.import_excel(path)
    v = rep["version"]
    assert rep["entities"] == 3 and v.effective_date == "2008-06-01" and v.doc_number == "黟编〔2008〕5号"
    town = v["341023100"]
    assert (town.kind, town.cls, town.area_km2, town.parent_id) == ("town", "large", 146.7, "341023")
    c1 = v["341023100-C1"]
    assert (c1.kind, c1.inst_quota, c1.parent_id) == ("center", 21, "341023100")
    assert c1.funding == "full" and c1.functions == ["农技推广", "文化广播"]
    notes = "\n".join(rep["notes"])
    assert "填表说明" in notes and "全县机构" in notes and "序号" in notes and "row 2" in notes

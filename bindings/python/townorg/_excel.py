"""Excel workbooks (.xlsx) in the layout of the CSV tables.

A workbook holds four sheets — versions, base, changes, events (or 版本,
基础, 变更, 事件) — with the columns of the CSV tables (docs/tables.md).
Headers may be the English column names or the Chinese ones below, and the
kind, class, op and event-kind cells may be tokens or Chinese words.  The
mapping is documented in docs/python.md.
"""

import csv
import datetime
import math
import os
import re
import tempfile

from . import _core

SHEETS = {
    "versions": ("versions", "版本", "版本表"),
    "base": ("base", "基础", "基础数据", "基期", "基础表"),
    "changes": ("changes", "变更", "变更表", "调整"),
    "events": ("events", "事件", "事件表", "变更事件"),
}

COLUMNS = {
    "versions": ("version", "parent", "effective_date", "document_number"),
    "base": ("id", "parent_id", "kind", "name", "class", "population", "area_km2", "revenue_per_capita",
             "admin_quota", "inst_quota", "leader_posts", "actual_staff"),
    "events": ("version", "kind", "from_ids", "to_id"),
}
COLUMNS["changes"] = ("version", "op") + COLUMNS["base"]

# Chinese headers → column names.  The first Chinese name of each column is
# the one written by export_workbook(chinese=True).
HEADERS_ZH = {
    "version": ("版本", "版本号"),
    "parent": ("上一版本", "父版本", "上级版本", "前一版本"),
    "effective_date": ("生效日期", "实施日期", "施行日期"),
    "document_number": ("文号", "文件号", "批准文号", "文件文号"),
    "op": ("操作", "操作类型"),
    "id": ("编码", "代码", "机构编码", "单位编码", "区划代码"),
    "parent_id": ("上级编码", "上级代码", "所属编码", "上级单位编码"),
    "kind": ("类型", "种类", "机构类型", "单位类型", "事件类型", "变更类型"),
    "name": ("名称", "机构名称", "单位名称"),
    "class": ("类别", "规模", "乡镇类别"),
    "population": ("人口", "所辖人口", "户籍人口"),
    "area_km2": ("面积", "区域面积", "面积平方公里"),
    "revenue_per_capita": ("人均财政收入",),
    "admin_quota": ("行政编制",),
    "inst_quota": ("事业编制",),
    "leader_posts": ("领导职数",),
    "actual_staff": ("实有人数", "实有人员"),
    "from_ids": ("原编码", "来源编码", "前身", "变更前编码"),
    "to_id": ("新编码", "去向编码", "后继", "变更后编码"),
}

KIND_ZH = {
    "省": "province", "地级": "prefecture", "地级市": "prefecture", "市": "prefecture", "县": "county",
    "区": "county", "县级市": "county", "部门": "department", "县直部门": "department", "镇": "town", "乡": "township",
    "街道": "subdistrict", "街道办事处": "subdistrict", "类似乡级单位": "township_like",
    "办公室": "office", "综合性办公室": "office", "中心": "center", "事业单位": "center", "站所": "station",
    "站": "station", "所": "station", "执法队": "team", "综合行政执法队": "team", "单列机构": "listed",
    "派驻机构": "dispatched", "派出机构": "dispatched", "村": "village", "行政村": "village", "社区": "community",
}
CLASS_ZH = {"大": "large", "中": "medium", "小": "small", "大乡镇": "large", "中乡镇": "medium", "小乡镇": "small"}
OP_ZH = {"新增": "upsert", "修改": "upsert", "更新": "upsert", "新增或修改": "upsert", "删除": "delete",
         "撤销": "delete"}
EVENT_ZH = {
    "新设": "create", "新建": "create", "撤销": "abolish", "撤并": "merge", "合并": "merge", "拆分": "split",
    "整合": "reorganize", "名称变更": "rename", "更名": "rename", "撤乡设镇": "reclassify", "撤镇设街道": "reclassify",
    "类别变更": "reclassify", "隶属关系变更": "move", "隶属变更": "move", "职能划转": "transfer_functions",
    "人员分流": "transfer_staff", "档案移交": "transfer_archives",
}

_INT_COLS = {"population", "revenue_per_capita", "admin_quota", "inst_quota", "leader_posts", "actual_staff"}
_ZH_TO_COL = {zh: col for col, names in HEADERS_ZH.items() for zh in names}


def _norm_header(h):
    s = re.sub(r"[（(].*?[)）]", "", str(h)).strip()
    s = re.sub(r"\s+", "", s)
    if s.lower() in _ZH_TO_COL or s in _ZH_TO_COL:
        return _ZH_TO_COL.get(s, s)
    return s.lower()


def _cell(value, column):
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if column == "area_km2":
            return ("%.1f" % value) if round(value, 1) == value else repr(value)
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%Y-%m-%d")
    s = str(value).strip()
    if column == "kind":
        return KIND_ZH.get(s, EVENT_ZH.get(s, s))
    if column == "class":
        return CLASS_ZH.get(s, s)
    if column == "op":
        return OP_ZH.get(s, s)
    return s


def read_workbook(path):
    """Read a workbook into {table: (columns, rows)} with canonical column
    names and normalised cells (text)."""
    import pandas as pd
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, header=0)
    except FileNotFoundError:
        raise _core.NotFound("%s: no such file" % path, _core.NotFound.code)
    except Exception as e:
        raise _core.ParseError("%s: not a readable Excel workbook (%s)" % (path, e), _core.ParseError.code)
    by_name = {str(k).strip().lower(): v for k, v in sheets.items()}
    out = {}
    for table, names in SHEETS.items():
        df = next((by_name[n.lower()] for n in names if n.lower() in by_name), None)
        if df is None:
            raise _core.NotFound("%s: no sheet '%s' (or %s)" % (path, table, "/".join(names[1:])),
                                 _core.NotFound.code)
        cols = [_norm_header(c) for c in df.columns]
        rows = []
        for rec in df.itertuples(index=False, name=None):
            row = [_cell(v, c) for v, c in zip(rec, cols)]
            if any(row):
                rows.append(row)
        out[table] = (cols, rows)
    return out


def _write_csv(dirname, table, cols, rows):
    with open(os.path.join(dirname, table + ".csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)


def import_workbook(repo, path, branch="main", **options):
    """Import a workbook into a repository (see Repository.import_excel)."""
    path = _core._path(path)
    tables = read_workbook(path)
    with tempfile.TemporaryDirectory(prefix="townorg-xlsx-") as tmp:
        for table, (cols, rows) in tables.items():
            _write_csv(tmp, table, cols, rows)
        try:
            return repo.import_tables(tmp, branch=branch, **options)
        except _core.Error as e:
            msg = e.message.replace(tmp + os.sep, "").replace(tmp, "")
            raise type(e)("%s: %s" % (path, msg), e.code) from None


def export_workbook(repo, path, to="main", from_=None, chinese=False, lossy=False):
    """Write a repository's table set as a workbook (see Repository.export_excel)."""
    import pandas as pd
    path = _core._path(path)
    with tempfile.TemporaryDirectory(prefix="townorg-xlsx-") as tmp:
        repo.export_tables(tmp, to=to, from_=from_, lossy=lossy)
        frames = {}
        for table in SHEETS:
            with open(os.path.join(tmp, table + ".csv"), encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            cols, body = rows[0], rows[1:]
            data = {}
            for i, c in enumerate(cols):
                vals = [r[i] if i < len(r) else "" for r in body]
                if c in _INT_COLS or (c == "version" and all(v.isdigit() for v in vals)):
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

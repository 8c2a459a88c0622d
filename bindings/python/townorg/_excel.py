# SPDX-License-Identifier: MulanPSL-2.0
"""Excel workbooks (.xlsx).

Two layouts are read, both through the library's C reader (minizip +
expat, lib/xlsx_read.c; no openpyxl or pandas needed):

- the 台账 of one version (docs/format.md, "Workbooks"): what
  ``Repository.export_excel`` writes (the library's townorg_export_xlsx,
  libxlsxwriter), imported by the library's townorg_import_xlsx as one new
  version on a branch;
- the older table-set layout that export_excel wrote with openpyxl before
  (up to libtownorg 0.1): four sheets — versions, base, changes, events (or
  版本, 基础, 变更, 事件) — with the columns of the CSV tables
  (docs/tables.md).  Headers may be the English column names or the
  Chinese ones below, and the kind, class, op and event-kind cells may be
  tokens or Chinese words; such a workbook is turned into a CSV table set
  and imported with ``import_tables`` (many versions).  The mapping is
  documented in docs/python.md.
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


def xlsx_available():
    """Whether the library was built with workbook support (libxlsxwriter,
    minizip, expat): without it, export_excel and import_excel raise
    townorg.Invalid."""
    return bool(_core._c.pyto_xlsx_available())


def _sheets(path):
    """[(sheet name, [(row, col, text, is_number)])] from the C reader."""
    return _core._c.pyto_xlsx_read(path)


def _number_cell(text, column):
    """A number cell's text as the CSV column wants it."""
    try:
        value = float(text)
    except ValueError:
        return text
    if column == "effective_date":
        if 60 < value < 2958466:
            return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))).strftime("%Y-%m-%d")
        return text
    if column == "area_km2":
        return ("%.1f" % value) if round(value, 1) == value else repr(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def is_table_set(sheet_names):
    """Whether a workbook is in the table-set layout (versions, base, changes,
    events) rather than the 台账 of one version."""
    names = {str(n).strip().lower() for n in sheet_names}
    return all(any(n.lower() in names for n in SHEETS[t]) for t in ("versions", "base"))


def read_workbook(path):
    """Read a table-set workbook into {table: (columns, rows)} with canonical
    column names and normalised cells (text)."""
    path = _core._path(path)
    by_name = {}
    for name, cells in _sheets(path):
        grid = {}
        for row, col, text, number in cells:
            grid.setdefault(row, {})[col] = (text, number)
        by_name[str(name).strip().lower()] = grid
    out = {}
    for table, names in SHEETS.items():
        grid = next((by_name[n.lower()] for n in names if n.lower() in by_name), None)
        if grid is None:
            raise _core.NotFound("%s: no sheet '%s' (or %s)" % (path, table, "/".join(names[1:])),
                                 _core.NotFound.code)
        rows_in = [grid[r] for r in sorted(grid)]
        header = rows_in[0] if rows_in else {}
        colidx = sorted(header)
        cols = [_norm_header(header[c][0]) for c in colidx]
        rows = []
        for rec in rows_in[1:]:
            row = []
            for c, name in zip(colidx, cols):
                text, number = rec.get(c, ("", False))
                row.append(_number_cell(text, name) if number else _cell(text, name))
            if any(row):
                rows.append(row)
        out[table] = (cols, rows)
    return out


def _write_csv(dirname, table, cols, rows):
    with open(os.path.join(dirname, table + ".csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)


def import_workbook(repo, path, branch="main", with_events=False, author=None, recorded_at=None,
                    effective_date=None, message=None, **options):
    """Import a workbook into a repository (see Repository.import_excel)."""
    path = _core._path(path)
    names = [name for name, _ in _sheets(path)]
    if is_table_set(names):
        return _import_table_set(repo, path, branch=branch, author=author, recorded_at=recorded_at, **options)
    if options:
        raise TypeError("options %s apply to table-set workbooks only" % ", ".join(sorted(options)))
    r = _core._c.pyto_xlsx_import(repo._p, path, branch, 1 if with_events else 0, author, recorded_at,
                                  effective_date, message)
    return {"version": repo._v(r["version"]), "entities": r["entities"], "notes": r["notes"]}


def _import_table_set(repo, path, branch="main", **options):
    tables = read_workbook(path)
    with tempfile.TemporaryDirectory(prefix="townorg-xlsx-") as tmp:
        for table, (cols, rows) in tables.items():
            _write_csv(tmp, table, cols, rows)
        try:
            return repo.import_tables(tmp, branch=branch, **options)
        except _core.Error as e:
            msg = e.message.replace(tmp + os.sep, "").replace(tmp, "")
            raise type(e)("%s: %s" % (path, msg), e.code) from None


def export_workbook(repo, path, version="main", changes_since=None, policy=None):
    """Write the 台账 workbook of a version (see Repository.export_excel)."""
    v = repo._version(version)
    since = repo._version(changes_since)
    if policy is not None and not isinstance(policy, _core.Policy):
        raise TypeError("policy must be a townorg.Policy")
    _core._c.pyto_xlsx_export(v._p, _core._path(path), since._p if since is not None else None,
                              policy._p if policy is not None else None)

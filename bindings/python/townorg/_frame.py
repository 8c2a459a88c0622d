"""DataFrames of versions, diffs and validations, as a pandas user expects.

Design: ``Version.to_frame()`` is built from arrays the C helper
``pyto_version_arrays`` fills in one pass: numbers travel as raw int64
buffers with a mask and become pandas' nullable arrays (Int64, Float64)
without one Python object per cell; ``kind`` and ``class`` travel as int8
category codes and become Categoricals; text columns are the ``string``
dtype with ``pd.NA`` for missing values; ``nameplates``, ``functions`` and
``colocated_with`` are list columns (an empty list when unset).  The id is
the index.  ``labels="zh"`` renames the columns (and the index) to the
Chinese headers of the county offices' tables (``ZH_LABELS``); the write
path (``Repository.write_frame``) accepts either.

精简率 (the reduction rate) is a fraction (0.588) in frames and a percent
("58.8") in text, HTML and ``Diff.reduction()['text']``.
"""

import gc

import numpy as np

from . import _core
from ._core import _c

ZH_LABELS = {
    "id": "编码", "parent_id": "上级编码", "kind": "类型", "name": "名称", "class": "类别",
    "population": "人口", "area_km2": "面积（平方公里）", "revenue_per_capita": "人均财政收入",
    "leader_posts": "领导职数", "actual_staff": "实有人数", "chief_posts": "正职职数", "deputy_posts": "副职职数",
    "admin_quota": "行政编制", "inst_quota": "事业编制", "quota_total": "编制合计",
    "funding": "经费形式", "nature": "性质", "rank": "规格", "regime": "管理体制", "supervisor": "主管部门",
    "code": "机构代码", "nameplates": "牌子", "functions": "职能", "colocated_with": "合署办公",
    # diffs and validations
    "status": "变更", "field": "字段", "old": "原值", "new": "新值", "township": "乡镇", "township_name": "乡镇名称",
    "county": "县", "county_name": "县名称", "rule": "规则", "severity": "级别", "entity": "实体",
    "version": "版本", "message_zh": "信息", "message_en": "message", "waived": "豁免",
}

_TEXT = ("funding", "nature", "rank", "regime", "supervisor", "code")
_LISTS = ("nameplates", "functions", "colocated_with")
_CLASSES = ("large", "medium", "small")


def _labels(labels):
    if labels not in (None, "en", "zh"):
        raise _core.Invalid("labels must be 'en' or 'zh', not %r" % (labels,), _core.Invalid.code)
    return labels == "zh"


def relabel(df, labels):
    """Rename a frame's columns (and index) to Chinese when labels='zh'."""
    if not _labels(labels):
        return df
    df = df.rename(columns=ZH_LABELS)
    if df.index.name in ZH_LABELS:
        df.index.name = ZH_LABELS[df.index.name]
    return df


def _strings(values):
    import pandas as pd
    return pd.arrays.StringArray(np.array(values, dtype=object))


def version_frame(version_ptr, under=None, kinds=None, labels=None):
    """The DataFrame of Version.to_frame()."""
    import pandas as pd
    zh = _labels(labels)
    # A million small lists (the list columns) would set off the cyclic
    # garbage collector again and again while they are made, and each pass
    # walks every object made so far: pause it (nothing here makes cycles).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _version_frame(pd, version_ptr, under, kinds, zh)
    finally:
        if enabled:
            gc.enable()


def _version_frame(pd, version_ptr, under, kinds, zh):
    a = _c.pyto_version_arrays(version_ptr, under, kinds, None)
    n = a["n"]
    data = {
        "parent_id": _strings(a["parent_id"]),
        "kind": pd.Categorical.from_codes(np.frombuffer(a["kind"], dtype=np.int8), categories=list(_core.KINDS)),
        "name": _strings(a["name"]),
        "class": pd.Categorical.from_codes(np.frombuffer(a["class"], dtype=np.int8), categories=list(_CLASSES)),
    }
    for f in _core.INT_FIELDS:
        vals, mask = a[f]
        v = np.frombuffer(vals, dtype=np.int64)
        m = np.frombuffer(mask, dtype=np.bool_)
        if f == "area_km2":
            data[f] = pd.arrays.FloatingArray(v / 10.0, m.copy())
        else:
            data[f] = pd.arrays.IntegerArray(v.copy(), m.copy())
    data["quota_total"] = pd.arrays.IntegerArray(np.frombuffer(a["quota_total"], dtype=np.int64).copy(),
                                                 np.zeros(n, dtype=np.bool_))
    for t in _TEXT:
        pos, vals = a[t]
        col = np.empty(n, dtype=object)  # None: StringArray makes it pd.NA
        if pos:
            col[np.array(pos, dtype=np.intp)] = np.array(vals, dtype=object)
        data[t] = pd.arrays.StringArray(col)
    for t in _LISTS:
        s = np.empty(n, dtype=object)
        s[:] = a[t] if n else []
        data[t] = s
    df = pd.DataFrame(data, index=pd.Index(a["id"], name="id", dtype=object), copy=False)
    return relabel(df, "zh" if zh else None)

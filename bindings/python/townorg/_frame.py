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

def _schema_labels():
    """The entity attributes' Chinese labels from the C library's schema
    (townorg_attr_info_at: lib/core/schema.def); a decimal's unit is added
    in parentheses, as county offices' tables head them (面积（平方公里）)."""
    out = {}
    for a in _c.pyto_attr_schema():
        zh = a["label_zh"]
        if a["type"] == "decimal" and a["unit_zh"]:
            zh += "（%s）" % a["unit_zh"]
        out[a["name"]] = zh
    return out


ZH_LABELS = dict(_schema_labels(), **{
    "quota_total": "编制合计",
    # diffs and validations
    "status": "变更", "field": "字段", "old": "原值", "new": "新值", "township": "乡镇", "township_name": "乡镇名称",
    "county": "县", "county_name": "县名称", "rule": "规则", "severity": "级别", "entity": "实体",
    "version": "版本", "message_zh": "信息", "message_en": "message", "waived": "豁免",
})

# Other Chinese headings accepted when a frame is written back.
ZH_ALIASES = {"正职职数": "chief_posts", "副职职数": "deputy_posts", "性质": "nature", "规格": "rank",
              "机构代码": "code", "加挂牌子": "nameplates", "面积": "area_km2"}


def schema():
    """The library's schema of entity attributes: a list of dicts with name,
    type, field, in_csv, in_json, label_zh, label_en, unit_zh, unit_en and
    values (the (token, 中文, English) of an enumerated attribute)."""
    return _c.pyto_attr_schema()


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


def _string_array(arr):
    """A StringArray over an object array holding only str and pd.NA (made
    from the C helper's output, so already valid): pandas' own validation
    pass is skipped where this pandas allows it."""
    import pandas as pd
    try:
        return pd.arrays.StringArray._simple_new(arr, pd.StringDtype())
    except (AttributeError, TypeError):  # another pandas: the public, validating way
        return pd.arrays.StringArray(arr)


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
    a = _c.pyto_version_arrays(version_ptr, under, kinds, pd.NA)  # pd.NA: a parent_id at the top
    n = a["n"]
    data = {
        "parent_id": _string_array(np.array(a["parent_id"], dtype=object)),
        "kind": pd.Categorical.from_codes(np.frombuffer(a["kind"], dtype=np.int8), categories=list(_core.KINDS)),
        "name": _string_array(np.array(a["name"], dtype=object)),
        "class": pd.Categorical.from_codes(np.frombuffer(a["class"], dtype=np.int8), categories=list(_CLASSES)),
    }
    for f in _core.INT_FIELDS:
        vals, mask = a[f]
        v = np.frombuffer(vals, dtype=np.int64)   # bytearrays: writable views, no copy
        m = np.frombuffer(mask, dtype=np.bool_)
        if f == "area_km2":
            data[f] = pd.arrays.FloatingArray(v / 10.0, m)
        else:
            data[f] = pd.arrays.IntegerArray(v, m)
    data["quota_total"] = pd.arrays.IntegerArray(np.frombuffer(a["quota_total"], dtype=np.int64),
                                                 np.zeros(n, dtype=np.bool_))
    for t in _TEXT:
        pos, vals = a[t]
        col = np.full(n, pd.NA, dtype=object)
        if pos:
            col[np.array(pos, dtype=np.intp)] = np.array(vals, dtype=object)
        data[t] = _string_array(col)
    for t in _LISTS:
        s = np.empty(n, dtype=object)
        s[:] = a[t] if n else []
        data[t] = s
    df = pd.DataFrame(data, index=pd.Index(a["id"], name="id", dtype=object), copy=False)
    return relabel(df, "zh" if zh else None)


# ---------------------------------------------------------------- places

_COUNTY = None


class _Locator:
    """The township-level unit and county above entities of one version,
    memoised by parent, so that a frame of N rows walks each chain once."""

    def __init__(self, version_ptr):
        global _COUNTY
        if _COUNTY is None:
            _COUNTY = _c.townorg_kind_parse("county")
        self._p = version_ptr
        self._memo = {}

    def _entity(self, eid):
        try:
            return _c.townorg_version_get(self._p, eid)
        except _core.NotFound:
            return None

    def place(self, eid):
        """(name, township id, township name, county id, county name) of an
        entity; Nones where there is none (or the id is absent)."""
        if eid is None or self._p is None:
            return (None,) * 5
        e = self._entity(eid)
        if e is None:
            return (None,) * 5
        name = _c.townorg_entity_name(e)
        return (name,) + self._up(eid, e)

    def _up(self, eid, e):
        hit = self._memo.get(eid)
        if hit is not None:
            return hit
        kind = _c.townorg_entity_kind(e)
        parent = _c.townorg_entity_parent_id(e)
        if kind == _COUNTY:
            r = (None, None, eid, _c.townorg_entity_name(e))
        else:
            pe = self._entity(parent) if parent is not None else None
            r = self._up(parent, pe) if pe is not None else (None, None, None, None)
            if _c.townorg_kind_is_township_level(kind):
                r = (eid, _c.townorg_entity_name(e), r[2], r[3])
        self._memo[eid] = r
        return r


def _typed(type_, text):
    """A diff field's text value as a Python value of its type."""
    if text is None:
        return None
    if type_ == "int":
        try:
            return int(text)
        except ValueError:
            return text
    if type_ == "area":
        try:
            return float(text)
        except ValueError:
            return text
    if type_ == "list":
        return [s for s in text.split("; ") if s] if text else []
    return text


def diff_frame(diff, labels=None):
    """The DataFrame of Diff.to_frame()."""
    import pandas as pd
    zh = _labels(labels)
    p = diff._p
    cols = _c.pyto_diff_columns(p)
    deltas = _c.pyto_diff_deltas(p)
    types = []
    for d in deltas:
        types.extend(f[1] for f in d["fields"]) if d["fields"] else types.append(None)
    new_loc = _Locator(diff.to_version._p if diff.to_version is not None else None)
    old_loc = _Locator(diff.from_version._p if diff.from_version is not None else None)
    town, town_name, county, county_name = [], [], [], []
    old, new, change = [], [], []
    for i, status in enumerate(cols["status"]):
        loc = old_loc if status == "removed" else new_loc
        pl = loc.place(cols["id"][i])
        town.append(pl[1])
        town_name.append(pl[2])
        county.append(pl[3])
        county_name.append(pl[4])
        t = types[i]
        o, n = _typed(t, cols["old"][i]), _typed(t, cols["new"][i])
        old.append(o)
        new.append(n)
        num = t in ("int", "area")
        change.append(n - o if num and isinstance(o, (int, float)) and isinstance(n, (int, float)) else None)
    df = pd.DataFrame({
        "status": pd.Categorical(cols["status"], categories=["added", "removed", "changed"]),
        "id": _strings(cols["id"]),
        "kind": pd.Categorical(cols["kind"], categories=list(_core.KINDS)),
        "name": _strings(cols["name"]),
        "township": _strings(town), "township_name": _strings(town_name),
        "county": _strings(county), "county_name": _strings(county_name),
        "field": _strings(cols["field"]),
        "type": pd.Categorical(types, categories=["text", "int", "area", "list"]),
        "old": pd.Series(old, dtype=object), "new": pd.Series(new, dtype=object),
        "change": pd.array(change, dtype="Float64"),
    })
    return relabel(df, "zh" if zh else None)


def validation_frame(validation, labels=None):
    """The DataFrame of Validation.to_frame()."""
    import pandas as pd
    from ._core import Finding
    zh = _labels(labels)
    rows = validation._rows
    keys = list(Finding.FIELDS)
    cols = _c.pyto_transpose(rows, keys)
    v = validation.version
    loc = _Locator(v._p if v is not None else None)
    places = [loc.place(e) for e in cols["entity"]]
    data = {}
    for k in keys:
        if k == "entity":
            data["entity"] = _strings(cols["entity"])
            for j, name in enumerate(("name", "township", "township_name", "county", "county_name")):
                data[name] = _strings([pl[j] for pl in places])
        elif k == "version_id":
            data["version"] = _strings([x[:12] if x else None for x in cols["version_id"]])
            data["version_id"] = _strings(cols["version_id"])
        elif k in ("value", "limit"):
            data[k] = pd.array(cols[k], dtype="Int64")
        elif k == "severity":
            data[k] = pd.Categorical(cols[k], categories=["info", "warning", "error"], ordered=True)
        elif k == "waived":
            data[k] = pd.array(cols[k], dtype="boolean")
        else:
            data[k] = _strings(cols[k])
    return relabel(pd.DataFrame(data), "zh" if zh else None)

"""Commit a pandas DataFrame as a version (as Dolt's ``write_pandas``).

Design: the frame has the shape ``Version.to_frame()`` gives (the id as the
index or an ``id`` column; any subset of the other columns, English or
Chinese labels).  Each row is upserted into one transaction: an existing
entity keeps every attribute the frame has no column for, and a missing
value (NaN, None, pd.NA) in a column unsets that attribute, except in the
core columns ``kind``, ``name`` and ``parent_id``, where it keeps the
current value (so frames concatenated from different column sets work); a
new entity needs at least ``kind`` (and ``parent_id`` unless it is a
top-level unit).
Rows missing from the frame are removed only with ``remove_missing=True``,
and only inside the frame's scope ``under=UNIT`` (everything below the
unit; the unit itself stays): one county's frame never removes another
county.  Every row
must itself lie inside that scope.  Events and the document's metadata go
into the same transaction.  The first bad row aborts everything (nothing
is committed) with an error of the library's class whose message names the
row (its index label and id) and the column.
"""

import math
import numbers

from . import _core
from ._core import _c

DERIVED = ("quota_total",)


def _columns():
    cols = ["parent_id", "kind", "name", "class"] + list(_core.INT_FIELDS) + list(_core.TEXT_ATTRS) + \
        list(_core.LIST_ATTRS)
    return cols


def _is_na(x):
    if x is None:
        return True
    try:
        import pandas as pd
        r = pd.isna(x)
    except (TypeError, ValueError):
        return False
    return r is True or (isinstance(r, bool) and r) or (hasattr(r, "dtype") and r.shape == () and bool(r))


def _value(col, x):
    """A Python value for _set_attrs from one frame cell."""
    if not isinstance(x, (list, tuple, set, frozenset)) and not hasattr(x, "__array__") and _is_na(x):
        return None
    if col in _core.LIST_ATTRS:
        if isinstance(x, str):
            return [s.strip() for s in x.split(";") if s.strip()]
        if hasattr(x, "tolist"):
            x = x.tolist()
        if isinstance(x, (list, tuple, set, frozenset)):
            return [str(s) if not isinstance(s, str) else s for s in x]
        raise TypeError("a list of str (or 'a; b' text), not %r" % (x,))
    if col == "area_km2":
        if isinstance(x, str):
            return x
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return float(x)
        raise TypeError("a number of km², not %r" % (x,))
    if col in _core.INT_FIELDS or col.endswith("_quota"):
        if isinstance(x, bool):
            raise TypeError("an integer, not %r" % (x,))
        if isinstance(x, numbers.Integral):
            return int(x)
        if isinstance(x, numbers.Real) and math.isfinite(float(x)) and float(x) == int(x):
            return int(x)
        raise TypeError("an integer, not %r" % (x,))
    if not isinstance(x, str):
        raise TypeError("text, not %r" % (x,))
    return x


def _label_map():
    from ._frame import ZH_ALIASES, ZH_LABELS
    return dict(ZH_ALIASES, **{zh: en for en, zh in ZH_LABELS.items()})


def write_frame(tx, df, under=None, remove_missing=False, ignore=()):
    """Upsert the frame's rows into transaction ``tx`` (see the module's
    docstring); returns a dict: upserted, created, removed."""
    import pandas as pd
    if not isinstance(df, pd.DataFrame):
        raise TypeError("df must be a pandas DataFrame, not %s" % type(df).__name__)
    if remove_missing and under is None:
        raise TypeError("remove_missing=True needs under=UNIT: the scope rows missing from the frame are "
                        "removed from")
    if isinstance(ignore, str):
        ignore = [ignore]
    ignore = set(ignore)
    zh = _label_map()
    df = df.rename(columns={c: zh[c] for c in df.columns if c in zh})
    if df.index.name in zh:
        df = df.rename_axis(zh[df.index.name])
    if "id" in df.columns:
        ids = df["id"]
        df = df.drop(columns=["id"])
    elif df.index.name == "id":
        ids = pd.Series(df.index, index=df.index)
    else:
        raise _core.Invalid("the frame has no id: give an 'id' column or an index named 'id'", _core.Invalid.code)
    valid = _columns()
    cols = []
    for c in df.columns:
        if c in ignore or c in DERIVED:
            continue
        if not isinstance(c, str):
            raise _core.Invalid("column %r is not an entity attribute" % (c,), _core.Invalid.code)
        if c in valid or (c.endswith("_quota") and len(c) > 6):
            cols.append(c)
            continue
        near = _core._closest(c, valid + ["admin_quota", "inst_quota"])
        raise _core.Invalid("column '%s' is not an entity attribute%s; drop it or pass ignore=['%s']"
                            % (c, " (did you mean '%s'?)" % near if near else "", c), _core.Invalid.code)
    p = tx._p
    if under is not None:
        under = _core._text(under, "under")
        _c.townorg_txn_get(p, under)  # NotFound names the unit
    seen = set()
    created = 0
    values = df[cols].to_dict("list") if cols else {}
    labels = list(df.index)
    id_list = list(ids)
    for i, label in enumerate(labels):
        rid = id_list[i]
        where = "row %r (id %r)" % (label, rid)
        if not isinstance(rid, str) or not rid:
            raise _core.Invalid("row %r: the id must be non-empty text, not %r" % (label, rid), _core.Invalid.code)
        if rid in seen:
            raise _core.Invalid("%s: the id appears twice in the frame" % where, _core.Invalid.code)
        seen.add(rid)
        attrs = {}
        for c in cols:
            try:
                attrs[c] = _value(c, values[c][i])
            except TypeError as e:
                raise TypeError("%s, column '%s': expected %s" % (where, c, e)) from None
        try:
            cur = _c.townorg_txn_get(p, rid)
        except _core.NotFound:
            cur = None
        try:
            if cur is None:
                kind = attrs.pop("kind", None)
                if kind is None:
                    raise _core.Invalid("a new entity needs a kind", _core.Invalid.code)
                b = _c.townorg_entity_builder_new(rid, _core._kind(kind), attrs.pop("name", None) or "",
                                                  attrs.pop("parent_id", None))
                created += 1
            else:
                b = _c.townorg_entity_builder_from(cur)
                for core in ("kind", "name", "parent_id"):
                    if core in attrs and attrs[core] is None:
                        del attrs[core]  # a missing core value keeps the current one
            try:
                _core._set_attrs(b, attrs)
                _c.townorg_txn_put_builder(p, b)
            finally:
                _c.townorg_entity_builder_free(b)
        except _core.Error as e:
            raise type(e)("%s: %s" % (where, e.message), e.code) from None
        except TypeError as e:
            raise TypeError("%s: %s" % (where, e)) from None
    # Every row inside the scope; then the rows missing from it removed.
    removed = 0
    if under is not None:
        def inside(eid):
            hops = 0
            while eid is not None and hops < 64:
                if eid == under:
                    return True
                eid = _c.townorg_entity_parent_id(_c.townorg_txn_get(p, eid))
                hops += 1
            return False
        for i, label in enumerate(labels):
            if not inside(id_list[i]):
                raise _core.Invalid("row %r (id %r) is not under %s, the frame's scope (under=)"
                                    % (label, id_list[i], under), _core.Invalid.code)
        if remove_missing:
            base = tx.preview()
            try:
                scope = [e.id for e in base.descendants(under)]
            finally:
                base._release()
            gone = [eid for eid in scope if eid not in seen]
            # Deepest first, so children go before their parents.
            for eid in reversed(gone):
                try:
                    _c.townorg_txn_remove(p, eid)
                except _core.Error as e:
                    raise type(e)("removing %s (missing from the frame): %s" % (eid, e.message), e.code) from None
                removed += 1
    return {"upserted": len(labels), "created": created, "removed": removed}

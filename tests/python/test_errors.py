# SPDX-License-Identifier: MulanPSL-2.0
"""Errors a pandas user expects: keyword typos, NotFound everywhere,
Python words in messages, no chained noise; Mapping and finalizers."""

import collections.abc
import gc
import inspect

import pytest

import townorg
from townorg import _core


@pytest.mark.parametrize("call, closest", [
    (lambda r, v: v.to_frame(undr="341023-002"), "under="),
    (lambda r, v: v.diff(v, kind=["office"]), "kinds="),
    (lambda r, v: r.diff("main", "main", field=["name"]), "fields="),
    (lambda r, v: r.quota_trend(unit="341023"), "unit_id="),
    (lambda r, v: r.log(max=3), "max_count="),
    (lambda r, v: r.export_tables("/nonexistent", lossyy=True), "lossy="),
    (lambda r, v: townorg.Repository.open("x.townorg", read_only=True), "readonly="),
    (lambda r, v: r.transaction(branch="main", doc_nubmer="1"), "doc_number="),
    (lambda r, v: r.write_frame(v.to_frame(), dco_number="1"), "doc_number="),
    (lambda r, v: v.lineage("341023-002", directon="both"), "direction="),
    (lambda r, v: townorg.Policy().set_severity(rule="x", severty="error"), "severity="),
])
def test_keyword_typos_name_the_closest(small, call, closest):
    with pytest.raises(TypeError, match="did you mean " + closest):
        call(small, small.head())


def test_typeerror_inside_a_method_is_not_rewritten(small):
    with pytest.raises(TypeError, match="must be str"):
        small.head().to_frame(under=3)


@pytest.mark.parametrize("call", [
    lambda r, v: v.children("nope"),
    lambda r, v: v.descendants("nope"),
    lambda r, v: v.history("nope"),
    lambda r, v: v.lineage("nope"),
    lambda r, v: v.blame("nope"),
    lambda r, v: v.quota_total("nope"),
    lambda r, v: v.headroom("nope"),
    lambda r, v: v.to_frame(under="nope"),
    lambda r, v: v.to_networkx(under="nope"),
    lambda r, v: v.org_chart("nope"),
    lambda r, v: v.diff(None, under="nope"),
    lambda r, v: r.diff_dates("2000-01-01", "2030-01-01", under="nope"),
    lambda r, v: r.quota_trend("nope"),
    lambda r, v: r.plot_quota_trend("nope"),
    lambda r, v: r.diff(None, "main").reduction(unit="nope"),
])
def test_unknown_unit_is_notfound_everywhere(small, call):
    with pytest.raises(townorg.NotFound, match="nope"):
        call(small, small.head())


def test_quota_trend_of_a_unit_removed_later_is_fine(small):
    with small.transaction(branch="main", effective_date="2022-01-01") as tx:
        tx.remove("341023-002-03")
    df = small.quota_trend("341023-002-03")
    assert list(df["total"]) == [12, 0]


def test_lossy_message_names_the_python_argument(small, tmp_path):
    with small.transaction(branch="main") as tx:
        tx.update("341023-002-01", chief_posts=1)
    with pytest.raises(townorg.Invalid) as ei:
        small.export_tables(str(tmp_path / "t"))
    msg = str(ei.value)
    assert "lossy=True" in msg and "--lossy" not in msg and "TOWNORG_" not in msg


def test_custom_rule_exception_is_not_chained():
    r = townorg.Repository()
    with r.transaction(branch="main") as tx:
        tx.create("1", "county", "县")
    pol = townorg.Policy()

    @pol.rule("local.boom")
    def boom(ctx, version):
        raise KeyError("the rule's own error")

    with pytest.raises(KeyError, match="the rule's own error") as ei:
        r.head().validate(pol)
    assert ei.value.__cause__ is None and ei.value.__suppress_context__
    pol.close()
    r.close()


def test_blame_is_a_mapping(small):
    b = small.head().blame("341023-002-01")
    assert isinstance(b, collections.abc.Mapping)
    assert "admin_quota" in b and "population" not in b and b.get("population") is None
    assert dict(b.items())["admin_quota"].value == "10" and set(b.keys()) == {e.field for e in b.entries}
    with pytest.raises(KeyError):
        b["population"]


def test_no_del_methods_finalizers_instead():
    for cls in (_core.Repository, _core.Version, _core.Transaction, _core.Diff, _core.Policy,
                townorg.Merge, _core._EntityIterator):
        assert "__del__" not in vars(cls), cls


def test_finalizers_free_and_close_releases(small):
    d = small.diff(None, "main")
    fin = d._fin
    assert fin.alive
    del d
    gc.collect()
    assert not fin.alive  # freed when collected
    d2 = small.diff(None, "main")
    it = iter(small.head())
    next(it)
    small.close()
    assert not d2._fin.alive and not it._fin.alive
    with pytest.raises(townorg.ClosedError):
        len(d2)
    with pytest.raises(townorg.ClosedError):
        next(it)


def test_help_reads_well():
    doc = inspect.getdoc(townorg.Repository.write_frame)
    assert "remove_missing" in doc and "under" in doc
    assert inspect.signature(townorg.Version.to_frame).parameters["labels"].default == "en"


def test_entity_is_a_mapping(small):
    e = small.head()["341023-002-03"]
    assert isinstance(e, collections.abc.Mapping)
    assert e["inst_quota"] == 12 and e["inst"] == 12 and e["nameplates"] == ["计生所"]
    assert "funding" in e and "population" not in e and e.get("population") is None
    d = dict(e)
    assert d["name"] == "为民服务中心" and d["kind"] == "center" and "attrs" not in d and len(e) == len(d)
    with pytest.raises(KeyError):
        e["population"]
    assert e == small.head()["341023-002-03"] and hash(e) == hash(small.head()["341023-002-03"])


def test_attribute_typos_in_create_and_update(small):
    tx = small.transaction(branch="main")
    with pytest.raises(TypeError, match="did you mean funding="):
        tx.update("341023-002-03", fundng="full")
    with pytest.raises(TypeError, match="did you mean admin_quota="):
        tx.create("341023-002-09", "office", "新办", parent_id="341023-002", admn_quota=3)
    with pytest.raises(TypeError, match="did you mean population="):
        townorg.make_entity("x", "town", "镇", populaton=5)
    assert "341023-002-09" not in tx and tx["341023-002-03"].get("fundng") is None
    # custom attributes and quota types far from any known name still work,
    # and attrs={...} sets even a near-miss name on purpose
    e = tx.update("341023-002-03", hotline="12345", police_quota=2, attrs={"fundng": "x"})
    assert e.get("hotline") == "12345" and e.quotas["police"] == 2 and e.get("fundng") == "x"
    tx.discard()


def test_type_hints_resolve():
    import datetime
    import typing
    pd = pytest.importorskip("pandas")
    nx = pytest.importorskip("networkx")
    ns = dict(vars(_core), pd=pd, nx=nx, Merge=townorg.Merge, datetime=datetime)
    checked = 0
    for cls in (_core.Repository, _core.Version, _core.Transaction, _core.Diff, _core.Policy, _core.Validation,
                _core.Blame, _core.Lineage):
        for name, fn in vars(cls).items():
            fn = getattr(fn, "__func__", fn)
            fn = getattr(fn, "__wrapped__", fn)
            if callable(fn) and getattr(fn, "__annotations__", None):
                typing.get_type_hints(fn, globalns=ns)
                checked += 1
    assert checked >= 50
    import os
    assert os.path.exists(os.path.join(os.path.dirname(townorg.__file__), "py.typed"))

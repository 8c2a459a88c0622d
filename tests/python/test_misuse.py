# SPDX-License-Identifier: MulanPSL-2.0
"""Misuse never crashes or leaks: closed objects raise, borrowers keep owners alive."""

import gc
import weakref

import pytest

import townorg
from conftest import build_small


def test_closed_repository(small):
    v = small.head()
    e = v["341023-002"]
    it = iter(v)
    next(it)
    d = small.diff(None, v)
    tx = small.transaction(branch="main")
    pv = tx.preview()
    small.close()
    small.close()
    for call in (lambda: len(v), lambda: v["341023-002"], lambda: next(it), lambda: len(d), lambda: d.to_frame(),
                 lambda: tx.create("a", "office", "a"), lambda: len(pv), lambda: small.head(), lambda: len(small),
                 lambda: v.to_frame(), lambda: v.validate(), lambda: small.transaction(branch="main")):
        with pytest.raises(townorg.ClosedError):
            call()
    assert e.name == "渔亭镇"  # entities hold their own reference
    assert "closed" in repr(v) and "closed" in repr(small) and "closed" in repr(d)


def test_version_keeps_repository_alive():
    r = townorg.Repository()
    build_small(r)
    v = r.head()
    ref = weakref.ref(r)
    del r
    gc.collect()
    assert ref() is not None and v["341023-002"].name == "渔亭镇"
    del v
    gc.collect()
    assert ref() is None


def test_entity_outlives_everything():
    r = townorg.Repository()
    build_small(r)
    e = r.head()["341023-002-03"]
    kids = r.head().children("341023-002")
    del r
    gc.collect()
    assert e.nameplates == ["计生所"] and len(kids) == 4 and kids[0].name


def test_diff_keeps_versions_alive():
    r = townorg.Repository()
    v1 = build_small(r)
    with r.transaction(branch="main", effective_date="2021-01-01") as tx:
        tx.update("341023-002", population=1)
    d = r.diff(v1, "main")
    del r, v1, tx
    gc.collect()
    assert len(d.changed) == 1 and d.changed[0].new.population == 1
    d.close()
    with pytest.raises(townorg.ClosedError):
        len(d)


def test_spent_transaction(small):
    tx = small.transaction(branch="main", effective_date="2021-01-01")
    tx.update("341023-002", population=1)
    v = tx.commit()
    for call in (tx.commit, tx.check, tx.preview, lambda: tx["341023-002"], lambda: tx.remove("341023-002"),
                 lambda: tx.event("create", to_ids=["x"]), lambda: len(tx), lambda: tx.set_meta(author="x")):
        with pytest.raises(townorg.ClosedError):
            call()
    assert tx.version == v
    tx.discard()


def test_bad_arguments(small):
    v = small.head()
    tx = small.transaction(branch="main")
    with pytest.raises(TypeError):
        tx.put({"id": "x"})
    with pytest.raises(townorg.Invalid):
        tx.event("explode", to_ids=["341023-002"])
    with pytest.raises(townorg.Invalid):
        tx.event("create")
    with pytest.raises(TypeError):
        tx.event("create", to_ids="341023-002")
    with pytest.raises(TypeError, match="'colour'"):
        tx.set_meta(colour="red")
    with pytest.raises(TypeError, match="did you mean doc_number="):
        tx.set_meta(doc_numbr="x")
    with pytest.raises(TypeError, match="did you mean effective_date="):
        small.transaction(branch="main", efective_date="2020-01-01")
    with pytest.raises(townorg.Invalid):
        tx.create("", "office", "空编码", parent_id="341023-002")
    with pytest.raises(townorg.Invalid):
        tx.create("x", "office", "x", parent_id="341023-002", area_km2="1.55")
    with pytest.raises(townorg.Invalid):
        tx.create("x", "office", "x", parent_id="341023-002", BAD_quota=1)
    with pytest.raises(townorg.NotFound):
        tx.update("nope", name="x")
    with pytest.raises(TypeError):
        tx.create("x", "office", "x", functions="not a list")
    tx.discard()
    with pytest.raises(TypeError):
        v.validate(policy="default")
    with pytest.raises(TypeError):
        small.transaction(branch=3)
    with pytest.raises(townorg.Ambiguous):
        with small.transaction(branch="main", effective_date="2021-01-01") as tx2:
            tx2.create("341023-002-11", "village", "渔亭村", parent_id="341023-002")
        small.head().by_name("渔亭村")
    with pytest.raises(townorg.Invalid):
        small.transaction(branch="main", effective_date="not a date").commit()


def test_closed_policy():
    p = townorg.Policy()
    p.close()
    p.close()
    with pytest.raises(townorg.ClosedError):
        p.disable("quota.pool")


def test_policy_freed_with_python_rule_releases_function():
    p = townorg.Policy()

    class Rule:
        def __call__(self, ctx, version):
            pass

    rule = Rule()
    ref = weakref.ref(rule)
    p.register_rule("local.noop", rule)
    del rule
    gc.collect()
    assert ref() is not None
    p.close()
    gc.collect()
    assert ref() is None


def test_many_objects_no_crash():
    """Many owners and borrowers, freed in every order: each object works
    until its repository is closed, then raises; nothing outlives its last
    reference."""
    refs = []
    for i in range(20):
        r = townorg.Repository()
        build_small(r)
        vs = [r.head() for _ in range(5)]
        es = [e for v in vs for e in v]
        ds = [r.diff(None, v) for v in vs]
        assert len(es) == 5 * len(vs[0]) and len(vs[0]) > 0
        assert all(len(d.added) == len(vs[0]) for d in ds)
        if i % 2:
            r.close()
            with pytest.raises(townorg.ClosedError):
                len(vs[0])
            with pytest.raises(townorg.ClosedError):
                len(ds[0])
        else:
            assert vs[-1]["341023-002"].name == "渔亭镇"
        assert es[0].name  # entities hold their own reference, closed or not
        refs.append(weakref.ref(r))
        del r, vs, es, ds
    gc.collect()
    assert all(ref() is None for ref in refs)

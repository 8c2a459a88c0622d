# SPDX-License-Identifier: MulanPSL-2.0
"""Three-way merge, merge base, patch (merge.h) and Repository.log() from Python."""

import pandas as pd
import pytest

import townorg
from conftest import build_small


def branch_off(r, name):
    base = r.head("main")
    r.create_branch(name, base)
    return base


def test_merge_clean_three_way_moves_branch(small):
    base = branch_off(small, "plan")
    with small.transaction(branch="plan", effective_date="2021-01-01", doc_number="黟编〔2021〕1号") as tx:
        tx.update("341023-002-01", admin_quota=11)
    with small.transaction(branch="main", effective_date="2021-02-01", doc_number="黟编〔2021〕2号") as tx:
        tx.update("341023-002-02", admin_quota=6)
    ours, theirs = small.head("main"), small.head("plan")
    assert small.merge_base(ours, "plan") == base
    m = small.merge("plan", into="main")
    assert m.status == "clean" and m.ok and not m.conflicts
    assert m.base == base and m.applied == 1
    pv = m.preview()
    assert pv["341023-002-01"].admin_quota == 11 and pv["341023-002-02"].admin_quota == 6
    v = m.commit(effective_date="2021-03-01", doc_number="黟编〔2021〕3号", message="合并方案")
    assert small.head("main") == v
    assert [p.id for p in v.parents] == [ours.id, theirs.id]
    assert v["341023-002-01"].admin_quota == 11 and v["341023-002-02"].admin_quota == 6
    assert v.doc_number == "黟编〔2021〕3号"
    with pytest.raises(townorg.ClosedError):
        m.commit()


def test_merge_conflicts_are_listed_and_block_commit(small):
    branch_off(small, "plan")
    with small.transaction(branch="plan", effective_date="2021-01-01") as tx:
        tx.update("341023-002-01", admin_quota=11, name="党政综合办公室")
    with small.transaction(branch="main", effective_date="2021-02-01") as tx:
        tx.update("341023-002-01", admin_quota=12)
    head = small.head("main")
    m = small.merge("plan")
    assert m.status == "conflicts" and not m.ok
    assert [(c.id, c.field, c.base, c.ours, c.theirs) for c in m.conflicts] == [
        ("341023-002-01", "admin_quota", "10", "12", "11")]
    assert m.conflicts[0].ours_did == "changed" and m.conflicts[0].theirs_did == "changed"
    df = m.conflicts_frame()
    assert list(df["field"]) == ["admin_quota"] and df.loc[0, "theirs"] == "11"
    with pytest.raises(townorg.Conflict, match="341023-002-01.admin_quota"):
        m.commit()
    with pytest.raises(townorg.Conflict):
        m.preview()
    assert small.head("main") == head  # nothing changed
    assert "冲突" in m._repr_html_() and "admin_quota" in m._repr_html_()


def test_merge_fast_forward_and_up_to_date(small):
    base = branch_off(small, "plan")
    with small.transaction(branch="plan", effective_date="2021-01-01") as tx:
        tx.remove("341023-002-10")
    m = small.merge("plan", into="main")
    assert m.status == "fast_forward" and m.fast_forward and m.target == small.head("plan")
    assert m.transaction is None
    assert m.commit() == small.head("plan") == small.head("main")
    again = small.merge(base, into="main")
    assert again.status == "up_to_date" and again.commit() == small.head("main")


def test_merge_integrity_error_resolved_in_transaction(small):
    branch_off(small, "plan")
    with small.transaction(branch="plan", effective_date="2021-01-01") as tx:
        tx.create("341023-002-11", "village", "新村", parent_id="341023-002")
    with small.transaction(branch="main", effective_date="2021-02-01") as tx:
        for e in sorted(small.head("main").descendants("341023-002"), key=lambda e: -len(e.id)):
            tx.remove(e.id)
        tx.remove("341023-002")
        tx.create("341023-003", "town", "宏村镇", parent_id="341023")
    m = small.merge("plan")
    assert m.status == "clean"
    with pytest.raises(townorg.IntegrityError, match="341023-002-11"):
        m.commit()
    with pytest.raises(townorg.IntegrityError):
        m.preview()
    m.transaction.update("341023-002-11", parent_id="341023-003")
    v = m.commit(message="村改隶宏村镇")
    assert v["341023-002-11"].parent_id == "341023-003" and "341023-002" not in v
    with pytest.raises(townorg.ClosedError):
        m.transaction


def test_merge_bad_arguments(small):
    with pytest.raises(townorg.NotFound):
        small.merge("no-such-branch")
    with pytest.raises(TypeError, match="theirs"):
        small.merge(None)
    branch_off(small, "plan")
    with small.transaction(branch="plan") as tx:
        tx.update("341023-002-01", admin_quota=1)
    with small.transaction(branch="main") as tx:
        tx.update("341023-002-02", admin_quota=1)
    m = small.merge("plan")
    with pytest.raises(TypeError, match="did you mean doc_number="):
        m.commit(doc_numbr="x")
    assert m.status == "clean" and len(small.head("main").parents) == 1


def test_merge_freed_with_repository():
    r = townorg.Repository()
    build_small(r)
    r.create_branch("b", r.head("main"))
    with r.transaction(branch="b") as tx:
        tx.update("341023-002-01", admin_quota=1)
    with r.transaction(branch="main") as tx:
        tx.update("341023-002-02", admin_quota=1)
    m = r.merge("b")
    r.close()
    with pytest.raises(townorg.ClosedError):
        m.preview()


def test_patch_applies_a_diff_elsewhere(small):
    v1 = small.head("main")
    small.create_branch("other", v1)
    with small.transaction(branch="main", effective_date="2021-01-01") as tx:
        tx.update("341023-002-01", admin_quota=11)
        tx.remove("341023-002-10")
        tx.event("abolish", from_ids=["341023-002-10"])
    d = small.diff(v1, "main")
    with small.transaction(branch="other", effective_date="2021-06-01") as tx:
        tx.apply(d, events=True)
    o = small.head("other")
    assert o["341023-002-01"].admin_quota == 11 and "341023-002-10" not in o
    assert [e.kind for e in o.events] == ["abolish"]


def test_patch_refused_when_before_values_differ(small):
    v1 = small.head("main")
    with small.transaction(branch="main") as tx:
        tx.update("341023-002-01", admin_quota=11)
    d = small.diff(v1, "main")
    tx = small.transaction(branch="main")
    with pytest.raises(townorg.Conflict, match="341023-002-01"):
        tx.apply(d)  # main already has 11: the diff's "before" (10) is gone
    assert tx["341023-002-01"].admin_quota == 11
    with pytest.raises(TypeError, match="Diff"):
        tx.apply("not a diff")
    tx.discard()


def test_log_frame(small):
    first = small.head("main")
    small.tag("baseline", first)
    small.create_branch("plan", first)
    with small.transaction(branch="plan", effective_date="2021-01-01", doc_number="黟编〔2021〕1号",
                           message="方案") as tx:
        tx.update("341023-002-01", admin_quota=11)
    with small.transaction(branch="main", effective_date="2021-02-01") as tx:
        tx.update("341023-002-02", admin_quota=6)
    m = small.merge("plan").commit(effective_date="2021-03-01", message="合并")
    df = small.log()
    assert list(df.columns) == ["id", "date", "document", "message", "author", "parents", "refs"]
    assert len(df) == 4 and df.loc[0, "id"] == m.id
    assert len(df.loc[0, "parents"]) == 2 and df.loc[0, "refs"] == ["main"]
    assert df.loc[3, "refs"] == ["tag:baseline"] and df.loc[3, "parents"] == []
    assert df["date"].dtype.kind == "M" and df.loc[0, "date"] == pd.Timestamp("2021-03-01")
    assert df["document"].isna().sum() == 2 and "黟编〔2021〕1号" in set(df["document"].dropna())
    assert list(small.log("plan")["message"]) == ["方案", "基线"]
    assert len(small.log(all=True)) == len(small) and len(small.log(max_count=1)) == 1
    with pytest.raises(townorg.NotFound):
        small.log("nope")
    with pytest.raises(TypeError):
        small.log(max_count="2")

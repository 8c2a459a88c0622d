# SPDX-License-Identifier: MulanPSL-2.0
"""Committing a DataFrame as a version (Repository.write_frame)."""

import pytest

import townorg
from conftest import build_small

pd = pytest.importorskip("pandas")


def two_counties():
    r = townorg.Repository()
    build_small(r)
    with r.transaction(branch="main", effective_date="2020-02-01") as tx:
        tx.create("341024", "county", "祁门县")
        tx.create("341024-001", "town", "祁山镇", parent_id="341024", class_="large")
        tx.create("341024-001-01", "office", "党政办公室", parent_id="341024-001", admin_quota=12)
    return r


def test_round_trip_changes_nothing_but_makes_a_version(small):
    v = small.head()
    df = v.to_frame()
    new = small.write_frame(df, doc_number="黟编〔2021〕9号", effective_date="2021-01-01")
    assert new.parent == v and new.state_hash == v.state_hash
    assert new.doc_number == "黟编〔2021〕9号" and len(v.diff(new)) == 0


def test_upsert_changes_and_adds_rows(small):
    v = small.head()
    df = v.to_frame(under="341023-002", kinds=townorg.ORGAN_KINDS)[["admin_quota", "functions"]]
    df.loc["341023-002-01", "admin_quota"] = 11
    df.at["341023-002-01", "functions"] = ["党务", "政务", "人武"]
    add = pd.DataFrame({"kind": ["team"], "name": ["综合行政执法队"], "parent_id": ["341023-002"],
                        "admin_quota": [5]}, index=pd.Index(["341023-002-04"], name="id"))
    df = pd.concat([df, add])
    new = small.write_frame(df, effective_date="2021-01-01",
                            events=[{"kind": "create", "to_ids": ["341023-002-04"]}])
    assert new["341023-002-01"].admin_quota == 11
    assert sorted(new["341023-002-01"].functions) == sorted(["党务", "政务", "人武"])
    assert new["341023-002-01"].actual_staff == 9  # no column: kept
    assert new["341023-002-04"].kind == "team" and new["341023-002-04"].admin_quota == 5
    assert "341023-002-10" in new  # missing rows are not removed unless asked
    assert [e.kind for e in new.events] == ["create"]
    d = v.diff(new)
    assert sorted(x.id for x in d.changed) == ["341023-002-01"] and [x.id for x in d.added] == ["341023-002-04"]


def test_missing_value_unsets(small):
    df = small.head().to_frame(under="341023-002-02")[["actual_staff", "funding"]]
    df["actual_staff"] = pd.array([pd.NA], dtype="Int64")
    new = small.write_frame(df)
    assert new["341023-002-02"].actual_staff is None


def test_remove_missing_only_inside_scope():
    r = two_counties()
    v = r.head()
    yi = v.to_frame(under="341023")
    yi = yi.drop(index=["341023-002-10", "341023-002-03"])
    new = r.write_frame(yi, under="341023", remove_missing=True, effective_date="2021-01-01")
    assert "341023-002-10" not in new and "341023-002-03" not in new
    assert "341024-001-01" in new and "341024" in new  # the other county is untouched
    assert len(new) == len(v) - 2
    # the unit itself is never removed even when its row is missing
    r.write_frame(yi.drop(index=["341023"]), under="341023", remove_missing=True)
    assert "341023" in r.head()
    r.close()


def test_remove_missing_needs_under(small):
    with pytest.raises(TypeError, match="under="):
        small.write_frame(small.head().to_frame(), remove_missing=True)


def test_rows_outside_scope_are_refused():
    r = two_counties()
    head = r.head()
    df = head.to_frame(under="341024")
    with pytest.raises(townorg.Invalid, match=r"row '341024' \(id '341024'\) is not under 341023"):
        r.write_frame(df, under="341023", remove_missing=True)
    assert r.head() == head
    with pytest.raises(townorg.NotFound, match="341099"):
        r.write_frame(df, under="341099")
    r.close()


def test_bad_rows_name_the_row_and_change_nothing(small):
    head = small.head()
    base = head.to_frame(under="341023-002", kinds=["office"])[["admin_quota", "name"]].astype(object)
    bad = base.copy()
    bad.loc["341023-002-02", "admin_quota"] = "八"
    with pytest.raises(TypeError, match=r"row '341023-002-02' \(id '341023-002-02'\), column 'admin_quota'"):
        small.write_frame(bad)
    bad = base.copy()
    bad.loc["341023-002-02", "admin_quota"] = 2.5
    with pytest.raises(TypeError, match="admin_quota.*integer"):
        small.write_frame(bad)
    bad = base.rename(columns={"admin_quota": "admin_qouta"})
    with pytest.raises(townorg.Invalid, match="did you mean 'admin_quota'"):
        small.write_frame(bad)
    new = pd.DataFrame({"id": ["341023-002-09"], "name": ["无类型"], "parent_id": ["341023-002"]})
    with pytest.raises(townorg.Invalid, match=r"row 0 \(id '341023-002-09'\): a new entity needs a kind"):
        small.write_frame(new)
    orphan = pd.DataFrame({"id": ["341023-002-09"], "kind": ["office"], "parent_id": ["nowhere"]})
    with pytest.raises(townorg.IntegrityError, match="341023-002-09"):
        small.write_frame(orphan)
    dup = pd.DataFrame({"id": ["341023-002-01", "341023-002-01"], "admin_quota": [1, 2]})
    with pytest.raises(townorg.Invalid, match="appears twice"):
        small.write_frame(dup)
    badkind = pd.DataFrame({"id": ["341023-002-09"], "kind": ["ofice"], "parent_id": ["341023-002"]})
    with pytest.raises(townorg.Invalid, match=r"row 0 \(id '341023-002-09'\)"):
        small.write_frame(badkind)
    with pytest.raises(townorg.Invalid, match="no id"):
        small.write_frame(pd.DataFrame({"name": ["x"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        small.write_frame([{"id": "x"}])
    with pytest.raises(TypeError, match="did you mean doc_number="):
        small.write_frame(base, doc_numer="x")
    with pytest.raises(TypeError, match="events\\[0\\]"):
        small.write_frame(base, events=["create"])
    with pytest.raises(townorg.Invalid, match="events\\[0\\]"):
        small.write_frame(base, events=[{"kind": "explode", "to_ids": ["341023-002"]}])
    assert small.head() == head and len(small) == 1


def test_chinese_labels_and_ignore(small):
    zh = small.head().to_frame(under="341023-002-01", labels="zh")
    zh["行政编制"] = 9
    zh["备注"] = "x"
    with pytest.raises(townorg.Invalid, match="备注"):
        small.write_frame(zh)
    new = small.write_frame(zh, ignore=["备注"])
    assert new["341023-002-01"].admin_quota == 9


def test_string_lists_accepted(small):
    df = pd.DataFrame({"id": ["341023-002-02"], "nameplates": ["财政所; 统计站"]})
    new = small.write_frame(df)
    assert sorted(new["341023-002-02"].nameplates) == sorted(["财政所", "统计站"])

# SPDX-License-Identifier: MulanPSL-2.0
"""Repositories, versions, entities, transactions, stores, errors, strings."""

import gc

import pytest

import townorg
from conftest import build_small


def test_error_classes_by_code():
    assert issubclass(townorg.NotFound, townorg.Error) and issubclass(townorg.NotFound, KeyError)
    assert issubclass(townorg.ParseError, townorg.Error) and issubclass(townorg.Invalid, ValueError)
    codes = {c.code for c in (townorg.NotFound, townorg.Exists, townorg.Invalid, townorg.ParseError,
                              townorg.IntegrityError, townorg.Conflict, townorg.Corrupt, townorg.ReadOnly,
                              townorg.EncodingError)}
    assert len(codes) == 9 and all(c < 0 for c in codes)
    r = townorg.Repository()
    with pytest.raises(townorg.NotFound) as ei:
        r.head("nope")
    assert ei.value.code == -3 and "nope" in str(ei.value)
    with pytest.raises(townorg.Invalid):
        r.create_branch("bad name")


def test_import_sample(repo):
    assert len(repo) == 6
    assert list(repo.branches) == ["main"]
    assert set(repo.tags) == {"v0", "v1", "v2", "v3", "v4", "v5"}
    head = repo.head()
    assert head == repo["main"] == repo["v5"] == repo.tags["v5"]
    assert head.parent == repo["v4"] and repo["main~1"] == repo["v4"]
    assert [v.id for v in repo.versions] == [repo["v%d" % i].id for i in range(6)]
    assert head.doc_number.endswith("号") and head.author == "tester"
    assert head.recorded_at == "2024-01-01T00:00:00Z"
    assert repo.version(head.id) == head and repo[head.id[:10]] == head


def test_as_of(repo):
    v0 = repo["v0"]
    assert repo.as_of(v0.effective_date) == v0
    assert repo.as_of("2099-01-01") == repo.head()
    assert repo["main@" + repo["v2"].effective_date] == repo["v2"]
    with pytest.raises(townorg.NotFound):
        repo.as_of("1990-01-01")
    with pytest.raises(townorg.Invalid):
        repo.as_of("2020-02-30")


def test_version_reading(repo):
    v = repo.head()
    ids = [e.id for e in v]
    assert len(ids) == len(v) == len(set(ids))
    town = v["110121-001"]
    assert (town.kind, town.name, town.parent_id, town.cls) == ("town", "下滩镇", "110121", "medium")
    assert town.area_km2 == 146.7 and town.population == 44457 and town.admin_quota is None
    assert "110121-001" in v and "nope" not in v and v.get("nope") is None
    with pytest.raises(townorg.NotFound):
        v["nope"]
    kids = v.children("110121-001")
    assert kids and all(k.parent_id == "110121-001" for k in kids)
    assert [k.id for k in kids] == sorted(k.id for k in kids)
    assert {e.kind for e in v.children()} == {"county"}
    assert v.by_name("下滩镇") == town
    assert v.find("没有这个名字") == []
    with pytest.raises(townorg.NotFound):
        v.by_name("没有这个名字")
    assert v.kind_count("town") == sum(1 for e in v if e.kind == "town")
    organs = [k for k in kids if k.is_organ]
    assert v.quota_total("110121-001") == sum(k.quota_total for k in organs)
    assert v.quota_total() == sum(v.quota_total(c.id) for c in v.children())


def test_queries_oracle(repo, sample_dir):
    import csv
    with open(sample_dir / "queries.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:40]
    for row in rows:
        v = repo["v" + row["version"]]
        if row["township_id"] not in v:
            continue
        organs = [k for k in v.children(row["township_id"]) if k.is_organ]
        assert len(organs) == int(row["expected_organs"]), row
        assert v.quota_total(row["township_id"]) == int(row["expected_quota"]), row


def test_entity_values():
    e = townorg.make_entity("x-1", "center", "为民服务中心", parent_id="x", inst_quota=12, police_quota=3,
                            funding="full", nameplates=["计生所", "文化站"], area_km2="1.5", attrs={"remark": "试点"})
    assert e.quotas == {"inst": 12, "police": 3} and e.quota_total == 15 and e.inst_quota == 12
    assert e.nameplates == ["文化站", "计生所"] or e.nameplates == sorted(["计生所", "文化站"])
    assert e.funding == "full" and e.get("remark") == "试点" and e.area_km2 == 1.5
    same = townorg.Entity.from_json(e.to_json())
    assert same == e and hash(same) == hash(e) and len(e.hash) == 32
    assert e.to_dict()["attrs"]["remark"] == "试点"
    with pytest.raises(townorg.Invalid):
        townorg.make_entity("x-2", "twon", "错")
    with pytest.raises(townorg.Invalid):
        townorg.make_entity("x-2", "office", "负数", admin_quota=-1)
    with pytest.raises(townorg.ParseError):
        townorg.Entity.from_json("{not json")
    with pytest.raises(TypeError):
        townorg.make_entity("x-2", "office", "x", admin_quota="10")


def test_transaction_commit_and_events(small):
    head = small.head()
    with small.transaction(branch="plan-2025", parent="main", effective_date="2025-01-01",
                           doc_number="黟编〔2025〕3号", author="分析员", message="整合站所") as tx:
        tx.create("341023-002-04", "center", "农业综合服务中心", parent_id="341023-002", inst_quota=6)
        tx.update("341023-002-03", inst_quota=10, nameplates=None)
        tx.remove("341023-002-10")
        tx.event("create", to_ids=["341023-002-04"], documents=["黟编〔2025〕3号"], wording="新设农业综合服务中心")
        tx.event("abolish", from_ids=["341023-002-10"])
        assert len(tx) == len(head) and "341023-002-10" not in tx
        assert tx["341023-002-03"].inst_quota == 10
    v = tx.version
    assert repo_branch(small, "plan-2025") == v and small.head() == head
    assert v.parent == head and v.effective_date == "2025-01-01" and v.document["number"] == "黟编〔2025〕3号"
    assert [(e.kind, e.to_ids, e.from_ids) for e in v.events] == [
        ("create", ["341023-002-04"], []), ("abolish", [], ["341023-002-10"])]
    assert v.events[0].wording == "新设农业综合服务中心" and v.events[0].documents == ["黟编〔2025〕3号"]
    assert v["341023-002-03"].nameplates == [] and head["341023-002-03"].nameplates == ["计生所"]
    with pytest.raises(townorg.ClosedError):
        tx.create("x", "office", "x")


def repo_branch(r, name):
    return r.branches[name]


def test_transaction_discard_on_exception(small):
    before = (len(small), small.head().id)
    with pytest.raises(RuntimeError):
        with small.transaction(branch="main") as tx:
            tx.create("341023-002-05", "office", "应急办", parent_id="341023-002")
            raise RuntimeError("changed my mind")
    assert (len(small), small.head().id) == before and not tx.open
    tx.discard()  # harmless when spent


def test_failed_commit_changes_nothing(small):
    before = (len(small), small.head().id)
    tx = small.transaction(branch="main")
    tx.create("341023-009-01", "office", "孤儿", parent_id="341023-009")
    with pytest.raises(townorg.IntegrityError) as ei:
        tx.commit()
    assert "341023-009" in str(ei.value)
    assert (len(small), small.head().id) == before and tx.open
    tx.remove("341023-009-01")
    with pytest.raises(townorg.NotFound):
        tx.remove("341023-009-01")
    tx.discard()
    with pytest.raises(townorg.IntegrityError):
        with small.transaction(branch="main") as tx2:
            tx2.create("341023-002-01-x", "town", "镇下之镇", parent_id="341023-002")
    assert (len(small), small.head().id) == before


def test_conflict_on_moved_branch(small):
    tx1 = small.transaction(branch="main")
    with small.transaction(branch="main", effective_date="2021-01-01") as tx2:
        tx2.update("341023-002", population=21500)
    tx1.update("341023-002", population=22000)
    with pytest.raises(townorg.Conflict):
        tx1.commit()
    tx1.discard()


def test_branches_and_tags(small):
    head = small.head()
    small.create_branch("draft", head)
    small.tag("baseline", head)
    assert small.branches["draft"] == head and small.tags["baseline"] == head
    with pytest.raises(townorg.Exists):
        small.tag("baseline", head)
    with pytest.raises(townorg.Exists):
        small.create_branch("draft")
    small.delete_branch("draft")
    assert "draft" not in small.branches
    assert head.is_ancestor_of(head)


def test_strings_strict_utf8(small):
    v = small.head()
    with pytest.raises(ValueError):
        v["341023\x00-002"]
    with pytest.raises(townorg.EncodingError):
        v["341023-\udcff"]
    with pytest.raises(TypeError):
        v[b"341023-002"]
    with pytest.raises(TypeError):
        v[341023]
    assert v["341023-002"].name == "渔亭镇"
    assert v.find("渔亭镇", kind="town")[0].id == "341023-002"


def test_store_roundtrip(tmp_path):
    path = tmp_path / "county.townorg"
    with townorg.Repository.create(path) as r:
        assert r.path == str(path) and not r.readonly
        v = build_small(r)
        vid = v.id
    with pytest.raises(townorg.Exists):
        townorg.Repository.create(path)
    with townorg.Repository.open(path) as r:
        assert r.head().id == vid and r.head()["341023-002"].name == "渔亭镇"
        assert r.refresh() == 0
    report = townorg.verify(path)
    assert report["ok"] and report["problems"] == [] and report["versions"] == 1
    with townorg.open(path, readonly=True) as r:
        assert r.readonly
        with pytest.raises(townorg.ReadOnly):
            with r.transaction(branch="main") as tx:
                tx.update("341023-002", population=1)
        assert r.verify()["ok"]
    with pytest.raises(townorg.NotFound):
        townorg.Repository.open(tmp_path / "missing.townorg")
    junk = tmp_path / "junk.townorg"
    junk.write_bytes(b"this is not a repository at all" * 40)
    with pytest.raises(townorg.Corrupt):
        townorg.Repository.open(junk)


def test_store_sees_other_writer(tmp_path):
    path = tmp_path / "shared.townorg"
    a = townorg.Repository.create(path)
    build_small(a)
    b = townorg.Repository.open(path)
    with a.transaction(branch="main", effective_date="2021-06-01") as tx:
        tx.update("341023-002", population=22000)
    assert b.refresh() == 1 and b.head()["341023-002"].population == 22000
    a.close()
    b.close()
    gc.collect()


def test_docstrings_everywhere():
    missing = []
    for name in townorg.__all__:
        obj = getattr(townorg, name)
        if callable(obj) and not (getattr(obj, "__doc__", None) or "").strip():
            missing.append(name)
        if isinstance(obj, type) and obj.__module__.startswith("townorg"):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not (callable(member) or isinstance(member, property)):
                    continue
                if not (member.__doc__ or "").strip():
                    missing.append(name + "." + attr)
    assert missing == []

#!/usr/bin/env python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Derive the bad JSON fixtures (tests/data/json/bad/) from the good ones.

Each bad file breaks one thing in good/repo.json or good/snapshot.json;
tests/check_json.c lists the error code and message each must give.  Run
this after the good fixtures change (TOWNORG_REGEN_FIXTURES=1 check_json).
A few fixtures are written by hand below (malformed and truncated text).
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(HERE, "good")
BAD = os.path.join(HERE, "bad")

good_text = open(os.path.join(GOOD, "repo.json"), encoding="utf-8").read()
snap_text = open(os.path.join(GOOD, "snapshot.json"), encoding="utf-8").read()
good = json.loads(good_text)
snap = json.loads(snap_text)


def dump(doc):
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    kw = {} if isinstance(data, bytes) else {"encoding": "utf-8"}
    with open(os.path.join(BAD, name), mode, **kw) as f:
        f.write(data if isinstance(data, (bytes, str)) else dump(data))


def repo(edit):
    d = copy.deepcopy(good)
    edit(d)
    return d


def snapshot(edit):
    d = copy.deepcopy(snap)
    edit(d)
    return d


def ents(d):
    return d["versions"][0]["entities"]


os.makedirs(BAD, exist_ok=True)

# --- text-level damage ---------------------------------------------------
write("malformed.json", '{\n  "format": "townorg/1",\n  "type": "repository",\n'
      '  "versions": [{"id": "x" "state_hash": "y"}]\n}\n')
cut = good_text.index('{"id": "130623-101-01"')
write("truncated.json", good_text[:cut])
write("invalid_utf8.json", good_text.encode("utf-8").replace("涞水县".encode("utf-8"), b"\xff\xfe", 1))
write("not_object.json", '[{"format": "townorg/1", "type": "repository"}]\n')
write("huge_number.json", good_text.replace('"population": 35210', '"population": 99999999999999999999999', 1))
write("duplicate_key.json", good_text.replace('"population": 35210', '"population": 35210, "population": 1', 1))
write("null_character.json", good_text.replace("义安社区", "义安\\u0000社区", 1))

# --- document structure --------------------------------------------------
write("wrong_format.json", repo(lambda d: d.update(format="townorg/2")))
write("missing_format.json", repo(lambda d: d.pop("format")))
write("unknown_top_member.json", repo(lambda d: d.update(versionz=d.pop("versions"))))
write("wrong_type_versions.json", repo(lambda d: d.update(versions={})))
write("unknown_version_member.json", repo(lambda d: d["versions"][1].update(efective_date="2022-07-01")))
write("bad_hash.json", repo(lambda d: d["versions"][0].update(id="XYZ")))
write("bad_date.json", repo(lambda d: d["versions"][0].update(effective_date="2020-13-01")))


def changes_on_root(d):
    v = d["versions"][0]
    del v["entities"]
    v["changes"] = {"put": [], "remove": []}


write("changes_on_root.json", repo(changes_on_root))
write("unknown_event_kind.json", repo(lambda d: d["versions"][1]["events"][0].update(kind="explode")))

# --- entities ------------------------------------------------------------
write("unknown_entity_member.json", repo(lambda d: ents(d)[3].update(populaton=5)))
write("unknown_kind.json", repo(lambda d: d["versions"][3]["changes"]["put"][0].update(kind="towm")))
write("wrong_type.json", repo(lambda d: ents(d)[3].update(population="9")))
write("negative_quota.json", repo(lambda d: ents(d)[4]["quotas"].update(admin=-10)))
write("too_large.json", repo(lambda d: ents(d)[3].update(population=10**16)))
write("area_two_decimals.json", repo(lambda d: ents(d)[3].update(area_km2=146.75)))
write("duplicate_id.json", repo(lambda d: ents(d).insert(5, copy.deepcopy(ents(d)[3]))))
write("dangling_entity_parent.json", repo(lambda d: ents(d)[2].update(parent_id="130623-999")))
write("control_character.json", repo(lambda d: ents(d)[0].update(name="涞水\n县")))
write("remove_missing.json", repo(lambda d: d["versions"][1]["changes"]["remove"].insert(0, "130623-777")))

# --- the version graph -----------------------------------------------------
write("dangling_parent.json", repo(lambda d: d["versions"][1].update(parents=["0" * 64])))


def cycle(d):
    # two new versions, each naming the other as its parent
    for me, other in (("a", "b"), ("b", "a")):
        d["versions"].append({"id": me * 64, "state_hash": d["versions"][3]["state_hash"],
                              "parents": [other * 64], "effective_date": "2024-01-01",
                              "recorded_at": "2024-01-01T00:00:00Z",
                              "changes": {"put": [], "remove": []}})


write("cycle.json", repo(cycle))
write("self_parent.json", repo(lambda d: d["versions"][1].update(parents=[d["versions"][1]["id"]])))
write("branch_unknown_version.json", repo(lambda d: d["branches"].update(main="f" * 64)))
write("bad_branch_name.json", repo(lambda d: d["branches"].update({"main branch": d["versions"][0]["id"]})))

# --- tampering: valid JSON, wrong hashes ------------------------------------
write("tampered_entity.json", repo(lambda d: ents(d)[1].update(population=35211)))
write("tampered_meta.json", repo(lambda d: d["versions"][1].update(author="某人")))
write("tampered_event.json", repo(lambda d: d["versions"][1]["events"][0].update(wording="撤销宝山乡")))

# --- snapshots -------------------------------------------------------------
write("snapshot_as_repo.json", snap_text)
write("snapshot_duplicate_id.json", snapshot(lambda d: d["entities"].insert(2, copy.deepcopy(d["entities"][1]))))
write("snapshot_tampered.json", snapshot(lambda d: d["entities"][1].update(population=1)))
write("snapshot_dangling_parent.json", snapshot(lambda d: d["entities"].append(
    {"id": "130623-201-09", "kind": "office", "name": "宝山乡旧办公室", "parent_id": "130623-201"})))
write("snapshot_unknown_member.json", snapshot(lambda d: d["entities"][0].update(colour="red")))

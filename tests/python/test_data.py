# SPDX-License-Identifier: MulanPSL-2.0
"""Bundled examples and installed policies from Python (townorg.examples, townorg.policies)."""

import json
import os

import pytest

import townorg
import townorg.examples
import townorg.policies
from conftest import SRC


def test_policies_path_and_load():
    p = townorg.policies.path("default")
    assert os.path.samefile(p, SRC / "policies" / "default.json")
    assert townorg.policies.path("2020.json") == townorg.policies.path("2020")
    assert {"default", "2020"} <= set(townorg.policies.names())
    with open(p, encoding="utf-8") as f:
        assert json.load(f)["format"].startswith("townorg-policy")
    pol = townorg.policies.load("2020")
    assert isinstance(pol, townorg.Policy)
    pol.close()


def test_policies_bad_names():
    with pytest.raises(townorg.NotFound, match="'nope.json' not found.*looked in"):
        townorg.policies.path("nope")
    with pytest.raises(townorg.Invalid):
        townorg.policies.path("../etc/passwd")
    with pytest.raises(TypeError):
        townorg.policies.path(3)


def test_examples_yixian():
    with townorg.examples.yixian() as repo:
        assert "2008-reform" in repo.tags and repo.path is None
        v = repo.as_of("2024-12-31")
        town = v.by_name("渔亭镇")
        assert town.kind == "town"
        assert repo.diff("2007-baseline", "2008-reform").reduction("organs", unit="341023")["available"]
    assert {"yixian", "yian", "district"} <= set(townorg.examples.names())
    assert os.path.isdir(townorg.examples.path("yixian-tables"))
    with townorg.examples.yian() as r:
        assert "2020-reform" in r.tags
    with townorg.examples.district() as r:
        assert "2005-reform" in r.tags


def test_examples_to_a_file(tmp_path):
    p = tmp_path / "黟县.townorg"
    with townorg.examples.yixian(path=p) as repo:
        assert repo.path == str(p)
    with townorg.Repository.open(p, readonly=True) as r:
        assert "2008-reform" in r.tags
    with pytest.raises(townorg.Exists):
        townorg.examples.yixian(path=p)  # never overwrites


def test_datadir_override(tmp_path, monkeypatch):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "local.json").write_text('{"format": "townorg-policy/1"}', encoding="utf-8")
    monkeypatch.setenv("TOWNORG_DATADIR", str(tmp_path))
    assert townorg.policies.path("local") == str(tmp_path / "policies" / "local.json")
    assert townorg.policies.names() == ["local"]
    # the next places are still searched for what the override lacks
    assert os.path.samefile(townorg.policies.path("default"), SRC / "policies" / "default.json")
    with pytest.raises(townorg.NotFound, match=str(tmp_path)):
        townorg.examples.path("nothing.json")

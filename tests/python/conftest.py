# SPDX-License-Identifier: MulanPSL-2.0
"""Fixtures of the Python tests: the bench sample (../shared/bench/sample via
SHARED_DIR), the source tree's test data, and small hand-built repositories."""

import os
import pathlib

import pytest

import townorg

SRC = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("SHARED_DIR", SRC.parent / "shared"))
SAMPLE = SHARED / "bench" / "sample"
DATA = SRC / "tests" / "data"


@pytest.fixture
def sample_dir():
    if not (SAMPLE / "versions.csv").exists():
        pytest.skip("the bench sample is not available (SHARED_DIR)")
    return SAMPLE


@pytest.fixture
def data_dir():
    return DATA


@pytest.fixture
def repo(sample_dir):
    """An in-memory repository holding the bench sample (versions v0..v5 on main)."""
    r = townorg.Repository()
    r.import_tables(str(sample_dir), author="tester", recorded_at="2024-01-01T00:00:00Z")
    yield r
    r.close()


def build_small(r, branch="main"):
    """A county with one small town and three organs (the 渔亭镇 of 篇7)."""
    with r.transaction(branch=branch, effective_date="2020-01-01", author="测试", doc_number="黟编〔2020〕1号",
                       message="基线") as tx:
        tx.create("341023", "county", "黟县")
        tx.create("341023-002", "town", "渔亭镇", parent_id="341023", class_="small", population=21000,
                  area_km2=146.7, leader_posts=7)
        tx.create("341023-002-01", "office", "党政办公室", parent_id="341023-002", admin_quota=10, actual_staff=9,
                  chief_posts=1, deputy_posts=1, functions=["党务", "政务"])
        tx.create("341023-002-02", "office", "经济发展办公室", parent_id="341023-002", admin_quota=8, actual_staff=8,
                  nameplates=["财政所"], functions=["经济"])
        tx.create("341023-002-03", "center", "为民服务中心", parent_id="341023-002", inst_quota=12, actual_staff=10,
                  funding="full", rank="股级", nameplates=["计生所"], functions=["便民服务"])
        tx.create("341023-002-10", "village", "渔亭村", parent_id="341023-002")
    return tx.version


@pytest.fixture
def small():
    r = townorg.Repository()
    build_small(r)
    yield r
    r.close()

# SPDX-License-Identifier: MulanPSL-2.0
"""Validation: built-in rules, policies, waivers, dry runs, Python rules."""

import csv
import json

import pytest

import townorg


def test_builtin_rules_listed():
    ids = [r[0] for r in townorg.builtin_rules()]
    assert "quota.no-increase-window" in ids and all(r[1] in townorg.SEVERITIES for r in townorg.builtin_rules())


def test_cap_violation_oracle(repo, sample_dir):
    with open(sample_dir / "expected_cap_violations.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        first = int(row["first_violation_version"])
        hit = [f for f in repo["v%d" % first].validate().by_rule("quota.no-increase-window")
               if f.entity == row["county_id"]]
        assert hit and hit[0].severity == "error"
        before = [f for f in repo["v%d" % (first - 1)].validate().by_rule("quota.no-increase-window")
                  if f.entity == row["county_id"]]
        assert before == []


def test_validation_result(repo):
    val = repo.head().validate()
    assert len(val) == len(list(val)) > 0 and not val.conforms
    f = val[0]
    assert f.rule and f.severity in townorg.SEVERITIES and f.message_zh and f.message_en
    assert f.version_id == repo.head().id and str(f).startswith(f.severity)
    assert val.count("error") == len(val.errors)
    doc = json.loads(val.to_json())
    assert len(doc["findings"]) == len(val) and doc["conforms"] is False
    assert val.to_text("zh") != val.to_text("en")


def test_validation_renders_outlive_the_repository(sample_dir):
    """Renderings are made on first use from the C result, which owns its
    strings: they work after the repository is closed and the result is
    freed exactly once (valgrind and ASan runs check the latter)."""
    r = townorg.Repository()
    r.import_tables(str(sample_dir), author="tester", recorded_at="2024-01-01T00:00:00Z")
    val = r.head().validate()
    n = len(val)
    r.close()
    import gc
    gc.collect()
    doc = json.loads(val.to_json())
    assert len(doc["findings"]) == n > 0
    zh, en = val.to_text("zh"), val.to_text("en")
    assert zh and en and zh != en and val.to_text("zh") is zh
    assert val.findings[0].message_zh in zh and val.findings[0].message_en in en
    del val
    gc.collect()


def test_waivers(repo):
    val = repo.head().validate()
    target = val.by_rule("offices.by-class")[0]
    p = townorg.Policy()
    p.waive("offices.by-class", target.entity, "按镇配置", "某编〔2019〕5号")
    assert p.waiver_count == 1
    again = repo.head().validate(p)
    w = [f for f in again.by_rule("offices.by-class") if f.entity == target.entity][0]
    assert w.waived and w.waiver_document == "某编〔2019〕5号" and w.waiver_reason == "按镇配置"
    assert len(again.errors) == len(val.errors) - 1
    with pytest.raises(townorg.NotFound):
        p.waive("no.such-rule", "x", "r", "d")
    with pytest.raises(townorg.Invalid):
        p.waive("offices.by-class", "", "r", "d")


def test_policy_configuration(repo, data_dir):
    p = townorg.Policy()
    p.disable("lineage.disposition")
    assert repo.head().validate(p).by_rule("lineage.disposition") == []
    p.enable("lineage.disposition")
    p.set_severity("lineage.disposition", "warning")
    assert {f.severity for f in repo.head().validate(p).by_rule("lineage.disposition")} == {"warning"}
    with pytest.raises(townorg.NotFound):
        p.disable("no.such-rule")
    with pytest.raises(townorg.Invalid):
        p.set_severity("lineage.disposition", "fatal")
    bad = data_dir / "policies" / "bad-syntax.json"
    if bad.exists():
        with pytest.raises(townorg.ParseError) as ei:
            townorg.Policy.load(bad)
        assert "bad-syntax.json" in str(ei.value)
    with pytest.raises(townorg.ParseError):
        townorg.Policy.from_json('{"rules": {"no.such-rule": {}}}', name="inline")
    with pytest.raises((townorg.NotFound, townorg.IOFailure)):
        townorg.Policy.load(data_dir / "policies" / "does-not-exist.json")


def veterans_rule(ctx, version):
    """After 2019 every township has a 退役军人服务站."""
    word = ctx.param("word")
    for county in version.children():
        for t in version.children(county.id):
            if t.is_township_level and not any(word in k.name for k in version.children(t.id)):
                ctx.report(entity=t.id, message_zh="%s：没有%s" % (t.name, word),
                           message_en="%s has no veterans' station" % t.id, path="organs", value=0, limit=1)


def test_python_rule_reported_like_builtin(small):
    p = townorg.Policy()
    p.register_rule("local.veterans-station", veterans_rule, severity="warning", params={"word": "退役军人"})
    val = small.head().validate(p)
    found = val.by_rule("local.veterans-station")
    assert len(found) == 1
    f = found[0]
    assert (f.entity, f.severity, f.path, f.value, f.limit) == ("341023-002", "warning", "organs", 0, 1)
    assert f.message_zh == "渔亭镇：没有退役军人" and f.version_id == small.head().id
    assert "local.veterans-station" in val.to_text("zh")
    assert "local.veterans-station" in set(val.to_frame()["rule"])
    assert any(x["rule"] == "local.veterans-station" for x in json.loads(val.to_json())["findings"])
    p.set_param("local.veterans-station", "word", "党政")
    assert small.head().validate(p).by_rule("local.veterans-station") == []
    with pytest.raises(townorg.Invalid):
        p.set_param("local.veterans-station", "word", 3)
    p.waive("local.veterans-station", "341023-002", "试点", "黟编〔2020〕9号")
    p.set_param("local.veterans-station", "word", "退役军人")
    assert small.head().validate(p).by_rule("local.veterans-station")[0].waived


def test_python_rule_errors(small):
    p = townorg.Policy()
    with pytest.raises(townorg.Exists):
        p.register_rule("quota.pool", veterans_rule)
    with pytest.raises(townorg.Invalid):
        p.register_rule("Bad Id!", veterans_rule)
    with pytest.raises(TypeError):
        p.register_rule("local.x", "not callable")

    @p.rule("local.boom")
    def boom(ctx, version):
        raise ZeroDivisionError("規則の中で")

    with pytest.raises(ZeroDivisionError):
        small.head().validate(p)
    p.disable("local.boom")
    kept = []

    @p.rule("local.keeps")
    def keeps(ctx, version):
        kept.append((ctx, version))
        ctx.report(message_en="only English")

    val = small.head().validate(p)
    assert val.by_rule("local.keeps")[0].message_zh == "only English"
    ctx, version = kept[0]
    with pytest.raises(townorg.ClosedError):
        ctx.report(message_zh="太晚了")
    with pytest.raises(townorg.ClosedError):
        len(version)
    p.disable("local.keeps")

    @p.rule("local.no-message")
    def no_message(ctx, version):
        ctx.report(entity="341023-002")

    with pytest.raises(townorg.Invalid):
        small.head().validate(p)


def test_dry_run(small):
    n = len(small)
    p = townorg.Policy()
    p.register_rule("local.veterans-station", veterans_rule, params={"word": "退役军人"})
    tx = small.transaction(branch="main", effective_date="2021-01-01")
    tx.create("341023-002-06", "station", "退役军人服务站", parent_id="341023-002", inst_quota=3)
    val = tx.validate(p)
    assert val.by_rule("local.veterans-station") == [] and tx.open and len(small) == n
    assert small.head().validate(p).by_rule("local.veterans-station")
    pv = tx.preview()
    assert pv.detached and "341023-002-06" in pv and "341023-002-06" not in small.head()
    assert len(small.head().diff(pv).added) == 1
    tx.update("341023-002-01", actual_staff=20)
    assert tx.validate().by_rule("quota.overstaffed")
    tx.discard()
    assert len(small) == n

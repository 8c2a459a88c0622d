#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""The 黟县 reform tour (docs/guide-en.md) in Python.

    python3 examples/plan_2025.py [examples/data/yixian.json] [examples/data/yixian-waivers.json]

Opens the county (a repository file made from the bundled dataset), looks at
渔亭镇 as of today, starts a plan on branch plan-2025, merges its three
institutions into one service centre, validates the plan (dry run) with the
waivers, diffs it against main with the reduction rates, commits it with the
approving document 某编〔2025〕3号, and moves main to it.
"""
import os
import sys
import tempfile

import townorg

HERE = os.path.dirname(os.path.abspath(__file__))
TOWN = "341023102"   # 渔亭镇
DOC = "某编〔2025〕3号"


def main(argv):
    data = argv[1] if len(argv) > 1 else os.path.join(HERE, "data", "yixian.json")
    waivers = argv[2] if len(argv) > 2 else os.path.join(HERE, "data", "yixian-waivers.json")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "黟县.townorg")
        with townorg.Repository.create(path) as repo:
            repo.import_json(data)
        with townorg.Repository.open(path) as repo:
            return tour(repo, waivers)


def tour(repo, waivers):
    v = repo.as_of("2024-12-31")
    town = v.by_name("渔亭镇")
    print("%s as of 2024-12-31 (%s): %s, %d leader posts" % (town.name, v.meta["doc_number"], town.cls,
                                                          town.leader_posts))
    for e in v.children(town.id):
        print("  %-10s %-20s admin %-3s inst %-3s %s" % (e.kind, e.name, e.get("admin_quota") or "-",
                                                         e.get("inst_quota") or "-", "; ".join(e.functions or [])))
    old = [TOWN + "-C1", TOWN + "-LYZ", TOWN + "-GTS"]
    funcs = sorted({f for i in old for f in v[i].functions})
    with repo.transaction(branch="plan-2025", parent="main", effective_date="2025-03-01",
                          recorded_at="2025-02-20T08:00:00Z", author="黟县编办",
                          doc_issuer="黟县机构编制委员会", doc_number=DOC, doc_date="2025-02-18",
                          message="渔亭镇三站合一") as tx:
        tx.create(TOWN + "-C2", "center", "渔亭镇农业农村综合服务中心", parent_id=TOWN, inst_quota=20,
                  chief_posts=1, deputy_posts=1, nameplates=["计生所"], functions=funcs, funding="full",
                  nature="public_welfare", rank="股级", regime="township_led")
        for i in old:
            tx.remove(i)
        tx.update(TOWN, inst_quota=20)
        tx.event("merge", from_ids=old, to_ids=[TOWN + "-C2"], documents=[DOC],
                 wording="渔亭镇为民服务中心、林业站、国土所整合为渔亭镇农业农村综合服务中心")
        res = tx.validate(townorg.Policy.load(waivers))
        print("dry run: conforms=%s, %d waived" % (res.conforms, sum(1 for f in res.findings if f.waived)))
        print(res.to_text("zh"), end="")
    d = repo.diff("main", "plan-2025", under=TOWN)
    print("diff main plan-2025: %d added, %d removed, %d changed" % (len(d.added), len(d.removed), len(d.changed)))
    r = d.reduction("organs", unit=TOWN)
    q = d.reduction("quota", unit=TOWN)
    print("渔亭镇 organs %d → %d 精简 %s%%; quota %d → %d 精简 %s%%" % (
        r["before"], r["after"], r["text"], q["before"], q["after"], q["text"]))
    repo.set_branch("main", repo["plan-2025"])
    head = repo["main"]
    print("main: %s %s %s" % (head.id[:12], head.meta["effective_date"], head.meta["doc_number"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

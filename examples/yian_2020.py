#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""义安镇, 涞水县 (篇10): the 2020 structure "四办、一队、一站、两中心".

    python3 examples/yian_2020.py [examples/data/yian.json] [policies/2020.json]

Prints the eight organs with their quotas (59 = 31 + 28; the organs hold 53),
the delegated powers (19 items for approval services, 112 for law
enforcement), and validates the town twice: with the 2008 default policy,
whose class limits flag the four offices, and with the policy of its own era.
"""
import os
import sys

import townorg

HERE = os.path.dirname(os.path.abspath(__file__))
TOWN = "130623102"


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(HERE, "data", "yian.json")
    policy_2020 = argv[2] if len(argv) > 2 else os.path.join(HERE, "..", "policies", "2020.json")
    repo = townorg.Repository.memory()
    repo.import_json(path)
    v = repo["main"]
    town = v[TOWN]
    print("%s %s (%s): 核定编制 %d 名（行政 %d，事业 %d）" % (
        town.name, town.id, v.meta["doc_number"], town.admin_quota + town.inst_quota,
        town.admin_quota, town.inst_quota))
    organs = [e for e in v.children(TOWN) if e.kind != "dispatched"]
    for e in organs:
        extra = " 承接下放权限%s项" % e.attrs["delegated_powers"] if "delegated_powers" in e.attrs else ""
        print("  %-8s %-24s %2d%s" % (e.kind, e.name, e.quota_total, extra))
    print("organs: %d, quota allocated %d of %d (admin %d of %d, inst %d of %d)" % (
        len(organs), v.quota_total(TOWN), town.admin_quota + town.inst_quota,
        v.quota_total(TOWN, "admin"), town.admin_quota, v.quota_total(TOWN, "inst"), town.inst_quota))
    powers = sum(int(e.attrs.get("delegated_powers", 0)) for e in organs)
    print("delegated powers: %d items" % powers)
    print("dispatched: " + ", ".join(e.name for e in v.children(TOWN) if e.kind == "dispatched"))
    for label, policy in (("2008 default", townorg.Policy()), ("2020", townorg.Policy.load(policy_2020))):
        res = v.validate(policy)
        print("[%s] conforms: %s" % (label, res.conforms))
        for f in res.findings:
            print("  %s %s %s" % (f.severity, f.rule, f.message_zh))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

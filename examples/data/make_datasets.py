#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Build the example datasets of examples/data/ with the library's own API.

    PYTHONPATH=BUILD/bindings/python/.libs:SRC/bindings/python \
        /usr/bin/python3 examples/data/make_datasets.py examples/data

Writes yixian.json, yian.json and district.json (repository documents in the
townorg/1 format) and the CSV table set yixian-tables/.  The output is
byte-stable: every version carries a fixed recorded time, so running the
script again gives the same files, version ids and state hashes.

Every number and name here is either from the seed document
(../shared/seeds/000_c8acfc90bc8cbbb8.txt, the section named in each
dataset) or a stand-in; stand-ins are listed on the entities themselves
(list attribute `stand_in`, naming the fields that are not from the seed)
and in each version's message.  examples/data/README.md says the same in
prose.
"""
import os
import shutil
import sys

import townorg

RECORDED = "2026-01-01T00:00:00Z"   # fixed, so the files are reproducible
SEED = "../shared/seeds/000_c8acfc90bc8cbbb8.txt"


def commit(repo, parent, branch, entities, removes=(), events=(), **meta):
    meta.setdefault("recorded_at", RECORDED)
    meta.setdefault("author", "libtownorg examples")
    if parent is None:
        tx = repo.transaction(branch=branch)
    else:
        tx = repo.transaction(branch=branch)
    tx.set_meta(**meta)
    for rid in removes:
        tx.remove(rid)
    for e in entities:
        e = dict(e)
        tx.create(e.pop("id"), e.pop("kind"), e.pop("name"), parent_id=e.pop("parent_id", None), **e)
    for ev in events:
        tx.event(**ev)
    return tx.commit()


# ====================================================================== 黟县 (篇7)
YI = "341023"
# (code, name, kind, class, leader posts, offices, admin pool, office quotas,
#  centre quota, forestry quota, land quota)
YI_TOWNS = [
    ("341023100", "碧阳镇", "town", "large", 9, 3, 40, (14, 12, 12), 21, 6, 2),
    ("341023101", "宏村镇", "town", "medium", 7, 3, 32, (11, 10, 10), 16, 5, 2),
    ("341023103", "西递镇", "town", "medium", 7, 3, 30, (10, 9, 9), 16, 5, 2),
    ("341023102", "渔亭镇", "town", "small", 7, 3, 28, (10, 9, 8), 15, 5, 2),
    ("341023202", "宏潭乡", "township", "small", 5, 2, 24, (12, 11), 13, 5, 2),
    ("341023203", "洪星乡", "township", "small", 5, 2, 23, (12, 10), 12, 5, 1),
    ("341023200", "柯村乡", "township", "small", 5, 2, 24, (12, 11), 12, 4, 1),
    ("341023201", "美溪乡", "township", "small", 5, 2, 23, (12, 10), 12, 4, 1),
]
# The seven institutions merged into 为民服务中心 and their functions
# (function names are the seed's post list: 农技、农机、水利水保、文化广播、计生…).
YI_STATIONS = [
    ("S1", "文化广播电视站", ["文化广播"]),
    ("S2", "农业综合服务站", ["农技推广", "农机"]),
    ("S3", "农经站", ["农村经济经营管理", "农村土地承包管理", "农民负担监督管理"]),
    ("S4", "水利站", ["水利水保"]),
    ("S5", "计生所", ["计划生育服务"]),
    ("S6", "蚕桑站", ["蚕桑技术服务"]),
    ("S7", "畜牧兽医站", ["畜牧兽医"]),
]
# 剥离原受委托承担的部分行政职能 … 收归乡镇政府 (篇7).
TAKEN_BACK = ["村镇建设规划", "农村土地承包管理", "农民负担监督管理"]
YI_DOC = "黟编〔2008〕5号"


def yixian_offices(code, kind, n, quotas, before):
    offices = []
    names = ["党政办公室", "经济发展办公室", "社会事业办公室"][:n]
    for i, (oname, q) in enumerate(zip(names, quotas), 1):
        e = {"id": "%s-O%d" % (code, i), "kind": "office", "name": oname, "parent_id": code,
             "admin_quota": q, "chief_posts": 1, "deputy_posts": 1 if q >= 12 else 0,
             "stand_in": ["admin_quota", "deputy_posts", "functions"]}
        funcs = {"党政办公室": ["党务政务", "社会治安综合治理"],
                 "经济发展办公室": ["经济发展", "财政管理"],
                 "社会事业办公室": ["社会事业", "人口与计划生育管理"]}[oname]
        plates = []
        if oname == "经济发展办公室":
            if before:
                funcs = ["经济发展"]
                e["admin_quota"] = q - 2      # 2 were the 财政所's
            else:
                plates = ["财政所"]
                funcs = funcs + TAKEN_BACK
        # 社会事务办公室（或党政办公室）对外挂计划生育办公室、社会治安综合治理办公室牌子
        if (oname == "社会事业办公室") or (oname == "党政办公室" and n == 2):
            if not before:
                plates = plates + ["计划生育办公室", "社会治安综合治理办公室"]
            if n == 2:
                funcs = funcs + ["社会事业", "人口与计划生育管理"]
        e["functions"] = funcs
        if plates:
            e["nameplates"] = plates
        offices.append(e)
    return offices


def make_yixian(outdir):
    repo = townorg.Repository.memory()
    county = {"id": YI, "kind": "county", "name": "黟县", "admin_quota": 224, "inst_quota": 193,
              "stand_in": ["inst_quota (before 2008)"]}
    depts = [
        {"id": YI + "-LYJ", "kind": "department", "name": "黟县林业局", "parent_id": YI},
        {"id": YI + "-GTJ", "kind": "department", "name": "黟县国土局", "parent_id": YI},
        {"id": YI + "-SFJ", "kind": "department", "name": "黟县司法局", "parent_id": YI},
    ]
    base, reform, removes, events = [county] + depts, [], [], []
    reform.append(dict(county, inst_quota=169, stand_in=[]))
    reform[-1].pop("stand_in")
    for code, name, kind, cls, leaders, n, pool, oq, cq, fq, lq in YI_TOWNS:
        # Before: no class or leader posts (the reform set them).
        pre_inst = cq + 3 + fq + lq
        base.append({"id": code, "kind": kind, "name": name, "parent_id": YI, "code": code,
                     "admin_quota": pool, "inst_quota": pre_inst,
                     "stand_in": ["admin_quota", "inst_quota"]})
        reform.append({"id": code, "kind": kind, "name": name, "parent_id": YI, "code": code,
                       "class": cls, "leader_posts": leaders,
                       "admin_quota": pool, "inst_quota": cq + fq + lq,
                       "stand_in": ["admin_quota", "inst_quota"]})
        base += yixian_offices(code, kind, n, oq, before=True)
        reform += yixian_offices(code, kind, n, oq, before=False)
        # 财政所: 各乡镇财政所不再单独设置（人、财、物全部划入所在乡镇政府）
        base.append({"id": code + "-CZS", "kind": "station", "name": name + "财政所", "parent_id": code,
                     "admin_quota": 2, "functions": ["财政管理"], "stand_in": ["admin_quota"]})
        removes.append(code + "-CZS")
        # The seven stations, with stand-in quotas that sum to the centre's + 3.
        total, ids = cq + 3, []
        for j, (sid, sname, funcs) in enumerate(YI_STATIONS):
            q = total // 7 + (1 if j < total % 7 else 0)
            base.append({"id": "%s-%s" % (code, sid), "kind": "station", "name": name + sname,
                         "parent_id": code, "inst_quota": q, "functions": funcs,
                         "stand_in": ["inst_quota", "functions"]})
            ids.append("%s-%s" % (code, sid))
            removes.append("%s-%s" % (code, sid))
        centre_funcs = sorted({f for _, _, fs in YI_STATIONS for f in fs} - set(TAKEN_BACK))
        centre = code + "-C1"
        reform.append({"id": centre, "kind": "center", "name": name + "为民服务中心", "parent_id": code,
                       "inst_quota": cq, "chief_posts": 1, "deputy_posts": 1 if cq >= 15 else 0,
                       "nameplates": ["计生所"], "functions": centre_funcs,
                       "funding": "full", "nature": "public_welfare", "rank": "股级", "regime": "township_led",
                       "stand_in": ["inst_quota (the county total 117 is from the seed)", "deputy_posts"]})
        # 林业站 and 国土所 stay, led by their county departments (以条为主).
        for sid, sname, dept, q, funcs in (("LYZ", "林业站", "LYJ", fq, ["林业管理"]),
                                           ("GTS", "国土所", "GTJ", lq, ["国土资源管理"])):
            eid = "%s-%s" % (code, sid)
            base.append({"id": eid, "kind": "station", "name": name + sname, "parent_id": code,
                         "inst_quota": q, "functions": funcs + (["村镇建设规划"] if sid == "GTS" else []),
                         "stand_in": ["inst_quota (county totals 39 and 13 are from the seed)", "functions"]})
            reform.append({"id": eid, "kind": "station", "name": name + sname, "parent_id": code,
                           "inst_quota": q, "chief_posts": 1, "functions": funcs,
                           "funding": "full", "rank": "股级", "regime": "department_led",
                           "supervisor": "%s-%s" % (YI, dept),
                           "stand_in": ["inst_quota (county totals 39 and 13 are from the seed)", "functions"]})
        # 司法所: 县司法局的派出机构，编制维持不变 (its quota is the department's).
        for lst in (base, reform):
            lst.append({"id": code + "-SFS", "kind": "dispatched", "name": name + "司法所", "parent_id": code,
                        "supervisor": YI + "-SFJ", "regime": "department_led", "functions": ["司法行政"]})
        events.append({"kind": "merge", "event_id": "merge-" + code, "from_ids": ids, "to_ids": [centre],
                       "documents": [YI_DOC],
                       "wording": "全县乡镇事业单位除林业站、国土所外，乡镇其他事业单位（文化广播电视站、农业综合服务站、"
                                  "农经站、水利站、计生所、蚕桑站、畜牧兽医站）全部撤销，统一设置乡镇“为民服务中心”（挂计生所牌子）。"})
        events.append({"kind": "merge", "event_id": "czs-" + code, "from_ids": [code + "-CZS"],
                       "to_ids": [code + "-O2"], "documents": [YI_DOC],
                       "wording": "经济发展办公室对外挂财政所牌子……各乡镇财政所不再单独设置（人、财、物全部划入所在乡镇政府）"})
        events.append({"kind": "transfer_functions", "event_id": "back-" + code,
                       "from_ids": ["%s-S3" % code, code + "-GTS"], "to_ids": [code + "-O2"],
                       "documents": [YI_DOC],
                       "wording": "乡镇事业单位原受委托承担的村镇建设规划、农村土地承包管理、农民负担监督管理等行政职能收归乡镇政府。"})
    v0 = commit(repo, None, "main", base, effective_date="2007-12-31",
                message="黟县乡镇机构改革前（基线）/ Yi County before the 2008 township reform (baseline).\n"
                        "Seed: 篇7 of %s. NOT from the seed (stand-ins): every quota below the county "
                        "and the county's institutional pool before the reform (193), the offices before 2008 "
                        "(shown as in 2008), the functions' wording, the 财政所's 2 posts; entity attribute "
                        "stand_in names them. No document: this version only sets the baseline." % SEED)
    repo.tag("2007-baseline", v0)
    v1 = commit(repo, v0, "main", reform, removes=removes, events=events,
                effective_date="2008-06-01", doc_issuer="黟县机构编制委员会", doc_number=YI_DOC,
                doc_date="2008-05-20", doc_title="黟县深化乡镇机构改革实施方案",
                message="黟县深化乡镇机构改革（篇7）/ Yi County township reform of 2008 (seed 篇7).\n"
                        "From the seed: the eight townships and their classes (碧阳镇 large; 宏村, 西递 medium; "
                        "渔亭镇, 宏潭, 洪星, 柯村, 美溪 small), their offices and leader posts (9/7/7/7/5/5/5/5), "
                        "the county pools (administrative 224, institutional 169 = 为民服务中心 117 + 林业站 39 + "
                        "国土所 13), the seven institutions merged into 为民服务中心 (挂计生所牌子), 林业站 and 国土所 "
                        "led by 林业局 and 国土局 (以条为主), the centre township-led (以块为主), all three fully "
                        "funded 股级, 财政所 folded into 经济发展办公室, the functions taken back by the township "
                        "government. NOT from the seed: the document number 黟编〔2008〕5号, its dates and title "
                        "(the seed cites only 综改〔20*〕1号), each township's share of the pools, deputy posts.")
    repo.tag("2008-reform", v1)
    repo.export_json(os.path.join(outdir, "yixian.json"))
    tables = os.path.join(outdir, "yixian-tables")
    shutil.rmtree(tables, ignore_errors=True)
    repo.export_tables(tables, lossy=True)
    return repo


# ====================================================================== 义安镇 (篇10)
def make_yian(outdir):
    repo = townorg.Repository.memory()
    LS, YA = "130623", "130623102"
    doc = "涞办字〔2020〕10号"
    ents = [
        {"id": LS, "kind": "county", "name": "涞水县"},
        {"id": LS + "-GAJ", "kind": "department", "name": "涞水县公安局", "parent_id": LS},
        {"id": LS + "-SFJ", "kind": "department", "name": "涞水县司法局", "parent_id": LS},
        {"id": LS + "-SCJ", "kind": "department", "name": "涞水县市场监督管理局", "parent_id": LS},
        {"id": YA, "kind": "town", "name": "义安镇", "parent_id": LS, "code": YA,
         "class": "medium", "admin_quota": 31, "inst_quota": 28,
         "stand_in": ["class (not in the seed; set so that the 2008 limits can be tried on the 2020 structure)"]},
    ]
    # 四办、一队、一站、两中心 with the seed's quotas.  The seed gives 59 = 31
    # administrative + 28 institutional and the organs' totals, not the type of
    # each: the offices are read as administrative (25 of 31, 6 left unallocated)
    # and the team, the station and the centres as institutional (11+3+8+6 = 28).
    organs = [
        ("O1", "office", "党政综合办公室", "admin", 10, ["党政综合事务"]),
        ("O2", "office", "党建工作办公室", "admin", 5, ["党的建设"]),
        ("O3", "office", "应急管理办公室", "admin", 5, ["应急管理", "安全生产"]),
        ("O4", "office", "自然资源和生态环境办公室", "admin", 5, ["自然资源管理", "生态环境保护"]),
        ("T1", "team", "综合行政执法队", "inst", 11, ["综合行政执法"]),
        ("S1", "station", "退役军人服务站", "inst", 3, ["退役军人服务"]),
        ("C1", "center", "行政综合服务中心", "inst", 8, ["审批服务", "公共服务"]),
        ("C2", "center", "农业综合服务中心", "inst", 6, ["农业技术服务"]),
    ]
    for sid, kind, name, qtype, q, funcs in organs:
        e = {"id": "%s-%s" % (YA, sid), "kind": kind, "name": "义安镇" + name, "parent_id": YA,
             qtype + "_quota": q, "functions": funcs,
             "stand_in": ["quota type (%s: the seed gives only the total per organ)" % qtype, "functions"]}
        if kind == "office":
            e["chief_posts"] = 1
        if sid == "C1":
            e["delegated_powers"] = "19"     # 审批服务事项：承接下发权限19项
        if sid == "T1":
            e["delegated_powers"] = "112"    # 综合执法事项：承接下放权限112项
            e["certified"] = "持证上岗"
        ents.append(e)
    for sid, name, dept, funcs in (("P1", "派出所", "GAJ", ["治安管理"]), ("P2", "司法所", "SFJ", ["司法行政"]),
                                   ("P3", "市场监管所", "SCJ", ["市场监管"])):
        ents.append({"id": "%s-%s" % (YA, sid), "kind": "dispatched", "name": "义安镇" + name, "parent_id": YA,
                     "supervisor": "%s-%s" % (LS, dept), "regime": "department_led", "functions": funcs})
    ev = [{"kind": "create", "event_id": "sidaniyiduiyizhanliangzhongxin",
           "to_ids": ["%s-%s" % (YA, o[0]) for o in organs], "documents": [doc], "date": "2020-06-01",
           "wording": "于2020年6月成立“四办、一队、一站、两中心”，即党政综合办公室、党建工作办公室、应急管理办公室、"
                      "自然资源和生态环境办公室、综合行政执法队、退役军人服务站、行政综合服务中心、农业综合服务中心"}]
    v = commit(repo, None, "main", ents, events=ev, effective_date="2020-06-01",
               doc_issuer="中共涞水县委办公室、涞水县人民政府办公室", doc_number=doc,
               doc_title="关于印发《涞水县深化乡镇改革实施方案》的通知",
               message="义安镇“四办、一队、一站、两中心”（篇10）/ 义安镇, Laishui County, 2020 (seed 篇10).\n"
                       "From the seed: the eight organs and their quotas (10+5+5+5+11+3+8+6 = 53), the town's "
                       "59 = 31 administrative + 28 institutional, the delegated powers (19 items for approval "
                       "services, 112 for law enforcement), the dispatched police, justice and market agencies, "
                       "the document 涞办字〔2020〕10号 and June 2020. NOT from the seed: the day (06-01), "
                       "which quota type each organ holds, the town's class (medium), the functions' wording.")
    repo.tag("2020-reform", v)
    repo.export_json(os.path.join(outdir, "yian.json"))
    return repo


# ====================================================================== the district of 篇4
P = "p4"
# 20 township-level units before 2005 (4 abolished, 2 created: 精简10% gives 20).
STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
KINDS = ["town"] * 8 + ["township"] * 12
ABOLISHED = {"p4-05": None, "p4-18": "p4-17", "p4-19": "p4-17", "p4-20": "p4-16"}  # 镇 → 2 街道; 乡 → neighbour
HAISHI = ("p4-16", "p4-17")          # 在++、++两个乡设海事所
NEW_SUBDISTRICTS = [("p4-21", "子街道"), ("p4-22", "丑街道")]
# Before 2002: the report's 21 institutions.  The 17 it counts ("由17个减为4个")
# are stations; the four the 2002 reform moved up to district departments are
# dispatched agencies here (see README.md: the dataset's reading).
PRE_INST = ["党校", "农经站", "农科站", "水管站", "水产站", "文化站", "广播站", "畜牧兽医站", "成人技术学校",
            "计划生育服务站", "计划生育办公室", "教育办公室", "企业办公室", "村规办", "农机站", "土地管理所", "财政所"]
PRE_UP = [("林业站", "LYJ"), ("司法所", "SFJ"), ("卫生院", "WSJ"), ("中小学", "JYJ")]
PRE_OFFICES = ["党委办公室", "政府办公室", "人大办公室", "农业综合办公室", "经贸办公室", "社会事业办公室",
               "教育办公室", "民政办公室", "统计办公室", "老龄办公室"]
PRE_PARTY = ["党委组织办公室", "党委宣传办公室"]   # stand-ins: 12 党政机构 − 10 行政机构
FUNC = {n: [n.replace("办公室", "").replace("站", "").replace("所", "") or n] for n in PRE_INST + PRE_OFFICES + PRE_PARTY}
FUNC["计划生育办公室"] = ["计划生育管理"]
FUNC["计划生育服务站"] = ["计划生育服务"]
FUNC["企业办公室"] = ["乡镇企业管理", "乡镇企业服务"]
FUNC["教育办公室"] = ["教育管理"]
FUNC["党校"] = ["党员干部教育"]
FUNC["村规办"] = ["村镇规划"]
FUNC["土地管理所"] = ["土地管理"]
FUNC["财政所"] = ["财政管理"]
DISTRICT_NOTE = ("The report (篇4) is redacted: the district, its townships and the document numbers are blanked "
                 "(++). Names like 甲镇, ids p4-NN, the quotas and every document number here are stand-ins; "
                 "the lists of institutions, the function maps and the counts are the report's.")


def pid(t, tag):
    return "%s-%s" % (t, tag)


def district_units():
    return ["p4-%02d" % i for i in range(1, 21)]


def make_district(outdir):
    repo = townorg.Repository.memory()
    depts = [("LYJ", "区林业局"), ("SFJ", "区司法局"), ("WSJ", "区卫生局"), ("JYJ", "区教育局"),
             ("CZJ", "区财政局"), ("GTJ", "区国土资源局"), ("DAJ", "区档案馆")]
    base = [{"id": P, "kind": "county", "name": "某区（篇4，区名隐去）", "stand_in": ["id", "name"],
             "note": DISTRICT_NOTE}]
    base += [{"id": pid(P, d), "kind": "department", "name": n, "parent_id": P, "stand_in": ["id"]} for d, n in depts]
    units = district_units()
    for i, t in enumerate(units):
        kind = KINDS[i]
        base.append({"id": t, "kind": kind, "name": STEMS[i] + ("镇" if kind == "town" else "乡"), "parent_id": P,
                     "stand_in": ["id", "name", "kind"]})
        for j, n in enumerate(PRE_OFFICES):
            base.append({"id": pid(t, "A%02d" % j), "kind": "office", "name": n, "parent_id": t,
                         "admin_quota": 3 if j < 8 else 2, "functions": FUNC[n], "stand_in": ["admin_quota", "functions"]})
        for j, n in enumerate(PRE_PARTY):
            base.append({"id": pid(t, "Y%02d" % j), "kind": "listed", "name": n, "parent_id": t, "admin_quota": 1,
                         "functions": ["党委" + n[2:4]],
                         "stand_in": ["name", "kind", "admin_quota", "functions",
                                      "the report counts 12 党政机构 and names 10"]})
        for j, n in enumerate(PRE_INST):
            base.append({"id": pid(t, "S%02d" % j), "kind": "station", "name": n, "parent_id": t,
                         "inst_quota": 3 if j < 6 else 2, "functions": FUNC[n], "stand_in": ["inst_quota", "functions"]})
        for j, (n, d) in enumerate(PRE_UP):
            base.append({"id": pid(t, "U%02d" % j), "kind": "dispatched", "name": n, "parent_id": t,
                         "functions": [n.replace("站", "").replace("所", "").replace("院", "") + "服务"],
                         "stand_in": ["kind (outside the report's count of 17)", "functions"]})
    v0 = commit(repo, None, "main", base, effective_date="2001-12-31",
                message="某区乡镇机构（2002年改革前）/ the district of 篇4 before the 2002 reform.\n"
                        "From the seed (篇4): the 21 institutions of a township (党校…中小学), the 10 offices "
                        "abolished in 2002, the counts 17 institutions, 12 party and government organs, 10 "
                        "administrative organs. " + DISTRICT_NOTE + " Every township is given the report's "
                        "per-township structure.")
    repo.tag("2001-baseline", v0)

    # ---------------------------------------------------------------- 2002
    doc02 = "某复〔2002〕1号"
    puts, removes, events = [], [], []
    def S(t, name):
        return pid(t, "S%02d" % PRE_INST.index(name))
    def A(t, name):
        return pid(t, "A%02d" % PRE_OFFICES.index(name))
    for t in units:
        new = [
            ("C1", "center", "农业综合服务中心", 10, "commercial",
             ["农科站", "农机站", "畜牧兽医站", "水管站", "农经站", "水产站"], ["乡镇企业服务"]),
            ("C2", "center", "国土规划建设综合管理中心", 8, "administrative", ["土地管理所", "村规办"], ["乡镇企业管理"]),
            ("C3", "center", "社会事业综合管理中心", 8, "public_welfare", ["文化站", "广播站", "成人技术学校", "党校"], []),
            ("S1", "station", "人口与计划生育管理所", 6, "administrative", ["计划生育办公室", "计划生育服务站"], []),
        ]
        for sid, kind, name, q, nature, olds, extra in new:
            funcs = sorted({f for o in olds for f in FUNC[o]} | set(extra))
            e = {"id": pid(t, "N02" + sid), "kind": kind, "name": name, "parent_id": t, "inst_quota": q,
                 "functions": funcs, "nature": nature,
                 "stand_in": ["inst_quota", "functions' wording"]}
            if name == "社会事业综合管理中心":
                e["nameplates"] = ["党校"]
            if name == "农业综合服务中心":
                e["stand_in"].append("农经站, 水产站 placed here in 2002 (the report names them only in 2005)")
            if name == "人口与计划生育管理所":
                e["stand_in"].append("计划生育服务站 placed here (the report names only 计生办)")
            puts.append(e)
            ids = [S(t, o) for o in olds]
            events.append({"kind": "merge", "event_id": "%s-%s" % (t, sid), "from_ids": ids,
                           "to_ids": [pid(t, "N02" + sid)], "documents": [doc02],
                           "wording": {"C1": "农业综合服务中心为服务性的事业单位，承担原农科站、农机站、兽医站、水管站的职能及企业办的部分职能",
                                       "C2": "国土规划建设综合管理中心为行使行政职能的事业单位，承担原土地管理所、村规办的职能及企业办的部分职能",
                                       "C3": "社会事业综合管理中心为公益性的事业单位，承担原文化站、广播站、成人技校的职能；保留党校，其机构归并社会事业综合管理中心",
                                       "S1": "人口与计划生育管理所承担原计生办的职能，仍为行使行政职能的事业单位"}[sid]})
        # 企业办: its functions split between two centres.
        events.append({"kind": "transfer_functions", "event_id": t + "-qyb", "from_ids": [S(t, "企业办公室")],
                       "to_ids": [pid(t, "N02C1"), pid(t, "N02C2")], "documents": [doc02],
                       "wording": "企业办的部分职能分别由农业综合服务中心、国土规划建设综合管理中心承担"})
        events.append({"kind": "transfer_functions", "event_id": t + "-jyb", "from_ids": [S(t, "教育办公室")],
                       "to_ids": [pid(P, "JYJ")], "documents": [doc02],
                       "wording": "（代拟）教育办公室（事业）的职能随中小学上划区教育局 — a stand-in disposition"})
        removes += [S(t, n) for n in PRE_INST if n not in ("财政所",)]
        # 财政所 kept (the report's fifth unit): an agency of the 区财政局 here.
        puts.append({"id": S(t, "财政所"), "kind": "dispatched", "name": "财政所", "parent_id": t,
                     "functions": ["财政管理"], "regime": "department_led", "supervisor": pid(P, "CZJ"),
                     "stand_in": ["kind dispatched: the report counts four of its five units "
                                  "(三个中心两个所, 17 → 4); the dataset reads 财政所 as the fifth, outside the count"]})
        for j, (n, d) in enumerate(PRE_UP):
            puts.append({"id": pid(t, "U%02d" % j), "kind": "dispatched", "name": n, "parent_id": t,
                         "functions": [n.replace("站", "").replace("所", "").replace("院", "") + "服务"],
                         "regime": "department_led", "supervisor": pid(P, d), "stand_in": ["functions"]})
        events.append({"kind": "move", "event_id": t + "-up", "from_ids": [pid(t, "U%02d" % j) for j in range(4)],
                       "to_ids": [pid(P, d) for _, d in PRE_UP], "documents": [doc02],
                       "wording": "保留林业站、司法所、卫生院、中小学校，其机构上划区直主管部门管理"})
        # Offices: 1–2 comprehensive offices replace the 10 (and the two party bodies).
        off = [("O1", "党政综合办公室", 14, ["党委办公室", "政府办公室", "人大办公室"]),
               ("O2", "财经社会办公室", 13, ["农业综合办公室", "经贸办公室", "社会事业办公室", "教育办公室",
                                           "民政办公室", "统计办公室", "老龄办公室"])]
        for sid, name, q, olds in off:
            funcs = sorted({f for o in olds for f in FUNC[o]})
            if sid == "O1":
                funcs = sorted(set(funcs) | {"党委组织", "党委宣传"})
            puts.append({"id": pid(t, "N02" + sid), "kind": "office", "name": name, "parent_id": t,
                         "admin_quota": q, "chief_posts": 1, "functions": funcs,
                         "stand_in": ["admin_quota", "which office took which function"]})
            from_ids = [A(t, o) for o in olds] + ([pid(t, "Y00"), pid(t, "Y01")] if sid == "O1" else [])
            events.append({"kind": "merge", "event_id": "%s-%s" % (t, sid), "from_ids": from_ids,
                           "to_ids": [pid(t, "N02" + sid)], "documents": [doc02],
                           "wording": "对原有的办公室（党委办公室、政府办公室、人大办公室、农业综合办公室、经贸办公室、社会事业办公室、"
                                      "教育办公室）和分设的小部门（民政办公室、统计办公室、老龄办公室等）全部撤销，并按职能划入相应办公室管理"})
        removes += [pid(t, "A%02d" % j) for j in range(len(PRE_OFFICES))] + [pid(t, "Y00"), pid(t, "Y01")]
    v1 = commit(repo, v0, "main", puts, removes=removes, events=events, effective_date="2002-12-31",
                doc_issuer="中共++市委、++市人民政府（篇4，名称隐去）", doc_number=doc02,
                doc_title="关于++机构改革的批复",
                message="2002年乡镇机构改革：“三个中心两个所”（篇4）/ the 2002 reform.\n"
                        "From the seed: the new units and what each took over, 林业站、司法所、卫生院、中小学 moved up to "
                        "district departments, the offices reduced to 党政综合办公室 and 财经社会办公室, 17 → 4 institutions "
                        "(76%), 8–10 → 1–2 offices, admin quota −10%, institutional quota −20%; administrative part "
                        "done by the end of December 2002. NOT from the seed: the document number (the seed has "
                        "+复〔2002〕++号), the quotas (chosen to give −10% and −20%), 财政所 as a dispatched agency.")
    repo.tag("2002-reform", v1)

    # ---------------------------------------------------------------- 2005 区划调整
    doc05a = "某复〔2005〕1号"
    puts, removes, events = [], [], []
    ids_of = {t: [e.id for e in repo["main"].children(t)] for t in units}
    for t, into in ABOLISHED.items():
        removes.append(t)
        removes += ids_of[t]
        events.append({"kind": "abolish", "event_id": t + "-organs", "from_ids": ids_of[t], "documents": [doc05a],
                       "wording": "涉及撤销的4个乡镇的所有机构全部撤销，所有人员按区划调整分流"})
        events.append({"kind": "transfer_archives", "event_id": t + "-archives", "from_ids": [t],
                       "to_ids": [pid(P, "DAJ")], "documents": [doc05a],
                       "wording": "（代拟）撤销乡镇的档案移交区档案馆 — stand-in (篇2's rule, not in 篇4)"})
        if into is None:
            events.append({"kind": "split", "event_id": t, "from_ids": [t], "to_ids": [s for s, _ in NEW_SUBDISTRICTS],
                           "documents": [doc05a], "wording": "++镇撤销后，新设立++、++2个街道办事处"})
        else:
            events.append({"kind": "merge", "event_id": t, "from_ids": [t], "to_ids": [into], "documents": [doc05a],
                           "wording": "全区共撤销4个乡镇（++镇、++乡、++乡、++乡）— merged into a neighbour (stand-in)"})
    for s, name in NEW_SUBDISTRICTS:
        puts.append({"id": s, "kind": "subdistrict", "name": name + "办事处", "parent_id": P,
                     "stand_in": ["id", "name"]})
        events.append({"kind": "create", "event_id": "create-" + s, "to_ids": [s], "documents": [doc05a],
                       "wording": "新设立++、++2个街道办事处"})
    v2 = commit(repo, v1, "main", puts, removes=removes, events=events, effective_date="2005-06-30",
                doc_issuer="++省人民政府（篇4，名称隐去）", doc_number=doc05a,
                doc_title="关于调整++和++部分乡（镇）行政区划的批复",
                message="2005年区划调整：撤销4个乡镇，新设2个街道办事处（篇4）/ 2005: 4 townships abolished, 2 "
                        "sub-districts created; 20 → 18 units (精简10%).\n"
                        "From the seed: 4 abolished (one 镇, three 乡), the 镇 replaced by 2 街道办事处, all their "
                        "organs abolished and staff redeployed, 精简10%. NOT from the seed: which units (names "
                        "redacted), where the three 乡 went, the date, the document number (the seed has "
                        "++复〔2005〕++号), the archives' transfer.")
    repo.tag("2005-redistricting", v2)

    # ---------------------------------------------------------------- 2005 机构改革
    doc05b = "某发〔2004〕1号"
    puts, removes, events = [], [], []
    live = [t for t in units if t not in ABOLISHED] + [s for s, _ in NEW_SUBDISTRICTS]
    for t in live:
        fresh = t in dict(NEW_SUBDISTRICTS)
        old = {} if fresh else {e.name: e.id for e in repo["main"].children(t)}
        new = [
            ("O1", "office", "党政综合办公室", "admin", 10, ["党务政务", "社会治安综合治理"], ["社会治安综合治理办公室"]),
            ("O2", "office", "经济发展办公室", "admin", 9, ["经济发展", "安全生产监督管理", "乡镇企业管理"], ["安全生产监督管理站"]),
            ("O3", "office", "社会事务办公室", "admin", 8, ["社会事务", "人口和计划生育管理", "科学技术"],
             ["人口和计划生育办公室", "科学技术办公室"]),
            ("C1", "center", "社会事务服务中心", "inst", 6, ["计划生育服务", "农村新型合作医疗", "劳动和社会保障"],
             ["农村新型合作医疗管理办公室", "劳动和社会保障所"]),
            ("C2", "center", "农业（经济技术）服务中心", "inst", 8,
             ["农经", "农科", "水产", "水管", "农机", "乡镇企业服务"], []),
            ("C3", "center", "文化（广播）服务中心", "inst", 4, ["文化", "广播", "成人技术"], []),
            ("C4", "center", "村镇（社区）建设服务中心", "inst", 5, ["村镇规划", "路政管理", "土地管理"], []),
            ("S1", "station", "畜牧兽医站", "inst", 3, ["畜牧兽医"], []),
            ("S2", "station", "党校", "inst", 3, ["党员干部教育"], []),
        ]
        if t in HAISHI:
            new.append(("S3", "station", "海事所", "inst", 3, ["水上交通安全管理"], []))
        if fresh:
            new.append(("S4", "station", "计划财政管理所", "inst", 3, ["计划财政管理"], []))
        for sid, kind, name, qt, q, funcs, plates in new:
            e = {"id": pid(t, "N05" + sid), "kind": kind, "name": name, "parent_id": t, qt + "_quota": q,
                 "functions": funcs, "stand_in": [qt + "_quota", "functions' wording"]}
            if kind != "office":
                e["funding"] = "full"
                e["nature"] = "administrative" if name == "海事所" else "public_welfare"
            else:
                e["chief_posts"] = 1
            if plates:
                e["nameplates"] = plates
            if sid == "C1":
                e["stand_in"].append("nameplates: the report puts 农村新型合作医疗管理办公室 and 劳动和社会保障所 "
                                     "after 农业服务中心, but gives their functions to 社会事务服务中心")
            if sid == "C4":
                e["stand_in"].append("土地管理 placed here")
            puts.append(e)
        if not fresh:
            removes += [old[n] for n in old if n not in ("林业站", "司法所", "卫生院", "中小学", "财政所")]
            events.append({"kind": "reorganize", "event_id": t + "-2005",
                           "from_ids": sorted(old[n] for n in old if n not in ("林业站", "司法所", "卫生院", "中小学", "财政所")),
                           "to_ids": [pid(t, "N05" + n[0]) for n in new], "documents": [doc05b],
                           "wording": "农业服务中心包括原（2002年前）农经站、农科站、水产站、水管站、农机站职能，社会事务服务中心包括"
                                      "计划生育服务、农村新型合作医疗、劳动和社会保障职能，文化服务中心包括原文化站、广播站职能，"
                                      "村镇建设服务中心包括原村规办、路政管理职能。乡镇行政机构设置3个综合性办公室"})
        else:
            events.append({"kind": "create", "event_id": t + "-2005", "to_ids": [pid(t, "N05" + n[0]) for n in new],
                           "documents": [doc05b], "wording": "++、++两个办事处设计划财政管理所"})
    v3 = commit(repo, v2, "main", puts, removes=removes, events=events, effective_date="2006-03-31",
                doc_issuer="++省委、++省人民政府（篇4，名称隐去）", doc_number=doc05b,
                doc_title="关于深化乡镇机构改革的实施意见（试行）",
                message="2005年乡镇机构改革：“一校一站四中心”（篇4）/ the 2005 reform, done by March 2006.\n"
                        "From the seed: 一校一站四中心 and what each centre holds, 海事所 in two 乡, 计划财政管理所 in "
                        "the two 办事处, the three offices and their nameplates, and against the units before 2002: "
                        "党政机构 12 → 3 (75%), 事业站所 17 → 7 (59%), 行政机构 10 → 3 (70%) — 7 where a 海事所 "
                        "was set up (p4-16, p4-17), 6 elsewhere. NOT from the seed: the document number (the seed "
                        "has +发〔2004〕+=号), quotas, which 乡 got 海事所, where 土地管理 went.")
    repo.tag("2005-reform", v3)
    repo.export_json(os.path.join(outdir, "district.json"))
    return repo


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    make_yixian(outdir)
    make_yian(outdir)
    make_district(outdir)


if __name__ == "__main__":
    main(sys.argv)

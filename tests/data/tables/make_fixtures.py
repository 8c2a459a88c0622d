#!/usr/bin/env python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Make the table-set fixtures of tests/check_tables.c from mini/.

Each fixture is a whole table set (four files) that differs from mini/ in
one way, so a reader can diff it against mini/ to see what is wrong with
it.  Run from this directory after changing mini/:  python3 make_fixtures.py
The expected error of each bad-* set is listed in check_tables.c.
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ["versions.csv", "base.csv", "changes.csv", "events.csv"]


def load():
    out = {}
    for f in FILES:
        with open(os.path.join(HERE, "mini", f), "rb") as fh:
            out[f] = fh.read()
    return out


def write(name, files):
    d = os.path.join(HERE, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for f, data in files.items():
        if data is None:
            continue
        with open(os.path.join(d, f), "wb") as fh:
            fh.write(data)


def sub(files, f, old, new, count=1):
    text = files[f].decode("utf-8")
    assert old in text, (f, old)
    files[f] = text.replace(old, new, count).encode("utf-8")
    return files


def case(name, f, old, new):
    write(name, sub(load(), f, old, new))


# ---- good variants -------------------------------------------------------
# GB18030, as Excel/WPS save CSV on Chinese Windows.
files = load()
write("gb18030", {f: d.decode("utf-8").encode("gb18030") for f, d in files.items()})

# UTF-8 with BOM, CRLF line ends, and an extra column holding a quoted
# multi-line note: same state as mini/, lines counted through the note.
files = load()
rows = files["base.csv"].decode("utf-8").splitlines()
rows[0] += ",备注"
rows[1] += ',"全县核定乡镇总行政编制224名,\n事业总编制169名"'
for i in range(2, len(rows)):
    rows[i] += ","
files["base.csv"] = b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n"
write("bom-crlf", files)

# ---- bad sets -------------------------------------------------------------
files = load()
files["events.csv"] = None
write("bad-missing-file", files)

files = load()
rows = [r.split(",") for r in files["base.csv"].decode("utf-8").splitlines()]
text = files["base.csv"].decode("utf-8").replace(",admin_quota", "", 1)
files["base.csv"] = text.encode("utf-8")
write("bad-missing-column", files)

case("bad-unknown-kind", "changes.csv", "1,upsert,341023-002,341023,town,", "1,upsert,341023-002,341023,twon,")
case("bad-negative-quota", "base.csv", "碧阳镇党政办公室,,,,,10,", "碧阳镇党政办公室,,,,,-3,")
case("bad-nonnumeric-quota", "base.csv", "碧阳镇党政办公室,,,,,10,", "碧阳镇党政办公室,,,,,ten,")
case("bad-huge-quota", "base.csv", "碧阳镇党政办公室,,,,,10,", "碧阳镇党政办公室,,,,,99999999999999999999,")
case("bad-area", "base.csv", "212.5", "212.55")
case("bad-duplicate-id", "base.csv", "341023-001-04,341023-001,dispatched,碧阳司法所,,,,,,,,3\n",
     "341023-001-04,341023-001,dispatched,碧阳司法所,,,,,,,,3\n341023-001-01,341023-001,office,重复,,,,,1,,1,1\n")
case("bad-duplicate-change", "changes.csv", "1,delete,341023-001-04,,,,,,,,,,,\n",
     "1,delete,341023-001-04,,,,,,,,,,,\n1,upsert,341023-002-01,341023-002,office,又一行,,,,,7,,1,6\n")
case("bad-dangling-parent", "changes.csv", "2,upsert,341023-001-05,341023-001,team,",
     "2,upsert,341023-001-05,341023-009,team,")
case("bad-kind-placement", "base.csv", "341023-001-04,341023-001,dispatched,", "341023-001-04,341023,dispatched,")
case("bad-removed-parent", "changes.csv", "1,delete,341023-001-04,,,,,,,,,,,\n",
     "1,delete,341023-001-04,,,,,,,,,,,\n1,delete,341023-001,,,,,,,,,,,\n")
case("bad-unknown-op", "changes.csv", "1,delete,", "1,remove,")
case("bad-delete-missing", "changes.csv", "1,delete,341023-001-04,", "1,delete,341023-001-99,")
case("bad-unknown-version", "changes.csv", "2,upsert,341023-001-05,", "5,upsert,341023-001-05,")
case("bad-change-to-first", "changes.csv", "2,upsert,341023-001-05,", "0,upsert,341023-001-05,")
case("bad-event-kind", "events.csv", "2,create,", "2,found,")
case("bad-event-version", "events.csv", "2,create,", "9,create,")
case("bad-versions-order", "versions.csv",
     "1,0,2010-01-01,\"黟编〔2010〕3号, 附件1\"\n2,1,2012-07-01,\n",
     "2,1,2012-07-01,\n1,0,2010-01-01,\"黟编〔2010〕3号, 附件1\"\n")
case("bad-unknown-parent", "versions.csv", "2,1,2012-07-01,", "2,7,2012-07-01,")
case("bad-fork", "versions.csv", "2,1,2012-07-01,", "2,0,2012-07-01,")
case("bad-date", "versions.csv", "2010-01-01", "2010-02-30")
case("bad-date-backwards", "versions.csv", "2012-07-01", "2009-07-01")
case("bad-duplicate-version", "versions.csv", "2,1,2012-07-01,", "1,1,2012-07-01,")
case("bad-cell-count", "base.csv", "碧阳镇为民服务中心,,,,,,20,1,18", "碧阳镇为民服务中心,,,,,,20,1")
case("bad-quote", "base.csv", "碧阳镇为民服务中心,", "碧阳镇为\"民服务中心,")
case("bad-unterminated", "events.csv", "2,transfer_staff,341023-001-03,341023-001-05\n",
     "2,transfer_staff,\"341023-001-03,341023-001-05\n")

# invalid UTF-8: a Chinese (UTF-8) file with one sequence cut short
files = load()
files["base.csv"] = files["base.csv"].replace("宏潭乡党政".encode("utf-8"), "宏潭乡党".encode("utf-8") + b"\xe6\x94")
write("bad-utf8", files)

# UTF-16 (what "Unicode text" means in Excel's save dialog)
files = load()
files["changes.csv"] = b"\xff\xfe" + files["changes.csv"].decode("utf-8").encode("utf-16-le")
write("bad-utf16", files)

# neither UTF-8 nor GB18030: 0xFF is a lead byte in neither
files = load()
files["events.csv"] = files["events.csv"].replace(b"transfer_staff", b"transfer\xff\xffstaff")
write("bad-encoding", files)

# Big5 (Traditional Chinese, as saved on Taiwanese or Hong Kong Windows):
# decodes as GBK only into private-use characters
files = load()
TRAD = {"黟县": "祁門縣", "碧阳镇": "碧陽鎮", "党政": "黨政", "经济发展办公室": "經濟發展辦公室",
        "办公室": "辦公室", "为民服务中心": "為民服務中心", "碧阳司法所": "碧陽司法所", "宏潭乡": "宏潭鄉",
        "财政所": "財政所", "综治办": "綜治辦"}
text = files["base.csv"].decode("utf-8")
for k, v in TRAD.items():
    text = text.replace(k, v)
files["base.csv"] = text.encode("big5")
write("bad-big5", files)

# CRLF and BOM and a multi-line note before the bad row: line numbers hold
shutil.copytree(os.path.join(HERE, "bom-crlf"), os.path.join(HERE, "bad-crlf-line"), dirs_exist_ok=True)
p = os.path.join(HERE, "bad-crlf-line", "base.csv")
with open(p, "rb") as fh:
    data = fh.read()
with open(p, "wb") as fh:
    fh.write(data.replace("碧阳镇为民服务中心,,,,,,20,".encode("utf-8"), "碧阳镇为民服务中心,,,,,,-20,".encode("utf-8")))

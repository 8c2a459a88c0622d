#!/bin/bash
# Rebuild the seed corpora fuzz/corpus/<target>/ from the fixtures of
# tests/data, the bad-input corpus tests/bad, policies/ and examples/.
#   fuzz/make_corpus.sh [TOWNORG_PROGRAM]
# With the path of a built `townorg` program, also makes small repository
# files as seeds of fuzz_store (else the committed ones are kept).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
C=$SRC/fuzz/corpus
T=$SRC/tests/data
mkdir -p "$C"
for t in json_repo json_snapshot entity_json tables nbs mca policy version_name docnum store xlsx; do
	mkdir -p "$C/fuzz_$t"
done
sep() { printf '%%%%\n'; }
# Join the files of a folder, in the order given, into one input.
bundle() {
	local dir=$1 first=1
	shift
	for f in "$@"; do
		[ $first = 1 ] || sep
		first=0
		if [ -f "$dir/$f" ]; then cat "$dir/$f"; fi
	done
}
# JSON documents (good and bad) seed both document importers.
for f in "$T"/json/good/*.json "$T"/json/bad/*.json "$SRC"/examples/*.json; do
	[ -f "$f" ] || continue
	cp "$f" "$C/fuzz_json_repo/"
	cp "$f" "$C/fuzz_json_snapshot/"
done
# Entity objects: every line of the good documents that holds one.
n=0
for f in "$T"/json/good/*.json; do
	grep -o '{"id":.*}' "$f" | sed 's/,$//' | head -20 | while IFS= read -r line; do
		printf '%s' "$line" >"$C/fuzz_entity_json/$(basename "$f" .json)-$((n++))"
	done
done
# Table sets.
for d in "$T"/tables/*/; do
	bundle "$d" versions.csv base.csv changes.csv events.csv >"$C/fuzz_tables/$(basename "$d")"
done
# NBS editions.
for d in "$T"/nbs/[0-9]*/ "$T"/nbs/bad/*/[0-9]*/; do
	name=$(echo "${d#$T/nbs/}" | tr / -)
	bundle "$d" provinces.csv cities.csv areas.csv streets.csv >"$C/fuzz_nbs/${name%-}"
done
# MCA tables.
for f in "$T"/mca/*.csv "$T"/mca/bad/*.csv; do
	cp "$f" "$C/fuzz_mca/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Policies.
for f in "$T"/policies/*.json "$SRC"/policies/*.json; do
	cp "$f" "$C/fuzz_policy/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Version names and document numbers.
i=0
for name in main plan v3 main~3 plan~1 main@2013-06-01 main@2099-12-31 main~0 'main@2012-02-30' v9 \
	'main~99999999999999999999' 'main@' '~1' 'plan@2010-01-01~1' main~1~1 0000 abcd; do
	printf '%s' "$name" >"$C/fuzz_version_name/name-$((i++))"
done
i=0
for num in '涞办字〔2020〕10号' '黟编〔2010〕3号' '冀民函[2022]79号' '冀民函（2022）79号' '皖政【2019】１２号' \
	'〔2020〕10号' '涞办字〔20〕10号' '涞办字〔2020〕号' '涞办字〔2020' '国发〔2016〕99999999999999999999号' \
	'黟编〔2010〕3号, 附件1' ''; do
	printf '%s' "$num" >"$C/fuzz_docnum/doc-$((i++))"
done
# Stores: foreign files and, with the townorg program, real ones.
printf 'SQLite format 3\0' >"$C/fuzz_store/header-only"
printf 'not a database at all\n' >"$C/fuzz_store/text"
if [ $# -ge 1 ] && [ -x "$1" ]; then
	tmp=$(mktemp -d)
	"$1" init "$tmp/a.townorg" >/dev/null
	"$1" import "$tmp/a.townorg" "$T/tables/mini" --quiet >/dev/null
	cp "$tmp/a.townorg" "$C/fuzz_store/mini.townorg"
	"$1" init "$tmp/empty.townorg" >/dev/null
	cp "$tmp/empty.townorg" "$C/fuzz_store/empty.townorg"
	rm -rf "$tmp"
fi
# Workbooks: the parts of hand-made 台账 sheets (fuzz_xlsx.c's "%%" form),
# and with the townorg program, the parts of an exported workbook.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" - "$C/fuzz_xlsx" "${1:-}" "$T/tables/mini" <<'PYEOF'
import os, subprocess, sys, tempfile, zipfile
out, prog, mini = sys.argv[1], sys.argv[2], sys.argv[3]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
def workbook(names):
    return ('<?xml version="1.0"?><workbook %s %s><sheets>' % (NS, R) + "".join(
        '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n, i + 1, i + 1) for i, n in enumerate(names)) +
        "</sheets></workbook>")
def rels(n, sst=True):
    return ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        "".join('<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, REL, i + 1)
                for i in range(n)) +
        ('<Relationship Id="rIdS" Type="%ssharedStrings" Target="sharedStrings.xml"/>' % REL if sst else "") +
        "</Relationships>")
def cell(ref, v):
    if isinstance(v, (int, float)):
        return '<c r="%s"><v>%s</v></c>' % (ref, v)
    if isinstance(v, tuple):
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, v[0])
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, v)
def sheet(rows):
    body = ""
    for r, row in enumerate(rows, 1):
        body += '<row r="%d">' % r + "".join(cell("ABCDEFGHIJKLMNOP"[c] + str(r), v) for c, v in enumerate(row) if v is not None) + "</row>"
    return '<?xml version="1.0"?><worksheet %s><sheetData>%s</sheetData></worksheet>' % (NS, body)
sst = '<?xml version="1.0"?><sst %s><si><t>生效日期</t></si><si><r><t>黟编〔2008〕</t></r><r><t>5号</t></r><rPh><t>x</t></rPh></si></sst>' % NS
info = sheet([["项目", "内容"], [(0,), 39600], ["文号", (1,)], ["状态哈希", "00"]])
towns = sheet([["编码", "名称", "类型", "上级编码", "类别", "区域面积（平方公里）", "行政编制", "职能", "编制：worker", "属性：remark", "列表：tags", "备注"],
               ["341023", "黟县", "县"], [3.410231e8, "碧阳镇", "镇", 341023, "大", 146.69999999999999, 40, "农技推广\n文化", 3, "x", "a\nb", "?"],
               ["341023101", "宏村镇", "镇", "341023", "中", 96, 32]])
events = sheet([["事件编号", "类型", "原编码", "新编码", "文号", "日期", "原文表述"], ["e1", "撤并", "a\nb", "341023100", "黟编〔2008〕5号", 39600, "合并"]])
seeds = {
    "info-towns": [workbook(["说明", "乡镇"]), rels(2), sst, info, towns],
    "towns-events": [workbook(["乡镇", "事件"]), rels(2, False), "", towns, events],
    "office-own": [workbook(["机构表", "统计"]), rels(2, False), "",
                   sheet([["机构编码", "单位名称", "机构类型", "所属编码"], [341023, "黟县", "县级市"], ["x1", "党政办", "综合性办公室", 341023]]),
                   sheet([["a", "b"], [1, 2]])],
    "bad-kind": [workbook(["乡镇"]), rels(1, False), "", sheet([["编码", "名称", "类型"], ["1", "x", "twon"]]), ""],
    "dup-id": [workbook(["乡镇"]), rels(1, False), "", sheet([["编码", "名称", "类型"], ["1", "x", "镇"], [1, "y", "乡"]]), ""],
    "no-sst": [workbook(["乡镇"]), rels(1), "", sheet([["编码", "名称", "类型"], [(5,), "x", "镇"]]), ""],
}
for name, ps in seeds.items():
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write("\n%%\n".join(ps))
if prog and os.access(prog, os.X_OK):
    with tempfile.TemporaryDirectory() as tmp:
        repo, xl = os.path.join(tmp, "a.townorg"), os.path.join(tmp, "a.xlsx")
        subprocess.run([prog, "init", repo], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([prog, "import", repo, mini, "--quiet"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([prog, "export", repo, "main", "--format", "xlsx", "-o", xl], check=True)
        z = zipfile.ZipFile(xl)
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        wb = z.read("xl/workbook.xml").decode()
        for i in range(1, len(names)):
            parts = [workbook(["说明" if i == 1 else "sheet", "乡镇" if i > 1 else "区划"]), rels(2),
                     z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else "",
                     z.read("xl/worksheets/sheet1.xml").decode(), z.read(names[i]).decode()]
            with open(os.path.join(out, "exported-%d" % i), "w", encoding="utf-8") as f:
                f.write("\n%%\n".join(parts))
        if os.path.getsize(xl) <= 16384:
            with open(xl, "rb") as a, open(os.path.join(out, "exported.xlsx"), "wb") as b:
                b.write(a.read())
PYEOF
# The store's decoders (fuzz_store_{envelope,pack,body,version}): real
# encoded objects from the fuzz_store seed (whose versions fuzz_store_version
# resolves parents in) and, with the program, an NBS history with events.
mkdir -p "$C/fuzz_store_envelope" "$C/fuzz_store_pack" "$C/fuzz_store_body" "$C/fuzz_store_version"
stores=("$C/fuzz_store/mini.townorg")
if [ $# -ge 1 ] && [ -x "$1" ]; then
	tmp=$(mktemp -d)
	"$1" init "$tmp/nbs.townorg" >/dev/null
	"$1" import "$tmp/nbs.townorg" "$T/nbs" --events "$T/mca" --quiet >/dev/null
	stores+=("$tmp/nbs.townorg")
fi
/usr/bin/python3 "$SRC/fuzz/store_seeds.py" "$C" "${stores[@]}"
[ -z "${tmp:-}" ] || rm -rf "$tmp"
for t in "$C"/*/; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# `townorg report` in a real browser: headless Chromium (Debian `chromium`)
# loads the reports of the 黟县 example (2007-baseline → 2008-reform, with
# the waivers) and of the 义安镇 example (2020-reform, the 2020 policy; in
# Chinese, and in English for the town itself), and
# tests/check-report-dom.py checks the DOM Chromium built: every township in
# the table and in the charts, the charts inline SVG with <text>, the
# numbers equal to `townorg diff --json`, nothing loaded from the network.
# Chromium then prints the report to PDF: the pages must be A4.
#
# Without chromium the whole test is a visible SKIP (TAP "1..0 # SKIP").
# REPORT_SCREENSHOTS=DIR keeps the screenshots (A4 at 150 dpi: 1240×1754)
# in DIR — how docs/img/report-*.png were made.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
TOWNORG="$top_builddir/cli/townorg"
EX="$top_srcdir/examples/data"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$(command -v "$c"); break; fi
done
if [ -z "$CHROMIUM" ]; then
	echo "1..0 # SKIP chromium is not installed (apt-get install chromium)"
	exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/townorg-report.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

# Charts are drawn where this townorg was built with Graphviz.
CHARTS=0
grep -q '^#define HAVE_GRAPHVIZ 1' "$top_builddir/config.h" && CHARTS=1

browser() { # browser ARGS... URL: headless, offline, a fresh profile each time
	prof=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-extensions \
		--user-data-dir="$prof" "$@" 2>>"$TMP/chromium.log"
}

# report NAME REPO FROM TO UNIT POLICY LANG TOWNSHIP...: make, load, check
report() {
	name=$1 repo=$2 from=$3 to=$4 unit=$5 policy=$6 lang=$7
	shift 7
	html="$TMP/$name.html"
	if "$TOWNORG" report "$repo" "$from" "$to" --under "$unit" --policy "$policy" --lang "$lang" -o "$html" \
		2>"$TMP/err"; then
		ok "$name: townorg report writes $name.html"
	else
		not_ok "$name: townorg report writes $name.html"; sed 's/^/# /' "$TMP/err"; return
	fi
	"$TOWNORG" diff "$repo" "$from" "$to" --json --under "$unit" >"$TMP/$name.diff.json"
	browser --dump-dom "file://$html" >"$TMP/$name.dom.html"
	check "$name: chromium renders the report" test -s "$TMP/$name.dom.html"
	"$PY" "$top_srcdir/tests/check-report-dom.py" "$TMP/$name.dom.html" "$TMP/$name.diff.json" "$CHARTS" "$@" \
		>"$TMP/dom.tap"
	while IFS= read -r line; do
		case $line in
		"ok "*) n=$((n + 1)); echo "ok $n - $name: ${line#* - }" ;;
		"not ok "*) n=$((n + 1)); fail=1; echo "not ok $n - $name: ${line#* - }" ;;
		*) echo "$line" ;;
		esac
	done <"$TMP/dom.tap"
	browser --screenshot="$TMP/$name.png" --window-size=1240,1754 --hide-scrollbars "file://$html" >/dev/null
	check "$name: a screenshot is taken" test -s "$TMP/$name.png"
	browser --print-to-pdf="$TMP/$name.pdf" --no-pdf-header-footer "file://$html" >/dev/null
	# A4 is 595.28 × 841.89 points: every page's MediaBox must be that
	pages=$("$PY" -c 'import re, sys
boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", open(sys.argv[1], "rb").read())
a4 = [b for b in boxes if abs(float(b[0]) - 595.28) < 1 and abs(float(b[1]) - 841.89) < 1]
print(len(boxes) if boxes and len(a4) == len(boxes) else 0)' "$TMP/$name.pdf" 2>/dev/null)
	if [ "${pages:-0}" -gt 0 ]; then
		ok "$name: printed to PDF, $pages A4 pages"
	else
		not_ok "$name: printed to PDF on A4 pages"
		LC_ALL=C grep -a -o "MediaBox[^]]*]" "$TMP/$name.pdf" 2>/dev/null | head -3 | sed 's/^/# /'
	fi
	if [ -n "${REPORT_SCREENSHOTS:-}" ]; then
		mkdir -p "$REPORT_SCREENSHOTS" && cp "$TMP/$name.png" "$TMP/$name.html" "$REPORT_SCREENSHOTS/"
	fi
}

Y="$TMP/黟县.townorg"
"$TOWNORG" init "$Y" >/dev/null && "$TOWNORG" import "$Y" "$EX/yixian.json" --quiet
check "the 黟县 example is imported" test -s "$Y"
report yixian "$Y" 2007-baseline 2008-reform 341023 "$EX/yixian-waivers.json" zh \
	碧阳镇 宏村镇 西递镇 渔亭镇 宏潭乡 洪星乡 柯村乡 美溪乡
# the findings and their waivers are in the DOM too
check "yixian: 渔亭镇's two findings are shown waived with their document" \
	test "$(grep -o 'data-waived="1"' "$TMP/yixian.dom.html" | wc -l)" -ge 2 -a \
	"$(grep -c '黟编〔2008〕12号' "$TMP/yixian.dom.html")" -ge 1
check "yixian: the county conforms with the waivers" grep -q 'data-conforms="1"' "$TMP/yixian.dom.html"
check "yixian: the events carry their document" grep -q '黟编〔2008〕5号' "$TMP/yixian.dom.html"

A="$TMP/义安镇.townorg"
"$TOWNORG" init "$A" >/dev/null && "$TOWNORG" import "$A" "$EX/yian.json" --quiet
check "the 义安镇 example is imported" test -s "$A"
report yian "$A" 2020-reform 2020-reform 130623 "$top_srcdir/policies/2020.json" zh 义安镇
report yian-en "$A" 2020-reform 2020-reform 130623102 "$top_srcdir/policies/2020.json" en 义安镇
check "yian-en: the report is in English" grep -q '<html lang="en">' "$TMP/yian-en.dom.html"
if [ "$CHARTS" = 1 ]; then
	check "yian-en: the town's chart shows its organs with quotas and leader posts" \
		grep -q '综合行政执法队' "$TMP/yian-en.dom.html"
fi
echo "1..$n"
exit $fail

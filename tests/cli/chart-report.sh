#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# townorg chart and townorg report (issue 21): formats, the output written
# through a temporary file and renamed, never over the repository, and bad
# arguments refused with a clear message.  The browser checks of the
# report are tests/check-report.sh.
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX="$top_srcdir/examples/data"
R="$TMP/黟县.townorg"
"$TOWNORG" init "$R" >/dev/null && "$TOWNORG" import "$R" "$EX/yixian.json" --quiet ||
	{ echo "Bail out! cannot import the 黟县 example"; exit 1; }
sum_repo() { cksum <"$R"; }
before=$(sum_repo)

# Is this townorg built with Graphviz?
run chart "$R" 2008-reform 341023102 -o "$TMP/t.svg"
if err_has "without Graphviz"; then
	check "without Graphviz, chart says so and exits 2" test "$rc" -eq 2
	check "and writes nothing" test ! -e "$TMP/t.svg"
	CHARTS=0
else
	CHARTS=1
	check "chart writes an SVG" test "$rc" -eq 0 -a -s "$TMP/t.svg"
	check "the SVG starts with <svg (no XML declaration, no DOCTYPE)" sh -c "head -c 4 '$TMP/t.svg' | grep -q '^<svg' && ! grep -q '<?xml\|<!DOCTYPE' '$TMP/t.svg'"
	check "the SVG names the town and its organs in Chinese" sh -c "grep -q '>渔亭镇</text>' '$TMP/t.svg' && grep -q '>为民服务中心</text>' '$TMP/t.svg'"
	expect 0 "chart writes a PNG by the file's extension" chart "$R" 2007-baseline 341023 -o "$TMP/c.png"
	check "it is a PNG" sh -c "head -c 8 '$TMP/c.png' | od -An -c | grep -q 'P   N   G'"
	expect 0 "--format overrides the extension" chart "$R" 2008-reform 341023102 --format dot -o "$TMP/t.out"
	check "DOT text, rows of boxes" sh -c "grep -q '^digraph orgchart' '$TMP/t.out' && grep -q 'rank=same' '$TMP/t.out'"
	expect 0 "--lang en" chart "$R" 2008-reform 341023102 --lang en -o "$TMP/en.svg"
	check "English labels" sh -c "grep -q 'Offices' '$TMP/en.svg' && ! grep -q '综合性办公室' '$TMP/en.svg'"
	expect 2 "an unknown unit is refused" chart "$R" 2008-reform 341023999 -o "$TMP/x.svg"
	check "the message names it" err_has "341023999"
	check "and nothing is written" test ! -e "$TMP/x.svg"
	expect 2 "an unknown format is refused" chart "$R" 2008-reform 341023102 -o "$TMP/x.pdf"
	check "the message says which formats" err_has "svg, png or dot"
	expect 2 "--per-row out of range" chart "$R" 2008-reform 341023102 --per-row 0 -o "$TMP/x.svg"
	expect 2 "chart refuses to write over the repository" chart "$R" 2008-reform 341023102 --format svg -o "$R"
	check "the message says so" err_has "is the repository file"
	ln -s "$R" "$TMP/link.svg"
	expect 2 "nor through a link to it" chart "$R" 2008-reform 341023102 -o "$TMP/link.svg"
	expect 2 "a directory is not an output file" chart "$R" 2008-reform 341023102 --format svg -o "$TMP"
	# an existing file is replaced whole, by rename (a new inode)
	ino1=$(ls -i "$TMP/t.svg" | cut -d' ' -f1)
	expect 0 "an existing chart is replaced" chart "$R" 2007-baseline 341023102 -o "$TMP/t.svg"
	ino2=$(ls -i "$TMP/t.svg" | cut -d' ' -f1)
	check "by renaming a new file over it" test "$ino1" != "$ino2"
fi
expect 2 "chart needs -o" chart "$R" 2008-reform 341023102

# the report
expect 0 "report writes the HTML report" report "$R" 2007-baseline 2008-reform --policy "$EX/yixian-waivers.json" -o "$TMP/r.html"
check "one HTML document, Chinese by default" sh -c "head -1 '$TMP/r.html' | grep -q '<!DOCTYPE html>' && grep -q '<html lang=\"zh-CN\">' '$TMP/r.html'"
check "with a print stylesheet for A4" sh -c "grep -q '@media print' '$TMP/r.html' && grep -q 'size:A4' '$TMP/r.html'"
check "self-contained: no script, no external link, stylesheet or font" sh -c "! grep -qi '<script\|<link\|@import\|url(\|src=\"http' '$TMP/r.html'"
check "精简率 as a percent: 黟县 organs 108 → 52, 51.9%" sh -c "grep -q '机构 108 个 → 52 个，精简率 51.9%' '$TMP/r.html'"
check "the events with their document" grep -q '黟编〔2008〕5号' "$TMP/r.html"
check "the waivers with their document" grep -q '黟编〔2008〕12号' "$TMP/r.html"
check "every township is in the table" sh -c "for t in 碧阳镇 宏村镇 西递镇 渔亭镇 宏潭乡 洪星乡 柯村乡 美溪乡; do grep -q \"data-field=\\\"name\\\">\$t<\" '$TMP/r.html' || exit 1; done"
if [ "$CHARTS" = 1 ]; then
	check "two inline SVG charts, no XML declaration" sh -c "test \$(grep -c '^<svg' '$TMP/r.html') -eq 2 && ! grep -q '<?xml' '$TMP/r.html'"
else
	check "without Graphviz the structure is tables" grep -q 'class="structure"' "$TMP/r.html"
fi
expect 0 "--no-charts lists the structure as tables" report "$R" 2007-baseline 2008-reform --no-charts -o "$TMP/t.html"
check "tables, no SVG" sh -c "grep -q 'class=\"structure\"' '$TMP/t.html' && ! grep -q '<svg' '$TMP/t.html'"
check "without a policy: the default policy flags 渔亭镇" grep -q 'data-conforms="0"' "$TMP/t.html"
expect 0 "--lang en" report "$R" 2007-baseline 2008-reform --lang en --under 341023102 -o "$TMP/en.html"
check "English, for one town" sh -c "grep -q '<html lang=\"en\">' '$TMP/en.html' && grep -q 'organs 14 → 7, reduction 50.0%' '$TMP/en.html'"
expect 2 "report refuses to write over the repository" report "$R" 2007-baseline 2008-reform -o "$R"
check "the message says so" err_has "is the repository file"
expect 2 "report needs -o" report "$R" 2007-baseline 2008-reform
expect 2 "an unknown --lang is refused" report "$R" 2007-baseline 2008-reform --lang fr -o "$TMP/x.html"
expect 2 "an unknown --under is refused" report "$R" 2007-baseline 2008-reform --under nope -o "$TMP/x.html"
check "the message names it" err_has "nope"
expect 2 "an unknown version is refused" report "$R" 2007-baseline nosuch -o "$TMP/x.html"
echo '{"rules": {"nosuch.rule": {}}}' >"$TMP/bad-policy.json"
expect 2 "a bad policy is refused" report "$R" 2007-baseline 2008-reform --policy "$TMP/bad-policy.json" -o "$TMP/x.html"
check "the message names the policy file" err_has "bad-policy.json"
check "no report was written by the failures" test ! -e "$TMP/x.html"
check "no temporary file is left behind" sh -c "! ls -a '$TMP' | grep -q '^\.'.*'\.[A-Za-z0-9]\{6\}\$'"
check "the repository is unchanged" test "$(sum_repo)" = "$before"
done_testing

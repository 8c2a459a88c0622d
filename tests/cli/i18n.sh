#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Chinese output under a zh_* locale (the po/ catalogue), English otherwise;
# findings' Chinese messages come from the library.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

# The catalogue as built (po/zh_CN.gmo), else compiled here from the .po.
mkdir -p "$TMP/locale/zh_CN/LC_MESSAGES"
mo="$TMP/locale/zh_CN/LC_MESSAGES/townorg.mo"
for g in "$top_builddir/locale/zh_CN/LC_MESSAGES/townorg.mo" "$top_builddir/po/zh_CN.gmo" "$top_srcdir/po/zh_CN.gmo"; do
	[ -f "$g" ] && { cp "$g" "$mo"; break; }
done
[ -f "$mo" ] || msgfmt -o "$mo" "$top_srcdir/po/zh_CN.po" 2>/dev/null
TOWNORG_LOCALEDIR="$TMP/locale"
export TOWNORG_LOCALEDIR

zh=
for l in zh_CN.UTF-8 zh_CN.utf8; do
	if locale -a 2>/dev/null | grep -qix "$(echo $l | sed 's/UTF-8/utf8/')"; then zh=$l; break; fi
done

expect 0 "English: show" show "$R" v5 120121-001
check "English column headings" out_has "admin"
check "English kinds" out_has "office"

if [ -z "$zh" ] || [ ! -f "$mo" ]; then
	for i in $(seq 1 16); do skip "no zh_CN.UTF-8 locale or no catalogue"; done
	done_testing
	exit 0
fi
LC_ALL=$zh
export LC_ALL
expect 0 "Chinese: show a township" show "$R" v5 120121-001
check "Chinese column headings" out_has "行政编制"
check "Chinese kinds" out_has "办公室"
check "Chinese total line" out_has "共 8 个机构"
expect 0 "Chinese: log" log "$R"
check "Chinese log headings" out_has "文件"
expect 0 "Chinese: --help" log --help
check "Chinese usage" out_has "用法：townorg log"
expect 2 "Chinese: bad usage" log "$R" --frob
check "Chinese error message, still prefixed townorg:" grep -q '^townorg: 未知选项' "$TMP/err"
expect 1 "Chinese: validate" validate "$R"
check "findings in Chinese from the library" out_has "超过编制"
expect 0 "Chinese: diff" diff "$R" v0 v1
check "diff summary in Chinese" out_has "新增 0，撤销 0，变更 19"
expect 0 "--json stays the same under a Chinese locale" validate "$R" v5 --policy "$DATA/waive.json" --json
check "JSON keys are not translated" json '"conforms" in d and "findings" in d'
expect 2 "Chinese: an unknown version" show "$R" nosuch
check "the library's own error message in Chinese (its gettext domain)" grep -q '没有名为“nosuch”的分支、标签或版本' "$TMP/err"

done_testing

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The library's own messages (its gettext domain "townorg", lib/base/i18n.c)
# of import, validation, verify and opening a repository: in English under
# LC_ALL=C, in Chinese under zh_CN.UTF-8 (issue 19).  The same runs under both
# locales, so each Chinese check has its English twin.
. "${top_srcdir:-.}/tests/cli/lib.sh"
R="$TMP/r.db"
sample_repo "$R" || { echo "Bail out! cannot import the sample"; exit 1; }

# The catalogue as built, else compiled here from the .po (as tests/cli/i18n.sh).
mkdir -p "$TMP/locale/zh_CN/LC_MESSAGES"
mo="$TMP/locale/zh_CN/LC_MESSAGES/townorg.mo"
for g in "$top_builddir/locale/zh_CN/LC_MESSAGES/townorg.mo" "$top_builddir/po/zh_CN.gmo" "$top_srcdir/po/zh_CN.gmo"; do
	[ -f "$g" ] && { cp "$g" "$mo"; break; }
done
[ -f "$mo" ] || msgfmt -o "$mo" "$top_srcdir/po/zh_CN.po" 2>/dev/null
TOWNORG_LOCALEDIR="$TMP/locale"
export TOWNORG_LOCALEDIR

# A file whose branch log was rewritten (its append-only trigger dropped).
cp "$R" "$TMP/t.db"
"$PY" - "$TMP/t.db" <<'PYEOF' || { echo "Bail out! cannot tamper with the file"; exit 1; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER reflog_no_update")
db.execute("UPDATE reflog SET name = 'tampered' WHERE seq = (SELECT MIN(seq) FROM reflog)")
db.commit()
PYEOF
"$TOWNORG" init "$TMP/e.db" >/dev/null
printf '{"format": "nope/1"}\n' >"$TMP/nope.json"

# run_all: the same errors, in the current locale
run_all() {
	expect 2 "$1: import of tables with an unknown kind" import "$TMP/e.db" "$DATA/bad-tables"
	check "$1: the import error" err_has "$2"
	expect 2 "$1: import of a JSON document of another format" import "$TMP/e.db" "$TMP/nope.json"
	check "$1: the JSON import error" err_has "$3"
	expect 2 "$1: validate with a policy naming an unknown rule" validate "$R" --policy "$DATA/bad-policy.json"
	check "$1: the policy error" err_has "$4"
	expect 1 "$1: verify of a rewritten branch log" verify "$TMP/t.db"
	check "$1: the verify problem of the log record" out_has "$5"
	check "$1: the verify problem of the schema" out_has "$6"
	expect 2 "$1: a file that is not a repository" log "$DATA/not-a-repo.db"
	check "$1: the open error" err_has "$7"
}

run_all English "base.csv:3: unknown kind 'twon'" \
	"'nope/1' is not a format this library reads" \
	"unknown rule 'no.such-rule'" \
	"log record 1 (branch tampered) does not match its hash: it was rewritten" \
	"trigger reflog_no_update is missing" \
	"not a townorg repository (not an SQLite database)"

zh=
for l in zh_CN.UTF-8 zh_CN.utf8; do
	if locale -a 2>/dev/null | grep -qix "$(echo $l | sed 's/UTF-8/utf8/')"; then zh=$l; break; fi
done
if [ -z "$zh" ] || [ ! -f "$mo" ]; then
	for i in $(seq 1 10); do skip "no zh_CN.UTF-8 locale or no catalogue"; done
	done_testing
	exit 0
fi
LC_ALL=$zh
export LC_ALL
run_all Chinese "base.csv:3：未知的类型“twon”" \
	"“nope/1”不是本库能读取的格式" \
	"未知的规则“no.such-rule”" \
	"日志记录 1（分支 tampered）与其哈希不符：已被改写" \
	"缺少触发器 reflog_no_update：表 reflog 不再是只追加的" \
	"不是 townorg 仓库（不是 SQLite 数据库）"

done_testing

#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# tests/check-po.sh — every translatable string of the townorg program
# (the files of po/POTFILES.in) has a Chinese translation in po/zh_CN.po:
# extract them (xgettext, the options of po/Makevars), merge the catalogue
# (msgmerge) and count with msgfmt --statistics: no untranslated and no
# fuzzy message.  Skips visibly (TAP 1..0 # SKIP) without the gettext tools.
# The library's messages (lib/, the same domain "townorg") are checked the
# same way: every file of lib/ that marks a message with _() must be listed
# in po/POTFILES.in, and the catalogue merged with the extracted strings must
# pass msgfmt -c (so the format strings of translations whose entries in
# po/zh_CN.po carry no c-format flag are checked too).  Last, it prints how
# many of the library's townorg__err() messages are still NOT marked
# (tests/po-unmarked.awk, a rough count; recorded in docs/architecture.md,
# "Messages").
srcdir=${top_srcdir:-.}
for t in xgettext msgmerge msgfmt; do
	command -v $t >/dev/null 2>&1 || { echo "1..0 # SKIP $t not found (apt-get install gettext)"; exit 0; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/townorg-po.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
files=$(grep -v '^#' "$srcdir/po/POTFILES.in" | grep -v '^$')
(cd "$srcdir" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1c,2 -C \
	-o "$tmp/townorg.pot" $files) || { echo "1..1"; echo "not ok 1 - xgettext failed"; exit 0; }
echo "1..4"
msgmerge -q -o "$tmp/zh_CN.po" "$srcdir/po/zh_CN.po" "$tmp/townorg.pot" || { echo "not ok 1 - msgmerge failed"; exit 0; }
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/zh_CN.po" 2>&1)
case "$stats" in
*untranslated* | *fuzzy*)
	echo "not ok 1 - po/zh_CN.po: $stats"
	echo "# strings of the townorg program without a Chinese translation:"
	msgattrib --untranslated --no-obsolete "$tmp/zh_CN.po" | grep '^msgid' | sed 1d | sed 's/^/# /'
	msgattrib --only-fuzzy --no-obsolete "$tmp/zh_CN.po" | grep '^msgid' | sed 1d | sed 's/^/# /' ;;
*) echo "ok 1 - po/zh_CN.po: $stats (every string of the program)" ;;
esac
# the catalogue itself compiles cleanly (format strings match)
if msgfmt -c -o /dev/null "$srcdir/po/zh_CN.po"; then
	echo "ok 2 - msgfmt -c po/zh_CN.po"
else
	echo "not ok 2 - msgfmt -c po/zh_CN.po"
fi
# every file of lib/ that marks messages is extracted
missing=
for f in $(cd "$srcdir" && grep -l '[^a-zA-Z0-9_]_("' $(find lib -name '*.c' | sort)); do
	grep -qx "$f" "$srcdir/po/POTFILES.in" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	echo "ok 3 - every file of lib/ with _() messages is in po/POTFILES.in"
else
	echo "not ok 3 - files of lib/ with _() messages missing from po/POTFILES.in:$missing"
fi
# the translations' format strings agree with the source's (c-format flags from xgettext)
if msgfmt -c -o /dev/null "$tmp/zh_CN.po"; then
	echo "ok 4 - msgfmt -c of the catalogue merged with the extracted strings"
else
	echo "not ok 4 - msgfmt -c of the catalogue merged with the extracted strings"
fi
unmarked=$(cd "$srcdir" && find lib -name '*.c' | sort | xargs awk -f tests/po-unmarked.awk)
echo "# the library's townorg__err() messages not yet marked for translation: $unmarked (docs/architecture.md, \"Messages\")"

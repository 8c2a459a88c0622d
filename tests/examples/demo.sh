#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# The main job of scripts/demo.sh (the README's first command) on this
# build: init, import 黟县, log, diff, validate with and without waivers.
. "${top_srcdir:-.}/tests/examples/lib.sh"

if [ ! -x "$TOWNORG" ]; then
	skip "the townorg program was not built"
	done_testing
	exit 0
fi
cd "$TMP" || exit 99
run env DEMO_RUN_ONLY=1 TOWNORG="$TOWNORG" DEMO_DIR="$TMP/demo" bash "$abs_top_srcdir/scripts/demo.sh"
check_rc 0 "scripts/demo.sh (main job only) succeeds"
has "2008-06-01  黟编〔2008〕5号" "townorg log shows the reform"
has "- 341023102-S5 station 渔亭镇计生所" "the diff shows the abolished 计生所"
has "+ 341023102-C1 center 渔亭镇为民服务中心" "… and the new 为民服务中心"
has "渔亭镇: organs 14 → 7, reduction 50.0%" "… and the reduction rate"
has "offices.by-class @2008-06-01: 渔亭镇: 3 comprehensive offices, above the limit of 2" "the default policy flags 渔亭镇's offices"
has "leaders.by-class @2008-06-01: 渔亭镇: 7 leader posts, above the limit of 5" "… and its leader posts"
has "does not conform: 2 errors" "… and the county does not conform"
has "conforms: 0 errors, 0 warnings, 8 infos, 2 waived" "with the waivers it conforms"
if [ -d "$TMP/demo" ]; then ok "the demo works in its own folder"; else not_ok "the demo works in its own folder"; fi

# The CSV table set of the same county imports too.
run "$TOWNORG" init "$TMP/tables.db"
run "$TOWNORG" import "$TMP/tables.db" "$DATA/yixian-tables"
check_rc 0 "the 黟县 CSV tables import"
run "$TOWNORG" validate "$TMP/tables.db"
check_rc 1 "… and without functions or attributes still flag 渔亭镇"
done_testing

#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The main job of libtownorg on the bundled example — the README's first
# command.  On a fresh Debian 12 machine, as root (or with sudo):
#
#     bash scripts/demo.sh
#
# 1. installs what is needed (scripts/install-deps.sh);
# 2. builds in build/main (autoreconf, configure PYTHON=/usr/bin/python3, make);
# 3. runs the main job on examples/data/yixian.json (黟县, seed 篇7): a
#    repository file, its log, the diff of the 2008 reform, and validation —
#    with the default policy (the 2008 limits: 渔亭镇 is flagged, exit 1),
#    then with the waivers of examples/data/yixian-waivers.json (conforms).
#
# DEMO_RUN_ONLY=1 skips steps 1 and 2 and runs the townorg program named by
# $TOWNORG (tests/examples/demo.sh does this).  DEMO_DIR is where the
# repository file goes (default: build/main/demo).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)

if [ "${DEMO_RUN_ONLY:-0}" != 1 ]; then
	bash "$src/scripts/install-deps.sh"
	if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
		(cd "$src" && autoreconf -fi)
	fi
	mkdir -p "$src/build/main"
	cd "$src/build/main"
	[ -f Makefile ] || "$src/configure" PYTHON=/usr/bin/python3 -q
	make -j"$(nproc)" -s >/dev/null
	TOWNORG="$src/build/main/cli/townorg"
	DEMO_DIR=${DEMO_DIR:-$src/build/main/demo}
	# the Chinese catalogue before `make install` (LC_ALL=zh_CN.UTF-8 shows it)
	TOWNORG_LOCALEDIR=${TOWNORG_LOCALEDIR:-$src/build/main/locale}
	export TOWNORG_LOCALEDIR
fi
: "${TOWNORG:?set TOWNORG to the townorg program}"
DEMO_DIR=${DEMO_DIR:-$PWD/demo}
data="$src/examples/data"
mkdir -p "$DEMO_DIR"
repo="$DEMO_DIR/黟县.townorg"
rm -f "$repo"

step() { printf '\n$ townorg %s\n' "$*"; "$TOWNORG" "$@"; }

step init "$repo"
step import "$repo" "$data/yixian.json"
step log "$repo"
# The 2008 reform: seven institutions merged into 为民服务中心 in each township.
step diff "$repo" 2007-baseline 2008-reform --under 341023102
# The 2008 limits (policies/default.json): 渔亭镇 is small but has 3 offices
# and 7 leader posts — exit 1, which must not stop the demo.
rc=0
step validate "$repo" || rc=$?
echo "(exit $rc: 渔亭镇 is flagged)"
[ "$rc" = 1 ]
# The waivers cite the approving document: the county conforms.
step validate "$repo" --policy "$data/yixian-waivers.json"
echo
echo "Done. The repository is $repo; see docs/guide-en.md (English) or docs/guide-zh.md (中文) next."
echo "In Chinese: LC_ALL=zh_CN.UTF-8 TOWNORG_LOCALEDIR=build/main/locale build/main/cli/townorg log \"$repo\""

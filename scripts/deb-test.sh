#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# scripts/deb-test.sh — build the Debian packages, install them, use them
# the way a user would, and remove them again.  Runs as root (or with sudo)
# on Debian 12; scripts/test-all.sh runs it after distcheck.
#
#  1. copies the committed tree (plus uncommitted changes to tracked files,
#     via `git stash create`) into a temporary directory with `git archive`
#     (not a git checkout: the files minus build/), so the working tree gets
#     no build litter;
#  2. builds there with `dpkg-buildpackage -us -uc -b` (DEB_BUILD_OPTIONS=
#     nocheck: the tests ran already; DEB_TEST_CHECK=1 runs them too) and
#     runs lintian on the .changes: any error fails, warnings are shown;
#     the symbols check of dpkg-gensymbols fails the build when a symbol of
#     debian/libtownorg0.symbols (or debian/libtownorg-chart0.symbols)
#     disappears, and new symbols are reported here; libtownorg0 must not
#     depend on Graphviz (only libtownorg-chart0 links it), townorg and
#     python3-townorg must depend on libtownorg-chart0;
#  3. installs libtownorg0, libtownorg-chart0, libtownorg-dev,
#     libtownorg-chart-dev, townorg, python3-townorg with
#     `apt-get install ./*.deb`;
#  4. checks the installed files only — nothing that a `make install` left
#     under /usr/local may count: the program is /usr/bin/townorg and loads
#     /usr/lib/<multiarch>/libtownorg.so.0; pkg-config searches only the
#     system directories (PKG_CONFIG_LIBDIR); a C program is compiled with
#     `pkg-config --cflags --libs townorg` against /usr/include and
#     /usr/lib/<multiarch> (checked with -M and the linker's --trace), once
#     shared and once with libtownorg.a (`pkg-config --static`), and run;
#     the demo (scripts/demo.sh) runs with the installed townorg on the
#     bundled example; `townorg chart` draws an SVG of 黟县 (loading
#     libtownorg-chart.so.0 from the package) and `townorg export --format
#     xlsx` writes a workbook that imports again; a program is built with
#     `pkg-config --cflags --libs townorg-chart` and run; Python imports
#     townorg (and townorg._townorg_c) from /usr/lib/python3/dist-packages
#     with /usr/local taken off sys.path, and townorg.examples.yixian()
#     opens the datasets of /usr/share/libtownorg/examples; the manual page
#     is found by `man -w`; the bash completion completes;
#  5. purges the packages (also when a step failed).
#
# Environment: DEB_TEST_DIR (work directory, default a new /tmp/townorg-deb.*;
# kept when given), DEB_TEST_KEEP=1 (keep the packages installed and the work
# directory), JOBS (parallel build jobs).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-$(nproc)}
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
PKGS=(libtownorg0 libtownorg-chart0 libtownorg-dev libtownorg-chart-dev townorg python3-townorg)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
LIBDIR=/usr/lib/$MA

step() { echo; echo "--- $*"; }
fail() { echo "deb-test: FAILED: $*" >&2; exit 1; }
# expect_path WHAT GOT WANT: GOT is exactly WANT.
expect_path() {
	case $2 in
	/usr/local/*) fail "$1 is '$2', not '$3': a make install leftover under /usr/local (make uninstall in its build tree)" ;;
	"$3") echo "ok: $1 is $3" ;;
	*) fail "$1 is '$2', not '$3'" ;;
	esac
}

for tool in dpkg-buildpackage dpkg-checkbuilddeps lintian apt-get; do
	command -v "$tool" >/dev/null || fail "$tool is missing (bash scripts/install-deps.sh)"
done

# The package version follows configure.ac.
ac_version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$SRC/configure.ac")
deb_version=$(cd "$SRC" && dpkg-parsechangelog -SVersion)
[ "${deb_version%-*}" = "$ac_version" ] ||
	fail "debian/changelog is at $deb_version but configure.ac at $ac_version: add a changelog entry (dch -v $ac_version-1)"
echo "version $deb_version (configure.ac $ac_version)"

if [ -n "${DEB_TEST_DIR:-}" ]; then
	WORK=$DEB_TEST_DIR
	rm -rf "$WORK/src"
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/townorg-deb.XXXXXX")
fi
installed=0
cleanup() {
	rc=$?
	if [ "$installed" = 1 ] && [ "${DEB_TEST_KEEP:-0}" != 1 ]; then
		echo
		echo "--- removing the packages"
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq "${PKGS[@]}" >/dev/null ||
			{ echo "deb-test: could not purge ${PKGS[*]}" >&2; rc=1; }
	fi
	if [ -z "${DEB_TEST_DIR:-}" ] && [ "${DEB_TEST_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
	exit "$rc"
}
trap cleanup EXIT

step "a clean copy of the tree in $WORK/src"
mkdir -p "$WORK/src"
if [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$SRC" && pwd -P)" ]; then
	rev=$(git -C "$SRC" stash create 2>/dev/null || true)
	git -C "$SRC" archive "${rev:-HEAD}" | tar -x -C "$WORK/src"
else
	# not a git checkout: the files, without build trees
	echo "(not a git checkout: copying the tree without build/ and fuzz-build/)"
	tar -C "$SRC" --exclude=./.git --exclude=./build --exclude=./fuzz-build --exclude=./autom4te.cache -cf - . | tar -x -C "$WORK/src"
fi
cd "$WORK/src"
dpkg-checkbuilddeps || fail "build dependencies missing (bash scripts/install-deps.sh)"

step "dpkg-buildpackage -us -uc -b"
opts="parallel=$JOBS"
[ "${DEB_TEST_CHECK:-0}" = 1 ] || opts="nocheck $opts"
start=$(date +%s)
if ! DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1; then
	tail -60 "$WORK/build.log"
	grep -A30 'dpkg-gensymbols: warning: some symbols or patterns disappeared' "$WORK/build.log" || true
	fail "dpkg-buildpackage (log: $WORK/build.log)"
fi
echo "built in $(($(date +%s) - start)) s:"
ls "$WORK"/*.deb | sed 's|.*/|  |'
if grep -q 'dpkg-gensymbols: warning: some new symbols appeared' "$WORK/build.log"; then
	echo "NOTE: new symbols in libtownorg.so.0 / libtownorg-chart.so.0 — add them to debian/libtownorg0.symbols"
	echo "or debian/libtownorg-chart0.symbols (with the version that added them):"
	grep -o "doesn't match completely debian/[a-z0-9-]*\.symbols" "$WORK/build.log" || true
	sed -n '/^+ /p; /^+#MISSING/p' "$WORK/build.log" | head -40
fi
# Graphviz (EPL-1.0) only in libtownorg-chart0: libtownorg0 stays free of it.
deps_of() { dpkg-deb -f "$(ls "$WORK"/"$1"_*.deb)" Depends; }
lib_deps=$(deps_of libtownorg0)
case $lib_deps in
*graphviz* | *libgvc* | *libcgraph* | *libcdt* | *libpathplan* | *libtownorg-chart*)
	fail "libtownorg0 depends on Graphviz or libtownorg-chart: $lib_deps" ;;
esac
echo "ok: libtownorg0 depends on: $lib_deps (no Graphviz)"
deps_of libtownorg-chart0 | grep -q 'libgvc' || fail "libtownorg-chart0 does not depend on Graphviz's libgvc: $(deps_of libtownorg-chart0)"
for p in townorg python3-townorg; do
	deps_of "$p" | grep -q 'libtownorg-chart0' || fail "$p does not depend on libtownorg-chart0: $(deps_of "$p")"
done
echo "ok: townorg and python3-townorg depend on libtownorg-chart0, which depends on libgvc"

step "lintian"
changes=$(ls "$WORK"/libtownorg_*.changes)
lintian_rc=0
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs "$changes" >"$WORK/lintian.txt" 2>&1 || lintian_rc=$?
grep -v 'running with root privileges' "$WORK/lintian.txt" || true
[ "$lintian_rc" = 0 ] || fail "lintian reports errors"
echo "ok: no lintian errors ($(grep -c '^W:' "$WORK/lintian.txt" || true) warnings)"

step "apt-get install ./*.deb"
debs=()
for p in "${PKGS[@]}"; do debs+=("$(ls "$WORK"/"${p}"_*.deb)"); done
installed=1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
	"${debs[@]}" >"$WORK/install.log" 2>&1 || { tail -20 "$WORK/install.log"; fail "apt-get install"; }
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status} ${Version}\n' "$p" | grep -q "install ok installed $deb_version" ||
		fail "$p $deb_version is not installed"
done
echo "ok: ${PKGS[*]} $deb_version installed"

# From here on only the installed files: no /usr/local, no build tree.
export PATH=/usr/bin:/bin
unset PKG_CONFIG_PATH LD_LIBRARY_PATH PYTHONPATH PYTHONHOME TOWNORG_LOCALEDIR
export PKG_CONFIG_LIBDIR=$LIBDIR/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
T="$WORK/run"
rm -rf "$T"
mkdir -p "$T"

step "the program"
expect_path "townorg on PATH" "$(command -v townorg)" /usr/bin/townorg
# lib_of PROGRAM: the libtownorg PROGRAM loads, symlinks resolved (/lib is
# /usr/lib on a merged-/usr system), or nothing.
lib_of() {
	local l
	l=$(ldd "$1" | awk '$1 ~ /^libtownorg\.so/ { print $3 }')
	[ -z "$l" ] || readlink -f "$l"
}
SO=$(readlink -f "$LIBDIR/libtownorg.so.0")
libso=$(lib_of /usr/bin/townorg)
if [ "$libso" != "$SO" ]; then
	# a make install under /usr/local is first in ld.so.conf: say so, and
	# test the packaged library all the same
	echo "WARNING: /usr/bin/townorg would load $libso (a make install leftover?); testing with LD_LIBRARY_PATH=$LIBDIR"
	export LD_LIBRARY_PATH=$LIBDIR
	libso=$(lib_of /usr/bin/townorg)
fi
expect_path "the library townorg loads" "$libso" "$SO"
expect_path "townorg --version" "$(townorg --version)" "townorg $ac_version"
if ! DEMO_RUN_ONLY=1 TOWNORG=/usr/bin/townorg DEMO_DIR="$T/demo" bash "$WORK/src/scripts/demo.sh" >"$T/demo.out" 2>&1; then
	cat "$T/demo.out"
	fail "the demo with the installed townorg"
fi
grep -q '渔亭镇' "$T/demo.out" || fail "the demo's validation did not name 渔亭镇"
echo "ok: the demo (import, log, diff, validate with and without waivers) on examples/data/yixian.json"
repo="$T/demo/黟县.townorg"
# the shipped policies and examples
townorg validate "$repo" --policy /usr/share/libtownorg/policies/default.json >"$T/v.out" 2>&1 && fail "default.json: 渔亭镇 should be flagged"
grep -q '渔亭镇' "$T/v.out" || fail "validate with /usr/share/libtownorg/policies/default.json"
waivers=/usr/share/doc/townorg/examples/yixian-waivers.json
if [ ! -f "$waivers" ] && grep -rqs 'path-exclude=/usr/share/doc' /etc/dpkg/dpkg.cfg.d/; then
	echo "(this system's dpkg excludes /usr/share/doc: the waivers from the source tree)"
	waivers="$WORK/src/examples/data/yixian-waivers.json"
fi
townorg validate "$repo" --policy "$waivers" >/dev/null || fail "validate with the waivers $waivers"
echo "ok: the installed policies and examples"
# org charts: townorg links libtownorg-chart.so.0 from the package
CHART_SO=$(readlink -f "$LIBDIR/libtownorg-chart.so.0")
chart_so=$(ldd /usr/bin/townorg | awk '$1 ~ /^libtownorg-chart\.so/ { print $3 }')
expect_path "the chart library townorg loads" "$([ -z "$chart_so" ] || readlink -f "$chart_so")" "$CHART_SO"
townorg chart "$repo" 2008-reform 341023 -o "$T/黟县.svg" >"$T/chart.out" 2>&1 || { cat "$T/chart.out"; fail "townorg chart"; }
grep -q '<svg' "$T/黟县.svg" || fail "townorg chart: $T/黟县.svg is not an SVG"
grep -q '渔亭镇' "$T/黟县.svg" || fail "townorg chart: the 黟县 chart does not name 渔亭镇"
echo "ok: townorg chart … 2008-reform 341023 -o 黟县.svg ($(wc -c <"$T/黟县.svg") bytes, names 渔亭镇)"
# workbooks (.xlsx): written with libxlsxwriter, read back with minizip and expat
townorg export "$repo" 2008-reform --format xlsx -o "$T/台账.xlsx" >"$T/xlsx.out" 2>&1 || { cat "$T/xlsx.out"; fail "townorg export --format xlsx"; }
[ "$(head -c 2 "$T/台账.xlsx")" = PK ] || fail "townorg export --format xlsx: $T/台账.xlsx is not a zip archive"
{ townorg init "$T/xlsx.townorg" && townorg import "$T/xlsx.townorg" "$T/台账.xlsx"; } >"$T/xlsx.out" 2>&1 || { cat "$T/xlsx.out"; fail "townorg import 台账.xlsx"; }
townorg show "$T/xlsx.townorg" main >"$T/xlsx-show.out" 2>&1 || { cat "$T/xlsx-show.out"; fail "townorg show after importing the workbook"; }
grep -q '渔亭镇' "$T/xlsx-show.out" || fail "the workbook imported again has no 渔亭镇"
echo "ok: townorg export --format xlsx, and the workbook imports again"
# the Chinese messages from the installed catalogue
if locale -a 2>/dev/null | grep -qi '^zh_CN.utf8$'; then
	LC_ALL=zh_CN.UTF-8 townorg log "$repo" >"$T/zh.out"
	grep -q '^版本' "$T/zh.out" || { cat "$T/zh.out"; fail "no Chinese headings under zh_CN.UTF-8 (/usr/share/locale/zh_CN/LC_MESSAGES/townorg.mo)"; }
	echo "ok: Chinese messages under zh_CN.UTF-8"
else
	echo "skipped: Chinese messages (no zh_CN.UTF-8 locale)"
fi

step "the C library: pkg-config, headers, shared and static linking"
expect_path "pkg-config --modversion townorg" "$(pkg-config --modversion townorg)" "$ac_version"
expect_path "pkg-config libdir" "$(pkg-config --variable=libdir townorg)" "$LIBDIR"
expect_path "the .pc file" "$(pkg-config --path townorg)" "$LIBDIR/pkgconfig/townorg.pc"
cat >"$T/tiny.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <townorg.h>
int main(int argc, char **argv)
{
	printf("%s\n", townorg_library_version());
	return argc > 1 && strcmp(argv[1], townorg_library_version()) != 0;
}
EOF
# shellcheck disable=SC2046
cc -o "$T/tiny" "$T/tiny.c" $(pkg-config --cflags --libs townorg) -Wl,--trace >"$T/ld.out"
header=$(cc -M $(pkg-config --cflags townorg) "$T/tiny.c" | tr ' \\' '\n\n' | grep '/townorg\.h$')
expect_path "the header compiled" "$header" /usr/include/townorg.h
linked=$(grep -o '[^ ()]*libtownorg\.so[^ ()]*' "$T/ld.out" | head -n 1)
expect_path "the library linked" "$(readlink -f "$linked")" "$(readlink -f "$LIBDIR/libtownorg.so")"
expect_path "the library the program loads" "$(lib_of "$T/tiny")" "$SO"
"$T/tiny" "$ac_version" >/dev/null || fail "tiny.c: townorg_library_version() is not $ac_version"
echo "ok: tiny.c built with pkg-config and run"
ex="$WORK/src/examples/reform_rates.c"
# shellcheck disable=SC2046
cc -o "$T/reform_rates" "$ex" $(pkg-config --cflags --libs townorg)
"$T/reform_rates" "$WORK/src/examples/data/district.json" p4-16 >"$T/rr.out"
grep -q '17 → 4    精简  76.5%  事业站所' "$T/rr.out" || { cat "$T/rr.out"; fail "examples/reform_rates.c against the installed library"; }
echo "ok: examples/reform_rates.c built against the installed library gives the report's rates"
# shellcheck disable=SC2046
cc -o "$T/reform_rates_static" "$ex" $(pkg-config --cflags townorg) "$LIBDIR/libtownorg.a" \
	$(pkg-config --static --libs townorg | sed 's/-ltownorg\b//')
[ -z "$(lib_of "$T/reform_rates_static")" ] || fail "the static build still loads libtownorg.so"
"$T/reform_rates_static" "$WORK/src/examples/data/district.json" p4-16 | cmp -s - "$T/rr.out" ||
	fail "examples/reform_rates.c linked with libtownorg.a"
echo "ok: linked with libtownorg.a and pkg-config --static, same output"
# libtownorg-chart: its own .pc file (Requires: townorg)
expect_path "the chart .pc file" "$(pkg-config --path townorg-chart)" "$LIBDIR/pkgconfig/townorg-chart.pc"
chart_libs=$(pkg-config --libs townorg-chart)
# both libraries, -ltownorg-chart first (it needs libtownorg)
chart_words=$(echo "$chart_libs" | tr -s ' ' '\n' | grep -x -e '-ltownorg-chart' -e '-ltownorg' | tr '\n' ' ')
[ "$chart_words" = "-ltownorg-chart -ltownorg " ] ||
	fail "pkg-config --libs townorg-chart is '$chart_libs', not -ltownorg-chart … -ltownorg"
echo "ok: pkg-config --libs townorg-chart is '$chart_libs'"
cat >"$T/chart.c" <<'EOF'
#include <stdio.h>
#include <townorg.h>
#include <townorg/chart.h>
int main(void)
{
	const char *gv = townorg_chart_graphviz_version();
	printf("libtownorg %s, Graphviz %s\n", townorg_library_version(), gv ? gv : "?");
	return gv == NULL || *gv == '\0';
}
EOF
# shellcheck disable=SC2046
cc -o "$T/chart" "$T/chart.c" $(pkg-config --cflags --libs townorg-chart)
chart_loaded=$(ldd "$T/chart" | awk '$1 ~ /^libtownorg-chart\.so/ { print $3 }')
expect_path "the chart library the program loads" "$([ -z "$chart_loaded" ] || readlink -f "$chart_loaded")" "$CHART_SO"
"$T/chart" >"$T/chart-c.out" || fail "chart.c: townorg_chart_graphviz_version()"
echo "ok: chart.c built with pkg-config townorg-chart and run: $(cat "$T/chart-c.out")"

step "Python"
cd "$T"
/usr/bin/python3 - "$repo" "$LIBDIR" <<'EOF'
import os, sys
# nothing a `make install` left under /usr/local may count
sys.path = [p for p in sys.path if not p.startswith("/usr/local") and p not in ("", ".")]
import townorg
from townorg import _townorg_c
repo_path, libdir = sys.argv[1], sys.argv[2]
assert townorg.__file__ == "/usr/lib/python3/dist-packages/townorg/__init__.py", townorg.__file__
assert _townorg_c.__file__.startswith("/usr/lib/python3/dist-packages/townorg/_townorg_c."), _townorg_c.__file__
assert townorg.__license__ == "MulanPSL-2.0"
maps = open("/proc/self/maps").read()
for name in ("libtownorg.so", "libtownorg-chart.so"):
    libs = {l.split()[-1] for l in maps.splitlines() if name in l}
    assert {os.path.realpath(l) for l in libs} == {os.path.realpath(libdir + "/" + name + ".0")}, (name, libs)
repo = townorg.Repository.open(repo_path)
v = repo["2008-reform"]
town = v.by_name("渔亭镇")
print("ok: import townorg", townorg.__version__, "from", townorg.__file__, "—", town.name, town.id)
# the bundled datasets, found through the _config.py that make install wrote
from townorg import _config
assert _config.PKGDATADIR == "/usr/share/libtownorg", _config.PKGDATADIR
assert os.path.isfile("/usr/share/libtownorg/examples/yixian.json")
ex = townorg.examples.yixian()
assert ex["2008-reform"].by_name("渔亭镇").name == "渔亭镇"
print("ok: townorg.examples.yixian() from /usr/share/libtownorg/examples")
EOF
# and as a user types it (only /usr/local taken off the path)
/usr/bin/python3 -c 'import sys; sys.path = [p for p in sys.path if not p.startswith("/usr/local")]; import townorg; townorg.examples.yixian()' ||
	fail "python3 -c 'import townorg; townorg.examples.yixian()'"
echo "ok: python3 -c 'import townorg; townorg.examples.yixian()'"

step "the manual page and the bash completion"
if [ -f /usr/share/man/man1/townorg.1.gz ]; then
	command -v man >/dev/null || fail "man is missing (apt-get install man-db)"
	expect_path "man -w townorg" "$(MANPATH=/usr/share/man man -w townorg)" /usr/share/man/man1/townorg.1.gz
	MANPATH=/usr/share/man MANWIDTH=80 man townorg 2>/dev/null | grep -q 'townorg' || fail "man townorg shows nothing"
elif grep -rqs 'path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
	echo "skipped: this system's dpkg excludes /usr/share/man (a minimised image)"
else
	fail "/usr/share/man/man1/townorg.1.gz is not installed"
fi
comp=/usr/share/bash-completion/completions/townorg
[ -f "$comp" ] || fail "$comp is not installed"
got=$(bash -c '. "$1"; COMP_WORDS=(townorg di); COMP_CWORD=1; _townorg; echo "${COMPREPLY[*]}"' _ "$comp")
expect_path "completion of 'townorg di'" "$got" diff

echo
echo "deb-test: all passed"

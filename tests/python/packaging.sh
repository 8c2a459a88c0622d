#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Issue 20: the Python package builds and installs with pip, offline, with
# Debian's own tools, against the installed libtownorg — exactly:
#   pip wheel --no-build-isolation --no-deps .
#   python3 -m venv --system-site-packages v && v/bin/pip install --no-build-isolation --no-index .
# then checks what was built and installed: the C module inside the
# package (townorg._townorg_c), py.typed, the data found through
# _config.py (townorg.examples, townorg.policies), python3 -m townorg.
# Prints TAP like the rest of the suite: a visible SKIP ("1..0 # SKIP")
# when the library is not installed where pkg-config looks, or
# pip/venv/setuptools/wheel are missing.
set -u
skip() { echo "1..0 # SKIP $*"; exit 0; }
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
if ! pkg-config --exists townorg 2>/dev/null; then
	skip "libtownorg is not installed (pkg-config townorg fails); install it to run this test"
fi
for m in pip venv setuptools wheel ensurepip; do
	if ! "$PYTHON" -c "import $m" 2>/dev/null; then
		skip "$PYTHON lacks the module $m (Debian: python3-pip python3-venv python3-setuptools python3-wheel)"
	fi
done
echo "1..1"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/townorg-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Everything below prints as TAP comments; the verdict is the last line.
main() {
set -e
# A clean copy of the package's folder (no build tree's leftovers).
cp -R "$srcdir/bindings/python" "$tmp/src" || return 1
rm -rf "$tmp/src/townorg/_config.py" "$tmp/src/townorg/__pycache__" "$tmp/src/build" "$tmp/src"/*.egg-info
# As from a git checkout: SWIG makes the wrapper (a release tarball ships it).
if command -v swig >/dev/null 2>&1; then
	rm -f "$tmp/src/townorg_wrap.c"
fi
export PIP_NO_INDEX=1 PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
unset PYTHONPATH || true
cd "$tmp/src"

echo "== pip wheel --no-build-isolation --no-deps ."
"$PYTHON" -m pip wheel --no-build-isolation --no-deps . >"$tmp/wheel.log" 2>&1 || { cat "$tmp/wheel.log"; return 1; }
wheel=$(ls "$tmp"/src/townorg-*.whl) || return 1
"$PYTHON" - "$wheel" <<'PY' || return 1
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
mods = [n for n in names if n.startswith("townorg/_townorg_c") and n.endswith(".so")]
assert mods, "no townorg/_townorg_c*.so in the wheel: %s" % names
assert not any(n.startswith("_townorg_c") for n in names), "a C module beside the package"
for need in ("townorg/py.typed", "townorg/_config.py", "townorg/__main__.py", "townorg/examples.py"):
    assert need in names, need
print("wheel ok:", sys.argv[1].rsplit("/", 1)[-1], len(names), "files")
PY

echo "== python3 -m venv --system-site-packages v && v/bin/pip install --no-build-isolation --no-index ."
"$PYTHON" -m venv --system-site-packages "$tmp/v" || return 1
"$tmp/v/bin/pip" install --no-build-isolation --no-index . >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; return 1; }

cd "$tmp"
"$tmp/v/bin/python" - "$tmp/v" <<'PY' || return 1
import os, sys
import townorg, townorg._townorg_c as c
venv = sys.argv[1]
assert townorg.__file__.startswith(venv), townorg.__file__
assert os.path.dirname(c.__file__) == os.path.dirname(townorg.__file__), c.__file__
assert os.path.exists(os.path.join(os.path.dirname(townorg.__file__), "py.typed"))
from townorg import _config
assert os.path.isdir(_config.PKGDATADIR), _config.PKGDATADIR
p = townorg.policies.path("default")
assert p.startswith(_config.PKGDATADIR), p
with townorg.examples.yixian() as r:
    v = r.head()
    assert "2008-reform" in r.tags and v.by_name("渔亭镇").kind == "town"
    assert len(v.to_frame()) == len(v)
print("installed ok:", townorg.__file__, townorg.__version__)
PY
out=$("$tmp/v/bin/python" -m townorg --version 2>&1) || { echo "python -m townorg --version failed: $out"; return 1; }
echo "python -m townorg --version: $out"
case $out in *[0-9].[0-9]*) ;; *) echo "no version in: $out"; return 1 ;; esac
if "$tmp/v/bin/python" -m townorg no-such-subcommand >/dev/null 2>&1; then
	echo "a bad subcommand succeeded"
	return 1
fi
}
( main && echo 0 >"$tmp/status" ) 2>&1 | sed 's/^/# /'
if [ "$(cat "$tmp/status" 2>/dev/null)" = 0 ]; then
	echo "ok 1 - pip wheel, venv install (offline) and the installed package work"
else
	echo "not ok 1 - the packaging commands failed (log above)"
fi
exit 0

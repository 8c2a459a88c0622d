#!/bin/bash
# scripts/add-spdx.sh — give every source file of libtownorg the line
#
#     SPDX-License-Identifier: MulanPSL-2.0
#
# in the comment syntax of its language, and nothing else.
#
#   scripts/add-spdx.sh [DIR]          add the line where it is missing; print each file changed
#   scripts/add-spdx.sh --check [DIR]  change nothing; list the files that lack it, exit 1 if any
#                                       (tests/check-spdx.sh runs this)
#
# DIR is the top of the source tree (default: the tree this script is in).
#
# Which files: C sources and headers (.c .h), SWIG interfaces (.i), Python
# (.py), shell (.sh, the bash completion, and extension-less files that start
# with a sh/bash/python shebang), automake and autoconf (.am .ac .mk), and
# the templates of those (.sh.in .py.in .pc.in).  In a git checkout the
# tracked files are taken (git ls-files), so nothing generated is touched;
# elsewhere (a release tarball) every file, minus what the build generates
# (build-aux/, the SWIG wrapper, config.h, build trees, debian/ …).  Test
# data and fuzz corpora are never touched (their files are data, not code).
#
# Where the line goes: the first line of the file, except after a shebang
# line, and for Python after an encoding declaration (PEP 263 wants it on
# line 1 or 2).  C, headers and SWIG get `/* … */`, everything else `# …`.
# A file that already names an SPDX licence in its first 10 lines is left
# alone (so running the script twice changes nothing, and a file under
# another licence keeps its own identifier; --check lists those as notes).
# The file's permissions are kept.
set -euo pipefail
export LC_ALL=C

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"

SPDX='SPDX-License-Identifier: MulanPSL-2.0'
# Not ours to mark: data, generated files, build trees, packaging.
excluded() {
	case $1 in
	tests/data/*.py | tests/bad/*.py) return 1 ;; # the scripts that make the data are code
	fuzz/corpus/* | tests/data/* | tests/bad/* | tests/cli/data/*) return 0 ;;
	build-aux/* | autom4te.cache/* | m4/* | po/* | debian/* | build/* | build-*/* | _build/* | fuzz-build/*) return 0 ;;
	*/.deps/* | */.libs/* | .deps/* | .libs/*) return 0 ;;
	bindings/python/townorg_wrap.c | config.h | tests/examples/config.sh | tests/python/run-pytest.sh) return 0 ;;
	configure | config.status | libtool | */Makefile.in | Makefile.in | aclocal.m4) return 0 ;; # autotools output
	libtownorg-*/*) return 0 ;; # a `make dist` tree
	esac
	return 1
}
# The comment syntax of a file: c, hash, or nothing (not a source file).
syntax() {
	case $1 in
	*.c | *.h | *.i) echo c ;;
	*.py | *.sh | *.am | *.ac | *.mk | *.sh.in | *.py.in | *.pc.in | *.bash-completion) echo hash ;;
	*/* | *)
		case ${1##*/} in
		*.*) ;;
		*)
			if [ -f "$1" ] && line_matches "$1" 1 '^#!.*((/|env )(ba)?sh|python)'; then
				echo hash
			fi
			;;
		esac
		;;
	esac
}
# in_head FILE TEXT: TEXT occurs in the first 10 lines of FILE.  (awk, not
# `head | grep -q`: under pipefail the latter fails when grep stops early.)
in_head() { awk -v t="$2" 'NR > 10 { exit } index($0, t) { f = 1; exit } END { exit !f }' "$1"; }
# line_matches FILE N ERE: line N of FILE matches the extended regex ERE.
line_matches() { awk -v n="$2" -v re="$3" 'NR == n { f = ($0 ~ re); exit } END { exit !f }' "$1"; }
list_files() {
	# git only when DIR is the top of its own checkout (a tarball unpacked
	# inside another checkout, as make distcheck does, is not one)
	if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
		git ls-files
	else
		find . -type f ! -path './.git/*' | sed 's|^\./||' | sort
	fi
}

added=0 lacking=0
while IFS= read -r f; do
	[ -f "$f" ] || continue
	excluded "$f" && continue
	kind=$(syntax "$f")
	[ -n "$kind" ] || continue
	if in_head "$f" 'SPDX-License-Identifier:'; then
		if [ "$check" = 1 ] && ! in_head "$f" "$SPDX"; then
			echo "note: $f: $(awk 'NR <= 10 && /SPDX-License-Identifier:/ { sub(/.*SPDX-License-Identifier:/, ""); print; exit }' "$f")"
		fi
		continue
	fi
	if [ "$check" = 1 ]; then
		echo "$f"
		lacking=$((lacking + 1))
		continue
	fi
	if [ "$kind" = c ]; then line="/* $SPDX */"; else line="# $SPDX"; fi
	# after how many lines: a shebang, then (Python) an encoding declaration
	skip=0
	if line_matches "$f" 1 '^#!'; then skip=1; fi
	case $f in
	*.py | *.py.in)
		if line_matches "$f" "$((skip + 1))" '^[ \t\f]*#.*coding[:=][ \t]*[-_.a-zA-Z0-9]+'; then
			skip=$((skip + 1))
		fi
		;;
	esac
	tmp=$(mktemp "${f}.spdx.XXXXXX")
	{
		head -n "$skip" "$f"
		# a first line without its newline (a one-line file) gets one
		if [ "$skip" -gt 0 ] && [ "$(awk -v n="$skip" 'NR <= n' "$f" | wc -l)" -eq "$skip" ] &&
			[ "$(wc -l <"$f")" -lt "$skip" ]; then
			echo
		fi
		printf '%s\n' "$line"
		tail -n +"$((skip + 1))" "$f"
	} >"$tmp"
	# keep the file's mode: write the new text into the file itself
	cat "$tmp" >"$f"
	rm -f "$tmp"
	echo "$f"
	added=$((added + 1))
done < <(list_files)

if [ "$check" = 1 ]; then
	if [ "$lacking" -gt 0 ]; then
		echo "$lacking file(s) lack '$SPDX' (run scripts/add-spdx.sh)" >&2
		exit 1
	fi
	exit 0
fi
echo "added the SPDX line to $added file(s)" >&2

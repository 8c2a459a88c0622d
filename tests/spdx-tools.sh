#!/bin/bash
# tests/spdx-tools.sh — scripts/add-spdx.sh and tests/check-spdx.sh on a
# small made-up tree (not on the project's own files): where the line goes
# in each language, that shebangs and Python encoding lines stay first, that
# data and generated files are left alone, that a second run changes
# nothing, that modes are kept, and that the check fails before and passes
# after.  Prints TAP.
top_srcdir=$(cd "${top_srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
ADD="$top_srcdir/scripts/add-spdx.sh"
CHECK="$top_srcdir/tests/check-spdx.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/spdx-tools.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
# same DESCRIPTION FILE EXPECTED-TEXT: FILE holds exactly EXPECTED-TEXT.
same() {
	if [ "$(cat "$T/src/$2")" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		sed 's/^/# got: /' "$T/src/$2"
	fi
}

S='SPDX-License-Identifier: MulanPSL-2.0'
mkdir -p "$T/src/lib" "$T/src/scripts" "$T/src/tests/data" "$T/src/fuzz/corpus/x" "$T/src/build-aux" \
	"$T/src/bindings/python" "$T/src/.ci"
cd "$T/src" || exit 99
printf '/*\n * a.c — doc\n */\nint a;\n' >lib/a.c
printf '#pragma once\n' >lib/a.h
printf '%%module x\n' >bindings/python/x.i
printf '#!/bin/sh\necho hi\n' >scripts/run.sh
chmod 755 scripts/run.sh
printf 'echo sourced\n' >scripts/lib.sh
printf '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"""doc"""\n' >scripts/tool.py
printf '"""doc"""\nx = 1\n' >bindings/python/mod.py
printf '#!/bin/bash' >scripts/oneline.sh # no newline at all
printf '#!/bin/bash\nexit 0\n' >.ci/run   # no extension, a shebang
printf 'AC_INIT([x], [1])\n' >configure.ac
printf 'SUBDIRS = po\n' >Makefile.am
printf 'x += y\n' >lib/local.mk
printf 'prefix=@prefix@\n' >x.pc.in
printf '#!/bin/sh\n# SPDX-License-Identifier: MIT\necho vendored\n' >scripts/vendored.sh
printf '{"not": "code"}\n' >tests/data/a.json
printf 'int data;\n' >fuzz/corpus/x/seed.c
printf '#!/bin/sh\n' >build-aux/ltmain.sh
printf 'plain text\n' >README

if bash "$CHECK" "$T/src" >"$T/check.out" 2>&1; then not_ok "the check fails on a tree without the lines"; else
	ok "the check fails on a tree without the lines"
fi
if grep -q '^# lib/a.c$' "$T/check.out" && grep -q '^# .ci/run$' "$T/check.out" &&
	! grep -q 'tests/data\|fuzz/corpus\|build-aux\|README' "$T/check.out"; then
	ok "the check lists the source files, not data or generated ones"
else
	not_ok "the check lists the source files, not data or generated ones"
	sed 's/^/# /' "$T/check.out"
fi
if grep -q '^# note: scripts/vendored.sh: *MIT' "$T/check.out"; then ok "another licence is a note"; else
	not_ok "another licence is a note"
fi

bash "$ADD" "$T/src" >"$T/add.out" 2>&1 || not_ok "add-spdx.sh ran"
same "C: a C comment on line 1" lib/a.c "$(printf '/* %s */\n/*\n * a.c — doc\n */\nint a;' "$S")"
same "header" lib/a.h "$(printf '/* %s */\n#pragma once' "$S")"
same "SWIG" bindings/python/x.i "$(printf '/* %s */\n%%module x' "$S")"
same "shell: after the shebang" scripts/run.sh "$(printf '#!/bin/sh\n# %s\necho hi' "$S")"
same "sourced shell: line 1" scripts/lib.sh "$(printf '# %s\necho sourced' "$S")"
same "Python: after the shebang and the encoding line" scripts/tool.py \
	"$(printf '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# %s\n"""doc"""' "$S")"
same "Python module: line 1, before the docstring" bindings/python/mod.py "$(printf '# %s\n"""doc"""\nx = 1' "$S")"
same "a shebang without a newline" scripts/oneline.sh "$(printf '#!/bin/bash\n# %s' "$S")"
same "an extension-less script" .ci/run "$(printf '#!/bin/bash\n# %s\nexit 0' "$S")"
same "configure.ac" configure.ac "$(printf '# %s\nAC_INIT([x], [1])' "$S")"
same "Makefile.am" Makefile.am "$(printf '# %s\nSUBDIRS = po' "$S")"
same "local.mk" lib/local.mk "$(printf '# %s\nx += y' "$S")"
same "pkg-config template" x.pc.in "$(printf '# %s\nprefix=@prefix@' "$S")"
same "another licence is kept" scripts/vendored.sh "$(printf '#!/bin/sh\n# SPDX-License-Identifier: MIT\necho vendored')"
same "test data untouched" tests/data/a.json '{"not": "code"}'
same "fuzz corpus untouched" fuzz/corpus/x/seed.c 'int data;'
same "build-aux untouched" build-aux/ltmain.sh '#!/bin/sh'
same "plain text untouched" README 'plain text'
if [ -x scripts/run.sh ] && [ ! -x scripts/lib.sh ]; then ok "modes kept"; else not_ok "modes kept"; fi
if [ -z "$(find . -name '*.spdx.*')" ]; then ok "no temporary files left"; else not_ok "no temporary files left"; fi

sum1=$(find . -type f -exec md5sum {} + | sort)
bash "$ADD" "$T/src" >"$T/add2.out" 2>&1
sum2=$(find . -type f -exec md5sum {} + | sort)
if [ "$sum1" = "$sum2" ] && grep -q 'to 0 file(s)' "$T/add2.out"; then ok "a second run changes nothing"; else
	not_ok "a second run changes nothing"
	sed 's/^/# /' "$T/add2.out"
fi
if bash "$CHECK" "$T/src" >"$T/check2.out" 2>&1; then ok "the check passes afterwards"; else
	not_ok "the check passes afterwards"
	sed 's/^/# /' "$T/check2.out"
fi
if bash -n scripts/run.sh && bash -n scripts/oneline.sh && "${PYTHON:-python3}" -c 'import ast,sys; ast.parse(open(sys.argv[1]).read())' scripts/tool.py; then
	ok "the scripts still parse"
else
	not_ok "the scripts still parse"
fi

# In a git checkout only tracked files count (an untracked file is left alone).
if command -v git >/dev/null 2>&1; then
	git init -q . && git add lib/a.c && printf 'int b;\n' >lib/b.c &&
		git -c user.name=t -c user.email=t@t commit -qm t
	bash "$ADD" "$T/src" >/dev/null 2>&1
	same "git: an untracked file is left alone" lib/b.c 'int b;'
else
	echo "ok $((n += 1)) - git: an untracked file is left alone # SKIP git not installed"
fi
echo "1..$n"

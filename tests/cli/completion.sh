#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# The bash completion of townorg (cli/townorg.bash-completion): it reads the
# commands and options from the program's own help, so these tests drive it
# the way bash does (COMP_WORDS, COMP_CWORD, then the completion function)
# against the built program and check what it offers.
. "${top_srcdir:-.}/tests/cli/lib.sh"
# shellcheck source=../../cli/townorg.bash-completion
. "$top_srcdir/cli/townorg.bash-completion"

R="$TMP/r.townorg"
"$TOWNORG" init "$R" >/dev/null &&
	"$TOWNORG" import "$R" "$top_srcdir/examples/data/yixian.json" --quiet >/dev/null ||
	{ echo "Bail out! cannot import the example"; exit 1; }

# complete WORD...: the offers for the last word, sorted, one line, in $got.
complete_words() {
	COMP_WORDS=("$TOWNORG" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_townorg
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	got=${got% }
}
# offers DESCRIPTION WANT WORD...: the offers are exactly WANT (sorted, space-separated).
offers() {
	desc=$1 want=$2
	shift 2
	complete_words "$@"
	if [ "$got" = "$want" ]; then ok "$desc"; else not_ok "$desc"; echo "# got:  '$got'"; echo "# want: '$want'"; fi
}
# offers_has DESCRIPTION WORD... -- COMPLETION...: every COMPLETION is offered.
offers_has() {
	desc=$1
	shift
	words=()
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	complete_words "${words[@]}"
	for w in "$@"; do
		case " $got " in *" $w "*) ;; *) not_ok "$desc"; echo "# '$w' not in '$got'"; return ;; esac
	done
	ok "$desc"
}

offers_has "the first word: every command of townorg --help" "" -- \
	init import log show as-of diff validate blame lineage export verify branch tag merge help --version
offers "a command prefix" "import" im
offers "a prefix shared by commands" "blame branch" b
offers "help COMMAND" "diff" help di
offers "options of diff" "--field --help --json --kind --under" diff "$R" --
# xlsx is offered where townorg was built with workbook support (its help says so)
X=
"$TOWNORG" export --help 2>&1 | grep -q xlsx && X=" xlsx"
offers "the formats of import's synopsis" "json nbs tables$X" import "$R" x --format ""
offers "the formats of export's synopsis" "json tables$X" export "$R" --format ""
offers_has "a repository file name" log "${R%.townorg}" -- "$R"
offers "branch and tag names for FROM" "2007-baseline 2008-reform main" diff "$R" ""
offers "a version prefix" "2008-reform" diff "$R" 2008
offers "TO after FROM" "main" diff "$R" 2007-baseline m
offers "no names for --under's value (an entity id)" "" diff "$R" main main --under ""
offers "names for --into" "2007-baseline 2008-reform main" merge "$R" --into ""
offers "an option's value is not counted as a positional" "2007-baseline 2008-reform main" log -n 3 "$R" ""
: >"$TMP/policy-2008.json"
offers "--policy completes file names" "$TMP/policy-2008.json" validate "$R" --policy "$TMP/pol"
offers "an unknown command completes nothing" "" nosuch --
offers "no repository, no names" "" diff "$TMP/missing.townorg" ""
# A program that is not there: nothing, and no error.
COMP_WORDS=("$TMP/no-such-program" "")
COMP_CWORD=1
COMPREPLY=()
if _townorg 2>"$TMP/err" && [ "${COMPREPLY[*]}" = "help --help --version" ] && [ ! -s "$TMP/err" ]; then
	ok "a missing program: only the fixed words, no error"
else
	not_ok "a missing program: only the fixed words, no error"
fi
done_testing

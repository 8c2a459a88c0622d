#!/bin/bash
# Rebuild the seed corpora fuzz/corpus/<target>/ from the fixtures of
# tests/data, the bad-input corpus tests/bad, policies/ and examples/.
#   fuzz/make_corpus.sh [TOWNORG_PROGRAM]
# With the path of a built `townorg` program, also makes small repository
# files as seeds of fuzz_store (else the committed ones are kept).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
C=$SRC/fuzz/corpus
T=$SRC/tests/data
mkdir -p "$C"
for t in json_repo json_snapshot entity_json tables nbs mca policy version_name docnum store; do
	mkdir -p "$C/fuzz_$t"
done
sep() { printf '%%%%\n'; }
# Join the files of a folder, in the order given, into one input.
bundle() {
	local dir=$1 first=1
	shift
	for f in "$@"; do
		[ $first = 1 ] || sep
		first=0
		if [ -f "$dir/$f" ]; then cat "$dir/$f"; fi
	done
}
# JSON documents (good and bad) seed both document importers.
for f in "$T"/json/good/*.json "$T"/json/bad/*.json "$SRC"/examples/*.json; do
	[ -f "$f" ] || continue
	cp "$f" "$C/fuzz_json_repo/"
	cp "$f" "$C/fuzz_json_snapshot/"
done
# Entity objects: every line of the good documents that holds one.
n=0
for f in "$T"/json/good/*.json; do
	grep -o '{"id":.*}' "$f" | sed 's/,$//' | head -20 | while IFS= read -r line; do
		printf '%s' "$line" >"$C/fuzz_entity_json/$(basename "$f" .json)-$((n++))"
	done
done
# Table sets.
for d in "$T"/tables/*/; do
	bundle "$d" versions.csv base.csv changes.csv events.csv >"$C/fuzz_tables/$(basename "$d")"
done
# NBS editions.
for d in "$T"/nbs/[0-9]*/ "$T"/nbs/bad/*/[0-9]*/; do
	name=$(echo "${d#$T/nbs/}" | tr / -)
	bundle "$d" provinces.csv cities.csv areas.csv streets.csv >"$C/fuzz_nbs/${name%-}"
done
# MCA tables.
for f in "$T"/mca/*.csv "$T"/mca/bad/*.csv; do
	cp "$f" "$C/fuzz_mca/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Policies.
for f in "$T"/policies/*.json "$SRC"/policies/*.json; do
	cp "$f" "$C/fuzz_policy/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Version names and document numbers.
i=0
for name in main plan v3 main~3 plan~1 main@2013-06-01 main@2099-12-31 main~0 'main@2012-02-30' v9 \
	'main~99999999999999999999' 'main@' '~1' 'plan@2010-01-01~1' main~1~1 0000 abcd; do
	printf '%s' "$name" >"$C/fuzz_version_name/name-$((i++))"
done
i=0
for num in '涞办字〔2020〕10号' '黟编〔2010〕3号' '冀民函[2022]79号' '冀民函（2022）79号' '皖政【2019】１２号' \
	'〔2020〕10号' '涞办字〔20〕10号' '涞办字〔2020〕号' '涞办字〔2020' '国发〔2016〕99999999999999999999号' \
	'黟编〔2010〕3号, 附件1' ''; do
	printf '%s' "$num" >"$C/fuzz_docnum/doc-$((i++))"
done
# Stores: foreign files and, with the townorg program, real ones.
printf 'SQLite format 3\0' >"$C/fuzz_store/header-only"
printf 'not a database at all\n' >"$C/fuzz_store/text"
if [ $# -ge 1 ] && [ -x "$1" ]; then
	tmp=$(mktemp -d)
	"$1" init "$tmp/a.townorg" >/dev/null
	"$1" import "$tmp/a.townorg" "$T/tables/mini" --quiet >/dev/null
	cp "$tmp/a.townorg" "$C/fuzz_store/mini.townorg"
	"$1" init "$tmp/empty.townorg" >/dev/null
	cp "$tmp/empty.townorg" "$C/fuzz_store/empty.townorg"
	rm -rf "$tmp"
fi
# The store's decoders (fuzz_store_{envelope,pack,body,version}): real
# encoded objects from the fuzz_store seed (whose versions fuzz_store_version
# resolves parents in) and, with the program, an NBS history with events.
mkdir -p "$C/fuzz_store_envelope" "$C/fuzz_store_pack" "$C/fuzz_store_body" "$C/fuzz_store_version"
stores=("$C/fuzz_store/mini.townorg")
if [ $# -ge 1 ] && [ -x "$1" ]; then
	tmp=$(mktemp -d)
	"$1" init "$tmp/nbs.townorg" >/dev/null
	"$1" import "$tmp/nbs.townorg" "$T/nbs" --events "$T/mca" --quiet >/dev/null
	stores+=("$tmp/nbs.townorg")
fi
/usr/bin/python3 "$SRC/fuzz/store_seeds.py" "$C" "${stores[@]}"
[ -z "${tmp:-}" ] || rm -rf "$tmp"
for t in "$C"/*/; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done

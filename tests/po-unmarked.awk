# Count the library's townorg__err() calls whose format string is not
# marked with _() (rough: the format is looked for on the call's line or the
# next one); formats of conversions and punctuation only ("%s: %s") need no
# translation and are not counted.
function words(s,   lit) {
	if (!match(s, /"([^"\\]|\\.)*"/)) return 1
	lit = substr(s, RSTART, RLENGTH)
	gsub(/%[-+ #0-9.*$]*[hlzjt]*[a-zA-Z%]/, "", lit)
	return lit ~ /[A-Za-z][A-Za-z]/
}
function count(s) {
	if (s ~ /_\(/ || !words(s)) return
	n++; per[FILENAME]++
	if (verbose) print "# " FILENAME ":" FNR ": " s
}
FNR == 1 { pend = 0 }
pend { pend = 0; count($0); next }
/townorg__err\(/ && $0 !~ /int townorg__err\(/ {
	t = $0; sub(/.*townorg__err\(/, "", t)
	if (t !~ /"/ && t !~ /_\(/) { pend = 1; next }
	count(t)
}
END { printf "%d\n", n }

#!/bin/sh
# Execute the notebook examples/yixian.ipynb cell by cell with this build's
# module (tests/examples/run-notebook.py: no Jupyter needed).
. "${top_srcdir:-.}/tests/examples/lib.sh"

if ! python_env; then
	skip "the Python bindings were not built"
	done_testing
	exit 0
fi
if ! "$PYTHON" -c 'import pandas, matplotlib' 2>/dev/null; then
	skip "the notebook needs pandas and matplotlib"
	done_testing
	exit 0
fi
run "$PYTHON" "$abs_top_srcdir/tests/examples/run-notebook.py" "$EX/yixian.ipynb"
check_rc 0 "every code cell of yixian.ipynb runs"
has "--- 7 code cells ran" "seven code cells"
has "渔亭镇 341023102 small 领导职数 7" "渔亭镇 as of today"
has "编制合计 49 （行政 27 ，事业 22 ）" "its quota totals"
has "黟县 organs 108 → 52, 精简 51.9%" "the county's reduction rate"
has "offices.by-class 341023102 渔亭镇：综合性办公室 3 个，超过小乡镇上限 2 个" "渔亭镇 flagged"
has "with waivers, conforms: True waived: 2" "conforms with the waivers"
has "custom rule findings: 0" "a custom rule in Python"

# The same notebook through Jupyter itself (Debian's jupyter-nbconvert and
# python3-ipykernel), as a user would run it; not in the sanitizer build,
# whose preloaded runtime the kernel process would need as well.
if command -v jupyter >/dev/null 2>&1 && jupyter nbconvert --version >/dev/null 2>&1 &&
	[ -z "${LD_PRELOAD:-}" ]; then
	run jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
		--ExecutePreprocessor.kernel_name=python3 --output-dir "$TMP" --output executed \
		"$EX/yixian.ipynb"
	check_rc 0 "jupyter nbconvert --execute runs the notebook"
	run "$PYTHON" -c 'import json, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
print("".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])))' "$TMP/executed.ipynb"
	check_rc 0 "the executed notebook is readable"
	has "渔亭镇 341023102 small 领导职数 7" "nbconvert: 渔亭镇 as of today"
	has "黟县 organs 108 → 52, 精简 51.9%" "nbconvert: the county's reduction rate"
	has "with waivers, conforms: True waived: 2" "nbconvert: conforms with the waivers"
else
	skip "jupyter nbconvert is not installed (apt-get install jupyter-nbconvert python3-ipykernel)"
fi
done_testing

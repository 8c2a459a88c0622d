#!/bin/sh
# SPDX-License-Identifier: MulanPSL-2.0
# Execute the notebook examples/yixian.ipynb cell by cell with this build's
# module (tests/examples/run-notebook.py: no Jupyter needed), then through
# Jupyter as a user would: jupyter nbconvert --to html --execute, checking
# that the exported page holds the pictures (the org chart and the lineage
# as inline SVG without an XML declaration, with the Chinese names as their
# text; the quota plot as a PNG) and the tables (精简率, the custom rule's
# findings).  Issue 20.
. "${top_srcdir:-.}/tests/examples/lib.sh"

if ! python_env; then
	skip "the Python bindings were not built"
	done_testing
	exit 0
fi
if ! "$PYTHON" -c 'import pandas, matplotlib, IPython' 2>/dev/null; then
	skip "the notebook needs pandas, matplotlib and IPython"
	done_testing
	exit 0
fi
MPLBACKEND=Agg run "$PYTHON" "$abs_top_srcdir/tests/examples/run-notebook.py" "$EX/yixian.ipynb"
check_rc 0 "every code cell of yixian.ipynb runs"
has "--- 8 code cells ran" "eight code cells"
has "'编制合计': 49, '行政': 27, '事业': 22" "渔亭镇's quota totals"
has "柯村乡为民服务中心：事业编制 12 名，少于 15 名" "the custom rule finds something"

# The notebook itself uses display(), not print().
run "$PYTHON" -c 'import json, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
print(sum("print(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"))
print(sum(len(c.get("outputs", [])) for c in nb["cells"] if c["cell_type"] == "code"))' "$EX/yixian.ipynb"
check_rc 0 "the notebook is readable"
if [ "$(sed -n 1p "$TMP/out")" = 0 ]; then ok "no print() in the notebook"; else not_ok "print() in the notebook"; fi
if [ "$(sed -n 2p "$TMP/out")" -ge 8 ]; then ok "the notebook is committed with its outputs"; else
	not_ok "the notebook has $(sed -n 2p "$TMP/out") outputs: run make notebook"; fi

# Through Jupyter (Debian's jupyter-nbconvert and python3-ipykernel); not in
# the sanitizer build, whose preloaded runtime the kernel would need too.
if command -v jupyter >/dev/null 2>&1 && jupyter nbconvert --version >/dev/null 2>&1 &&
	[ -z "${LD_PRELOAD:-}" ] && command -v dot >/dev/null 2>&1; then
	cp "$EX/yixian.ipynb" "$TMP/yixian.ipynb"
	run env -u MPLBACKEND jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=300 \
		--ExecutePreprocessor.kernel_name=python3 --output-dir "$TMP" --output exported "$TMP/yixian.ipynb"
	check_rc 0 "jupyter nbconvert --to html --execute exports the notebook"
	run "$PYTHON" - "$TMP/exported.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
svgs = re.findall(r"<svg.*?</svg>", page, re.S)
texts = [" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", s)) for s in svgs]
print("svg pictures:", len(svgs))
print("xml declarations:", page.count("<?xml"))
print("org chart text has 渔亭镇:", any("渔亭镇" in t and "党政办公室" in t for t in texts))
print("lineage text has 为民服务中心:", any("渔亭镇为民服务中心" in t and "渔亭镇计生所" in t for t in texts))
print("png pictures:", len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)))
print("精简率" in page and "51.9%" in page, "local.center-minimum" in page or "少于 15 名" in page)
PY
	check_rc 0 "the exported page is readable"
	lacks "svg pictures: 0" "the page holds SVG pictures"
	has "xml declarations: 0" "no XML declaration inside the page"
	has "org chart text has 渔亭镇: True" "the org chart's text is the Chinese names"
	has "lineage text has 为民服务中心: True" "the lineage picture's text is the Chinese names"
	lacks "png pictures: 0" "the quota plot is a PNG"
	has "True True" "the diff with 精简率 and the custom rule's findings"
else
	skip "jupyter nbconvert or Graphviz's dot is not installed (apt-get install jupyter-nbconvert python3-ipykernel graphviz)"
fi
done_testing

#!/usr/bin/python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Run a Jupyter notebook's code cells in order, in one namespace, without
Jupyter: the tests need no nbformat or nbconvert.  Usage:

    run-notebook.py NOTEBOOK.ipynb [WORKDIR]

Each code cell is compiled with its cell number in the file name, so a
failure names the cell; IPython magics (lines starting with % or !) are
skipped.  Exit 0 when every cell ran, 1 otherwise.
"""
import json
import os
import sys
import traceback


def main(argv):
    nb_path = os.path.abspath(argv[1])
    with open(nb_path, encoding="utf-8") as f:
        nb = json.load(f)
    if nb.get("nbformat") != 4:
        print("run-notebook: %s: not an nbformat 4 notebook" % nb_path, file=sys.stderr)
        return 1
    os.chdir(argv[2] if len(argv) > 2 else os.path.dirname(nb_path))
    ns = {"__name__": "__main__"}
    n = 0
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        n += 1
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        print("--- cell %d" % i, flush=True)
        try:
            exec(compile(src, "%s[cell %d]" % (os.path.basename(nb_path), i), "exec"), ns)
        except Exception:
            traceback.print_exc()
            print("run-notebook: cell %d failed" % i, file=sys.stderr)
            return 1
        sys.stdout.flush()
    print("--- %d code cells ran" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

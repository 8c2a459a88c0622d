# SPDX-License-Identifier: MulanPSL-2.0
"""The worked examples of docs/python.md run as they stand, in order."""

import re

import pytest

from conftest import SRC

pytest.importorskip("pandas")
pytest.importorskip("networkx")


def test_worked_examples_run():
    text = (SRC / "docs" / "python.md").read_text(encoding="utf-8")
    part = text.split("<!-- examples:start -->", 1)[1].split("<!-- examples:end -->", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", part, re.S)
    assert len(blocks) >= 10
    ns = {"__name__": "docs_python_md"}
    for i, block in enumerate(blocks):
        exec(compile(block, "docs/python.md[example %d]" % (i + 1), "exec"), ns)

# SPDX-License-Identifier: MulanPSL-2.0
"""The library's messages in Chinese from Python once the program calls
locale.setlocale(LC_ALL, "") under zh_CN.UTF-8, in English before
(docs/python.md, "Errors"; issue 19).  Run in a child interpreter: the locale
is process-wide."""

import locale
import os
import pathlib
import subprocess
import sys

import pytest

import townorg
from conftest import SRC

CHILD = r"""
import locale, sys, townorg
def msg():
    try:
        townorg.Repository.open(sys.argv[1])
    except townorg.Corrupt as e:
        return str(e)
    return "opened"
print(msg())
locale.setlocale(locale.LC_ALL, "")
print(msg())
"""


def _locale_dir():
    """The build tree's catalogue (locale/ beside bindings/python/.libs)."""
    mod = pathlib.Path(townorg._core._c.__file__).resolve()
    for up in mod.parents:
        mo = up / "locale" / "zh_CN" / "LC_MESSAGES" / "townorg.mo"
        if mo.exists():
            return up / "locale"
    return None


def test_messages_follow_the_locale_set_by_the_program():
    try:
        locale.setlocale(locale.LC_MESSAGES, "zh_CN.UTF-8")
    except locale.Error:
        pytest.skip("no zh_CN.UTF-8 locale")
    finally:
        locale.setlocale(locale.LC_MESSAGES, "C")
    ldir = _locale_dir()
    if ldir is None:
        pytest.skip("no built catalogue (locale/zh_CN/LC_MESSAGES/townorg.mo)")
    env = dict(os.environ, LC_ALL="zh_CN.UTF-8", TOWNORG_LOCALEDIR=str(ldir))
    env.pop("LANGUAGE", None)
    out = subprocess.run([sys.executable, "-c", CHILD, str(SRC / "tests" / "cli" / "data" / "not-a-repo.db")],
                         env=env, capture_output=True, text=True, encoding="utf-8", check=True).stdout.splitlines()
    assert out[0].endswith(": not a townorg repository (not an SQLite database)")
    assert out[1].endswith("：不是 townorg 仓库（不是 SQLite 数据库）")

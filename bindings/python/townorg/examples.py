# SPDX-License-Identifier: MulanPSL-2.0
"""The example datasets bundled with libtownorg, ready to explore.

``townorg.examples.yixian()`` is a Repository holding 黟县's township
reform (seed 篇7: the 2007 baseline, the 2008 reform and what followed;
``examples/data/README.md`` says which figures are stand-ins);
``yian()`` and ``district()`` the other two datasets.  Each call imports
the dataset afresh into a new in-memory repository (or into a new
repository file at ``path``), so a notebook needs no paths.
``path(name)`` gives a bundled file itself (``"yixian-waivers.json"``,
``"yixian-tables"``).
"""

from . import _core, _data

__all__ = ["yixian", "yian", "district", "path", "names", "load"]


def names():
    """The bundled datasets' names: ['district', 'yian', 'yixian', ...]."""
    return [n for n in _data.listing("examples") if not n.endswith("-waivers")]


def path(name):
    """The path of a bundled file or folder (``"yixian.json"``,
    ``"yixian-waivers.json"``, ``"yixian-tables"``).  NotFound names where it looked."""
    name = _core._text(name, "name")
    if "/" in name or name.startswith("."):
        raise _core.Invalid("name must be a bundled file's name, not a path", _core.Invalid.code)
    return _data.find("examples", name, "example")


def load(name, path=None):
    """A Repository holding the bundled dataset ``name`` (a repository
    document): in memory, or in a new repository file at ``path``."""
    src = globals()["path"](_core._text(name, "name") + ".json")
    repo = _core.Repository() if path is None else _core.Repository.create(path)
    try:
        repo.import_json(src)
    except BaseException:
        repo.close()
        raise
    return repo


def yixian(path=None):
    """黟县 (Yi County, Anhui): the 2008 township reform of seed 篇7."""
    return load("yixian", path)


def yian(path=None):
    """义安镇, 涞水县: the 2020 structure "四办、一队、一站、两中心" (seed 篇10)."""
    return load("yian", path)


def district(path=None):
    """The district of seed 篇4: before 2002 → the 2002 reform → the 2005
    redistricting → "一校一站四中心"."""
    return load("district", path)

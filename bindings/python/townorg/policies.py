# SPDX-License-Identifier: MulanPSL-2.0
"""The policy files installed with libtownorg (``policies/*.json``).

``townorg.policies.path("default")`` is the file of the default policy
(the one ``Policy()`` holds built in); ``townorg.policies.load("2020")``
the library's defaults with that file applied; ``names()`` every
installed policy.  See ``townorg._data`` for where they are looked for.
"""

from . import _core, _data

__all__ = ["path", "load", "names"]


def names():
    """The installed policies' names, e.g. ['2020', 'default']."""
    return _data.listing("policies")


def path(name="default"):
    """The path of an installed policy file ('default', '2020', ...;
    '.json' may be given).  NotFound names where it looked."""
    name = _core._text(name, "name")
    if not name.endswith(".json"):
        name += ".json"
    if "/" in name or name.startswith("."):
        raise _core.Invalid("name must be a policy name such as 'default', not a path", _core.Invalid.code)
    return _data.find("policies", name, "policy")


def load(name="default"):
    """A Policy: the library's defaults with the named policy file applied."""
    return _core.Policy.load(path(name))

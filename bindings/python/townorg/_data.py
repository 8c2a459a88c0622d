# SPDX-License-Identifier: MulanPSL-2.0
"""Where the installed data lives: policies and bundled examples.

Design: ``make install`` puts the policy files in ``$(pkgdatadir)/policies``
and the example datasets in ``$(pkgdatadir)/examples``, and writes the
package's ``_config.py`` with that ``PKGDATADIR`` (a wheel built by
``pip`` writes it from ``pkg-config --variable=pkgdatadir townorg``).  The
search order is: the ``TOWNORG_DATADIR`` environment variable; the
configured ``PKGDATADIR``; the source tree the package was imported from
(``policies/`` and ``examples/data/`` beside ``bindings/python/``), so that
a build tree works without installing.  A missing file raises NotFound
naming every place looked at.
"""

import os

from . import _core

_HERE = os.path.dirname(os.path.abspath(__file__))
_SRC = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))


def _configured():
    try:
        from ._config import PKGDATADIR  # written by make install / the wheel build
    except ImportError:
        return None
    return PKGDATADIR


def roots(sub):
    """The candidate folders for ``sub`` ('policies' or 'examples'), in search order."""
    out = []
    env = os.environ.get("TOWNORG_DATADIR")
    if env:
        out.append(os.path.join(env, sub))
    cfg = _configured()
    if cfg:
        out.append(os.path.join(cfg, sub))
    out.append(os.path.join(_SRC, "policies" if sub == "policies" else os.path.join("examples", "data")))
    return out


def find(sub, name, what):
    """The first existing ``name`` under the roots of ``sub``."""
    tried = []
    for root in roots(sub):
        p = os.path.join(root, name)
        if os.path.exists(p):
            return p
        tried.append(root)
    raise _core.NotFound("%s '%s' not found (looked in %s)" % (what, name, ", ".join(tried)), _core.NotFound.code)


def listing(sub, suffix=".json"):
    """The names (without suffix) of the files of ``sub`` in the first root that exists."""
    for root in roots(sub):
        if os.path.isdir(root):
            return sorted(f[:-len(suffix)] for f in os.listdir(root) if f.endswith(suffix))
    return []

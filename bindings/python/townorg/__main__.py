# SPDX-License-Identifier: MulanPSL-2.0
"""``python3 -m townorg ARGS`` runs the ``townorg`` command with ARGS.

Design: the command-line program is part of the C library's installation
(``$(bindir)/townorg``); this entry point finds it — the ``TOWNORG_CLI``
environment variable, then the bindir recorded in ``_config.py`` at
install time, then ``PATH`` — and replaces the Python process with it, so
every subcommand, option, exit status and message is the program's own.
"""

import os
import shutil
import sys


def find_cli():
    """The path of the townorg program, or None."""
    env = os.environ.get("TOWNORG_CLI")
    if env:
        return env
    try:
        from ._config import BINDIR
    except ImportError:
        BINDIR = None
    if BINDIR:
        p = os.path.join(BINDIR, "townorg")
        if os.access(p, os.X_OK):
            return p
    return shutil.which("townorg")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    exe = find_cli()
    if exe is None:
        sys.stderr.write("python3 -m townorg: the townorg program was not found (install libtownorg's CLI, put it "
                         "on PATH, or set TOWNORG_CLI)\n")
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, [exe] + argv)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main())

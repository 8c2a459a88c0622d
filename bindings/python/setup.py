# SPDX-License-Identifier: MulanPSL-2.0
"""Build the SWIG extension townorg._townorg_c against the installed
libtownorg (see pyproject.toml).

Everything comes from pkg-config: the compiler and linker flags of
``townorg`` (whose headers SWIG reads), the version, and where the data
and the program were installed (written to ``townorg/_config.py``, which
the package reads to find the policies, the bundled examples and the
``townorg`` program).  With no libtownorg installed the build stops with
a message saying so.  When ``townorg_wrap.c`` is present (a release
tarball) it is compiled as is; otherwise SWIG makes it from townorg.i.
"""

import os
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config"] + list(args) + ["townorg"], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True).stdout
    except FileNotFoundError:
        sys.exit("setup.py: pkg-config is not installed (Debian: apt-get install pkg-config)")
    except subprocess.CalledProcessError:
        sys.exit("setup.py: libtownorg is not installed where pkg-config looks (pkg-config townorg failed; "
                 "install the library first, or set PKG_CONFIG_PATH)")
    return out.strip()


cflags = shlex.split(pkg_config("--cflags"))
libs = shlex.split(pkg_config("--libs"))
version = pkg_config("--modversion")
include_dirs = [f[2:] for f in cflags if f.startswith("-I")]
library_dirs = [f[2:] for f in libs if f.startswith("-L")]

wrap = os.path.join("townorg_wrap.c")
if os.path.exists(os.path.join(HERE, wrap)):
    sources, swig_opts = [wrap], []
else:
    sources = ["townorg.i"]
    swig_opts = ["-noproxy"] + ["-I" + d for d in include_dirs] + ["-I" + HERE]

ext = Extension(
    "townorg._townorg_c", sources=sources, swig_opts=swig_opts, include_dirs=include_dirs,
    library_dirs=library_dirs, runtime_library_dirs=library_dirs,
    libraries=[f[2:] for f in libs if f.startswith("-l")],
    extra_compile_args=["-fno-strict-aliasing"] + [f for f in cflags if not f.startswith("-I")])


class build_py_with_config(build_py):
    """Also write townorg/_config.py: where pkg-config says the data and the program are."""

    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "townorg", "_config.py")
        with open(target, "w", encoding="utf-8") as f:
            f.write('"""Written by setup.py from pkg-config townorg: where the data and the program are."""\n')
            f.write("PKGDATADIR = %r\n" % pkg_config("--variable=pkgdatadir"))
            f.write("BINDIR = %r\n" % pkg_config("--variable=bindir"))


setup(version=version, ext_modules=[ext], cmdclass={"build_py": build_py_with_config})

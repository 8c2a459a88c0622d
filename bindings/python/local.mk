# SPDX-License-Identifier: MulanPSL-2.0
# Python bindings: the SWIG extension module _townorg_c (a libtool module)
# and the pure-Python package `townorg` on top of it.  The SWIG wrapper is
# generated into the source tree and shipped in the tarball, so building
# from a release needs no SWIG.
PY_SWIG_WRAP = $(srcdir)/bindings/python/townorg_wrap.c
PY_SWIG_SRC = bindings/python/townorg.i bindings/python/pyto_helpers.i bindings/python/pyto_merge.i bindings/python/pyto_schema.i
# org charts (issue 21)
PY_SWIG_SRC += bindings/python/pyto_chart.i
EXTRA_DIST += $(PY_SWIG_SRC) $(PY_SWIG_WRAP)
MAINTAINERCLEANFILES = $(PY_SWIG_WRAP)

# The pure-Python package (installed with the module; listed here in any
# case so that the tarball holds it).
PY_PACKAGE_FILES = \
	bindings/python/townorg/__init__.py \
	bindings/python/townorg/_core.py \
	bindings/python/townorg/_display.py \
	bindings/python/townorg/_plot.py \
	bindings/python/townorg/_excel.py \
	bindings/python/townorg/_merge.py \
	bindings/python/townorg/_frame.py \
	bindings/python/townorg/_write.py \
	bindings/python/townorg/_data.py \
	bindings/python/townorg/examples.py \
	bindings/python/townorg/policies.py \
	bindings/python/townorg/_nx.py \
	bindings/python/townorg/__main__.py
EXTRA_DIST += $(PY_PACKAGE_FILES) docs/python.md bindings/python/townorg/py.typed \
	bindings/python/pyproject.toml bindings/python/setup.py bindings/python/README.md

# Python tests (pytest, run by tests/python/run-pytest.sh).
PY_TEST_FILES = \
	tests/python/conftest.py \
	tests/python/test_basics.py \
	tests/python/test_history.py \
	tests/python/test_validate.py \
	tests/python/test_io.py \
	tests/python/test_datascience.py \
	tests/python/test_misuse.py \
	tests/python/test_merge.py \
	tests/python/test_write_frame.py \
	tests/python/test_data.py \
	tests/python/test_display.py \
	tests/python/test_errors.py \
	tests/python/test_docs.py
# the library's messages in Chinese from Python (issue 19)
PY_TEST_FILES += tests/python/test_i18n.py
EXTRA_DIST += $(PY_TEST_FILES) tests/python/run-pytest.sh.in

if WITH_PYTHON
# Regenerate into a temporary name first: several build trees may share
# this source tree.
$(PY_SWIG_WRAP): $(PY_SWIG_SRC) $(include_HEADERS) $(townorg_include_HEADERS)
	$(AM_V_GEN)$(SWIG) -python -noproxy -I$(top_srcdir)/include -I$(top_srcdir)/bindings/python \
	  -o $@.tmp$$$$ $(top_srcdir)/bindings/python/townorg.i && mv -f $@.tmp$$$$ $@
BUILT_SOURCES = $(PY_SWIG_WRAP)

# Installed inside the package: townorg._townorg_c (issue 20).
townorg_pyexecdir = $(pyexecdir)/townorg
townorg_pyexec_LTLIBRARIES = bindings/python/_townorg_c.la
bindings_python__townorg_c_la_SOURCES = bindings/python/townorg_wrap.c
bindings_python__townorg_c_la_CPPFLAGS = $(AM_CPPFLAGS) $(PYTHON_DEV_CFLAGS)
# Generated code: no project warnings, and no strict aliasing (SWIG's casts).
bindings_python__townorg_c_la_CFLAGS = -fno-strict-aliasing
bindings_python__townorg_c_la_LDFLAGS = -module -avoid-version -shared -export-symbols-regex '^PyInit__townorg_c$$'
bindings_python__townorg_c_la_LIBADD = lib/libtownorg.la

townorg_pythondir = $(pythondir)/townorg
townorg_python_PYTHON = $(PY_PACKAGE_FILES)

# The test runner, with this build's interpreter and compiler filled in.
tests/python/run-pytest.sh: $(srcdir)/tests/python/run-pytest.sh.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tests/python && \
	sed -e 's|@PYTHON[@]|$(PYTHON)|g' -e 's|@CC[@]|$(CC)|g' \
	    -e 's|@abs_top_srcdir[@]|$(abs_top_srcdir)|g' -e 's|@abs_top_builddir[@]|$(abs_top_builddir)|g' \
	    $(srcdir)/tests/python/run-pytest.sh.in >$@.tmp && chmod +x $@.tmp && mv -f $@.tmp $@
check_SCRIPTS = tests/python/run-pytest.sh
CLEANFILES += tests/python/run-pytest.sh
TESTS += tests/python/run-pytest.sh
endif

# Org charts (issue 21): the module links libtownorg-chart where Graphviz
# was found; bindings/python/pyto_chart.i reads TOWNORG_WITH_CHART.
if WITH_PYTHON
if WITH_GRAPHVIZ
bindings_python__townorg_c_la_CPPFLAGS += -DTOWNORG_WITH_CHART
bindings_python__townorg_c_la_LIBADD += render/libtownorg-chart.la
endif
endif
# Issue 20: where the installed package finds the policies and examples.
if WITH_PYTHON
bindings/python/townorg/_config.py: Makefile
	$(AM_V_GEN)$(MKDIR_P) bindings/python/townorg && \
	printf '"""Written by make install: where the data and the program are."""\nPKGDATADIR = "%s"\nBINDIR = "%s"\n' \
	  '$(pkgdatadir)' '$(bindir)' >$@.tmp && mv -f $@.tmp $@
nodist_townorg_python_PYTHON = bindings/python/townorg/_config.py
townorg_python_DATA = bindings/python/townorg/py.typed
CLEANFILES += bindings/python/townorg/_config.py
# pip wheel / pip install into a venv against the installed library (77 when not installed).
TESTS += tests/python/packaging.sh
endif
dist_noinst_SCRIPTS += tests/python/packaging.sh

# SPDX-License-Identifier: MulanPSL-2.0
# Examples (examples/): C programs, Python scripts, a notebook and the seed
# datasets of examples/data/.  The C programs are written against the
# installed library (pkg-config townorg); here they are built against this
# build tree, and tests/examples/*.sh run every example on the datasets and
# check what it prints.

check_PROGRAMS += examples/reform_rates examples/validate_county examples/plan_reform
examples_reform_rates_LDADD = lib/libtownorg.la
examples_validate_county_LDADD = lib/libtownorg.la
examples_plan_reform_LDADD = lib/libtownorg.la

EX_DATA_FILES = \
	examples/data/README.md \
	examples/data/make_datasets.py \
	examples/data/yixian.json \
	examples/data/yixian-waivers.json \
	examples/data/yian.json \
	examples/data/district.json \
	examples/data/yixian-tables/versions.csv \
	examples/data/yixian-tables/base.csv \
	examples/data/yixian-tables/changes.csv \
	examples/data/yixian-tables/events.csv
EX_PY_FILES = \
	examples/reform_rates.py \
	examples/plan_2025.py \
	examples/yian_2020.py \
	examples/yixian.ipynb
EXTRA_DIST += $(EX_DATA_FILES) $(EX_PY_FILES) examples/README.md \
	docs/guide-zh.md docs/guide-en.md docs/api.md

# What the tests need to know about this build (the interpreter, the compiler
# for the sanitizer build's libasan, whether the bindings were built).
tests/examples/config.sh: Makefile
	$(AM_V_GEN)$(MKDIR_P) tests/examples && { \
	  echo "PYTHON='$(PYTHON)'"; echo "CC='$(CC)'"; \
	  echo "abs_top_srcdir='$(abs_top_srcdir)'"; echo "abs_top_builddir='$(abs_top_builddir)'"; \
	} >$@.tmp && mv -f $@.tmp $@
check_DATA = tests/examples/config.sh
CLEANFILES += tests/examples/config.sh

EX_TESTS_SH = \
	tests/examples/c-examples.sh \
	tests/examples/python-examples.sh \
	tests/examples/notebook.sh \
	tests/examples/demo.sh
TESTS += $(EX_TESTS_SH)
dist_noinst_SCRIPTS += $(EX_TESTS_SH) tests/examples/lib.sh tests/examples/run-notebook.py scripts/demo.sh

# Issue 20 (Python): the datasets installed for townorg.examples (the package
# finds them through its _config.PKGDATADIR).
examplesdatadir = $(pkgdatadir)/examples
examplesdata_DATA = examples/data/yixian.json examples/data/yixian-waivers.json examples/data/yian.json \
	examples/data/district.json
examplestablesdir = $(pkgdatadir)/examples/yixian-tables
examplestables_DATA = examples/data/yixian-tables/versions.csv examples/data/yixian-tables/base.csv \
	examples/data/yixian-tables/changes.csv examples/data/yixian-tables/events.csv

# Issue 20: regenerate the bundled notebook's committed outputs with this
# build's module (Jupyter's kernel inherits PYTHONPATH and LD_LIBRARY_PATH).
notebook: all
	cd $(srcdir)/examples && \
	PYTHONPATH=$(abs_top_builddir)/bindings/python/.libs:$(abs_top_srcdir)/bindings/python \
	LD_LIBRARY_PATH=$(abs_top_builddir)/lib/.libs \
	jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 \
	  --ExecutePreprocessor.kernel_name=python3 yixian.ipynb
.PHONY: notebook

# SPDX-License-Identifier: MulanPSL-2.0
# Tests.  Check suites (one per module) print TAP; shell tests check the
# exported symbols and that every public header compiles on its own.
TEST_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/lib $(CHECK_CFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"' -DTEST_BUILDDIR='"$(abs_top_builddir)"'
TEST_LIBS = lib/libtownorg_core.la $(CHECK_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/check_entity tests/check_repo tests/check_hamt
tests_check_entity_SOURCES = tests/check_entity.c tests/testutil.h
tests_check_entity_CFLAGS = $(TEST_CFLAGS)
tests_check_entity_LDADD = $(TEST_LIBS)
tests_check_repo_SOURCES = tests/check_repo.c tests/testutil.h
tests_check_repo_CFLAGS = $(TEST_CFLAGS)
tests_check_repo_LDADD = $(TEST_LIBS)
tests_check_hamt_SOURCES = tests/check_hamt.c tests/testutil.h
tests_check_hamt_CFLAGS = $(TEST_CFLAGS)
tests_check_hamt_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_pool
tests_check_pool_SOURCES = tests/check_pool.c tests/testutil.h
tests_check_pool_CFLAGS = $(TEST_CFLAGS)
tests_check_pool_LDADD = $(TEST_LIBS)

TESTS += tests/check_entity tests/check_repo tests/check_hamt tests/check_pool tests/check-exports.sh tests/check-headers.sh tests/check-layers.sh
dist_noinst_SCRIPTS += tests/check-exports.sh tests/check-headers.sh tests/check-layers.sh tests/layer-graph.py

# JSON interchange format
check_PROGRAMS += tests/check_json
tests_check_json_SOURCES = tests/check_json.c tests/testutil.h
tests_check_json_CFLAGS = $(TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_check_json_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)
TESTS += tests/check_json
EXTRA_DIST += tests/data/json
TESTS += tests/check-json-hashes.sh
dist_noinst_SCRIPTS += tests/check-json-hashes.sh

# Diff, history, lineage
check_PROGRAMS += tests/check_diff
tests_check_diff_SOURCES = tests/check_diff.c tests/testutil.h
tests_check_diff_CFLAGS = $(TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_check_diff_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)
TESTS += tests/check_diff
check_PROGRAMS += tests/check_history
tests_check_history_SOURCES = tests/check_history.c tests/testutil.h
tests_check_history_CFLAGS = $(TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_check_history_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)
TESTS += tests/check_history

# SQLite repository store
check_PROGRAMS += tests/check_store
tests_check_store_SOURCES = tests/check_store.c tests/testutil.h
tests_check_store_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS) $(ZLIB_CFLAGS)
tests_check_store_LDADD = $(TEST_LIBS) $(SQLITE_LIBS) $(ZLIB_LIBS)
TESTS += tests/check_store

# Validation: rules, policies, waivers, dry runs
check_PROGRAMS += tests/check_validate
tests_check_validate_SOURCES = tests/check_validate.c tests/testutil.h
tests_check_validate_CFLAGS = $(TEST_CFLAGS)
tests_check_validate_LDADD = $(TEST_LIBS)
TESTS += tests/check_validate
EXTRA_DIST += tests/data/policies

# CSV tables
check_PROGRAMS += tests/check_tables
tests_check_tables_SOURCES = tests/check_tables.c tests/testutil.h
tests_check_tables_CFLAGS = $(TEST_CFLAGS)
tests_check_tables_LDADD = $(TEST_LIBS)
TESTS += tests/check_tables
EXTRA_DIST += tests/data/tables
# Real data importers (NBS township lists, MCA change tables)
check_PROGRAMS += tests/check_realdata
tests_check_realdata_SOURCES = tests/check_realdata.c tests/testutil.h
tests_check_realdata_CFLAGS = $(TEST_CFLAGS)
tests_check_realdata_LDADD = $(TEST_LIBS)
TESTS += tests/check_realdata
EXTRA_DIST += tests/data/nbs tests/data/mca
# Reliability: the bad-input corpus tests/bad (docs/reliability.md)
check_PROGRAMS += tests/check_bad_inputs
tests_check_bad_inputs_SOURCES = tests/check_bad_inputs.c tests/testutil.h fuzz/fuzz_util.h
tests_check_bad_inputs_CFLAGS = $(TEST_CFLAGS)
tests_check_bad_inputs_LDADD = $(TEST_LIBS)
TESTS += tests/check_bad_inputs
EXTRA_DIST += tests/bad
# Reliability: out of memory, I/O faults, crashes, threads (docs/reliability.md)
check_PROGRAMS += tests/check_reliability
tests_check_reliability_SOURCES = tests/check_reliability.c tests/testutil.h
tests_check_reliability_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_check_reliability_LDADD = $(TEST_LIBS) $(SQLITE_LIBS)
TESTS += tests/check_reliability
# Merge and patch (and the NBS consecutive-year diffs)
check_PROGRAMS += tests/check_merge
tests_check_merge_SOURCES = tests/check_merge.c tests/testutil.h
tests_check_merge_CFLAGS = $(TEST_CFLAGS)
tests_check_merge_LDADD = $(TEST_LIBS)
TESTS += tests/check_merge

# API reference from the header comments (Doxygen)
TESTS += tests/check-doxygen.sh
TESTS += tests/check-one-thread.sh
dist_noinst_SCRIPTS += tests/check-one-thread.sh
dist_noinst_SCRIPTS += tests/check-doxygen.sh
EXTRA_DIST += docs/Doxyfile
doxygen:
	TOWNORG_SRCDIR='$(abs_top_srcdir)' TOWNORG_DOXYGEN_OUT='$(abs_top_builddir)/doc/api' doxygen '$(top_srcdir)/docs/Doxyfile'
.PHONY: doxygen
# The cases that need ../shared (tagged "shared"), run last, or SKIP
# visibly when the data is absent; the committed copy of the bench sample.
TESTS += tests/check-static-link.sh tests/check-shared-data.sh
dist_noinst_SCRIPTS += tests/check-static-link.sh tests/check-shared-data.sh
EXTRA_DIST += tests/data/bench-sample
# The base layer's toolkit: codec, growable arrays, messages
check_PROGRAMS += tests/check_base
tests_check_base_SOURCES = tests/check_base.c tests/testutil.h
tests_check_base_CFLAGS = $(TEST_CFLAGS)
tests_check_base_LDADD = $(TEST_LIBS)
TESTS += tests/check_base

# Org charts (libtownorg-chart, where Graphviz was found) and the HTML
# report in headless Chromium (issue 21).  check_chart links the installed
# shape of the libraries (libtownorg + libtownorg-chart), not the core.
if WITH_GRAPHVIZ
check_PROGRAMS += tests/check_chart
tests_check_chart_SOURCES = tests/check_chart.c
tests_check_chart_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"'
tests_check_chart_LDADD = render/libtownorg-chart.la lib/libtownorg.la $(CHECK_LIBS) $(PTHREAD_LIBS)
TESTS += tests/check_chart
endif
TESTS += tests/check-report.sh
dist_noinst_SCRIPTS += tests/check-report.sh tests/check-report-dom.py
tests/check-report.log: cli/townorg$(EXEEXT)
EXTRA_DIST += tests/valgrind-graphviz.supp

# Licence (issue 21): the tools that add and check the SPDX lines, on a
# made-up tree, and every source file of this tree has its line.
TESTS += tests/spdx-tools.sh tests/check-spdx.sh
dist_noinst_SCRIPTS += tests/spdx-tools.sh tests/check-spdx.sh scripts/add-spdx.sh

# Workbooks (.xlsx, the 台账; issue 21): export, import, Excel's retyping, bad workbooks
if HAVE_XLSX
check_PROGRAMS += tests/check_xlsx
tests_check_xlsx_SOURCES = tests/check_xlsx.c tests/testutil.h
tests_check_xlsx_CFLAGS = $(TEST_CFLAGS) $(XLSX_CFLAGS)
tests_check_xlsx_LDADD = $(TEST_LIBS) $(XLSX_LIBS)
TESTS += tests/check_xlsx
endif
# Reliability and security (issue 23): output and input files, init,
# signed and pinned log heads
check_PROGRAMS += tests/check_security
tests_check_security_SOURCES = tests/check_security.c tests/testutil.h
tests_check_security_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_check_security_LDADD = $(TEST_LIBS) $(SQLITE_LIBS)
TESTS += tests/check_security

# real data, second round (issue 19): the real NBS editions and MCA tables
# (exit 77 where ../shared/data/real is absent)
check_PROGRAMS += tests/check_realdata_real
tests_check_realdata_real_SOURCES = tests/check_realdata_real.c tests/testutil.h
tests_check_realdata_real_CFLAGS = $(TEST_CFLAGS)
tests_check_realdata_real_LDADD = $(TEST_LIBS)
TESTS += tests/check_realdata_real

# issue 19: every string of the townorg program has its Chinese translation
TESTS += tests/check-po.sh
dist_noinst_SCRIPTS += tests/check-po.sh tests/po-unmarked.awk
# Fault injection as deep as SQLite's (issue 23, docs/reliability.md): I/O
# faults and power loss under WAL (tests/faultvfs.c), SQLite, jansson, zlib
# and library allocation failures, kill -9 soak rounds
check_PROGRAMS += tests/check_faults
tests_check_faults_SOURCES = tests/check_faults.c tests/faultvfs.c tests/faultvfs.h tests/testutil.h
tests_check_faults_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS) $(JANSSON_CFLAGS)
tests_check_faults_LDADD = $(TEST_LIBS) $(SQLITE_LIBS) $(JANSSON_LIBS)
TESTS += tests/check_faults

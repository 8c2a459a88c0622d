# Tests.  Check suites (one per module) print TAP; shell tests check the
# exported symbols and that every public header compiles on its own.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"' -DTEST_BUILDDIR='"$(abs_top_builddir)"'
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

TESTS += tests/check_entity tests/check_repo tests/check_hamt tests/check_pool tests/check-exports.sh tests/check-headers.sh
dist_noinst_SCRIPTS += tests/check-exports.sh tests/check-headers.sh

# JSON interchange format
check_PROGRAMS += tests/check_json
tests_check_json_SOURCES = tests/check_json.c tests/testutil.h
tests_check_json_CFLAGS = $(TEST_CFLAGS)
tests_check_json_LDADD = $(TEST_LIBS)
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
# Fault injection as deep as SQLite's (issue 23, docs/reliability.md): I/O
# faults and power loss under WAL (tests/faultvfs.c), SQLite, jansson, zlib
# and library allocation failures, kill -9 soak rounds
check_PROGRAMS += tests/check_faults
tests_check_faults_SOURCES = tests/check_faults.c tests/faultvfs.c tests/faultvfs.h tests/testutil.h
tests_check_faults_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS) $(JANSSON_CFLAGS)
tests_check_faults_LDADD = $(TEST_LIBS) $(SQLITE_LIBS) $(JANSSON_LIBS)
TESTS += tests/check_faults

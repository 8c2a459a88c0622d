# SPDX-License-Identifier: MulanPSL-2.0
# Benchmarks: built with `make bench`, not installed; bench_townorg is not run by make check.
EXTRA_PROGRAMS += bench/bench_townorg
bench_bench_townorg_SOURCES = bench/bench_townorg.c bench/bench_util.h
bench_bench_townorg_CFLAGS = $(AM_CFLAGS) $(NETTLE_CFLAGS)
bench_bench_townorg_LDADD = lib/libtownorg.la $(NETTLE_LIBS)
CLEANFILES += bench/bench_townorg
# The real NBS editions against a Python dict diff (bench/nbs.sh): cheap
# enough to run in make check once (answers checked, no timing asserted).
check_PROGRAMS += bench/bench_nbs
bench_bench_nbs_SOURCES = bench/bench_nbs.c bench/bench_util.h
bench_bench_nbs_CFLAGS = $(AM_CFLAGS) $(NETTLE_CFLAGS)
bench_bench_nbs_LDADD = lib/libtownorg.la $(NETTLE_LIBS)
TESTS += bench/check-nbs.sh
dist_noinst_SCRIPTS += bench/check-nbs.sh
EXTRA_DIST += bench/run.sh bench/compare.py bench/bench_python.py bench/nbs.sh bench/nbs_dict_diff.py
bench: bench/bench_townorg$(EXEEXT) bench/bench_nbs$(EXEEXT)
.PHONY: bench

# Issue 20: Version.to_frame() against pandas.read_csv (run by bench/run.sh).
EXTRA_DIST += bench/bench_frame.py

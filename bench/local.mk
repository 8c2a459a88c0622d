# Benchmarks: built with `make bench`, not installed, not run by make check.
EXTRA_PROGRAMS += bench/bench_townorg
bench_bench_townorg_SOURCES = bench/bench_townorg.c
bench_bench_townorg_CFLAGS = $(AM_CFLAGS) $(NETTLE_CFLAGS)
bench_bench_townorg_LDADD = lib/libtownorg.la $(NETTLE_LIBS)
CLEANFILES += bench/bench_townorg
EXTRA_DIST += bench/run.sh bench/compare.py bench/bench_python.py
bench: bench/bench_townorg$(EXEEXT)
.PHONY: bench

# SPDX-License-Identifier: MulanPSL-2.0
# libtownorg-chart (issue 21): org charts drawn in-process with Graphviz's
# library.  Graphviz is EPL-1.0, so it stays out of libtownorg: this small
# library links libtownorg's public API and Graphviz, and is built only
# where configure found Graphviz (--with-graphviz).  The CLI's `chart` and
# `report` commands and the Python bindings link it when it is built.
EXTRA_DIST += townorg-chart.pc.in include/townorg/chart.h
EXTRA_DIST += docs/img/report-yixian.png docs/img/report-yian-en.png docs/img/chart-yixian-2008.png
if WITH_GRAPHVIZ
townorg_include_HEADERS += include/townorg/chart.h
lib_LTLIBRARIES += render/libtownorg-chart.la
render_libtownorg_chart_la_SOURCES = render/chart.c
render_libtownorg_chart_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(GRAPHVIZ_CFLAGS)
render_libtownorg_chart_la_LIBADD = lib/libtownorg.la $(GRAPHVIZ_LIBS) $(PTHREAD_LIBS)
render_libtownorg_chart_la_LDFLAGS = -version-info $(TOWNORG_LT_VERSION) -export-symbols-regex '^townorg_chart_' -no-undefined
pkgconfig_DATA += townorg-chart.pc
endif

# libtownorg-chart exports exactly the townorg_chart_* functions of its header.
TESTS += tests/check-chart-exports.sh
dist_noinst_SCRIPTS += tests/check-chart-exports.sh

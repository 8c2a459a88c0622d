# The library.  Everything is compiled once into a convenience library (which
# the tests link to reach internals); the installed library adds only the
# export filter: hidden visibility plus an export list of townorg_* names.
noinst_LTLIBRARIES += lib/libtownorg_core.la
lib_LTLIBRARIES += lib/libtownorg.la

lib_libtownorg_core_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS)
lib_libtownorg_core_la_SOURCES = \
	lib/internal.h lib/common.c lib/pool.h lib/pool.c \
	lib/entity_internal.h lib/entity.c \
	lib/hamt.h lib/hamt.c \
	lib/strmap.h lib/strmap.c \
	lib/repo_internal.h lib/version.c lib/txn.c lib/repo.c lib/totals.c
lib_libtownorg_core_la_SOURCES += lib/bulk.c
# JSON interchange format
lib_libtownorg_core_la_SOURCES += lib/json_internal.h lib/json_write.c lib/json_read.c
# Diff, history, lineage
lib_libtownorg_core_la_SOURCES += lib/diff_internal.h lib/diff.c lib/diff_render.c lib/history.c
lib_libtownorg_core_la_SOURCES += lib/merge.c
# CSV tables
lib_libtownorg_core_la_SOURCES += lib/tables_internal.h lib/tables_read.c lib/tables.c lib/tables_export.c
lib_libtownorg_core_la_LIBADD = $(NETTLE_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS) $(CSV_LIBS) $(PTHREAD_LIBS)
# SQLite repository store
lib_libtownorg_core_la_SOURCES += lib/store_internal.h lib/store.c lib/store_objects.c lib/store_load.c lib/store_verify.c
lib_libtownorg_core_la_CFLAGS += $(ZLIB_CFLAGS)
lib_libtownorg_core_la_LIBADD += $(ZLIB_LIBS)

lib_libtownorg_la_SOURCES =
lib_libtownorg_la_LIBADD = lib/libtownorg_core.la
lib_libtownorg_la_LDFLAGS = -version-info $(TOWNORG_LT_VERSION) -export-symbols-regex '^townorg_[a-z0-9]' -no-undefined

townorg_includedir = $(includedir)/townorg
include_HEADERS = include/townorg.h
townorg_include_HEADERS = \
	include/townorg/common.h \
	include/townorg/entity.h \
	include/townorg/version.h \
	include/townorg/repository.h \
	include/townorg/transaction.h
townorg_include_HEADERS += include/townorg/json.h
townorg_include_HEADERS += include/townorg/diff.h include/townorg/history.h
townorg_include_HEADERS += include/townorg/merge.h
townorg_include_HEADERS += include/townorg/tables.h
townorg_include_HEADERS += include/townorg/store.h
# No sources of its own: make libtool link it as C.
nodist_EXTRA_lib_libtownorg_la_SOURCES = dummy.c
# Validation: engine, policies, one file per built-in rule; policies installed in $(pkgdatadir)/policies
lib_libtownorg_core_la_SOURCES += lib/validate.c lib/policy.c lib/policy_default.c lib/rules/rules.h \
	lib/rules/quota_cap.c lib/rules/total_control.c lib/rules/overstaffing.c lib/rules/leader_posts.c \
	lib/rules/office_count.c lib/rules/class_indicators.c lib/rules/functions_coverage.c lib/rules/lineage.c \
	lib/rules/head_posts.c lib/rules/documents.c lib/rules/code_range.c
townorg_include_HEADERS += include/townorg/validate.h
policiesdir = $(pkgdatadir)/policies
dist_policies_DATA = policies/default.json policies/2020.json
EXTRA_DIST += policies/embed.py
# Real data importers (NBS township lists, MCA change tables)
lib_libtownorg_core_la_SOURCES += lib/realdata_internal.h lib/realdata_csv.c lib/nbs.c lib/mca.c
townorg_include_HEADERS += include/townorg/realdata.h
# Fault injection (issue 23): jansson's out of memory told from bad JSON
lib_libtownorg_core_la_SOURCES += lib/json_oom.h

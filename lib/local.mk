# The library.  Everything is compiled once into a convenience library (which
# the tests link to reach internals); the installed library adds only the
# export filter: hidden visibility plus an export list of townorg_* names.
noinst_LTLIBRARIES += lib/libtownorg_core.la
lib_LTLIBRARIES += lib/libtownorg.la

lib_libtownorg_core_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib -DTOWNORG__LOCALEDIR='"$(localedir)"'
lib_libtownorg_core_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS) $(ZLIB_CFLAGS)
lib_libtownorg_core_la_LIBADD = $(NETTLE_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS) $(CSV_LIBS) $(ZLIB_LIBS) $(PTHREAD_LIBS) $(LTLIBINTL)
# The layers, bottom up (docs/architecture.md; tests/check-layers.sh keeps
# every include and every call pointing down or sideways without cycles).
# base: errors, allocation, the pool, byte buffers, the string map
lib_libtownorg_core_la_SOURCES = \
	lib/base/internal.h lib/base/codec.h lib/base/codec.c lib/base/common.c lib/base/arena.h lib/base/arena.c lib/base/vec.c lib/base/i18n.c lib/base/pool.h lib/base/pool.c \
	lib/base/strmap.h lib/base/strmap.c
# core: entities, the trie and its indexes, versions, transactions, repositories
lib_libtownorg_core_la_SOURCES += \
	lib/core/entity_internal.h lib/core/schema.c lib/core/entity.c lib/core/hamt.h lib/core/hamt.c \
	lib/core/repo_internal.h lib/core/index.c lib/core/totals.c lib/core/version.c \
	lib/core/bulk.c lib/core/txn.c lib/core/repo.c
# store: the SQLite repository file, its objects, loading, verification
lib_libtownorg_core_la_SOURCES += \
	lib/store/store_internal.h lib/store/verify_report.h lib/store/verify_report.c \
	lib/store/store_objects.c lib/store/store_load.c lib/store/store.c lib/store/store_verify.c
# analysis: diff, its renderers, history, lineage, blame, merge
lib_libtownorg_core_la_SOURCES += \
	lib/analysis/diff_internal.h lib/analysis/diff.c lib/analysis/diff_render.c \
	lib/analysis/history.c lib/analysis/merge.c
# validate: the engine, policies, one file per built-in rule (listed in rules.def)
lib_libtownorg_core_la_SOURCES += \
	lib/validate/rules.h lib/validate/context.h lib/validate/severity.c lib/validate/context.c \
	lib/validate/rules/quota_cap.c lib/validate/rules/total_control.c lib/validate/rules/overstaffing.c \
	lib/validate/rules/leader_posts.c lib/validate/rules/office_count.c lib/validate/rules/class_indicators.c \
	lib/validate/rules/functions_coverage.c lib/validate/rules/lineage.c lib/validate/rules/head_posts.c \
	lib/validate/rules/documents.c lib/validate/rules/code_range.c \
	lib/validate/rules/registry.c lib/validate/policy.c lib/validate/policy_default.c lib/validate/validate.c
EXTRA_DIST += lib/validate/rules/rules.def lib/core/schema.def
# io: the JSON format, the CSV tables, the real data (NBS, MCA)
lib_libtownorg_core_la_SOURCES += \
	lib/io/json_internal.h lib/io/json_write.c lib/io/json_version.c lib/io/json_read.c \
	lib/io/tables_internal.h lib/io/tables_read.c lib/io/tables.c lib/io/tables_export.c \
	lib/io/realdata_internal.h lib/io/realdata_csv.c lib/io/names.c lib/io/nbs.c lib/io/mca.c
EXTRA_DIST += lib/README.md lib/base/README.md lib/core/README.md lib/store/README.md \
	lib/analysis/README.md lib/validate/README.md lib/io/README.md

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
# policies installed in $(pkgdatadir)/policies
townorg_include_HEADERS += include/townorg/validate.h
policiesdir = $(pkgdatadir)/policies
dist_policies_DATA = policies/default.json policies/2020.json
EXTRA_DIST += policies/embed.py
townorg_include_HEADERS += include/townorg/realdata.h
# Workbooks (.xlsx, the 台账; issue 21): write with libxlsxwriter, read with minizip + expat
lib_libtownorg_core_la_SOURCES += lib/io/xlsx_internal.h lib/io/xlsx_common.c lib/io/xlsx_write.c lib/io/xlsx_read.c lib/io/xlsx_import.c
lib_libtownorg_core_la_CFLAGS += $(XLSX_CFLAGS)
lib_libtownorg_core_la_LIBADD += $(XLSX_LIBS)
townorg_include_HEADERS += include/townorg/xlsx.h
# Reliability (issue 23): atomic output files, bounded input files
lib_libtownorg_core_la_SOURCES += lib/base/files_internal.h lib/base/files.c lib/store/store_init.c lib/store/store_verify_schema.c
townorg_include_HEADERS += include/townorg/files.h
# Signed and pinned log heads (issue 23): Ed25519 through nettle's hogweed
lib_libtownorg_core_la_SOURCES += lib/store/sign.c
lib_libtownorg_core_la_CFLAGS += $(HOGWEED_CFLAGS)
lib_libtownorg_core_la_LIBADD += $(HOGWEED_LIBS)
townorg_include_HEADERS += include/townorg/sign.h

# real data, second round (issue 19): linking MCA rows to NBS editions
lib_libtownorg_core_la_SOURCES += lib/io/mca_link.c
lib_libtownorg_core_la_SOURCES += lib/core/partial_date.c
# the statistical profile for NBS/MCA histories (issue 19)
dist_policies_DATA += policies/nbs.json
# Fault injection (issue 23): jansson's out of memory told from bad JSON
lib_libtownorg_core_la_SOURCES += lib/base/json_oom.h

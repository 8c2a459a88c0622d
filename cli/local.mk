# The `townorg` command-line program (uses only the public API) and its
# shell tests.  Messages are translated with gettext (po/).
bin_PROGRAMS += cli/townorg
cli_townorg_SOURCES = cli/cli.h cli/main.c cli/util.c cli/cmd_repo.c cli/cmd_query.c cli/cmd_diff.c cli/cmd_refs.c
cli_townorg_CPPFLAGS = $(AM_CPPFLAGS) -DLOCALEDIR='"$(localedir)"'
cli_townorg_LDADD = lib/libtownorg.la $(LIBINTL)
dist_man_MANS = cli/townorg.1

CLI_TESTS = tests/cli/basic.sh tests/cli/import-export.sh tests/cli/diff-validate.sh tests/cli/refs.sh \
	tests/cli/errors.sh tests/cli/i18n.sh
TESTS += $(CLI_TESTS)
dist_noinst_SCRIPTS += $(CLI_TESTS) tests/cli/lib.sh
EXTRA_DIST += tests/cli/data
# The shell tests need the program built.
$(CLI_TESTS:.sh=.log): cli/townorg$(EXEEXT)
CLEANFILES += tests/cli/*.tmp
EXTRA_DIST += docs/cli.md

# The Chinese catalogue laid out as gettext looks for it, in the build tree,
# so Chinese output works before `make install` with
# TOWNORG_LOCALEDIR=<build>/locale (scripts/demo.sh sets it).
all-local: locale/zh_CN/LC_MESSAGES/townorg.mo
locale/zh_CN/LC_MESSAGES/townorg.mo: $(srcdir)/po/zh_CN.po
	$(MKDIR_P) locale/zh_CN/LC_MESSAGES
	$(GMSGFMT) -o $@ $(srcdir)/po/zh_CN.po
CLEANFILES += locale/zh_CN/LC_MESSAGES/townorg.mo

# real data, second round (issue 19): the NBS import report
cli_townorg_SOURCES += cli/import_report.c cli/cmd_validate.c cli/suggest.c
CLI_TESTS += tests/cli/realdata.sh tests/cli/validate.sh tests/cli/readonly.sh
tests/cli/realdata.log tests/cli/validate.log tests/cli/readonly.log: cli/townorg$(EXEEXT)

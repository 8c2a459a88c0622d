# SPDX-License-Identifier: MulanPSL-2.0
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

# Org charts and the HTML report (issue 21): `townorg chart` and `townorg
# report`; they link libtownorg-chart where Graphviz was found.
cli_townorg_SOURCES += cli/outfile.h cli/outfile.c cli/cmd_chart.c cli/report_html.c
if WITH_GRAPHVIZ
cli_townorg_LDADD += render/libtownorg-chart.la
endif
TESTS += tests/cli/chart-report.sh
dist_noinst_SCRIPTS += tests/cli/chart-report.sh
tests/cli/chart-report.log: cli/townorg$(EXEEXT)
# Bash completion of townorg (issue 21, Debian packages): installed by the
# Debian package townorg (dh_bash-completion); tested here against the
# built program.
TESTS += tests/cli/completion.sh
dist_noinst_SCRIPTS += tests/cli/completion.sh
EXTRA_DIST += cli/townorg.bash-completion
tests/cli/completion.log: cli/townorg$(EXEEXT)
# Workbooks (.xlsx, the 台账; issue 21)
TESTS += tests/cli/xlsx.sh
dist_noinst_SCRIPTS += tests/cli/xlsx.sh
tests/cli/xlsx.log: cli/townorg$(EXEEXT)
# Reliability and signed log heads (issue 23): --max-input, keygen, sign-head
cli_townorg_SOURCES += cli/cmd_sign.c
CLI_TESTS += tests/cli/reliability.sh
tests/cli/reliability.log: cli/townorg$(EXEEXT)
CLI_TESTS += tests/cli/security.sh
tests/cli/security.log: cli/townorg$(EXEEXT)
EXTRA_DIST += docs/security.md
# real data, second round (issue 19): the NBS import report
cli_townorg_SOURCES += cli/import_report.c cli/cmd_validate.c cli/suggest.c
CLI_TESTS += tests/cli/realdata.sh tests/cli/validate.sh tests/cli/readonly.sh
tests/cli/realdata.log tests/cli/validate.log tests/cli/readonly.log: cli/townorg$(EXEEXT)
# the library's messages of import, validation and verify in Chinese (issue 19)
CLI_TESTS += tests/cli/i18n-lib.sh
tests/cli/i18n-lib.log: cli/townorg$(EXEEXT)

# Fuzzing (docs/reliability.md).  The libFuzzer targets need clang and a
# library built with -fsanitize=fuzzer-no-link, so they are built in a tree
# of their own by fuzz/build.sh:
#   make fuzz                     build every target (in $(FUZZ_BUILD))
#   make fuzz-run FUZZ_SECONDS=60 build, then run each target for a minute
#   make soak                     long crash and fuzz runs (scripts/soak.sh)
FUZZ_BUILD = $(abs_top_builddir)/fuzz-build
FUZZ_SECONDS = 10
FUZZ_TARGETS = fuzz/fuzz_docnum.c fuzz/fuzz_entity_json.c fuzz/fuzz_json_repo.c fuzz/fuzz_json_snapshot.c \
	fuzz/fuzz_mca.c fuzz/fuzz_nbs.c fuzz/fuzz_policy.c fuzz/fuzz_store.c fuzz/fuzz_tables.c \
	fuzz/fuzz_version_name.c
# Workbooks (issue 21): the .xlsx reader and importer
FUZZ_TARGETS += fuzz/fuzz_xlsx.c
EXTRA_DIST += $(FUZZ_TARGETS) fuzz/fuzz_util.h fuzz/corpus docs/reliability.md
dist_noinst_SCRIPTS += fuzz/build.sh fuzz/run.sh fuzz/make_corpus.sh scripts/soak.sh
fuzz:
	FUZZ_BUILD='$(FUZZ_BUILD)' $(SHELL) $(top_srcdir)/fuzz/build.sh '$(FUZZ_BUILD)'
fuzz-run:
	FUZZ_BUILD='$(FUZZ_BUILD)' $(SHELL) $(top_srcdir)/fuzz/run.sh all $(FUZZ_SECONDS)
soak:
	FUZZ_BUILD='$(FUZZ_BUILD)' BUILD='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/scripts/soak.sh
.PHONY: fuzz fuzz-run soak
clean-fuzz:
	rm -rf '$(FUZZ_BUILD)'
.PHONY: clean-fuzz

# Store decoders fuzzed directly, without SQLite (issue 23, docs/reliability.md)
FUZZ_TARGETS += fuzz/fuzz_store_envelope.c fuzz/fuzz_store_pack.c fuzz/fuzz_store_body.c fuzz/fuzz_store_version.c
dist_noinst_SCRIPTS += fuzz/store_seeds.py

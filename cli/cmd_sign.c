/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cli/cmd_sign.c — reliability options and signed log heads: the options
 * every command takes (--max-input), `keygen` and `sign-head`.  The checks
 * of `verify --expect-head / --key / --signature` are in cmd_repo.c's
 * verify, on top of the library's townorg/sign.h.
 */
#include <config.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* "512M", "1048576", "2G": bytes. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int cli_global_options(int *argc, char **argv, int *exit_code)
{
	int j = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--max-input=", 12))
			val = a + 12;
		else if (!strcmp(a, "--max-input")) {
			if (i + 1 >= *argc) {
				*exit_code = cli_usage_error(_("option '%s' needs a value"), a);
				return -1;
			}
			val = argv[++i];
		} else {
			argv[j++] = argv[i];
			continue;
		}
		uint64_t bytes;
		if (parse_size(val, &bytes) < 0) {
			*exit_code = cli_usage_error(_("--max-input: '%s' is not a size (bytes, or a number with K, M or G)"), val);
			return -1;
		}
		townorg_set_max_input(bytes);
	}
	argv[j] = NULL;
	*argc = j;
	return 0;
}

/* ------------------------------------------------------------ keygen */

int cmd_keygen(int argc, char **argv)
{
	const char *pos[2];
	int npos, ec;
	if (cli_parse(argc, argv, NULL, pos, 2, &npos, 1, &ec) < 0)
		return ec;
	char *pub = NULL;
	const char *pubpath = npos > 1 ? pos[1] : NULL;
	if (!pubpath) {
		pub = malloc(strlen(pos[0]) + 5);
		if (!pub)
			return cli_usage_error("%s", _("out of memory"));
		sprintf(pub, "%s.pub", pos[0]);
		pubpath = pub;
	}
	townorg_secret_key key;
	int rc = townorg_key_generate(&key);
	if (rc == 0)
		rc = townorg_key_save(&key, pos[0], pubpath);
	if (rc < 0) {
		free(pub);
		return cli_lib_error(rc);
	}
	char id[17];
	townorg_key_id(id, &key.pub);
	memset(&key, 0, sizeof key);
	printf(_("Key %s: secret key in %s (keep it private), public key in %s\n"), id, pos[0], pubpath);
	free(pub);
	return EXIT_OK;
}

/* ------------------------------------------------------------ sign-head */

int cmd_sign_head(int argc, char **argv)
{
	const char *keypath = NULL, *output = NULL;
	int no_store = 0;
	const cli_option opts[] = {
		{ "key", 'k', 1, &keypath, NULL },
		{ "output", 'o', 1, &output, NULL },
		{ "no-store", 0, 0, NULL, &no_store },
		{ NULL, 0, 0, NULL, NULL }
	};
	const char *pos[1];
	int npos, ec;
	if (cli_parse(argc, argv, opts, pos, 1, &npos, 1, &ec) < 0)
		return ec;
	if (!keypath)
		return cli_usage_error(_("--key SECRET_KEY_FILE is required"));
	townorg_secret_key key;
	int rc = townorg_key_load_secret(&key, keypath);
	if (rc < 0)
		return cli_lib_error(rc);
	townorg_repo *repo;
	if ((ec = cli_open(&repo, pos[0], !no_store)) != 0) {
		memset(&key, 0, sizeof key);
		return ec;
	}
	townorg_signed_head h;
	rc = townorg_head_sign(&h, repo, &key, no_store ? 0 : TOWNORG_SIGN_STORE);
	memset(&key, 0, sizeof key);
	townorg_repo_free(repo);
	if (rc < 0)
		return cli_lib_error(rc);
	char text[TOWNORG_SIGNED_HEAD_TEXT_MAX + 1];
	size_t n = townorg_signed_head_format(text, &h);
	text[n++] = '\n';
	text[n] = '\0';
	if (output && strcmp(output, "-") != 0 && (rc = townorg_write_file_atomic(output, text, n)) < 0)
		return cli_lib_error(rc);
	fputs(text, stdout);
	return EXIT_OK;
}

/* ------------------------------------------------------------ verify's head checks */

static void add(cli_head_result **r, size_t *n, int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void add(cli_head_result **r, size_t *n, int ok, const char *what, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cli_head_result *t = realloc(*r, (*n + 1) * sizeof **r);
	if (!t)
		return;
	*r = t;
	t[*n].ok = ok;
	t[*n].what = strdup(what);
	t[*n].message = strdup(buf);
	(*n)++;
}

static void check_signed(cli_head_result **r, size_t *n, const townorg_repo *repo, const townorg_signed_head *h,
	const townorg_public_key *key, const char *source)
{
	char id[17], what[64];
	townorg_key_id(id, &h->key);
	snprintf(what, sizeof what, "signed:%lld", (long long)h->log_seq);
	int rc = townorg_signed_head_verify(h, key);
	if (rc < 0) {
		add(r, n, 0, what, "%s: %s", source, townorg_error_last());
		return;
	}
	townorg_head_status st;
	int64_t after = 0, last = 0;
	char head[65];
	if ((rc = townorg_head_check(&st, &after, repo, h->log_seq, h->log_head)) < 0 ||
	    (rc = townorg_repo_log_head(repo, &last, head)) < 0) {
		add(r, n, 0, what, "%s: %s", source, townorg_error_last());
		return;
	}
	switch (st) {
	case TOWNORG_HEAD_CURRENT:
		add(r, n, 1, what, _("%s: the log ends at the head signed by key %s on %s (record %lld)"), source, id, h->at,
			(long long)h->log_seq);
		break;
	case TOWNORG_HEAD_AHEAD:
		add(r, n, 1, what, _("%s: the log holds the head signed by key %s on %s (record %lld); %lld records follow it"),
			source, id, h->at, (long long)h->log_seq, (long long)after);
		break;
	case TOWNORG_HEAD_ROLLED_BACK:
		add(r, n, 0, what,
			_("%s: ROLLBACK: the log ends at record %lld, but record %lld was signed by key %s on %s: "
			  "history was removed"),
			source, (long long)last, (long long)h->log_seq, id, h->at);
		break;
	default:
		add(r, n, 0, what,
			_("%s: REWRITTEN: log record %lld is not the head signed by key %s on %s (%.16s…): "
			  "the history was rolled back and rewritten"),
			source, (long long)h->log_seq, id, h->at, h->log_head);
	}
}

int cli_check_heads(const char *path, const char *expect, const char *keypath, const char *sigpath,
	cli_head_result **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!expect && !keypath && !sigpath)
		return EXIT_OK;
	townorg_public_key key;
	townorg_signed_head given;
	int rc;
	if (keypath && (rc = townorg_key_load_public(&key, keypath)) < 0)
		return cli_lib_error(rc);
	if (sigpath && (rc = townorg_signed_head_read(&given, sigpath)) < 0)
		return cli_lib_error(rc);
	if (expect && (strlen(expect) != 64 || strspn(expect, "0123456789abcdefABCDEF") != 64))
		return cli_usage_error(_("--expect-head: '%s' is not a log head (64 hex digits, as verify prints)"), expect);
	townorg_repo *repo;
	if ((rc = townorg_repo_open(&repo, path, TOWNORG_OPEN_READONLY)) < 0) {
		add(out, nout, 0, "head", _("the log head could not be checked: %s"), townorg_error_last());
		return EXIT_OK;
	}
	if (expect) {
		townorg_head_status st;
		int64_t after = 0;
		if (townorg_head_check(&st, &after, repo, 0, expect) < 0)
			add(out, nout, 0, "expect-head", "%s", townorg_error_last());
		else if (st == TOWNORG_HEAD_CURRENT)
			add(out, nout, 1, "expect-head", _("the log ends at the expected head"));
		else if (st == TOWNORG_HEAD_AHEAD)
			add(out, nout, 1, "expect-head", _("the log holds the expected head; %lld records follow it"),
				(long long)after);
		else
			add(out, nout, 0, "expect-head",
				_("ROLLBACK: the expected head %s is not in the log: the history was rolled back or rewritten"),
				expect);
	}
	if (sigpath)
		check_signed(out, nout, repo, &given, keypath ? &key : NULL, sigpath);
	if (keypath) {
		size_t kept = townorg_repo_signed_head_count(repo), mine = 0;
		for (size_t i = 0; i < kept; i++) {
			townorg_signed_head h;
			char src[64];
			snprintf(src, sizeof src, _("kept signed head %zu"), i + 1);
			if (townorg_repo_signed_head(&h, repo, i) < 0) {
				add(out, nout, 0, "signed", "%s: %s", src, townorg_error_last());
				continue;
			}
			if (memcmp(h.key.key, key.key, TOWNORG_KEY_SIZE))
				continue;
			mine++;
			check_signed(out, nout, repo, &h, &key, src);
		}
		if (!mine && !sigpath) {
			char id[17];
			townorg_key_id(id, &key);
			add(out, nout, 0, "signed",
				_("the repository keeps no head signed by key %s (give the published one with --signature FILE)"),
				id);
		}
	}
	townorg_repo_free(repo);
	return EXIT_OK;
}

void cli_head_results_free(cli_head_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].what);
		free(r[i].message);
	}
	free(r);
}

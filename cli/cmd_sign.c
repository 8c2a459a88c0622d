/*
 * cli/cmd_sign.c — reliability options and signed log heads: the options
 * every command takes (--max-input), `keygen` and `sign-head`.  The checks
 * of `verify --expect-head / --key / --signature` are in cmd_repo.c's
 * verify, on top of the library's townorg/sign.h.
 */
#include <config.h>
#include <errno.h>
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

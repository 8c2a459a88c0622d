/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * severity.c — the severity tokens (error, warning, info) of findings and
 * policies.  Both the policy reader and the engine use them; it calls
 * nothing but the base layer.
 */
#include "validate/rules.h"

static const char *const sev_tokens[] = { NULL, "info", "warning", "error" };

const char *townorg_severity_token(townorg_severity s)
{
	return (int)s >= 1 && (int)s <= 3 ? sev_tokens[s] : NULL;
}

int townorg_severity_parse(townorg_severity *out, const char *token)
{
	for (int i = 1; token && i <= 3; i++)
		if (!strcmp(token, sev_tokens[i])) {
			*out = (townorg_severity)i;
			return 0;
		}
	return townorg__err(TOWNORG_EINVALID, _("unknown severity '%s' (expected error, warning or info)"),
			    token ? token : "(null)");
}


/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * i18n.c — the library's messages in the user's language.
 *
 * The library's messages (errors, reports) are marked with _() and looked
 * up in the gettext domain "townorg" — the same catalogue as the townorg
 * program's (po/), bound by the library itself on first use, so that any
 * program that links it (the CLI, the Python module, another office's
 * system) gets them in Chinese under a zh_CN locale without binding
 * anything.  The catalogue is looked for in $TOWNORG_LOCALEDIR when set (the
 * build tree's locale/), else in the installed locale directory.  Lookups
 * use dgettext, so a program's own textdomain() does not matter.  Built
 * without NLS (--disable-nls), _() returns its argument.
 *
 * Which messages are translated so far, and how many remain, is recorded in
 * docs/architecture.md ("Messages").
 */
#include "base/internal.h"
#include <stdlib.h>
#ifdef ENABLE_NLS
#include <libintl.h>
#include <pthread.h>

static pthread_once_t bound = PTHREAD_ONCE_INIT;

static void bind_domain(void)
{
	const char *dir = getenv("TOWNORG_LOCALEDIR");
	bindtextdomain(TOWNORG__TEXT_DOMAIN, dir && *dir ? dir : TOWNORG__LOCALEDIR);
	bind_textdomain_codeset(TOWNORG__TEXT_DOMAIN, "UTF-8");
}

const char *townorg__tr(const char *msgid)
{
	if (!msgid || !*msgid)
		return msgid;
	pthread_once(&bound, bind_domain);
	return dgettext(TOWNORG__TEXT_DOMAIN, msgid);
}
#else
const char *townorg__tr(const char *msgid) { return msgid; }
#endif

const char *townorg_text_domain(void) { return TOWNORG__TEXT_DOMAIN; }

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * partial_date.c — dates of year or month precision for change events.
 *
 * Sources such as the MCA change tables give a change's year (the table's)
 * but no day.  An event's date may therefore be "YYYY", "YYYY-MM" or a full
 * "YYYY-MM-DD"; a full date is stored and hashed exactly as before, so the
 * ids of existing versions do not change.  Versions' own dates (effective,
 * document) stay full dates.
 */
#include "base/internal.h"
#include "townorg/version.h"
#include <stdlib.h>
#include <string.h>

int townorg_event_date_check(const char *d)
{
	size_t n = d ? strlen(d) : 0;
	if (n == 10)
		return townorg_date_check(d);
	if (n != 4 && n != 7)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && !(d[i] >= '0' && d[i] <= '9'))
			goto bad;
	if (n == 7 && (d[4] != '-' || atoi(d + 5) < 1 || atoi(d + 5) > 12))
		goto bad;
	if (atoi(d) < 1000)
		goto bad;
	return 0;
bad:
	return townorg__err(TOWNORG_EINVALID, "'%s' is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY)",
			    d ? d : "(null)");
}

townorg_date_precision townorg_event_date_precision(const char *d)
{
	if (!d || townorg_event_date_check(d) < 0) {
		townorg_error_clear();
		return TOWNORG_DATE_NONE;
	}
	size_t n = strlen(d);
	return n == 4 ? TOWNORG_DATE_YEAR : n == 7 ? TOWNORG_DATE_MONTH : TOWNORG_DATE_DAY;
}

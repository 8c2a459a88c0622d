/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * vec.c — the one growable-array step of the library (townorg__grow and its
 * macro TOWNORG__GROW in base/internal.h), in place of the doubling blocks
 * each module used to write by hand: the new capacity doubles (from a
 * minimum), and both the doubling and the byte size are checked for
 * overflow, so no caller can ask realloc for a wrapped-around size.
 */
#include "base/internal.h"

int townorg__grow(void *arrp, size_t *cap, size_t elem, size_t min)
{
	size_t n = *cap ? *cap : (min ? min / 2 : 1);
	if (!n)
		n = 1;
	if (n > SIZE_MAX / 2 || !elem || n * 2 > SIZE_MAX / elem)
		return TOWNORG_ENOMEM;
	n *= 2;
	if (!*cap && min > n)
		n = min;
	void *old;
	memcpy(&old, arrp, sizeof old);
	void *grown = townorg__realloc(old, n * elem);
	if (!grown)
		return TOWNORG_ENOMEM;
	memcpy(arrp, &grown, sizeof grown);
	*cap = n;
	return 0;
}

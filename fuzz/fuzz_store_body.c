/* fuzz_store_body.c — a version's stored snapshot or delta after
 * unwrapping (townorg__store_body_parse, lib/store_load.c), without
 * SQLite: the first input byte chooses (even: snapshot, odd: delta), the
 * rest is the body.  Beyond "no crash, no leak, no UB": the result is 0,
 * ECORRUPT or ENOMEM; on success the object numbers (from 0) are
 * strictly increasing, no more than the body's bytes, and every removed
 * id is a string (an empty or unknown one is refused later, by the
 * transaction that applies the delta); on failure nothing is returned. */
#include <stdlib.h>
#include <string.h>
#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 1)
		return 0;
	bool delta = data[0] & 1;
	/* a copy of exactly the body's length, so ASan sees any overread */
	unsigned char *body = len > 1 ? malloc(len - 1) : NULL;
	if (len > 1)
		memcpy(body, data + 1, len - 1);
	int64_t *locs = (int64_t *)1;
	char **removed = (char **)1;
	size_t n = 99, nr = 99;
	int rc = townorg__store_body_parse(body, len - 1, delta, &locs, &n, &removed, &nr);
	if (rc != 0) {
		if ((rc != TOWNORG_ECORRUPT && rc != TOWNORG_ENOMEM) || locs || removed || n || nr)
			abort();
		free(body);
		return 0;
	}
	if (n > len || (!delta && (removed || nr)))
		abort();
	for (size_t i = 0; i < n; i++)
		if (locs[i] < 0 || (i && locs[i] <= locs[i - 1]))
			abort();
	for (size_t i = 0; i < nr; i++) {
		if (!removed[i])
			abort();
		townorg__free(removed[i]);
	}
	townorg__free(removed);
	townorg__free(locs);
	free(body);
	return 0;
}

/* fuzz_store_envelope.c — the store's blob envelope (codec byte, raw
 * length, raw or zlib bytes: townorg__store_unwrap in lib/store_objects.c)
 * directly, without SQLite.  Every pack, delta and snapshot of a file is
 * one.  Beyond "no crash, no leak, no UB": a result is 0, ECORRUPT or
 * ENOMEM; what unwraps wraps again and unwraps to the same bytes. */
#include <stdlib.h>
#include <string.h>
#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	int rc = townorg__store_unwrap(&raw, &rawlen, len ? data : NULL, len);
	if (rc != 0 && rc != TOWNORG_ECORRUPT && rc != TOWNORG_ENOMEM)
		abort();
	if (rc != 0) {
		if (raw)
			abort();
		return 0;
	}
	townorg__buf b = { 0 };
	if (townorg__store_wrap(&b, raw, rawlen) != 0)
		abort();
	unsigned char *again = NULL;
	size_t againlen = 0;
	if (townorg__store_unwrap(&again, &againlen, b.data, b.len) != 0 || againlen != rawlen ||
	    memcmp(again, raw, rawlen))
		abort();
	townorg__free(again);
	townorg__buf_free(&b);
	townorg__free(raw);
	return 0;
}

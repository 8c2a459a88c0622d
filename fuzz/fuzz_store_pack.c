/* fuzz_store_pack.c — a pack row's data as the loader reads it
 * (lib/store_load.c), without SQLite: the input is two bytes of record
 * count (big-endian, 1..4096 as the schema allows) and the pack's data
 * blob.  The blob is unwrapped (townorg__store_unwrap), split into records
 * (townorg__store_pack_split) and every record decoded as an entity
 * (townorg__entity_decode).  Beyond "no crash, no leak, no UB": each
 * decoded entity encodes to bytes that decode to an entity with the same
 * hash and id (the hash is what the loader checks a record against). */
#include <stdlib.h>
#include <string.h>
#include "store/store_internal.h"
#include "core/entity_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 2)
		return 0;
	int64_t count = (int64_t)data[0] << 8 | data[1];
	if (count < 1 || count > TOWNORG__STORE_PACK_MAX)
		return 0;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	int rc = townorg__store_unwrap(&raw, &rawlen, len > 2 ? data + 2 : NULL, len - 2);
	if (rc != 0)
		return 0;
	size_t *off = malloc((size_t)count * sizeof *off), *sz = malloc((size_t)count * sizeof *sz);
	if (!off || !sz)
		abort();
	if (townorg__store_pack_split(raw, rawlen, count, off, sz) == 0) {
		for (int64_t i = 0; i < count; i++) {
			if (off[i] > rawlen || sz[i] > rawlen - off[i])
				abort();
			townorg_entity *e = NULL, *e2 = NULL;
			rc = townorg__entity_decode(&e, raw + off[i], sz[i]);
			if (rc != 0) {
				if (rc != TOWNORG_ECORRUPT && rc != TOWNORG_ENOMEM)
					abort();
				continue;
			}
			townorg__buf b = { 0 };
			townorg__entity_encode(&b, e);
			if (b.failed || townorg__entity_decode(&e2, (const unsigned char *)b.data, b.len) != 0 ||
			    memcmp(e->hash, e2->hash, TOWNORG__HASH_SIZE) ||
			    strcmp(townorg_entity_id(e), townorg_entity_id(e2)))
				abort();
			townorg__buf_free(&b);
			townorg_entity_free(e2);
			townorg_entity_free(e);
		}
	}
	free(off);
	free(sz);
	townorg__free(raw);
	return 0;
}

/* fuzz_store_version.c — a version row's body (state hash, parents, the
 * metadata, events: townorg__store_version_decode in lib/store.c), without
 * SQLite.  The parents are looked up in the seed store
 * fuzz/corpus/fuzz_store/mini.townorg, copied and opened once, so the bodies of its
 * versions (the seeds) and their mutations resolve them.  The id given is
 * the hash of the input, as a stored row's id is, so the decoder's checks
 * past the id are reached.  Beyond "no crash, no leak, no UB": the result
 * is 0, ECORRUPT or ENOMEM; a decoded version has the given id and a
 * 64-character state hash; the same bytes under another id are refused. */
#include <stdlib.h>
#include <string.h>
#include "store/store_internal.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static townorg_repo *repo;
static townorg__store fake;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!repo) {
		/* a copy: SQLite makes -wal and -shm files beside a WAL file */
		char path[512];
		FILE *f = fopen(FUZZ_SRCDIR "/fuzz/corpus/fuzz_store/mini.townorg", "rb");
		static unsigned char file[1 << 20];
		size_t n = f ? fread(file, 1, sizeof file, f) : 0;
		if (f)
			fclose(f);
		snprintf(path, sizeof path, "%s/parents.townorg", fz_tmpdir());
		fz_write(path, file, n);
		if (townorg_repo_open(&repo, path, TOWNORG_OPEN_READONLY))
			abort();
		fake.path = (char *)"fuzz.townorg";
		fake.repo = repo;
	}
	unsigned char *body = len ? malloc(len) : NULL;
	if (len)
		memcpy(body, data, len);
	unsigned char h[TOWNORG__HASH_SIZE];
	char id[65];
	townorg__sha sha;
	townorg__sha_init(&sha);
	townorg__sha_update(&sha, "townorg-version-1", 18);
	townorg__sha_update(&sha, body, len);
	townorg__sha_final(&sha, h);
	townorg__hex(id, h, TOWNORG__HASH_SIZE);
	townorg_version *v = NULL;
	int rc = townorg__store_version_decode(&fake, &v, body, len, id);
	if (rc != 0) {
		if ((rc != TOWNORG_ECORRUPT && rc != TOWNORG_ENOMEM) || v)
			abort();
	} else {
		if (!v || strcmp(v->id, id) || strlen(v->state_hash) != 64)
			abort();
		townorg__version_destroy(v);
		id[0] = id[0] == '0' ? '1' : '0';
		if (townorg__store_version_decode(&fake, &v, body, len, id) != TOWNORG_ECORRUPT || v)
			abort();
	}
	free(body);
	return 0;
}

/* strmap.h — a small open-addressing map from strings to pointers (internal).
 * Keys are borrowed: they must outlive their entry. */
#ifndef TOWNORG_STRMAP_H
#define TOWNORG_STRMAP_H

#include "base/internal.h"

typedef struct {
	const char **keys;
	void **vals;
	size_t n, cap;
} townorg__strmap;

void *townorg__strmap_get(const townorg__strmap *m, const char *key);
/* Insert or replace; returns 0 or TOWNORG_ENOMEM. */
int townorg__strmap_put(townorg__strmap *m, const char *key, void *val);
/* Room for `extra` more keys: that many puts of new keys cannot fail. */
int townorg__strmap_reserve(townorg__strmap *m, size_t extra);
void townorg__strmap_del(townorg__strmap *m, const char *key);
void townorg__strmap_free(townorg__strmap *m);

#endif

/* strmap.c — open addressing with linear probing; grows at 50% load. */
#include "base/strmap.h"

static size_t slot_of(const townorg__strmap *m, const char *key)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)townorg__keyhash(key, strlen(key)) & mask;
	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & mask;
	return i;
}

void *townorg__strmap_get(const townorg__strmap *m, const char *key)
{
	if (!m->cap || !key)
		return NULL;
	size_t i = slot_of(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

static int grow(townorg__strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	townorg__strmap nm = { townorg__calloc(cap, sizeof(char *)), townorg__calloc(cap, sizeof(void *)), 0, cap };
	if (!nm.keys || !nm.vals) {
		townorg__free(nm.keys);
		townorg__free(nm.vals);
		return TOWNORG_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			size_t j = slot_of(&nm, m->keys[i]);
			nm.keys[j] = m->keys[i];
			nm.vals[j] = m->vals[i];
			nm.n++;
		}
	townorg__free(m->keys);
	townorg__free(m->vals);
	*m = nm;
	return 0;
}

int townorg__strmap_put(townorg__strmap *m, const char *key, void *val)
{
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return TOWNORG_ENOMEM;
	size_t i = slot_of(m, key);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void townorg__strmap_free(townorg__strmap *m)
{
	townorg__free(m->keys);
	townorg__free(m->vals);
	memset(m, 0, sizeof *m);
}

void townorg__strmap_del(townorg__strmap *m, const char *key)
{
	if (!m->cap || !key)
		return;
	size_t mask = m->cap - 1, i = slot_of(m, key);
	if (!m->keys[i])
		return;
	m->keys[i] = NULL;
	m->n--;
	/* backward-shift the rest of the probe run so lookups still find it */
	for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
		size_t home = (size_t)townorg__keyhash(m->keys[j], strlen(m->keys[j])) & mask;
		bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->keys[j] = NULL;
			i = j;
		}
	}
}

int townorg__strmap_reserve(townorg__strmap *m, size_t extra)
{
	while ((m->n + extra) * 2 > m->cap)
		if (grow(m) < 0)
			return TOWNORG_ENOMEM;
	return 0;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * entity.c — entity values and the builders that make them.
 *
 * Entities are the leaves of every version's structure, shared between all
 * versions that hold them unchanged, so they are kept compact (see
 * entity_internal.h): one allocation per value for the common fields, the
 * integer attributes that are set packed behind the header, and the rare
 * attributes (extra quota types, text and list attributes) in a side block.
 *
 * The hash of an entity is SHA-256 over a domain tag and its canonical
 * encoding (docs/format.md, "Canonical encoding"): fields in a fixed order,
 * quotas and attributes sorted by name, lists sorted.  Two entities with the
 * same content therefore have the same hash, however they were built.
 */
#include "core/entity_internal.h"
#include "base/codec.h"
#include "base/pool.h"
#include <stdlib.h>
#include <stdio.h>

/* The tokens of kinds, classes and fields are the schema's (schema.c,
 * schema.def). */
const char *townorg_kind_token(townorg_kind kind) { return townorg__kind_token_at((int)kind); }

int townorg_kind_parse(townorg_kind *out, const char *token)
{
	if (!token)
		return townorg__err(TOWNORG_EINVALID, "missing kind");
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++)
		if (!strcmp(token, townorg__kind_token_at(k))) {
			*out = (townorg_kind)k;
			return 0;
		}
	return townorg__err(TOWNORG_EINVALID, "unknown kind '%s'", token);
}

int townorg_kind_is_township_level(townorg_kind k)
{
	return k == TOWNORG_KIND_TOWN || k == TOWNORG_KIND_TOWNSHIP || k == TOWNORG_KIND_SUBDISTRICT ||
	       k == TOWNORG_KIND_TOWNSHIP_LIKE;
}

int townorg_kind_is_organ(townorg_kind k)
{
	return k >= TOWNORG_KIND_OFFICE && k <= TOWNORG_KIND_DISPATCHED;
}

const char *townorg_class_token(townorg_class cls) { return townorg__class_token_at((int)cls); }

int townorg_class_parse(townorg_class *out, const char *token)
{
	if (!token || !*token) {
		*out = TOWNORG_CLASS_NONE;
		return 0;
	}
	for (int c = 1; c <= 3; c++)
		if (!strcmp(token, townorg__class_token_at(c))) {
			*out = (townorg_class)c;
			return 0;
		}
	return townorg__err(TOWNORG_EINVALID, "unknown class '%s' (expected large, medium or small)", token);
}

#define TOWNORG__FT_NONE(s)
#define TOWNORG__FT_POPULATION(s) [TOWNORG_FIELD_POPULATION] = s,
#define TOWNORG__FT_AREA(s) [TOWNORG_FIELD_AREA] = s,
#define TOWNORG__FT_REVENUE_PER_CAPITA(s) [TOWNORG_FIELD_REVENUE_PER_CAPITA] = s,
#define TOWNORG__FT_LEADER_POSTS(s) [TOWNORG_FIELD_LEADER_POSTS] = s,
#define TOWNORG__FT_ACTUAL_STAFF(s) [TOWNORG_FIELD_ACTUAL_STAFF] = s,
#define TOWNORG__FT_CHIEF_POSTS(s) [TOWNORG_FIELD_CHIEF_POSTS] = s,
#define TOWNORG__FT_DEPUTY_POSTS(s) [TOWNORG_FIELD_DEPUTY_POSTS] = s,
#define TOWNORG__FT_ADMIN_QUOTA(s) [TOWNORG_FIELD_ADMIN_QUOTA] = s,
#define TOWNORG__FT_INST_QUOTA(s) [TOWNORG_FIELD_INST_QUOTA] = s,
#define TOWNORG_ATTR(n, t, f, ...) TOWNORG__FT_##f(#n)
static const char *const field_tokens[TOWNORG_FIELD_COUNT] = {
#include "core/schema.def"
};
#undef TOWNORG_ATTR

const char *townorg_field_token(townorg_field f)
{
	if ((int)f < 0 || (int)f >= TOWNORG_FIELD_COUNT)
		return NULL;
	return field_tokens[f];
}

int townorg_field_parse(townorg_field *out, const char *token)
{
	for (int f = 0; f < TOWNORG_FIELD_COUNT && token; f++)
		if (!strcmp(token, field_tokens[f])) {
			*out = (townorg_field)f;
			return 0;
		}
	return townorg__err(TOWNORG_EINVALID, "unknown field '%s'", token ? token : "(null)");
}

/* ------------------------------------------------------------ value access */

townorg_entity *townorg_entity_ref(const townorg_entity *e)
{
	townorg_entity *m = (townorg_entity *)e;
	if (m)
		TOWNORG__INC(&m->refcnt);
	return m;
}

static void ext_free(struct townorg__ext *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n_xq; i++)
		townorg__free(x->xq[i].type);
	townorg__free(x->xq);
	for (size_t i = 0; i < x->n_attrs; i++) {
		for (size_t j = 0; j < x->attrs[i].n; j++)
			townorg__free(x->attrs[i].values[j]);
		townorg__free(x->attrs[i].values);
		townorg__free(x->attrs[i].name);
	}
	townorg__free(x->attrs);
	townorg__free(x);
}

/* The bytes a value was allocated with (townorg__entity_assemble's sz). */
static size_t entity_size(const townorg_entity *e)
{
	if (e->shares)
		return (size_t)(townorg__entity_tail(e) - (const char *)e) + sizeof(townorg_entity *);
	const char *last = e->has_parent ? townorg_entity_parent_id(e) : townorg_entity_name(e);
	return (size_t)(last - (const char *)e) + strlen(last) + 1;
}

void townorg_entity_free(townorg_entity *e)
{
	if (!e)
		return;
	if (TOWNORG__DEC(&e->refcnt) == 0) {
		ext_free((struct townorg__ext *)townorg__entity_ext(e));
		townorg_entity *owner = e->shares ? (townorg_entity *)townorg__entity_owner(e) : NULL;
		if (e->heap)
			townorg__free(e);
		else
			townorg__pfree(e, entity_size(e));
		townorg_entity_free(owner); /* not a twin: no deeper */
	}
}

const char *townorg_entity_id(const townorg_entity *e) { return townorg__entity_id(e); }
townorg_kind townorg_entity_kind(const townorg_entity *e) { return (townorg_kind)e->kind; }
/* The strings follow one another: id, name, then the parent if any. */
const char *townorg_entity_name(const townorg_entity *e)
{
	const char *id = townorg__entity_strings(e);
	return id + strlen(id) + 1;
}
const char *townorg_entity_parent_id(const townorg_entity *e)
{
	if (!e->has_parent)
		return NULL;
	const char *name = townorg_entity_name(e);
	return name + strlen(name) + 1;
}
townorg_class townorg_entity_class(const townorg_entity *e) { return (townorg_class)e->cls; }

int townorg_entity_int(const townorg_entity *e, townorg_field f, int64_t *out)
{
	if ((int)f < 0 || (int)f >= TOWNORG_FIELD_COUNT || !(e->present & (1u << f)))
		return TOWNORG_ENOTFOUND;
	*out = townorg__entity_value(e, (unsigned)townorg__popc(e->present & ((1u << f) - 1)));
	return 0;
}

int townorg_entity_quota(const townorg_entity *e, const char *type, int64_t *out)
{
	if (!type)
		return TOWNORG_ENOTFOUND;
	if (!strcmp(type, "admin"))
		return townorg_entity_int(e, TOWNORG_FIELD_ADMIN_QUOTA, out);
	if (!strcmp(type, "inst"))
		return townorg_entity_int(e, TOWNORG_FIELD_INST_QUOTA, out);
	if (townorg__entity_ext(e))
		for (size_t i = 0; i < townorg__entity_ext(e)->n_xq; i++)
			if (!strcmp(townorg__entity_ext(e)->xq[i].type, type)) {
				*out = townorg__entity_ext(e)->xq[i].value;
				return 0;
			}
	return TOWNORG_ENOTFOUND;
}

/* Quota types in byte order: "admin" and "inst" sort among the others. */
size_t townorg_entity_quota_count(const townorg_entity *e)
{
	size_t n = townorg__entity_ext(e) ? townorg__entity_ext(e)->n_xq : 0;
	n += !!(e->present & (1u << TOWNORG_FIELD_ADMIN_QUOTA));
	n += !!(e->present & (1u << TOWNORG_FIELD_INST_QUOTA));
	return n;
}

int townorg_entity_quota_at(const townorg_entity *e, size_t i, const char **type, int64_t *value)
{
	const char *names[66];
	int64_t vals[66];
	size_t n = 0;
	int64_t v;
	const char *fixed[2] = { "admin", "inst" };
	townorg_field ff[2] = { TOWNORG_FIELD_ADMIN_QUOTA, TOWNORG_FIELD_INST_QUOTA };
	size_t nx = townorg__entity_ext(e) ? townorg__entity_ext(e)->n_xq : 0, xi = 0;
	/* merge the two fixed types into the sorted extra list */
	for (int k = 0; k <= 2; k++) {
		while (xi < nx && (k == 2 || strcmp(townorg__entity_ext(e)->xq[xi].type, fixed[k]) < 0)) {
			if (n == i) {
				*type = townorg__entity_ext(e)->xq[xi].type;
				*value = townorg__entity_ext(e)->xq[xi].value;
				return 0;
			}
			n++, xi++;
		}
		if (k < 2 && townorg_entity_int(e, ff[k], &v) == 0) {
			if (n == i) {
				*type = fixed[k];
				*value = v;
				return 0;
			}
			n++;
		}
	}
	(void)names;
	(void)vals;
	return townorg__err(TOWNORG_ENOTFOUND, "quota index %zu out of range", i);
}

int64_t townorg_entity_quota_total(const townorg_entity *e)
{
	int64_t t = 0, v;
	if (townorg_entity_int(e, TOWNORG_FIELD_ADMIN_QUOTA, &v) == 0)
		t += v;
	if (townorg_entity_int(e, TOWNORG_FIELD_INST_QUOTA, &v) == 0)
		t += v;
	if (townorg__entity_ext(e))
		for (size_t i = 0; i < townorg__entity_ext(e)->n_xq; i++)
			t += townorg__entity_ext(e)->xq[i].value;
	return t;
}

static const struct townorg__attr *find_attr(const struct townorg__ext *x, const char *name)
{
	if (!x || !name)
		return NULL;
	for (size_t i = 0; i < x->n_attrs; i++)
		if (!strcmp(x->attrs[i].name, name))
			return &x->attrs[i];
	return NULL;
}

const char *townorg_entity_text(const townorg_entity *e, const char *name)
{
	const struct townorg__attr *a = find_attr(townorg__entity_ext(e), name);
	return a && !a->is_list ? a->values[0] : NULL;
}

const char *const *townorg_entity_list(const townorg_entity *e, const char *name, size_t *count)
{
	const struct townorg__attr *a = find_attr(townorg__entity_ext(e), name);
	if (!a || !a->is_list) {
		if (count)
			*count = 0;
		return NULL;
	}
	if (count)
		*count = a->n;
	return (const char *const *)a->values;
}

size_t townorg_entity_attr_count(const townorg_entity *e) { return townorg__entity_ext(e) ? townorg__entity_ext(e)->n_attrs : 0; }

int townorg_entity_attr_at(const townorg_entity *e, size_t i, const char **name, int *is_list)
{
	if (!townorg__entity_ext(e) || i >= townorg__entity_ext(e)->n_attrs)
		return townorg__err(TOWNORG_ENOTFOUND, "attribute index %zu out of range", i);
	if (name)
		*name = townorg__entity_ext(e)->attrs[i].name;
	if (is_list)
		*is_list = townorg__entity_ext(e)->attrs[i].is_list;
	return 0;
}

const unsigned char *townorg_entity_hash(const townorg_entity *e) { return e->hash; }

int townorg_entity_equal(const townorg_entity *a, const townorg_entity *b)
{
	return a == b || !memcmp(a->hash, b->hash, TOWNORG__HASH_SIZE);
}

/* ------------------------------------------------------------ encoding */

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

void townorg__entity_encode(townorg__buf *b, const townorg_entity *e)
{
	townorg__buf_varint(b, e->kind);
	townorg__buf_str(b, townorg_entity_id(e));
	townorg__buf_str(b, townorg_entity_name(e));
	townorg__buf_str(b, townorg_entity_parent_id(e));
	townorg__buf_varint(b, e->cls);
	townorg__buf_varint(b, e->present);
	for (unsigned i = 0; i < townorg__popc(e->present); i++)
		townorg__buf_varint(b, zigzag(townorg__entity_value(e, (unsigned)i)));
	size_t nx = townorg__entity_ext(e) ? townorg__entity_ext(e)->n_xq : 0;
	townorg__buf_varint(b, nx);
	for (size_t i = 0; i < nx; i++) {
		townorg__buf_str(b, townorg__entity_ext(e)->xq[i].type);
		townorg__buf_varint(b, zigzag(townorg__entity_ext(e)->xq[i].value));
	}
	size_t na = townorg__entity_ext(e) ? townorg__entity_ext(e)->n_attrs : 0;
	townorg__buf_varint(b, na);
	for (size_t i = 0; i < na; i++) {
		const struct townorg__attr *a = &townorg__entity_ext(e)->attrs[i];
		townorg__buf_str(b, a->name);
		townorg__buf_varint(b, a->is_list);
		townorg__buf_varint(b, a->n);
		for (size_t j = 0; j < a->n; j++)
			townorg__buf_str(b, a->values[j]);
	}
}

/* ------------------------------------------------------------ builders */

struct townorg_entity_builder {
	char *id, *name, *parent;
	townorg_kind kind;
	townorg_class cls;
	uint16_t present;
	int64_t ints[TOWNORG_FIELD_COUNT];
	struct townorg__ext x; /* owned, sorted */
};

static bool valid_key_text(const char *s, size_t max, bool allow_empty)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if ((!allow_empty && n == 0) || n > max)
		return false;
	return townorg__utf8_valid(s, n, false);
}

static int check_id(const char *what, const char *id)
{
	if (!id || !*id)
		return townorg__err(TOWNORG_EINVALID, "%s: an entity id must not be empty", what);
	if (strlen(id) > TOWNORG__MAX_ID)
		return townorg__err(TOWNORG_EINVALID, "%s: entity id '%.40s…' is longer than %d bytes", what, id,
				    TOWNORG__MAX_ID);
	if (!townorg__utf8_valid(id, strlen(id), false))
		return townorg__err(TOWNORG_EENCODING, "%s: entity id is not valid UTF-8 or holds control characters",
				    what);
	for (const char *p = id; *p; p++)
		if (*p == ' ' || *p == ';' || *p == ',')
			return townorg__err(TOWNORG_EINVALID, "%s: entity id '%s' holds a space, ';' or ','", what, id);
	return 0;
}

int townorg_entity_builder_new(townorg_entity_builder **out, const char *id, townorg_kind kind, const char *name,
			       const char *parent_id)
{
	int rc;
	*out = NULL;
	if ((rc = check_id("new entity", id)) < 0)
		return rc;
	if (!townorg_kind_token(kind))
		return townorg__err(TOWNORG_EINVALID, "entity %s: invalid kind %d", id, (int)kind);
	townorg_entity_builder *b = townorg__calloc(1, sizeof *b);
	if (!b)
		return townorg__oom();
	b->id = townorg__strdup(id);
	b->kind = kind;
	if (!b->id) {
		townorg__free(b);
		return townorg__oom();
	}
	if ((rc = townorg_entity_builder_set_name(b, name ? name : "")) < 0 ||
	    (rc = townorg_entity_builder_set_parent(b, parent_id)) < 0) {
		townorg_entity_builder_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

static int ext_copy(struct townorg__ext *dst, const struct townorg__ext *src)
{
	memset(dst, 0, sizeof *dst);
	if (!src)
		return 0;
	if (src->n_xq) {
		dst->xq = townorg__calloc(src->n_xq, sizeof *dst->xq);
		if (!dst->xq)
			return -1;
		for (size_t i = 0; i < src->n_xq; i++) {
			dst->xq[i].value = src->xq[i].value;
			if (!(dst->xq[i].type = townorg__strdup(src->xq[i].type))) {
				dst->n_xq = i;
				return -1;
			}
		}
		dst->n_xq = src->n_xq;
	}
	if (src->n_attrs) {
		dst->attrs = townorg__calloc(src->n_attrs, sizeof *dst->attrs);
		if (!dst->attrs)
			return -1;
		for (size_t i = 0; i < src->n_attrs; i++) {
			struct townorg__attr *d = &dst->attrs[i];
			const struct townorg__attr *s = &src->attrs[i];
			dst->n_attrs = i + 1;
			d->is_list = s->is_list;
			if (!(d->name = townorg__strdup(s->name)))
				return -1;
			d->values = townorg__calloc(s->n ? s->n : 1, sizeof(char *));
			if (!d->values)
				return -1;
			for (size_t j = 0; j < s->n; j++) {
				if (!(d->values[j] = townorg__strdup(s->values[j])))
					return -1;
				d->n = j + 1;
			}
		}
	}
	return 0;
}

static void ext_clear(struct townorg__ext *x)
{
	for (size_t i = 0; i < x->n_xq; i++)
		townorg__free(x->xq[i].type);
	townorg__free(x->xq);
	for (size_t i = 0; i < x->n_attrs; i++) {
		for (size_t j = 0; j < x->attrs[i].n; j++)
			townorg__free(x->attrs[i].values[j]);
		townorg__free(x->attrs[i].values);
		townorg__free(x->attrs[i].name);
	}
	townorg__free(x->attrs);
	memset(x, 0, sizeof *x);
}

int townorg_entity_builder_from(townorg_entity_builder **out, const townorg_entity *e)
{
	int rc = townorg_entity_builder_new(out, townorg_entity_id(e), (townorg_kind)e->kind, townorg_entity_name(e),
					    townorg_entity_parent_id(e));
	if (rc < 0)
		return rc;
	townorg_entity_builder *b = *out;
	b->cls = (townorg_class)e->cls;
	b->present = e->present;
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++)
		townorg_entity_int(e, (townorg_field)f, &b->ints[f]);
	if (ext_copy(&b->x, townorg__entity_ext(e)) < 0) {
		townorg_entity_builder_free(b);
		*out = NULL;
		return townorg__oom();
	}
	return 0;
}

void townorg_entity_builder_free(townorg_entity_builder *b)
{
	if (!b)
		return;
	townorg__free(b->id);
	townorg__free(b->name);
	townorg__free(b->parent);
	ext_clear(&b->x);
	townorg__free(b);
}

const char *townorg_entity_builder_id(const townorg_entity_builder *b) { return b->id; }

int townorg_entity_builder_set_kind(townorg_entity_builder *b, townorg_kind kind)
{
	if (!townorg_kind_token(kind))
		return townorg__err(TOWNORG_EINVALID, "entity %s: invalid kind %d", b->id, (int)kind);
	b->kind = kind;
	return 0;
}

int townorg_entity_builder_set_name(townorg_entity_builder *b, const char *name)
{
	if (!name)
		name = "";
	if (!valid_key_text(name, TOWNORG__MAX_NAME, true))
		return townorg__err(TOWNORG_EENCODING,
				    "entity %s: name is not valid UTF-8, holds control characters or is too long", b->id);
	char *d = townorg__strdup(name);
	if (!d)
		return townorg__oom();
	townorg__free(b->name);
	b->name = d;
	return 0;
}

int townorg_entity_builder_set_parent(townorg_entity_builder *b, const char *parent)
{
	int rc;
	char *d = NULL;
	if (parent && *parent) {
		if ((rc = check_id(b->id, parent)) < 0)
			return rc;
		if (!strcmp(parent, b->id))
			return townorg__err(TOWNORG_EINTEGRITY, "entity %s: cannot be its own parent", b->id);
		if (!(d = townorg__strdup(parent)))
			return townorg__oom();
	}
	townorg__free(b->parent);
	b->parent = d;
	return 0;
}

int townorg_entity_builder_set_class(townorg_entity_builder *b, townorg_class cls)
{
	if ((int)cls < 0 || (int)cls > 3)
		return townorg__err(TOWNORG_EINVALID, "entity %s: invalid class %d", b->id, (int)cls);
	b->cls = cls;
	return 0;
}

int townorg_entity_builder_set_int(townorg_entity_builder *b, townorg_field f, int64_t v)
{
	if (!townorg_field_token(f))
		return townorg__err(TOWNORG_EINVALID, "entity %s: invalid field %d", b->id, (int)f);
	if (v < 0)
		return townorg__err(TOWNORG_EINVALID, "entity %s: %s must not be negative (got %lld)", b->id,
				    townorg_field_token(f), (long long)v);
	if (v > TOWNORG__MAX_NUMBER)
		return townorg__err(TOWNORG_EINVALID, "entity %s: %s = %lld is too large", b->id,
				    townorg_field_token(f), (long long)v);
	b->ints[f] = v;
	b->present |= (uint16_t)(1u << f);
	return 0;
}

int townorg_entity_builder_unset_int(townorg_entity_builder *b, townorg_field f)
{
	if (!townorg_field_token(f))
		return townorg__err(TOWNORG_EINVALID, "entity %s: invalid field %d", b->id, (int)f);
	b->present &= (uint16_t) ~(1u << f);
	b->ints[f] = 0;
	return 0;
}

/* A quota type or attribute name: 1–64 of a-z, 0-9 and _ (what names it
 * in the message: "quota type", "attribute name"). */
static int check_token(const townorg_entity_builder *b, const char *s, const char *what)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return townorg__err(TOWNORG_EINVALID, "entity %s: %s must be 1–64 characters", b->id, what);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return townorg__err(TOWNORG_EINVALID, "entity %s: %s '%s' may hold only a-z, 0-9 and _", b->id,
					    what, s);
	}
	return 0;
}

static int check_quota_type(const townorg_entity_builder *b, const char *type)
{
	return check_token(b, type, "quota type");
}

int townorg_entity_builder_set_quota(townorg_entity_builder *b, const char *type, int64_t v)
{
	int rc;
	if ((rc = check_quota_type(b, type)) < 0)
		return rc;
	if (!strcmp(type, "admin"))
		return townorg_entity_builder_set_int(b, TOWNORG_FIELD_ADMIN_QUOTA, v);
	if (!strcmp(type, "inst"))
		return townorg_entity_builder_set_int(b, TOWNORG_FIELD_INST_QUOTA, v);
	if (v < 0 || v > TOWNORG__MAX_NUMBER)
		return townorg__err(TOWNORG_EINVALID, "entity %s: quota %s = %lld out of range", b->id, type,
				    (long long)v);
	size_t i = 0;
	while (i < b->x.n_xq && strcmp(b->x.xq[i].type, type) < 0)
		i++;
	if (i < b->x.n_xq && !strcmp(b->x.xq[i].type, type)) {
		b->x.xq[i].value = v;
		return 0;
	}
	if (b->x.n_xq >= 64)
		return townorg__err(TOWNORG_EINVALID, "entity %s: too many quota types", b->id);
	char *t = townorg__strdup(type);
	struct townorg__xquota *nx = townorg__realloc(b->x.xq, (b->x.n_xq + 1) * sizeof *nx);
	if (!t || !nx) {
		townorg__free(t);
		if (nx)
			b->x.xq = nx;
		return townorg__oom();
	}
	b->x.xq = nx;
	memmove(nx + i + 1, nx + i, (b->x.n_xq - i) * sizeof *nx);
	nx[i].type = t;
	nx[i].value = v;
	b->x.n_xq++;
	return 0;
}

int townorg_entity_builder_unset_quota(townorg_entity_builder *b, const char *type)
{
	int rc;
	if ((rc = check_quota_type(b, type)) < 0)
		return rc;
	if (!strcmp(type, "admin"))
		return townorg_entity_builder_unset_int(b, TOWNORG_FIELD_ADMIN_QUOTA);
	if (!strcmp(type, "inst"))
		return townorg_entity_builder_unset_int(b, TOWNORG_FIELD_INST_QUOTA);
	for (size_t i = 0; i < b->x.n_xq; i++)
		if (!strcmp(b->x.xq[i].type, type)) {
			townorg__free(b->x.xq[i].type);
			memmove(b->x.xq + i, b->x.xq + i + 1, (b->x.n_xq - i - 1) * sizeof *b->x.xq);
			b->x.n_xq--;
			return 0;
		}
	return 0;
}

static int check_attr_name(const townorg_entity_builder *b, const char *name)
{
	int rc = check_token(b, name, "attribute name");
	if (rc < 0)
		return rc;
	townorg_field f;
	if (townorg_field_parse(&f, name) == 0 || !strcmp(name, "id") || !strcmp(name, "kind") ||
	    !strcmp(name, "name") || !strcmp(name, "parent_id") || !strcmp(name, "class")) {
		townorg_error_clear();
		return townorg__err(TOWNORG_EINVALID, "entity %s: '%s' is a field, not a free attribute", b->id, name);
	}
	townorg_error_clear();
	return 0;
}

static const char *const *enum_values(const char *name)
{
	static const char *const funding[] = { "full", "partial", "self", NULL };
	static const char *const nature[] = { "public_welfare", "commercial", "administrative", NULL };
	static const char *const regime[] = { "township_led", "department_led", NULL };
	if (!strcmp(name, "funding"))
		return funding;
	if (!strcmp(name, "nature"))
		return nature;
	if (!strcmp(name, "regime"))
		return regime;
	return NULL;
}

static bool is_list_name(const char *name)
{
	return !strcmp(name, "nameplates") || !strcmp(name, "functions") || !strcmp(name, "colocated_with");
}

static struct townorg__attr *attr_slot(townorg_entity_builder *b, const char *name, bool create, bool is_list)
{
	size_t i = 0;
	while (i < b->x.n_attrs && strcmp(b->x.attrs[i].name, name) < 0)
		i++;
	if (i < b->x.n_attrs && !strcmp(b->x.attrs[i].name, name))
		return &b->x.attrs[i];
	if (!create)
		return NULL;
	char *nm = townorg__strdup(name);
	struct townorg__attr *na = townorg__realloc(b->x.attrs, (b->x.n_attrs + 1) * sizeof *na);
	if (!nm || !na) {
		townorg__free(nm);
		if (na)
			b->x.attrs = na;
		return NULL;
	}
	b->x.attrs = na;
	memmove(na + i + 1, na + i, (b->x.n_attrs - i) * sizeof *na);
	memset(&na[i], 0, sizeof na[i]);
	na[i].name = nm;
	na[i].is_list = is_list;
	b->x.n_attrs++;
	return &na[i];
}

static void attr_remove(townorg_entity_builder *b, struct townorg__attr *a)
{
	size_t i = (size_t)(a - b->x.attrs);
	for (size_t j = 0; j < a->n; j++)
		townorg__free(a->values[j]);
	townorg__free(a->values);
	townorg__free(a->name);
	memmove(b->x.attrs + i, b->x.attrs + i + 1, (b->x.n_attrs - i - 1) * sizeof *a);
	b->x.n_attrs--;
}

int townorg_entity_builder_set_text(townorg_entity_builder *b, const char *name, const char *value)
{
	int rc;
	if ((rc = check_attr_name(b, name)) < 0)
		return rc;
	if (is_list_name(name))
		return townorg__err(TOWNORG_EINVALID, "entity %s: '%s' is a list attribute", b->id, name);
	struct townorg__attr *a = attr_slot(b, name, false, false);
	if (a && a->is_list)
		return townorg__err(TOWNORG_EINVALID, "entity %s: '%s' is a list attribute", b->id, name);
	if (!value) {
		if (a)
			attr_remove(b, a);
		return 0;
	}
	if (!valid_key_text(value, TOWNORG__MAX_NAME, true))
		return townorg__err(TOWNORG_EENCODING, "entity %s: value of '%s' is not valid UTF-8 text", b->id, name);
	const char *const *ev = enum_values(name);
	if (ev) {
		bool ok = false;
		for (size_t i = 0; ev[i]; i++)
			ok |= !strcmp(ev[i], value);
		if (!ok)
			return townorg__err(TOWNORG_EINVALID, "entity %s: '%s' is not a valid %s", b->id, value, name);
	}
	if (!strcmp(name, "supervisor") && (rc = check_id(b->id, value)) < 0)
		return rc;
	char *v = townorg__strdup(value);
	if (!v)
		return townorg__oom();
	if (!a) {
		a = attr_slot(b, name, true, false);
		if (!a) {
			townorg__free(v);
			return townorg__oom();
		}
		a->values = townorg__calloc(1, sizeof(char *));
		if (!a->values) {
			townorg__free(v);
			attr_remove(b, a);
			return townorg__oom();
		}
		a->n = 1;
	} else {
		townorg__free(a->values[0]);
	}
	a->values[0] = v;
	return 0;
}

int townorg_entity_builder_list_add(townorg_entity_builder *b, const char *name, const char *value)
{
	int rc;
	if ((rc = check_attr_name(b, name)) < 0)
		return rc;
	if (!value || !valid_key_text(value, TOWNORG__MAX_NAME, false))
		return townorg__err(TOWNORG_EENCODING, "entity %s: a value of '%s' is empty or not valid UTF-8 text",
				    b->id, name);
	struct townorg__attr *a = attr_slot(b, name, false, true);
	if (a && !a->is_list)
		return townorg__err(TOWNORG_EINVALID, "entity %s: '%s' is a text attribute", b->id, name);
	if (!a && !(a = attr_slot(b, name, true, true)))
		return townorg__oom();
	size_t i = 0;
	while (i < a->n && strcmp(a->values[i], value) < 0)
		i++;
	if (i < a->n && !strcmp(a->values[i], value))
		return 0;
	char *v = townorg__strdup(value);
	char **nv = townorg__realloc(a->values, (a->n + 1) * sizeof(char *));
	if (!v || !nv) {
		townorg__free(v);
		if (nv)
			a->values = nv;
		if (a->n == 0)
			attr_remove(b, a);
		return townorg__oom();
	}
	a->values = nv;
	memmove(nv + i + 1, nv + i, (a->n - i) * sizeof(char *));
	nv[i] = v;
	a->n++;
	return 0;
}

int townorg_entity_builder_list_remove(townorg_entity_builder *b, const char *name, const char *value)
{
	struct townorg__attr *a = name ? attr_slot(b, name, false, true) : NULL;
	if (a && a->is_list && value)
		for (size_t i = 0; i < a->n; i++)
			if (!strcmp(a->values[i], value)) {
				townorg__free(a->values[i]);
				memmove(a->values + i, a->values + i + 1, (a->n - i - 1) * sizeof(char *));
				if (--a->n == 0)
					attr_remove(b, a);
				return 0;
			}
	return townorg__err(TOWNORG_ENOTFOUND, "entity %s: '%s' has no value '%s'", b->id, name ? name : "",
			    value ? value : "");
}

int townorg_entity_builder_list_clear(townorg_entity_builder *b, const char *name)
{
	struct townorg__attr *a = name ? attr_slot(b, name, false, true) : NULL;
	if (a && a->is_list)
		attr_remove(b, a);
	return 0;
}

townorg_entity *townorg__entity_twin(const townorg_entity *e, const townorg_entity *prev)
{
	if (e->has_ext || e->shares || !prev)
		return NULL;
	const townorg_entity *owner = prev->shares ? townorg__entity_owner(prev) : prev;
	const char *a = townorg__entity_strings(e), *b = townorg__entity_strings(owner);
	size_t la = entity_size(e) - (size_t)(townorg__entity_tail(e) - (const char *)e);
	size_t lb = entity_size(owner) - (size_t)(townorg__entity_tail(owner) - (const char *)owner);
	if (owner->has_parent != e->has_parent || la != lb || memcmp(a, b, la) != 0)
		return NULL;
	size_t head = (size_t)(townorg__entity_tail(e) - (const char *)e);
	townorg_entity *t = townorg__palloc4(head + sizeof owner);
	if (!t)
		return NULL; /* the caller keeps e */
	memcpy(t, e, head);
	t->refcnt = 1;
	t->shares = 1;
	t->heap = 0;
	townorg_entity_ref(owner);
	memcpy((char *)t + head, &owner, sizeof owner);
	return t;
}

townorg_entity *townorg__entity_settle(const townorg_entity *e, const townorg_entity *prev)
{
	if (e->has_ext)
		return NULL; /* its rare attributes are its own: keep it */
	townorg_entity *t = townorg__entity_twin(e, prev);
	if (t)
		return t;
	size_t sz = entity_size(e);
	if (!(t = townorg__palloc4(sz)))
		return NULL;
	memcpy(t, e, sz);
	t->refcnt = 1;
	t->heap = 0;
	return t;
}

static int assemble(townorg_entity **out, townorg_kind kind, townorg_class cls, uint16_t present,
		    const int64_t *ints_by_field, const char *id, const char *name, const char *parent,
		    struct townorg__ext *ext_take, townorg__buf *scratch, bool heap);

int townorg__entity_assemble(townorg_entity **out, townorg_kind kind, townorg_class cls, uint16_t present,
			     const int64_t *ints_by_field, const char *id, const char *name, const char *parent,
			     struct townorg__ext *ext_take, townorg__buf *scratch)
{
	return assemble(out, kind, cls, present, ints_by_field, id, name, parent, ext_take, scratch, false);
}

int townorg__entity_assemble_heap(townorg_entity **out, townorg_kind kind, townorg_class cls, uint16_t present,
				  const int64_t *ints_by_field, const char *id, const char *name, const char *parent,
				  townorg__buf *scratch)
{
	return assemble(out, kind, cls, present, ints_by_field, id, name, parent, NULL, scratch, true);
}

static int assemble(townorg_entity **out, townorg_kind kind, townorg_class cls, uint16_t present,
		    const int64_t *ints_by_field, const char *id, const char *name, const char *parent,
		    struct townorg__ext *ext_take, townorg__buf *scratch, bool heap)
{
	size_t nint = (size_t)townorg__popc(present);
	bool wide = false;
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++)
		if ((present & (1u << f)) && (ints_by_field[f] < INT32_MIN || ints_by_field[f] > INT32_MAX))
			wide = true;
	size_t lid = strlen(id), lname = strlen(name), lpar = parent ? strlen(parent) : 0;
	size_t xsz = ext_take ? sizeof ext_take : 0;
	size_t sz = TOWNORG__ENTITY_HEADER + xsz + (nint << wide) * sizeof(int32_t) + lid + 1 + lname + 1 +
		    (parent ? lpar + 1 : 0);
	if (lid + 1 + lname + 1 >= 0xffff)
		return townorg__err(TOWNORG_EINVALID, "entity %s: strings too long", id);
	/* 4-byte aligned is enough (entity_internal.h) */
	townorg_entity *e = heap ? townorg__malloc(sz) : townorg__palloc4(sz);
	if (!e)
		return townorg__oom();
	memset(e, 0, TOWNORG__ENTITY_HEADER);
	e->heap = heap;
	e->refcnt = 1;
	e->kind = (uint8_t)kind;
	e->cls = (uint8_t)cls & 3;
	e->wide = wide;
	e->present = present;
	size_t k = 0;
	if (ext_take) {
		e->has_ext = 1;
		memcpy(e->data, &ext_take, sizeof ext_take);
		k = sizeof ext_take / sizeof(int32_t);
	}
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++)
		if (present & (1u << f)) {
			if (wide) {
				memcpy(e->data + k, &ints_by_field[f], sizeof(int64_t));
				k += 2;
			} else {
				e->data[k++] = (int32_t)ints_by_field[f];
			}
		}
	char *s = (char *)(e->data + k);
	memcpy(s, id, lid + 1);
	memcpy(s + lid + 1, name, lname + 1);
	if (parent) {
		e->has_parent = 1;
		memcpy(s + lid + 1 + lname + 1, parent, lpar + 1);
	}
	/* hash the canonical encoding */
	townorg__buf local = { 0 }, *b = scratch ? scratch : &local;
	b->len = 0;
	townorg__entity_encode(b, e);
	if (b->failed) {
		townorg__buf_free(&local);
		if (heap)
			townorg__free(e);
		else
			townorg__pfree(e, sz); /* ext_take stays the caller's on failure */
		return townorg__oom();
	}
	townorg__sha sh;
	townorg__sha_init(&sh);
	townorg__sha_update(&sh, "townorg-entity-1", 17);
	townorg__sha_update(&sh, b->data, b->len);
	townorg__sha_final(&sh, e->hash);
	townorg__buf_free(&local);
	*out = e;
	return 0;
}

int townorg_entity_builder_build(townorg_entity **out, const townorg_entity_builder *b)
{
	*out = NULL;
	struct townorg__ext *x = NULL;
	if (b->x.n_xq || b->x.n_attrs) {
		x = townorg__calloc(1, sizeof *x);
		if (!x || ext_copy(x, &b->x) < 0) {
			ext_free(x);
			return townorg__oom();
		}
	}
	int rc = townorg__entity_assemble(out, b->kind, b->cls, b->present, b->ints, b->id, b->name, b->parent, x, NULL);
	if (rc < 0)
		ext_free(x);
	return rc;
}

/* ------------------------------------------------------------ decoding */

/* The bytes are read with the one codec (base/codec.h). */
typedef townorg__rd reader;
#define rd_varint townorg__rd_varint

/* A string, allocated; NULL with *was_null for an encoded NULL, NULL with
 * r->bad on error (r->oom when an allocation failed). */
static char *rd_str(reader *r, bool *was_null)
{
	char *s = townorg__rd_str(r, NULL);
	*was_null = !s && !r->bad;
	return s;
}

/*
 * The common record (no extra quota types, no attributes) laid out
 * directly: the strings are read in place into stack buffers instead of
 * through the builder's copies, with the builder's every check (check_id
 * on the id and parent, the name's encoding and length, kind, class and
 * the number limits), so it accepts exactly what the builder accepts and
 * makes the same value.  A string holding a NUL byte is refused, as the
 * codec's reader refuses it.  Returns 1 when the record is not such a record or
 * any check fails: the builder's path then decides, and reports the error.
 */
static bool direct_str(reader *r, char *buf, size_t max, bool *was_null)
{
	uint64_t n = rd_varint(r);
	*was_null = false;
	if (r->bad)
		return false;
	if (n == 0) {
		*was_null = true;
		return true;
	}
	n--;
	if (n > (uint64_t)(r->end - r->p))
		return false;
	const char *p = (const char *)r->p;
	if (memchr(p, 0, (size_t)n))
		return false; /* the codec refuses a NUL inside a string */
	size_t l = (size_t)n;
	if (l > max)
		return false; /* the builder refuses it too */
	memcpy(buf, p, l);
	buf[l] = 0;
	r->p += n;
	return true;
}

static bool direct_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > TOWNORG__MAX_ID || !townorg__utf8_valid(id, n, false))
		return false;
	for (const char *p = id; *p; p++)
		if (*p == ' ' || *p == ';' || *p == ',')
			return false;
	return true;
}

static int decode_direct(townorg_entity **out, const unsigned char *data, size_t len)
{
	char id[TOWNORG__MAX_ID + 1], name[TOWNORG__MAX_NAME + 1], parent[TOWNORG__MAX_ID + 1];
	int64_t ints[TOWNORG_FIELD_COUNT] = { 0 };
	reader r = { data, data + len, false, false };
	bool id_null, name_null, parent_null;
	uint64_t kind = rd_varint(&r);
	if (!direct_str(&r, id, TOWNORG__MAX_ID, &id_null) || !direct_str(&r, name, TOWNORG__MAX_NAME, &name_null) ||
	    !direct_str(&r, parent, TOWNORG__MAX_ID, &parent_null))
		return 1;
	uint64_t cls = rd_varint(&r);
	uint64_t present = rd_varint(&r);
	if (r.bad || id_null || name_null || present >= (1u << TOWNORG_FIELD_COUNT) || cls > 3)
		return 1;
	/* townorg_entity_builder_new, set_name and set_parent */
	if (!direct_id_ok(id) || !townorg_kind_token((townorg_kind)kind) || !valid_key_text(name, TOWNORG__MAX_NAME, true))
		return 1;
	const char *par = parent_null || !*parent ? NULL : parent;
	if (par && (!direct_id_ok(par) || !strcmp(par, id)))
		return 1;
	/* townorg_entity_builder_set_int */
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++)
		if (present & (1u << f)) {
			int64_t v = unzigzag(rd_varint(&r));
			if (r.bad || v < 0 || v > TOWNORG__MAX_NUMBER)
				return 1;
			ints[f] = v;
		}
	uint64_t nx = rd_varint(&r), na = rd_varint(&r);
	if (r.bad || nx || na || r.p != r.end)
		return 1;
	return townorg__entity_assemble(out, (townorg_kind)kind, (townorg_class)cls, (uint16_t)present, ints, id, name,
					par, NULL, NULL);
}

static int decode_builder(townorg_entity **out, const unsigned char *data, size_t len);

int townorg__entity_decode(townorg_entity **out, const unsigned char *data, size_t len)
{
	*out = NULL;
	if (data) {
		int rc = decode_direct(out, data, len);
		if (rc <= 0)
			return rc;
	}
	return decode_builder(out, data, len);
}

/* Any record, through the builder. */
static int decode_builder(townorg_entity **out, const unsigned char *data, size_t len)
{
	static const unsigned char none[1];
	if (!data)
		data = none, len = 0;
	reader r = { data, data + len, false, false };
	townorg_entity_builder *b = NULL;
	char *id = NULL, *name = NULL, *parent = NULL, *tmp = NULL;
	bool isnull;
	int rc = TOWNORG_ECORRUPT;
	*out = NULL;
	uint64_t kind = rd_varint(&r);
	id = rd_str(&r, &isnull);
	name = rd_str(&r, &isnull);
	parent = rd_str(&r, &isnull);
	uint64_t cls = rd_varint(&r);
	uint64_t present = rd_varint(&r);
	if (r.bad || !id || !name || present >= (1u << TOWNORG_FIELD_COUNT) || cls > 3)
		goto fail;
	if ((rc = townorg_entity_builder_new(&b, id, (townorg_kind)kind, name, parent)) < 0)
		goto fail;
	b->cls = (townorg_class)cls;
	for (int f = 0; f < TOWNORG_FIELD_COUNT; f++)
		if (present & (1u << f))
			if ((rc = townorg_entity_builder_set_int(b, (townorg_field)f, unzigzag(rd_varint(&r)))) < 0)
				goto fail;
	uint64_t nx = rd_varint(&r);
	for (uint64_t i = 0; i < nx && !r.bad; i++) {
		tmp = rd_str(&r, &isnull);
		int64_t v = unzigzag(rd_varint(&r));
		if (r.bad || !tmp || (rc = townorg_entity_builder_set_quota(b, tmp, v)) < 0)
			goto fail;
		townorg__free(tmp);
		tmp = NULL;
	}
	uint64_t na = rd_varint(&r);
	for (uint64_t i = 0; i < na && !r.bad; i++) {
		char *an = rd_str(&r, &isnull);
		uint64_t is_list = rd_varint(&r), n = rd_varint(&r);
		if (r.bad || !an) {
			townorg__free(an);
			goto fail;
		}
		for (uint64_t j = 0; j < n && !r.bad; j++) {
			tmp = rd_str(&r, &isnull);
			if (r.bad || !tmp)
				break;
			rc = is_list ? townorg_entity_builder_list_add(b, an, tmp) : townorg_entity_builder_set_text(b, an, tmp);
			townorg__free(tmp);
			tmp = NULL;
			if (rc < 0)
				break;
		}
		townorg__free(an);
		if (r.bad || rc < 0)
			goto fail;
	}
	if (r.bad || r.p != r.end)
		goto fail;
	rc = townorg_entity_builder_build(out, b);
	townorg_entity_builder_free(b);
	townorg__free(id);
	townorg__free(name);
	townorg__free(parent);
	return rc;
fail:
	townorg_entity_builder_free(b);
	townorg__free(id);
	townorg__free(name);
	townorg__free(parent);
	townorg__free(tmp);
	if (rc == TOWNORG_ENOMEM || r.oom)
		return townorg__oom();
	return townorg__err(TOWNORG_ECORRUPT, "stored entity record is malformed");
}

/* ------------------------------------------------------------ areas */

int townorg_area_parse(int64_t *tenths, const char *text)
{
	if (!text || !*text)
		return townorg__err(TOWNORG_EINVALID, "empty area");
	const char *p = text;
	int64_t whole = 0;
	int digits = 0;
	while (*p >= '0' && *p <= '9') {
		if (whole > TOWNORG__MAX_NUMBER / 10)
			return townorg__err(TOWNORG_EINVALID, "area '%s' is too large", text);
		whole = whole * 10 + (*p++ - '0');
		digits++;
	}
	int frac = 0;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return townorg__err(TOWNORG_EINVALID, "area '%s' is not a decimal number", text);
		frac = *p++ - '0';
		if (*p >= '0' && *p <= '9')
			return townorg__err(TOWNORG_EINVALID, "area '%s' has more than one decimal place", text);
	}
	if (!digits || *p)
		return townorg__err(TOWNORG_EINVALID, "area '%s' is not a non-negative decimal number", text);
	*tenths = whole * 10 + frac;
	return 0;
}

int townorg_area_format(char *buf, size_t size, int64_t tenths)
{
	int n = snprintf(buf, size, "%s%lld.%d", tenths < 0 ? "-" : "", llabs(tenths) / 10, (int)(llabs(tenths) % 10));
	if (n < 0 || (size_t)n >= size)
		return townorg__err(TOWNORG_EINVALID, "buffer too small for an area");
	return 0;
}

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/entity.h — entities: the units, organs and places of the graph.
 *
 * An entity is an immutable, reference-counted value: a stable string id,
 * a kind, a name, the id of its parent (where it sits) and typed attributes.
 * Committed entities are never modified; to change one, make a builder from
 * it (townorg_entity_builder_from), set what changes, build a new value and
 * put it in a transaction.
 *
 * Numbers are integers.  Areas are fixed-point: tenths of a square
 * kilometre (146.7 km² is 1467); no binary floating point is ever stored.
 */
#ifndef TOWNORG_ENTITY_H
#define TOWNORG_ENTITY_H

#include "common.h"

TOWNORG_BEGIN_DECLS

/** Entity kinds.  townorg_kind_token() gives the exact token used by files,
 *  the CLI and the bindings. */
typedef enum {
	TOWNORG_KIND_INVALID = 0,
	TOWNORG_KIND_PROVINCE,      /**< "province"      省 */
	TOWNORG_KIND_PREFECTURE,    /**< "prefecture"    地级 */
	TOWNORG_KIND_COUNTY,        /**< "county"        县/区/县级市 */
	TOWNORG_KIND_DEPARTMENT,    /**< "department"    县直部门 */
	TOWNORG_KIND_TOWN,          /**< "town"          镇 */
	TOWNORG_KIND_TOWNSHIP,      /**< "township"      乡 */
	TOWNORG_KIND_SUBDISTRICT,   /**< "subdistrict"   街道 */
	TOWNORG_KIND_TOWNSHIP_LIKE, /**< "township_like" 类似乡级单位 */
	TOWNORG_KIND_OFFICE,        /**< "office"        综合性办公室 */
	TOWNORG_KIND_CENTER,        /**< "center"        事业单位/服务中心 */
	TOWNORG_KIND_STATION,       /**< "station"       站所 */
	TOWNORG_KIND_TEAM,          /**< "team"          综合行政执法队 */
	TOWNORG_KIND_LISTED,        /**< "listed"        单列机构 */
	TOWNORG_KIND_DISPATCHED,    /**< "dispatched"    派驻/派出机构 */
	TOWNORG_KIND_VILLAGE,       /**< "village"       行政村 */
	TOWNORG_KIND_COMMUNITY      /**< "community"     社区 */
} townorg_kind;

/** Number of valid kinds (TOWNORG_KIND_PROVINCE .. TOWNORG_KIND_COMMUNITY). */
#define TOWNORG_KIND_COUNT 16

/** The exact token of a kind ("town"), or NULL for an invalid kind. */
TOWNORG_EXTERN(const char *) townorg_kind_token(townorg_kind kind);

/** Parse a kind token.  Returns TOWNORG_EINVALID (with a message) if the
 *  token is unknown. */
TOWNORG_EXTERN(int) townorg_kind_parse(townorg_kind *out, const char *token);

/** 1 for town, township, subdistrict and township_like; else 0. */
TOWNORG_EXTERN(int) townorg_kind_is_township_level(townorg_kind kind);

/** 1 for office, center, station, team, listed and dispatched; else 0. */
TOWNORG_EXTERN(int) townorg_kind_is_organ(townorg_kind kind);

/** Township class (大/中/小乡镇). */
typedef enum {
	TOWNORG_CLASS_NONE = 0,
	TOWNORG_CLASS_LARGE,   /**< "large"  大 */
	TOWNORG_CLASS_MEDIUM,  /**< "medium" 中 */
	TOWNORG_CLASS_SMALL    /**< "small"  小 */
} townorg_class;

/** The token of a class ("large"), or NULL for TOWNORG_CLASS_NONE. */
TOWNORG_EXTERN(const char *) townorg_class_token(townorg_class cls);

/** Parse a class token ("" and NULL give TOWNORG_CLASS_NONE). */
TOWNORG_EXTERN(int) townorg_class_parse(townorg_class *out, const char *token);

/** Integer attributes.  The token of each is its field name in files and
 *  diffs (townorg_field_token). */
typedef enum {
	TOWNORG_FIELD_POPULATION = 0,    /**< "population": persons */
	TOWNORG_FIELD_AREA,              /**< "area_km2": tenths of km² (fixed point) */
	TOWNORG_FIELD_REVENUE_PER_CAPITA,/**< "revenue_per_capita": yuan */
	TOWNORG_FIELD_LEADER_POSTS,      /**< "leader_posts": a unit's 领导职数, an organ's head posts */
	TOWNORG_FIELD_ACTUAL_STAFF,      /**< "actual_staff": 实有人数 */
	TOWNORG_FIELD_CHIEF_POSTS,       /**< "chief_posts": an organ's 主任/站长 posts */
	TOWNORG_FIELD_DEPUTY_POSTS,      /**< "deputy_posts": an organ's 副主任 posts */
	TOWNORG_FIELD_ADMIN_QUOTA,       /**< "admin_quota": 行政编制 (quota type "admin") */
	TOWNORG_FIELD_INST_QUOTA         /**< "inst_quota": 事业编制 (quota type "inst") */
} townorg_field;

#define TOWNORG_FIELD_COUNT 9

/** Field name of an integer attribute ("area_km2"), or NULL. */
TOWNORG_EXTERN(const char *) townorg_field_token(townorg_field field);

/** Parse an integer attribute's field name. */
TOWNORG_EXTERN(int) townorg_field_parse(townorg_field *out, const char *token);

/** An immutable entity value. */
typedef struct townorg_entity townorg_entity;

/** A mutable draft from which entity values are built. */
typedef struct townorg_entity_builder townorg_entity_builder;

/** Take a reference to an entity (it stays valid until the matching
 *  townorg_entity_free).  Returns its argument. */
TOWNORG_EXTERN(townorg_entity *) townorg_entity_ref(const townorg_entity *entity);

/** Release a reference.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_entity_free(townorg_entity *entity);

/** The entity's id (never NULL). */
TOWNORG_EXTERN(const char *) townorg_entity_id(const townorg_entity *entity);
/** The entity's kind. */
TOWNORG_EXTERN(townorg_kind) townorg_entity_kind(const townorg_entity *entity);
/** The entity's name (never NULL; may be ""). */
TOWNORG_EXTERN(const char *) townorg_entity_name(const townorg_entity *entity);
/** The id of the parent entity, or NULL for a top-level entity. */
TOWNORG_EXTERN(const char *) townorg_entity_parent_id(const townorg_entity *entity);
/** The township class (TOWNORG_CLASS_NONE when unset). */
TOWNORG_EXTERN(townorg_class) townorg_entity_class(const townorg_entity *entity);

/** Read an integer attribute.  Returns 0 and sets *out, or TOWNORG_ENOTFOUND
 *  when the attribute is not set (no error message is set for that). */
TOWNORG_EXTERN(int) townorg_entity_int(const townorg_entity *entity, townorg_field field, int64_t *out);

/** Read the quota of a named type ("admin", "inst" or any other type).
 *  Returns 0, or TOWNORG_ENOTFOUND when that quota is not set. */
TOWNORG_EXTERN(int) townorg_entity_quota(const townorg_entity *entity, const char *type, int64_t *out);

/** Number of quota types set on the entity. */
TOWNORG_EXTERN(size_t) townorg_entity_quota_count(const townorg_entity *entity);

/** The i-th quota (types in byte order of their names): type borrowed. */
TOWNORG_EXTERN(int) townorg_entity_quota_at(const townorg_entity *entity, size_t i, const char **type, int64_t *value);

/** Sum of all quota types set on the entity (0 if none). */
TOWNORG_EXTERN(int64_t) townorg_entity_quota_total(const townorg_entity *entity);

/**
 * Text attributes, by name.  Documented names (values checked on build):
 *  "funding"    full | partial | self      (全额拨款 / 差额拨款 / 自收自支)
 *  "nature"     public_welfare | commercial | administrative
 *               (公益性 / 经营性 / 行使行政职能)
 *  "rank"       free text, e.g. "股级"
 *  "regime"     township_led | department_led   (以块为主 / 以条为主)
 *  "supervisor" id of the supervising or sending county department
 *  "code"       official statistical code
 *  any other name holds free text.
 * Returns the borrowed value or NULL when unset.
 */
TOWNORG_EXTERN(const char *) townorg_entity_text(const townorg_entity *entity, const char *name);

/**
 * List attributes, by name: "nameplates" (牌子), "functions" (职能),
 * "colocated_with" (ids of 合署办公 partners), or any other name.  Sets *count
 * and returns a borrowed array of borrowed strings in byte order (NULL and
 * *count = 0 when unset).
 */
TOWNORG_EXTERN(const char *const *) townorg_entity_list(const townorg_entity *entity, const char *name, size_t *count);

/** Number of named (text or list) attributes, and the i-th one's name and
 *  whether it is a list.  Names are in byte order. */
TOWNORG_EXTERN(size_t) townorg_entity_attr_count(const townorg_entity *entity);
TOWNORG_EXTERN(int) townorg_entity_attr_at(const townorg_entity *entity, size_t i, const char **name, int *is_list);

/** SHA-256 of the entity's canonical encoding, as 32 bytes (borrowed). */
TOWNORG_EXTERN(const unsigned char *) townorg_entity_hash(const townorg_entity *entity);

/** 1 if two entities have the same content (same hash), else 0. */
TOWNORG_EXTERN(int) townorg_entity_equal(const townorg_entity *a, const townorg_entity *b);

/**
 * Start a draft.  id: non-empty UTF-8 without control characters; parent_id
 * may be NULL for a top-level entity.  Free with townorg_entity_builder_free.
 */
TOWNORG_EXTERN(int) townorg_entity_builder_new(townorg_entity_builder **out, const char *id, townorg_kind kind,
	const char *name, const char *parent_id);

/** Start a draft holding a copy of an existing entity's content. */
TOWNORG_EXTERN(int) townorg_entity_builder_from(townorg_entity_builder **out, const townorg_entity *entity);

/** Free a draft.  NULL is harmless. */
TOWNORG_EXTERN(void) townorg_entity_builder_free(townorg_entity_builder *builder);

/** Setters.  Strings are copied.  NULL unsets where that makes sense. */
TOWNORG_EXTERN(int) townorg_entity_builder_set_kind(townorg_entity_builder *b, townorg_kind kind);
TOWNORG_EXTERN(int) townorg_entity_builder_set_name(townorg_entity_builder *b, const char *name);
TOWNORG_EXTERN(int) townorg_entity_builder_set_parent(townorg_entity_builder *b, const char *parent_id);
TOWNORG_EXTERN(int) townorg_entity_builder_set_class(townorg_entity_builder *b, townorg_class cls);
/** Set an integer attribute.  Counts, posts and quotas must be >= 0. */
TOWNORG_EXTERN(int) townorg_entity_builder_set_int(townorg_entity_builder *b, townorg_field field, int64_t value);
TOWNORG_EXTERN(int) townorg_entity_builder_unset_int(townorg_entity_builder *b, townorg_field field);
/** Set (value >= 0) a quota of a named type; "admin"/"inst" are the
 *  ADMIN/INST fields.  Type names: 1–64 bytes of [a-z0-9_]. */
TOWNORG_EXTERN(int) townorg_entity_builder_set_quota(townorg_entity_builder *b, const char *type, int64_t value);
TOWNORG_EXTERN(int) townorg_entity_builder_unset_quota(townorg_entity_builder *b, const char *type);
/** Set a text attribute (NULL value unsets). */
TOWNORG_EXTERN(int) townorg_entity_builder_set_text(townorg_entity_builder *b, const char *name, const char *value);
/** Add a value to a list attribute (kept sorted, duplicates ignored). */
TOWNORG_EXTERN(int) townorg_entity_builder_list_add(townorg_entity_builder *b, const char *name, const char *value);
/** Remove one value from a list attribute (ENOTFOUND if absent). */
TOWNORG_EXTERN(int) townorg_entity_builder_list_remove(townorg_entity_builder *b, const char *name, const char *value);
/** Remove a whole list attribute. */
TOWNORG_EXTERN(int) townorg_entity_builder_list_clear(townorg_entity_builder *b, const char *name);

/** The id the draft will have (borrowed). */
TOWNORG_EXTERN(const char *) townorg_entity_builder_id(const townorg_entity_builder *b);

/** Build an immutable entity from the draft (the draft stays usable).
 *  The result is owned: free it with townorg_entity_free. */
TOWNORG_EXTERN(int) townorg_entity_builder_build(townorg_entity **out, const townorg_entity_builder *b);

/** Parse a decimal area in km² ("146.7", "12", "0.5") into tenths
 *  (1467, 120, 5).  More than one decimal place is refused. */
TOWNORG_EXTERN(int) townorg_area_parse(int64_t *tenths, const char *text);

/** Format tenths of km² as "146.7" into buf (at least 32 bytes). */
TOWNORG_EXTERN(int) townorg_area_format(char *buf, size_t size, int64_t tenths);

/* ------------------------------------------------------------ schema */

/** The type of an entity attribute's values. */
typedef enum {
	TOWNORG_ATTR_STRING = 0, /**< text */
	TOWNORG_ATTR_ENUM,       /**< one token of a fixed set (townorg_attr_info.values) */
	TOWNORG_ATTR_INTEGER,    /**< an integer */
	TOWNORG_ATTR_DECIMAL,    /**< a number with one decimal (stored in tenths) */
	TOWNORG_ATTR_LIST        /**< a set of strings */
} townorg_attr_type;

/** One value of an enumerated attribute: its token and its labels. */
typedef struct {
	const char *token;    /**< "township_led" */
	const char *label_zh; /**< "以块为主" */
	const char *label_en; /**< "township-led" */
} townorg_attr_value;

/**
 * What the library knows of one entity attribute, defined once
 * (lib/core/schema.def) and used by the JSON reader, the CSV tables, the
 * workbooks, the displays and the bindings.
 */
typedef struct {
	const char *name;        /**< "population": JSON key, CSV column, diff field name */
	townorg_attr_type type;  /**< the values' type */
	int field;               /**< its townorg_field, or -1 (id, kind, name, parent_id, class, named attributes) */
	int in_csv;              /**< 1 when a column of the CSV tables (in townorg_attr_info_at order) */
	int in_json;             /**< 1 when a member of the JSON entity object (else in "quotas" or "attrs") */
	const char *label_zh;    /**< "人口" */
	const char *label_en;    /**< "population" */
	const char *unit_zh;     /**< "人", or NULL */
	const char *unit_en;     /**< "persons", or NULL */
	const townorg_attr_value *values; /**< ENUM: the values, ended by a NULL token; else NULL */
} townorg_attr_info;

/** The number of attributes townorg_attr_info_at lists. */
TOWNORG_EXTERN(size_t) townorg_attr_count(void);

/**
 * The i-th attribute (0 ≤ i < townorg_attr_count()): the CSV columns first,
 * in file order, then the other fields and the named attributes the
 * library knows (funding, nature, regime, rank, supervisor, code,
 * functions, nameplates, colocated_with).  *out points to static data.
 * Returns 0, or TOWNORG_ENOTFOUND when i is out of range.
 */
TOWNORG_EXTERN(int) townorg_attr_info_at(const townorg_attr_info **out, size_t i);

/**
 * The attribute named name (its token), in *out.  Returns 0, or
 * TOWNORG_ENOTFOUND (with a message) for a name the schema does not list:
 * other quota types and attributes are free-form.
 */
TOWNORG_EXTERN(int) townorg_attr_info_find(const townorg_attr_info **out, const char *name);

/** A kind's label: "镇" / "town", "综合性办公室" / "office"; NULL for an invalid kind. */
TOWNORG_EXTERN(const char *) townorg_kind_label(townorg_kind kind, townorg_lang lang);

/** A class's label: "大乡镇" / "large"; NULL for TOWNORG_CLASS_NONE. */
TOWNORG_EXTERN(const char *) townorg_class_label(townorg_class cls, townorg_lang lang);

TOWNORG_END_DECLS

#endif /* TOWNORG_ENTITY_H */

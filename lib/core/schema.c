/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * schema.c — the entity's attributes and the kinds' and classes' labels,
 * from one definition (schema.def; the kinds here, in the order of
 * townorg_kind).  Public: townorg_attr_info_at, townorg_attr_info_find,
 * townorg_kind_label, townorg_class_label (townorg/entity.h).
 */
#include "core/entity_internal.h"

static const townorg_attr_value kinds[] = {
	{ "province", "省", "province" },
	{ "prefecture", "地级", "prefecture" },
	{ "county", "县", "county" },
	{ "department", "县直部门", "county department" },
	{ "town", "镇", "town" },
	{ "township", "乡", "township" },
	{ "subdistrict", "街道", "subdistrict" },
	{ "township_like", "类似乡级单位", "township-like unit" },
	{ "office", "办公室", "office" },
	{ "center", "中心", "service centre" },
	{ "station", "站所", "station" },
	{ "team", "执法队", "enforcement team" },
	{ "listed", "单列机构", "listed body" },
	{ "dispatched", "派驻机构", "dispatched body" },
	{ "village", "行政村", "village" },
	{ "community", "社区", "community" },
	{ NULL, NULL, NULL },
};
_Static_assert(sizeof kinds / sizeof kinds[0] == TOWNORG_KIND_COUNT + 1, "one label per kind");

static const townorg_attr_value classes[] = {
	{ "large", "大乡镇", "large" },
	{ "medium", "中等乡镇", "medium" },
	{ "small", "小乡镇", "small" },
	{ NULL, NULL, NULL },
};

static const townorg_attr_value funding[] = {
	{ "full", "全额拨款", "fully funded" },
	{ "partial", "差额拨款", "partially funded" },
	{ "self", "自收自支", "self-financing" },
	{ NULL, NULL, NULL },
};

static const townorg_attr_value nature[] = {
	{ "public_welfare", "公益性", "public-welfare" },
	{ "commercial", "经营性", "commercial" },
	{ "administrative", "行使行政职能", "administrative" },
	{ NULL, NULL, NULL },
};

static const townorg_attr_value regime[] = {
	{ "township_led", "以块为主", "township-led" },
	{ "department_led", "以条为主", "department-led" },
	{ NULL, NULL, NULL },
};

#define NONE_VALUES NULL
#define TOWNORG__FIELD_NONE -1
#define TOWNORG_ATTR(n, t, f, c, j, zh, en, uzh, uen, vals)                                                   \
	{ #n, TOWNORG_ATTR_##t, TOWNORG__FIELD_##f, c, j, zh, en, uzh, uen, TOWNORG__VALUES_##vals },
#define TOWNORG__VALUES_NONE NULL
#define TOWNORG__VALUES_kinds kinds
#define TOWNORG__VALUES_classes classes
#define TOWNORG__VALUES_funding funding
#define TOWNORG__VALUES_nature nature
#define TOWNORG__VALUES_regime regime
#define TOWNORG__FIELD_POPULATION TOWNORG_FIELD_POPULATION
#define TOWNORG__FIELD_AREA TOWNORG_FIELD_AREA
#define TOWNORG__FIELD_REVENUE_PER_CAPITA TOWNORG_FIELD_REVENUE_PER_CAPITA
#define TOWNORG__FIELD_LEADER_POSTS TOWNORG_FIELD_LEADER_POSTS
#define TOWNORG__FIELD_ACTUAL_STAFF TOWNORG_FIELD_ACTUAL_STAFF
#define TOWNORG__FIELD_CHIEF_POSTS TOWNORG_FIELD_CHIEF_POSTS
#define TOWNORG__FIELD_DEPUTY_POSTS TOWNORG_FIELD_DEPUTY_POSTS
#define TOWNORG__FIELD_ADMIN_QUOTA TOWNORG_FIELD_ADMIN_QUOTA
#define TOWNORG__FIELD_INST_QUOTA TOWNORG_FIELD_INST_QUOTA
static const townorg_attr_info attrs[] = {
#include "core/schema.def"
};
#undef TOWNORG_ATTR
#define N_ATTRS (sizeof attrs / sizeof attrs[0])

size_t townorg_attr_count(void) { return N_ATTRS; }

int townorg_attr_info_at(const townorg_attr_info **out, size_t i)
{
	if (out)
		*out = NULL;
	if (i >= N_ATTRS)
		return townorg__err(TOWNORG_ENOTFOUND, "no attribute %zu (there are %zu)", i, N_ATTRS);
	if (out)
		*out = &attrs[i];
	return 0;
}

int townorg_attr_info_find(const townorg_attr_info **out, const char *name)
{
	if (out)
		*out = NULL;
	for (size_t i = 0; name && i < N_ATTRS; i++)
		if (!strcmp(attrs[i].name, name)) {
			if (out)
				*out = &attrs[i];
			return 0;
		}
	return townorg__err(TOWNORG_ENOTFOUND, "no attribute named '%s' in the schema", name ? name : "(null)");
}

const char *townorg_kind_label(townorg_kind kind, townorg_lang lang)
{
	if ((int)kind < 1 || (int)kind > TOWNORG_KIND_COUNT)
		return NULL;
	return lang == TOWNORG_LANG_ZH ? kinds[kind - 1].label_zh : kinds[kind - 1].label_en;
}

const char *townorg_class_label(townorg_class cls, townorg_lang lang)
{
	if ((int)cls < 1 || (int)cls > 3)
		return NULL;
	return lang == TOWNORG_LANG_ZH ? classes[cls - 1].label_zh : classes[cls - 1].label_en;
}

/* The kind tokens and the field tokens (entity.c) come from the same tables. */
const char *townorg__kind_token_at(int k) { return k >= 1 && k <= TOWNORG_KIND_COUNT ? kinds[k - 1].token : NULL; }
const char *townorg__class_token_at(int c) { return c >= 1 && c <= 3 ? classes[c - 1].token : NULL; }

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lib/xlsx_common.c — the vocabulary of the 台账 workbook (docs/format.md,
 * "Workbooks"): entity sheets by kind group, the entity columns and their
 * Chinese headers, and the Chinese words of kinds, classes, funding,
 * nature, regime and event kinds.  The words are those of docs/glossary.md
 * and of the program's zh_CN messages (po/zh_CN.po, contexts "kind",
 * "class", "event"); the extra words accepted on reading are those the
 * Python bindings accepted in an office's own workbook (KIND_ZH … in
 * bindings/python/townorg/_excel.py).  Shared by writer and reader, built
 * with or without workbook support.
 */
#include <config.h>
#include <string.h>
#ifdef ENABLE_NLS
#include <libintl.h>
#endif
#include "base/internal.h"
#include "io/xlsx_internal.h"
#include "townorg/version.h"

#define K(k) (1u << TOWNORG_KIND_##k)

const townorg__xlsx_group townorg__xlsx_groups[XLSX_GROUP_COUNT] = {
	{ "区划", K(PROVINCE) | K(PREFECTURE) | K(COUNTY) },
	{ "县直部门", K(DEPARTMENT) },
	{ "乡镇", K(TOWN) | K(TOWNSHIP) | K(SUBDISTRICT) | K(TOWNSHIP_LIKE) },
	{ "机构", K(OFFICE) | K(CENTER) | K(STATION) | K(TEAM) | K(LISTED) | K(DISPATCHED) },
	{ "村社区", K(VILLAGE) | K(COMMUNITY) },
};

int townorg__xlsx_group_of(townorg_kind kind)
{
	for (int i = 0; i < XLSX_GROUP_COUNT; i++)
		if (townorg__xlsx_groups[i].kinds & (1u << kind))
			return i;
	return -1;
}

/* The enumerated attributes' words (funding, nature, regime) and the kinds'
 * written words are the schema's (townorg_attr_info_find, townorg_kind_label:
 * lib/core/schema.def); XT_ENUM columns look theirs up by their token. */

const townorg__xlsx_col townorg__xlsx_cols[XC_FIXED_COUNT] = {
	{ XC_ID, "编码", "id", XT_ID, -1, "代码|机构编码|单位编码|区划代码" },
	{ XC_NAME, "名称", "name", XT_TEXT, -1, "机构名称|单位名称" },
	{ XC_KIND, "类型", "kind", XT_KIND, -1, "种类|机构类型|单位类型" },
	{ XC_PARENT, "上级编码", "parent_id", XT_ID, -1, "上级代码|所属编码|上级单位编码" },
	{ XC_CLASS, "类别", "class", XT_CLASS, -1, "规模|乡镇类别" },
	{ XC_POPULATION, "所辖人口", "population", XT_INT, TOWNORG_FIELD_POPULATION, "人口|户籍人口" },
	{ XC_AREA, "区域面积（平方公里）", "area_km2", XT_AREA, TOWNORG_FIELD_AREA, "面积|区域面积" },
	{ XC_REVENUE, "人均财政收入（元）", "revenue_per_capita", XT_INT, TOWNORG_FIELD_REVENUE_PER_CAPITA,
	  "人均财政收入" },
	{ XC_ADMIN, "行政编制", "admin_quota", XT_INT, TOWNORG_FIELD_ADMIN_QUOTA, NULL },
	{ XC_INST, "事业编制", "inst_quota", XT_INT, TOWNORG_FIELD_INST_QUOTA, NULL },
	{ XC_LEADER, "领导职数", "leader_posts", XT_INT, TOWNORG_FIELD_LEADER_POSTS, NULL },
	{ XC_CHIEF, "主任职数", "chief_posts", XT_INT, TOWNORG_FIELD_CHIEF_POSTS, "正职职数" },
	{ XC_DEPUTY, "副主任职数", "deputy_posts", XT_INT, TOWNORG_FIELD_DEPUTY_POSTS, "副职职数" },
	{ XC_STAFF, "实有人数", "actual_staff", XT_INT, TOWNORG_FIELD_ACTUAL_STAFF, "实有人员" },
	{ XC_FUNDING, "经费形式", "funding", XT_ENUM, -1, "经费来源|经费渠道" },
	{ XC_NATURE, "单位性质", "nature", XT_ENUM, -1, "性质" },
	{ XC_RANK, "级别", "rank", XT_TEXT, -1, "机构规格|规格" },
	{ XC_REGIME, "管理体制", "regime", XT_ENUM, -1, "体制" },
	{ XC_SUPERVISOR, "主管部门", "supervisor", XT_ID, -1, "派出部门" },
	{ XC_CODE, "统计代码", "code", XT_ID, -1, "统一社会信用代码" },
	{ XC_NAMEPLATES, "牌子", "nameplates", XT_LIST, -1, "挂牌|加挂牌子" },
	{ XC_FUNCTIONS, "职能", "functions", XT_LIST, -1, "主要职能|职责" },
	{ XC_COLOCATED, "合署办公", "colocated_with", XT_LIST, -1, NULL },
};

/* Written words first, then other accepted words, each with its value. */
static const struct word {
	const char *zh;
	int value;
} kind_words[] = {
	/* accepted on reading, beside the schema's labels (townorg_kind_label) */
	{ "地级市", TOWNORG_KIND_PREFECTURE }, { "市", TOWNORG_KIND_PREFECTURE }, { "区", TOWNORG_KIND_COUNTY },
	{ "县级市", TOWNORG_KIND_COUNTY }, { "部门", TOWNORG_KIND_DEPARTMENT },
	{ "街道办事处", TOWNORG_KIND_SUBDISTRICT }, { "综合性办公室", TOWNORG_KIND_OFFICE },
	{ "事业单位", TOWNORG_KIND_CENTER }, { "站", TOWNORG_KIND_STATION }, { "所", TOWNORG_KIND_STATION },
	{ "综合行政执法队", TOWNORG_KIND_TEAM }, { "派出机构", TOWNORG_KIND_DISPATCHED },
	{ "村", TOWNORG_KIND_VILLAGE }, { NULL, 0 }
}, class_words[] = {
	{ "大", TOWNORG_CLASS_LARGE }, { "中", TOWNORG_CLASS_MEDIUM }, { "小", TOWNORG_CLASS_SMALL },
	{ "大乡镇", TOWNORG_CLASS_LARGE }, { "中乡镇", TOWNORG_CLASS_MEDIUM }, { "小乡镇", TOWNORG_CLASS_SMALL },
	{ NULL, 0 }
}, event_words[] = {
	{ "新设", TOWNORG_EVENT_CREATE }, { "撤销", TOWNORG_EVENT_ABOLISH }, { "撤并", TOWNORG_EVENT_MERGE },
	{ "拆分", TOWNORG_EVENT_SPLIT }, { "整合", TOWNORG_EVENT_REORGANIZE }, { "名称变更", TOWNORG_EVENT_RENAME },
	{ "撤乡设镇", TOWNORG_EVENT_RECLASSIFY }, { "隶属关系变更", TOWNORG_EVENT_MOVE },
	{ "职能划转", TOWNORG_EVENT_TRANSFER_FUNCTIONS }, { "人员分流", TOWNORG_EVENT_TRANSFER_STAFF },
	{ "档案移交", TOWNORG_EVENT_TRANSFER_ARCHIVES },
	{ "新建", TOWNORG_EVENT_CREATE }, { "合并", TOWNORG_EVENT_MERGE }, { "更名", TOWNORG_EVENT_RENAME },
	{ "撤镇设街道", TOWNORG_EVENT_RECLASSIFY }, { "类别变更", TOWNORG_EVENT_RECLASSIFY },
	{ "隶属变更", TOWNORG_EVENT_MOVE }, { "重组", TOWNORG_EVENT_REORGANIZE }, { NULL, 0 }
};

static const char *word_of(const struct word *w, int value)
{
	for (; w->zh; w++)
		if (w->value == value)
			return w->zh;
	return NULL;
}

static int word_parse(const struct word *w, const char *s)
{
	for (; w->zh; w++)
		if (strcmp(w->zh, s) == 0)
			return w->value;
	return -1;
}

const char *townorg__xlsx_kind_zh(townorg_kind kind)
{
	const char *zh = townorg_kind_label(kind, TOWNORG_LANG_ZH);
	return zh ? zh : "";
}

const char *townorg__xlsx_class_zh(townorg_class cls)
{
	const char *zh = word_of(class_words, (int)cls);
	return zh ? zh : "";
}

const char *townorg__xlsx_event_zh(int kind)
{
	const char *zh = word_of(event_words, kind);
	return zh ? zh : "";
}

int townorg__xlsx_kind_parse(townorg_kind *out, const char *s)
{
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++)
		if (strcmp(townorg_kind_label((townorg_kind)k, TOWNORG_LANG_ZH), s) == 0) {
			*out = (townorg_kind)k;
			return 0;
		}
	int v = word_parse(kind_words, s);
	if (v > 0) {
		*out = (townorg_kind)v;
		return 0;
	}
	for (int k = 1; k <= TOWNORG_KIND_COUNT; k++)
		if (strcmp(townorg_kind_token((townorg_kind)k), s) == 0) {
			*out = (townorg_kind)k;
			return 0;
		}
	return -1;
}

int townorg__xlsx_class_parse(townorg_class *out, const char *s)
{
	int v = word_parse(class_words, s);
	if (v > 0) {
		*out = (townorg_class)v;
		return 0;
	}
	for (int c = TOWNORG_CLASS_LARGE; c <= TOWNORG_CLASS_SMALL; c++)
		if (strcmp(townorg_class_token((townorg_class)c), s) == 0) {
			*out = (townorg_class)c;
			return 0;
		}
	return -1;
}

int townorg__xlsx_event_parse(int *out, const char *s)
{
	int v = word_parse(event_words, s);
	if (v > 0) {
		*out = v;
		return 0;
	}
	for (int k = TOWNORG_EVENT_CREATE; k <= TOWNORG_EVENT_TRANSFER_ARCHIVES; k++)
		if (strcmp(townorg_event_kind_token((townorg_event_kind)k), s) == 0) {
			*out = k;
			return 0;
		}
	return -1;
}

/* The schema's values of an enumerated column (NULL if it has none). */
static const townorg_attr_value *enum_values(const townorg__xlsx_col *c)
{
	const townorg_attr_info *a;
	if (townorg_attr_info_find(&a, c->token) < 0) {
		townorg_error_clear();
		return NULL;
	}
	return a->values;
}

const char *townorg__xlsx_enum_zh(const townorg__xlsx_col *c, const char *token)
{
	for (const townorg_attr_value *w = enum_values(c); w && w->token; w++)
		if (strcmp(w->token, token) == 0)
			return w->label_zh;
	return token;
}

const char *townorg__xlsx_enum_token(const townorg__xlsx_col *c, const char *s)
{
	for (const townorg_attr_value *w = enum_values(c); w && w->token; w++)
		if (strcmp(w->token, s) == 0 || strcmp(w->label_zh, s) == 0)
			return w->token;
	return NULL;
}

const char *townorg__xlsx_field_zh(const char *token)
{
	static const struct {
		const char *token, *zh;
	} extra[] = { { "parent_id", "上级编码" }, { "kind", "类型" }, { "class", "类别" }, { "name", "名称" } };
	for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
		if (strcmp(extra[i].token, token) == 0)
			return extra[i].zh;
	for (int i = 0; i < XC_FIXED_COUNT; i++)
		if (strcmp(townorg__xlsx_cols[i].token, token) == 0)
			return townorg__xlsx_cols[i].header;
	/* diff fields of other quota types: "quota.<type>" */
	return token;
}

size_t townorg__xlsx_display_width(const char *s)
{
	size_t best = 0, w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p == '\n') {
			if (w > best)
				best = w;
			w = 0;
			p++;
			continue;
		}
		if (*p < 0x80) {
			w += 1;
			p++;
		} else {
			/* lead byte of a multi-byte sequence: CJK and full-width
			 * forms (3 or 4 bytes) take two columns */
			int n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
			w += n >= 3 ? 2 : 1;
			while (n-- && *p)
				p++;
		}
	}
	return w > best ? w : best;
}

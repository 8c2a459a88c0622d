/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lib/xlsx_internal.h — what the workbook writer (xlsx_write.c), reader
 * (xlsx_read.c) and importer (xlsx_import.c) share: the sheet names, the
 * entity columns with their Chinese headers, and the Chinese words for the
 * tokens (kinds, classes, funding, nature, regime, event kinds, severities).
 *
 * One table (townorg__xlsx_cols, in xlsx_common.c) says for
 * every fixed column its header, its token (the field or attribute name of
 * the JSON/CSV formats), its type and the other headers an office's own
 * workbook may use for it.  The writer writes the first header; the reader
 * accepts any of them, and the token.  Columns the table lacks are made up
 * per workbook: "编制：<type>" for another quota type, "属性：<name>" for a
 * free text attribute, "列表：<name>" for a free list attribute.
 */
#ifndef TOWNORG_XLSX_INTERNAL_H
#define TOWNORG_XLSX_INTERNAL_H

#include "townorg/xlsx.h"
#include "townorg/entity.h"

/* Sheet names of the 台账 layout (docs/format.md, "Workbooks"). */
#define XLSX_SHEET_INFO "说明"
#define XLSX_SHEET_EVENTS "事件"
#define XLSX_SHEET_CHANGES "变更表"
#define XLSX_SHEET_RATES "精简率"
#define XLSX_SHEET_FINDINGS "核查结果"

/* Entity sheets: a sheet per kind group. */
typedef struct {
	const char *sheet;
	unsigned int kinds; /* bit (1u << kind) */
} townorg__xlsx_group;
#define XLSX_GROUP_COUNT 5
extern const townorg__xlsx_group townorg__xlsx_groups[XLSX_GROUP_COUNT];
/* Index of the group a kind belongs to. */
int townorg__xlsx_group_of(townorg_kind kind);

typedef enum {
	XC_ID, XC_NAME, XC_KIND, XC_PARENT, XC_CLASS,
	XC_POPULATION, XC_AREA, XC_REVENUE,
	XC_ADMIN, XC_INST, XC_LEADER, XC_CHIEF, XC_DEPUTY, XC_STAFF,
	XC_FUNDING, XC_NATURE, XC_RANK, XC_REGIME, XC_SUPERVISOR, XC_CODE,
	XC_NAMEPLATES, XC_FUNCTIONS, XC_COLOCATED,
	XC_FIXED_COUNT,
	/* made-up columns */
	XC_QUOTA = 100, /* 编制：<type> */
	XC_TEXT,        /* 属性：<name> */
	XC_LIST,        /* 列表：<name> */
	XC_UNKNOWN
} townorg__xlsx_col_id;

typedef enum {
	XT_ID,    /* an id: text, a number cell is read back as its integer text */
	XT_TEXT,  /* free text */
	XT_KIND,  /* a kind: Chinese word or token */
	XT_CLASS, /* a class: 大/中/小 or token */
	XT_INT,   /* a non-negative integer */
	XT_AREA,  /* km² with at most one decimal */
	XT_ENUM,  /* a text attribute with Chinese words for its tokens */
	XT_LIST   /* a list attribute: one value a line */
} townorg__xlsx_type;

typedef struct {
	townorg__xlsx_col_id id;
	const char *header;        /* written */
	const char *token;         /* field or attribute name ("admin_quota", "funding") */
	townorg__xlsx_type type;
	int field;                 /* townorg_field for XT_INT/XT_AREA, else -1 */
	const char *aliases;       /* other accepted headers, '|'-separated, or NULL */
} townorg__xlsx_col;

extern const townorg__xlsx_col townorg__xlsx_cols[XC_FIXED_COUNT];

/* Chinese word of a kind, class or event kind token (never NULL for a
 * valid value). */
const char *townorg__xlsx_kind_zh(townorg_kind kind);
const char *townorg__xlsx_class_zh(townorg_class cls);
const char *townorg__xlsx_event_zh(int event_kind);
/* Parse a kind / class / event kind from its Chinese word, another common
 * Chinese name (县级市, 街道办事处 …) or its token.  0 or -1. */
int townorg__xlsx_kind_parse(townorg_kind *out, const char *s);
int townorg__xlsx_class_parse(townorg_class *out, const char *s);
int townorg__xlsx_event_parse(int *out, const char *s);
/* An enum attribute's Chinese word for a token (the token itself when
 * unknown), and back (NULL when s is neither a word nor a token). */
const char *townorg__xlsx_enum_zh(const townorg__xlsx_col *c, const char *token);
const char *townorg__xlsx_enum_token(const townorg__xlsx_col *c, const char *s);
/* Chinese label of a diff field token ("admin_quota" → "行政编制"), or
 * the token. */
const char *townorg__xlsx_field_zh(const char *token);

/* Display width of UTF-8 text in a spreadsheet (CJK counts 2), of its
 * longest line. */
size_t townorg__xlsx_display_width(const char *s);

/* The name a book was opened under (its path), for messages. */
const char *townorg__xlsx_book_name(const townorg_xlsx_book *book);

/* Messages are translated with the library's _() (base/i18n.c). */

#endif

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * townorg/chart.h — org charts of a unit (a township, a county), drawn
 * in-process with Graphviz's library (cgraph + gvc) as SVG or PNG.
 *
 * This header belongs to libtownorg-chart, a small separate library built
 * only where Graphviz is found (configure --with-graphviz).  Graphviz is
 * EPL-1.0, so it never enters the core library libtownorg: a program that
 * wants charts links both (pkg-config townorg-chart).  The functions here use
 * only libtownorg's public API to read the version.
 *
 * The chart of a unit: the unit at the top (name, class, quota pool, leader
 * posts, nameplates), and below it its children in labelled groups, each
 * laid out in rows of a few boxes so that the chart fits a page:
 *  - a township-level unit: its organs as boxes in three groups — offices;
 *    institutions, stations, teams and listed organs; dispatched agencies —
 *    each box with the organ's quota, leader posts and nameplates once each;
 *  - a county (or any unit with township-level children): one box per
 *    township listing its organs with their quotas, and the township's
 *    class, quota pool and leader posts;
 *  - villages and communities are summed up in one box, county departments
 *    listed in one box.
 * Labels are Chinese (or English) and set in "Noto Sans CJK SC" (Debian
 * fonts-noto-cjk) unless the options name another font.
 *
 * SVG is returned without an XML declaration, DOCTYPE or comments before
 * the <svg> element, so that it can be inlined into HTML and shown by
 * Jupyter as it is.
 *
 * Errors: the functions return 0 or a negative TOWNORG_E* code; the message
 * is townorg_chart_error_last() (which also carries libtownorg's message
 * when reading the version failed).  Graphviz is not thread-safe: calls
 * into it are serialised by a lock inside this library.
 */
#ifndef TOWNORG_CHART_H
#define TOWNORG_CHART_H

#include "common.h"
#include "version.h"
#include "diff.h"

#if defined(__GNUC__) && __GNUC__ >= 4
#define TOWNORG_CHART_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define TOWNORG_CHART_EXTERN(type) extern type
#endif

TOWNORG_BEGIN_DECLS

/** Output formats of townorg_chart_render. */
typedef enum {
	TOWNORG_CHART_SVG = 1, /**< SVG text (UTF-8), starting with "<svg" */
	TOWNORG_CHART_PNG = 2, /**< PNG image (cairo renderer) */
	TOWNORG_CHART_DOT = 3  /**< the Graphviz DOT source, not laid out */
} townorg_chart_format;

#define TOWNORG_CHART_OPTIONS_VERSION 1
/** Options of a chart; zero members take the defaults. */
typedef struct {
	unsigned int version;   /**< TOWNORG_CHART_OPTIONS_VERSION */
	unsigned int per_row;   /**< boxes per row (default 4; 1–12) */
	townorg_lang lang;      /**< language of the labels (default TOWNORG_LANG_ZH: set it) */
	const char *fontname;   /**< font family (default "Noto Sans CJK SC") */
	unsigned int dpi;       /**< PNG resolution (default 96; 36–600) */
	const char *id_prefix;  /**< prefix of the SVG element ids (default "chart"): charts inlined into one
	                             HTML page need different prefixes */
} townorg_chart_options;
#define TOWNORG_CHART_OPTIONS_INIT { TOWNORG_CHART_OPTIONS_VERSION, 0, TOWNORG_LANG_ZH, NULL, 0, NULL }

/** Most boxes one chart draws (children of the unit, and organs listed in
 *  township boxes); a larger unit is refused with TOWNORG_EINVALID. */
#define TOWNORG_CHART_MAX_BOXES 2000

/**
 * The org chart of entity `unit` of version `v`, in `format`.  opts may be
 * NULL (defaults, Chinese).  *out is owned (free with townorg_chart_free) and
 * holds *len bytes, followed by a NUL that is not counted (so SVG and DOT
 * are C strings).  Errors: TOWNORG_ENOTFOUND (no such entity),
 * TOWNORG_EINVALID (bad options, a unit with too many boxes),
 * TOWNORG_ERROR (Graphviz failed; its message is kept), TOWNORG_ENOMEM.
 */
TOWNORG_CHART_EXTERN(int) townorg_chart_render(unsigned char **out, size_t *len, const townorg_version *v,
	const char *unit, townorg_chart_format format, const townorg_chart_options *opts);

/**
 * Lay out and render any Graphviz DOT text (for example the lineage graph
 * of townorg_lineage_to_dot) as SVG or PNG.  *out as for
 * townorg_chart_render.  A DOT syntax error gives TOWNORG_EPARSE with
 * Graphviz's message.
 */
TOWNORG_CHART_EXTERN(int) townorg_chart_render_dot(unsigned char **out, size_t *len, const char *dot,
	townorg_chart_format format);

/** Free what townorg_chart_render or townorg_chart_render_dot returned.
 *  NULL is harmless. */
TOWNORG_CHART_EXTERN(void) townorg_chart_free(void *ptr);

/** The message of the last failed call of this library on the calling
 *  thread, or NULL. */
TOWNORG_CHART_EXTERN(const char *) townorg_chart_error_last(void);

/** The version of the Graphviz library in use, e.g. "2.43.0". */
TOWNORG_CHART_EXTERN(const char *) townorg_chart_graphviz_version(void);

TOWNORG_END_DECLS

#endif /* TOWNORG_CHART_H */

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pyto_chart.i — org charts for Python (issue 21), included by townorg.i.
 *
 * Version.org_chart() draws with libtownorg-chart (Graphviz's library,
 * in-process; no `dot` program).  The module is built with it where
 * configure found Graphviz (-DTOWNORG_WITH_CHART, linked to
 * libtownorg-chart); without it the same functions exist and
 * pyto_chart_available() is False, and drawing raises.  The generated wrapper
 * is therefore the same either way.
 */
%{
#ifdef TOWNORG_WITH_CHART
#include "townorg/chart.h"
#endif

/* True when charts can be drawn (the module links libtownorg-chart).
 * (A PyObject: every int the module returns is read as an error code.) */
static PyObject *pyto_chart_available(void)
{
#ifdef TOWNORG_WITH_CHART
	Py_RETURN_TRUE;
#else
	Py_RETURN_FALSE;
#endif
}

#ifdef TOWNORG_WITH_CHART
static PyObject *pyto_chart_result(int rc, unsigned char *out, size_t len, int format)
{
	PyObject *r;
	if (rc < 0)
		return pyto_raise_msg(rc, townorg_chart_error_last());
	r = format == 2 ? PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)len)
			: PyUnicode_DecodeUTF8((const char *)out, (Py_ssize_t)len, "strict");
	townorg_chart_free(out);
	return r;
}
#endif

/* The org chart of a unit: format 1 SVG (str), 2 PNG (bytes), 3 DOT (str);
 * lang 0 English, 1 Chinese. */
static PyObject *pyto_chart(const townorg_version *v, const char *unit, int format, int lang, unsigned int per_row)
{
	PYTO_NEED(v, "version");
	PYTO_NEED(unit, "unit");
#ifdef TOWNORG_WITH_CHART
	{
		townorg_chart_options o = TOWNORG_CHART_OPTIONS_INIT;
		unsigned char *out = NULL;
		size_t len = 0;
		int rc;
		o.lang = lang ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN;
		o.per_row = per_row;
		Py_BEGIN_ALLOW_THREADS
		rc = townorg_chart_render(&out, &len, v, unit, (townorg_chart_format)format, &o);
		Py_END_ALLOW_THREADS
		return pyto_chart_result(rc, out, len, format);
	}
#else
	(void)format, (void)lang, (void)per_row;
	return pyto_raise_msg(TOWNORG_ERROR, "this townorg was built without Graphviz (configure --with-graphviz): no charts");
#endif
}

/* Any DOT text laid out and drawn: format 1 SVG (str), 2 PNG (bytes). */
static PyObject *pyto_chart_dot(const char *dot, int format)
{
	PYTO_NEED(dot, "dot");
#ifdef TOWNORG_WITH_CHART
	{
		unsigned char *out = NULL;
		size_t len = 0;
		int rc;
		Py_BEGIN_ALLOW_THREADS
		rc = townorg_chart_render_dot(&out, &len, dot, (townorg_chart_format)format);
		Py_END_ALLOW_THREADS
		return pyto_chart_result(rc, out, len, format);
	}
#else
	(void)format;
	return pyto_raise_msg(TOWNORG_ERROR, "this townorg was built without Graphviz (configure --with-graphviz): no charts");
#endif
}
%}

PyObject *pyto_chart_available(void);
PyObject *pyto_chart(const townorg_version *v, const char *unit, int format, int lang, unsigned int per_row);
PyObject *pyto_chart_dot(const char *dot, int format);

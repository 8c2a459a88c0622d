/*
 * townorg.i — the SWIG interface of libtownorg for Python.
 *
 * This builds the extension module `_townorg_c`, an implementation detail of
 * the pure-Python `townorg` package (bindings/python/townorg), which is what
 * users import.  It follows the habits of the Xapian, libsolv and GDAL
 * bindings:
 *  - every `int` a libtownorg function returns is checked: a negative code
 *    raises the exception class the package registered for that code (see
 *    pyto_set_exceptions), carrying townorg_error_last()'s message; success
 *    returns None, or the out-parameters;
 *  - out-parameters (`**out`, `*out`, owned `char **out`) become return
 *    values; owned strings are converted and freed at once;
 *  - strings are strict UTF-8 both ways (str only; an embedded NUL or a lone
 *    surrogate is refused instead of being truncated or mangled);
 *  - no pointer is ever owned by SWIG: the Python classes decide lifetimes
 *    (children keep their parents alive, closed objects raise);
 *  - the C helpers at the end (pyto_*) convert structures to Python data in
 *    one pass — to_frame() columns are filled here, not one Python call per
 *    entity — and carry Python callables into the C callback API of custom
 *    validation rules.
 */
%module _townorg_c

%{
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>
#include "townorg.h"
%}

%include <stdint.i>

%{
/* The package's exception classes, by error code (a dict), and the base. */
static PyObject *pyto_exc_map = NULL;
static PyObject *pyto_exc_base = NULL;

static PyObject *pyto_exc_class(int code)
{
	PyObject *cls = NULL;
	if (pyto_exc_map) {
		PyObject *key = PyLong_FromLong(code);
		if (key) {
			cls = PyDict_GetItem(pyto_exc_map, key); /* borrowed */
			Py_DECREF(key);
		}
	}
	if (!cls)
		cls = pyto_exc_base ? pyto_exc_base : PyExc_RuntimeError;
	return cls;
}

/* Raise the exception for a libtownorg error code with its message.
 * Returns NULL so helpers can `return pyto_raise(rc);`. */
static PyObject *pyto_raise_msg(int code, const char *msg)
{
	PyObject *cls = pyto_exc_class(code);
	PyObject *exc;
	if (!msg || !*msg)
		msg = townorg_error_name(code);
	if (cls == PyExc_RuntimeError) {
		PyErr_SetString(cls, msg);
		return NULL;
	}
	exc = PyObject_CallFunction(cls, "si", msg, code);
	if (exc) {
		PyErr_SetObject(cls, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

static PyObject *pyto_raise(int code)
{
	return pyto_raise_msg(code, townorg_error_last());
}

/* Strict UTF-8 text out; NULL is None. */
static PyObject *pyto_str(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "strict");
}

/* Strict UTF-8 text in: str only, no embedded NUL.  None gives NULL when
 * allow_none.  Returns 0, or -1 with an exception set.  The bytes are
 * borrowed from the str object. */
static int pyto_cstr(PyObject *o, const char **out, int allow_none, const char *what)
{
	Py_ssize_t n = 0;
	const char *s;
	if (o == Py_None && allow_none) {
		*out = NULL;
		return 0;
	}
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be str%s, not %.80s", what, allow_none ? " or None" : "",
			Py_TYPE(o)->tp_name);
		return -1;
	}
	s = PyUnicode_AsUTF8AndSize(o, &n);
	if (!s) {
		if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
			PyErr_Clear();
			pyto_raise_msg(TOWNORG_EENCODING, "string is not valid Unicode text (lone surrogate)");
		}
		return -1;
	}
	if ((size_t)n != strlen(s)) {
		PyErr_Format(PyExc_ValueError, "%s contains a NUL character", what);
		return -1;
	}
	*out = s;
	return 0;
}

/* A list of str (or None: NULL array) as a C array, freed with PyMem_Free. */
static int pyto_strlist(PyObject *o, const char ***out, size_t *count, const char *what)
{
	PyObject *seq;
	Py_ssize_t i, n;
	*out = NULL;
	*count = 0;
	if (o == Py_None)
		return 0;
	if (PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a list of str, not a str", what);
		return -1;
	}
	seq = PySequence_Fast(o, "expected a sequence of str");
	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	*out = PyMem_Calloc((size_t)n + 1, sizeof(char *));
	if (!*out) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (pyto_cstr(PySequence_Fast_GET_ITEM(seq, i), &(*out)[i], 0, what) < 0) {
			PyMem_Free((void *)*out);
			*out = NULL;
			Py_DECREF(seq);
			return -1;
		}
	}
	*count = (size_t)n;
	/* The strings are borrowed from items the caller's object keeps. */
	Py_DECREF(seq);
	return 0;
}
%}

/* ------------------------------------------------------------ typemaps */

/* Every call starts with a clean error state, so a message is never stale. */
%exception {
	townorg_error_clear();
	$action
}

/* Error codes: negative raises, success is None (out-parameters replace it). */
%typemap(out) int {
	if ($1 < 0) {
		pyto_raise($1);
		SWIG_fail;
	}
	$result = Py_None;
	Py_INCREF(Py_None);
}

/* Functions whose int is an answer, not a status. */
%typemap(out) int townorg_kind_is_township_level, int townorg_kind_is_organ, int townorg_entity_equal,
	int townorg_version_is_ancestor, int townorg_repo_is_readonly, int townorg_validation_conforms,
	int townorg_verify_report_ok {
	$result = PyBool_FromLong($1);
}
%typemap(out) int townorg_error_last_code {
	$result = PyLong_FromLong($1);
}

/* Strings in: strict UTF-8, None is NULL. */
%typemap(in) const char * {
	if (pyto_cstr($input, (const char **)&$1, 1, "argument $argnum") < 0)
		SWIG_fail;
}
%typemap(freearg) const char * ""
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const char * {
	$1 = ($input == Py_None || PyUnicode_Check($input)) ? 1 : 0;
}
/* Strings out: strict UTF-8, NULL is None. */
%typemap(out) const char * {
	$result = pyto_str($1);
	if (!$result)
		SWIG_fail;
}

/* A (data, len) pair from one str. */
%typemap(in) (const char *data, size_t len), (const char *json, size_t len) {
	const char *s_;
	if (pyto_cstr($input, &s_, 0, "data") < 0)
		SWIG_fail;
	$1 = (char *)s_;
	$2 = strlen(s_);
}

/* Owned handles and borrowed pointers returned through `out`. */
%define PYTO_OUT_PTR(TYPE, NAME)
%typemap(in, numinputs=0) TYPE **NAME ($*1_ltype tmp = NULL) {
	$1 = &tmp;
}
%typemap(argout) TYPE **NAME {
	$result = SWIG_Python_AppendOutput($result, SWIG_NewPointerObj((void *)tmp$argnum, $*1_descriptor, 0));
}
%enddef
PYTO_OUT_PTR(townorg_repo, out)
PYTO_OUT_PTR(townorg_txn, out)
PYTO_OUT_PTR(townorg_entity_builder, out)
PYTO_OUT_PTR(townorg_entity, out)
PYTO_OUT_PTR(const townorg_entity, out)
PYTO_OUT_PTR(townorg_version, out)
PYTO_OUT_PTR(const townorg_version, out)
PYTO_OUT_PTR(townorg_iterator, out)
PYTO_OUT_PTR(townorg_policy, out)
PYTO_OUT_PTR(townorg_validation, out)
PYTO_OUT_PTR(townorg_diff, out)
PYTO_OUT_PTR(townorg_merge_result, out)

/* Owned strings returned through `char **out`: converted, then freed. */
%typemap(in, numinputs=0) char **out (char *tmp = NULL) {
	$1 = &tmp;
}
%typemap(argout) char **out {
	PyObject *s_ = pyto_str(tmp$argnum);
	townorg_free(tmp$argnum);
	tmp$argnum = NULL;
	if (!s_)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, s_);
}
%typemap(freearg) char **out {
	townorg_free(tmp$argnum);
}
%typemap(in, numinputs=0) size_t *len (size_t tmp = 0) {
	$1 = &tmp;
}

/* Numbers and enums returned through pointers. */
%define PYTO_OUT_INT(TYPE, NAME)
%typemap(in, numinputs=0) TYPE *NAME (TYPE tmp) {
	memset(&tmp, 0, sizeof tmp);
	$1 = &tmp;
}
%typemap(argout) TYPE *NAME {
	$result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)tmp$argnum));
}
%enddef
PYTO_OUT_INT(int64_t, out)
PYTO_OUT_INT(int64_t, tenths)
PYTO_OUT_INT(townorg_kind, out)
PYTO_OUT_INT(townorg_class, out)
PYTO_OUT_INT(townorg_field, out)
PYTO_OUT_INT(townorg_event_kind, out)
PYTO_OUT_INT(townorg_severity, out)
PYTO_OUT_INT(size_t, new_versions)

/* ------------------------------------------------------------ the headers */

/* Structures are read through the pyto_* helpers below, which give Python
 * data; their raw SWIG wrappers would only invite dangling pointers. */
%immutable;
%ignore townorg_allocator;
%ignore townorg_set_allocator;
%ignore townorg_library_version_numbers;
%ignore townorg_free;
%ignore townorg_event;
%ignore townorg_meta;
%ignore townorg_finding;
%ignore townorg_rule_def;
%ignore townorg_diff_field;
%ignore townorg_diff_delta;
%ignore townorg_diff_options;
%ignore townorg_diff_event;
%ignore townorg_reduction;
%ignore townorg_diff_quota;
%ignore townorg_diff_totals;
%ignore townorg_blame_entry;
%ignore townorg_history_entry;
%ignore townorg_lineage_node;
%ignore townorg_lineage_edge;
%ignore townorg_json_options;
%ignore townorg_tables_import_options;
%ignore townorg_tables_export_options;
%ignore townorg_nbs_import_options;
%ignore townorg_realdata_progress;
%ignore townorg_realdata_edition;
%ignore townorg_realdata_unmatched;
/* Replaced by helpers (arrays, structures, callbacks, buffers). */
%ignore townorg_entity_int;
%ignore townorg_entity_quota;
%ignore townorg_entity_quota_at;
%ignore townorg_entity_list;
%ignore townorg_entity_attr_at;
%ignore townorg_entity_hash;
%ignore townorg_area_format;
%ignore townorg_version_meta;
%ignore townorg_version_event;
%ignore townorg_version_children;
%ignore townorg_iterator_next;
%ignore townorg_repo_tag_name;
%ignore townorg_txn_add_event;
%ignore townorg_txn_set_meta;
%ignore townorg_diff_versions;
%ignore townorg_diff_delta_at;
%ignore townorg_diff_delta_by_id;
%ignore townorg_diff_foreach;
%ignore townorg_diff_event_at;
%ignore townorg_diff_totals_all;
%ignore townorg_diff_totals_at;
%ignore townorg_diff_totals_by_id;
%ignore townorg_diff_dates;
%ignore townorg_reduction_format;
%ignore townorg_blame_entity;
%ignore townorg_blame_at;
%ignore townorg_blame_field;
%ignore townorg_history_entity;
%ignore townorg_history_at;
%ignore townorg_lineage_of;
%ignore townorg_lineage_node_at;
%ignore townorg_lineage_edge_at;
%ignore townorg_rule_builtin_at;
%ignore townorg_policy_register_rule;
%ignore townorg_rule_param_int;
%ignore townorg_rule_param_bool;
%ignore townorg_rule_param_string;
%ignore townorg_rule_report;
%ignore townorg_validation_at;
%ignore townorg_json_import_snapshot;
%ignore townorg_json_import_snapshot_file;
%ignore townorg_tables_import;
%ignore townorg_tables_export;
%ignore townorg_tables_report_version;
%ignore townorg_nbs_import;
%ignore townorg_realdata_report_edition;
%ignore townorg_realdata_report_unmatched;
%ignore townorg_repo_verify;
%ignore townorg_verify_report_problem;
%ignore townorg_verify_report_counts;
%ignore townorg_mca_reason_kind;
/* Workbooks (issue 21): replaced by pyto_xlsx_* below. */
%ignore townorg_xlsx_available;
%ignore townorg_xlsx_export_options;
%ignore townorg_xlsx_import_options;
%ignore townorg_export_xlsx;
%ignore townorg_import_xlsx;
%ignore townorg_import_xlsx_book;
%ignore townorg_xlsx_open;
%ignore townorg_xlsx_open_memory;
%ignore townorg_xlsx_cell_at;
%ignore townorg_xlsx_cell_name;
%ignore townorg_xlsx_report_note;
/* merge.h: read through pyto_merge.i's helpers. */
%ignore townorg_merge_conflict;
%ignore townorg_merge_options;
%ignore townorg_patch_options;
%ignore townorg_merge;
%ignore townorg_merge_result_status;
%ignore townorg_merge_result_is_fast_forward;
%ignore townorg_merge_result_base;
%ignore townorg_merge_result_target;
%ignore townorg_merge_result_conflict_at;
%ignore townorg_merge_result_commit;
%ignore townorg_patch_apply;

#define TOWNORG_EXTERN(type) extern type
#define TOWNORG_BEGIN_DECLS
#define TOWNORG_END_DECLS
%include "townorg/common.h"
%include "pyto_schema.i"
%include "townorg/entity.h"
%include "townorg/version.h"
%include "townorg/repository.h"
%include "townorg/transaction.h"
%include "townorg/validate.h"
%include "townorg/store.h"
%include "townorg/json.h"
%include "townorg/diff.h"
%include "townorg/history.h"
%include "townorg/tables.h"
%include "townorg/realdata.h"
%include "townorg/xlsx.h"
%include "townorg/merge.h"

%mutable;

/* ------------------------------------------------------------ helpers */

%include "pyto_helpers.i"
/* org charts (libtownorg-chart, where built) */
%include "pyto_chart.i"
%include "pyto_merge.i"

/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pyto_merge.i — merge.h (three-way merge, merge base, patch) for the SWIG
 * module, and the columns of Repository.log() (included by townorg.i).
 *
 * Design: a merge result is an opaque pointer the Python class Merge owns
 * (freed before its repository, like a diff).  Its conflicts and status are
 * read in one call (pyto_merge_info) as Python data; the borrowed
 * transaction, the preview and the commit go through the plain SWIG
 * wrappers or the small helpers below (commit takes the metadata as a dict,
 * patch takes its flags as an int).  Nothing here keeps a pointer: the
 * Python side decides lifetimes.
 */

%{
static const char *pyto_merge_status_token(townorg_merge_status s)
{
	switch (s) {
	case TOWNORG_MERGE_UP_TO_DATE: return "up_to_date";
	case TOWNORG_MERGE_FAST_FORWARD: return "fast_forward";
	case TOWNORG_MERGE_CLEAN: return "clean";
	case TOWNORG_MERGE_CONFLICTS: return "conflicts";
	}
	return "unknown";
}

static const char *pyto_merge_side_token(townorg_merge_side s)
{
	switch (s) {
	case TOWNORG_MERGE_SIDE_UNCHANGED: return "unchanged";
	case TOWNORG_MERGE_SIDE_ADDED: return "added";
	case TOWNORG_MERGE_SIDE_REMOVED: return "removed";
	case TOWNORG_MERGE_SIDE_CHANGED: return "changed";
	}
	return "unknown";
}
%}

%inline %{
/* Merge theirs into ours (ours may be None: an empty branch). */
PyObject *pyto_merge(townorg_repo *repo, const townorg_version *ours, const townorg_version *theirs)
{
	townorg_merge_result *res = NULL;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(theirs, "theirs");
	if ((rc = townorg_merge(&res, repo, ours, theirs, NULL)) < 0)
		return pyto_raise(rc);
	return pyto_ptr(res, SWIGTYPE_p_townorg_merge_result);
}

/* Everything about a merge result but its transaction: a dict with status,
 * fast_forward, base, target (version pointers or None), applied and the
 * conflicts (dicts id, kind, field, type, base, ours, theirs, ours_did,
 * theirs_did). */
PyObject *pyto_merge_info(const townorg_merge_result *res)
{
	static const char *const types[] = { "text", "int", "area", "list" };
	PyObject *d, *l;
	size_t i, n;
	PYTO_NEED(res, "merge result");
	n = townorg_merge_result_conflict_count(res);
	l = PyList_New((Py_ssize_t)n);
	if (!l)
		return NULL;
	for (i = 0; i < n; i++) {
		const townorg_merge_conflict *c = townorg_merge_result_conflict_at(res, i);
		PyObject *o = Py_BuildValue("{s:N,s:N,s:N,s:s,s:N,s:N,s:N,s:s,s:s}", "id", pyto_str(c->id), "kind",
			pyto_str(townorg_kind_token(c->kind)), "field", pyto_str(c->field), "type",
			(unsigned)c->type < 4 ? types[c->type] : "text", "base", pyto_str(c->base_value), "ours",
			pyto_str(c->ours_value), "theirs", pyto_str(c->theirs_value), "ours_did",
			pyto_merge_side_token(c->ours), "theirs_did", pyto_merge_side_token(c->theirs));
		if (!o) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, o);
	}
	d = Py_BuildValue("{s:s,s:O,s:N,s:N,s:n,s:N}", "status",
		pyto_merge_status_token(townorg_merge_result_status(res)), "fast_forward",
		townorg_merge_result_is_fast_forward(res) ? Py_True : Py_False, "base",
		pyto_ptr(townorg_merge_result_base(res), SWIGTYPE_p_townorg_version), "target",
		pyto_ptr(townorg_merge_result_target(res), SWIGTYPE_p_townorg_version), "applied",
		(Py_ssize_t)townorg_merge_result_applied(res), "conflicts", l);
	return d;
}

/* Commit a merge result with metadata (a dict or None), moving branch
 * (None: no branch).  Returns the resulting version. */
PyObject *pyto_merge_commit(townorg_merge_result *res, PyObject *meta, const char *branch)
{
	townorg_meta m;
	const townorg_version *out = NULL;
	int rc;
	PYTO_NEED(res, "merge result");
	if (pyto_meta_from(meta, &m) < 0)
		return NULL;
	if ((rc = townorg_merge_result_commit(&out, res, meta == Py_None ? NULL : &m, branch)) < 0)
		return pyto_raise(rc);
	return pyto_ptr(out, SWIGTYPE_p_townorg_version);
}

/* Apply a diff to a transaction; events: also record the diff's events. */
PyObject *pyto_patch_apply(townorg_txn *txn, const townorg_diff *diff, int events)
{
	townorg_patch_options o = TOWNORG_PATCH_OPTIONS_INIT;
	int rc;
	PYTO_NEED(txn, "transaction");
	PYTO_NEED(diff, "diff");
	o.flags = events ? TOWNORG_PATCH_EVENTS : 0;
	if ((rc = townorg_patch_apply(txn, diff, &o)) < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* The rows of Repository.log() as columns: the versions given (a list of
 * version pointers), with id, date (effective), document (doc_number),
 * message, author, parents (list of ids). */
PyObject *pyto_log_columns(PyObject *versions)
{
	static const char *const names[] = { "id", "date", "document", "message", "author", "parents" };
	enum { NC = 6 };
	PyObject *seq, *col[NC] = { NULL }, *cols = NULL;
	Py_ssize_t i, n;
	size_t j;
	seq = PySequence_Fast(versions, "versions must be a sequence");
	if (!seq)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	for (j = 0; j < NC; j++)
		if (!(col[j] = PyList_New(n)))
			goto done;
	for (i = 0; i < n; i++) {
		void *vp = NULL;
		const townorg_version *v;
		const townorg_meta *m;
		PyObject *parents;
		size_t k, np;
		if (!SWIG_IsOK(SWIG_ConvertPtr(PySequence_Fast_GET_ITEM(seq, i), &vp, SWIGTYPE_p_townorg_version, 0)) ||
		    !vp) {
			PyErr_SetString(PyExc_TypeError, "versions must be version pointers");
			goto done;
		}
		v = vp;
		m = townorg_version_meta(v);
		np = townorg_version_parent_count(v);
		if (!(parents = PyList_New((Py_ssize_t)np)))
			goto done;
		for (k = 0; k < np; k++) {
			PyObject *s = pyto_str(townorg_version_id(townorg_version_parent(v, k)));
			if (!s) {
				Py_DECREF(parents);
				goto done;
			}
			PyList_SET_ITEM(parents, (Py_ssize_t)k, s);
		}
		PyList_SET_ITEM(col[5], i, parents);
#define PUT(c, s) do { PyObject *o_ = pyto_str(s); if (!o_) goto done; PyList_SET_ITEM(col[c], i, o_); } while (0)
		PUT(0, townorg_version_id(v));
		PUT(1, m ? m->effective_date : NULL);
		PUT(2, m ? m->doc_number : NULL);
		PUT(3, m ? m->message : NULL);
		PUT(4, m ? m->author : NULL);
#undef PUT
	}
	cols = PyDict_New();
	for (j = 0; cols && j < NC; j++)
		if (PyDict_SetItemString(cols, names[j], col[j]) < 0)
			Py_CLEAR(cols);
done:
	for (j = 0; j < NC; j++)
		Py_XDECREF(col[j]);
	Py_DECREF(seq);
	return cols;
}
%}

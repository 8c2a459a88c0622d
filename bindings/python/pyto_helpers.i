/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pyto_helpers.i — C helpers of the SWIG module (included by townorg.i).
 *
 * They turn libtownorg's structures into Python data in one pass (dicts,
 * lists, and the column lists behind to_frame()), fill option structures
 * from Python arguments, and bridge Python callables to the C callback API
 * of custom validation rules.  Pointers they return are borrowed from the
 * object they were read from; the Python classes keep that object alive.
 */

%{
#define PYTO_NEED(p, what) do { if (!(p)) { PyErr_SetString(PyExc_ValueError, what " is NULL (closed or freed)"); return NULL; } } while (0)

static int pyto_set(PyObject *d, const char *key, PyObject *v)
{
	int rc;
	if (!v)
		return -1;
	rc = PyDict_SetItemString(d, key, v);
	Py_DECREF(v);
	return rc;
}

static PyObject *pyto_strs(const char *const *a, size_t n)
{
	PyObject *l = PyList_New((Py_ssize_t)n);
	size_t i;
	if (!l)
		return NULL;
	for (i = 0; i < n; i++) {
		PyObject *s = pyto_str(a[i]);
		if (!s) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, s);
	}
	return l;
}

static PyObject *pyto_ptr(const void *p, swig_type_info *ty)
{
	return SWIG_NewPointerObj((void *)p, ty, 0);
}

static PyObject *pyto_i64(int64_t v)
{
	return PyLong_FromLongLong((long long)v);
}

static PyObject *pyto_event_dict(const townorg_event *ev)
{
	PyObject *d = PyDict_New();
	if (!d)
		return NULL;
	if (pyto_set(d, "kind", pyto_str(townorg_event_kind_token(ev->kind))) < 0 ||
	    pyto_set(d, "event_id", pyto_str(ev->event_id)) < 0 ||
	    pyto_set(d, "from_ids", pyto_strs(ev->from_ids, ev->from_count)) < 0 ||
	    pyto_set(d, "to_ids", pyto_strs(ev->to_ids, ev->to_count)) < 0 ||
	    pyto_set(d, "documents", pyto_strs(ev->documents, ev->document_count)) < 0 ||
	    pyto_set(d, "date", pyto_str(ev->date)) < 0 ||
	    pyto_set(d, "wording", pyto_str(ev->wording)) < 0) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}

static const char *const pyto_meta_keys[] = {
	"effective_date", "recorded_at", "author", "doc_issuer", "doc_number", "doc_date", "doc_title", "message"
};
#define PYTO_META_N 8

static const char **pyto_meta_slot(townorg_meta *m, int i)
{
	switch (i) {
	case 0: return &m->effective_date;
	case 1: return &m->recorded_at;
	case 2: return &m->author;
	case 3: return &m->doc_issuer;
	case 4: return &m->doc_number;
	case 5: return &m->doc_date;
	case 6: return &m->doc_title;
	default: return &m->message;
	}
}

/* Fill a townorg_meta from a dict (None: all unset).  Unknown keys are
 * refused.  The strings are borrowed from the dict. */
static int pyto_meta_from(PyObject *d, townorg_meta *m)
{
	townorg_meta init = TOWNORG_META_INIT;
	PyObject *key, *val;
	Py_ssize_t pos = 0;
	*m = init;
	if (d == Py_None)
		return 0;
	if (!PyDict_Check(d)) {
		PyErr_SetString(PyExc_TypeError, "metadata must be a dict");
		return -1;
	}
	while (PyDict_Next(d, &pos, &key, &val)) {
		const char *k;
		int i;
		if (pyto_cstr(key, &k, 0, "metadata key") < 0)
			return -1;
		for (i = 0; i < PYTO_META_N; i++)
			if (strcmp(k, pyto_meta_keys[i]) == 0)
				break;
		if (i == PYTO_META_N) {
			char msg[200];
			snprintf(msg, sizeof msg, "unknown metadata key '%.100s'", k);
			pyto_raise_msg(TOWNORG_EINVALID, msg);
			return -1;
		}
		if (pyto_cstr(val, pyto_meta_slot(m, i), 1, k) < 0)
			return -1;
	}
	return 0;
}

static PyObject *pyto_meta_dict(const townorg_meta *m)
{
	PyObject *d = PyDict_New();
	int i;
	if (!d)
		return NULL;
	for (i = 0; i < PYTO_META_N; i++)
		if (pyto_set(d, pyto_meta_keys[i], pyto_str(m ? *pyto_meta_slot((townorg_meta *)m, i) : NULL)) < 0) {
			Py_DECREF(d);
			return NULL;
		}
	return d;
}

static PyObject *pyto_fields_list(const townorg_diff_field *f, size_t n)
{
	static const char *const types[] = { "text", "int", "area", "list" };
	PyObject *l = PyList_New((Py_ssize_t)n);
	size_t i;
	if (!l)
		return NULL;
	for (i = 0; i < n; i++) {
		PyObject *t = Py_BuildValue("(NsNN)", pyto_str(f[i].name),
			(unsigned)f[i].type < 4 ? types[f[i].type] : "text", pyto_str(f[i].old_value),
			pyto_str(f[i].new_value));
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

static const char *pyto_status_token(townorg_delta_status s)
{
	switch (s) {
	case TOWNORG_DELTA_ADDED: return "added";
	case TOWNORG_DELTA_REMOVED: return "removed";
	case TOWNORG_DELTA_CHANGED: return "changed";
	}
	return "unknown";
}

static PyObject *pyto_reduction_dict(const townorg_reduction *r)
{
	char buf[64];
	if (townorg_reduction_format(buf, sizeof buf, r) < 0)
		strcpy(buf, "n/a");
	return Py_BuildValue("{s:L,s:L,s:O,s:L,s:L,s:d,s:s}", "before", (long long)r->before, "after",
		(long long)r->after, "available", r->available ? Py_True : Py_False, "numerator",
		(long long)r->numerator, "denominator", (long long)r->denominator, "value", r->value, "text", buf);
}

static PyObject *pyto_totals_dict(const townorg_diff_totals *t)
{
	PyObject *d = PyDict_New(), *kb = NULL, *ka = NULL, *q = NULL;
	size_t i;
	if (!d)
		return NULL;
	kb = PyDict_New();
	ka = PyDict_New();
	q = PyDict_New();
	if (!kb || !ka || !q)
		goto fail;
	for (i = 1; i <= TOWNORG_KIND_COUNT; i++) {
		const char *tok = townorg_kind_token((townorg_kind)i);
		if (!tok)
			continue;
		if ((t->kind_before[i] && pyto_set(kb, tok, PyLong_FromSize_t(t->kind_before[i])) < 0) ||
		    (t->kind_after[i] && pyto_set(ka, tok, PyLong_FromSize_t(t->kind_after[i])) < 0))
			goto fail;
	}
	for (i = 0; i < t->quota_type_count; i++)
		if (pyto_set(q, t->quotas[i].type, pyto_reduction_dict(&t->quotas[i].quota)) < 0)
			goto fail;
	if (pyto_set(d, "id", pyto_str(t->id)) < 0 ||
	    pyto_set(d, "kind", pyto_str(townorg_kind_token(t->kind))) < 0 ||
	    pyto_set(d, "name", pyto_str(t->name)) < 0 ||
	    pyto_set(d, "parent_id", pyto_str(t->parent_id)) < 0 ||
	    pyto_set(d, "kinds_before", kb) < 0 || pyto_set(d, "kinds_after", ka) < 0 ||
	    pyto_set(d, "quotas", q) < 0)
		goto fail_owned;
	if (pyto_set(d, "organs", pyto_reduction_dict(&t->organs)) < 0 ||
	    pyto_set(d, "quota", pyto_reduction_dict(&t->quota)) < 0 ||
	    pyto_set(d, "staff", pyto_reduction_dict(&t->staff)) < 0) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
fail:
	Py_XDECREF(kb);
	Py_XDECREF(ka);
	Py_XDECREF(q);
fail_owned:
	Py_DECREF(d);
	return NULL;
}

static int pyto_kind_bits(PyObject *kinds, uint32_t *bits)
{
	const char **toks = NULL;
	size_t n = 0, i;
	*bits = 0;
	if (pyto_strlist(kinds, &toks, &n, "kinds") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		townorg_kind k;
		int rc = townorg_kind_parse(&k, toks[i]);
		if (rc < 0) {
			PyMem_Free((void *)toks);
			pyto_raise(rc);
			return -1;
		}
		*bits |= TOWNORG_KIND_BIT(k);
	}
	PyMem_Free((void *)toks);
	return 0;
}

/* Sort entities by id.  Ids share long prefixes ("341023-002-01"), which
 * makes strcmp-based sorting slow at the national scale; a multikey
 * quicksort (Bentley & Sedgewick, "Fast algorithms for sorting and
 * searching strings", 1997) looks at each byte of a shared prefix about
 * once.  Ids are read once into the pairs. */
#define PYTO_ID_INLINE 24
typedef struct {
	const unsigned char *id;
	const townorg_entity *e;
	/* The id's first bytes, zero-padded: the partition reads them here,
	 * in the array, instead of chasing a pointer per comparison. */
	unsigned char head[PYTO_ID_INLINE];
} pyto_id_entity;

#define PYTO_ID_BYTE(p, d) ((d) < PYTO_ID_INLINE ? (p).head[d] : (p).id[d])

static void pyto_mkqs(pyto_id_entity *a, size_t n, size_t d)
{
	while (n > 1) {
		size_t lt = 0, gt = n, i = 0;
		unsigned pivot;
		pyto_id_entity t;
		if (n < 12) {
			/* Insertion sort on the rest of the strings. */
			size_t x, y;
			for (x = 1; x < n; x++)
				for (y = x; y > 0 && strcmp((const char *)a[y - 1].id + d, (const char *)a[y].id + d) > 0;
				     y--) {
					t = a[y];
					a[y] = a[y - 1];
					a[y - 1] = t;
				}
			return;
		}
		pivot = PYTO_ID_BYTE(a[n / 2], d);
		/* Three-way partition on byte d: [0,lt) < pivot, [lt,gt) ==, [gt,n) >. */
		while (i < gt) {
			unsigned c = PYTO_ID_BYTE(a[i], d);
			if (c < pivot) {
				t = a[lt];
				a[lt++] = a[i];
				a[i++] = t;
			} else if (c > pivot) {
				t = a[--gt];
				a[gt] = a[i];
				a[i] = t;
			} else {
				i++;
			}
		}
		pyto_mkqs(a, lt, d);
		pyto_mkqs(a + gt, n - gt, d);
		if (pivot == 0)
			return; /* the equal part are equal whole strings */
		a += lt;
		n = gt - lt;
		d++;
	}
}

static int pyto_sort_by_id(const townorg_entity **all, size_t n)
{
	pyto_id_entity *p;
	size_t i;
	if (n < 2)
		return 0;
	p = PyMem_Malloc(n * sizeof *p);
	if (!p)
		return -1;
	for (i = 0; i < n; i++) {
		p[i].id = (const unsigned char *)townorg_entity_id(all[i]);
		p[i].e = all[i];
		strncpy((char *)p[i].head, (const char *)p[i].id, PYTO_ID_INLINE);
	}
	pyto_mkqs(p, n, 0);
	for (i = 0; i < n; i++)
		all[i] = p[i].e;
	PyMem_Free(p);
	return 0;
}

/* ---- custom rules: a Python callable behind a C check function */

static int pyto_rule_trampoline(townorg_rule_ctx *ctx, const townorg_version *v, void *payload)
{
	PyGILState_STATE st = PyGILState_Ensure();
	PyObject *fn = (PyObject *)payload, *c, *vv, *r = NULL;
	int rc = TOWNORG_ERROR;
	c = pyto_ptr(ctx, SWIGTYPE_p_townorg_rule_ctx);
	vv = pyto_ptr(v, SWIGTYPE_p_townorg_version);
	if (c && vv)
		r = PyObject_CallFunctionObjArgs(fn, c, vv, NULL);
	Py_XDECREF(c);
	Py_XDECREF(vv);
	if (r) {
		long x = PyLong_Check(r) ? PyLong_AsLong(r) : 0;
		rc = (x < 0 && x > -1000) ? (int)x : 0;
		Py_DECREF(r);
	}
	/* The package's wrapper keeps the rule's own exception to re-raise
	 * after the validation; nothing may stay pending in C. */
	if (PyErr_Occurred())
		PyErr_Clear();
	PyGILState_Release(st);
	return rc;
}

static void pyto_rule_payload_free(void *payload)
{
	PyGILState_STATE st = PyGILState_Ensure();
	Py_XDECREF((PyObject *)payload);
	PyGILState_Release(st);
}
%}

%inline %{
/* Register the package's exception classes: a dict {code: class} and the
 * base class for codes without their own. */
PyObject *pyto_set_exceptions(PyObject *mapping, PyObject *base)
{
	if (!PyDict_Check(mapping)) {
		PyErr_SetString(PyExc_TypeError, "mapping must be a dict");
		return NULL;
	}
	Py_XDECREF(pyto_exc_map);
	Py_XDECREF(pyto_exc_base);
	Py_INCREF(mapping);
	Py_INCREF(base);
	pyto_exc_map = mapping;
	pyto_exc_base = base;
	Py_RETURN_NONE;
}

/* Every attribute of an entity as a dict. */
PyObject *pyto_entity_dict(const townorg_entity *e)
{
	PyObject *d, *q, *a;
	size_t i, n;
	PYTO_NEED(e, "entity");
	d = PyDict_New();
	if (!d)
		return NULL;
	if (pyto_set(d, "id", pyto_str(townorg_entity_id(e))) < 0 ||
	    pyto_set(d, "kind", pyto_str(townorg_kind_token(townorg_entity_kind(e)))) < 0 ||
	    pyto_set(d, "name", pyto_str(townorg_entity_name(e))) < 0 ||
	    pyto_set(d, "parent_id", pyto_str(townorg_entity_parent_id(e))) < 0 ||
	    pyto_set(d, "class", pyto_str(townorg_class_token(townorg_entity_class(e)))) < 0)
		goto fail;
	for (i = 0; i < TOWNORG_FIELD_COUNT; i++) {
		int64_t v;
		if (townorg_entity_int(e, (townorg_field)i, &v) == 0) {
			PyObject *o = (i == TOWNORG_FIELD_AREA) ? PyFloat_FromDouble((double)v / 10.0) : pyto_i64(v);
			if (pyto_set(d, townorg_field_token((townorg_field)i), o) < 0)
				goto fail;
		}
	}
	q = PyDict_New();
	if (pyto_set(d, "quotas", q) < 0)
		goto fail;
	n = townorg_entity_quota_count(e);
	for (i = 0; i < n; i++) {
		const char *type;
		int64_t v;
		if (townorg_entity_quota_at(e, i, &type, &v) == 0 && pyto_set(q, type, pyto_i64(v)) < 0)
			goto fail;
	}
	a = PyDict_New();
	if (pyto_set(d, "attrs", a) < 0)
		goto fail;
	n = townorg_entity_attr_count(e);
	for (i = 0; i < n; i++) {
		const char *name;
		int is_list = 0;
		if (townorg_entity_attr_at(e, i, &name, &is_list) < 0)
			continue;
		if (is_list) {
			size_t c = 0;
			const char *const *l = townorg_entity_list(e, name, &c);
			if (pyto_set(a, name, pyto_strs(l, c)) < 0)
				goto fail;
		} else if (pyto_set(a, name, pyto_str(townorg_entity_text(e, name))) < 0)
			goto fail;
	}
	return d;
fail:
	Py_DECREF(d);
	return NULL;
}

/* The entity's SHA-256 content hash as 32 bytes. */
PyObject *pyto_entity_hash(const townorg_entity *e)
{
	PYTO_NEED(e, "entity");
	return PyBytes_FromStringAndSize((const char *)townorg_entity_hash(e), 32);
}

/* A version's metadata as a dict. */
PyObject *pyto_version_meta(const townorg_version *v)
{
	PYTO_NEED(v, "version");
	return pyto_meta_dict(townorg_version_meta(v));
}

/* A version's parents (borrowed pointers). */
PyObject *pyto_version_parents(const townorg_version *v)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(v, "version");
	n = townorg_version_parent_count(v);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++)
		PyList_SET_ITEM(l, (Py_ssize_t)i, pyto_ptr(townorg_version_parent(v, i), SWIGTYPE_p_townorg_version));
	return l;
}

/* A version's event records as dicts. */
PyObject *pyto_version_events(const townorg_version *v)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(v, "version");
	n = townorg_version_event_count(v);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		PyObject *d = pyto_event_dict(townorg_version_event(v, i));
		if (!d) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, d);
	}
	return l;
}

/* Children of an entity (None: top level), borrowed, sorted by id. */
PyObject *pyto_version_children(const townorg_version *v, const char *parent_id)
{
	const townorg_entity *const *kids = NULL;
	size_t i, n = 0;
	int rc;
	PyObject *l;
	PYTO_NEED(v, "version");
	rc = townorg_version_children(&kids, &n, v, parent_id);
	if (rc < 0)
		return pyto_raise(rc);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++)
		PyList_SET_ITEM(l, (Py_ssize_t)i, pyto_ptr(kids[i], SWIGTYPE_p_townorg_entity));
	return l;
}

/* Next entity of an iterator (borrowed), or None at the end. */
PyObject *pyto_iterator_next(townorg_iterator *it)
{
	const townorg_entity *e = NULL;
	int rc;
	PYTO_NEED(it, "iterator");
	rc = townorg_iterator_next(&e, it);
	if (rc == TOWNORG_ITEROVER)
		Py_RETURN_NONE;
	if (rc < 0)
		return pyto_raise(rc);
	return pyto_ptr(e, SWIGTYPE_p_townorg_entity);
}

/* Entities with exactly this name (and kind, if given), sorted by id. */
PyObject *pyto_version_find(const townorg_version *v, const char *name, const char *kind)
{
	townorg_iterator *it = NULL;
	const townorg_entity *e;
	townorg_kind k = TOWNORG_KIND_INVALID;
	PyObject *l;
	int rc;
	PYTO_NEED(v, "version");
	PYTO_NEED(name, "name");
	if (kind && (rc = townorg_kind_parse(&k, kind)) < 0)
		return pyto_raise(rc);
	if ((rc = townorg_iterator_new(&it, v)) < 0)
		return pyto_raise(rc);
	l = PyList_New(0);
	while (l && (rc = townorg_iterator_next(&e, it)) == 0) {
		if (strcmp(townorg_entity_name(e), name) == 0 && (!kind || townorg_entity_kind(e) == k)) {
			PyObject *p = pyto_ptr(e, SWIGTYPE_p_townorg_entity);
			if (!p || PyList_Append(l, p) < 0) {
				Py_XDECREF(p);
				Py_CLEAR(l);
				break;
			}
			Py_DECREF(p);
		}
	}
	townorg_iterator_free(it);
	if (l && rc != TOWNORG_ITEROVER) {
		Py_DECREF(l);
		return pyto_raise(rc);
	}
	return l;
}

/* The columns of a version's table (to_frame), filled in one pass, one
 * row per entity sorted by id.  under: only that entity and what lies below
 * it; kinds: only those kinds (None: all); na: the object standing for a
 * missing parent_id (pd.NA; the text attributes, mostly missing, travel
 * sparse instead, since an array of a list of pd.NA objects is slow to make).
 * Returns a dict:
 *   n                      the number of rows;
 *   id, parent_id, name    lists of str (parent_id: na at the top);
 *   kind, class            bytearray of n int8 category codes (kind token
 *                          index - 1; class - 1, -1 when unset);
 *   <int field>            (bytearray of n int64, bytearray of n uint8 mask: 1 unset;
 *                          writable, so numpy views them without a copy),
 *                          area_km2 in tenths of km²;
 *   quota_total            bytearray of n int64;
 *   <text attr>            (row positions, values): the rows where it is
 *                          set and its str there (mostly unset: no NA
 *                          object per row);
 *   <list attr>            lists of lists of str.
 * Numbers travel as raw buffers, so the package makes its nullable arrays
 * without one Python object per cell. */
PyObject *pyto_version_arrays(const townorg_version *v, const char *under, PyObject *kinds, PyObject *na)
{
	static const char *const text_attrs[] = { "funding", "nature", "rank", "regime", "supervisor", "code" };
	static const char *const list_attrs[] = { "nameplates", "functions", "colocated_with" };
	enum { NT = 6, NL = 3 };
	const townorg_entity **all = NULL;
	size_t n = 0, cap = 0, i, j;
	uint32_t bits = 0;
	PyObject *cols = NULL, *ids = NULL, *pids = NULL, *nms = NULL, *kcode = NULL, *ccode = NULL, *qt = NULL;
	PyObject *iv[TOWNORG_FIELD_COUNT] = { NULL }, *im[TOWNORG_FIELD_COUNT] = { NULL };
	PyObject *tx[NT] = { NULL }, *tp[NT] = { NULL }, *lx[NL] = { NULL };
	const char *last_pid = NULL;
	PyObject *last_pid_obj = NULL; /* borrowed from the parent_id list */
	int rc;
	PYTO_NEED(v, "version");
	if (pyto_kind_bits(kinds, &bits) < 0)
		return NULL;
	/* Collect the entities. */
	if (under) {
		const townorg_entity *root;
		size_t head = 0;
		if ((rc = townorg_version_get(&root, v, under)) < 0)
			return pyto_raise(rc);
		cap = 64;
		all = PyMem_Malloc(cap * sizeof *all);
		if (!all)
			return PyErr_NoMemory();
		all[n++] = root;
		while (head < n) {
			const townorg_entity *const *kids;
			size_t k = 0;
			if ((rc = townorg_version_children(&kids, &k, v, townorg_entity_id(all[head++]))) < 0) {
				PyMem_Free(all);
				return pyto_raise(rc);
			}
			if (n + k > cap) {
				const townorg_entity **na;
				while (n + k > cap)
					cap *= 2;
				na = PyMem_Realloc(all, cap * sizeof *all);
				if (!na) {
					PyMem_Free(all);
					return PyErr_NoMemory();
				}
				all = na;
			}
			for (j = 0; j < k; j++)
				all[n++] = kids[j];
		}
	} else {
		townorg_iterator *it = NULL;
		const townorg_entity *e;
		cap = townorg_version_entity_count(v) + 1;
		all = PyMem_Malloc(cap * sizeof *all);
		if (!all)
			return PyErr_NoMemory();
		if ((rc = townorg_iterator_new(&it, v)) < 0) {
			PyMem_Free(all);
			return pyto_raise(rc);
		}
		while ((rc = townorg_iterator_next(&e, it)) == 0 && n < cap)
			all[n++] = e;
		townorg_iterator_free(it);
		if (rc != TOWNORG_ITEROVER && rc < 0) {
			PyMem_Free(all);
			return pyto_raise(rc);
		}
	}
	if (bits) {
		size_t m = 0;
		for (i = 0; i < n; i++)
			if (bits & TOWNORG_KIND_BIT(townorg_entity_kind(all[i])))
				all[m++] = all[i];
		n = m;
	}
	if (pyto_sort_by_id(all, n) < 0) {
		PyMem_Free(all);
		return PyErr_NoMemory();
	}

	if (!(ids = PyList_New((Py_ssize_t)n)) || !(pids = PyList_New((Py_ssize_t)n)) ||
	    !(nms = PyList_New((Py_ssize_t)n)) || !(kcode = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)n)) ||
	    !(ccode = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)n)) ||
	    !(qt = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(int64_t)))))
		goto fail;
	for (j = 0; j < TOWNORG_FIELD_COUNT; j++)
		if (!(iv[j] = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(int64_t)))) ||
		    !(im[j] = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)n)))
			goto fail;
	for (j = 0; j < NT; j++)
		if (!(tx[j] = PyList_New(0)) || !(tp[j] = PyList_New(0)))
			goto fail;
	for (j = 0; j < NL; j++)
		if (!(lx[j] = PyList_New((Py_ssize_t)n)))
			goto fail;
	for (i = 0; i < n; i++) {
		const townorg_entity *e = all[i];
		const char *pid = townorg_entity_parent_id(e);
		PyObject *o;
		int64_t q = townorg_entity_quota_total(e);
		townorg_class cl = townorg_entity_class(e);
#define PUTL(list, obj) do { o = (obj); if (!o) goto fail; PyList_SET_ITEM((list), (Py_ssize_t)i, o); } while (0)
		PUTL(ids, pyto_str(townorg_entity_id(e)));
		if (pid && last_pid && strcmp(pid, last_pid) == 0) {
			/* Siblings are neighbours in id order: one str for them all. */
			Py_INCREF(last_pid_obj);
			PUTL(pids, last_pid_obj);
		} else if (pid) {
			PUTL(pids, pyto_str(pid));
			last_pid = pid;
			last_pid_obj = o;
		} else {
			Py_INCREF(na);
			PUTL(pids, na);
		}
		PUTL(nms, pyto_str(townorg_entity_name(e)));
		PyByteArray_AS_STRING(kcode)[i] = (char)((int)townorg_entity_kind(e) - 1);
		PyByteArray_AS_STRING(ccode)[i] = (char)(cl == TOWNORG_CLASS_NONE ? -1 : (int)cl - 1);
		memcpy(PyByteArray_AS_STRING(qt) + i * sizeof(int64_t), &q, sizeof q);
		for (j = 0; j < TOWNORG_FIELD_COUNT; j++) {
			int64_t x = 0;
			int unset = townorg_entity_int(e, (townorg_field)j, &x) != 0;
			if (unset)
				x = 0;
			memcpy(PyByteArray_AS_STRING(iv[j]) + i * sizeof(int64_t), &x, sizeof x);
			PyByteArray_AS_STRING(im[j])[i] = (char)unset;
		}
		if (townorg_entity_attr_count(e) == 0) {
			/* Most entities (villages, communities) have no named
			 * attributes: no lookups, empty lists. */
			for (j = 0; j < NL; j++)
				PUTL(lx[j], PyList_New(0));
			continue;
		}
		for (j = 0; j < NT; j++) {
			const char *t = townorg_entity_text(e, text_attrs[j]);
			if (t) {
				int bad;
				if (!(o = pyto_str(t)))
					goto fail;
				bad = PyList_Append(tx[j], o) < 0;
				Py_DECREF(o);
				if (bad || !(o = PyLong_FromSize_t(i)))
					goto fail;
				bad = PyList_Append(tp[j], o) < 0;
				Py_DECREF(o);
				if (bad)
					goto fail;
			}
		}
		for (j = 0; j < NL; j++) {
			size_t k = 0;
			const char *const *l = townorg_entity_list(e, list_attrs[j], &k);
			PUTL(lx[j], pyto_strs(l, l ? k : 0));
		}
#undef PUTL
	}
	cols = PyDict_New();
	if (!cols || pyto_set(cols, "n", PyLong_FromSize_t(n)) < 0 || PyDict_SetItemString(cols, "id", ids) < 0 ||
	    PyDict_SetItemString(cols, "parent_id", pids) < 0 || PyDict_SetItemString(cols, "name", nms) < 0 ||
	    PyDict_SetItemString(cols, "kind", kcode) < 0 || PyDict_SetItemString(cols, "class", ccode) < 0 ||
	    PyDict_SetItemString(cols, "quota_total", qt) < 0)
		goto fail_cols;
	for (j = 0; j < TOWNORG_FIELD_COUNT; j++)
		if (pyto_set(cols, townorg_field_token((townorg_field)j), PyTuple_Pack(2, iv[j], im[j])) < 0)
			goto fail_cols;
	for (j = 0; j < NT; j++)
		if (pyto_set(cols, text_attrs[j], PyTuple_Pack(2, tp[j], tx[j])) < 0)
			goto fail_cols;
	for (j = 0; j < NL; j++)
		if (PyDict_SetItemString(cols, list_attrs[j], lx[j]) < 0)
			goto fail_cols;
	goto done;
fail_cols:
	Py_CLEAR(cols);
	goto done;
fail:
	cols = NULL;
done:
	Py_XDECREF(ids);
	Py_XDECREF(pids);
	Py_XDECREF(nms);
	Py_XDECREF(kcode);
	Py_XDECREF(ccode);
	Py_XDECREF(qt);
	for (j = 0; j < TOWNORG_FIELD_COUNT; j++) {
		Py_XDECREF(iv[j]);
		Py_XDECREF(im[j]);
	}
	for (j = 0; j < NT; j++) {
		Py_XDECREF(tx[j]);
		Py_XDECREF(tp[j]);
	}
	for (j = 0; j < NL; j++)
		Py_XDECREF(lx[j]);
	PyMem_Free(all);
	return cols;
}

/* Branch names, in byte order. */
PyObject *pyto_repo_branches(const townorg_repo *repo)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(repo, "repository");
	n = townorg_repo_branch_count(repo);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		PyObject *s = pyto_str(townorg_repo_branch_name(repo, i));
		if (!s) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, s);
	}
	return l;
}

/* Tags as (name, version) pairs in byte order of the names. */
PyObject *pyto_repo_tags(const townorg_repo *repo)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(repo, "repository");
	n = townorg_repo_tag_count(repo);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const townorg_version *at = NULL;
		const char *name = townorg_repo_tag_name(repo, i, &at);
		PyObject *t = Py_BuildValue("(NN)", pyto_str(name), pyto_ptr(at, SWIGTYPE_p_townorg_version));
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

/* All versions in the order they were added (borrowed). */
PyObject *pyto_repo_versions(const townorg_repo *repo)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(repo, "repository");
	n = townorg_repo_version_count(repo);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++)
		PyList_SET_ITEM(l, (Py_ssize_t)i, pyto_ptr(townorg_repo_version_at(repo, i), SWIGTYPE_p_townorg_version));
	return l;
}

/* Record a change event in a transaction. */
PyObject *pyto_txn_add_event(townorg_txn *txn, const char *kind, const char *event_id, PyObject *from_ids,
	PyObject *to_ids, PyObject *documents, const char *date, const char *wording)
{
	townorg_event ev = TOWNORG_EVENT_INIT;
	const char **f = NULL, **t = NULL, **d = NULL;
	int rc;
	PYTO_NEED(txn, "transaction");
	PYTO_NEED(kind, "event kind");
	if ((rc = townorg_event_kind_parse(&ev.kind, kind)) < 0)
		return pyto_raise(rc);
	if (pyto_strlist(from_ids, &f, &ev.from_count, "from_ids") < 0 ||
	    pyto_strlist(to_ids, &t, &ev.to_count, "to_ids") < 0 ||
	    pyto_strlist(documents, &d, &ev.document_count, "documents") < 0) {
		PyMem_Free((void *)f);
		PyMem_Free((void *)t);
		return NULL;
	}
	ev.event_id = event_id;
	ev.from_ids = f;
	ev.to_ids = t;
	ev.documents = d;
	ev.date = date;
	ev.wording = wording;
	rc = townorg_txn_add_event(txn, &ev);
	PyMem_Free((void *)f);
	PyMem_Free((void *)t);
	PyMem_Free((void *)d);
	if (rc < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* Set a transaction's metadata from a dict. */
PyObject *pyto_txn_set_meta(townorg_txn *txn, PyObject *meta)
{
	townorg_meta m;
	int rc;
	PYTO_NEED(txn, "transaction");
	if (pyto_meta_from(meta, &m) < 0)
		return NULL;
	if ((rc = townorg_txn_set_meta(txn, &m)) < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* Diff two versions (either may be None: the empty state). */
PyObject *pyto_diff_new(const townorg_version *from, const townorg_version *to, const char *under,
	PyObject *kinds, PyObject *fields, unsigned int flags)
{
	townorg_diff_options o = TOWNORG_DIFF_OPTIONS_INIT;
	townorg_diff *d = NULL;
	const char **f = NULL;
	int rc;
	if (pyto_kind_bits(kinds, &o.kinds) < 0)
		return NULL;
	if (pyto_strlist(fields, &f, &o.field_count, "fields") < 0)
		return NULL;
	o.fields = f;
	o.under = under;
	o.flags = flags;
	rc = townorg_diff_versions(&d, from, to, &o);
	PyMem_Free((void *)f);
	if (rc < 0)
		return pyto_raise(rc);
	return pyto_ptr(d, SWIGTYPE_p_townorg_diff);
}

/* What changed on a branch between two dates. */
PyObject *pyto_diff_dates(const townorg_repo *repo, const char *branch, const char *from_date,
	const char *to_date, const char *under, PyObject *kinds, PyObject *fields, unsigned int flags)
{
	townorg_diff_options o = TOWNORG_DIFF_OPTIONS_INIT;
	townorg_diff *d = NULL;
	const char **f = NULL;
	int rc;
	PYTO_NEED(repo, "repository");
	if (pyto_kind_bits(kinds, &o.kinds) < 0)
		return NULL;
	if (pyto_strlist(fields, &f, &o.field_count, "fields") < 0)
		return NULL;
	o.fields = f;
	o.under = under;
	o.flags = flags;
	rc = townorg_diff_dates(&d, repo, branch, from_date, to_date, &o);
	PyMem_Free((void *)f);
	if (rc < 0)
		return pyto_raise(rc);
	return pyto_ptr(d, SWIGTYPE_p_townorg_diff);
}

/* The relation of a diff's versions, as a token. */
PyObject *pyto_diff_relation(const townorg_diff *d)
{
	static const char *const rel[] = { "same", "forward", "backward", "unrelated" };
	unsigned r;
	PYTO_NEED(d, "diff");
	r = (unsigned)townorg_diff_get_relation(d);
	return pyto_str(r < 4 ? rel[r] : "unrelated");
}

/* The deltas as dicts: status, id, kind, fields [(name, type, old, new)]. */
PyObject *pyto_diff_deltas(const townorg_diff *d)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(d, "diff");
	n = townorg_diff_num_deltas(d);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		PyObject *o = Py_BuildValue("{s:s,s:N,s:N,s:N}", "status", pyto_status_token(dl->status), "id",
			pyto_str(dl->id), "kind", pyto_str(townorg_kind_token(dl->kind)), "fields",
			pyto_fields_list(dl->fields, dl->field_count));
		if (!o) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, o);
	}
	return l;
}

/* The diff as columns: one row per changed field, one per added or removed
 * entity (field None). */
PyObject *pyto_diff_columns(const townorg_diff *d)
{
	static const char *const names[] = { "status", "id", "kind", "name", "field", "old", "new" };
	PyObject *col[7] = { NULL }, *cols = NULL;
	size_t i, n, j;
	PYTO_NEED(d, "diff");
	for (j = 0; j < 7; j++)
		if (!(col[j] = PyList_New(0)))
			goto done;
	n = townorg_diff_num_deltas(d);
	for (i = 0; i < n; i++) {
		const townorg_diff_delta *dl = townorg_diff_delta_at(d, i);
		const townorg_entity *e = dl->new_entity ? dl->new_entity : dl->old_entity;
		size_t k, rows = dl->field_count ? dl->field_count : 1;
		for (k = 0; k < rows; k++) {
			const townorg_diff_field *f = dl->field_count ? &dl->fields[k] : NULL;
			PyObject *v[7];
			int bad = 0;
			v[0] = pyto_str(pyto_status_token(dl->status));
			v[1] = pyto_str(dl->id);
			v[2] = pyto_str(townorg_kind_token(dl->kind));
			v[3] = pyto_str(e ? townorg_entity_name(e) : NULL);
			v[4] = pyto_str(f ? f->name : NULL);
			v[5] = pyto_str(f ? f->old_value : NULL);
			v[6] = pyto_str(f ? f->new_value : NULL);
			for (j = 0; j < 7; j++) {
				if (!v[j] || PyList_Append(col[j], v[j]) < 0)
					bad = 1;
				Py_XDECREF(v[j]);
			}
			if (bad)
				goto done;
		}
	}
	cols = PyDict_New();
	for (j = 0; cols && j < 7; j++)
		if (PyDict_SetItemString(cols, names[j], col[j]) < 0)
			Py_CLEAR(cols);
done:
	for (j = 0; j < 7; j++)
		Py_XDECREF(col[j]);
	return cols;
}

/* The events between the versions: [(version, event dict)]. */
PyObject *pyto_diff_events(const townorg_diff *d)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(d, "diff");
	n = townorg_diff_num_events(d);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const townorg_diff_event *de = townorg_diff_event_at(d, i);
		PyObject *t = Py_BuildValue("(NN)", pyto_ptr(de->version, SWIGTYPE_p_townorg_version),
			pyto_event_dict(de->event));
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

/* Aggregates: level 0 the whole diff (a dict, or None when skipped),
 * 1 the counties, 2 the township-level units (lists of dicts). */
PyObject *pyto_diff_totals(const townorg_diff *d, int level)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(d, "diff");
	if (level == 0) {
		const townorg_diff_totals *t = townorg_diff_totals_all(d);
		if (!t)
			Py_RETURN_NONE;
		return pyto_totals_dict(t);
	}
	if (level != TOWNORG_UNIT_COUNTY && level != TOWNORG_UNIT_TOWNSHIP) {
		PyErr_SetString(PyExc_ValueError, "level must be 0, 1 or 2");
		return NULL;
	}
	n = townorg_diff_totals_count(d, (townorg_unit_level)level);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		PyObject *o = pyto_totals_dict(townorg_diff_totals_at(d, (townorg_unit_level)level, i));
		if (!o) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, o);
	}
	return l;
}

/* Render a diff as JSON (pretty) or as text ("zh"/"en"). */
PyObject *pyto_diff_render(const townorg_diff *d, const char *how)
{
	char *s = NULL;
	int rc;
	PyObject *o;
	PYTO_NEED(d, "diff");
	PYTO_NEED(how, "format");
	if (strcmp(how, "json") == 0)
		rc = townorg_diff_to_json(&s, d, TOWNORG_JSON_PRETTY);
	else
		rc = townorg_diff_to_text(&s, d, strcmp(how, "zh") == 0 ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	if (rc < 0)
		return pyto_raise(rc);
	o = pyto_str(s);
	townorg_free(s);
	return o;
}

/* Blame an entity: {"created": version, "fields": [dict]}. */
PyObject *pyto_blame(const townorg_version *v, const char *id)
{
	static const char *const types[] = { "text", "int", "area", "list" };
	townorg_blame *b = NULL;
	PyObject *d = NULL, *l;
	size_t i, n;
	int rc;
	PYTO_NEED(v, "version");
	PYTO_NEED(id, "id");
	if ((rc = townorg_blame_entity(&b, v, id)) < 0)
		return pyto_raise(rc);
	n = townorg_blame_count(b);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const townorg_blame_entry *e = townorg_blame_at(b, i);
		PyObject *o = Py_BuildValue("{s:N,s:s,s:N,s:N,s:N,s:N,s:N}", "field", pyto_str(e->field), "type",
			(unsigned)e->type < 4 ? types[e->type] : "text", "value", pyto_str(e->value), "version",
			pyto_ptr(e->version, SWIGTYPE_p_townorg_version), "doc_number", pyto_str(e->doc_number),
			"effective_date", pyto_str(e->effective_date), "author", pyto_str(e->author));
		if (!o) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, o);
	}
	if (l)
		d = Py_BuildValue("{s:N,s:N}", "created", pyto_ptr(townorg_blame_created(b), SWIGTYPE_p_townorg_version),
			"fields", l);
	townorg_blame_free(b);
	return d;
}

/* History of an entity: [dict(version, status, fields, events)], newest first. */
PyObject *pyto_history(const townorg_version *v, const char *id)
{
	townorg_history *h = NULL;
	PyObject *l;
	size_t i, n;
	int rc;
	PYTO_NEED(v, "version");
	PYTO_NEED(id, "id");
	if ((rc = townorg_history_entity(&h, v, id)) < 0)
		return pyto_raise(rc);
	n = townorg_history_count(h);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const townorg_history_entry *e = townorg_history_at(h, i);
		PyObject *evs = PyList_New((Py_ssize_t)e->event_count), *o;
		size_t k;
		for (k = 0; evs && k < e->event_count; k++) {
			PyObject *ed = pyto_event_dict(e->events[k]);
			if (!ed) {
				Py_CLEAR(evs);
				break;
			}
			PyList_SET_ITEM(evs, (Py_ssize_t)k, ed);
		}
		o = evs ? Py_BuildValue("{s:N,s:s,s:N,s:N}", "version", pyto_ptr(e->version, SWIGTYPE_p_townorg_version),
			"status", pyto_status_token(e->status), "fields", pyto_fields_list(e->fields, e->field_count),
			"events", evs) : NULL;
		if (!o) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, o);
	}
	townorg_history_free(h);
	return l;
}

/* Lineage of an entity: {"nodes": [...], "edges": [...], "dot", "json", "text"}. */
PyObject *pyto_lineage(const townorg_version *v, const char *id, unsigned int flags, const char *lang)
{
	townorg_lineage *g = NULL;
	PyObject *nodes, *edges, *d = NULL;
	char *dot = NULL, *json = NULL, *text = NULL;
	size_t i, n;
	int rc;
	PYTO_NEED(v, "version");
	PYTO_NEED(id, "id");
	if ((rc = townorg_lineage_of(&g, v, id, flags)) < 0)
		return pyto_raise(rc);
	if ((rc = townorg_lineage_to_dot(&dot, g)) < 0 || (rc = townorg_lineage_to_json(&json, g)) < 0 ||
	    (rc = townorg_lineage_to_text(&text, g, lang && strcmp(lang, "zh") == 0 ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN)) < 0) {
		townorg_free(dot);
		townorg_free(json);
		townorg_lineage_free(g);
		return pyto_raise(rc);
	}
	n = townorg_lineage_node_count(g);
	nodes = PyList_New((Py_ssize_t)n);
	for (i = 0; nodes && i < n; i++) {
		const townorg_lineage_node *x = townorg_lineage_node_at(g, i);
		PyObject *o = Py_BuildValue("{s:N,s:N,s:N,s:O,s:O}", "id", pyto_str(x->id), "name", pyto_str(x->name),
			"kind", pyto_str(townorg_kind_token(x->kind)), "present", x->present ? Py_True : Py_False,
			"is_root", x->is_root ? Py_True : Py_False);
		if (!o) {
			Py_CLEAR(nodes);
			break;
		}
		PyList_SET_ITEM(nodes, (Py_ssize_t)i, o);
	}
	n = townorg_lineage_edge_count(g);
	edges = PyList_New((Py_ssize_t)n);
	for (i = 0; edges && i < n; i++) {
		const townorg_lineage_edge *x = townorg_lineage_edge_at(g, i);
		PyObject *o = Py_BuildValue("{s:N,s:N,s:N,s:N}", "from_id", pyto_str(x->from_id), "to_id",
			pyto_str(x->to_id), "version", pyto_ptr(x->version, SWIGTYPE_p_townorg_version), "event",
			pyto_event_dict(x->event));
		if (!o) {
			Py_CLEAR(edges);
			break;
		}
		PyList_SET_ITEM(edges, (Py_ssize_t)i, o);
	}
	if (nodes && edges)
		d = Py_BuildValue("{s:N,s:N,s:N,s:N,s:N}", "nodes", nodes, "edges", edges, "dot", pyto_str(dot),
			"json", pyto_str(json), "text", pyto_str(text));
	else {
		Py_XDECREF(nodes);
		Py_XDECREF(edges);
	}
	townorg_free(dot);
	townorg_free(json);
	townorg_free(text);
	townorg_lineage_free(g);
	return d;
}

/* The built-in rules: [(id, severity, description)]. */
PyObject *pyto_builtin_rules(void)
{
	size_t i, n = townorg_rule_builtin_count();
	PyObject *l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const char *id = NULL, *desc = NULL;
		townorg_severity sev = TOWNORG_SEVERITY_DEFAULT;
		PyObject *t;
		townorg_rule_builtin_at(i, &id, &sev, &desc);
		t = Py_BuildValue("(NNN)", pyto_str(id), pyto_str(townorg_severity_token(sev)), pyto_str(desc));
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

/* Register a custom rule whose check is a Python callable fn(ctx, version)
 * returning 0 or a negative code.  The policy keeps a reference to fn. */
PyObject *pyto_policy_register_rule(townorg_policy *policy, const char *id, const char *severity,
	const char *params_json, const char *description, PyObject *fn)
{
	townorg_rule_def def = TOWNORG_RULE_DEF_INIT;
	int rc;
	PYTO_NEED(policy, "policy");
	if (!PyCallable_Check(fn)) {
		PyErr_SetString(PyExc_TypeError, "the rule's check must be callable");
		return NULL;
	}
	if (severity && (rc = townorg_severity_parse(&def.severity, severity)) < 0)
		return pyto_raise(rc);
	def.id = id;
	def.params_json = params_json;
	def.description = description;
	def.check = pyto_rule_trampoline;
	def.payload = fn;
	def.payload_free = pyto_rule_payload_free;
	Py_INCREF(fn);
	if ((rc = townorg_policy_register_rule(policy, &def)) < 0) {
		Py_DECREF(fn);
		return pyto_raise(rc);
	}
	Py_RETURN_NONE;
}

/* Report a finding from a custom rule.  value and limit: None or int. */
PyObject *pyto_rule_report(townorg_rule_ctx *ctx, const char *severity, const char *entity, const char *path,
	PyObject *value, PyObject *limit, const char *value_text, const char *message_zh, const char *message_en,
	const char *version_id)
{
	townorg_finding f = TOWNORG_FINDING_INIT;
	int rc;
	PYTO_NEED(ctx, "rule context");
	if (severity && (rc = townorg_severity_parse(&f.severity, severity)) < 0)
		return pyto_raise(rc);
	if (value != Py_None) {
		f.value = (int64_t)PyLong_AsLongLong(value);
		if (PyErr_Occurred())
			return NULL;
		f.has_value = 1;
	}
	if (limit != Py_None) {
		f.limit = (int64_t)PyLong_AsLongLong(limit);
		if (PyErr_Occurred())
			return NULL;
		f.has_limit = 1;
	}
	f.entity = entity;
	f.path = path;
	f.value_text = value_text;
	f.message_zh = message_zh;
	f.message_en = message_en;
	f.version_id = version_id;
	if ((rc = townorg_rule_report(ctx, &f)) < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* The findings of a validation as dicts. */
PyObject *pyto_validation_findings(const townorg_validation *res)
{
	size_t i, n;
	PyObject *l;
	PYTO_NEED(res, "validation");
	n = townorg_validation_count(res);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		const townorg_finding *f = townorg_validation_at(res, i);
		PyObject *o = PyDict_New();
		if (!o || pyto_set(o, "rule", pyto_str(f->rule)) < 0 ||
		    pyto_set(o, "severity", pyto_str(townorg_severity_token(f->severity))) < 0 ||
		    pyto_set(o, "entity", pyto_str(f->entity)) < 0 ||
		    pyto_set(o, "version_id", pyto_str(f->version_id)) < 0 ||
		    pyto_set(o, "version_date", pyto_str(f->version_date)) < 0 ||
		    pyto_set(o, "path", pyto_str(f->path)) < 0 ||
		    pyto_set(o, "value", f->has_value ? pyto_i64(f->value) : (Py_INCREF(Py_None), Py_None)) < 0 ||
		    pyto_set(o, "limit", f->has_limit ? pyto_i64(f->limit) : (Py_INCREF(Py_None), Py_None)) < 0 ||
		    pyto_set(o, "value_text", pyto_str(f->value_text)) < 0 ||
		    pyto_set(o, "message_zh", pyto_str(f->message_zh)) < 0 ||
		    pyto_set(o, "message_en", pyto_str(f->message_en)) < 0 ||
		    pyto_set(o, "waived", PyBool_FromLong(f->waived)) < 0 ||
		    pyto_set(o, "waiver_reason", pyto_str(f->waiver_reason)) < 0 ||
		    pyto_set(o, "waiver_document", pyto_str(f->waiver_document)) < 0) {
			Py_XDECREF(o);
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, o);
	}
	return l;
}

/* Render a validation as JSON (pretty) or text ("zh"/"en"). */
PyObject *pyto_validation_render(const townorg_validation *res, const char *how)
{
	char *s = NULL;
	int rc;
	PyObject *o;
	PYTO_NEED(res, "validation");
	PYTO_NEED(how, "format");
	if (strcmp(how, "json") == 0)
		rc = townorg_validation_to_json(&s, res, TOWNORG_VALIDATION_PRETTY);
	else
		rc = townorg_validation_to_text(&s, res, how);
	if (rc < 0)
		return pyto_raise(rc);
	o = pyto_str(s);
	townorg_free(s);
	return o;
}

/* Import a CSV table set; the report as a dict. */
PyObject *pyto_tables_import(townorg_repo *repo, const char *dir, const char *branch, const char *onto,
	const char *tag_prefix, const char *author, const char *recorded_at, int no_tags)
{
	static const char *const files[] = { "versions", "base", "changes", "events" };
	townorg_tables_import_options o = TOWNORG_TABLES_IMPORT_OPTIONS_INIT;
	townorg_tables_report *r = NULL;
	PyObject *d = NULL, *vers, *rows, *enc, *notes;
	size_t i, n;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(dir, "dir");
	o.branch = branch;
	o.onto = onto;
	o.tag_prefix = tag_prefix;
	o.author = author;
	o.recorded_at = recorded_at;
	o.flags = no_tags ? TOWNORG_TABLES_IMPORT_NO_TAGS : 0;
	if ((rc = townorg_tables_import(&r, repo, dir, &o)) < 0)
		return pyto_raise(rc);
	n = townorg_tables_report_version_count(r);
	vers = PyList_New((Py_ssize_t)n);
	for (i = 0; vers && i < n; i++) {
		const char *label = NULL;
		const townorg_version *v = townorg_tables_report_version(r, i, &label);
		PyObject *t = Py_BuildValue("(NN)", pyto_str(label), pyto_ptr(v, SWIGTYPE_p_townorg_version));
		if (!t) {
			Py_CLEAR(vers);
			break;
		}
		PyList_SET_ITEM(vers, (Py_ssize_t)i, t);
	}
	rows = PyDict_New();
	enc = PyDict_New();
	for (i = 0; rows && enc && i < TOWNORG_TABLES_FILE_COUNT; i++) {
		pyto_set(rows, files[i], PyLong_FromSize_t(townorg_tables_report_rows(r, (townorg_tables_file)i)));
		pyto_set(enc, files[i], pyto_str(townorg_tables_report_encoding(r, (townorg_tables_file)i)));
	}
	n = townorg_tables_report_note_count(r);
	notes = PyList_New((Py_ssize_t)n);
	for (i = 0; notes && i < n; i++)
		PyList_SET_ITEM(notes, (Py_ssize_t)i, pyto_str(townorg_tables_report_note(r, i)));
	if (vers && rows && enc && notes && !PyErr_Occurred())
		d = Py_BuildValue("{s:N,s:N,s:N,s:N}", "versions", vers, "rows", rows, "encodings", enc, "notes", notes);
	else {
		Py_XDECREF(vers);
		Py_XDECREF(rows);
		Py_XDECREF(enc);
		Py_XDECREF(notes);
	}
	townorg_tables_report_free(r);
	return d;
}

/* Export a CSV table set. */
PyObject *pyto_tables_export(const townorg_repo *repo, const townorg_version *from, const townorg_version *to,
	const char *dir, int lossy)
{
	townorg_tables_export_options o = TOWNORG_TABLES_EXPORT_OPTIONS_INIT;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(to, "version");
	PYTO_NEED(dir, "dir");
	o.flags = lossy ? TOWNORG_TABLES_EXPORT_LOSSY : 0;
	if ((rc = townorg_tables_export(repo, from, to, dir, &o)) < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* Export the whole repository, or one version's snapshot, as JSON text. */
PyObject *pyto_json_export(const townorg_repo *repo, const townorg_version *v, int compact)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	char *s = NULL;
	int rc;
	PyObject *r;
	o.flags = compact ? TOWNORG_JSON_COMPACT : 0;
	if (v)
		rc = townorg_json_export_snapshot(&s, NULL, v, &o);
	else {
		PYTO_NEED(repo, "repository");
		rc = townorg_json_export_repo(&s, NULL, repo, &o);
	}
	if (rc < 0)
		return pyto_raise(rc);
	r = pyto_str(s);
	townorg_free(s);
	return r;
}

/* Import a repository document from text (source names it in errors). */
PyObject *pyto_json_import_repo(townorg_repo *repo, const char *text, const char *source)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(text, "text");
	o.source_name = source;
	if ((rc = townorg_json_import_repo(repo, text, strlen(text), &o)) < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* Import a snapshot document (from text, or from the file `path`) as a new
 * version on a branch; returns the version. */
PyObject *pyto_json_import_snapshot(townorg_repo *repo, const char *branch, PyObject *meta, const char *text,
	const char *path)
{
	townorg_json_options o = TOWNORG_JSON_OPTIONS_INIT;
	townorg_meta m;
	const townorg_version *v = NULL;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(branch, "branch");
	if (pyto_meta_from(meta, &m) < 0)
		return NULL;
	if (path)
		rc = townorg_json_import_snapshot_file(&v, repo, branch, &m, path, &o);
	else {
		PYTO_NEED(text, "text");
		rc = townorg_json_import_snapshot(&v, repo, branch, &m, text, strlen(text), &o);
	}
	if (rc < 0)
		return pyto_raise(rc);
	return pyto_ptr(v, SWIGTYPE_p_townorg_version);
}

/* Import NBS editions (and MCA change tables); the report as a dict. */
PyObject *pyto_nbs_import(townorg_repo *repo, const char *source, const char *branch, const char *mca_source,
	const char *effective_date, const char *author, const char *recorded_at)
{
	townorg_nbs_import_options o = TOWNORG_NBS_IMPORT_OPTIONS_INIT;
	townorg_realdata_report *r = NULL;
	PyObject *eds, *un, *d = NULL;
	size_t i, n;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(source, "source");
	o.branch = branch;
	o.mca_source = mca_source;
	o.effective_date = effective_date;
	o.author = author;
	o.recorded_at = recorded_at;
	if ((rc = townorg_nbs_import(&r, repo, source, &o)) < 0)
		return pyto_raise(rc);
	n = townorg_realdata_report_edition_count(r);
	eds = PyList_New((Py_ssize_t)n);
	for (i = 0; eds && i < n; i++) {
		const townorg_realdata_edition *e = townorg_realdata_report_edition(r, i);
		PyObject *o2 = Py_BuildValue("{s:N,s:N,s:N,s:N,s:N,s:O,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n}",
			"year", pyto_str(e->year), "tag", pyto_str(e->tag), "effective_date", pyto_str(e->effective_date),
			"path", pyto_str(e->path), "version_id", pyto_str(e->version_id), "skipped",
			e->skipped ? Py_True : Py_False, "townships", (Py_ssize_t)e->townships, "entities",
			(Py_ssize_t)e->entities, "added", (Py_ssize_t)e->added, "removed", (Py_ssize_t)e->removed,
			"renamed", (Py_ssize_t)e->renamed, "reclassified", (Py_ssize_t)e->reclassified, "moved",
			(Py_ssize_t)e->moved, "events", (Py_ssize_t)e->events);
		if (!o2) {
			Py_CLEAR(eds);
			break;
		}
		PyList_SET_ITEM(eds, (Py_ssize_t)i, o2);
	}
	n = townorg_realdata_report_unmatched_count(r);
	un = PyList_New((Py_ssize_t)n);
	for (i = 0; un && i < n; i++) {
		const townorg_realdata_unmatched *u = townorg_realdata_report_unmatched(r, i);
		PyObject *o2 = Py_BuildValue("{s:N,s:n,s:i,s:N,s:N,s:N,s:N,s:N,s:N,s:N}", "file", pyto_str(u->file),
			"line", (Py_ssize_t)u->line, "table_year", u->table_year, "old_code", pyto_str(u->old_code),
			"old_name", pyto_str(u->old_name), "reason", pyto_str(u->reason), "new_code",
			pyto_str(u->new_code), "new_name", pyto_str(u->new_name), "documents", pyto_str(u->documents),
			"why", pyto_str(u->why));
		if (!o2) {
			Py_CLEAR(un);
			break;
		}
		PyList_SET_ITEM(un, (Py_ssize_t)i, o2);
	}
	if (eds && un)
		d = Py_BuildValue("{s:N,s:n,s:n,s:N}", "editions", eds, "mca_rows",
			(Py_ssize_t)townorg_realdata_report_mca_rows(r), "mca_matched",
			(Py_ssize_t)townorg_realdata_report_mca_matched(r), "unmatched", un);
	else {
		Py_XDECREF(eds);
		Py_XDECREF(un);
	}
	townorg_realdata_report_free(r);
	return d;
}

/* Verify a repository file; the report as a dict. */
PyObject *pyto_verify(const char *path)
{
	static const char *const kinds[] = { "?", "file", "object", "version", "reflog", "schema", "unchecked" };
	townorg_verify_report *r = NULL;
	PyObject *probs, *d = NULL;
	size_t i, n, no = 0, nv = 0, nl = 0;
	int rc;
	PYTO_NEED(path, "path");
	if ((rc = townorg_repo_verify(&r, path, NULL, NULL)) < 0)
		return pyto_raise(rc);
	n = townorg_verify_report_problem_count(r);
	probs = PyList_New((Py_ssize_t)n);
	for (i = 0; probs && i < n; i++) {
		townorg_verify_kind k = TOWNORG_VERIFY_FILE;
		const char *what = NULL, *msg = NULL;
		PyObject *t;
		townorg_verify_report_problem(r, i, &k, &what, &msg);
		t = Py_BuildValue("(sNN)", (unsigned)k <= 6 ? kinds[k] : "?", pyto_str(what), pyto_str(msg));
		if (!t) {
			Py_CLEAR(probs);
			break;
		}
		PyList_SET_ITEM(probs, (Py_ssize_t)i, t);
	}
	townorg_verify_report_counts(r, &no, &nv, &nl);
	if (probs)
		d = Py_BuildValue("{s:O,s:N,s:n,s:n,s:n,s:N}", "ok", townorg_verify_report_ok(r) ? Py_True : Py_False,
			"problems", probs, "objects", (Py_ssize_t)no, "versions", (Py_ssize_t)nv, "log_records",
			(Py_ssize_t)nl, "log_head", pyto_str(townorg_verify_report_log_head(r)));
	townorg_verify_report_free(r);
	return d;
}

/* Turn a list of dicts into a dict of columns (equal-length lists) for the
 * given keys, in C: to_frame() of findings and aggregates. */
PyObject *pyto_transpose(PyObject *rows, PyObject *keys)
{
	PyObject *cols = NULL, *seq = NULL, *ks = NULL;
	Py_ssize_t i, j, n, nk;
	seq = PySequence_Fast(rows, "rows must be a sequence of dicts");
	ks = seq ? PySequence_Fast(keys, "keys must be a sequence of str") : NULL;
	if (!ks)
		goto done;
	n = PySequence_Fast_GET_SIZE(seq);
	nk = PySequence_Fast_GET_SIZE(ks);
	cols = PyDict_New();
	for (j = 0; cols && j < nk; j++) {
		PyObject *k = PySequence_Fast_GET_ITEM(ks, j), *l = PyList_New(n);
		if (!l || PyDict_SetItem(cols, k, l) < 0) {
			Py_XDECREF(l);
			Py_CLEAR(cols);
			break;
		}
		for (i = 0; i < n; i++) {
			PyObject *row = PySequence_Fast_GET_ITEM(seq, i), *v;
			if (!PyDict_Check(row)) {
				PyErr_SetString(PyExc_TypeError, "rows must be dicts");
				Py_DECREF(l);
				Py_CLEAR(cols);
				goto done;
			}
			v = PyDict_GetItemWithError(row, k);
			if (!v && PyErr_Occurred()) {
				Py_DECREF(l);
				Py_CLEAR(cols);
				goto done;
			}
			if (!v)
				v = Py_None;
			Py_INCREF(v);
			PyList_SET_ITEM(l, i, v);
		}
		Py_DECREF(l);
	}
done:
	Py_XDECREF(seq);
	Py_XDECREF(ks);
	return cols;
}
/* ---- workbooks (issue 21): lib/xlsx_*.c ---- */

/* Whether workbook support is built in (an int return would go through
 * the error-code typemap). */
PyObject *pyto_xlsx_available(void)
{
	return PyBool_FromLong(townorg_xlsx_available());
}

/* Write the 台账 workbook of a version (since: add 变更表 and 精简率;
 * policy: add 核查结果). */
PyObject *pyto_xlsx_export(const townorg_version *v, const char *path, const townorg_version *since,
	const townorg_policy *policy)
{
	townorg_xlsx_export_options o = TOWNORG_XLSX_EXPORT_OPTIONS_INIT;
	int rc;
	PYTO_NEED(v, "version");
	PYTO_NEED(path, "path");
	o.changes_since = since;
	o.policy = policy;
	Py_BEGIN_ALLOW_THREADS
	rc = townorg_export_xlsx(v, path, &o);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return pyto_raise(rc);
	Py_RETURN_NONE;
}

/* Import a 台账 workbook as one version on a branch: a dict with the
 * version (pointer), the entity count and the notes. */
PyObject *pyto_xlsx_import(townorg_repo *repo, const char *path, const char *branch, int with_events,
	const char *author, const char *recorded_at, const char *effective_date, const char *message)
{
	townorg_xlsx_import_options o = TOWNORG_XLSX_IMPORT_OPTIONS_INIT;
	townorg_meta m = TOWNORG_META_INIT;
	townorg_xlsx_report *r = NULL;
	const townorg_version *v = NULL;
	PyObject *d, *notes;
	size_t i, n;
	int rc;
	PYTO_NEED(repo, "repository");
	PYTO_NEED(path, "path");
	m.author = author;
	m.recorded_at = recorded_at;
	m.effective_date = effective_date;
	m.message = message;
	o.branch = branch;
	o.meta = &m;
	o.with_events = with_events;
	if ((rc = townorg_import_xlsx(&v, &r, repo, path, &o)) < 0)
		return pyto_raise(rc);
	n = townorg_xlsx_report_note_count(r);
	notes = PyList_New((Py_ssize_t)n);
	for (i = 0; notes && i < n; i++)
		PyList_SET_ITEM(notes, (Py_ssize_t)i, pyto_str(townorg_xlsx_report_note(r, i)));
	d = PyDict_New();
	if (d && notes) {
		pyto_set(d, "version", pyto_ptr(v, SWIGTYPE_p_townorg_version));
		pyto_set(d, "entities", PyLong_FromSize_t(townorg_xlsx_report_entity_count(r)));
		pyto_set(d, "notes", notes);
		notes = NULL;
	}
	Py_XDECREF(notes);
	townorg_xlsx_report_free(r);
	return d;
}

/* Read a workbook's cells: a list of (sheet name, [(row, col, text,
 * is_number), ...]) in workbook order. */
PyObject *pyto_xlsx_read(const char *path)
{
	townorg_xlsx_book *b = NULL;
	PyObject *out;
	int rc;
	PYTO_NEED(path, "path");
	Py_BEGIN_ALLOW_THREADS
	rc = townorg_xlsx_open(&b, path);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return pyto_raise(rc);
	size_t ns = townorg_xlsx_sheet_count(b);
	out = PyList_New((Py_ssize_t)ns);
	for (size_t s = 0; out && s < ns; s++) {
		size_t nc = townorg_xlsx_cell_count(b, s);
		PyObject *cells = PyList_New((Py_ssize_t)nc);
		for (size_t i = 0; cells && i < nc; i++) {
			uint32_t row, col;
			const char *text;
			int num;
			townorg_xlsx_cell_at(b, s, i, &row, &col, &text, &num);
			PyObject *t = Py_BuildValue("(kkNO)", (unsigned long)row, (unsigned long)col, pyto_str(text),
						    num ? Py_True : Py_False);
			if (!t) {
				Py_CLEAR(cells);
				break;
			}
			PyList_SET_ITEM(cells, (Py_ssize_t)i, t);
		}
		PyObject *pair = cells ? Py_BuildValue("(NN)", pyto_str(townorg_xlsx_sheet_name(b, s)), cells) : NULL;
		if (!pair) {
			Py_CLEAR(out);
			break;
		}
		PyList_SET_ITEM(out, (Py_ssize_t)s, pair);
	}
	townorg_xlsx_close(b);
	return out;
}
%}

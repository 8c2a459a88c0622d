/* pyto_schema.i — the library's schema of entity attributes for Python
 * (townorg_attr_info_at, townorg_kind_label, townorg_class_label): the
 * frames' Chinese labels, the workbook and display code read the labels
 * the C library defines once (lib/core/schema.def), not a copy. */
%ignore townorg_attr_info;
%ignore townorg_attr_value;
%ignore townorg_attr_count;
%ignore townorg_attr_info_at;
%ignore townorg_attr_info_find;

%inline %{
/* Every attribute as a dict: name, type ("string", "enum", "integer",
 * "decimal", "list"), field (an int or None), in_csv, in_json, label_zh,
 * label_en, unit_zh, unit_en, values (a list of (token, zh, en), or None). */
PyObject *pyto_attr_schema(void)
{
	static const char *const types[] = { "string", "enum", "integer", "decimal", "list" };
	size_t n = townorg_attr_count();
	PyObject *list = PyList_New((Py_ssize_t)n);
	if (!list)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const townorg_attr_info *a = NULL;
		townorg_attr_info_at(&a, i);
		PyObject *values = Py_None;
		Py_INCREF(values);
		if (a->values) {
			Py_DECREF(values);
			values = PyList_New(0);
			for (const townorg_attr_value *v = a->values; values && v->token; v++) {
				PyObject *t = Py_BuildValue("(sss)", v->token, v->label_zh, v->label_en);
				if (!t || PyList_Append(values, t) < 0) {
					Py_XDECREF(t);
					Py_CLEAR(values);
					break;
				}
				Py_DECREF(t);
			}
		}
		PyObject *field = a->field >= 0 ? PyLong_FromLong(a->field) : (Py_INCREF(Py_None), Py_None);
		PyObject *d = values && field ? Py_BuildValue("{s:s,s:s,s:O,s:O,s:O,s:s,s:s,s:z,s:z,s:O}",
			"name", a->name, "type", types[a->type], "field", field,
			"in_csv", a->in_csv ? Py_True : Py_False, "in_json", a->in_json ? Py_True : Py_False,
			"label_zh", a->label_zh, "label_en", a->label_en, "unit_zh", a->unit_zh, "unit_en", a->unit_en,
			"values", values) : NULL;
		Py_XDECREF(values);
		Py_XDECREF(field);
		if (!d) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, d);
	}
	return list;
}

/* The label of a kind or a class (lang 0 English, 1 Chinese); None when invalid. */
PyObject *pyto_kind_label(int kind, int zh)
{
	const char *l = townorg_kind_label((townorg_kind)kind, zh ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	if (!l)
		Py_RETURN_NONE;
	return PyUnicode_FromString(l);
}

PyObject *pyto_class_label(int cls, int zh)
{
	const char *l = townorg_class_label((townorg_class)cls, zh ? TOWNORG_LANG_ZH : TOWNORG_LANG_EN);
	if (!l)
		Py_RETURN_NONE;
	return PyUnicode_FromString(l);
}
%}

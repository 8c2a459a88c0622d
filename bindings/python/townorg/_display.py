"""Display helpers: DataFrames, HTML for Jupyter, Graphviz graphs."""

import html

from . import _core

_INT_COLUMNS = ("population", "revenue_per_capita", "leader_posts", "actual_staff", "chief_posts", "deputy_posts",
                "admin_quota", "inst_quota", "quota_total")
_HTML_ROWS = 60


def frame_from_columns(cols):
    """A DataFrame from the column lists filled in C, with nullable integer
    columns (Int64) and areas as floats."""
    import pandas as pd
    df = pd.DataFrame(cols)
    for c in _INT_COLUMNS:
        if c in df:
            df[c] = pd.array(cols[c], dtype="Int64")
    if "area_km2" in df:
        df["area_km2"] = pd.array(cols["area_km2"], dtype="Float64")
    return df


def _e(x):
    return "" if x is None else html.escape(str(x))


def _table(headers, rows):
    out = ['<table class="townorg"><thead><tr>']
    out += ["<th>%s</th>" % _e(h) for h in headers]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join("<td>%s</td>" % _e(c) for c in r) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def entity_html(e):
    """HTML of one entity: its attributes as a two-column table."""
    d = e.to_dict()
    rows = [(k, v) for k, v in d.items() if k not in ("quotas", "attrs") and v is not None]
    rows += [("quota:" + k, v) for k, v in d["quotas"].items()]
    rows += [(k, "; ".join(v) if isinstance(v, list) else v) for k, v in d["attrs"].items()]
    return _table(("field", "value"), rows)


def version_html(v):
    """HTML of a version: its metadata, then its entities (the first rows)."""
    m = v.meta
    head = _table(("版本 version", "生效日期 effective", "文号 document", "作者 author", "说明 message", "实体 entities"),
                  [(v.id[:12], m["effective_date"], m["doc_number"], m["author"], m["message"], len(v))])
    df = v.to_frame()
    cols = [c for c in ("id", "parent_id", "kind", "name", "class", "admin_quota", "inst_quota", "leader_posts",
                        "actual_staff") if c in df]
    body = df[cols].head(_HTML_ROWS).to_html(index=False, na_rep="")
    more = "" if len(df) <= _HTML_ROWS else "<p>… %d more entities</p>" % (len(df) - _HTML_ROWS)
    return "<div>" + head + body + more + "</div>"


def diff_html(d):
    """HTML of a diff: a summary line, the changes, and per-township totals."""
    summary = "<p>新增 added %d，撤销 removed %d，变更 changed %d (%s)</p>" % (
        len(d.added), len(d.removed), len(d.changed), _e(d.relation))
    rows = []
    for x in d.deltas[:_HTML_ROWS]:
        if x.fields:
            for f in x.fields:
                rows.append((x.status, x.id, x.kind, f.name, f.old, f.new))
        else:
            rows.append((x.status, x.id, x.kind, "", "", ""))
    changes = _table(("status", "id", "kind", "field", "old", "new"), rows)
    t = d.townships
    totals = ""
    if t:
        totals = _table(("township", "name", "organs", "quota", "精简率 (organs)"),
                        [(u["id"], u["name"], "%d → %d" % (u["organs"]["before"], u["organs"]["after"]),
                          "%d → %d" % (u["quota"]["before"], u["quota"]["after"]), u["organs"]["text"] + "%")
                         for u in t])
    return "<div>" + summary + changes + totals + "</div>"


def findings_html(findings, conforms=None):
    """HTML of findings: severity, rule, entity, Chinese message, waiver."""
    head = "" if conforms is None else "<p>%s</p>" % ("符合 conforms" if conforms else "不符合 does not conform")
    rows = [(f.severity, f.rule, f.entity, f.message_zh, f.message_en,
             ("豁免 " + (f.waiver_document or "")) if f.waived else "") for f in findings]
    return "<div>" + head + _table(("severity", "rule", "entity", "信息", "message", "waiver"), rows) + "</div>"


def totals_frame(rows):
    """Per-unit aggregates as a DataFrame."""
    import pandas as pd
    out = []
    for u in rows:
        r = {"id": u["id"], "name": u["name"], "kind": u["kind"], "parent_id": u["parent_id"]}
        for what in ("organs", "quota", "staff"):
            x = u[what]
            r[what + "_before"] = x["before"]
            r[what + "_after"] = x["after"]
            r[what + "_reduction"] = x["value"] if x["available"] else None
        for qt, x in u["quotas"].items():
            r[qt + "_quota_before"] = x["before"]
            r[qt + "_quota_after"] = x["after"]
        out.append(r)
    keys = []
    for r in out:
        keys += [k for k in r if k not in keys]
    return pd.DataFrame(_core._c.pyto_transpose(out, keys or ["id"]))


class Graph:
    """A Graphviz graph: ``dot`` is the DOT text; ``svg()`` and ``png()``
    draw it in-process with libtownorg-chart (Graphviz's library, no ``dot``
    program), and Jupyter shows it.  The SVG starts with ``<svg`` (no XML
    declaration), so it can be inlined in HTML and notebooks."""

    def __init__(self, dot, render=None):
        self.dot = dot
        self._render = render  # callable(format) -> SVG str / PNG bytes (org charts)
        self._drawn = {}  # format -> drawing: a graph is drawn once per format

    source = property(lambda self: self.dot, doc="The DOT text.")

    @staticmethod
    def can_render():
        """True when this townorg was built with Graphviz (libtownorg-chart)."""
        return bool(_core._c.pyto_chart_available())

    def _draw(self, fmt):
        if fmt not in self._drawn:
            if self._render is not None:
                self._drawn[fmt] = self._render(fmt)
            else:
                self._drawn[fmt] = _core._c.pyto_chart_dot(self.dot, fmt)
        return self._drawn[fmt]

    def svg(self):
        """The graph drawn as SVG text (raises Error without Graphviz)."""
        return self._draw(1)

    def png(self):
        """The graph drawn as a PNG image (bytes; raises Error without Graphviz)."""
        return self._draw(2)

    def _repr_svg_(self):
        return self.svg() if self.can_render() else None

    def _repr_png_(self):
        return self.png() if self.can_render() else None

    def __str__(self):
        return self.dot

    def __repr__(self):
        return "<Graph %d bytes of DOT>" % len(self.dot)


def _q(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_KIND_ZH = {"office": "办公室", "center": "中心", "station": "站所", "team": "执法队", "listed": "单列机构",
            "dispatched": "派驻机构", "village": "村", "community": "社区", "town": "镇", "township": "乡",
            "subdistrict": "街道", "township_like": "类似乡级单位", "county": "县", "department": "部门"}


def org_chart(version, id):
    """An org chart of a unit as a Graph: the unit at the top, its organs
    below it with their quotas, posts and nameplates; villages and
    communities summarised in one box.  Drawn by libtownorg-chart (the same
    chart as ``townorg chart``) where this townorg was built with Graphviz;
    otherwise only the DOT text, made here."""
    if _core._c.pyto_chart_available():
        dot = _core._c.pyto_chart(version._p, id, 3, 1, 0)
        return Graph(dot, lambda fmt: _core._c.pyto_chart(version._p, id, fmt, 1, 0))
    root = version[id]
    kids = version.children(id)
    lines = ["digraph orgchart {", '  graph [rankdir=TB, fontname="Noto Sans CJK SC", charset="UTF-8"];',
             '  node [shape=box, style="rounded", fontname="Noto Sans CJK SC"];',
             '  edge [arrowhead=none];']
    label = root.name or root.id
    if root.cls:
        label += "\n(%s)" % {"large": "大", "medium": "中", "small": "小"}.get(root.cls, root.cls)
    total = version.quota_total(root.id) if root.is_township_level or root.kind == "county" else None
    if total is not None:
        label += "\n编制 %d" % total
    lines.append("  %s [label=%s, style=\"rounded,bold\"];" % (_q(root.id), _q(label)))
    places = 0
    for k in kids:
        if k.kind in ("village", "community"):
            places += 1
            continue
        parts = [k.name or k.id, _KIND_ZH.get(k.kind, k.kind)]
        q = k.quotas
        if q:
            parts.append(" ".join("%s %d" % ({"admin": "行政", "inst": "事业"}.get(t, t), n) for t, n in q.items()))
        if k.actual_staff is not None:
            parts.append("实有 %d" % k.actual_staff)
        if k.nameplates:
            parts.append("牌子: " + "、".join(k.nameplates))
        lines.append("  %s [label=%s];" % (_q(k.id), _q("\n".join(parts))))
        lines.append("  %s -> %s;" % (_q(root.id), _q(k.id)))
    if places:
        lines.append('  "_places" [label=%s, shape=note];' % _q("村/社区 %d 个" % places))
        lines.append("  %s -> \"_places\";" % _q(root.id))
    lines.append("}")
    return Graph("\n".join(lines) + "\n")

"""Display helpers: DataFrames, HTML for Jupyter, Graphviz graphs."""

import html
import shutil
import subprocess

from . import _core

_HTML_ROWS = 60


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
    df = v.to_frame().reset_index()
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
    """A Graphviz graph: ``dot`` is the DOT text; ``svg()`` renders it with
    the ``dot`` program where it is installed (Jupyter shows the SVG)."""

    def __init__(self, dot):
        self.dot = dot

    source = property(lambda self: self.dot, doc="The DOT text.")

    @staticmethod
    def can_render():
        """True when Graphviz's ``dot`` program is installed."""
        return shutil.which("dot") is not None

    def svg(self):
        """The graph rendered as SVG text (needs Graphviz's ``dot``)."""
        exe = shutil.which("dot")
        if exe is None:
            raise _core.Error("Graphviz 'dot' is not installed")
        r = subprocess.run([exe, "-Tsvg"], input=self.dot.encode("utf-8"), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
        if r.returncode != 0:
            raise _core.Error("dot failed: " + r.stderr.decode("utf-8", "replace").strip())
        return r.stdout.decode("utf-8")

    def _repr_svg_(self):
        return self.svg() if self.can_render() else None

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
    communities summarised in one box."""
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


def merge_html(m):
    """HTML of a merge: its status, and its conflicts (first rows)."""
    head = "<p>合并 merge: <b>%s</b>%s</p>" % (_e(m.status), "，冲突 %d conflicts" % len(m.conflicts)
                                                if m.conflicts else "")
    if not m.conflicts:
        return "<div>" + head + "</div>"
    rows = [(c.id, c.field, c.base, c.ours, c.theirs, c.ours_did, c.theirs_did) for c in m.conflicts[:_HTML_ROWS]]
    more = "" if len(m.conflicts) <= _HTML_ROWS else "<p>… %d more</p>" % (len(m.conflicts) - _HTML_ROWS)
    return "<div>" + head + _table(("id", "field", "base", "ours", "theirs", "ours did", "theirs did"), rows) + \
        more + "</div>"

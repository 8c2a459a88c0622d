# SPDX-License-Identifier: MulanPSL-2.0
"""Display helpers: DataFrames, HTML for Jupyter, Graphviz graphs."""

import html

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


_SEVERITY_STYLE = {"error": "color:#b00020;font-weight:bold", "warning": "color:#b36b00",
                   "info": "color:#1a5fb4"}


def _more(total, shown, what="more"):
    """The "… N more" line under a capped table ('' when nothing was cut)."""
    return "" if total <= shown else "<p>… %d %s</p>" % (total - shown, what)


def _capped(headers, rows, total=None):
    """A table of the first _HTML_ROWS rows and the "… N more" line."""
    total = len(rows) if total is None else total
    return _table(headers, rows[:_HTML_ROWS]) + _more(total, min(total, _HTML_ROWS))


def diff_html(d):
    """HTML of a diff: a summary line with the whole diff's 精简率 (a percent),
    the changes with the entities' names (first rows, then "… N more"),
    and per-township totals."""
    t = d.totals
    rate = ""
    if t and t["organs"]["available"]:
        rate = "；机构精简率 organs reduced %s%%（%d → %d）" % (t["organs"]["text"], t["organs"]["before"],
                                                           t["organs"]["after"])
    summary = "<p>新增 added %d，撤销 removed %d，变更 changed %d (%s)%s</p>" % (
        len(d.added), len(d.removed), len(d.changed), _e(d.relation), _e(rate))
    rows = []
    names = {}
    for v in (d.to_version, d.from_version):
        if v is not None:
            names[v] = v
    for x in d.deltas:
        ent = x.new if x.status != "removed" else x.old
        name = ent.name if ent is not None else ""
        if x.fields:
            for f in x.fields:
                rows.append((x.status, x.id, name, x.kind, f.name, f.old, f.new))
        else:
            rows.append((x.status, x.id, name, x.kind, "", "", ""))
        if len(rows) > _HTML_ROWS:
            break
    total = len(d.added) + len(d.removed) + sum(max(1, len(x.fields)) for x in d.changed)
    changes = _capped(("status", "id", "名称 name", "kind", "field", "old", "new"), rows, total)
    tw = d.townships
    totals = ""
    if tw:
        totals = _capped(("township", "name", "organs", "quota", "精简率 (organs)"),
                         [(u["id"], u["name"], "%d → %d" % (u["organs"]["before"], u["organs"]["after"]),
                           "%d → %d" % (u["quota"]["before"], u["quota"]["after"]),
                           u["organs"]["text"] + "%" if u["organs"]["available"] else "")
                          for u in tw])
    return "<div>" + summary + changes + totals + "</div>"


def findings_html(findings, conforms=None):
    """HTML of findings: severity (coloured), rule, entity, Chinese
    message, waiver; the first rows, then "… N more"."""
    head = "" if conforms is None else "<p>%s</p>" % ("符合 conforms" if conforms else "不符合 does not conform")
    out = ['<table class="townorg"><thead><tr>']
    out += ["<th>%s</th>" % _e(h) for h in ("severity", "rule", "entity", "信息", "message", "waiver")]
    out.append("</tr></thead><tbody>")
    for f in findings[:_HTML_ROWS]:
        sev = '<td style="%s">%s</td>' % (_SEVERITY_STYLE.get(f.severity, ""), _e(f.severity))
        cells = (f.rule, f.entity, f.message_zh, f.message_en,
                 ("豁免 " + (f.waiver_document or "")) if f.waived else "")
        out.append("<tr>" + sev + "".join("<td>%s</td>" % _e(c) for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "<div>" + head + "".join(out) + _more(len(findings), min(len(findings), _HTML_ROWS)) + "</div>"


def repository_html(r):
    """HTML of a repository: its file, branches and tags, and the log (first rows)."""
    if not r.alive:
        return "<p>Repository (closed)</p>"
    head = "<p>仓库 repository %s：%d 个版本 versions</p>" % (_e(r.path or "(memory)"), len(r))
    br = _table(("分支 branch", "head", "生效日期 effective", "文号 document"),
                [(b, v.id[:12] if v else "", v.effective_date if v else "", v.doc_number if v else "")
                 for b, v in r.branches.items()])
    tags = r.tags
    tg = _capped(("标签 tag", "version", "生效日期 effective"),
                 [(n, v.id[:12], v.effective_date) for n, v in tags.items()]) if tags else ""
    log = r.log(all=True, max_count=_HTML_ROWS)
    lg = _table(("version", "date", "document", "message", "refs"),
                [(i[:12], "" if dt is None or str(dt) == "NaT" else str(dt)[:10], doc if isinstance(doc, str) else "",
                  (msg.splitlines()[0] if isinstance(msg, str) and msg else ""), ", ".join(refs))
                 for i, dt, doc, msg, refs in zip(log["id"], log["date"], log["document"], log["message"],
                                                  log["refs"])]) + _more(len(r), len(log), "more versions")
    return "<div>" + head + br + tg + lg + "</div>"


def lineage_html(lin):
    """HTML of a lineage: its picture where it can be drawn, then its nodes
    and edges (names beside ids)."""
    nodes = _capped(("id", "名称 name", "kind", "present", "root"),
                    [(n["id"], n.get("name"), n.get("kind"), "✓" if n.get("present") else "",
                      "★" if n.get("is_root") else "") for n in lin.nodes])
    names = {n["id"]: n.get("name") or "" for n in lin.nodes}
    edges = _capped(("from", "", "to", "", "event", "date"),
                    [(e["from_id"], names.get(e["from_id"], ""), e["to_id"], names.get(e["to_id"], ""),
                      e["event"].kind, e["event"].date or (e["version"].effective_date if e["version"] else ""))
                     for e in lin.edges])
    pic = ""
    try:
        svg = lin._repr_svg_()
    except Exception:
        svg = None
    if svg:
        pic = "<div>" + svg + "</div>"
    return "<div>" + pic + nodes + edges + "</div>"


def blame_html(b):
    """HTML of a blame: each field's value and the version (document, date, author) that set it."""
    head = "<p>%s — 溯源 blame at %s</p>" % (_e(b.id), _e(b.at.id[:12]))
    return "<div>" + head + _capped(("field", "value", "version", "文号 document", "生效日期 effective", "author"),
                                    [(e.field, e.value, e.version.id[:12] if e.version else "", e.doc_number,
                                      e.effective_date, e.author) for e in b.entries]) + "</div>"


def policy_html(p):
    """HTML of a policy: title, dates, waivers, and its rules with their
    default severity (coloured).  The C library has no getter for a
    policy's current enabled flags and severities, so those are not shown."""
    if p._ptr is None:
        return "<p>Policy (closed)</p>"
    head = "<p>政策 policy: <b>%s</b> %s – %s，豁免 %d waivers</p>" % (
        _e(p.title or "(untitled)"), _e(p.valid_from or ""), _e(p.valid_to or ""), p.waiver_count)
    rows = p.rules()
    out = ['<table class="townorg"><thead><tr><th>rule</th><th>default severity</th><th>custom</th>'
           '<th>description</th></tr></thead><tbody>']
    for r in rows[:_HTML_ROWS]:
        out.append('<tr><td>%s</td><td style="%s">%s</td><td>%s</td><td>%s</td></tr>' % (
            _e(r["id"]), _SEVERITY_STYLE.get(r["severity"], ""), _e(r["severity"]), "✓" if r["custom"] else "",
            _e(r["description"])))
    out.append("</tbody></table>")
    return "<div>" + head + "".join(out) + _more(len(rows), min(len(rows), _HTML_ROWS)) + "</div>"


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


def strip_xml_declaration(svg):
    """The SVG without its XML declaration and DOCTYPE (and the comments
    before the <svg> element): Jupyter's nbconvert 6.5 fails on a
    declaration inside an HTML page, and inline SVG needs neither."""
    i = svg.find("<svg")
    return svg[i:] if i > 0 else svg


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

    def _repr_html_(self):
        # The picture as inline SVG inside HTML: nbconvert 6.5's HTML export
        # passes image/svg+xml outputs through its sanitizer, which keeps
        # only their text, while text/html (preferred to SVG) is kept whole.
        return '<div class="townorg-graph">%s</div>' % self.svg() if self.can_render() else None

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

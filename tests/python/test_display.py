# SPDX-License-Identifier: MulanPSL-2.0
"""Rich display (_repr_html_ everywhere, capped tables, coloured
severities, names beside ids), SVG fit for nbconvert, and to_networkx()."""

import pytest

import townorg
from conftest import build_small


@pytest.fixture
def yixian():
    r = townorg.examples.yixian()
    yield r
    r.close()


def test_repository_html(yixian):
    h = yixian._repr_html_()
    assert h.startswith("<div>") and "main" in h and "2008-reform" in h and "黟编〔2008〕5号" in h
    assert yixian.head().id[:12] in h
    yixian.close()
    assert "closed" in yixian._repr_html_()


def test_long_tables_are_capped():
    r = townorg.Repository()
    with r.transaction(branch="main") as tx:
        tx.create("1", "county", "县")
        for i in range(70):
            tx.create("1-%03d" % i, "town", "镇%d" % i, parent_id="1")
    d = r.diff(None, "main")
    h = d._repr_html_()
    assert "… 11 more" in h and "… 10 more" in h  # changes (71 rows), townships (70)
    assert h.count("<tr>") == 2 * (1 + 60)
    assert "镇0" in h  # the names beside the ids
    pol = townorg.Policy()
    for i in range(70):
        pol.register_rule("local.r%02d" % i, lambda ctx, v: None)
    n = len(pol.rules())
    assert "… %d more" % (n - 60) in pol._repr_html_()
    r.close()


def test_validation_html_colours_severities(yixian):
    val = yixian.head().validate()
    h = val._repr_html_()
    assert "color:#b00020" in h and ">error<" in h
    assert "不符合" in h


def test_diff_html_has_names_and_rate(yixian):
    d = yixian.diff("2007-baseline", "2008-reform")
    h = d._repr_html_()
    assert "碧阳镇为民服务中心" in h and "341023100-C1" in h
    assert "机构精简率" in h and d.totals["organs"]["text"] + "%" in h


def test_blame_lineage_policy_html(yixian):
    v = yixian.head()
    b = v.blame("341023102")
    h = b._repr_html_()
    assert "341023102" in h and "黟编〔2008〕5号" in h
    lin = v.lineage("341023100-C1")
    h = lin._repr_html_()
    assert "碧阳镇为民服务中心" in h and "碧阳镇文化广播电视站" in h and "merge" in h
    pol = townorg.policies.load("default")
    h = pol._repr_html_()
    assert "quota.pool" in h and "color:" in h
    pol.close()


def test_svg_has_no_xml_declaration(small):
    if not townorg.Graph.can_render():
        pytest.skip("Graphviz's dot is not installed")
    svg = small.head().org_chart("341023-002").svg()
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    lin = small.head().lineage("341023-002")
    assert lin._repr_svg_().startswith("<svg")


def test_strip_declaration():
    from townorg._display import strip_xml_declaration
    assert strip_xml_declaration('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg a="1"/>') == '<svg a="1"/>'
    assert strip_xml_declaration("<svg/>") == "<svg/>"


def test_tree_to_networkx(small):
    nx = pytest.importorskip("networkx")
    g = small.head().to_networkx()
    assert isinstance(g, nx.DiGraph) and g.number_of_nodes() == len(small.head())
    assert g.number_of_edges() == len(small.head()) - 1
    assert set(g.successors("341023-002")) == {"341023-002-01", "341023-002-02", "341023-002-03", "341023-002-10"}
    assert g.nodes["341023-002-01"]["admin_quota"] == 10 and g.nodes["341023-002"]["name"] == "渔亭镇"
    assert g.nodes["341023-002"]["cls"] == "small" and g.nodes["341023-002-01"]["cls"] is None
    sub = small.head().to_networkx(under="341023-002")
    assert "341023" not in sub and nx.is_arborescence(sub)
    with pytest.raises(townorg.NotFound):
        small.head().to_networkx(under="nope")


def test_lineage_to_networkx(yixian):
    nx = pytest.importorskip("networkx")
    lin = yixian.head().lineage("341023100-C1")
    g = lin.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(lin.nodes) and g.number_of_edges() == len(lin.edges)
    preds = set(g.predecessors("341023100-C1"))
    assert "341023100-S1" in preds and g.nodes["341023100-C1"]["is_root"]
    e = next(iter(g.get_edge_data("341023100-S1", "341023100-C1").values()))
    assert e["kind"] == "merge" and e["version"] == yixian.head().id


def test_graph_html_is_inline_svg(small):
    if not townorg.Graph.can_render():
        pytest.skip("Graphviz's dot is not installed")
    g = small.head().org_chart("341023-002")
    h = g._repr_html_()
    assert h.startswith('<div class="townorg-graph"><svg') and "<?xml" not in h and "渔亭镇" in h

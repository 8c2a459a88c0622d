# SPDX-License-Identifier: MulanPSL-2.0
"""NetworkX graphs of the tree and of lineages (``to_networkx()``).

Design: the tree is a ``networkx.DiGraph`` with an edge parent → child for
every entity (of a version, or below one unit), each node carrying the
entity's name, kind, class and quotas as attributes; built from the same
arrays as ``Version.to_frame()`` (one pass, no per-entity lookups).  A
lineage is a ``networkx.MultiDiGraph`` (two entities can be linked by more
than one event) with an edge predecessor → successor per event record,
carrying the event's kind, date, event id and version id; nodes carry
name, kind, present (still exists) and is_root (the entity asked about).
NetworkX (Debian's python3-networkx) is imported only when called.
"""


def _nx():
    try:
        import networkx
    except ImportError as e:  # pragma: no cover - python3-networkx is a dependency of this feature
        raise ImportError("to_networkx() needs NetworkX (Debian: python3-networkx)") from e
    return networkx


def tree_graph(version, under=None, kinds=None):
    """The tree of a version as a DiGraph parent → child."""
    nx = _nx()
    df = version.to_frame(under=under, kinds=kinds)
    g = nx.DiGraph(version=version.id, effective_date=version.effective_date)
    ids = list(df.index)
    names = df["name"].tolist()
    kinds_ = df["kind"].tolist()
    classes = df["class"].tolist()
    admin = df["admin_quota"].tolist()
    inst = df["inst_quota"].tolist()
    parents = df["parent_id"].tolist()
    for i, eid in enumerate(ids):
        cls = classes[i]
        g.add_node(eid, name=names[i], kind=kinds_[i], cls=None if cls != cls else cls,
                   admin_quota=None if admin[i] is None or str(admin[i]) == "<NA>" else int(admin[i]),
                   inst_quota=None if inst[i] is None or str(inst[i]) == "<NA>" else int(inst[i]))
    present = set(ids)
    for i, eid in enumerate(ids):
        p = parents[i]
        if isinstance(p, str) and p in present:
            g.add_edge(p, eid)
    return g


def lineage_graph(lineage):
    """A lineage as a MultiDiGraph predecessor → successor."""
    nx = _nx()
    g = nx.MultiDiGraph()
    for n in lineage.nodes:
        g.add_node(n["id"], name=n.get("name"), kind=n.get("kind"), present=bool(n.get("present")),
                   is_root=bool(n.get("is_root")))
    for e in lineage.edges:
        ev = e["event"]
        g.add_edge(e["from_id"], e["to_id"], kind=ev.kind, date=ev.date, event_id=ev.event_id,
                   version=e["version"].id if e["version"] is not None else None)
    return g

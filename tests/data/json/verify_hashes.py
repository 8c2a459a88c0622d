#!/usr/bin/env python3
# SPDX-License-Identifier: MulanPSL-2.0
"""Recompute every state hash and version id of a townorg/1 repository
document from docs/format.md ("Canonical encoding") alone, independently of
the C library.  Exits 1 on the first mismatch.

    python3 tests/data/json/verify_hashes.py tests/data/json/good/repo.json
"""
import hashlib
import json
import sys
from decimal import Decimal

KINDS = ["province", "prefecture", "county", "department", "town", "township", "subdistrict",
         "township_like", "office", "center", "station", "team", "listed", "dispatched", "village",
         "community"]
CLASSES = [None, "large", "medium", "small"]
INT_FIELDS = ["population", "area_km2", "revenue_per_capita", "leader_posts", "actual_staff",
              "chief_posts", "deputy_posts", "admin", "inst"]
EVENTS = ["create", "abolish", "merge", "split", "reorganize", "rename", "reclassify", "move",
          "transfer_functions", "transfer_staff", "transfer_archives"]


def varint(v):
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        out.append(c | (0x80 if v else 0))
        if not v:
            return bytes(out)


def zigzag(v):
    return ((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF


def string(s):
    if s is None:
        return varint(0)
    b = s.encode("utf-8")
    return varint(len(b) + 1) + b


def entity_bytes(e):
    out = varint(KINDS.index(e["kind"]) + 1)
    out += string(e["id"]) + string(e.get("name", "")) + string(e.get("parent_id"))
    out += varint(CLASSES.index(e.get("class")))
    quotas = e.get("quotas", {})
    values = {}
    for f, name in enumerate(INT_FIELDS):
        if name == "area_km2" and name in e:
            values[f] = int(Decimal(repr(e[name])) * 10)
        elif name in ("admin", "inst"):
            if name in quotas:
                values[f] = quotas[name]
        elif name in e:
            values[f] = e[name]
    out += varint(sum(1 << f for f in values))
    for f in sorted(values):
        out += varint(zigzag(values[f]))
    extra = sorted((t, v) for t, v in quotas.items() if t not in ("admin", "inst"))
    out += varint(len(extra))
    for t, v in extra:
        out += string(t) + varint(zigzag(v))
    attrs = sorted(e.get("attrs", {}).items(), key=lambda kv: kv[0].encode())
    out += varint(len(attrs))
    for name, v in attrs:
        is_list = isinstance(v, list)
        vals = sorted(set(v), key=lambda s: s.encode()) if is_list else [v]
        out += string(name) + varint(int(is_list)) + varint(len(vals))
        for s in vals:
            out += string(s)
    return out


def entity_hash(e):
    return hashlib.sha256(b"townorg-entity-1\0" + entity_bytes(e)).digest()


def keyhash(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    for mul in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        h ^= h >> 33
        h = (h * mul) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 33
    return h


def node_hash(leaves, depth, root):
    """leaves: list of (id, keyhash, entity hash) sharing the prefix so far."""
    if depth == 13:
        leaves = sorted(leaves, key=lambda x: x[0].encode())
        data = b"C" + len(leaves).to_bytes(4, "little")
        for _, _, eh in leaves:
            data += b"L" + eh
        return hashlib.sha256(b"townorg-node-1\0" + data).digest()
    slots = {}
    for leaf in leaves:
        slots.setdefault((leaf[1] >> (5 * depth)) & 31, []).append(leaf)
    bitmap = sum(1 << i for i in slots)
    data = b"B" + bitmap.to_bytes(4, "little")
    for i in sorted(slots):
        group = slots[i]
        if len(group) == 1:
            data += b"L" + group[0][2]
        else:
            data += b"N" + node_hash(group, depth + 1, False)
    return hashlib.sha256(b"townorg-node-1\0" + data).digest()


def state_hash(entities):
    leaves = [(e["id"], keyhash(e["id"]), entity_hash(e)) for e in entities.values()]
    return node_hash(leaves, 0, True).hex()


def version_id(v, state):
    doc = v.get("document", {})
    out = string(state) + varint(len(v["parents"]))
    for p in v["parents"]:
        out += string(p)
    for s in (v.get("effective_date"), v.get("recorded_at"), v.get("author"), doc.get("issuer"),
              doc.get("number"), doc.get("date"), doc.get("title"), v.get("message")):
        out += string(s)
    events = v.get("events", [])
    out += varint(len(events))
    for i, ev in enumerate(events):
        out += varint(EVENTS.index(ev["kind"]) + 1) + string(ev.get("id", "e%d" % (i + 1)))
        for key in ("from_ids", "to_ids", "documents"):
            lst = ev.get(key, [])
            out += varint(len(lst))
            for s in lst:
                out += string(s)
        out += string(ev.get("date")) + string(ev.get("wording"))
    return hashlib.sha256(b"townorg-version-1\0" + out).hexdigest()


def main(path):
    doc = json.load(open(path, encoding="utf-8"))
    states = {}
    for i, v in enumerate(doc["versions"]):
        if v["parents"]:
            ents = dict(states[v["parents"][0]])
            for rid in v["changes"]["remove"]:
                del ents[rid]
            for e in v["changes"]["put"]:
                ents[e["id"]] = e
        else:
            ents = {e["id"]: e for e in v["entities"]}
        s = state_hash(ents)
        vid = version_id(v, s)
        if s != v["state_hash"] or vid != v["id"]:
            print("versions[%d]: computed state %s id %s; document says %s %s"
                  % (i, s, vid, v["state_hash"], v["id"]))
            return 1
        states[vid] = ents
    print("ok: %d versions, every state hash and version id recomputed" % len(doc["versions"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

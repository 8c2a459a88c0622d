#!/usr/bin/env python3
# SPDX-License-Identifier: MulanPSL-2.0
"""layer-graph.py — keep lib/ a staircase without circles.

The library's sources live in folders by layer (lib/README.md), bottom up:

    base < core < store < analysis < validate < io

Two checks, both must pass:

1. Includes.  A file of lib/LAYER/ may include internal headers of its own
   layer or of a layer below, always by their layer path ("core/hamt.h"),
   and the public headers ("townorg/…").  The CLI, the bindings and the
   benchmarks include no internal header at all.
2. Calls.  From `nm` of every object of the built library: each undefined
   symbol is resolved to the object that defines it; a call may not go to a
   higher layer, and no two objects may call each other in a circle (even
   inside one layer) — strongly connected components of the object graph
   must be single objects.

Usage: layer-graph.py SRCDIR BUILDDIR   (exit 0 clean, 1 violations,
77 when the objects are missing, so the call check cannot run).
"""
import glob
import os
import re
import subprocess
import sys

LAYERS = ["base", "core", "store", "analysis", "validate", "io"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    """The layer of a path below lib/ (source or object), or None."""
    parts = path.replace(os.sep, "/").split("/")
    for i, p in enumerate(parts[:-1]):
        if p == "lib" and i + 1 < len(parts) and parts[i + 1] in RANK:
            return parts[i + 1]
    return None


def check_includes(src):
    problems = []
    for f in sorted(glob.glob(os.path.join(src, "lib", "**", "*.[ch]"), recursive=True)):
        rel = os.path.relpath(f, src)
        mine = layer_of(rel)
        if mine is None:
            problems.append(f"{rel}: not in a layer folder ({', '.join(LAYERS)})")
            continue
        text = open(f, encoding="utf-8").read()
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if inc.startswith("townorg/") or inc == "townorg.h" or inc == "config.h":
                continue
            top = inc.split("/")[0]
            if top not in RANK:
                problems.append(f"{rel}:{line}: #include \"{inc}\" names no layer (write it as LAYER/FILE)")
            elif RANK[top] > RANK[mine]:
                problems.append(f"{rel}:{line}: #include \"{inc}\" reaches up from {mine} to {top}")
    for d in ("cli", "bindings", "bench", "render"):
        for f in sorted(glob.glob(os.path.join(src, d, "**", "*.[chi]"), recursive=True)):
            rel = os.path.relpath(f, src)
            text = open(f, encoding="utf-8", errors="replace").read()
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                if inc.split("/")[0] in RANK or "lib/" in inc or inc.endswith("_internal.h"):
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{rel}:{line}: #include \"{inc}\": outside lib/ only the public API may be used")
    return problems


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBRVWGS":
            defined.add(p[2])
        elif len(p) == 2 and p[0] == "U":
            undefined.add(p[1])
    return defined, undefined


def check_calls(build):
    objs = [o for o in glob.glob(os.path.join(build, "lib", "**", "*.o"), recursive=True)
            if "/.libs/" not in o and layer_of(os.path.relpath(o, build))]
    if not objs:
        return None
    name = {o: re.sub(r"^libtownorg_core_la-", "", os.path.basename(o))[:-2] for o in objs}
    label = {o: f"{layer_of(os.path.relpath(o, build))}/{name[o]}" for o in objs}
    owner, needs = {}, {}
    for o in objs:
        d, u = symbols(o)
        needs[o] = u
        for s in d:
            owner[s] = o
    graph = {o: {} for o in objs}
    for o in objs:
        for s in needs[o]:
            t = owner.get(s)
            if t and t != o:
                graph[o].setdefault(t, []).append(s)
    problems = []
    for o in objs:
        for t, syms in graph[o].items():
            lo, lt = layer_of(os.path.relpath(o, build)), layer_of(os.path.relpath(t, build))
            if RANK[lt] > RANK[lo]:
                problems.append(f"{label[o]} calls up into {label[t]}: {', '.join(sorted(syms)[:4])}")
    # Tarjan's strongly connected components, iteratively.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    for root in objs:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph[w])))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(comp)
    for comp in sccs:
        if len(comp) > 1:
            members = set(comp)
            edges = [f"{label[a]} -> {label[b]} ({', '.join(sorted(graph[a][b])[:3])})"
                     for a in sorted(comp) for b in sorted(graph[a]) if b in members]
            problems.append("cycle of calls: " + "; ".join(edges))
    return problems, len(objs)


def main():
    src, build = sys.argv[1], sys.argv[2]
    inc = check_includes(src)
    for p in inc:
        print("include:", p)
    calls = check_calls(build)
    if calls is None:
        print(f"SKIP: no objects under {build}/lib (build the library first); includes "
              f"{'clean' if not inc else 'NOT clean'}")
        return 1 if inc else 77
    problems, n = calls
    for p in problems:
        print("call:", p)
    print(f"{n} objects in {len(LAYERS)} layers ({' < '.join(LAYERS)}): "
          f"{len(inc)} include and {len(problems)} call problems")
    return 1 if inc or problems else 0


if __name__ == "__main__":
    sys.exit(main())

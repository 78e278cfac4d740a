#!/usr/bin/env python3
"""The shape of lib/, checked on every build (issue 24).

Two rules, from each file's #include lines and from the symbols each object
file of libsbx defines and uses (nm on the static archive):

1. No two files under lib/ include or call each other in a circle, however
   long.  A file is a node; `a.c` including `b.h` is an edge a.c -> b.h, and
   a.o using a symbol b.o defines is an edge a.c -> b.c.
2. A folder never includes or calls a folder above it.  The folders, lowest
   first, in the order of a launch: base, syscalls, profile, plan, launch,
   report (lib/include holds only the public header).

Usage: check-lib-layers.py LIBDIR ARCHIVE [NM]
Prints every violation with the symbols or include that make it; exits 1 if
there is any.  `--self-test` proves the checker finds a circle and an upward
call in a small made-up graph (so the real check cannot pass vacuously)."""
import os
import re
import subprocess
import sys

ORDER = ["base", "syscalls", "profile", "plan", "launch", "report"]
RANK = {f: i for i, f in enumerate(ORDER)}


def folder(path):
    return path.split("/", 1)[0] if "/" in path else ""


def includes(libdir):
    """{file: {included file: 'include'}} for files under libdir."""
    edges = {}
    for root, _, names in os.walk(libdir):
        for n in names:
            if not n.endswith((".c", ".h")):
                continue
            full = os.path.join(root, n)
            rel = os.path.relpath(full, libdir)
            if rel.startswith("include/"):
                continue
            out = edges.setdefault(rel, {})
            with open(full, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if m and os.path.exists(os.path.join(libdir, m.group(1))) \
                            and not m.group(1).startswith("include/"):
                        out[m.group(1)] = "#include"
    return edges


def member_to_source(member, libdir):
    # meson names an object after its source path with '/' as '_':
    # plan_plan_build.c.o is plan/plan_build.c (folder names have no '_').
    member = os.path.basename(member)
    base = member[:-2] if member.endswith(".o") else member
    if "_" not in base:
        return None
    f, rest = base.split("_", 1)
    src = f"{f}/{rest}"
    return src if os.path.exists(os.path.join(libdir, src)) else None


def calls(archive, libdir, nm="nm"):
    """{caller.c: {callee.c: 'symbols'}} from nm on the archive."""
    out = subprocess.run([nm, archive], capture_output=True, text=True, check=True).stdout
    defined, used, cur = {}, {}, None
    for line in out.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            cur = member_to_source(line[:-1], libdir)
            continue
        if cur is None:
            continue
        p = line.split()
        if len(p) == 3 and p[1] in "TDBRV":
            defined[p[2]] = cur
        elif len(p) == 2 and p[0] == "U":
            used.setdefault(cur, set()).add(p[1])
    edges = {}
    for src, syms in used.items():
        for s in syms:
            d = defined.get(s)
            if d and d != src:
                edges.setdefault(src, {}).setdefault(d, []).append(s)
    return {a: {b: " ".join(sorted(v)) for b, v in t.items()} for a, t in edges.items()}


def merge(*graphs):
    g = {}
    for gr in graphs:
        for a, t in gr.items():
            for b, why in t.items():
                g.setdefault(a, {})
                g[a][b] = (g[a][b] + "; " + why) if b in g[a] else why
    return g


def circles(g):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, comps, n = {}, {}, [], set(), [], [0]
    nodes = set(g) | {b for t in g.values() for b in t}

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return comps


def violations(g):
    bad = []
    for comp in circles(g):
        inside = set(comp)
        why = [f"    {a} -> {b}: {g[a][b]}" for a in comp for b in sorted(g.get(a, {})) if b in inside]
        bad.append("circle: " + " ".join(comp) + "\n" + "\n".join(why))
    for a, t in sorted(g.items()):
        for b, why in sorted(t.items()):
            fa, fb = folder(a), folder(b)
            if fa not in RANK or fb not in RANK:
                bad.append(f"outside the known folders: {a} -> {b}")
            elif RANK[fb] > RANK[fa]:
                bad.append(f"upward: {a} ({fa}) -> {b} ({fb}): {why}")
    return bad


def self_test():
    g = {"plan/a.c": {"plan/b.c": "f"}, "plan/b.c": {"plan/a.h": "#include"},
         "plan/a.h": {"plan/a.c": "g"}, "base/x.c": {"report/y.c": "h"}}
    v = violations(g)
    assert any(s.startswith("circle: plan/a.c plan/a.h plan/b.c") for s in v), v
    assert any(s.startswith("upward: base/x.c") for s in v), v
    assert not violations({"report/y.c": {"base/x.c": "h"}})
    print("self-test: a circle and an upward call are found; a clean graph passes")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    libdir, archive = sys.argv[1], sys.argv[2]
    nm = sys.argv[3] if len(sys.argv) > 3 else "nm"
    c = calls(archive, libdir, nm)
    if not c:
        print(f"no call edges read from {archive}: the check would pass vacuously", file=sys.stderr)
        return 1
    g = merge(includes(libdir), c)
    bad = violations(g)
    nfiles = len(set(g) | {b for t in g.values() for b in t})
    for b in bad:
        print(b)
    print(f"{nfiles} files, {sum(len(t) for t in g.values())} edges, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Fail on an import cycle in src/samen (issue #22, ADR 0053). Run by `make contracts`.

What "the import graph has no cycle" means here, in two parts:

1. **Modules**: no cycle between any two modules of samen, counting every import that runs
   (at module level or inside a function); imports under `if TYPE_CHECKING:` never run and are
   left out. Tests, migrations and the conftest are left out: a test may import what it needs.
2. **Apps**: the domain (models, services, selectors and every other module that is not an
   entry point) imports the other apps without a cycle; pages and entry points (views, API
   views, serializers, URLs, template tags, management commands, the admin registration)
   compose any app and are left out. import-linter's `apps-acyclic` contract checks the same;
   this script says it in the same words as `scripts/house_measure.py`, which imports it.

    .venv/bin/python scripts/import_cycles.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable

import grimp

# The last part of a module name (or the package it is in) that makes it a page or an entry
# point; the same list as the ignore_imports of `apps-acyclic` in .importlinter.
ENTRY_POINTS = {
    "views", "api", "urls", "api_urls", "serializers", "templatetags", "management", "admin",
}  # fmt: skip
TOP_ENTRY_POINTS = {"samen.urls", "samen.conftest"}


def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        "samen", include_external_packages=False, exclude_type_checking_imports=True
    )


def left_out(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or "migrations" in parts or module == "samen.conftest"


def is_entry_point(module: str) -> bool:
    parts = module.split(".")
    return module in TOP_ENTRY_POINTS or (len(parts) > 2 and parts[2] in ENTRY_POINTS)


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def sccs(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    nodes = sorted(set(edges) | {w for ws in edges.values() for w in ws})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
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
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return sorted(out)


def module_edges(g: grimp.ImportGraph) -> dict[str, set[str]]:
    modules = {m for m in g.modules if not left_out(m)}
    return {m: {t for t in g.find_modules_directly_imported_by(m) if t in modules} for m in modules}


def app_edges(g: grimp.ImportGraph, *, pages: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for m, targets in module_edges(g).items():
        if not pages and is_entry_point(m):
            continue
        for t in targets:
            if app_of(m) != app_of(t):
                edges[app_of(m)].add(app_of(t))
    return edges


def _show(title: str, cycles: Iterable[list[str]]) -> None:
    cycles = list(cycles)
    print(f"{title}: {cycles or 'none'}")


def main() -> int:
    g = graph()
    modules = sccs(module_edges(g))
    apps = sccs(app_edges(g, pages=False))
    _show("module import cycles (every import that runs)", modules)
    _show("app import cycles of the domain (pages and entry points compose)", apps)
    return 1 if modules or apps else 0


if __name__ == "__main__":
    sys.exit(main())

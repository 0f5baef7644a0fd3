"""Print the structure figures of issue #22: import cycles, in-function imports of samen.*,
ORM calls in views/API/template tags, the largest files, and coverage per app.

    .venv/bin/python scripts/house_measure.py [--coverage coverage.json]

Static only (AST, and grimp for the cycles): it imports nothing from samen, so it runs on any
checkout. The cycles are measured as `make contracts` checks them (scripts/import_cycles.py).
"""

from __future__ import annotations

import argparse
import ast
import json
from collections import defaultdict
from pathlib import Path

import import_cycles

ROOT = Path(__file__).resolve().parent.parent / "src" / "samen"
ORM_METHODS = {
    "objects", "get_object_or_404", "get_list_or_404", "filter", "exclude", "annotate",
    "select_related", "prefetch_related", "order_by", "values_list", "aggregate",
    "select_for_update", "bulk_create", "update_or_create", "get_or_create",
}  # fmt: skip


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if "migrations" in parts or "tests" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path):
    """(module imported, inside a function?, has a comment saying why)"""
    src = path.read_text()
    lines = src.splitlines()
    tree = ast.parse(src)
    fn_ranges = [
        (n.lineno, n.end_lineno)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    type_checking = [
        (n.lineno, n.end_lineno)
        for n in ast.walk(tree)
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        names = [n for n in names if n.startswith("samen.")]
        if not names:
            continue
        if any(a <= node.lineno <= b for a, b in type_checking):
            continue
        inside = any(a < node.lineno <= b for a, b in fn_ranges)
        here = lines[node.lineno - 1]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        why = "#" in here or above.startswith("#")
        yield names, inside, why, node.lineno


def _view_file(path: Path) -> bool:
    name = path.name
    return (
        name in {"views.py", "api.py"}
        or name.endswith("_views.py")
        or "templatetags" in path.parts
        or (path.parent.name in {"api", "views"} and name not in {"__init__.py", "urls.py"})
    )


def _is_library(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "register"


def _orm_calls(path: Path) -> int:
    n = 0
    for node in ast.walk(ast.parse(path.read_text())):
        # `@register.filter` in a template tag library defines a filter; it queries nothing.
        if isinstance(node, ast.Attribute) and _is_library(node.value):
            continue
        if (isinstance(node, ast.Attribute) and node.attr in ORM_METHODS) or (
            isinstance(node, ast.Name) and node.id in {"get_object_or_404", "get_list_or_404"}
        ):
            n += 1
    return n


# The one layout (docs/architecture.md): a page's code is found from its URL by these names.
LAYOUT = {
    "models": ("models.py",),
    "services": ("services.py", "services"),
    "selectors": ("selectors.py", "selectors"),
    "views": ("views.py",),
    "urls": ("urls.py",),
    "api": ("api.py", "api"),
    "api_urls": ("api_urls.py",),
    "templates": ("templates/{app}",),
    "tests": ("tests",),
}


def _print_layout() -> None:
    """Per app (a package with apps.py), which parts of the layout it has; pages and endpoints
    (views.py, api.py) outside the layout's names are listed, as are templates outside
    templates/<app>/."""
    print("layout per app (- = has none):")
    print("  " + "".join(f"{k:11s}" for k in ["app", *LAYOUT]))
    strays = []
    for app_dir in sorted(p for p in ROOT.iterdir() if (p / "apps.py").exists()):
        app = app_dir.name
        row = []
        for names in LAYOUT.values():
            found = any((app_dir / n.format(app=app)).exists() for n in names)
            row.append("yes" if found else "-")
        print("  " + "".join(f"{c:11s}" for c in [f"{app[:10]}", *row]))
        if app == "web":  # the shared pages (home, info pages) and base templates (samen/)
            continue
        for path in app_dir.glob("*_views.py"):
            strays.append(str(path.relative_to(ROOT.parent)))
        templates = app_dir / "templates"
        if templates.exists():
            strays += [
                str(d.relative_to(ROOT.parent))
                for d in templates.iterdir()
                if d.is_dir() and d.name != app
            ]
    print(f"pages outside views.py/api.py, templates outside templates/<app>/: {len(strays)}")
    for name in strays:
        print(f"  {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coverage", help="coverage.json written by `coverage json`")
    parser.add_argument("-v", action="store_true", help="list the unexplained in-function imports")
    args = parser.parse_args()
    modules = _modules()
    inside_total = inside_unexplained = 0
    unexplained = []
    for path in modules.values():
        for _names, inside, why, line in _imports(path):
            if inside:
                inside_total += 1
                if not why:
                    inside_unexplained += 1
                    unexplained.append(f"{path.relative_to(ROOT.parent)}:{line}")
    graph = import_cycles.graph()
    print(
        "module import cycles (every import that runs):",
        import_cycles.sccs(import_cycles.module_edges(graph)) or "none",
    )
    print(
        "app import cycles of the domain (pages and entry points compose):",
        import_cycles.sccs(import_cycles.app_edges(graph, pages=False)) or "none",
    )
    # For the record: with the pages counted the apps do cycle, by design (ADR 0031, 0053):
    # the case page shows identification, which is about cases.
    cyclic = import_cycles.sccs(import_cycles.app_edges(graph, pages=True))
    print(f"  apps in a cycle when pages are counted too: {len(cyclic[0]) if cyclic else 0}")
    print(
        f"in-function imports of samen.*: {inside_total} ({inside_unexplained} without a comment)"
    )
    orm = {
        str(p.relative_to(ROOT.parent)): _orm_calls(p) for p in modules.values() if _view_file(p)
    }
    print(f"ORM calls in views/API/template tags: {sum(orm.values())}")
    for name, n in sorted(orm.items(), key=lambda kv: -kv[1]):
        if n:
            print(f"  {n:4d}  {name}")
    sizes = sorted(
        (
            (len(p.read_text().splitlines()), str(p.relative_to(ROOT.parent)))
            for p in modules.values()
        ),
        reverse=True,
    )
    print("largest files:")
    for n, name in sizes[:5]:
        print(f"  {n:5d}  {name}")
    _print_layout()
    if args.coverage:
        data = json.loads(Path(args.coverage).read_text())
        per_app: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for fname, info in data["files"].items():
            parts = Path(fname).parts
            if "samen" not in parts:
                continue
            app = parts[parts.index("samen") + 1]
            app = app[:-3] if app.endswith(".py") else app
            per_app[app][0] += info["summary"]["covered_lines"]
            per_app[app][1] += info["summary"]["num_statements"]
        print("coverage per app:")
        for app, (cov, tot) in sorted(per_app.items()):
            print(f"  {app:16s} {100 * cov / max(tot, 1):5.1f}%  ({cov}/{tot})")
    if args.v:
        print("\n".join(unexplained))


if __name__ == "__main__":
    main()

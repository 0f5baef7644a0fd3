"""Carry the other branches' edits of split files to where housemove moved the code (issue #22).

Run by the coordinator during the last of housemove's three merges (housemove-merge.md), when
git stops with conflicts in the files housemove split (`cases/views.py`, `cases/forms.py`,
`cases/api.py`, `cases/serializers.py`, which were `web/views.py`, `web/forms.py`,
`api/views.py`, `api/serializers.py`, and `cases/lifecycle_views.py`):

    .venv/bin/python scripts/house_replay2.py <stage-2 commit>          # report only
    .venv/bin/python scripts/house_replay2.py <stage-2 commit> --write  # resolve and replay

With --write, each of those files that git left conflicted is resolved to housemove's side of
every conflicting hunk (the non-conflicting hunks of both sides stay), and then every top-level
function, class or constant that the other branches changed or added in the file is written
where housemove put it (signalling/views.py, sharing/api.py, web/views.py, ...), replacing
housemove's copy when that copy is still the merge base's. What it cannot place (a block that
housemove's side changed too, a new block in a region housemove moved out) it prints, with the
file to put it in; nothing is dropped without a line in the report.
"""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

SPLIT = {
    # the file after the stage-2 rename -> where each of its blocks may now live
    "src/samen/cases/views.py": [
        "src/samen/cases/views.py",
        "src/samen/signalling/views.py",
        "src/samen/sharing/views.py",
        "src/samen/web/views.py",
    ],
    "src/samen/cases/forms.py": [
        "src/samen/cases/forms.py",
        "src/samen/signalling/forms.py",
        "src/samen/sharing/forms.py",
    ],
    "src/samen/cases/api.py": [
        "src/samen/cases/api.py",
        "src/samen/signalling/api.py",
        "src/samen/sharing/api.py",
        "src/samen/sharing/serializers.py",
        "src/samen/api/views.py",
    ],
    "src/samen/cases/serializers.py": [
        "src/samen/cases/serializers.py",
        "src/samen/signalling/serializers.py",
        "src/samen/api/serializers.py",
    ],
    "src/samen/cases/lifecycle_views.py": ["src/samen/cases/views.py"],
}
# Where a block new to the other side most likely belongs, by its name.
HOMES = [
    (("signal", "Signal", "Indicator", "PersonIn", "Advice", "Identity"), "signalling"),
    (("share", "Share", "emergency", "Emergency", "Register", "Review", "ProcessingRule",
      "AuditFilter", "grouped_organisations"), "sharing"),
    (("dashboard", "queue", "set_language", "healthz", "readyz", "api_not_found", "Me",
      "Membership", "Organisation", "ORG_"), "web/ or api/ (shared)"),
]  # fmt: skip
# Names housemove rewrote in bodies it moved (sharing's views call `services.`).
RENAMES = {"src/samen/sharing/views.py": [("sharing_services.", "services.")]}
LIFECYCLE = [("_case(number)", "_case_or_404(number)")]


def _git(*args: str, check: bool = True) -> str:
    # git from PATH with arguments this script builds: a coordinator's tool, not a service.
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)  # noqa: S603, S607
    if check and done.returncode != 0:
        sys.exit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout if done.returncode == 0 else ""


def blocks(text: str) -> dict[str, str]:
    """The top-level functions, classes and assignments of a module, with their decorators."""
    if not text:
        return {}
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    lines = text.splitlines(keepends=True)
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            name = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        out[name] = "".join(lines[start - 1 : node.end_lineno]).rstrip("\n")
    return out


def _comments(text: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [tok.string for tok in tokens if tok.type == tokenize.COMMENT]


def _same(a: str | None, b: str | None) -> bool:
    """Equal but for layout (housemove's formatter may have re-wrapped a moved body): the same
    syntax tree and the same comments."""
    if a is None or b is None:
        return False
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b)) and _comments(a) == _comments(b)
    except (SyntaxError, tokenize.TokenError):
        return "".join(a.split()) == "".join(b.split())


def _renamed(block: str, dest: str, source: str) -> str:
    for old, new in RENAMES.get(dest, []) + (
        LIFECYCLE if source.endswith("lifecycle_views.py") else []
    ):
        block = block.replace(old, new)
    return block


def _conflicted() -> set[str]:
    return set(_git("diff", "--name-only", "--diff-filter=U").split())


def _resolved_to_housemove(path: str) -> str:
    """Each conflicting hunk to housemove's side (stage 3), the rest merged as git did."""
    base, ours, theirs = (_git("show", f":{n}:{path}", check=False) for n in (1, 2, 3))
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            Path(tmp, name).write_text(text)
            names.append(str(Path(tmp, name)))
        subprocess.run(["git", "merge-file", "--theirs", *names], check=False)  # noqa: S603, S607
        return Path(tmp, "ours").read_text()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage2", help="housemove's commit of pure renames (the merge base)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not _git("rev-parse", "-q", "--verify", "MERGE_HEAD", check=False):
        sys.exit("not in a merge: run this while `git merge housemove` stops with conflicts")
    conflicted = _conflicted()
    files: dict[str, str | None] = {}  # the tree as it will be written

    def read(path: str) -> str | None:
        if path not in files:
            files[path] = Path(path).read_text() if Path(path).exists() else None
        return files[path]

    for source in SPLIT:
        if source in conflicted:
            deleted = source.endswith("lifecycle_views.py")
            files[source] = None if deleted else _resolved_to_housemove(source)
    by_hand = []
    for source, homes in SPLIT.items():
        base = blocks(_git("show", f"{args.stage2}:{source}", check=False))
        # The other branches' version: stage 2 of a conflicted file, else HEAD's.
        theirs_text = _git("show", f":2:{source}", check=False) or _git(
            "show", f"HEAD:{source}", check=False
        )
        others = blocks(theirs_text)
        changed = {n: b for n, b in others.items() if base.get(n) != b}
        for name in base.keys() - others.keys():
            by_hand.append(f"{name}: deleted in {source} on the other side; delete it too")
        for name, block in changed.items():
            placed = False
            for dest in homes:
                text = read(dest)
                now = blocks(text or "").get(name)
                if text is None or now is None:
                    continue
                if _same(now, _renamed(block, dest, source)):
                    placed = True  # git carried it already
                elif name in base and _same(now, _renamed(base[name], dest, source)):
                    files[dest] = text.replace(now, _renamed(block, dest, source), 1)
                    print(f"replayed  {name} ({source} -> {dest})")
                    placed = True
                else:
                    by_hand.append(
                        f"{name}: changed on both sides; check it in {dest} (git may have "
                        f"merged it: `git diff {args.stage2} HEAD -- {source}` shows theirs)"
                    )
                    placed = True
                break
            if not placed:
                home = next((h for prefixes, h in HOMES if name.startswith(prefixes)), "cases")
                by_hand.append(
                    f"{name}: new in {source} on the other side and not in the result; "
                    f"put it in {home} (the block is in `git show :2:{source}` or HEAD)"
                )
    if args.write:
        for path, text in files.items():
            if text is None:
                if path in conflicted:
                    _git("rm", "-q", path)
            elif not Path(path).exists() or Path(path).read_text() != text:
                Path(path).write_text(text)
    for line in by_hand:
        print("BY HAND   " + line)
    if not by_hand:
        print("nothing left to do by hand in the split files")
    if not args.write:
        print("(report only: run again with --write to resolve and replay)")


if __name__ == "__main__":
    main()

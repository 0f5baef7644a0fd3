"""Score a reading against a hand-written expectation (the corpus under tests/corpus).

An expected file lists the references (by key) and the motions and commitments with whether
the letter declares them done. A found item matches an expected one by its reference key, or,
without a reference, by kind and the same set of member surnames.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .reader import LetterReading
from .status import LetterStatus


@dataclass
class Score:
    name: str
    references_found: int
    references_expected: int
    done_found: int
    done_expected: int
    false_done: int
    missed_references: list[str] = field(default_factory=list)
    missed_done: list[str] = field(default_factory=list)
    false_done_items: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        return (
            self.references_found == self.references_expected
            and self.done_found == self.done_expected
            and self.false_done == 0
        )

    def row(self) -> str:
        return (
            f"{self.name:<40} refs {self.references_found:>2}/{self.references_expected:<2}"
            f"  done {self.done_found:>2}/{self.done_expected:<2}  false done {self.false_done}"
        )


def _surnames(members: list[str]) -> frozenset[str]:
    # "Van der Molen (CDA)" -> "molen"; the last word before the party identifies the member.
    return frozenset(m.split("(")[0].split()[-1].lower() for m in members if m.strip())


def _label(expected: dict[str, Any]) -> str:
    return expected.get("ref") or f"{expected['kind']} {', '.join(expected['members'])}"


def _matches(item: Any, expected: dict[str, Any]) -> bool:
    if item.kind != expected["kind"]:
        return False
    if expected.get("ref"):
        return bool(item.reference) and item.reference.key == expected["ref"]
    return _surnames([m.name for m in item.members]) == _surnames(expected["members"])


def score(reading: LetterReading, expected: dict[str, Any], *, name: str = "") -> Score:
    found_keys = {c.reference.key for c in reading.references}
    wanted_keys = list(dict.fromkeys(expected["references"]))
    missed_refs = [k for k in wanted_keys if k not in found_keys]
    done_expected = [e for e in expected["items"] if e["done"]]
    done_items = [it for it in reading.items if it.status is LetterStatus.DONE]
    missed_done = [
        _label(e) for e in done_expected if not any(_matches(it, e) for it in done_items)
    ]
    false_done = [
        f"{it.kind} {it.reference.key if it.reference else it.mention}"
        for it in done_items
        if not any(_matches(it, e) for e in done_expected)
    ]
    return Score(
        name=name or reading.source_name,
        references_found=len(wanted_keys) - len(missed_refs),
        references_expected=len(wanted_keys),
        done_found=len(done_expected) - len(missed_done),
        done_expected=len(done_expected),
        false_done=len(false_done),
        missed_references=missed_refs,
        missed_done=missed_done,
        false_done_items=false_done,
    )


def load_expected(letter: Path) -> dict[str, Any]:
    return json.loads(letter.with_suffix(".expected.json").read_text(encoding="utf-8"))

"""Per-letter score of the letter reader on the hand-written corpus.

Run: .venv/bin/python benchmarks/letter_corpus.py [-v]
Prints references found/expected, done found/expected and false "done" per letter.
"""

from __future__ import annotations

import sys
from pathlib import Path

from samen.programme.letter import read_letter
from samen.programme.letter.scoring import load_expected, score

CORPUS = Path(__file__).resolve().parent.parent / "src/samen/programme/tests/corpus"


def main() -> int:
    verbose = "-v" in sys.argv
    for letter in sorted(CORPUS.glob("*.txt")):
        result = score(read_letter(letter), load_expected(letter), name=letter.stem)
        print(result.row())
        if verbose:
            for label, values in (
                ("missed reference", result.missed_references),
                ("missed done", result.missed_done),
                ("false done", result.false_done_items),
            ):
                for value in values:
                    print(f"    {label}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

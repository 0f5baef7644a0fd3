"""Split a Dutch sentence into clauses, so negation and conditions apply where they belong.

Parliamentary prose puts reasons, concessions and conditions in side clauses ("Hoewel de
evaluatie niet alle vragen beantwoordt, is aan de motie voldaan"; "Zodra de resultaten bekend
zijn, kan ik de motie als afgedaan beschouwen"). A "niet" in a concessive side clause says
nothing about the main clause; a fronted or trailing condition governs it. This module only
cuts and labels; the rules that read the clauses live in `status`.

The word lists are data: extend them rather than the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that open a subordinate clause, by what the clause does to the main clause.
CONDITIONAL = frozenset(
    {"zodra", "wanneer", "indien", "als", "mits", "tenzij", "nadat", "totdat", "voordat", "tot"}
)
# A done statement here still speaks for the letter; "waarmee" after a comma continues the main
# clause ("Het gesprek vond op 14 mei plaats, waarmee ik de toezegging als afgedaan beschouw").
RESULT = frozenset({"zodat", "dat", "waarmee"})
OTHER_SUBORDINATE = frozenset(
    {
        "omdat", "hoewel", "ofschoon", "terwijl", "nu", "doordat", "aangezien", "opdat",
        "die", "welke", "wat", "waarvan", "waarin", "waardoor", "waarbij", "om",
        "ingediend", "zoals",
    }
)  # fmt: skip
COORDINATING = frozenset({"maar", "doch", "echter"})
# Subordinators that are safe to cut at even without a comma before them ("als" and "dat"
# are not: "als afgedaan", "dat overzicht").
_CUT_WITHOUT_COMMA = ("zodra", "wanneer", "indien", "omdat", "hoewel", "nadat", "zodat", "mits",
                      "tenzij", "totdat", "voordat")  # fmt: skip

_PART_RE = re.compile(r"\s*[;:]\s+|\s+[–—]\s+|\s+-\s+")
_SEGMENT_RE = re.compile(r",\s*|\s+(?=(?:" + "|".join(_CUT_WITHOUT_COMMA) + r")\b)", re.IGNORECASE)
# "c.s." and "o.a." hold a full stop but no boundary; the sentence splitter already cut.
_PAREN_RE = re.compile(r"\s*\([^()]*\)")
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Clause:
    text: str
    role: str  # "main", "conditional", "result", "subordinate"
    opener: str = ""


def _first_word(text: str) -> str:
    match = _WORD_RE.search(text)
    return match.group(0).lower() if match else ""


# "Nu" and "als" also open main clauses ("Nu beschouw ik ...", "Als gevolg hiervan beschouw
# ik ..."): a main clause inverts verb and subject, a side clause never does.
_AMBIGUOUS_OPENERS = frozenset({"nu", "als"})
_INVERSION_RE = re.compile(r"^\w+(?:\s+\w+){0,3}?\s+\w+\s+(?:ik|wij|we|het\s+kabinet)\b", re.I)
_SUBJECT_FIRST_RE = re.compile(r"^\w+\s+(?:ik|wij|we|het\s+kabinet)\b", re.I)


def _role(segment: str) -> tuple[str, str]:
    word = _first_word(segment)
    if (
        word in _AMBIGUOUS_OPENERS
        and _INVERSION_RE.search(segment)
        and not _SUBJECT_FIRST_RE.search(segment)
    ):
        return "main", word
    if word in CONDITIONAL:
        return "conditional", word
    if word in RESULT:
        return "result", word
    if word in OTHER_SUBORDINATE:
        return "subordinate", word
    return "main", word


def parts(sentence: str) -> list[str]:
    """Top-level parts: cut at ";", ":" and dashes, which join independent statements."""
    return [p for p in _PART_RE.split(sentence.strip()) if p.strip()]


def clauses(part: str) -> list[Clause]:
    """The clauses of one part. Main-clause pieces interrupted by a side clause ("Ik beschouw,
    nu het rapport er ligt, de motie als afgedaan") are joined back into one main clause; a
    coordinating "maar" starts a new one."""
    result: list[Clause] = []
    main: list[str] = []

    def close_main() -> None:
        if main:
            result.append(Clause(" ".join(main), "main"))
            main.clear()

    # A parenthesis ("(SP)", "(Kamerstuk 29 544, nr. 1301)") is an aside: it neither cuts
    # the clause nor counts in it.
    part = _PAREN_RE.sub(" ", part)
    for segment in _SEGMENT_RE.split(part):
        segment = segment.strip()
        if not segment:
            continue
        role, opener = _role(segment)
        if role == "main":
            if opener in COORDINATING:
                close_main()
            main.append(segment)
        else:
            result.append(Clause(segment, role, opener))
    close_main()
    return result

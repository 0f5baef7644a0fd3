"""Reading the status of a motion or commitment from one sentence.

Each status is a list of patterns; a sentence may give several signals, and the reader picks
the strongest for an item (done > declined > research pending > in progress). Patterns are
written against the minister's formulae, and guarded so that look-alikes ("nog niet als
afgedaan", "zodra ... beschouw ik ... als afgedaan", "resultaten zijn meegenomen") do not count.
"""

from __future__ import annotations

import re
from enum import StrEnum


class LetterStatus(StrEnum):
    DONE = "done"
    DECLINED = "declined"
    RESEARCH_PENDING = "research_pending"
    IN_PROGRESS = "in_progress"


# Strongest first: the order decides which status an item gets when a passage gives several.
PRECEDENCE: tuple[LetterStatus, ...] = (
    LetterStatus.DONE,
    LetterStatus.DECLINED,
    LetterStatus.RESEARCH_PENDING,
    LetterStatus.IN_PROGRESS,
)

_I = re.IGNORECASE
_OBJ = r"(?:de|deze|die|bovengenoemde|genoemde|voornoemde)\s+(?:motie|toezegging)"

_DONE = [
    re.compile(
        # "c.s." may sit between the verb and "als afgedaan"; it is not a sentence end.
        r"\bbeschouw(?:en|t)?\s+(?:ik|wij|we|het\s+kabinet)\b(?:[^.?]|c\.\s?s\.)*?\bals\s+afgedaan\b",
        _I,
    ),
    re.compile(
        r"\b(?:kan|kunnen)\b[^.?]{0,80}?\bals\s+afgedaan\s+(?:worden|wordt)\s+beschouwd\b", _I
    ),
    re.compile(r"\b(?:is|zijn)\s+(?:hiermee|daarmee)\s+(?:\w+\s+){0,3}?afgedaan\b", _I),
]
# A done formula under a condition, negation or in the past is not a declaration by this letter.
_DONE_GUARD = re.compile(
    r"\b(?:niet|nog\s+niet|pas|zodra|wanneer|indien|nadat|zou|zouden)\b|\?", _I
)

_DECLINED = [
    re.compile(r"\bligt\s+het\s+niet\s+in\s+de\s+rede\b", _I),
    re.compile(
        r"\b(?:wordt|worden)\s+(?:nu\s+|op\s+dit\s+moment\s+)?(?:nog\s+)?niet\s+overgegaan\s+tot\b",
        _I,
    ),
    re.compile(r"\bga\s+ik\s+(?:nu\s+)?(?:nog\s+)?niet\s+over\s+tot\b", _I),
    re.compile(rf"\b(?:ontraad|ontraden)\b|\b(?:voer|geef)\s+ik\s+{_OBJ}\s+(?:niet|geen)\b", _I),
    re.compile(
        r"\b(?:zie\s+ik|ik\s+zie)\s+geen\s+(?:aanleiding|mogelijkheid|ruimte|meerwaarde)\b", _I
    ),
    re.compile(rf"\b{_OBJ}\s+(?:wordt|zal)\s+niet\s+(?:worden\s+)?uitgevoerd\b", _I),
]

_RESEARCH = [
    re.compile(r"\b(?:wordt|worden)\s+[^.]{0,80}?\b(?:onderzocht|verkend)\b", _I),
    re.compile(
        r"\b(?:wordt|worden)\s+(?:\w+\s+){0,3}?onderzoek\s+(?:uitgevoerd|gedaan|verricht)\b", _I
    ),
    re.compile(r"\bvoer(?:t|en)\b[^.]*\bonderzoek\b[^.]*\buit\b", _I),
    re.compile(r"\bverkenning\s+(?:wordt|is)\s+(?:\w+\s+)?(?:uitgevoerd|gestart)\b", _I),
    re.compile(r"\bnaar\s+verwachting\b[^.]*\b(?:opgeleverd|gereed|afgerond|gepubliceerd)\b", _I),
    re.compile(rf"\bonderzoek\s+geeft\s+uitvoering\s+aan\s+{_OBJ}", _I),
]

_IN_PROGRESS = [
    re.compile(rf"\bne(?:em|men|emt)\s+(?:ik|wij|we|het\s+kabinet)\s+{_OBJ}\s+mee\b", _I),
    # Present-tense passive only: "worden ... meegenomen"; "zijn meegenomen" is past work.
    re.compile(r"\b(?:wordt|worden)\b[^.]*\bmeegenomen\b", _I),
    re.compile(
        rf"\b(?:uitvoering\s+(?:ge)?geven|geeft\s+uitvoering|geef\s+ik\s+uitvoering)\s+aan\s+{_OBJ}",
        _I,
    ),
    re.compile(
        r"\b(?:wordt|worden)\s+(?:hiermee\s+|daarmee\s+)?uitvoering\s+gegeven\s+aan\s+de\s+motie",
        _I,
    ),
    re.compile(rf"\bter\s+uitvoering\s+van\s+{_OBJ}", _I),
    re.compile(r"\bhoud(?:en)?\s+(?:ik|wij|we)\s+rekening\s+met\b", _I),
    re.compile(
        r"\b(?:zal\s+ik|ik\s+zal)\b[^.]*\b(?:aandacht\s+besteden|in\s+gesprek\s+gaan|informeren|"
        r"delen|betrekken|uitwerken)\b",
        _I,
    ),
    re.compile(r"\b(?:ik\s+)?informeer\s+(?:ik\s+)?uw\s+Kamer\b", _I),
    re.compile(r"\b(?:is|ben|zijn)\b[^.]*\bin\s+gesprek\s+met\b", _I),
]

PATTERNS: dict[LetterStatus, list[re.Pattern[str]]] = {
    LetterStatus.DONE: _DONE,
    LetterStatus.DECLINED: _DECLINED,
    LetterStatus.RESEARCH_PENDING: _RESEARCH,
    LetterStatus.IN_PROGRESS: _IN_PROGRESS,
}


def statuses_in(sentence: str) -> list[LetterStatus]:
    """Every status the sentence signals, strongest first."""
    found: list[LetterStatus] = []
    for status in PRECEDENCE:
        if not any(p.search(sentence) for p in PATTERNS[status]):
            continue
        if status is LetterStatus.DONE and _DONE_GUARD.search(sentence):
            continue
        found.append(status)
    return found


def strongest(statuses: list[LetterStatus]) -> LetterStatus | None:
    for status in PRECEDENCE:
        if status in statuses:
            return status
    return None

"""Reading the status of a motion or commitment from one sentence.

Each status is a list of patterns; a sentence may give several signals, and the reader picks
the strongest for an item (done > declined > research pending > in progress). Patterns are
written against the minister's formulae, and guarded so that look-alikes ("nog niet als
afgedaan", "zodra ... beschouw ik ... als afgedaan", "resultaten zijn meegenomen") do not count.
"""

from __future__ import annotations

import re
from enum import StrEnum

from .clauses import clauses, parts


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

# "Done" is recognised from the verb and its arguments inside one clause (see `clauses`):
#   afdoen:      "beschouw ik ... als afgedaan" in any word order, "kan ... als afgedaan worden
#                beschouwd", "is/zijn/heb ... afgedaan", separable "doe ik de motie ... af";
#   gestand doen: "doe ik de toezegging gestand", "is de toezegging gestand gedaan";
#   uitvoeren:   "is/heb ... de motie ... uitgevoerd" ("wordt uitgevoerd" is work in progress);
#   voldoen aan: "is aan de motie voldaan", "voldoe ik aan de toezegging";
#   nakomen:     "kom ik de toezegging na", "is de toezegging nagekomen".
_DONE_VERBS: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
    (
        "als afgedaan beschouwen",
        re.compile(r"\bals\s+afgedaan\b", _I),
        re.compile(r"\bbeschouw(?:t|en)?\b|\b(?:kan|kunnen)\b.*\bbeschouwd\b", _I),
    ),
    (
        "afgedaan",
        re.compile(r"(?<!als )\bafgedaan\b", _I),
        re.compile(r"\b(?:is|zijn|heb|hebben|heeft)\b", _I),
    ),
    ("afdoen", re.compile(r"\b(?:doe|doen|doet)\b.*\baf\s*[.!]?$", _I), None),
    (
        "gestand doen",
        re.compile(r"\bgestand\b", _I),
        re.compile(r"\b(?:doe|doen|doet|gedaan)\b", _I),
    ),
    (
        "uitgevoerd",
        re.compile(r"\buitgevoerd\b", _I),
        re.compile(r"\b(?:is|zijn|heb|hebben|heeft)\b", _I),
    ),
    ("uitvoeren", re.compile(r"\bvoer(?:en)?\s+(?:ik|wij|we)\b.*\buit\s*[.!]?$", _I), None),
    (
        "voldaan",
        re.compile(r"\bvoldaan\b", _I),
        re.compile(r"\b(?:is|zijn|heb|hebben|heeft|wordt|worden)\b", _I),
    ),
    ("voldoen", re.compile(r"\bvoldo(?:e|en|et)\s+(?:ik|wij|we)\s+aan\b", _I), None),
    # nakomen: "Hiermee kom ik de toezegging na", "is de toezegging nagekomen"
    (
        "nagekomen",
        re.compile(r"\bnagekomen\b", _I),
        re.compile(r"\b(?:is|zijn|heb|hebben|heeft)\b", _I),
    ),
    ("nakomen", re.compile(r"\b(?:kom|komen|komt)\s+(?:ik|wij|we)\b.*\bna\s*[.!]?$", _I), None),
]
# Carrying out or meeting something only counts when that something is the motion/commitment.
_NEEDS_OBJECT = {"uitgevoerd", "uitvoeren", "voldaan", "voldoen", "nagekomen", "nakomen"}
_OBJECT_RE = re.compile(
    r"\b(?:moties?|toezegging(?:en)?|verzoek|zij|haar|hieraan|daaraan|deze|die)\b", _I
)
# Inside the clause, before the verb: a negation, a hypothetical, "pas" (only later), or a
# reference to an earlier letter makes it no declaration by this letter.
_CLAUSE_GUARD = re.compile(
    r"\b(?:niet(?!\s+alleen\b)|geen|nooit|pas|zou|zouden|vorige)\b"
    r"|\beerdere?\s+(?:voortgangs)?brief\b|\bin\s+(?:mijn|de)\s+brief\s+van\b",
    _I,
)
_QUESTION_RE = re.compile(r"\?\s*$")


def _done_verb(text: str) -> re.Match[str] | None:
    """The done verb in one clause, if its auxiliary and object are there too."""
    for name, verb, auxiliary in _DONE_VERBS:
        match = verb.search(text)
        if not match:
            continue
        if auxiliary is not None and not auxiliary.search(text):
            continue
        if name in _NEEDS_OBJECT and not _OBJECT_RE.search(text):
            continue
        return match
    return None


def declares_done(sentence: str) -> bool:
    """Whether the sentence declares a motion or commitment done, with negation and
    condition scoped to their clause: "Hoewel ... niet ..., is aan de motie voldaan" is done;
    "Zodra ..., kan ik de motie als afgedaan beschouwen" and "... nog niet afgedaan" are not."""
    if _QUESTION_RE.search(sentence):
        return False
    for part in parts(sentence):
        found = clauses(part)
        conditioned = any(c.role == "conditional" for c in found)
        for clause in found:
            if clause.role == "subordinate":
                continue  # a reason, concession or relative clause declares nothing
            if clause.role == "main" and conditioned:
                continue
            match = _done_verb(clause.text)
            if match is None:
                continue
            # The guard reaches up to the end of the verb ("nog niet als afgedaan") but not
            # beyond ("... als afgedaan en zie geen aanleiding ...").
            if _CLAUSE_GUARD.search(clause.text[: match.end()]):
                continue
            return True
    return False


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
    re.compile(r"\b(?:motie|toezegging)\s+niet\s+(?:kan|kunnen|zal)\s+uitvoeren\b", _I),
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
    re.compile(r"\b(?:motie|toezegging)\s+(?:wordt|worden)\s+(?:\w+\s+){0,2}?uitgevoerd\b", _I),
    re.compile(r"\b(?:toezegging|motie)\b[^.]*\bis\s+in\s+uitvoering\b", _I),
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
    LetterStatus.DECLINED: _DECLINED,
    LetterStatus.RESEARCH_PENDING: _RESEARCH,
    LetterStatus.IN_PROGRESS: _IN_PROGRESS,
}


def statuses_in(sentence: str) -> list[LetterStatus]:
    """Every status the sentence signals, strongest first."""
    found: list[LetterStatus] = []
    for status in PRECEDENCE:
        if status is LetterStatus.DONE:
            if declares_done(sentence):
                found.append(status)
            continue
        if any(p.search(sentence) for p in PATTERNS[status]):
            found.append(status)
    return found


def strongest(statuses: list[LetterStatus]) -> LetterStatus | None:
    for status in PRECEDENCE:
        if status in statuses:
            return status
    return None

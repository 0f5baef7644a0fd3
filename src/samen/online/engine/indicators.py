"""The versioned indicator set (``data/indicators.json``) and the text matcher built from it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from re import _constants as _sre  # type: ignore[attr-defined]  # the parser, for its tree
from re import _parser as _sre_parse  # type: ignore[attr-defined]
from typing import Any

from .extract import SLOT_NUM


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    label: str
    kind: str  # "text": found in one ad's words; "structural": found in a cluster's shape
    weight: float
    explanation: str
    patterns: tuple[str, ...] = ()
    params: tuple[tuple[str, float], ...] = ()

    def param(self, name: str) -> float:
        return dict(self.params)[name]


@dataclass(frozen=True, slots=True)
class Hit:
    """One text indicator found in an ad, with the span of its evidence in the lower-cased
    ``title + "\\n" + text``."""

    indicator: str
    start: int
    end: int
    evidence: str


class IndicatorSet:
    """Indicators with their weights, and the compiled patterns of the text indicators."""

    def __init__(self, data: dict) -> None:
        self.version: str = data["version"]
        self.lead_threshold: float = float(data["lead_threshold"])
        self.text_contribution_cap: float = float(data["text_contribution_cap"])
        self.indicators: tuple[Indicator, ...] = tuple(
            Indicator(
                id=item["id"],
                label=item["label"],
                kind=item["kind"],
                weight=float(item["weight"]),
                explanation=item["explanation"],
                patterns=tuple(item.get("patterns", ())),
                params=tuple(sorted(item.get("params", {}).items())),
            )
            for item in data["indicators"]
        )
        self.by_id = {indicator.id: indicator for indicator in self.indicators}
        self.text = tuple(i for i in self.indicators if i.kind == "text")
        if len(self.text) > 62:
            raise ValueError("text indicators are stored as bits of one 64-bit mask")
        # One alternation with a named group per indicator, tried only at word starts: one pass
        # over the lower-cased text finds them all (used for evidence spans).
        self._regex = _alternation([(i.id, p) for i in self.text for p in i.patterns])
        self._bit = {indicator.id: 1 << n for n, indicator in enumerate(self.text)}
        # Every pattern starts with one of a few words. Per word, a small alternation of just the
        # patterns that start with it: an ad is searched only for the words it contains, which
        # spares most ads most of the work. Patterns starting with a number are keyed on the
        # number, looked up in the text itself (the extractor's word set has numbers slotted).
        by_word: dict[str, list[tuple[str, str]]] = {}
        self._unkeyed: list[tuple[str, str]] = []
        for indicator in self.text:
            for pattern in indicator.patterns:
                words = _leading_words(pattern)
                if not words:
                    self._unkeyed.append((indicator.id, pattern))
                for word in words:
                    by_word.setdefault(word, []).append((indicator.id, pattern))
        self._by_word = {
            word: _alternation(items, guard=False)
            for word, items in by_word.items()
            if not word.isdigit()
        }
        self._by_number = {
            word: _alternation(items, guard=False)
            for word, items in by_word.items()
            if word.isdigit()
        }
        self.triggers = frozenset(self._by_word)
        # The literal texts every match of a word's alternation starts with: the ad is searched
        # for them with str.find (memchr speed) and the alternation is tried only where they
        # occur, instead of at every position of the text. None: not known, search the text.
        # Words whose alternations are the same pattern ("only", "alleen", ...) share one
        # search, found by number: hashing a compiled pattern hashes all its code, every time.
        searches: dict[str, int] = {}
        self._searches: list[tuple[re.Pattern[str], tuple[str, ...] | None]] = []
        self._search_of: dict[str, int] = {}
        for word, regex in self._by_word.items():
            if regex.pattern not in searches:
                searches[regex.pattern] = len(self._searches)
                self._searches.append((regex, _literal_starts(regex)))
            self._search_of[word] = searches[regex.pattern]
        self._unkeyed_regex = _alternation(self._unkeyed) if self._unkeyed else None
        # The keyed searches as the compiled ``_tokens.mask_words`` takes them, when every one
        # has its literal starts (else the searches run in Python, ``_mask_words_py``).
        self._compiled_searches: tuple[tuple[object, tuple[str, ...]], ...] | None = None
        if _compiled_mask_words is not None and all(s is not None for _, s in self._searches):
            self._compiled_searches = tuple(
                (regex.match, starts) for regex, starts in self._searches if starts is not None
            )
        # The number searches ("24/7"), keyed on the number found in the text itself (the
        # definition, ``mask``'s loop), or run by ``mask_words`` too: keyed there on the number
        # slot, a word of every ad with an ASCII digit (``extract``'s word tokens collapse digit
        # runs into it and it is a rule word), so that it runs wherever the number can occur,
        # and only at the number's occurrences (a match starts with it, as ``_mask_at``
        # needs). One number only: a word names one search. The number search itself is the
        # pattern ``_mask_of`` runs, so its matches and bits are the same.
        self._compiled_search_of = self._search_of
        self._numbers_in_python = tuple(self._by_number.items())
        if self._compiled_searches is not None and len(self._by_number) == 1:
            ((number, regex),) = self._by_number.items()
            starts = _literal_starts(regex)
            if (
                starts is not None
                and number.isascii()
                and all(s.startswith(number) for s in starts)
            ):
                self._compiled_search_of = {
                    **self._search_of,
                    SLOT_NUM: len(self._compiled_searches),
                }
                self._compiled_searches += ((regex.match, starts),)
                self._numbers_in_python = ()

    def hits(self, text: str) -> list[Hit]:
        """Every text indicator in ``text``, with its span. Spans index ``text`` itself."""
        lowered = text.lower()
        if len(lowered) != len(text):  # rare letters change length when lower-cased
            text = lowered
        return [
            Hit(
                match.lastgroup or "", match.start(), match.end(), text[match.start() : match.end()]
            )
            for match in self._regex.finditer(lowered)
        ]

    def mask(self, lowered: str, words: set[str] | None = None) -> int:
        """The text indicators present, one bit each: compact enough to keep for every ad.

        ``lowered`` is the lower-cased ad text; ``words`` its word tokens when already known
        (``extract``'s: the number slot among them whenever the text has a digit), or the rule
        words among them, the triggers and the number slot included."""
        if words is None:
            return self._mask_of(self._regex, lowered, 0)
        if self._compiled_searches is not None:
            mask = _compiled_mask_words(
                lowered, words, self._compiled_search_of, self._compiled_searches, self._bit
            )
            numbers = self._numbers_in_python
        else:
            mask = self._mask_words_py(lowered, words)
            numbers = tuple(self._by_number.items())
        for number, regex in numbers:
            if number in lowered:
                mask = self._mask_of(regex, lowered, mask)
        if self._unkeyed_regex is not None:
            mask = self._mask_of(self._unkeyed_regex, lowered, mask)
        return mask

    def _mask_words_py(self, lowered: str, words: set[str] | frozenset[str]) -> int:
        """The bits of the searches that ``words`` name: the definition of the compiled
        ``_tokens.mask_words`` (a test checks both on the generators' ads)."""
        mask = 0
        # Words whose alternations are the same pattern ("only", "alleen", ...) search once.
        search_of, searches = self._search_of, self._searches
        for which in {search_of[word] for word in self.triggers.intersection(words)}:
            regex, starts = searches[which]
            if starts is None:
                mask = self._mask_of(regex, lowered, mask)
            else:
                mask = self._mask_at(regex, starts, lowered, mask)
        return mask

    def _mask_of(self, regex: re.Pattern[str], lowered: str, mask: int) -> int:
        for match in regex.finditer(lowered):
            # Without a leading word-boundary test the regex can skip ahead to its literal first
            # word quickly; the boundary is checked here instead.
            start = match.start()
            if start == 0 or not lowered[start - 1].isalnum():
                mask |= self._bit[match.lastgroup or ""]
        return mask

    def _mask_at(
        self, regex: re.Pattern[str], starts: tuple[str, ...], lowered: str, mask: int
    ) -> int:
        """``_mask_of`` when every match starts with one of ``starts``: the same matches, since
        finditer tries positions left to right and resumes after each match, and only the
        positions where a start occurs can match."""
        end = 0
        for at in _find_all(lowered, starts):
            if at < end:
                continue
            match = regex.match(lowered, at)
            if match is None:
                continue
            end = match.end()
            if at == 0 or not lowered[at - 1].isalnum():
                mask |= self._bit[match.lastgroup or ""]
        return mask

    def ids_in_mask(self, mask: int) -> list[str]:
        return [i.id for i in self.text if mask & self._bit[i.id]]

    def bit(self, indicator_id: str) -> int:
        return self._bit[indicator_id]


def _alternation(items: list[tuple[str, str]], *, guard: bool = True) -> re.Pattern[str]:
    """One regular expression with a named group per indicator; with ``guard``, tried at word
    starts only."""
    grouped: dict[str, list[str]] = {}
    for indicator_id, pattern in items:
        grouped.setdefault(indicator_id, []).append(_unanchored(pattern))
    return re.compile(
        ("(?<!\\w)(?:" if guard else "(?:")
        + "|".join(f"(?P<{key}>{'|'.join(patterns)})" for key, patterns in grouped.items())
        + ")"
    )


def _occurrences(text: str, literal: str) -> list[int]:
    found: list[int] = []
    at = text.find(literal)
    while at >= 0:
        found.append(at)
        at = text.find(literal, at + 1)
    return found


def _find_all_py(text: str, literals: tuple[str, ...]) -> list[int]:
    """The sorted, distinct positions where one of ``literals`` starts in ``text``: the
    definition of the compiled ``_tokens.find_all``, and its fallback when it is not built."""
    if len(literals) == 1:
        return _occurrences(text, literals[0])
    return sorted({at for literal in literals for at in _occurrences(text, literal)})


try:
    from ._tokens import find_all as _find_all  # by name: see extract.py
    from ._tokens import mask_words as _compiled_mask_words
except ImportError:  # an install from before the extension (make install builds it): slower
    _find_all = _find_all_py
    _compiled_mask_words = None  # type: ignore[assignment]


# The literal starts kept per search at most: past them, the shorter texts found so far. A
# longer start finds fewer places where its search is tried and fails, but alternations multiply
# the starts, and each adds states to the automaton of ADR 0112 (the packaged set: 5,300 states
# at 64, 9,200 at 128 for 0.2 regular-expression calls an ad fewer; ADR 0117).
_STARTS_MOST = 64


def _literal_starts(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """Non-empty literal texts one of which every match of ``regex`` starts with, or None when
    the pattern does not make that certain (flags, classes or repeats before any literal).

    The texts run on through groups, alternations and optional parts whose branches are all
    literal ("(?:wij|we) zijn met" gives "we zijn met " and "wij zijn met "): the longer a
    start, the fewer the places where the search is tried and fails (ADR 0117)."""
    parsed = _sre_parse.parse(regex.pattern)
    if parsed.state.flags & ~_sre.SRE_FLAG_UNICODE:
        return None
    starts = {text for text, _ in _sequence_starts(list(parsed))}
    if not starts or "" in starts:
        return None
    # A start that begins with a shorter start adds no position: keep the shortest only.
    return tuple(s for s in sorted(starts) if not any(s != t and s.startswith(t) for t in starts))


def _sequence_starts(items: list) -> set[tuple[str, bool]]:
    """The literal texts a match of a parsed sequence begins with, each with whether it is all
    that the sequence matched on its path (True: what follows the sequence continues it). An
    empty text that is not all of the match: the sequence may begin with anything."""
    prefixes = {("", True)}
    for op, value in items:
        options = _item_starts(op, value)
        extended = {(p + t, whole) for p, open_ in prefixes if open_ for t, whole in options}
        extended |= {(p, False) for p, open_ in prefixes if not open_}
        if len(extended) > _STARTS_MOST and all(p for p, _ in prefixes):
            # Too many: the texts so far, which every match begins with too.
            return {(p, False) for p, _ in prefixes}
        prefixes = extended
        if not any(open_ for _, open_ in prefixes):
            break
    return prefixes


def _item_starts(op: object, value: Any) -> set[tuple[str, bool]]:
    """``_sequence_starts`` of one parsed item: a literal character, a set of literal characters,
    a group without flags, an alternation, an optional part ("?") or the first of a repeat;
    anything else may begin with anything."""
    if op is _sre.LITERAL:
        return {(chr(value), True)}
    if op is _sre.SUBPATTERN and not value[1] and not value[2]:
        return _sequence_starts(list(value[3]))
    if op is _sre.BRANCH:
        return set().union(*(_sequence_starts(list(branch)) for branch in value[1]))
    if op is _sre.IN and all(item_op is _sre.LITERAL for item_op, _ in value):
        # A set of characters ("x|y" is parsed as one).
        return {(chr(character), True) for _, character in value}
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, high, repeated = value
        if low == 0 and high == 1:
            return _sequence_starts(list(repeated)) | {("", True)}
        if low >= 1:
            # A first repetition, then who knows how many more.
            return {(text, False) for text, _ in _sequence_starts(list(repeated))}
    return {("", False)}


def _unanchored(pattern: str) -> str:
    """Patterns are matched at word starts already; a leading \\b is redundant."""
    return pattern[2:] if pattern.startswith("\\b") else pattern


def _leading_words(pattern: str) -> set[str]:
    """The words one of which any match must start with, or an empty set when unknown."""
    body = _unanchored(pattern)
    if body.startswith("(?:"):
        close = body.find(")")
        options = body[3:close].split("|")
    else:
        options = [body]
    words = set()
    for option in options:
        word = re.match(r"\w+", option)
        if not word:
            return set()
        words.add(word.group(0).lower())
    return words


@lru_cache(maxsize=8)
def load_indicators(path: str | None = None) -> IndicatorSet:
    """The packaged indicator set, or one from ``path`` (an analyst's own version)."""
    if path is None:
        raw = (
            resources.files("samen.online.engine")
            .joinpath("data/indicators.json")
            .read_text("utf-8")
        )
    else:
        raw = Path(path).read_text("utf-8")
    return IndicatorSet(json.loads(raw))

"""Extraction: from one ad to contacts, persona, place, price, language and a slot-normalised text.

Everything here is a pure function of one ad, so it runs unchanged in a worker process or on a Dask
worker. Word lists live in ``data/lexicon.json`` (domain rules as data).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Protocol

import phonenumbers

try:
    # The name, not the package: a compiled module is no .py file, so an import-graph tool
    # would read `from . import _tokens` as importing the package (a cycle that is not there).
    from ._tokens import age_after_name as _compiled_age_after_name
    from ._tokens import age_search as _compiled_age_search
    from ._tokens import capitalised_after as _compiled_capitalised_after
    from ._tokens import contact_matches as _compiled_contact_matches
    from ._tokens import indices_in as _compiled_indices_in
    from ._tokens import lower as _compiled_lower
    from ._tokens import mobile_key as _compiled_mobile_key
    from ._tokens import price_in as _compiled_price_in
    from ._tokens import price_search as _compiled_price_search
    from ._tokens import scan_groups as _compiled_scan_groups
    from ._tokens import scan_rules as _compiled_scan_rules
    from ._tokens import scan_words as _compiled_scan_words
    from ._tokens import slot_rules as _compiled_slot_rules
    from ._tokens import title_names as _compiled_title_names
    from ._tokens import word_tokens as _compiled_word_tokens
except ImportError:  # an install from before the extension (make install builds it): slower
    _compiled_word_tokens = None  # type: ignore[assignment]
    _compiled_contact_matches = None  # type: ignore[assignment]
    _compiled_age_search = None  # type: ignore[assignment]
    _compiled_capitalised_after = None  # type: ignore[assignment]
    _compiled_price_in = None  # type: ignore[assignment]
    _compiled_price_search = None  # type: ignore[assignment]
    _compiled_slot_rules = None  # type: ignore[assignment]
    _compiled_title_names = None  # type: ignore[assignment]
    _compiled_indices_in = None  # type: ignore[assignment]
    _compiled_lower = None  # type: ignore[assignment]
    _compiled_mobile_key = None  # type: ignore[assignment]
    _compiled_scan_groups = None  # type: ignore[assignment]
    _compiled_age_after_name = None  # type: ignore[assignment]
    _compiled_scan_words = None  # type: ignore[assignment]
    _compiled_scan_rules = None  # type: ignore[assignment]

LEXICON: dict = json.loads(
    resources.files("samen.online.engine").joinpath("data/lexicon.json").read_text("utf-8")
)

# The region for numbers written without a country code: the ads are read for the Dutch chain.
DEFAULT_REGION = "NL"
LANGUAGES = ("nl", "en", "pl", "ro", "bg", "es")
UNDETERMINED = "und"

# Slot tokens replace everything that an operator swaps between copies of one template, so that
# near-duplicate detection sees the template and not the persona. They are plain words so that the
# tokeniser keeps them.
SLOT_PHONE, SLOT_EMAIL, SLOT_HANDLE, SLOT_URL = "xphonex", "xemailx", "xhandlex", "xurlx"
SLOT_NAME, SLOT_CITY, SLOT_NUM = "xnamex", "xcityx", "xnumx"
SLOT_TOKENS = (SLOT_PHONE, SLOT_EMAIL, SLOT_HANDLE, SLOT_URL, SLOT_NAME, SLOT_CITY, SLOT_NUM)

HANDLE_PLATFORMS = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram": "telegram",
    "tg": "telegram",
    "instagram.com": "instagram",
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "onlyfans.com": "onlyfans",
    "onlyfans": "onlyfans",
    "of": "onlyfans",
    "snapchat.com/add": "snapchat",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
}

_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff\ufe0f\u20e3\u200d"
# Contact patterns, each run only when a cheap substring test says it can match: regular
# expressions cost about 70 ns a character here, and most ads hold one contact at most.
_HANDLE_SITE_RE = re.compile(
    r"(?<![\w.])(?P<site>t\.me|telegram\.me|instagram\.com|onlyfans\.com|snapchat\.com/add)"
    r"/(?P<name>[\w.]{3,32})"
)
_HANDLE_LABEL_RE = re.compile(
    r"(?<!\w)(?P<site>telegram|tg|snapchat|snap|sc|instagram|insta|ig|onlyfans|of)"
    r"\s*(?::\s*@?|@)\s*(?P<name>[\w.]{3,32})"
)
_WHATSAPP_RE = re.compile(r"(?<![\w.])wa\.me/\+?(?P<number>\d{8,15})")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+")
# The longest user part of an address: the scan for addresses starts this far (and the
# whitespace) before the first separator, as no address can start earlier (``_scan_start``).
_EMAIL_USER_MAX = 41
_EMAIL_SEPARATORS = ("@", "[at]", "(at)")
_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])(?P<user>[a-z0-9][\w.+-]{{0,{_EMAIL_USER_MAX - 1}}})\s*(?:@|\[at\]|\(at\))\s*"
    r"(?P<domain>[a-z0-9-]{2,40})\s*(?:\.|\[dot\]|\(dot\))\s*"
    r"(?P<tld>com|nl|org|net|pl|ro|bg|es|eu|be|de|info)\b"
)
_EMAIL_HINT_RE = re.compile(r"@\s*[a-z0-9-]{2,40}\.")
# A labelled handle's site is a whole word of the ad ("tg: anna"): when none of these words
# occurs, the pattern cannot match and is not run.
_HANDLE_LABEL_WORDS = frozenset(
    ("telegram", "tg", "snapchat", "snap", "sc", "instagram", "insta", "ig", "onlyfans", "of")
)
# A labelled handle's site word is at most this long and is followed by whitespace and one of
# these: the scan for them starts that far before the first (``_scan_start``).
_HANDLE_LABEL_LONGEST = max(map(len, _HANDLE_LABEL_WORDS))
_HANDLE_LABEL_SEPARATORS = (":", "@")
# A phone starts with +, 00 or 0 (or an "o" used for a zero before the Dutch 6) and may be broken
# up by spaces, dots, dashes, brackets, stars, letters o/l and emoji; it ends on a digit.
_PHONE_RE = re.compile(
    r"(?:\+|0|o(?=[\s.\-]*6))(?<![\w+].)[0-9ol\s().\-_/*·•~|" + _EMOJI + r"]{8,45}(?<=\d)"
)
_DIGIT_WORD: dict[str, str] = {
    word: digit for digit, words in LEXICON["digit_words"].items() for word in words
}
# Numbers spelled out ("nul zes een twee ...") must run at least this many words to be a number.
_MIN_SPELLED_RUN = 6
_DUTCH_MOBILE_RE = re.compile(r"(?:\+31|0)(6[1-58]\d{7})(?!\d)")
_PHONE_TRANSLATE = str.maketrans({"o": "0", "l": "1"})


def _phone_letters_as_digits(raw: str) -> str:
    """``raw.translate(_PHONE_TRANSLATE)`` (its definition; a test compares them): two
    ``str.replace`` calls are a tenth of ``translate``'s time with a dict table, and neither
    replacement makes a letter the other one replaces."""
    return raw.replace("o", "0").replace("l", "1")


_NON_DIGIT_RE = re.compile(r"[^\d+]")

_AGE_UNIT_WORDS = frozenset(w for unit in LEXICON["age_units"] for w in re.findall(r"\w+", unit))
_AGE_LABEL_WORDS = frozenset(LEXICON["age_labels"])
_AGE_UNITS = "|".join(map(re.escape, LEXICON["age_units"]))
_AGE_LABELS = "|".join(map(re.escape, LEXICON["age_labels"]))
_AGE_RE = re.compile(
    rf"(?<!\w)(?P<a1>[1-6]\d)\s*-?\s*(?:{_AGE_UNITS})(?!\w)"
    rf"|(?<!\w)(?:{_AGE_LABELS})\s*[:=]?\s*(?P<a2>[1-6]\d)\b"
)
# The units and labels of _AGE_RE in its order, as the compiled ``_tokens.age_search`` takes
# them (none starts with a space, "-", ":" or "=", which its scan relies on).
_AGE_UNIT_LIST = tuple(LEXICON["age_units"])
_AGE_LABEL_LIST = tuple(LEXICON["age_labels"])
assert not any(w[0] in " -:=" or not w.strip() for w in _AGE_UNIT_LIST + _AGE_LABEL_LIST)
_PRICE_MARKERS = ("€", "eur", "евро")
_PRICE_RE = re.compile(
    r"(?:€|\beur\b|\beuro\b)\s*(?P<p1>\d{2,4})(?:[.,]\d\d)?\b"
    r"|\b(?P<p2>\d{2,4})(?:[.,]\d\d)?\s*(?:€|eur\b|euro\b|euros\b|евро\b)"
)
_CAP = r"[A-ZÀ-ÖØ-ÞЀ-Я][a-zß-öø-ÿа-џ]{1,15}"
# "Anna (21)" or "Anna, 21" at the start of a title.
_TITLE_PERSONA_RE = re.compile(rf"^\W*(?P<name>{_CAP})\s*[,(\-]\s*(?P<age>[1-6]\d)\b")
_NOT_NAMES = frozenset(LEXICON["not_names"])
_NOT_NAME_WORDS = frozenset(n.lower() for n in LEXICON["not_names"])
# Name triggers as word tuples ("i'm" is the tokens i, m): the name is the capitalised next word.
_NAME_TRIGGERS = frozenset(
    tuple(re.findall(r"\w+", t))
    for t in LEXICON["name_triggers"] + LEXICON.get("greeting_before_name", [])
)
# Title persona parsing: words that come before a name in a title (markers such as "new",
# adjectives, service words), the prepositions before a city, and words after a name in a
# greeting ("Anna here").
_TITLE_WORDS = frozenset(LEXICON.get("title_words", []))
_CITY_PREPOSITIONS = frozenset(LEXICON.get("city_prepositions", []))
_TITLE_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
_AFTER_NAME_RE = re.compile(
    r"(?<!\w)(?P<name>"
    + r"[A-ZÀ-ÖØ-ÞЀ-Я][a-zß-öø-ÿа-џ]{1,15}"
    + r")\s*,?\s+(?:"
    + "|".join(map(re.escape, LEXICON.get("greeting_after_name", ["here"])))
    + r")(?!\w)"
)
# The greeting pattern needs one of these as a whole lower-case word: it is run only then.
_GREETING_AFTER_NAME = frozenset(LEXICON.get("greeting_after_name", ["here"]))
_AGE_AFTER_NAME_RE = re.compile(r"\s*(?:[,(\-]|\s)\s*(?P<age>[1-6]\d)(?!\d)")


def _age_after_name_py(text: str, name: str) -> int:
    """The age right after the first place of ``name`` in ``text`` ("ik ben Anna, 21"), or -1:
    what ``_extract`` reads; the definition of the compiled ``_tokens.age_after_name``, which
    ``worker_extract`` calls (a test compares them)."""
    at = text.find(name)
    if at >= 0:
        after = _AGE_AFTER_NAME_RE.match(text, at + len(name))
        if after:
            return int(after.group("age"))
    return -1


_NAME_TRIGGER_LAST = frozenset(t[-1] for t in _NAME_TRIGGERS)

_CITY_CANONICAL: dict[str, str] = {}
for _city in LEXICON["cities"]:
    _CITY_CANONICAL[_city.lower()] = LEXICON["city_aliases"].get(_city, _city)
# First word of a city name -> (all its words, canonical name), longest first.
_CITY_BY_FIRST_WORD: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _spelling, _canonical in _CITY_CANONICAL.items():
    _words = tuple(re.findall(r"\w+", _spelling))
    _CITY_BY_FIRST_WORD.setdefault(_words[0], []).append((_words, _canonical))
for _options in _CITY_BY_FIRST_WORD.values():
    _options.sort(key=lambda option: -len(option[0]))
_TOKEN_RE = re.compile(r"\w+")
# Digit groups separated by anything but letters: one number, whatever the punctuation or emoji.
_NUMBER_RUN_RE = re.compile(r"\d+(?:[^\w\n]+\d+)*")
_DIGIT_WORD_SET = frozenset(_DIGIT_WORD)
_CITY_FIRST_WORDS = frozenset(_CITY_BY_FIRST_WORD)
_STOPWORD_SETS: dict[str, frozenset[str]] = {
    lang: frozenset(words) for lang, words in LEXICON["stopwords"].items()
}
_STOPWORD_LANGUAGES: dict[str, tuple[int, ...]] = {
    word: tuple(n for n, lang in enumerate(LANGUAGES) if word in _STOPWORD_SETS[lang])
    for lang in LANGUAGES
    for word in _STOPWORD_SETS[lang]
}
_ALL_STOPWORDS = frozenset(_STOPWORD_LANGUAGES)
# Each stopword's languages as one int, 16 bits a language (the lists are far shorter than
# 2**16 words): summing these over an ad's stopwords counts every language at once.
_STOPWORD_PACKED: dict[str, int] = {
    word: sum(1 << (16 * n) for n in languages) for word, languages in _STOPWORD_LANGUAGES.items()
}
assert all(len(words) < 1 << 16 for words in _STOPWORD_SETS.values())

_CYRILLIC_RE = re.compile(r"[а-яё]")

# Every word some rule of extraction looks for in an ad's word set. An ad's set is intersected
# with this once, and the rules test the few words found instead of the whole set: each of them
# asks about a subset of these words, so the answers are the same (a set intersection costs
# about 15 ns a word of the ad, and there were several per ad).
_RULE_WORDS = frozenset().union(
    _DIGIT_WORD_SET,
    _CITY_FIRST_WORDS,
    _NAME_TRIGGER_LAST,
    _ALL_STOPWORDS,
    _GREETING_AFTER_NAME,
    _AGE_UNIT_WORDS,
    _AGE_LABEL_WORDS,
    _HANDLE_LABEL_WORDS,
    (SLOT_NUM,),
)
# The rule words as the compiled ``_tokens.scan_words`` reads them: bit 0 marks a rule word,
# bit n + 1 a stopword of LANGUAGES[n] (every stopword is a rule word).
_WORD_TABLE: dict[str, int] = {
    word: 1 | sum(2 << n for n in _STOPWORD_LANGUAGES.get(word, ())) for word in _RULE_WORDS
}


@dataclass(slots=True)
class Extraction:
    """What one ad tells us. ``contacts`` are entity keys such as ``tel:+31612345001``."""

    contacts: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    age: int = -1
    price: float = -1.0
    cities: list[str] = field(default_factory=list)
    language: str = UNDETERMINED
    tokens: list[str] = field(default_factory=list)  # the normalised text as tokens
    lowered: str = ""  # title and text, lower-cased
    # Lower-cased word tokens, digit runs as the number slot: for cheap tests of what words occur.
    words: set[str] = field(default_factory=set)

    @property
    def normalised(self) -> str:
        """The slot-normalised text. Joined on demand: only the report shows it, for a few ads."""
        return " ".join(self.tokens)


class _Found(Protocol):
    """What the contact scan and the slot rules write an ad's findings into: an ``Extraction``,
    or in a scan's worker the lighter ``_WorkerFound``."""

    contacts: list[str]
    urls: list[str]
    names: list[str]
    cities: list[str]


class _WorkerFound:
    """What ``_spelled_numbers`` writes a phone into when ``worker_extract`` calls it (rarely:
    an ad with three number words or more): the lists of ``_Found`` without the
    ``Extraction``'s other fields and their defaults."""

    __slots__ = ("cities", "contacts", "names", "urls")

    def __init__(self) -> None:
        self.contacts: list[str] = []
        self.urls: list[str] = []
        self.names: list[str] = []
        self.cities: list[str] = []


# Numbers the numbering plan does not list are still keys: an operator's number is evidence
# whether or not the plan knows its range. Only shapes that cannot be a price or a time: a Dutch
# mobile-like 06 + 8 digits, or + and 10-14 digits.
_UNPLANNED_RE = re.compile(r"^(?:06\d{8}|\+\d{10,14})$")
# The spelled-out 6 stands between the 0 and the digits, so it is a whole word of the ad.
_SIX_WORDS = frozenset(LEXICON["digit_words"]["6"])
assert _SIX_WORDS <= _RULE_WORDS  # digit words: the gate of the spelled-out 6 is covered
_SPELLED_SIX_RE = re.compile(
    r"(?<![\w+])0\s*(?:"
    + "|".join(map(re.escape, LEXICON["digit_words"]["6"]))
    + r")[\s.\-]*(?P<rest>(?:\d[\s.\-]?){7}\d)(?!\d)"
)


def unplanned_phone(raw: str) -> str | None:
    """A phone key for a number-like string that ``normalise_phone`` rejects because the
    numbering plan does not list it: "+31" and the digits for 06 numbers, the digits as written
    for international ones. Whether the plan lists a number is a flag for the report
    (``phone_in_plan``), not a filter."""
    digits = _NON_DIGIT_RE.sub("", _phone_letters_as_digits(raw))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not _UNPLANNED_RE.match(digits):
        return None
    return "+31" + digits[1:] if digits.startswith("06") else digits


@lru_cache(maxsize=65536)
def _text_phone_key(raw: str) -> str | None:
    """The contact key of a phone as the text writes it, planned or not: one cache look-up an
    occurrence instead of two calls and a new string (a pure function of the text)."""
    phone = normalise_phone(raw) or unplanned_phone(raw)
    return f"tel:{phone}" if phone else None


def phone_in_plan(e164: str) -> bool:
    """Whether the numbering plan lists the number (phonenumbers' validity)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


@lru_cache(maxsize=65536)
def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 for a phone-like string, or None when it is not a valid number. Cached on the text
    as written (a pure function): an operator's ads repeat a number written the same way."""
    digits = _NON_DIGIT_RE.sub("", _phone_letters_as_digits(raw))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if "+" in digits[1:]:
        digits = digits[0] + digits[1:].replace("+", "")
    return _parse_digits(digits, region)


# Numbers of a few more prefixes than the Dutch mobiles, answered from the numbering plan's own
# rules instead of phonenumbers' general parser (50-130 µs for each distinct number that is not a
# Dutch mobile: an invalid one is parsed once for each candidate length). Each rule covers every
# digit string with its prefix, of any length: the national number is the digits from `start` to
# `stop`, valid when the pattern matches it whole, and no other candidate length can be valid in
# that plan for a national number with these first digits. Prefixes: what the corpora send to the
# general parser (written 06 numbers outside 061-065/068, +31 6, Romanian mobiles +40 7). A test
# checks each rule against phonenumbers on a sweep of its range and on the generators' numbers.
# (prefix, start, stop, pattern of the valid national numbers, country code as written in E.164)
_PLAN_RULES: dict[str, tuple[int, int, re.Pattern[str], str]] = {
    # Dutch 06 written nationally: mobiles (61-65, 68) and pagers (66); no other length is valid
    # for a national number starting with 6.
    "06": (1, 10, re.compile(r"6[1-68]\d{7}"), "+31"),
    "+316": (3, 12, re.compile(r"6[1-68]\d{7}"), "+31"),
    # Romanian mobiles: nine digits starting with 7, no other length.
    "+407": (
        3,
        12,
        re.compile(r"7020\d{5}|7(?:0[013-9]|1[0-3]|[2-7]\d|8[03-8]|9[0-39])\d{6}"),
        "+40",
    ),
}


@lru_cache(maxsize=65536)
def _parse_digits(digits: str, region: str) -> str | None:
    # Cached on the digits: one operator's number recurs in many ads, written in many ways.
    if region == "NL":
        # Dutch mobile numbers are most of what ads hold and follow one plan (06 + 8 digits, 061-065
        # and 068); answering them directly spares phonenumbers' general parser. A test checks
        # that this agrees with phonenumbers.
        mobile = _DUTCH_MOBILE_RE.match(digits)
        if mobile:
            return "+31" + mobile.group(1)
        rule = _PLAN_RULES.get(digits[:4]) or _PLAN_RULES.get(digits[:2])
        if rule:
            return _plan_rule_answer(digits, rule)
    return _parse_digits_general(digits, region)


def _plan_rule_answer(digits: str, rule: tuple[int, int, re.Pattern[str], str]) -> str | None:
    start, stop, pattern, country = rule
    national = digits[start:stop]
    if len(national) == stop - start and pattern.fullmatch(national):
        return country + national
    return None


def _parse_digits_general(digits: str, region: str) -> str | None:
    """What phonenumbers makes of the digits: the first valid candidate length, as E.164."""
    candidates: list[str]
    if digits.startswith("+"):
        # A greedy match may swallow trailing digits (a price); try the lengths numbers come in.
        candidates = [digits[:n] for n in range(min(len(digits), 16), 8, -1)]
    else:
        candidates = [digits[:10], digits[:9]] if len(digits) >= 9 else []
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _best_language(packed: int) -> int:
    """The index in LANGUAGES of the language with the most distinct stopwords (16 bits each in
    ``packed``), if more than one, the first on a tie; -1 when none has more than one."""
    best, best_score = -1, 1
    for n in range(len(LANGUAGES)):
        score = (packed >> (16 * n)) & 0xFFFF
        if score > best_score:
            best, best_score = n, score
    return best


def _language_of(best: int, text: str) -> str:
    """``detect_language``'s answer from ``_best_language``'s."""
    if best >= 0:
        return LANGUAGES[best]
    return "bg" if _CYRILLIC_RE.search(text) else UNDETERMINED


def detect_language(words: set[str] | frozenset[str], text: str) -> str:
    """Language by counting distinct stopwords per language; without them, Cyrillic script still
    says Bulgarian (the only Cyrillic language of the six).

    A simple model on purpose: ads are short, the six languages have distinctive function words,
    and the result only describes clusters; it is never evidence.
    """
    # One intersection with all stopwords, then the packed counts of the words found, summed.
    packed = sum(map(_STOPWORD_PACKED.__getitem__, _ALL_STOPWORDS.intersection(words)))
    return _language_of(_best_language(packed), text)


# The contact patterns in the order ``_find_contacts`` reads them, one bit each (the gates of
# ``_contact_matches``).
_SITE, _LABEL, _WHATSAPP, _URL, _EMAIL, _PHONE = 1, 2, 4, 8, 16, 32


def _age_py(lowered: str) -> int:
    """The age _AGE_RE finds first in the text, or -1: the definition of the compiled
    ``_tokens.age_search`` with ``_AGE_UNIT_LIST`` and ``_AGE_LABEL_LIST``, and its fallback."""
    age = _AGE_RE.search(lowered)
    return int(age.group("a1") or age.group("a2")) if age else -1


def _age_compiled(lowered: str) -> int:
    return _compiled_age_search(lowered, _AGE_UNIT_LIST, _AGE_LABEL_LIST)


_age = _age_compiled if _compiled_age_search is not None else _age_py


def _price_in_py(lowered: str, start: int, end: int) -> float:
    """The price _PRICE_RE finds first in ``lowered[start:end]`` (searched with pos and endpos:
    a word boundary at ``start`` sees the character before it), or -1.0: the definition of the
    compiled ``_tokens.price_in``, and its fallback."""
    price = _PRICE_RE.search(lowered, start, end)
    return float(price.group("p1") or price.group("p2")) if price else -1.0


_price_in = _compiled_price_in if _compiled_price_in is not None else _price_in_py


def _price_py(lowered: str) -> float:
    """The price of an ad's lower-cased text, or -1.0: searched only around each price marker's
    first occurrence, in the markers' order (the price pattern is costly over a whole text). The
    definition of the compiled ``_tokens.price_search``, which finds the three markers in one
    pass (a test compares them)."""
    for marker in _PRICE_MARKERS:
        at = lowered.find(marker)
        if at >= 0:
            price = _price_in(lowered, max(0, at - 12), at + 16)
            if price >= 0:
                return price
    return -1.0


def _word_gates(words: set[str] | frozenset[str]) -> int:
    """The gates of the contact patterns that ``words`` (the ad's word tokens, or those of them
    in ``_RULE_WORDS``) decide: a labelled handle needs a site word, a phone a digit (any digit
    in the text gives the number slot among the words; a phone ends on a digit)."""
    gates = _PHONE if SLOT_NUM in words else 0
    if not words.isdisjoint(_HANDLE_LABEL_WORDS):
        gates |= _LABEL
    return gates


def _contact_matches_py(lowered: str, word_gates: int) -> list[tuple]:
    """The matches of the contact patterns whose gates hold, pattern by pattern in the order of
    their bits, each pattern's in text order: (0, site, name) for a handle on a site, (1, site,
    name) for a labelled one, (2, number) for WhatsApp, (3, url), (4, user, domain, tld) for an
    address, (5, phone as written). Each pattern runs only when a cheap substring test, or
    ``word_gates`` (``_word_gates``), says it can match; the gates are part of the definition
    (the site pattern, for one, runs only on a text with "t.me/" or ".com/").

    The definition of the compiled ``_tokens.contact_matches``, and its fallback when it is not
    built (a test runs both)."""
    found: list[tuple] = []
    add = found.append
    if "t.me/" in lowered or ".com/" in lowered:
        for m in _HANDLE_SITE_RE.finditer(lowered):
            add((0, m.group("site"), m.group("name")))
    if ("@" in lowered or ":" in lowered) and word_gates & _LABEL:
        start = _scan_start(lowered, _HANDLE_LABEL_SEPARATORS, _HANDLE_LABEL_LONGEST)
        for m in _HANDLE_LABEL_RE.finditer(lowered, start):
            add((1, m.group("site"), m.group("name")))
    if "wa.me/" in lowered:
        for m in _WHATSAPP_RE.finditer(lowered):
            add((2, m.group("number")))
    if "http" in lowered or "www." in lowered:
        for m in _URL_RE.finditer(lowered):
            add((3, m.group(0)))
    if (
        ("@" in lowered and _EMAIL_HINT_RE.search(lowered))
        or "[at]" in lowered
        or "(at)" in lowered
    ):
        start = _scan_start(lowered, _EMAIL_SEPARATORS, _EMAIL_USER_MAX)
        for m in _EMAIL_RE.finditer(lowered, start):
            add((4, *m.group("user", "domain", "tld")))
    if word_gates & _PHONE:
        for m in _PHONE_RE.finditer(lowered):
            add((5, m.group(0)))
    return found


_contact_matches = (
    _compiled_contact_matches if _compiled_contact_matches is not None else _contact_matches_py
)


def _find_contacts(lowered: str, found: _Found, words: set[str] | frozenset[str]) -> None:
    """Contacts in the text: the matches of the contact patterns (``_contact_matches``) as
    keys, and numbers with a spelled-out 6. ``words`` (the ad's word tokens, or those of them in
    ``_RULE_WORDS``) gate the costlier patterns: each runs only when a word it needs occurs."""
    add = found.contacts.append
    for match in _contact_matches(lowered, _word_gates(words)):
        kind = match[0]
        if kind == 5:
            key = _text_phone_key(match[1])
            if key:
                add(key)
        elif kind <= 1:
            add(f"{HANDLE_PLATFORMS[match[1]]}:{match[2].strip('.')}")
        elif kind == 2:
            phone = normalise_phone("+" + match[1])
            if phone:
                add(f"tel:{phone}")
        elif kind == 3:
            found.urls.append(match[1].rstrip(".,;:!?)"))
        else:
            add(f"email:{match[1]}@{match[2]}.{match[3]}")
    if not words.isdisjoint(_SIX_WORDS) and "0" in lowered:
        # "0zes 12345678": the 6 of a Dutch mobile number spelled out, the rest in digits.
        # Its match begins with the 0 itself: no match starts before the first 0.
        for m in _SPELLED_SIX_RE.finditer(lowered, lowered.index("0")):
            phone = normalise_phone("06" + m.group("rest"))
            if phone:
                add(f"tel:{phone}")


def _scan_start(lowered: str, separators: tuple[str, ...], longest: int) -> int:
    """Where the first match of a contact pattern can start, for a pattern whose match is a
    part of at most ``longest`` characters that holds no separator, whitespace, then one of
    ``separators``: an e-mail address (user part, separator) or a labelled handle (site word,
    colon or at sign). A match's separator is the first in the text or a later one, and
    nothing before its separator holds one, so it starts at or after the first separator less
    the whitespace before it and ``longest``. Skipping the text before that spares the
    pattern's attempt at every position there; its look-behind still sees the character
    before the start."""
    first = len(lowered)
    for separator in separators:
        at = lowered.find(separator, 0, first)
        if at >= 0:
            first = at
    return max(0, len(lowered[:first].rstrip()) - longest)


# The words a title's candidate name skips (markers, adjectives, "not names", age units,
# cities) and those that end the search (city prepositions, a city's first word), each one set:
# one look-up a token instead of four. The first set wins where a word is in both, as in the
# definition (``title_persona`` in ``test_title_persona_lean.py``).
_TITLE_SKIP_WORDS = frozenset().union(
    _TITLE_WORDS, _NOT_NAME_WORDS, _AGE_UNIT_WORDS, _CITY_CANONICAL
)
_TITLE_END_WORDS = _CITY_PREPOSITIONS | _CITY_FIRST_WORDS


def title_persona(title: str) -> tuple[str, int] | None:
    """Name and age (-1 when absent) of the persona a title advertises, or None.

    Titles put the name after markers and adjectives ("NEW: sweet Anna"), in capitals
    ("ANNA"), with or without an age in brackets or after a comma or dash, often followed by
    "in {city}". The first word that is not such a marker, a number, an age unit or a city is
    the candidate; it counts as a name only with evidence that it is one: an age right after it,
    a city after it, or a marker before it. A lower-case candidate needs the age.
    """
    tokens = _TITLE_TOKEN_RE.findall(title)
    for i, token in enumerate(tokens):
        # The cheap tests first; none has a side effect, so their order does not matter.
        if len(token) < 2 or token.isdigit():
            continue
        low = token.lower()
        if low in _TITLE_SKIP_WORDS:
            continue
        if low in _TITLE_END_WORDS or len(token) > 15:
            return None
        following = tokens[i + 1 : i + 3]
        age = -1
        # isdecimal, not isdigit: a superscript ("²") is a digit that int() cannot read, and
        # one such title stopped a whole scan with a ValueError. It is no age.
        if following and following[0].isdecimal() and 18 <= int(following[0]) <= 69:
            age = int(following[0])
        capital = token[0].isupper()
        if age < 0 and not (
            capital
            and (
                len(tokens) == i + 1
                or (i > 0 and tokens[i - 1].lower() in _TITLE_WORDS)
                or (
                    len(following) >= 2
                    and following[0].lower() in _CITY_PREPOSITIONS
                    and following[1].lower() in _CITY_FIRST_WORDS
                )
            )
        ):
            return None
        name = token.capitalize() if token.isupper() or not capital else token
        return (name, age) if name not in _NOT_NAMES else None
    return None


@lru_cache(maxsize=65536)
def _title_names(title: str) -> tuple[str, int] | None:
    """The persona of a title: "Anna (21)" at its start, else ``title_persona``. Cached on the
    title (a pure function of it and the lexicon): an operator's ads repeat a title."""
    match = _TITLE_PERSONA_RE.match(title)
    if match:
        name, age = match.groups()
        if name not in _NOT_NAMES:
            return name, int(age)
    return title_persona(title)


# The sets ``_title_names`` reads, in the order the compiled ``_tokens.title_names`` takes them.
_TITLE_TABLES = (
    _NOT_NAMES,
    _TITLE_SKIP_WORDS,
    _TITLE_END_WORDS,
    _TITLE_WORDS,
    _CITY_PREPOSITIONS,
    _CITY_FIRST_WORDS,
)


def _title_names_compiled(title: str) -> tuple[str, int] | None:
    """``_title_names`` in one compiled call (``_tokens.title_names``; a test compares them),
    uncached: most titles are new to a worker, and the compiled call costs less than the
    definition's cache look-up and far less than the definition (ADR 0118)."""
    return _compiled_title_names(title, _TITLE_TABLES)


_persona = _title_names_compiled if _compiled_title_names is not None else _title_names


def _capitalised_after(original: str, trigger: str, token: str) -> str | None:
    """The original spelling of ``token`` when it is capitalised and follows ``trigger``: a name.

    String searches rather than a regular expression built per name: this runs for most ads.
    """
    name = token.capitalize()
    start = original.find(name)
    while start >= 0:
        end = start + len(name)
        before = original[max(0, start - len(trigger) - 3) : start].lower().rstrip(" ,:-")
        if (
            before.endswith(trigger)
            and (end == len(original) or not original[end].isalnum())
            and (start == 0 or not original[start - 1].isalnum())
        ):
            return name
        start = original.find(name, end)
    return None


def _positions(tokens: list[str], word: str) -> list[int]:
    """Where ``word`` occurs in ``tokens``; list.count and list.index scan in C, a Python loop
    would not (and counting first spares raising ValueError at the end)."""
    found: list[int] = []
    start = -1
    for _ in range(tokens.count(word)):
        start = tokens.index(word, start + 1)
        found.append(start)
    return found


def _indices_in_py(tokens: list[str], words: set[str] | frozenset[str]) -> list[int]:
    """Where the tokens that are in ``words`` stand, ascending: the definition of the compiled
    ``_tokens.indices_in``, and its fallback when it is not built. The same positions as
    ``sorted(i for word in words for i in _positions(tokens, word))``."""
    return [i for i, token in enumerate(tokens) if token in words]


_indices_in = _compiled_indices_in if _compiled_indices_in is not None else _indices_in_py


def _spelled_numbers(lower: list[str], found: _Found) -> list[str]:
    """Collapse runs of number words ("nul zes een twee ...") into one number slot, and read
    them as a phone number when they make one. A few number words in a row are ordinary words
    ("een", "one"), so only runs of at least ``_MIN_SPELLED_RUN`` count."""
    out: list[str] = []
    n = len(lower)
    i = 0
    while i < n:
        token = lower[i]
        if token in _DIGIT_WORD or token == SLOT_NUM:
            j = i
            while j < n and (lower[j] in _DIGIT_WORD or lower[j] == SLOT_NUM):
                j += 1
            run = lower[i:j]
            if j - i >= _MIN_SPELLED_RUN and any(t in _DIGIT_WORD for t in run):
                digits = "".join(_DIGIT_WORD.get(t, "") for t in run)
                if 9 <= len(digits) <= 13:
                    phone = normalise_phone(digits)
                    if phone:
                        found.contacts.append(f"tel:{phone}")
                out.append(SLOT_NUM)
            else:
                out.extend(run)
            i = j
            continue
        out.append(token)
        i += 1
    return out


def _word_tokens_re(lowered: str) -> tuple[list[str], set[str]]:
    """The word tokens of a lower-cased ad and their set, runs of digits collapsed into one number
    slot first, so "06 12 34 56 78" and "0612345678" look the same to the template comparison.

    This is the definition; ``_tokens.word_tokens`` computes the same in one compiled pass (a
    third of the time), and is used whenever it is built (``make install`` builds it)."""
    tokens = _TOKEN_RE.findall(_NUMBER_RUN_RE.sub(f" {SLOT_NUM} ", lowered))
    return tokens, set(tokens)


_word_tokens = _compiled_word_tokens if _compiled_word_tokens is not None else _word_tokens_re


_Scan = tuple[list[str], set[str], set[str] | frozenset[str], int]


def _scan_words_py(lowered: str) -> _Scan:
    """The word tokens and their set (``_word_tokens``), the words of them that some rule asks
    about (``_RULE_WORDS``), and the language by stopwords (``_best_language``'s index): the
    definition of the compiled ``_tokens.scan_words`` with ``_WORD_TABLE``, which computes the
    same in the tokeniser's pass, asking the table once per word of the vocabulary it
    remembers instead of intersecting each ad's set (a test checks both)."""
    tokens, words = _word_tokens(lowered)
    rule_words = _RULE_WORDS.intersection(words)
    packed = sum(map(_STOPWORD_PACKED.__getitem__, _ALL_STOPWORDS.intersection(rule_words)))
    return tokens, words, rule_words, _best_language(packed)


def _scan_words_compiled(lowered: str) -> _Scan:
    return _compiled_scan_words(lowered, _WORD_TABLE)


_scan_words = _scan_words_compiled if _compiled_scan_words is not None else _scan_words_py


def _slot_tokens(
    original: str,
    lower: list[str],
    words: set[str] | frozenset[str],
    found: _Found,
    marks: bytes | None = None,
) -> list[str]:
    """The word tokens (``_word_tokens``; ``words`` is their set, or the part of it in
    ``_RULE_WORDS``) with spelled-out numbers, cities and names replaced by slot tokens
    (``_slot_rules``). ``marks``: ``_tokens.scan_rules``' marks of these tokens, which spare
    the compiled slot rules a set look-up per token (only while the tokens are unchanged)."""
    if len(words & _DIGIT_WORD_SET) >= 3:
        lower = _spelled_numbers(lower, found)
        marks = None
    if marks is not None:
        found.cities = _compiled_slot_rules(original, lower, found.names, _SLOT_TABLES, marks)
    else:
        found.cities = _slot_rules(original, lower, words, found.names)
    return lower


def _slot_rules_py(
    original: str, lower: list[str], words: set[str] | frozenset[str], names: list[str]
) -> list[str]:
    """Cities and names in the tokens ``lower``, replaced there by slot tokens (in place); the
    names found after a trigger ("ik ben Anna") appended to ``names``; the cities returned.

    These are found by set intersection with ``words`` (the token set, or the part of it in
    ``_RULE_WORDS``), and only the few matching positions are visited. The definition of the
    compiled ``_tokens.slot_rules`` (with ``_SLOT_TABLES``), and its fallback."""
    cities: list[str] = []
    city_words = words & _CITY_FIRST_WORDS
    if city_words:
        # From the end, so that shortening the list for a two-word city moves nothing unvisited.
        seen: list[tuple[int, str]] = []
        for i in reversed(_indices_in(lower, city_words)):
            for city_tokens, canonical in _CITY_BY_FIRST_WORD[lower[i]]:
                width = len(city_tokens)
                if tuple(lower[i : i + width]) == city_tokens:
                    seen.append((i, canonical))
                    lower[i : i + width] = [SLOT_CITY]
                    break
        cities = list(dict.fromkeys(canonical for _, canonical in sorted(seen)))
    triggers = words & _NAME_TRIGGER_LAST
    if triggers:
        for i in _indices_in(lower, triggers):
            if i + 1 >= len(lower) or lower[i + 1] in _NOT_NAME_WORDS:
                continue
            if (
                (lower[i],) in _NAME_TRIGGERS
                or tuple(lower[i - 1 : i + 1]) in _NAME_TRIGGERS
                or (tuple(lower[i - 2 : i + 1]) in _NAME_TRIGGERS)
            ):
                name = _capitalised_after(original, lower[i], lower[i + 1])
                if name and name not in names:
                    names.append(name)
    for name in names:
        # One compiled pass: the positions ``_positions`` gives, in the same order.
        for i in _indices_in(lower, {name.lower()}):
            lower[i] = SLOT_NAME
    return cities


# What the compiled ``_tokens.slot_rules`` reads: the rule sets and tables of _slot_rules_py,
# with the name's spelling check: the compiled ``_tokens.capitalised_after`` (its definition
# is ``_capitalised_after``, a test compares them), else that Python function itself.
_SLOT_TABLES = (
    _CITY_FIRST_WORDS,
    _CITY_BY_FIRST_WORD,
    _NAME_TRIGGER_LAST,
    _NAME_TRIGGERS,
    _NOT_NAME_WORDS,
    _compiled_capitalised_after if _compiled_capitalised_after is not None else _capitalised_after,
    SLOT_CITY,
    SLOT_NAME,
)


def _slot_rules_compiled(
    original: str, lower: list[str], words: set[str] | frozenset[str], names: list[str]
) -> list[str]:
    # ``words`` is not needed: a token of a city's or trigger's first set is a rule word.
    return _compiled_slot_rules(original, lower, names, _SLOT_TABLES)


_slot_rules = _slot_rules_compiled if _compiled_slot_rules is not None else _slot_rules_py


def extract(
    title: str,
    text: str,
    *,
    phone: str = "",
    email: str = "",
    image_hashes: tuple[str, ...] = (),
) -> Extraction:
    """Extract everything the engine needs from one ad. Deterministic for a given input."""
    return _extract(title, text, phone, email, image_hashes, None)


# Bits of a word's value in ``scan_table``'s table beyond ``_WORD_TABLE``'s: the slot rules'
# "in _CITY_FIRST_WORDS" and "in _NAME_TRIGGER_LAST", which ``_tokens.scan_rules`` returns per
# token for ``_tokens.slot_rules`` (its marks). Both sets are rule words, so in the table.
_CITY_FIRST_MARK, _TRIGGER_LAST_MARK = 1 << 8, 1 << 9
assert _CITY_FIRST_WORDS | _NAME_TRIGGER_LAST <= _RULE_WORDS
# The slot tokens the rules write are neither (a mark of a replaced token is cleared).
assert not {SLOT_CITY, SLOT_NAME} & (_CITY_FIRST_WORDS | _NAME_TRIGGER_LAST)

# Bits of the groups of words whose presence among an ad's rule words ``worker_extract`` asks
# about (ADR 0122): a group's bit is in the value of each of its words that is a rule word (bit
# 0), so ``_tokens.scan_groups``' OR of the distinct rule words' values has it exactly when
# ``rule_words.isdisjoint(group)`` is false, and its count of the digit group's words is
# ``len(rule_words & _DIGIT_WORD_SET)``. A word of a group that is not a rule word never is
# among the rule words, so it needs no bit. (_tokens' COUNTED_GROUP is _DIGIT_GROUP.)
_DIGIT_GROUP = 1 << 10
_NUM_GROUP = 1 << 11
_HANDLE_LABEL_GROUP = 1 << 12
_SIX_GROUP = 1 << 13
_GREETING_GROUP = 1 << 14
_AGE_GROUP = 1 << 15
_WORD_GROUPS = (
    (_DIGIT_GROUP, _DIGIT_WORD_SET),
    (_NUM_GROUP, frozenset({SLOT_NUM})),
    (_HANDLE_LABEL_GROUP, _HANDLE_LABEL_WORDS),
    (_SIX_GROUP, _SIX_WORDS),
    (_GREETING_GROUP, _GREETING_AFTER_NAME),
    (_AGE_GROUP, _AGE_UNIT_WORDS | _AGE_LABEL_WORDS),
)


def scan_table(extra_words: frozenset[str]) -> dict[str, int]:
    """The word table of ``_tokens.scan_rules`` for ``extract_with``: ``_WORD_TABLE`` with
    ``extra_words`` marked as rule words too (bit 0; their language bits kept), and the slot
    rules' marks of the city and trigger words."""
    table = dict(_WORD_TABLE)
    for word in extra_words:
        table[word] = table.get(word, 0) | 1
    for word in _CITY_FIRST_WORDS:
        table[word] |= _CITY_FIRST_MARK
    for word in _NAME_TRIGGER_LAST:
        table[word] |= _TRIGGER_LAST_MARK
    for bit, group in _WORD_GROUPS:
        for word in group:
            if table.get(word, 0) & 1:
                table[word] |= bit
    return table


def extract_with(
    title: str,
    text: str,
    phone: str,
    email: str,
    image_hashes: tuple[str, ...],
    table: dict[str, int],
) -> Extraction:
    """``extract`` for a scan's worker, with ``table`` from ``scan_table(extra_words)``: the same
    fields except ``words``, which holds only the ad's words that are in ``_RULE_WORDS`` or in
    ``extra_words`` (the set of all its words is not built). Every rule of extraction asks only
    about rule words, so the rest is equal (a test checks it); a caller that asks the words
    about ``extra_words`` only (the indicator mask about its trigger words) gets the same
    answers as from ``extract``'s ``words``. Without the compiled scanner, ``extract`` itself."""
    return _extract(
        title, text, phone, email, image_hashes, table if _compiled_scan_rules is not None else None
    )


def _extract(
    title: str,
    text: str,
    phone: str,
    email: str,
    image_hashes: tuple[str, ...],
    table: dict[str, int] | None,
) -> Extraction:
    """``extract``, or with ``table`` ``extract_with``."""
    found = Extraction()
    original = f"{title}\n{text}"
    lowered = original.lower()

    if phone:
        normalised_phone = normalise_phone(phone)
        if normalised_phone:
            found.contacts.append(f"tel:{normalised_phone}")
    if email and "@" in email:
        found.contacts.append(f"email:{email.strip().lower()}")
    found.contacts.extend(f"img:{h.lower()}" for h in image_hashes if h)
    # Tokens first: their set tells which of the costlier patterns can match at all. With them,
    # the words any rule below asks about (one look-up instead of one per rule) and the
    # language's stopword counts.
    marks = None
    if table is None:
        tokens, words, rule_words, language = _scan_words(lowered)
    else:
        tokens, rule_words, language, marks = _compiled_scan_rules(lowered, table)
        words = rule_words
    _find_contacts(lowered, found, rule_words)

    persona = _persona(title) if title else None
    if persona:
        found.names.append(persona[0])
        found.age = persona[1]
    if text and not rule_words.isdisjoint(_GREETING_AFTER_NAME):
        # "Anna here", "Rita hier": a greeting that names the persona after the name.
        greeting = _AFTER_NAME_RE.search(text, 0, 300)
        name = greeting.group("name") if greeting else ""
        if name and name not in _NOT_NAMES and name not in found.names:
            found.names.append(name)
    found.tokens = _slot_tokens(original, tokens, rule_words, found, marks)
    if found.age < 0 and found.names:
        # "I'm Rita (29)", "ik ben Anna, 21": the age right after the name in a greeting.
        at = text.find(found.names[0])
        if at >= 0:
            age = _AGE_AFTER_NAME_RE.match(text, at + len(found.names[0]))
            if age:
                found.age = int(age.group("age"))
    if found.age < 0 and not (
        rule_words.isdisjoint(_AGE_UNIT_WORDS) and rule_words.isdisjoint(_AGE_LABEL_WORDS)
    ):
        found.age = _age(lowered)
    for marker in _PRICE_MARKERS:
        # Search only around the currency: the price pattern is costly over a whole text.
        at = lowered.find(marker)
        if at >= 0:
            price = _price_in(lowered, max(0, at - 12), at + 16)
            if price >= 0:
                found.price = price
                break

    found.language = _language_of(language, lowered)
    found.words = words
    found.lowered = lowered
    # Keep the order of first appearance but drop repeats: an ad often repeats its number.
    if len(found.contacts) > 1:
        found.contacts = list(dict.fromkeys(found.contacts))
    return found


# What ``worker_extract`` returns: contacts (keys, repeats dropped), the first name or "", the
# age, the price, the first city or "", the language, the slot-normalised tokens, the
# lower-cased title and text, and the rule words (``extract_with``'s ``words``).
WorkerFields = tuple[list[str], str, int, float, str, str, list[str], str, set[str]]


def worker_extract(
    title: str,
    text: str,
    phone: str,
    email: str,
    image_hashes: tuple[str, ...],
    table: dict[str, int],
) -> WorkerFields:
    """What a scan's worker keeps of ``extract_with`` (the same values: a test compares them
    on both generators' ads and odd texts), in one call an ad: ``_extract``'s steps with the
    compiled scanner, and only the fields the worker ships. Needs the compiled ``_tokens``.

    ``_find_contacts``, ``_word_gates`` and ``_slot_tokens`` are written out here, on plain
    lists instead of a findings object: a Python call and an object less each, for every ad
    (the spelled-out numbers, rare, still get one). ``table`` is a ``scan_table``: its words'
    group bits (``_WORD_GROUPS``) stand for the set operations on the rule words."""
    contacts: list[str] = []
    add = contacts.append
    original = f"{title}\n{text}"
    # str.lower, ASCII characters lower-cased inline (a test compares it on every code point).
    lowered = _compiled_lower(original)
    if phone:
        # A Dutch mobile's key in one compiled call (``_tokens.mobile_key``), else the
        # definition's.
        key = _compiled_mobile_key(phone)
        if key is not None:
            add(key)
        else:
            normalised_phone = normalise_phone(phone)
            if normalised_phone:
                add(f"tel:{normalised_phone}")
    if email and "@" in email:
        add(f"email:{email.strip().lower()}")
    for image_hash in image_hashes:  # a loop, not a generator: no frame of its own
        if image_hash:
            add(f"img:{image_hash.lower()}")
    # ``groups`` answers the questions about ``rule_words`` below (``_WORD_GROUPS``).
    tokens, rule_words, language, marks, groups, digit_words = _compiled_scan_groups(lowered, table)
    # _find_contacts (the text's urls, which it also collects, are not shipped).
    gates = _PHONE if groups & _NUM_GROUP else 0
    if groups & _HANDLE_LABEL_GROUP:
        gates |= _LABEL
    for match in _contact_matches(lowered, gates):
        kind = match[0]
        if kind == 5:
            key = _compiled_mobile_key(match[1]) or _text_phone_key(match[1])
            if key:
                add(key)
        elif kind <= 1:
            add(f"{HANDLE_PLATFORMS[match[1]]}:{match[2].strip('.')}")
        elif kind == 2:
            whatsapp = normalise_phone("+" + match[1])
            if whatsapp:
                add(f"tel:{whatsapp}")
        elif kind == 4:
            add(f"email:{match[1]}@{match[2]}.{match[3]}")
    if groups & _SIX_GROUP and "0" in lowered:
        for m in _SPELLED_SIX_RE.finditer(lowered, lowered.index("0")):
            spelled = normalise_phone("06" + m.group("rest"))
            if spelled:
                add(f"tel:{spelled}")
    names: list[str] = []
    age = -1
    persona = _compiled_title_names(title, _TITLE_TABLES) if title else None
    if persona:
        names.append(persona[0])
        age = persona[1]
    if text and groups & _GREETING_GROUP:
        greeting = _AFTER_NAME_RE.search(text, 0, 300)
        name = greeting.group("name") if greeting else ""
        if name and name not in _NOT_NAMES and name not in names:
            names.append(name)
    # _slot_tokens: the scanner's marks hold while the tokens are unchanged.
    if digit_words >= 3:
        found = _WorkerFound()
        found.contacts = contacts
        tokens = _spelled_numbers(tokens, found)
        cities = _slot_rules(original, tokens, rule_words, names)
    else:
        cities = _compiled_slot_rules(original, tokens, names, _SLOT_TABLES, marks)
    if age < 0 and names:
        # _age_after_name_py in one compiled call.
        age = _compiled_age_after_name(text, names[0])
    if age < 0 and groups & _AGE_GROUP:
        age = _age(lowered)
    price = _compiled_price_search(lowered)
    if len(contacts) > 1:
        contacts = list(dict.fromkeys(contacts))
    return (
        contacts,
        names[0] if names else "",
        age,
        price,
        cities[0] if cities else "",
        LANGUAGES[language] if language >= 0 else _language_of(language, lowered),
        tokens,
        lowered,
        rule_words,
    )


@lru_cache(maxsize=4096)
def canonical_city(city: str) -> str:
    """The canonical spelling of a city name from the gazetteer, or the input stripped."""
    stripped = city.strip()
    return _CITY_CANONICAL.get(stripped.lower(), stripped)

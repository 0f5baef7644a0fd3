"""The worker's compiled pieces of ADR 0079 give what the code before them gave: the compiled
name check (``_tokens.capitalised_after``) what its definition ``extract._capitalised_after``
gives, ``_tokens.scan_rules`` what ``scan_words`` gives without the set of all words, and a
worker's chunk (``partition._process_chunk``, which now extracts with ``extract_with`` and
masks with the rule and trigger words only) what the previous chunk code gave (``extract`` and
the mask on all the words, kept here as the reference), on the ads of both generators and on
adversarial ads (other scripts, letters whose case changes their length, emoji, empty and very
long fields). Each comparison is also shown to tell a wrong answer from a right one."""

import json
import random
from dataclasses import asdict
from datetime import date, datetime

import numpy as np
import pytest

from samen.online.engine import _tokens, partition, reader
from samen.online.engine import extract as extract_module
from samen.online.engine.extract import (
    _WORD_TABLE,
    _capitalised_after,
    canonical_city,
    extract,
    extract_with,
    scan_table,
)
from samen.online.engine.indicators import load_indicators
from samen.online.engine.partition import ScanConfig, chunk_sketches
from samen.online.engine.reader import BadRecord, Chunk, parse_ad
from samen.online.tests.corpora import both_generators

ADS = both_generators(300, seed=11)
TRIGGERS = sorted(" ".join(t) for t in extract_module._NAME_TRIGGERS)
NAMES = ["Anna", "ANNA", "anna", "Mia", "İlayda", "Ǆemal", "ǆemal", "Élodie", "ßara", "Ана"]
NAMES += ["Ιωάννα", "Σοφίας", "ﬁona", "ʼNick", "😀", "Mia2", "Mia_x", "Zoë", "ẞenja", "New"]
# Characters before a trigger and around a name where an ASCII shortcut could differ from
# str.lower / str.isalnum: letters that lower-case to two characters or to another letter,
# final sigma, digits of other scripts, marks, emoji, separators.
_AROUND = ["", " ", ",", ":", "-", " , ", "\n", "İ", "I", "K", "Σ", "ǅ", "٣", "\u0301", "😀"]
_AROUND += ["_", "x", "É", "\u00a0", "ß", "ﬁ", "Ω", "ΑΣ", "\x00"]


def _name_cases(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(original, trigger's last word, token) for the name check: every trigger before every
    name, glued by the characters above, upper-cased or not, repeated, at the start or end."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        trigger = rng.choice(TRIGGERS)
        name = rng.choice(NAMES)
        parts = [rng.choice(_AROUND) for _ in range(4)]
        said = trigger.upper() if rng.random() < 0.2 else trigger
        original = f"{parts[0]}{said}{parts[1]}{name}{parts[2]}"
        if rng.random() < 0.3:
            original = name + parts[3] + original + " " + said + " " + name
        if rng.random() < 0.05:
            original = "x" * 50_000 + original
        token = rng.choice([name.lower(), name, name.capitalize(), rng.choice(NAMES).lower()])
        cases.append((original, trigger.split()[-1], token or "a"))
    return cases


def _ad_cases() -> list[tuple[str, str, str]]:
    """The name checks that the slot rules ask on the generators' ads."""
    cases = []
    for ad in ADS:
        original = f"{ad.get('title', '')}\n{ad.get('text', '')}"
        tokens = extract_module._scan_words(original.lower())[0]
        for i, token in enumerate(tokens[:-1]):
            if token in extract_module._NAME_TRIGGER_LAST:
                cases.append((original, token, tokens[i + 1]))
    return cases


NAME_CASES = _ad_cases() + _name_cases(30_000, 79)


def test_the_compiled_name_check_equals_its_definition():
    expected = [_capitalised_after(*case) for case in NAME_CASES]
    assert [_tokens.capitalised_after(*case) for case in NAME_CASES] == expected
    # Names are found, and missed, many times each, on ads and on the made-up cases.
    assert sum(name is not None for name in expected) > len(NAME_CASES) // 10
    assert sum(name is None for name in expected) > len(NAME_CASES) // 5
    assert extract_module._SLOT_TABLES[5] is _tokens.capitalised_after


def test_a_name_check_that_misreads_is_caught():
    expected = [_capitalised_after(*case) for case in NAME_CASES]

    def checked(original: str, trigger: str, token: str, lower, isalnum, back=3) -> str | None:
        name = token.capitalize()
        start = original.find(name)
        while start >= 0:
            end = start + len(name)
            before = lower(original[max(0, start - len(trigger) - back) : start]).rstrip(" ,:-")
            if (
                before.endswith(trigger)
                and (end == len(original) or not isalnum(original[end]))
                and (start == 0 or not isalnum(original[start - 1]))
            ):
                return name
            start = original.find(name, end)
        return None

    def case_sensitive(original: str, trigger: str, token: str) -> str | None:
        return checked(original, trigger, token, str, str.isalnum)

    def letters_only(original: str, trigger: str, token: str) -> str | None:
        return checked(original, trigger, token, str.lower, str.isalpha)

    def short_window(original: str, trigger: str, token: str) -> str | None:
        return checked(original, trigger, token, str.lower, str.isalnum, back=2)

    assert [checked(*case, str.lower, str.isalnum) for case in NAME_CASES] == expected
    assert [case_sensitive(*case) for case in NAME_CASES] != expected
    assert [letters_only(*case) for case in NAME_CASES] != expected
    assert [short_window(*case) for case in NAME_CASES] != expected


def test_the_compiled_name_check_refuses_what_it_cannot_read():
    with pytest.raises(TypeError):
        _tokens.capitalised_after("a", "b")
    with pytest.raises(TypeError):
        _tokens.capitalised_after("a", b"b", "c")
    with pytest.raises(ValueError):
        _tokens.capitalised_after("ik ben", "ben", "")


_LONG = "Ik ben Anna " + "woord " * 20_000 + "0612345678 snel"
_ODD_TEXTS = [
    "",
    " ",
    "😀💋🔥" * 10,
    "İK BEN ANNA, 21 uit Den Haag. Bel 06 12 34 56 78",
    "аз съм Ана, 22 години, София. Телефон +359 88 123 4567",
    "Ιωάννα εδώ ΣΟΦΙΑΣ ﬁona ǅemal ẞenja ٣٤٥ ١٢ ０６１２３４５６７８",
    "ik ben\u00a0Mia\u2003hier\x00 nul zes een twee drie vier vijf zes zeven acht",
    "sunt Ioana, am 23 de ani, Cluj. mă numesc Ioana. Мама tg: @ioana_x",
    "New girl! NEW NEW new 20 jaar 150 eur all-in, geen haast",
    _LONG,
    # Stopwords repeated: a language counts distinct words, one word repeated counts once.
    "de de de the and",
    "de de",
    "the the the en de",
]


def _odd_ads() -> list[dict]:
    """Ads with the texts above, as titles and texts, with and without the structured fields."""
    ads = []
    for n, text in enumerate(_ODD_TEXTS):
        ads.append({"id": f"odd{n}", "title": text[:80], "text": text})
        ads.append({"id": f"odd{n}t", "title": text, "text": "", "city": text[:10]})
        ads.append(
            {
                "id": f"odd{n}f",
                "title": "Anna",
                "text": text or "x",
                "phone": "06 12345678",
                "email": "A@B.nl",
                "image_hashes": ["ABC", ""],
                "price": 120,
                "age": 25,
                "posted_at": "2026-01-02T03:04:05Z",
            }
        )
    return ads


def _lines(ads: list[dict]) -> list[tuple[int, int, object]]:
    items: list[tuple[int, int, object]] = []
    offset = 0
    for n, ad in enumerate(ads):
        line = json.dumps(ad, ensure_ascii=n % 2 == 0).encode()
        items.append((n + 1, offset, line))
        offset += len(line) + 1
    items.append((len(ads) + 1, offset, b'{"id": ""}'))  # a bad line among them
    return items


ITEMS = _lines(ADS + _odd_ads())


def _reference_chunk(chunk: Chunk, config: ScanConfig) -> partition.ChunkResult:
    """A worker's chunk as the code before ADR 0079 computed it: ``extract`` with the set of
    all words, and the mask on that set."""
    indicators = load_indicators(config.indicators_path)
    result = partition.ChunkResult(chunk.seq, chunk.file_index, chunk.nbytes)
    token_lists = []
    for line_number, offset, payload in chunk.items:
        try:
            ad = parse_ad(payload)
        except BadRecord as exc:
            result.bad.append((chunk.file_index, line_number, str(exc)))
            continue
        found = extract(
            ad.title, ad.text, phone=ad.phone, email=ad.email, image_hashes=ad.image_hashes
        )
        result.ids.append(ad.id)
        result.line_numbers.append(line_number)
        result.offsets.append(offset)
        result.urls.append(ad.url)
        result.days.append(ad.day)
        result.cities.append(
            canonical_city(ad.city) if ad.city else (found.cities[0] if found.cities else "")
        )
        result.names.append(found.names[0] if found.names else "")
        result.ages.append(ad.age if ad.age >= 0 else found.age)
        result.prices.append(ad.price if ad.price >= 0 else found.price)
        result.languages.append(found.language)
        result.masks.append(indicators.mask(found.lowered, found.words))
        result.contacts.append(found.contacts)
        token_lists.append(found.tokens)
    result.signatures, result.shingles, result.shingle_counts = chunk_sketches(token_lists, config)
    return result


def _plain(result: partition.ChunkResult) -> dict:
    return {
        name: getattr(result, name).tolist()
        if isinstance(getattr(result, name), np.ndarray)
        else getattr(result, name)
        for name in result.__slots__
    }


def _chunks(process, items=ITEMS) -> list[dict]:
    config = ScanConfig(chunk_size=200)
    return [
        _plain(partition._packed(process(Chunk(3, 1, items[i : i + 200], 0), config)))
        for i in range(0, len(items), 200)
    ]


def test_a_workers_chunk_is_what_it_was():
    expected = _chunks(_reference_chunk)
    assert _chunks(partition._process_chunk) == expected
    # The ads exercise what the words decide: masks, names, cities, languages, contacts.
    keys = ("masks", "names", "languages", "bad")
    merged = {key: [v for part in expected for v in part[key]] for key in keys}
    assert sum(mask != 0 for mask in merged["masks"]) > len(ADS) // 4
    assert sum(bool(name) for name in merged["names"]) > len(ADS) // 4
    assert len(set(merged["languages"])) >= 5
    assert len(merged["bad"]) >= 1


def test_a_chunk_that_masks_with_too_few_words_is_caught(monkeypatch):
    """The mask asks the words about the indicator set's trigger words only: a table without
    them changes masks (as would a scan that left trigger words out)."""
    expected = _chunks(_reference_chunk)
    monkeypatch.setattr(partition, "_mask_table", lambda indicators: scan_table(frozenset()))
    assert _chunks(partition._process_chunk) != expected


TABLE = scan_table(load_indicators(None).triggers)


def test_scan_rules_is_scan_words_without_the_set_of_all_words():
    texts = [f"{ad.get('title', '')}\n{ad.get('text', '')}".lower() for ad in ADS]
    texts += [text.lower() for text in _ODD_TEXTS] + _ODD_TEXTS
    marked = {word for word, flags in TABLE.items() if flags & 1}
    cities, triggers = extract_module._CITY_FIRST_WORDS, extract_module._NAME_TRIGGER_LAST
    for text in texts:
        tokens, words, rule_words, language = _tokens.scan_words(text, _WORD_TABLE)
        plain = (tokens, rule_words, language, bytes(len(tokens)))
        assert _tokens.scan_rules(text, _WORD_TABLE) == plain
        marks = bytes((token in cities) | (token in triggers) << 1 for token in tokens)
        assert _tokens.scan_rules(text, TABLE) == (tokens, words & marked, language, marks)


def test_slot_rules_with_marks_are_slot_rules():
    """The compiled slot rules reading scan_rules' marks instead of the sets change the same
    tokens, find the same names and cities; wrong marks are caught, and refused when they
    are not one byte a token."""
    tables = extract_module._SLOT_TABLES
    ads = [(ad.get("title", ""), ad.get("text", "")) for ad in ADS]
    rng = random.Random(5)
    words = sorted(extract_module._CITY_FIRST_WORDS | extract_module._NAME_TRIGGER_LAST)
    words += ["den haag", "Anna", "İlayda", "ßara", "New", "xcityx", "😀", "12", "ik ben Mia"]
    for _ in range(3000):
        ads.append(("", " ".join(rng.choice(words) for _ in range(rng.randrange(0, 30)))))
    ads += [("", text) for text in _ODD_TEXTS]

    def run(with_marks, damage=None) -> list[tuple]:
        results = []
        for title, text in ads:
            original = f"{title}\n{text}"
            tokens, _, _, marks = _tokens.scan_rules(original.lower(), TABLE)
            names = ["Mia"] if "mia" in tokens else []
            if damage is not None:
                marks = damage(marks)
            cities = _tokens.slot_rules(original, tokens, names, tables, *with_marks(marks))
            results.append((tokens, names, cities))
        return results

    expected = run(lambda marks: ())
    assert run(lambda marks: (marks,)) == expected
    assert run(lambda marks: (None,)) == expected
    assert sum(bool(cities) for _, _, cities in expected) > len(ads) // 4
    assert sum(bool(names) for _, names, _ in expected) > len(ads) // 4

    # Trigger marks of the next token, or no trigger marks, or no city marks: other answers.
    def shifted(marks: bytes) -> bytes:
        return bytes((m & 1) | (n & 2) for m, n in zip(marks, (marks + b"\0")[1:], strict=True))

    assert run(lambda marks: (marks,), shifted) != expected
    assert run(lambda marks: (marks,), lambda marks: bytes(m & 1 for m in marks)) != expected
    assert run(lambda marks: (marks,), lambda marks: bytes(m & 2 for m in marks)) != expected
    with pytest.raises(TypeError):
        _tokens.slot_rules("ik ben", ["ik", "ben"], [], tables, b"\0")
    with pytest.raises(TypeError):
        _tokens.slot_rules("ik ben", ["ik", "ben"], [], tables, "ab")


def test_extract_with_differs_from_extract_only_in_the_words():
    config_triggers = load_indicators(None).triggers
    for ad in ADS + _odd_ads():
        args = (ad.get("title", ""), ad.get("text", ""), ad.get("phone", ""), ad.get("email", ""))
        hashes = tuple(ad.get("image_hashes", ()))
        full = asdict(extract(*args[:2], phone=args[2], email=args[3], image_hashes=hashes))
        lean = asdict(extract_with(*args, hashes, TABLE))
        words = full.pop("words")
        assert lean.pop("words") == words & (config_triggers | extract_module._RULE_WORDS)
        assert lean == full


def _day_reference(posted_at: str) -> int:
    """``reader._day`` before its shortcut for UTC times (ADR 0079)."""
    if not posted_at:
        return -1
    try:
        if len(posted_at) == 10:
            return date.fromisoformat(posted_at).toordinal()
        return datetime.fromisoformat(posted_at.replace("Z", "+00:00")).date().toordinal()
    except ValueError as exc:
        raise BadRecord("field 'posted_at' is not an ISO 8601 date or time") from exc


def _day_or_reason(day, posted_at: str) -> int | str:
    try:
        return day(posted_at)
    except BadRecord as exc:
        return str(exc)


def test_the_day_of_a_posting_time_is_what_it_was():
    times = [ad["posted_at"] for ad in ADS if ad.get("posted_at")]
    rng = random.Random(3)
    for _ in range(5000):
        year, month, day = rng.choice(["0000", "0001", "2024", "2026", "9999"]), 0, 0
        month, day = rng.randrange(0, 14), rng.randrange(0, 33)
        hour, minute, second = rng.randrange(0, 26), rng.randrange(0, 62), rng.randrange(0, 62)
        times.append(f"{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    times += ["2024-02-29T23:59:59Z", "2026-02-29T10:00:00Z", "2026-06-14T24:00:00Z"]
    times += [
        "2026-06-14T21:44:00+02:00",
        "2026-06-14",
        "2026-06-14T21:44Z",
        "2026-06-14 21:44:00Z",
    ]
    times += ["٢٠٢٦-٠٦-١٤T21:44:00Z", "2026-06-14T21:44:00z", "2026-06-14T2١:44:00Z", "x" * 20]
    expected = [_day_or_reason(_day_reference, posted_at) for posted_at in times]
    assert [_day_or_reason(reader._day, posted_at) for posted_at in times] == expected
    assert sum(isinstance(day, str) for day in expected) > 1000
    assert sum(isinstance(day, int) for day in expected) > 1000
    # A shortcut that took the day from any time of day (24:00 is the next day's start).
    assert _day_or_reason(lambda t: reader._date_ordinal(t[:10]), "2026-06-14T24:00:00Z") != (
        _day_or_reason(_day_reference, "2026-06-14T24:00:00Z")
    )

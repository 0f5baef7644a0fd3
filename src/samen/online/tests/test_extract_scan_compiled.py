"""The compiled contact scan, age search, price search and slot rules of ADR 0075 give what
their Python definitions give (``extract._contact_matches_py``: the substring gates and the
regular expressions; ``_age_py``, ``_price_in_py``, ``_slot_rules_py``): on the ads
of `online synth`, of the held-out generator and of its text-only version, on every contact
obfuscation the engine's tests know, and on adversarial texts built from the patterns' own
pieces (the edges of every repeat, unicode digits and spaces, emoji, mixed scripts, very long
tokens, empty fields). Each test also shows that it can tell a wrong answer from a right one."""

import importlib.util
import random
import sys
from dataclasses import asdict

import pytest

from samen.online.engine import _tokens
from samen.online.engine import extract as extract_module
from samen.online.engine.extract import (
    _AGE_LABEL_LIST,
    _AGE_UNIT_LIST,
    _SLOT_TABLES,
    _age_py,
    _contact_matches_py,
    _price_in_py,
    _price_py,
    _slot_rules_py,
    _word_gates,
    extract,
)
from samen.online.tests.corpora import three_corpora

# Every combination of the gates the word set decides (a labelled handle, a phone).
WORD_GATES = (0, extract_module._LABEL, extract_module._PHONE, 0x3F)

OBFUSCATIONS = [
    "06-12345678",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "+31612345678",
    "0031612345678",
    "(06) 1234 5678",
    "06🔥12🔥34🔥56🔥78",
    "0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
    "o6 l2 34 56 78",
    "o 6-12345678",
    "0 6 * 1 2 * 3 4 · 5 6 • 7 8",
    "06~12|34/56_78",
    "nul zes een twee drie vier vijf zes zeven acht",
    "zero six one two three four five six seven eight",
    "нула шест едно две три четири пет шест седем осем",
    "0zes 12 34 56 78",
    "call 0six-1234 5678 now",
    "wa.me/31612345678",
    "wa.me/+31612345678 and wa.me/+3161",
    "x.wa.me/31612345678 awa.me/31612345678",
    "bel of app: 069-1234567, ook +31 6 9123 4568",
    "mail lola.x [at] example [dot] com or lola@example.org. telegram: @lola_x, "
    "t.me/lola_y, insta: @lola.z, onlyfans.com/lola_of. see https://site.example/lola",
    "lola (at) mail (dot) nl, lola @ mail . info, lola@mail.comx, lola@mail.com_",
    "telegram.me/anna_b snapchat.com/add/anna.c instagram.com/a.b.c",
    "snapchat: anna snap @anna sc:@ anna tg:   @  anna ig:ab of: x.y.z",
    "www.anna.example http://x.example/a?b=c) https:// http:/x www. ",
    "тг: анна tg: анна telegram: анна_б",  # mixed scripts
    "tеlegram: anna t.mе/anna",  # a Cyrillic е inside a Latin word
    "+31 6 1234 5678 +31 6 1234 5678 +31 6 1234 5678",
    "prijs €150, 0612345678!! +0612345678 a0612345678 _0612345678 ++31612345678",
    "",
]


# The patterns' pieces and the characters where the compiled classes could differ from re's.
_PIECES = [
    *("t.me/", "telegram.me/", "instagram.com/", "onlyfans.com/", "snapchat.com/add/"),
    *("telegram", "tg", "snapchat", "snap", "sc", "instagram", "insta", "ig", "onlyfans", "of"),
    *(":", "@", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "\x1c", ".", "_", "+", "-", "/"),
    *("wa.me/", "0", "o", "6", "l", "06", "12345678", "1234567", "31", "(", ")", "*", "~"),
    *("[at]", "(at)", "[dot]", "(dot)", "[at", "(dot", "com", "nl", "info", "in", "de", "x"),
    *("http://", "https://", "http", "www.", "<", ">", "'", '"', "|", "·", "•"),
    *("é", "ж", "о", "😀", "💋", "🔥", "\ufe0f", "\u20e3", "\u200d", "١٢", "٣", "０", "²", "Ⅻ"),
    *("a" * 3, "b" * 31, "c" * 33, "d" * 40, "e" * 41, "f" * 42, "9" * 15, "8" * 46),
    *("anna", "a.b", "a-b", "gmail", "g", "ab", "A", "Tg", "\x00", "中"),
]


def _adversarial(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 30))) for _ in range(count)]


def _edges() -> list[str]:
    """The edges of every repeat: a name of 2, 3, 32 and 33 characters, a user part of 41
    and 42, a domain of 1, 2, 40 and 41, a phone body of 7, 8, 45 and 46, WhatsApp digits of
    7, 8, 15 and 16, a long run of text around them."""
    texts = []
    for length in (2, 3, 32, 33, 200):
        name = "n" * length
        texts += [f"t.me/{name}", f"tg: {name}.", f"snap@{name}x", f"of:@ {name}"]
    for length in (41, 42):
        texts += ["u" * length + "@mail.com", "u" * length + " [at] mail.nl"]
    for length in (1, 2, 40, 41):
        texts += [f"a@{'d' * length}.com", f"a @ {'d' * length} (dot) nl", f"@{'d' * length}."]
    for length in (7, 8, 44, 45, 46):
        texts += ["0" + "1" * length, "+" + "1 " * (length // 2) + "x", "o6" + "2" * length]
    for length in (7, 8, 15, 16):
        texts += ["wa.me/" + "3" * length, "wa.me/+" + "3" * length]
    texts.append(" ".join(OBFUSCATIONS) * 50)
    texts.append("x" * 100_000 + " 0612345678 " + "y@" * 1000)
    return texts


ADS = three_corpora(300, seed=7)
TEXTS = (
    [f"{ad['title']}\n{ad['text']}".lower() for ad in ADS]
    + [text.lower() for text in OBFUSCATIONS]
    + OBFUSCATIONS
    + _edges()
    + _adversarial(20_000, 75)
)


def _differences(matches, texts=TEXTS) -> list[tuple[str, int]]:
    return [
        (text, gates)
        for text in texts
        for gates in WORD_GATES
        if matches(text, gates) != _contact_matches_py(text, gates)
    ]


def test_the_compiled_contact_scan_equals_its_definition():
    assert _differences(_tokens.contact_matches) == []
    # Every pattern matches somewhere, many times: the comparison has something to compare.
    kinds: dict[int, int] = {}
    for text in TEXTS:
        for match in _contact_matches_py(text, 0x3F):
            kinds[match[0]] = kinds.get(match[0], 0) + 1
    assert sorted(kinds) == [0, 1, 2, 3, 4, 5]
    assert min(kinds.values()) >= 50


def _some_difference(matches) -> bool:
    return any(
        matches(text, gates) != _contact_matches_py(text, gates)
        for text in TEXTS
        for gates in WORD_GATES
    )


def test_a_contact_scan_that_misses_a_pattern_or_an_edge_is_caught():
    compiled = _tokens.contact_matches
    for kind in range(6):
        # A scan without one pattern, or one that cut each pattern's last match one short.
        def without(text, gates, kind=kind):
            return [m for m in compiled(text, gates) if m[0] != kind]

        assert _some_difference(without)
    assert _some_difference(
        lambda text, gates: [(*m[:-1], m[-1][:-1]) if m[-1] else m for m in compiled(text, gates)]
    )


def test_extraction_is_the_same_without_the_compiled_contact_scan(monkeypatch):
    ads = ADS + [{"title": "", "text": text} for text in OBFUSCATIONS + _edges()]

    def run() -> list[dict]:
        return [asdict(extract(ad["title"], ad["text"], phone=ad.get("phone", ""))) for ad in ads]

    compiled = run()
    monkeypatch.setattr(extract_module, "_contact_matches", _contact_matches_py)
    assert run() == compiled
    assert sum(bool(found["contacts"]) for found in compiled) > len(ads) // 2


def test_the_word_gates_are_what_the_words_say():
    assert _word_gates(set()) == 0
    assert _word_gates({"xnumx"}) == extract_module._PHONE
    assert _word_gates({"tg", "anna"}) == extract_module._LABEL


def test_the_compiled_contact_scan_refuses_what_it_cannot_read():
    with pytest.raises(TypeError):
        _tokens.contact_matches(b"0612345678", 0x3F)
    with pytest.raises(TypeError):
        _tokens.contact_matches("0612345678", "all")
    assert _tokens.contact_matches("0612345678", 0x3F) == [(5, "0612345678")]


# The age and price patterns' pieces: the edges of their repeats and classes.
_AMOUNT_PIECES = [
    *(" ", "  ", "\n", "\u00a0", "-", ":", "=", ".", ",", ".50", ",50", ".5", ",5", "_", "x"),
    *("a", "é"),
    *("1", "2", "6", "7", "0", "18", "21", "69", "70", "123", "1234", "12345", "٣", "٤٥", "😀"),
    *("€", "eur", "euro", "euros", "евро", "e", "EUR", "Age"),
    *_AGE_UNIT_LIST,
    *_AGE_LABEL_LIST,
]


def _amount_texts() -> list[str]:
    rng = random.Random(76)
    texts = [
        "".join(
            rng.choice(_AMOUNT_PIECES) + rng.choice(("", " ", " "))
            for _ in range(rng.randrange(0, 16))
        )
        for _ in range(20_000)
    ]
    return texts + [text.lower() for text in OBFUSCATIONS] + TEXTS[: len(ADS)]


AMOUNT_TEXTS = _amount_texts()


def _windows(text: str) -> list[tuple[int, int]]:
    """Windows as extract searches them (12 before a currency, 16 after), and the whole text."""
    found = [(0, len(text)), (0, len(text) + 5)]
    for start in (0, 3, max(0, len(text) - 20)):
        found += [(start, start + 16), (start, start + 28)]
    return found


def test_the_compiled_age_and_price_searches_equal_their_definitions():
    ages = [
        (_tokens.age_search(t, _AGE_UNIT_LIST, _AGE_LABEL_LIST), _age_py(t)) for t in AMOUNT_TEXTS
    ]
    assert [compiled for compiled, _ in ages] == [reference for _, reference in ages]
    assert sum(reference >= 0 for _, reference in ages) > len(AMOUNT_TEXTS) // 10
    prices = [
        (_tokens.price_in(text, start, end), _price_in_py(text, start, end))
        for text in AMOUNT_TEXTS
        for start, end in _windows(text)
    ]
    assert [compiled for compiled, _ in prices] == [reference for _, reference in prices]
    assert sum(reference >= 0 for _, reference in prices) > len(prices) // 30


def test_an_age_or_price_search_that_misreads_is_caught():
    # Units or labels one short, or a window read one character longer, give other answers.
    assert any(
        _tokens.age_search(t, _AGE_UNIT_LIST[:-1], _AGE_LABEL_LIST) != _age_py(t)
        for t in AMOUNT_TEXTS
    )
    assert any(
        _tokens.age_search(t, _AGE_UNIT_LIST, _AGE_LABEL_LIST[1:]) != _age_py(t)
        for t in AMOUNT_TEXTS
    )
    assert any(
        _tokens.price_in(text, start, end + 1) != _price_in_py(text, start, end)
        for text in AMOUNT_TEXTS
        for start, end in _windows(text)
    )


def _every_window_texts() -> list[str]:
    """Amount texts behind fillers of each str kind (ASCII, Latin-1, two- and four-byte), so a
    price's window sits mid-text in every kind and its first character follows a word
    character, a digit, a space or a currency as often as the pieces give."""
    fillers = ("ab ", "x", "café ", "é", "цена ", "ц", "😀 ", "😀", "12", "€")
    rng = random.Random(97)
    return [rng.choice(fillers) + text for text in AMOUNT_TEXTS[:4000]] + [
        text.lower() for text in OBFUSCATIONS
    ]


EVERY_WINDOW_TEXTS = _every_window_texts()


def _every_window(text: str) -> list[tuple[int, int]]:
    """The 28-character window extract searches at every start, and odd ones: empty, reversed,
    past the text's end, before its start."""
    found = [(start, start + 28) for start in range(len(text) + 1)]
    return [*found, (4, 4), (6, 2), (len(text) + 3, len(text) + 9), (-5, 10), (-9, -2)]


def test_the_compiled_price_reads_only_its_window_as_the_definition_does():
    # price_in copies the window and the character before it, not the whole text: a word
    # boundary at the window's start must still see that character, at every start, in every
    # kind of str.
    prices = [
        (_tokens.price_in(text, start, end), _price_in_py(text, start, end))
        for text in EVERY_WINDOW_TEXTS
        for start, end in _every_window(text)
    ]
    assert [compiled for compiled, _ in prices] == [reference for _, reference in prices]
    assert sum(reference >= 0 for _, reference in prices) > len(prices) // 30


def test_a_window_read_without_the_character_before_it_is_caught():
    # The mistake the windowed copy could make (the window alone, its start a text start)
    # gives other answers on these texts: the test above can see it.
    assert any(
        _price_in_py(text[max(0, start) : end], 0, end) != _price_in_py(text, start, end)
        for text in EVERY_WINDOW_TEXTS
        for start, end in _every_window(text)
        if 0 < start < end
    )


def _marker_texts() -> list[str]:
    """Texts with price markers far apart and repeated, in every order, some with a price in
    their first marker's window and some only in a later one's, behind fillers of each kind."""
    rng = random.Random(98)
    pieces = (
        *("€", "eur", "euro", "евро", "eu", "ев", "евр", "e", "€ 50", "50 eur", "120 евро"),
        *("eur 80", "€5", "1 eur", "€ x", " ", "  ", "x" * 20, "é" * 15, "ж" * 15, "😀" * 14),
        *("12", "1234", "12345", "\n"),
    )
    fillers = ("", "ab ", "café ", "цена ", "😀 ")
    return [
        rng.choice(fillers) + "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 10)))
        for _ in range(20_000)
    ]


PRICE_TEXTS = AMOUNT_TEXTS + EVERY_WINDOW_TEXTS + _marker_texts()


def _price_py_by(lowered: str, markers: tuple[str, ...], first=str.find) -> float:
    for marker in markers:
        at = first(lowered, marker)
        if at >= 0:
            price = _price_in_py(lowered, max(0, at - 12), at + 16)
            if price >= 0:
                return price
    return -1.0


def test_the_one_pass_price_search_is_its_definition():
    prices = [(_tokens.price_search(text), _price_py(text)) for text in PRICE_TEXTS]
    assert [compiled for compiled, _ in prices] == [reference for _, reference in prices]
    assert sum(reference >= 0 for _, reference in prices) > len(prices) // 8


def test_a_price_search_that_misses_a_marker_or_its_order_is_caught():
    # What the one pass could get wrong: a marker not seen, the markers in another order, or a
    # later occurrence of one. Each gives other prices on these texts.
    expected = [_price_py(text) for text in PRICE_TEXTS]
    wrong = [
        ("€", "eur"),
        ("€", "евро"),
        ("eur", "евро"),
        ("eur", "€", "евро"),
        ("€", "евро", "eur"),
    ]
    for markers in wrong:
        assert [_price_py_by(text, markers) for text in PRICE_TEXTS] != expected, markers
    last = [_price_py_by(text, ("€", "eur", "евро"), str.rfind) for text in PRICE_TEXTS]
    assert last != expected
    with pytest.raises(TypeError):
        _tokens.price_search(b"150 eur")


def test_extraction_is_the_same_without_the_compiled_age_and_price(monkeypatch):
    ads = ADS + [{"title": "", "text": text} for text in AMOUNT_TEXTS[:3000]]

    def run() -> list[dict]:
        return [asdict(extract(ad["title"], ad["text"], phone=ad.get("phone", ""))) for ad in ads]

    compiled = run()
    monkeypatch.setattr(extract_module, "_age", _age_py)
    monkeypatch.setattr(extract_module, "_price_in", _price_in_py)
    assert run() == compiled
    assert sum(found["age"] >= 0 for found in compiled) > len(ads) // 10
    assert sum(found["price"] >= 0 for found in compiled) > len(ads) // 10


def test_the_compiled_age_and_price_searches_refuse_what_they_cannot_read():
    with pytest.raises(TypeError):
        _tokens.age_search("21 jaar", ["jaar"], _AGE_LABEL_LIST)
    with pytest.raises(TypeError):
        _tokens.age_search("21 jaar", ("",), _AGE_LABEL_LIST)
    with pytest.raises(TypeError):
        _tokens.price_in(b"150 eur", 0, 7)
    assert _tokens.age_search("21 jaar", _AGE_UNIT_LIST, _AGE_LABEL_LIST) == 21
    assert _tokens.price_in("150 eur", 0, 7) == 150.0


def _slot_ads() -> list[tuple[str, str]]:
    """Titles and texts of cities, name triggers, names and words that are not names, in every
    spelling the rules read: capitals, other scripts, letters that change length or case oddly
    when capitalised (İ, ß, ǆ), two-word cities and triggers, a trigger at the start or end."""
    rng = random.Random(77)
    words = sorted(
        extract_module._CITY_FIRST_WORDS
        | extract_module._NAME_TRIGGER_LAST
        | extract_module._NOT_NAME_WORDS
    )
    words += ["Anna", "anna", "ANNA", "Den", "Haag", "den", "haag", "xcityx", "xnamex", "Mia"]
    names = ["Anna", "ANNA", "anna", "Mia", "İlayda", "Ǆemal", "ǆemal", "Élodie", "ßara", "New"]
    words += ["İstanbul", "ß", "Ik", "Ben", "😀", "12", "Den Haag", "den bosch", *names]
    # Every trigger followed by a name, a word that is no name, or nothing.
    for trigger in sorted(extract_module._NAME_TRIGGERS):
        for after in ("", " new", " available", *(f" {name}" for name in names)):
            words.append(" ".join(trigger) + after)
    glue = [" ", " ", "", ", ", " - ", ": ", "\n"]
    ads = [(ad["title"], ad["text"]) for ad in ADS]
    for _ in range(6000):
        title = "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randrange(0, 6)))
        text = "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randrange(0, 40)))
        ads.append((title, text))
    return ads + [("", text) for text in OBFUSCATIONS]


SLOT_ADS = _slot_ads()


def _slot_results(rules, tables=_SLOT_TABLES) -> list[tuple]:
    results = []
    for title, text in SLOT_ADS:
        original = f"{title}\n{text}"
        tokens, _, rule_words, _ = extract_module._scan_words(original.lower())
        names = ["Mia"] if "mia" in tokens else []  # a name found before, as a title gives
        if rules is _slot_rules_py:
            cities = rules(original, tokens, rule_words, names)
        else:
            cities = rules(original, tokens, names, tables)
        results.append((tokens, names, cities))
    return results


def test_the_compiled_slot_rules_equal_their_definition():
    expected = _slot_results(_slot_rules_py)
    assert _slot_results(_tokens.slot_rules) == expected
    assert sum(bool(cities) for _, _, cities in expected) > len(SLOT_ADS) // 4
    assert sum(len(names) > 1 for _, names, _ in expected) > len(SLOT_ADS) // 10


def test_slot_rules_with_a_rule_missing_are_caught():
    expected = _slot_results(_slot_rules_py)
    # Den Haag's option, the trigger "ik ben", or "new" as a word that is no name left out.
    changed = [
        (1, {**_SLOT_TABLES[1], "den": [(("den", "bosch"), "Den Bosch")]}),
        (3, _SLOT_TABLES[3] - {("ik", "ben")}),
        (4, _SLOT_TABLES[4] - {"new"}),
    ]
    for position, table in changed:
        tables = list(_SLOT_TABLES)
        tables[position] = table
        assert _slot_results(_tokens.slot_rules, tuple(tables)) != expected


def test_extraction_is_the_same_without_the_compiled_slot_rules(monkeypatch):
    def run() -> list[dict]:
        return [asdict(extract(title, text)) for title, text in SLOT_ADS]

    compiled = run()
    monkeypatch.setattr(extract_module, "_slot_rules", _slot_rules_py)
    assert run() == compiled
    assert sum(bool(found["names"]) for found in compiled) > len(SLOT_ADS) // 4


def test_the_compiled_slot_rules_refuse_what_they_cannot_read():
    with pytest.raises(TypeError):
        _tokens.slot_rules("a", ["a"], [], _SLOT_TABLES[:7])
    with pytest.raises(TypeError):
        _tokens.slot_rules("a", ("a",), [], _SLOT_TABLES)
    broken = list(_SLOT_TABLES)
    broken[1] = {word: [("den", "haag")] for word in _SLOT_TABLES[1]}
    with pytest.raises(TypeError):
        _tokens.slot_rules("den haag", ["den", "haag"], [], tuple(broken))


def test_extraction_without_the_extension_is_the_same(monkeypatch):
    """A copy of extract.py imported while ``_tokens`` cannot be imported (an install without
    the extension) takes every Python definition, and extracts the same."""
    spec = importlib.util.spec_from_file_location(
        "samen.online.engine._extract_without_extension", extract_module.__file__
    )
    monkeypatch.setitem(sys.modules, "samen.online.engine._tokens", None)
    fallback = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, fallback)  # dataclasses look the module up
    spec.loader.exec_module(fallback)
    assert fallback._contact_matches is fallback._contact_matches_py
    assert fallback._age is fallback._age_py
    assert fallback._price_in is fallback._price_in_py
    assert fallback._slot_rules is fallback._slot_rules_py
    assert fallback._scan_words is fallback._scan_words_py
    ads = ADS + [{"title": title, "text": text} for title, text in SLOT_ADS[-2000:]]
    ads += [{"title": "", "text": text} for text in OBFUSCATIONS + AMOUNT_TEXTS[:2000]]
    for ad in ads:
        expected = asdict(extract(ad["title"], ad["text"], phone=ad.get("phone", "")))
        found = asdict(fallback.extract(ad["title"], ad["text"], phone=ad.get("phone", "")))
        assert found == expected

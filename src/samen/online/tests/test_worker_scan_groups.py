"""``_tokens.scan_groups`` (ADR 0122) answers what ``worker_extract`` asks of an ad's rule words
as the set operations it replaces did: its first four values are ``scan_rules``', ``groups``
has a group's bit exactly when the rule words meet the group (``not isdisjoint``), and
``counted`` is how many distinct rule words are digit words (``len(rule_words &
_DIGIT_WORD_SET)``). On the three corpora's ads, the odd texts of the worker's tests, random
Unicode (surrogates included), empty and very long texts, repeated words, and on tables with
arbitrary values. Each comparison is also shown to tell a wrong answer from a right one."""

import random

import pytest

from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _DIGIT_GROUP, _DIGIT_WORD_SET, _WORD_GROUPS, scan_table
from samen.online.engine.indicators import load_indicators
from samen.online.tests.corpora import three_corpora
from samen.online.tests.test_worker_compiled import _ODD_TEXTS

_tokens = pytest.importorskip("samen.online.engine._tokens")

TABLE = scan_table(load_indicators(None).triggers)
_DIGIT_WORDS = sorted(_DIGIT_WORD_SET)


def _random_texts(count: int, seed: int) -> list[str]:
    """Texts of random code points (lone surrogates among them), rule words and digit words
    repeated and glued by odd characters, and very long ones."""
    rng = random.Random(seed)
    words = sorted(w for w, flags in TABLE.items() if flags & 1)
    glue = [" ", "", "\n", ",", "0", "7", "😀", "\u00a0", "İ", "\ud800", "_", "ß", "٣"]
    texts = []
    for n in range(count):
        parts = []
        for _ in range(rng.randrange(0, 40)):
            roll = rng.random()
            if roll < 0.4:
                parts.append(rng.choice(words))
            elif roll < 0.6:
                parts.append(rng.choice(_DIGIT_WORDS))
            elif roll < 0.8:
                parts.append("".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(5))))
            else:
                parts.append(str(rng.randrange(10**9)))
            parts.append(rng.choice(glue))
        text = "".join(parts)
        if n % 97 == 0:
            text = text * 2000  # very long
        texts.append(text)
    return texts


def _texts() -> list[str]:
    ads = three_corpora(300, seed=41)
    texts = [f"{ad.get('title', '')}\n{ad.get('text', '')}".lower() for ad in ads]
    texts += [text.lower() for text in _ODD_TEXTS] + _ODD_TEXTS
    # A digit word repeated counts once; three distinct ones reach the spelled-number rule.
    texts += ["nul nul nul nul", "nul een nul een", "nul een twee", "zes zes 06 nul", ""]
    return texts + _random_texts(3000, 5)


TEXTS = _texts()


def _expected(text: str, table: dict[str, int]) -> tuple:
    """The definition: scan_rules' values, the OR of the distinct rule words' values, and how
    many of them have the counted bit."""
    tokens, rule_words, language, marks = _tokens.scan_rules(text, table)
    groups = 0
    for word in rule_words:
        groups |= table.get(word, 0)
    counted = sum(1 for word in rule_words if table.get(word, 0) & _DIGIT_GROUP)
    return tokens, rule_words, language, marks, groups, counted


def test_scan_groups_is_scan_rules_with_the_set_operations_answered():
    for text in TEXTS:
        found = _tokens.scan_groups(text, TABLE)
        assert found == _expected(text, TABLE)
        rule_words, groups, counted = found[1], found[4], found[5]
        for bit, group in _WORD_GROUPS:
            assert bool(groups & bit) == (not rule_words.isdisjoint(group)), (text, bit)
        assert counted == len(rule_words & _DIGIT_WORD_SET)


def test_scan_groups_on_tables_of_any_values():
    """Random values up to 2**31 - 1 (every bit), on rule words and others: the OR and the
    count follow the table, whatever its bits mean."""
    rng = random.Random(3)
    for round_ in range(20):
        table = {
            word: rng.randrange(2**31) | (1 if rng.random() < 0.7 else 0)
            for word in rng.sample(sorted(TABLE), 400)
        }
        table[extract_module.SLOT_NUM] = rng.randrange(2**31)
        for text in TEXTS[round_::20]:
            assert _tokens.scan_groups(text, table) == _expected(text, table)


def test_the_groups_bits_are_in_the_scan_table():
    """Every word of a group that is a rule word carries the group's bit, and no other word."""
    for bit, group in _WORD_GROUPS:
        marked = {word for word, flags in TABLE.items() if flags & bit}
        assert marked == {word for word in group if TABLE.get(word, 0) & 1}


def test_a_wrong_answer_is_told_from_a_right_one():
    """Counting every occurrence, or OR-ing the values of words that are no rule words (on a
    table that has such values), gives other values on these texts."""
    rng = random.Random(8)
    table = {word: rng.randrange(2**31) for word in TABLE}
    repeats_counted = 0
    others_ored = 0
    for text in TEXTS[:400]:
        tokens, _, _, _, groups, counted = _tokens.scan_groups(text, TABLE)
        occurrences = sum(1 for token in tokens if TABLE.get(token, 0) & _DIGIT_GROUP)
        repeats_counted += occurrences != counted
        tokens, _, _, _, groups, _ = _tokens.scan_groups(text, table)
        all_ored = 0
        for token in tokens:
            all_ored |= table.get(token, 0)
        others_ored += all_ored != groups
    assert repeats_counted > 0
    assert others_ored > 0

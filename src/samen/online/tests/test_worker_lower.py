"""``_tokens.lower``, the worker's lower-casing of an ad (ADR 0101), is ``str.lower``: on every
code point, alone and between other characters; on the capital sigma in every context the
final-sigma rule reads (cased and case-ignorable characters before and after it, the text's
ends); on random texts of each kind of str (ASCII, Latin-1, two- and four-byte), letters
whose lower case is longer (İ) or of another kind (ẞ, Ω), empty and very long texts and a str
subclass. The texts are shown to tell a lower-casing without the sigma rule, or one character
at a time, from the right one."""

import random
import sys

import pytest

from samen.online.engine import _tokens
from samen.online.engine import extract as extract_module

# Cased, case-ignorable (combining acute, apostrophe, colon, middle dot, modifier letter),
# neither (space, digit, emoji, CJK), and letters whose lower case is special.
_POOL = ["Σ", "Σ", "σ", "ς", "A", "a", "Ω", "ω", "\u0301", "'", ":", "·", "ʰ", " ", "7", "😀"]
_POOL += ["中", "İ", "ẞ", "É", "ǅ", "Ⅻ", "𐐀", "\u00ad", ".", "\n", "Ä", "K"]


def _texts() -> list[str]:
    rng = random.Random(1001)
    texts = ["", "ABC xyz 06-12345678 @Anna", "ÀÉÎÕÜ ÿ", "Ⅻ ΣΑΣ ΑΣ Σ", "\U0001f600Σ"]
    for _ in range(20000):
        texts.append("".join(rng.choice(_POOL) for _ in range(rng.randrange(1, 12))))
    for widest in (127, 255, 0x7FF, 0xFFFF, 0x10FFFF):
        for _ in range(300):
            chars = (rng.randrange(0, widest + 1) for _ in range(rng.randrange(0, 80)))
            texts.append("".join(chr(c) for c in chars if not 0xD800 <= c <= 0xDFFF))
    huge = "".join(rng.choice([*_POOL, "Het is Anna, 06 12 34 56 78. "]) for _ in range(100000))
    texts += [huge, huge.encode("ascii", "ignore").decode(), "A" * 1_000_000]
    return texts


TEXTS = _texts()


def test_lower_is_str_lower_on_every_code_point():
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for text in (char, f"A{char}b", f"\U0001f600{char}Σ", f"é{char}"):
            assert _tokens.lower(text) == text.lower(), hex(code)


def test_lower_is_str_lower_on_texts_of_every_kind():
    for text in TEXTS:
        lowered = _tokens.lower(text)
        assert lowered == text.lower()
        assert type(lowered) is str
    assert _tokens.lower(type("Sub", (str,), {})("ÄΣ a")) == "äς a"
    assert extract_module._compiled_lower is _tokens.lower
    with pytest.raises(TypeError):
        _tokens.lower(b"A")


def test_a_lower_without_the_final_sigma_rule_is_caught():
    """Lower-casing one character at a time (no final sigma) or a sigma always final would
    give other texts on many of these."""
    by_character = sum("".join(c.lower() for c in t) != t.lower() for t in TEXTS)
    always_final = sum(t.lower() != t.replace("Σ", "ς").lower() for t in TEXTS if "Σ" in t)
    assert by_character > 1000 and always_final > 1000

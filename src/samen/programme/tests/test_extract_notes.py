"""Footnotes collected at the end of a plain-text letter, cited by "[n]" or a superscript."""

from samen.programme.letter import read
from samen.programme.letter.extract import from_plain_text


def test_trailing_bracket_list_is_tied_to_its_markers():
    letter = from_plain_text(
        "De motie Jansen (VVD)[1] vraagt om opvang. Hiermee beschouw ik de motie als afgedaan.\n"
        "\n[1] Kamerstukken II 2025/26, 36 547, nr. 1.\n[2] Toezegging TZ1.\n"
    )
    assert letter.footnotes == {1: "Kamerstukken II 2025/26, 36 547, nr. 1.", 2: "Toezegging TZ1."}
    (item,) = read(letter).items
    assert (item.kind, item.footnote, item.reference.key) == ("motion", 1, "36547-1")
    assert item.status.value == "done"


def test_superscript_numbers_are_tied_to_their_notes():
    letter = from_plain_text(
        "De motie Jansen (VVD)¹ vraagt om opvang.\n\n¹ Kamerstuk 36 547, nr. 1.\n"
    )
    assert "[footnoteRef:1]" in letter.paragraphs[0]
    assert read(letter).items[0].reference.key == "36547-1"


def test_bracketed_numbers_in_the_body_without_a_trailing_list_stay_text():
    letter = from_plain_text("Zie bijlage [2] voor de cijfers.\nTot slot.")
    assert letter.footnotes == {}
    assert letter.paragraphs[0] == "Zie bijlage [2] voor de cijfers."

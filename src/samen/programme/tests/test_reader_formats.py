"""The same content read from .txt, .docx and .pdf gives the same references and statuses."""

import pytest

from samen.programme.letter import LetterStatus, read_letter
from samen.programme.letter.extract import UnsupportedFormat

from .letter_files import make_docx, make_pdf

BODY = [
    "Moties en toezeggingen",
    "Motie Boomsma (NSC) c.s. – online outreach[fn:1]",
    "De leden Boomsma (NSC) c.s. roepen op tot meer online hulp. Hiermee beschouw ik "
    "bovengenoemde motie als afgedaan.",
    "Het lid Verkuijlen (VVD) heeft in zijn motie verzocht om misbruik tegen te gaan.[fn:2] "
    "In die zin neem ik de motie mee bij de verdere trajecten.",
]
NOTES = {1: "Kamerstukken II, 2024/25, 36 547, 29.", 2: "Kamerstuk 36 547, nr. 33."}


def _check(reading):
    assert [c.reference.display() for c in reading.references] == [
        "Kamerstukken II, 2024/25, 36 547, nr. 29",
        "Kamerstuk 36 547, nr. 33",
    ]
    first, second = (it for it in reading.items if it.reference)
    assert first.status is LetterStatus.DONE
    assert [m.name for m in first.members] == ["Boomsma"] and first.co_signers
    assert second.status is LetterStatus.IN_PROGRESS
    assert [(m.name, m.party) for m in second.members] == [("Verkuijlen", "VVD")]


def test_txt(tmp_path):
    text = "\n".join(p.replace("[fn:", "[footnoteRef:") for p in BODY)
    text += " ".join(f" [{n}:  {t}]" for n, t in NOTES.items())
    path = tmp_path / "brief.txt"
    path.write_text(text, encoding="utf-8")
    _check(read_letter(path))


def test_docx_footnotes_and_tables(tmp_path):
    path = make_docx(tmp_path / "brief.docx", BODY, NOTES)
    reading = read_letter(path)
    _check(reading)
    assert reading.footnotes == {1: NOTES[1], 2: NOTES[2]}
    assert "Actie 23 | Onderzoek opvanglandschap" in reading.paragraphs
    assert reading.source_format == "docx"


def test_pdf_footnotes_at_page_bottom(tmp_path):
    page1 = [
        "Moties en toezeggingen",
        "",
        "Motie Boomsma (NSC) c.s. - online outreach1",
        "",
        "De leden Boomsma (NSC) c.s. roepen op tot meer online hulp. Hiermee beschouw ik",
        "bovengenoemde motie als afgedaan.",
        "",
        "1 Kamerstukken II, 2024/25, 36 547, 29.",
    ]
    page2 = [
        "Het lid Verkuijlen (VVD) heeft in zijn motie verzocht om misbruik tegen te gaan.2 In",
        "die zin neem ik de motie mee bij de verdere trajecten.",
        "",
        "2 Kamerstuk 36 547, nr. 33.",
    ]
    reading = read_letter(make_pdf(tmp_path / "brief.pdf", [page1, page2]))
    assert reading.footnotes == {1: NOTES[1], 2: NOTES[2]}
    _check(reading)


def test_inline_reference_without_footnote(tmp_path):
    path = tmp_path / "brief.txt"
    path.write_text(
        "De motie Mutluer (GL/PvdA) c.s. (Kamerstuk 28 638, nr. 254) vraagt om een coördinator. "
        "Naar verwachting worden de resultaten eind 2025 opgeleverd.\n",
        encoding="utf-8",
    )
    reading = read_letter(path)
    (item,) = reading.items
    assert item.reference.display() == "Kamerstuk 28 638, nr. 254"
    assert item.members[0].party == "GL/PvdA"
    assert item.status is LetterStatus.RESEARCH_PENDING


def test_unknown_format_is_refused(tmp_path):
    path = tmp_path / "brief.odt"
    path.write_bytes(b"")
    with pytest.raises(UnsupportedFormat):
        read_letter(path)


def test_windows_1252_text(tmp_path):
    path = tmp_path / "brief.txt"
    path.write_bytes(
        "Motie Boomsma (NSC) c.s. – coördinatie (Kamerstuk 36 547, nr. 29)\r\n"
        "Hiermee beschouw ik bovengenoemde motie als afgedaan.\r\n".encode("cp1252")
    )
    reading = read_letter(path)
    (item,) = reading.items
    assert item.subject == "Coördinatie (Kamerstuk 36 547, nr. 29)"
    assert item.status is LetterStatus.DONE

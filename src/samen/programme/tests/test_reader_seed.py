"""The seed progress letter end to end, checked against a reading of the letter by hand.

Expected values below were taken by reading the letter (tests/fixtures/voortgangsbrief_2025.txt,
a copy of shared/seed/000_ee5ed285b94594ff.txt), not by running the reader.
"""

from pathlib import Path

import pytest

from samen.programme.letter import LetterStatus, read_letter

SEED = Path(__file__).parent / "fixtures" / "voortgangsbrief_2025.txt"

# footnote -> (reference as displayed, kind, submitters "Name (Party)", status)
EXPECTED = {
    1: ("Kamerstukken II, 2024/25, 36 547, nr. 40", "motion", ["Tseggai (GL/PvdA)"], "done"),
    4: (
        "Kamerstukken II, 2020/21, 35 570 VI, nr. 85",
        "motion",
        ["Kuiken (PvdA)", "Van der Graaf (CU)"],
        "in_progress",
    ),
    7: ("Kamerstukken II, 2024/25, 36 547, nr. 41", "motion", ["Diederik van Dijk (SGP)"], "done"),
    9: ("Kamerstukken II, 2024/25, 36 547, nr. 33", "motion", ["Verkuijlen (VVD)"], "in_progress"),
    11: (
        "Kamerstukken II, 2024/25, 36 547, nr. 27",
        "motion",
        ["Boomsma (NSC)", "Van Nispen (SP)"],
        "in_progress",
    ),
    17: ("Kamerstukken II, 2025/26, 36 547, nr. 30", "motion", ["Boomsma (NSC)"], "done"),
    18: ("Kamerstukken II, 2025/26, 36 835, nr. 2", "document", [], None),
    19: ("Kamerstukken II, 2024/25, 36 547, nr. 29", "motion", ["Boomsma (NSC)"], "done"),
    22: ("Kamerstukken II, 2024/25, 36 547, nr. 28", "motion", ["Boomsma (NSC)"], "in_progress"),
    23: (
        "Kamerstukken II, 2024/25, 36 547, nr. 46",
        "motion",
        ["Van Nispen (SP)", "Boomsma (NSC)"],
        "done",
    ),
    24: ("Kamerstukken II, 2024/25, 36 547, nr. 34", "motion", ["Ceder (CU)"], "declined"),
    25: (
        "Kamerstukken II, 2024/25, 36 547, nr. 37",
        "motion",
        ["Ceder (CU)", "Bikker (CU)"],
        "done",
    ),
    26: ("Kamerstukken II, 2024/25, 36 547, nr. 38", "motion", ["Krul (CDA)"], "declined"),
    27: (
        "Kamerstukken II, 2024/25, 36 547, nr. 36",
        "motion",
        ["Ceder (CU)", "Bikker (CU)"],
        "in_progress",
    ),
    28: (
        "Kamerstukken II, 2024/25, 36 547, nr. 32",
        "motion",
        ["Boomsma (NSC)", "Ceder (CU)"],
        "research_pending",
    ),
    29: (
        "Kamerstukken II, 2023/24, 28 638, nr. 244",
        "motion",
        ["Mutluer (GL/PvdA)"],
        "research_pending",
    ),
}
CO_SIGNED = {17, 19, 24, 29}  # "c.s."


@pytest.fixture(scope="module")
def reading():
    return read_letter(SEED)


def _by_footnote(reading):
    return {it.footnote: it for it in reading.items if it.reference}


def test_finds_all_sixteen_references(reading):
    assert len(reading.references) == 16
    assert len({c.reference.key for c in reading.references}) == 16
    assert {c.footnote for c in reading.references} == set(EXPECTED)
    assert {c.reference.display() for c in reading.references} == {v[0] for v in EXPECTED.values()}


def test_exactly_six_declared_done(reading):
    done = reading.done_items
    assert len(done) == 6
    assert {it.footnote for it in done} == {1, 7, 17, 19, 23, 25}
    for item in done:
        assert "als afgedaan" in item.evidence
        assert item.evidence.startswith("Hiermee beschouw ik")


@pytest.mark.parametrize("footnote", sorted(EXPECTED))
def test_each_reference_tied_to_its_item(reading, footnote):
    display, kind, members, status = EXPECTED[footnote]
    item = _by_footnote(reading)[footnote]
    assert item.reference.display() == display
    assert item.kind == kind
    assert [f"{m.name} ({m.party})" for m in item.members] == members
    assert (item.status.value if item.status else None) == status
    assert item.co_signers == (footnote in CO_SIGNED)
    if status:
        assert item.evidence  # every status comes with the sentence that shows it


def test_party_filled_from_elsewhere_in_letter_is_marked(reading):
    item = _by_footnote(reading)[27]  # "Motie Ceder en Bikker" names no parties
    assert all(m.party_inferred for m in item.members)
    assert not any(m.party_inferred for m in _by_footnote(reading)[25].members)


def test_commitments_without_reference(reading):
    commitments = [it for it in reading.items if it.kind == "commitment"]
    by_name = {tuple(m.name for m in it.members): it for it in commitments}
    tseggai = by_name[("Tseggai",)]
    assert tseggai.footnote == 8
    assert tseggai.made_on.isoformat() == "2025-06-05"
    assert tseggai.status is LetterStatus.IN_PROGRESS
    assert tseggai.action_line == 3
    kamervragen = by_name[("Boomsma", "Bikker")]
    assert kamervragen.status is LetterStatus.IN_PROGRESS
    assert len(commitments) == 2


def test_ambiguities_are_flagged(reading):
    items = _by_footnote(reading)
    # The done formula for nr. 40 says "toezegging", while the letter cites a motion.
    assert any("toezegging" in n for n in items[1].notes)
    # nr. 30 is cited as 2025/26 between nrs. 27-46 of 2024/25.
    assert any("parliamentary year" in n for n in items[17].notes)


def test_status_evidence_is_specific(reading):
    items = _by_footnote(reading)
    assert "neem ik de motie mee" in items[9].evidence
    assert "ligt het niet in de rede" in items[26].evidence
    assert "nog niet overgegaan" in items[24].evidence
    assert items[29].evidence.startswith("Dit onderzoek geeft uitvoering aan de motie Mutluer")
    # The Kuiken motion is carried out by the law, but the letter does not declare it done.
    assert "uitvoering gegeven aan de motie" in items[4].evidence


def test_json_shape(reading):
    data = reading.as_dict()
    assert data["summary"]["references"] == 16
    assert data["summary"]["by_status"]["done"] == 6
    first = data["items"][0]
    assert {"reference", "submitters", "parties", "status", "evidence", "location"} <= set(first)


def _summary(reading):
    return [
        (
            it.footnote,
            it.kind,
            it.reference.key if it.reference else None,
            [(m.name, m.party) for m in it.members],
            it.status,
            it.evidence,
        )
        for it in reading.items
    ]


@pytest.mark.parametrize(
    "layout",
    # Layouts where page breaks once split a heading from its footnote, a motion from its
    # status sentence, or ran a heading into the paragraph before it.
    [
        ("docx", 0, 0),
        ("pdf", 95, 48),
        ("pdf", 80, 52),
        ("pdf", 60, 45),
        ("pdf", 40, 22),
    ],
    ids=lambda layout: "-".join(map(str, layout)),
)
def test_seed_letter_reads_the_same_from_docx_and_pdf(reading, tmp_path, layout):
    """Word with real footnotes; PDFs with different line widths and page lengths, so page
    breaks fall inside paragraphs, between a heading and its text, and mid-footnote."""
    from .letter_files import seed_as_docx, seed_as_pdf

    fmt, width, lines = layout
    if fmt == "docx":
        other = read_letter(seed_as_docx(SEED, tmp_path / "brief.docx"))
    else:
        path = seed_as_pdf(SEED, tmp_path / "brief.pdf", width=width, lines_per_page=lines)
        other = read_letter(path)
    assert len(other.references) == 16
    assert set(other.footnotes) == set(range(1, 30))  # incl. "in 2014" + raised "14"
    assert {it.footnote for it in other.done_items} == {1, 7, 17, 19, 23, 25}
    assert _summary(other) == _summary(reading)

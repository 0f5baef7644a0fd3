"""Which item a status sentence belongs to."""

from samen.programme.letter import LetterStatus, read
from samen.programme.letter.extract import from_plain_text


def _read(text: str):
    return read(from_plain_text(text))


def _by_number(reading):
    return {it.reference.number: it for it in reading.items if it.reference}


NOTES = " [1:  Kamerstuk 36 547, nr. 1.]  [2:  Kamerstuk 36 547, nr. 2.]"


def test_declaration_naming_a_member_goes_to_that_motion_only():
    reading = _read(
        "De motie Jansen (VVD) verzocht om meer opvang.[footnoteRef:1] Tevens wordt hiermee "
        "uitvoering gegeven aan de motie Pietersen (SP).[footnoteRef:2] Hiermee beschouw ik "
        "bovengenoemde motie van het lid Jansen als afgedaan." + NOTES
    )
    items = _by_number(reading)
    assert items["1"].status is LetterStatus.DONE
    assert items["2"].status is LetterStatus.IN_PROGRESS


def test_declaration_naming_someone_else_is_given_to_no_one():
    reading = _read(
        "De motie Jansen (VVD) verzocht om meer opvang.[footnoteRef:1] Hiermee beschouw ik "
        "bovengenoemde motie van het lid De Vries als afgedaan." + NOTES
    )
    assert reading.done_items == []


def test_unnamed_declaration_under_a_heading_goes_to_the_heading_motion():
    reading = _read(
        "Motie Jansen (VVD) c.s. – meer opvang[footnoteRef:1]\n"
        "De leden Jansen c.s. vragen om meer opvang.\n"
        "Daarom investeer ik in opvang. Hiermee beschouw ik bovengenoemde motie als afgedaan.\n"
        "Motie Pietersen (SP) – minder wachttijd[footnoteRef:2]\n"
        "Zodra het onderzoek gereed is, beschouw ik de motie als afgedaan." + NOTES
    )
    items = _by_number(reading)
    assert items["1"].status is LetterStatus.DONE
    assert items["2"].status is None  # conditional: not declared done


def test_status_stops_at_the_next_heading():
    reading = _read(
        "Motie Jansen (VVD) – meer opvang[footnoteRef:1]\n"
        "Ik zal met gemeenten in gesprek gaan over de opvang.\n"
        "Internationale ontwikkelingen\n"
        "Naar verwachting worden de resultaten eind 2025 opgeleverd." + NOTES
    )
    item = _by_number(reading)["1"]
    assert item.status is LetterStatus.IN_PROGRESS
    assert [s.status for s in item.signals] == [LetterStatus.IN_PROGRESS]


def test_back_reference_is_not_a_new_commitment():
    reading = _read(
        "Ik houd rekening met de toezegging aan het lid Jansen (VVD) inzake opvang. "
        "Hiermee beschouw ik bovengenoemde toezegging aan het lid Jansen als afgedaan."
    )
    (item,) = reading.items
    assert item.kind == "commitment"
    assert item.subject == "Opvang"
    assert item.status is LetterStatus.DONE


def test_a_paper_that_is_not_a_motion():
    reading = _read(
        "De implementatiewet is op 1 oktober 2025 met uw Kamer gedeeld.[footnoteRef:1]" + NOTES
    )
    (item,) = reading.items
    assert item.kind == "document" and item.status is None


def test_same_reference_twice_is_one_item():
    reading = _read(
        "De motie Jansen (VVD) (Kamerstuk 36 547, nr. 1) vraagt om opvang. Later noemt de brief "
        "Kamerstukken II 2024/25, 36 547, nr. 1 opnieuw."
    )
    assert len(reading.references) == 2
    assert len(reading.items) == 1
    assert {c.item for c in reading.references} == {0}


def test_dutch_abbreviations_do_not_end_a_sentence():
    from samen.programme.letter.reader import split_sentences

    assert split_sentences(
        "Op grond van art. 273f Sr. is dit strafbaar. Zie Stb. 2024, 12 en blz. 4 van het "
        "rapport. De motie van mr. De Vries (VVD) c.s. is hiermee afgedaan."
    ) == [
        "Op grond van art. 273f Sr. is dit strafbaar.",
        "Zie Stb. 2024, 12 en blz. 4 van het rapport.",
        "De motie van mr. De Vries (VVD) c.s. is hiermee afgedaan.",
    ]


def test_a_short_paragraph_ending_in_a_closing_comma_is_no_heading():
    reading = _read(
        "De motie Jansen (VVD) verzocht om opvang.[footnoteRef:1] De motie is hiermee "
        "afgedaan. Hoogachtend," + NOTES
    )
    assert _by_number(reading)["1"].status is LetterStatus.DONE

"""How letters name members of parliament and their parties."""

import pytest

from samen.programme.letter.members import (
    BACKREF_RE,
    COMMITMENT_RE,
    MEMBER_MOTION_RE,
    MEMBERS_RE,
    MOTION_RE,
    parse_names,
)


def _names(regex, text):
    match = regex.search(text)
    assert match, text
    members, co_signers = parse_names(match.group("names"))
    return [(m.name, m.party) for m in members], co_signers


@pytest.mark.parametrize(
    ("text", "members", "co_signers"),
    [
        ("Motie Boomsma (NSC) c.s. – oorzaken", [("Boomsma", "NSC")], True),
        ("De motie Tseggai (GL/PvdA) verzocht om", [("Tseggai", "GL/PvdA")], False),
        (
            "Motie van Nispen (SP) en Boomsma (NSC) – regeling",
            [("Van Nispen", "SP"), ("Boomsma", "NSC")],
            False,
        ),
        (
            "de motie van de leden Kuiken (PvdA) en Van der Graaf (CU) waarin",
            [("Kuiken", "PvdA"), ("Van der Graaf", "CU")],
            False,
        ),
        ("De motie Diederik van Dijk (SGP) verzocht", [("Diederik van Dijk", "SGP")], False),
        ("De motie van het lid Krul roept op", [("Krul", "")], False),
        ("Motie Ceder en Bikker – jaarlijkse monitoring", [("Ceder", ""), ("Bikker", "")], False),
        ("de motie Mutluer (GL/PvdA) c.s.[footnoteRef:29]", [("Mutluer", "GL/PvdA")], True),
        (
            "Motie Klaver (GL), Jetten (D66) en Bontenbal (CDA) over",
            [("Klaver", "GL"), ("Jetten", "D66"), ("Bontenbal", "CDA")],
            False,
        ),
    ],
)
def test_motion_mentions(text, members, co_signers):
    assert _names(MOTION_RE, text) == (members, co_signers)


def test_member_then_motion():
    text = "Het lid Verkuijlen (VVD) heeft in zijn motie verzocht om"
    assert _names(MEMBER_MOTION_RE, text) == ([("Verkuijlen", "VVD")], False)


@pytest.mark.parametrize(
    ("text", "members"),
    [
        ("met de toezegging aan het lid Tseggai (GL/PvdA) inzake", [("Tseggai", "GL/PvdA")]),
        (
            "conform de toezegging in de beantwoording op Kamervragen van de leden Boomsma (NSC) "
            "en Bikker (CU) in gesprek",
            [("Boomsma", "NSC"), ("Bikker", "CU")],
        ),
    ],
)
def test_commitment_mentions(text, members):
    assert _names(COMMITMENT_RE, text)[0] == members


def test_members_named_in_a_declaration():
    text = (
        "Hiermee beschouw ik bovengenoemde motie van de leden Van Nispen en Boomsma als afgedaan."
    )
    assert _names(MEMBERS_RE, text)[0] == [("Van Nispen", ""), ("Boomsma", "")]


@pytest.mark.parametrize(
    ("text", "is_backref"),
    [
        ("Hiermee beschouw ik bovengenoemde ", True),
        ("In die zin neem ik deze ", True),
        ("In navolging op dit Fieldlab is mijn ministerie conform de ", False),
    ],
)
def test_back_references(text, is_backref):
    assert bool(BACKREF_RE.search(text)) is is_backref


@pytest.mark.parametrize(
    "text",
    [
        "De motie vraagt om het verplichtstellen van een leeftijdsverificatie.",
        "Motiemeer en toezeggingen worden bijgehouden.",
    ],
)
def test_no_member_named(text):
    assert MOTION_RE.search(text) is None

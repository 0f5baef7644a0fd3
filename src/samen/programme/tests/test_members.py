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


@pytest.mark.parametrize(
    ("regex", "text", "members"),
    [
        (MOTION_RE, "Motie-Den Hartog (NSC) over opvang", [("Den Hartog", "NSC")]),
        (MOTION_RE, "In de motie-Hendriks c.s. wordt", [("Hendriks", "")]),
        (MOTION_RE, "De motie van het lid El Amrani (PVV) vraagt", [("El Amrani", "PVV")]),
        (
            MOTION_RE,
            "De motie van het lid Van Leeuwen, GL/PvdA, verzoekt",
            [("Van Leeuwen", "GL/PvdA")],
        ),
        (
            MOTION_RE,
            "De motie van de leden Bikker (ChristenUnie) en Mutluer (GroenLinks-PvdA) vraagt",
            [("Bikker", "ChristenUnie"), ("Mutluer", "GroenLinks-PvdA")],
        ),
        (
            MEMBER_MOTION_RE,
            "De leden Van der Molen en Ellian verzochten in hun motie om",
            [("Van der Molen", ""), ("Ellian", "")],
        ),
        (COMMITMENT_RE, "heb ik het lid Mutluer (GL/PvdA) toegezegd om", [("Mutluer", "GL/PvdA")]),
        (COMMITMENT_RE, "Het lid Kostić (PvdD) heb ik toegezegd om", [("Kostić", "PvdD")]),
        (COMMITMENT_RE, "Aan het lid Flach (SGP) is toegezegd dat", [("Flach", "SGP")]),
        (COMMITMENT_RE, "heb ik toegezegd aan het lid Saris (NSC) om", [("Saris", "NSC")]),
        (COMMITMENT_RE, "De toezegging die ik het lid Dobbe (SP) deed", [("Dobbe", "SP")]),
        (
            COMMITMENT_RE,
            "Ook heb ik de leden Bikker (CU) en Ceder (CU) toegezegd",
            [("Bikker", "CU"), ("Ceder", "CU")],
        ),
    ],
)
def test_names_with_particles_hyphens_parties_and_commitment_orders(regex, text, members):
    assert _names(regex, text)[0] == members


def test_party_written_before_the_member():
    from samen.programme.letter.members import mentioned_members

    for regex, text in (
        (MEMBERS_RE, "Het VVD-lid Ellian vroeg hierom."),
        (COMMITMENT_RE, "Ik heb het CDA-lid Van der Molen toegezegd dat"),
    ):
        members, _ = mentioned_members(regex.search(text))
        assert [(m.name, m.party) for m in members] == [
            ("Ellian", "VVD") if "VVD" in text else ("Van der Molen", "CDA")
        ]

"""Members of parliament and their parties as letters name them.

"Motie Boomsma (NSC) c.s.", "de motie van de leden Kuiken (PvdA) en Van der Graaf (CU)",
"het lid Diederik van Dijk", "Motie van Nispen (SP) en Boomsma (NSC)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Particles of Dutch surnames, and of names from Arabic ("El Amrani", "Al Kaddouri").
_PARTICLE = r"(?:[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]e|'t|[Ii]n|El|Al|Ben|Abou|Le|La|Du)"
_UPPER = "A-ZÀ-ÖØ-ÝĀĂĄĆČĎĐĒĘĚĞĪİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŸŹŻŽ"
_LOWER = "a-zß-öø-ÿāăąćčďđēęěğīıłńňōőœřśşšţťūůűźżž'’"
_CAPWORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)*"
# A first name is only taken when particles follow ("Diederik van Dijk"); otherwise two capital
# words in a row are more likely a name followed by the next sentence's word.
_FIRST = rf"(?:{_CAPWORD}\s+(?={_PARTICLE}\s))?"
NAME = rf"{_FIRST}(?:{_PARTICLE}\s+)*{_CAPWORD}"

# Parliamentary groups as letters write them; longest first so "GL/PvdA" wins over "GL".
# Rules as data: a new group is a new line here.
PARTIES: tuple[str, ...] = (
    "GroenLinks-PvdA", "GL-PvdA", "GL/PvdA", "GroenLinks", "ChristenUnie", "Partij voor de Dieren",
    "PvdA", "PvdD", "VVD", "PVV", "CDA", "D66", "SP", "GL", "CU", "SGP", "DENK", "Volt", "JA21",
    "FvD", "BBB", "NSC", "50PLUS", "BVNL", "BIJ1",
)  # fmt: skip
_KNOWN_PARTY = "(?:" + "|".join(re.escape(p) for p in PARTIES) + r")(?![\w/-])"
# "(NSC)", "(GL/PvdA)", "(GroenLinks-PvdA)"; and the comma notation "Van Leeuwen, GL/PvdA,".
PARTY = r"\((?P<party>[A-Z0-9][A-Za-z0-9\-]*(?:\s?/\s?[A-Z0-9][A-Za-z0-9\-]*)*)\)"
_PARTY_NOGROUP = PARTY.replace("?P<party>", "")
_NAME_WITH_PARTY = rf"{NAME}(?:\s*{_PARTY_NOGROUP}|,\s*{_KNOWN_PARTY})?"
NAMELIST = rf"{_NAME_WITH_PARTY}(?:\s*(?:,|\ben\b)\s*{_NAME_WITH_PARTY})*(?:\s+c\.\s?s\.)?"
_ONE_RE = re.compile(rf"(?P<name>{NAME})(?:\s*{PARTY})?")
_CS_RE = re.compile(r"c\.\s?s\.$")
_COMMA_PARTY_RE = re.compile(rf",\s*({_KNOWN_PARTY})")

# Words that refer back to something already named: such a mention is not a new item.
BACKREF_RE = re.compile(
    r"\b(?:bovengenoemde|genoemde|eerdergenoemde|voornoemde|deze|die|dezelfde)\s+$", re.IGNORECASE
)
# "het lid X", "de leden X en Y", and the party written before: "het VVD-lid Ellian".
_PARTY_NAMES = "(?:" + "|".join(re.escape(p) for p in PARTIES) + ")"
_MEMBERS = rf"(?:[Hh]et\s+lid|[Dd]e\s+leden|[Hh]et\s+{_PARTY_NAMES}-lid)"
_PARTY_BEFORE_RE = re.compile(rf"\b[Hh]et\s+({_PARTY_NAMES})-lid\s+$")


class AnyOf:
    """Several patterns that each capture "names", searched as one (Python's re has no
    branch reset, and one alternation would need a group name per branch)."""

    def __init__(self, *patterns: str) -> None:
        self.patterns = [re.compile(p) for p in patterns]

    def finditer(self, text: str) -> list[re.Match[str]]:
        found = [m for p in self.patterns for m in p.finditer(text)]
        found.sort(key=lambda m: (m.start(), -m.end()))
        result: list[re.Match[str]] = []
        for match in found:  # overlapping matches of different branches: keep the first
            if not result or match.start() >= result[-1].end():
                result.append(match)
        return result

    def search(self, text: str) -> re.Match[str] | None:
        found = self.finditer(text)
        return found[0] if found else None

    def match(self, text: str) -> re.Match[str] | None:
        return next((m for m in (p.match(text) for p in self.patterns) if m), None)


# "Motie Boomsma (NSC) c.s.", "de motie-Den Hartog", "motie van het lid El Amrani"
MOTION_RE = re.compile(
    rf"\b[Mm]otie(?:\s+|-)(?:van\s+(?:het\s+lid|de\s+leden)\s+)?(?P<names>{NAMELIST})"
)
# "Het lid Verkuijlen (VVD) heeft in zijn motie verzocht", "De leden X en Y verzochten in hun
# motie", "Het lid Van der Werf (D66) vroeg in haar motie"
MEMBER_MOTION_RE = re.compile(
    rf"\b{_MEMBERS}\s+(?P<names>{NAMELIST})\s+(?:heeft|hebben|\w+)\s+"
    r"(?:\w+\s+)?in\s+(?:zijn|haar|hun)\s+motie"
)
# Commitments, in the orders letters use:
#   "toezegging aan het lid Tseggai (GL/PvdA)", "de toezegging in de beantwoording ... van de
#   leden Boomsma (NSC) en Bikker (CU)", "De toezegging die ik het lid Dobbe (SP) deed",
#   "heb ik het lid Mutluer (GL/PvdA) toegezegd", "Aan het lid Flach (SGP) is toegezegd",
#   "Het lid Kostić (PvdD) heb ik toegezegd", "heb ik toegezegd aan het lid Saris (NSC)".
COMMITMENT_RE = AnyOf(
    rf"\b[Tt]oezegging(?:en)?\b[^.]{{0,80}}?\b(?:aan|van)\s+{_MEMBERS}\s+(?P<names>{NAMELIST})",
    rf"\b[Tt]oezegging(?:en)?\s+die\s+(?:ik|wij|we)\s+(?:aan\s+)?{_MEMBERS}\s+(?P<names>{NAMELIST})",
    rf"\b(?:[Aa]an\s+)?{_MEMBERS}\s+(?P<names>{NAMELIST})(?:\s+[a-z]+){{0,6}}?\s+toegezegd\b",
    rf"\btoegezegd\s+aan\s+{_MEMBERS}\s+(?P<names>{NAMELIST})",
)
# Any naming of members, used to decide which item a sentence speaks about.
MEMBERS_RE = re.compile(rf"\b{_MEMBERS}\s+(?P<names>{NAMELIST})")


@dataclass
class Member:
    name: str
    party: str = ""
    party_inferred: bool = False

    @property
    def surname_key(self) -> str:
        """The last capitalised word, used to recognise the member in later sentences."""
        return self.name.split()[-1]

    def as_dict(self) -> dict[str, str | bool]:
        return {"name": self.name, "party": self.party, "party_inferred": self.party_inferred}


def normalise_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name.strip())
    # A surname standing alone starts with a capital particle: "van Nispen" -> "Van Nispen".
    return name[0].upper() + name[1:] if name else name


def parse_names(text: str) -> tuple[list[Member], bool]:
    """Split 'Boomsma (NSC) en Van Nispen (SP) c.s.' into members; the flag tells 'c.s.'."""
    text = text.strip()
    co_signers = bool(_CS_RE.search(text))
    text = _CS_RE.sub("", text).strip()
    text = _COMMA_PARTY_RE.sub(r" (\1)", text)
    members: list[Member] = []
    for part in re.split(r"\s*(?:,|\ben\b)\s*(?![^(]*\))", text):
        match = _ONE_RE.fullmatch(part.strip())
        if not match:
            continue
        party = re.sub(r"\s", "", match.group("party") or "")
        members.append(Member(normalise_name(match.group("name")), party))
    return members, co_signers


def names_in(sentence: str, members: list[Member]) -> bool:
    return any(re.search(rf"\b{re.escape(m.surname_key)}\b", sentence) for m in members)


def mentioned_members(match: re.Match[str]) -> tuple[list[Member], bool]:
    """The members a mention names, with a party written before the name ("het VVD-lid
    Ellian") given to that member."""
    members, co_signers = parse_names(match.group("names"))
    before = match.string[match.start() : match.start("names")]
    if (party := _PARTY_BEFORE_RE.search(before)) and len(members) == 1 and not members[0].party:
        members[0].party = party.group(1)
    return members, co_signers

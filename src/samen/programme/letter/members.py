"""Members of parliament and their parties as letters name them.

"Motie Boomsma (NSC) c.s.", "de motie van de leden Kuiken (PvdA) en Van der Graaf (CU)",
"het lid Diederik van Dijk", "Motie van Nispen (SP) en Boomsma (NSC)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARTICLE = r"(?:[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]e|'t|[Ii]n)"
_CAPWORD = r"[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[A-ZÀ-Ý]?[a-zà-ÿ'’]+)*"
# A first name is only taken when particles follow ("Diederik van Dijk"); otherwise two capital
# words in a row are more likely a name followed by the next sentence's word.
_FIRST = rf"(?:{_CAPWORD}\s+(?={_PARTICLE}\s))?"
NAME = rf"{_FIRST}(?:{_PARTICLE}\s+)*{_CAPWORD}"
PARTY = r"\((?P<party>[A-Z0-9][A-Za-z0-9\-]*(?:\s?/\s?[A-Z0-9][A-Za-z0-9\-]*)*)\)"
_PARTY_NOGROUP = PARTY.replace("?P<party>", "")
_NAME_WITH_PARTY = rf"{NAME}(?:\s*{_PARTY_NOGROUP})?"
NAMELIST = rf"{_NAME_WITH_PARTY}(?:\s*(?:,|\ben\b)\s*{_NAME_WITH_PARTY})*(?:\s+c\.\s?s\.)?"
_ONE_RE = re.compile(rf"(?P<name>{NAME})(?:\s*{PARTY})?")
_CS_RE = re.compile(r"c\.\s?s\.$")

# Words that refer back to something already named: such a mention is not a new item.
BACKREF_RE = re.compile(
    r"\b(?:bovengenoemde|genoemde|eerdergenoemde|voornoemde|deze|die|dezelfde)\s+$", re.IGNORECASE
)

MOTION_RE = re.compile(rf"\b[Mm]otie\s+(?:van\s+(?:het\s+lid|de\s+leden)\s+)?(?P<names>{NAMELIST})")
# "Het lid Verkuijlen (VVD) heeft in zijn motie verzocht"
MEMBER_MOTION_RE = re.compile(
    rf"\b(?:[Hh]et\s+lid|[Dd]e\s+leden)\s+(?P<names>{NAMELIST})\s+(?:heeft|hebben)\s+"
    r"in\s+(?:zijn|haar|hun)\s+motie"
)
# "toezegging aan het lid Tseggai (GL/PvdA)", "de toezegging in de beantwoording op Kamervragen
# van de leden Boomsma (NSC) en Bikker (CU)"
COMMITMENT_RE = re.compile(
    rf"\b[Tt]oezegging(?:en)?\b[^.]{{0,80}}?\b(?:aan|van)\s+(?:het\s+lid|de\s+leden)\s+"
    rf"(?P<names>{NAMELIST})"
)
# Any naming of members, used to decide which item a sentence speaks about.
MEMBERS_RE = re.compile(rf"\b(?:[Hh]et\s+lid|[Dd]e\s+leden)\s+(?P<names>{NAMELIST})")


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

"""Parliamentary references (Kamerstukken) in the forms Dutch letters use.

Recognised, with or without commas, "nr." and a chamber numeral:
  Kamerstukken II, 2024/25, 36 547, nr. 40      Kamerstukken II 2023/24, 28 638, nr. 244
  Kamerstukken II, 2024/25, 36 547, 41          Kamerstukken II, 2020/21, 35 570 VI, nr. 85
  Kamerstukken II, 2025/2026, 36 835, nr. 2     Kamerstuk 28 638, nr. 254
  Kamerstukken I 2024/25, 36 547, C             Kamerstuk 36547-40 / kst-36547-40
The document "number" is kept as text because the Eerste Kamer uses letters (A, B, C ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A dossier is five digits, written "36 547", "36547" or "36.547".
_DOSSIER = r"(?P<dossier>\d{2}[ .\u00a0]?\d{3})"
# Budget chapters and sub-dossiers: roman numerals ("VI", "XVI") or short capitals ("A", "R2149").
# A sub-series of a collective dossier ("21 501-20, nr. 2215": EU councils, "21 501-20" the
# JHA Council) is a hyphen and digits, and only when a document number follows; otherwise
# "36547-40" is dossier 36547, number 40.
_SUFFIX = (
    r"(?:[ \u00a0](?P<suffix>[IVXLC]{1,6}|[A-Z]{1,2}\d{0,4})"
    r"|-(?P<subseries>\d{1,3})(?=,?[ \u00a0]*(?i:nr\.?|no\.?|nummer)[ \u00a0]*\d))?"
)
_YEAR = r"(?P<year>(?:19|20)\d{2}\s?[/–-]\s?(?:19|20)?\d{2})"
_NUMBER = r"(?P<number>\d{1,4}|[A-Z]{1,2}(?![a-z]))"

CITATION_RE = re.compile(
    r"(?P<kind>(?i:kamerstuk(?:ken)?))"
    r"(?:[ \u00a0]+(?P<chamber>II|I)(?![A-Za-z]))?"
    r"[, \u00a0]*"
    rf"(?:(?:(?i:vergaderjaar)[ \u00a0]+)?{_YEAR}[, \u00a0]+)?"
    rf"{_DOSSIER}{_SUFFIX}"
    # The separator before the document number: ", nr. 40", " nr 40", ", 41", "-40".
    rf"(?:[, \u00a0]+(?i:nr\.?|no\.?|nummer)[ \u00a0]*|,[ \u00a0]*|-){_NUMBER}"
    r"(?![\d])",
)
# The short electronic form "kst-36547-40" (officielebekendmakingen.nl identifiers).
KST_RE = re.compile(
    r"\bkst-(?P<dossier>\d{5})(?:-(?P<suffix>[IVXLC]+|[A-Z]{1,2}))?-(?P<number>\d{1,4})\b"
)


@dataclass(frozen=True)
class Reference:
    """One parliamentary document, as cited."""

    raw: str
    dossier: str  # digits only, e.g. "36547"
    number: str  # "40", or a letter for Eerste Kamer papers
    suffix: str = ""
    year: str = ""  # normalised "2024/25"
    chamber: str = ""  # "II" (Tweede Kamer) or "I" (Eerste Kamer); empty when not written

    @property
    def dossier_display(self) -> str:
        return f"{self.dossier[:2]} {self.dossier[2:]}"

    @property
    def key(self) -> str:
        """Identity of the document regardless of how it was cited (year is not part of it)."""
        suffix = f"-{self.suffix}" if self.suffix else ""
        return f"{self.dossier}{suffix}-{self.number}"

    @property
    def is_subseries(self) -> bool:
        return self.suffix.isdigit()

    def display(self) -> str:
        separator = "-" if self.is_subseries else " "
        dossier = self.dossier_display + (f"{separator}{self.suffix}" if self.suffix else "")
        if not self.chamber and not self.year:
            return f"Kamerstuk {dossier}, nr. {self.number}"
        parts = ["Kamerstukken" + (f" {self.chamber}" if self.chamber else "")]
        if self.year:
            parts.append(self.year)
        parts += [dossier, f"nr. {self.number}"]
        return ", ".join(parts)

    def as_dict(self) -> dict[str, str]:
        return {
            "raw": self.raw,
            "display": self.display(),
            "key": self.key,
            "chamber": self.chamber,
            "year": self.year,
            "dossier": self.dossier,
            "suffix": self.suffix,
            "number": self.number,
        }


def normalise_year(text: str) -> str:
    """'2025/2026', '2025-26', '2025 / 26' -> '2025/26' (the form Parliament prints)."""
    if not text:
        return ""
    digits = re.findall(r"\d+", text)
    first, second = digits[0], digits[1]
    return f"{first}/{second[-2:]}"


@dataclass(frozen=True)
class Citation:
    """A reference together with where it sits in the text."""

    reference: Reference
    start: int
    end: int


def find_citations(text: str) -> list[Citation]:
    found: list[Citation] = []
    for match in CITATION_RE.finditer(text):
        number = match.group("number")
        # "Kamerstuk 28 638, A" only counts for the Eerste Kamer, which numbers with letters;
        # otherwise a capital after a comma is the next word of the sentence.
        if number.isalpha() and match.group("chamber") != "I":
            continue
        chamber = (match.group("chamber") or "").upper()
        ref = Reference(
            raw=match.group(0).strip(),
            dossier=re.sub(r"\D", "", match.group("dossier")),
            number=number.upper(),
            suffix=(match.group("suffix") or match.group("subseries") or "").upper(),
            year=normalise_year(match.group("year") or ""),
            chamber=chamber,
        )
        found.append(Citation(ref, match.start(), match.end()))
    for match in KST_RE.finditer(text):
        ref = Reference(
            raw=match.group(0),
            dossier=match.group("dossier"),
            number=match.group("number"),
            suffix=(match.group("suffix") or "").upper(),
        )
        found.append(Citation(ref, match.start(), match.end()))
    found.sort(key=lambda c: c.start)
    return found

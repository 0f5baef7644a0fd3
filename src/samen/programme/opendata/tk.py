"""Queries on the Gegevensmagazijn and the mapping of its entities to reader-shaped items.

Entities and properties as the service publishes them (OData v4, API version 2.0):
  Zaak (Soort 'Motie'): Id, Nummer, Soort, Onderwerp, Titel, Vergaderjaar, Volgnummer,
    GestartOp, Afgedaan, GewijzigdOp, Verwijderd; navigation Kamerstukdossier (Nummer,
    Toevoeging), ZaakActor (ActorNaam, ActorFractie, Relatie 'Indiener'/'Medeindiener'),
    Besluit (BesluitSoort, BesluitTekst, StemmingsSoort; Stemming: Soort, FractieGrootte,
    ActorFractie), Document (Soort, Volgnummer, DocumentNummer).
  Toezegging: Id, Nummer, Tekst, Naam, Functie, Ministerie, Status, Aanmaakdatum,
    DatumNakoming, GewijzigdOp, Verwijderd; navigation Fractie (Afkorting).
An item here has the shape of the letter reader's `Item.as_dict()`, so proposals from both
sources are reviewed and accepted the same way.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from samen.programme.letter.members import MEMBERS_RE, normalise_name, parse_names

from .client import query_url

PAGE_SIZE = "250"
MOTION_EXPAND = (
    "Kamerstukdossier($select=Nummer,Toevoeging),"
    "ZaakActor($select=ActorNaam,ActorFractie,Relatie),"
    "Besluit($select=BesluitSoort,BesluitTekst,StemmingsSoort,Verwijderd;"
    "$expand=Stemming($select=Soort,FractieGrootte,ActorFractie)),"
    "Document($select=Soort,Volgnummer,DocumentNummer)"
)
# Commitments are not tied to a dossier directly: through the debate (Activiteit) and the
# cases on its agenda.
COMMITMENT_DOSSIER_PATH = "Activiteit/Zaak/any(z: z/Kamerstukdossier/any(d: {test}))"
# The Tweede Kamer's commitment statuses and what they propose for the register.
COMMITMENT_STATUS = {"Voldaan": "done", "Deels voldaan": "in_progress"}
_INITIALS_RE = re.compile(r"^(?:[A-Z][a-z]?\.\s*)+")
_NO_DATE = "0001-01-01"


def _dossier_test(dossiers: list[str]) -> str:
    return " or ".join(f"d/Nummer eq {int(d)}" for d in sorted(set(dossiers)))


def motion_query(base: str, dossiers: list[str], since: str = "") -> str:
    filters = [
        "Soort eq 'Motie'",
        "Verwijderd eq false",
        f"Kamerstukdossier/any(d: {_dossier_test(dossiers)})",
    ]
    if since:
        filters.append(f"GewijzigdOp gt {since}")
    return query_url(
        base,
        "Zaak",
        {
            "$filter": " and ".join(filters),
            "$expand": MOTION_EXPAND,
            "$orderby": "GewijzigdOp",
            "$top": PAGE_SIZE,
        },
    )


def commitment_query(base: str, dossiers: list[str], since: str = "") -> str:
    filters = [
        "Verwijderd eq false",
        COMMITMENT_DOSSIER_PATH.format(test=_dossier_test(dossiers)),
    ]
    if since:
        filters.append(f"GewijzigdOp gt {since}")
    return query_url(
        base,
        "Toezegging",
        {
            "$filter": " and ".join(filters),
            "$expand": "Fractie($select=Afkorting)",
            "$orderby": "GewijzigdOp",
            "$top": PAGE_SIZE,
        },
    )


def _year(vergaderjaar: str | None) -> str:
    """'2024-2025' -> '2024/25' (the form letters print)."""
    if not vergaderjaar or "-" not in vergaderjaar:
        return ""
    first, second = vergaderjaar.split("-", 1)
    return f"{first}/{second[-2:]}"


def _day(value: str | None) -> str | None:
    if not value or value.startswith(_NO_DATE):
        return None
    return date.fromisoformat(value[:10]).isoformat()


def _location(number: str) -> dict[str, Any]:
    return {
        "paragraph": 0,
        "sentence": 0,
        "footnote": None,
        "footnote_text": "",
        "section": f"Tweede Kamer open data {number}"[:100],
        "action_line": None,
    }


def _member(actor: dict[str, Any]) -> dict[str, Any]:
    # "H.M. den Hartog" -> "Den Hartog": letters cite members by surname.
    name = normalise_name(_INITIALS_RE.sub("", (actor.get("ActorNaam") or "").strip()))
    return {"name": name, "party": actor.get("ActorFractie") or "", "party_inferred": False}


def _vote(besluiten: list[dict[str, Any]]) -> tuple[str, dict[str, int]]:
    """The outcome of the (last) vote and the seats for and against."""
    voted = [
        b
        for b in besluiten
        if not b.get("Verwijderd") and (b.get("BesluitSoort") or "").startswith("Stemmen")
    ]
    if not voted:
        return "", {}
    besluit = voted[-1]
    outcome = (besluit.get("BesluitTekst") or "").strip().rstrip(".")
    seats: dict[str, int] = {}
    for stemming in besluit.get("Stemming") or []:
        kind = (stemming.get("Soort") or "").lower()
        seats[kind] = seats.get(kind, 0) + int(stemming.get("FractieGrootte") or 0)
    return outcome, seats


def motion_item(zaak: dict[str, Any]) -> dict[str, Any] | None:
    """A Zaak of kind Motie as a reader item; None when it has no dossier or number yet."""
    dossiers = zaak.get("Kamerstukdossier") or []
    documents = [d for d in zaak.get("Document") or [] if d.get("Soort") == "Motie"]
    number = (documents[0].get("Volgnummer") if documents else None) or zaak.get("Volgnummer")
    if not dossiers or not number:
        return None
    dossier = str(dossiers[0]["Nummer"]).zfill(5)
    suffix = (dossiers[0].get("Toevoeging") or "").strip()
    actors = sorted(
        zaak.get("ZaakActor") or [], key=lambda a: 0 if a.get("Relatie") == "Indiener" else 1
    )
    submitters = [_member(a) for a in actors if a.get("Relatie") in ("Indiener", "Medeindiener")]
    outcome, seats = _vote(zaak.get("Besluit") or [])
    year = _year(zaak.get("Vergaderjaar"))
    key = f"{dossier}{'-' + suffix if suffix else ''}-{number}"
    dossier_display = f"{dossier[:2]} {dossier[2:]}" + (f" {suffix}" if suffix else "")
    display = f"Kamerstukken II, {year}, {dossier_display}, nr. {number}"
    return {
        "kind": "motion",
        "reference": {
            "raw": display,
            "display": display,
            "key": key,
            "chamber": "II",
            "year": year,
            "dossier": dossier,
            "suffix": suffix,
            "number": str(number),
        },
        "mention": zaak.get("Titel") or "",
        "subject": zaak.get("Onderwerp") or "",
        "members_role": "submitters",
        "submitters": submitters,
        "made_to": [],
        "parties": sorted({m["party"] for m in submitters if m["party"]}),
        "co_signers": len(submitters) > 1,
        "made_on": _day(zaak.get("GestartOp")),
        "status": None,
        "evidence": f"Tweede Kamer: {zaak.get('Nummer')}"
        + (f", stemming: {outcome}" if outcome else ""),
        "confidence": 1.0,
        "signals": [],
        "location": _location(zaak.get("Nummer") or ""),
        "passage": zaak.get("Onderwerp") or "",
        "notes": [],
        "parliament": {
            "source": "tk-odata",
            "id": zaak["Id"],
            "number": zaak.get("Nummer") or "",
            "vote_outcome": outcome,
            "votes": seats,
            "modified": zaak.get("GewijzigdOp") or "",
        },
    }


def commitment_item(toezegging: dict[str, Any]) -> dict[str, Any]:
    text = (toezegging.get("Tekst") or "").strip()
    # The text names who was promised: "De minister zegt het lid Mutluer (GL/PvdA) toe ...".
    made_to: list[dict[str, Any]] = []
    if match := MEMBERS_RE.search(text):
        members, _ = parse_names(match.group("names"))
        made_to = [m.as_dict() for m in members]
    fractie = (toezegging.get("Fractie") or {}).get("Afkorting") or ""
    for member in made_to:
        if not member["party"] and fractie:
            member["party"] = fractie
    tk_status = toezegging.get("Status") or ""
    status = COMMITMENT_STATUS.get(tk_status)
    number = toezegging.get("Nummer") or ""
    return {
        "kind": "commitment",
        "reference": None,
        "mention": number,
        "subject": text,
        "members_role": "made_to",
        "submitters": [],
        "made_to": made_to,
        "parties": sorted({m["party"] for m in made_to if m["party"]}),
        "co_signers": False,
        "made_on": _day(toezegging.get("Aanmaakdatum")),
        "status": status,
        "evidence": f"Tweede Kamer: toezegging {number}, status {tk_status}" if status else "",
        "confidence": 1.0,
        "signals": [],
        "location": _location(number),
        "passage": text,
        "notes": [],
        "parliament": {
            "source": "tk-odata",
            "id": toezegging["Id"],
            "number": number,
            "status": tk_status,
            "made_by": ", ".join(
                p for p in (toezegging.get("Naam"), toezegging.get("Functie")) if p
            ),
            "due": _day(toezegging.get("DatumNakoming")),
            "modified": toezegging.get("GewijzigdOp") or "",
        },
    }

"""Load the register with the content of the seed progress letter (data/*.json).

Idempotent: natural keys (action line number, action code, Kamerstukken reference, commitment and
recommendation codes, indicator code + period + source) decide whether a record exists. A status
set later from another letter is never overwritten by re-running the seed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from .models import (
    Action,
    ActionLine,
    ActionProgress,
    Commitment,
    Indicator,
    IndicatorValue,
    Letter,
    Motion,
    MotionSubmitter,
    ProposedUpdate,
    Recommendation,
)

DATA_FILE = Path(__file__).parent / "data" / "voortgangsbrief_najaar_2025.json"


class SeedMismatch(ValueError):
    """The letter file given is not the letter the data file was copied from."""


@dataclass
class SeedResult:
    letter: Letter
    created: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        self.total[kind] = self.total.get(kind, 0) + 1
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _provenance(letter: Letter, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source_letter": letter,
        "source_passage": row.get("passage", ""),
        "source_location": row.get("location", ""),
    }


def _status_is_ours(record: Motion | Commitment, letter: Letter) -> bool:
    return record.status_letter_id in (None, letter.pk)


@transaction.atomic
def load_seed(
    *, data_file: Path = DATA_FILE, letter_file: Path | None = None, sent_on: date | None = None
) -> SeedResult:
    data = json.loads(data_file.read_text(encoding="utf-8"))
    meta = data["letter"]
    text = ""
    if letter_file is not None:
        raw = letter_file.read_bytes()
        if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
            raise SeedMismatch(f"{letter_file} is not the letter {data_file.name} was taken from")
        text = raw.decode("utf-8-sig")
    letter, created = Letter.objects.get_or_create(
        sha256=meta["sha256"],
        defaults={"title": meta["title"], "file_name": meta["file_name"], "text": text},
    )
    if text and not letter.text:
        letter.text = text
    if sent_on and not letter.sent_on:
        letter.sent_on = sent_on
    letter.save()
    result = SeedResult(letter)
    result.count("letter", created)

    lines: dict[int, ActionLine] = {}
    for row in data["action_lines"]:
        line, created = ActionLine.objects.update_or_create(
            number=row["number"],
            defaults={
                "title": row["title"],
                "title_nl": row["title_nl"],
                "description": row["description"],
                "holders": row["holders"],
                **_provenance(letter, row),
            },
        )
        lines[line.number] = line
        result.count("action_line", created)

    for row in data["actions"]:
        action, created = Action.objects.update_or_create(
            code=row["code"],
            defaults={
                "action_line": lines[row["action_line"]],
                "number": row["number"],
                "title": row["title"],
                "holders": row["holders"],
                "start": _date(row["start"]),
                "end": _date(row["end"]),
                "period_note": row["period_note"],
                "status": row["status"],
                **_provenance(letter, row),
            },
        )
        result.count("action", created)
        for note in row["progress"]:
            _, made = ActionProgress.objects.get_or_create(
                action=action,
                note=note["note"],
                defaults={"on": _date(note["on"]), **_provenance(letter, row)},
            )
            result.count("progress_note", made)

    motions: dict[str, Motion] = {}
    for row in data["motions"]:
        motion, created = Motion.objects.get_or_create(
            chamber=row["chamber"],
            dossier=row["dossier"],
            suffix=row["suffix"],
            document_number=row["number"],
            defaults={"subject": row["subject"]},
        )
        motion.parliamentary_year = row["year"]
        motion.subject = row["subject"]
        motion.co_signers = row["co_signers"]
        motion.date = _date(row["date"])
        motion.notes = row["notes"]
        for key, value in _provenance(letter, row).items():
            setattr(motion, key, value)
        if _status_is_ours(motion, letter):
            motion.status = row["status"]
            motion.letter_status = row["letter_status"]
            motion.status_letter = letter
            motion.status_date = letter.sent_on
            motion.status_evidence = row["evidence"]
        motion.save()
        if not motion.submitters.exists():
            for order, (name, party, inferred) in enumerate(row["submitters"]):
                MotionSubmitter.objects.create(
                    motion=motion, name=name, party=party, party_inferred=inferred, order=order
                )
        motions[motion.reference_key] = motion
        result.count("motion", created)

    for row in data["commitments"]:
        commitment, created = Commitment.objects.get_or_create(
            code=row["code"], defaults={"description": row["description"]}
        )
        commitment.made_to = row["made_to"]
        commitment.made_to_members = [{"name": n, "party": p} for n, p in row["members"]]
        commitment.made_on = _date(row["made_on"])
        commitment.occasion = row["occasion"]
        commitment.description = row["description"]
        commitment.due = _date(row["due"])
        commitment.due_note = row["due_note"]
        commitment.related_motion = motions.get(row["related_motion"] or "")
        for key, value in _provenance(letter, row).items():
            setattr(commitment, key, value)
        if _status_is_ours(commitment, letter):
            commitment.status = row["status"]
            commitment.letter_status = row["letter_status"]
            commitment.status_letter = letter
            commitment.status_date = letter.sent_on
            commitment.status_evidence = row["evidence"]
        commitment.save()
        result.count("commitment", created)

    for row in data["recommendations"]:
        _, created = Recommendation.objects.update_or_create(
            code=row["code"],
            defaults={
                "body": row["body"],
                "round": row["round"],
                "report_date": _date(row["report_date"]),
                "title": row["title"],
                "text": row["text"],
                "government_response": row["government_response"],
                "response_due": _date(row["response_due"]),
                "status": row["status"],
                **_provenance(letter, row),
            },
        )
        result.count("recommendation", created)

    for row in data["indicators"]:
        indicator, created = Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "unit": row["unit"],
                "action_line": lines.get(row["action_line"]) if row["action_line"] else None,
            },
        )
        result.count("indicator", created)
        from_letter = not row.get("not_from_letter", False)
        for value in row["values"]:
            provenance = (
                _provenance(letter, value) if from_letter else {"source_note": value["source"]}
            )
            _, made = IndicatorValue.objects.update_or_create(
                indicator=indicator,
                period=value["period"],
                source=value["source"],
                defaults={
                    "value": Decimal(str(value["value"])),
                    # Cumulative counts are dated by the letter when its date is known.
                    "as_of": _date(value["as_of"]) or (letter.sent_on if from_letter else None),
                    "is_lower_bound": value["lower_bound"],
                    **provenance,
                },
            )
            result.count("indicator_value", made)
    return result


DEMO_LETTER = Path(__file__).parent / "data" / "demo_voortgangsbrief_voorjaar_2026.txt"


def load_demo_letter(*, path: Path = DEMO_LETTER) -> list[ProposedUpdate]:
    """A second, synthetic progress letter for the demo, read but not accepted: its motions
    and commitments wait on the review page, so the reader can be seen at work."""
    from .letter import read_letter
    from .services import _letter_text, proposed_updates_create

    reading = read_letter(path)
    letter, _ = Letter.objects.get_or_create(
        sha256=reading.sha256,
        defaults={
            "title": "Voortgangsbrief voorjaar 2026 (demo)",
            "file_name": path.name,
            "text": _letter_text(reading),
        },
    )
    return proposed_updates_create(letter=letter, reading=reading)

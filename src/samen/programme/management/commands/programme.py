"""`samen programme ...`: read a progress letter, load the seed register.

samen programme read-letter FILE [--json]
samen programme load-seed [--letter FILE] [--sent-on YYYY-MM-DD]
samen programme sync [--dossier N ...] [--recorded FILE]
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samen.programme.letter import read_letter
from samen.programme.letter.extract import UnsupportedFormat
from samen.programme.opendata.client import (
    OpenDataUnavailable,
    RecordedTransport,
    http_transport,
)
from samen.programme.opendata.sync import programme_sync
from samen.programme.seed import SeedMismatch, load_seed


class Command(BaseCommand):
    help = "Programme monitor: read progress letters and load the register."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        read = sub.add_parser("read-letter", help="Print the updates a letter proposes.")
        read.add_argument("file", type=Path, help="the letter: .txt, .docx or .pdf")
        read.add_argument("--json", action="store_true", help="print JSON")
        seed = sub.add_parser("load-seed", help="Load the register from the seed progress letter.")
        seed.add_argument("--letter", type=Path, help="the seed letter file, to store its text")
        seed.add_argument("--sent-on", type=date.fromisoformat, help="the letter's date, if known")
        sync = sub.add_parser(
            "sync",
            help="Fetch motions and commitments on the programme's dossiers from the Tweede "
            "Kamer's open data and propose register updates for review.",
        )
        sync.add_argument("--dossier", action="append", help="dossier number (repeatable)")
        sync.add_argument(
            "--recorded", type=Path, help="replay recorded responses instead of the network"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "read-letter":
            self._read_letter(options["file"], as_json=options["json"])
        elif options["subcommand"] == "load-seed":
            self._load_seed(options.get("letter"), options.get("sent_on"))
        elif options["subcommand"] == "sync":
            self._sync(options.get("dossier"), options.get("recorded"))

    def _sync(self, dossiers: list[str] | None, recorded: Path | None) -> None:
        if dossiers and not all(d.strip().isdigit() for d in dossiers):
            raise CommandError("a dossier is a number, e.g. --dossier 28638")
        if recorded is not None and not recorded.is_file():
            raise CommandError(f"no such file: {recorded}")
        transport = RecordedTransport(recorded) if recorded else http_transport()
        try:
            result = programme_sync(
                transport=transport,
                dossiers=dossiers,
                interval=0.0 if recorded else None,
            )
        except OpenDataUnavailable as exc:
            # One line, no traceback: the command is often run offline or on a schedule.
            raise CommandError(f"Tweede Kamer open data not available: {exc}") from None
        counts = ", ".join(
            f"{kind}s {result.fetched.get(kind, 0)} fetched, {result.changed.get(kind, 0)} new"
            " or changed"
            for kind in ("motion", "commitment")
        )
        self.stdout.write(f"Tweede Kamer open data: {counts}.")
        if result.letter is not None:
            self.stdout.write(
                f"{len(result.proposals)} proposals to review: "
                f"/programma/brieven/{result.letter.pk}/"
            )
        else:
            self.stdout.write("Nothing new to review.")

    def _read_letter(self, path: Path, *, as_json: bool) -> None:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            reading = read_letter(path)
        except UnsupportedFormat as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(reading.as_dict(), ensure_ascii=False, indent=2))
            return
        data = reading.as_dict()
        summary = data["summary"]
        self.stdout.write(
            f"{path.name}: {summary['references']} parliamentary references, "
            f"{summary['items']} proposed updates {summary['by_status']}"
        )
        for item in data["items"]:
            ref = item["reference"]["display"] if item["reference"] else "(no reference)"
            members = item["submitters"] or item["made_to"]
            names = ", ".join(
                f"{m['name']} ({m['party']}{'?' if m['party_inferred'] else ''})"
                if m["party"]
                else m["name"]
                for m in members
            )
            cs = " c.s." if item["co_signers"] else ""
            self.stdout.write(f"\n[{item['index']}] {item['kind']} {ref}  {names}{cs}")
            self.stdout.write(f"    subject:  {item['subject'][:150]}")
            self.stdout.write(f"    status:   {item['status'] or '-'}")
            if item["evidence"]:
                self.stdout.write(f"    evidence: {item['evidence']}")
            for note in item["notes"]:
                self.stdout.write(f"    note:     {note}")

    def _load_seed(self, letter_file: Path | None, sent_on: date | None) -> None:
        try:
            result = load_seed(letter_file=letter_file, sent_on=sent_on)
        except SeedMismatch as exc:
            raise CommandError(str(exc)) from exc
        parts = ", ".join(
            f"{kind} {total} ({result.created.get(kind, 0)} new)"
            for kind, total in result.total.items()
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded '{result.letter}': {parts}"))

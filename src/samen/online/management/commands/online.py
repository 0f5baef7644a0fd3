"""``samen online synth|scan|evaluate``: the command line of the online-signals engine.

Only an adapter: arguments in, engine calls, a summary out. All logic lives in
``samen.online.engine``, which does not import Django.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from samen.core.actor import actor_for_membership
from samen.online.engine import ScanConfig, evaluate_files, run_scan, write_synthetic
from samen.online.into_chain import lead_to_signal
from samen.organisations.models import Membership


class _RawStream:
    """Django's output wrapper as a plain text stream: the progress bar writes carriage returns
    and decides by ``isatty`` whether to redraw one line or log a line every few seconds."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        # Not the wrapper's error style: progress is not an error.
        self._wrapper.write(text, style_func=str, ending="")

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return self._wrapper.isatty()


class Command(BaseCommand):
    help = "Online signals: generate synthetic ads, scan ads into clusters and leads, evaluate."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        synth = actions.add_parser("synth", help="write clearly synthetic ads with ground truth")
        synth.add_argument("--ads", type=int, required=True, help="number of ads")
        synth.add_argument("--seed", type=int, default=1)
        synth.add_argument(
            "--out",
            type=Path,
            required=True,
            help="ads file (.jsonl, or .csv); truth goes to <stem>.truth.csv",
        )
        synth.add_argument("--truth", type=Path, help="truth file (default: next to --out)")
        synth.add_argument(
            "--bad-lines",
            type=int,
            default=0,
            help="malformed lines to mix in, to exercise error reporting",
        )

        scan = actions.add_parser("scan", help="cluster ads and write leads and a report")
        scan.add_argument(
            "inputs", nargs="+", type=Path, metavar="INPUT", help="JSON Lines or CSV files of ads"
        )
        scan.add_argument("--out", type=Path, required=True, help="output directory")
        scan.add_argument("--workers", type=int, default=1)
        scan.add_argument("--engine", choices=("local", "dask"), default="local")
        scan.add_argument("--scheduler", help="address of a running Dask scheduler (--engine dask)")
        scan.add_argument(
            "--send-lines",
            action="store_true",
            help="send the ads' lines to the Dask workers instead of letting them read the input "
            "themselves (for workers that do not see the input at the same path)",
        )
        scan.add_argument(
            "--threshold",
            type=float,
            default=ScanConfig().threshold,
            help="template similarity (Jaccard) to join ads",
        )
        scan.add_argument(
            "--indicators", help="an indicator set JSON file instead of the packaged one"
        )
        scan.add_argument("--no-progress", action="store_true")

        evaluate = actions.add_parser("evaluate", help="compare clusters.csv with a truth file")
        evaluate.add_argument("--truth", type=Path, required=True)
        evaluate.add_argument("--clusters", type=Path, required=True)

        send = actions.add_parser(
            "send-lead", help="send one lead cluster into Samen as a signal (audited)"
        )
        send.add_argument("--leads", type=Path, required=True, help="leads.json of a scan")
        send.add_argument("--cluster", required=True, help="cluster id, e.g. c0006546")
        send.add_argument("--user", required=True, help="the analyst's user name in Samen")
        send.add_argument(
            "--municipality", default="", help="CBS code; default: the first of the lead's cities"
        )

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "synth":
            self._synth(**options)
        elif action == "scan":
            self._scan(**options)
        elif action == "send-lead":
            self._send_lead(**options)
        else:
            self._evaluate(**options)

    def _send_lead(
        self, *, leads: Path, cluster: str, user: str, municipality: str, **_: object
    ) -> None:
        from django.core.exceptions import PermissionDenied, ValidationError

        member = (
            Membership.objects.filter(user__username=user, is_active=True)
            .select_related("user", "organisation__municipality__region")
            .first()
        )
        if member is None:
            raise CommandError(f"no active membership for user {user!r}")
        actor = actor_for_membership(member, origin="cli:online-send-lead")
        try:
            outcome = lead_to_signal(
                actor=actor, leads_file=leads, cluster_id=cluster, municipality=municipality
            )
        except PermissionDenied as exc:
            raise CommandError(f"{user} may not record signals") from exc
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        if outcome.already_sent:
            self.stdout.write(
                f"lead already sent: signal {outcome.signal.pk}, case {outcome.case.number}; "
                "nothing new recorded"
            )
            return
        linked = "linked to" if outcome.linked else "opened"
        synthetic = " (synthetic input: marked synthetic)" if outcome.signal.is_synthetic else ""
        self.stdout.write(
            f"signal {outcome.signal.pk} recorded, case {outcome.case.number} {linked}; "
            f"advice: {outcome.advice}{synthetic}"
        )

    def _synth(
        self, *, ads: int, seed: int, out: Path, truth: Path | None, bad_lines: int, **_: object
    ) -> None:
        if ads < 1:
            raise CommandError("--ads must be at least 1")
        truth_path = write_synthetic(ads, seed, out, truth, bad_lines=bad_lines)
        self.stdout.write(f"wrote {ads:,} synthetic ads to {out} and the truth to {truth_path}")

    def _scan(
        self,
        *,
        inputs: list[Path],
        out: Path,
        workers: int,
        engine: str,
        scheduler: str | None,
        send_lines: bool = False,
        threshold: float,
        indicators: str | None,
        no_progress: bool,
        **_: object,
    ) -> None:
        missing = [str(p) for p in inputs if not p.is_file()]
        if missing:
            raise CommandError(f"input not found: {', '.join(missing)}")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be more than 0 and at most 1")
        config = ScanConfig(threshold=threshold, indicators_path=indicators)
        engine_options: dict[str, object] = {}
        if engine == "dask":
            engine_options["reads_files"] = not send_lines
            if scheduler:
                engine_options["address"] = scheduler
        result = run_scan(
            inputs,
            out,
            workers=workers,
            engine=engine,
            config=config,
            progress_stream=None if no_progress else _RawStream(self.stderr),
            **engine_options,
        )
        for file_index, line, reason in result.index.bad[:20]:
            self.stderr.write(f"skipped {inputs[file_index]}:{line}: {reason}")
        for file_index, line, reason in result.duplicates[:20]:
            self.stderr.write(f"{inputs[file_index]}:{line}: {reason}")
        more = max(len(result.index.bad) - 20, 0) + max(len(result.duplicates) - 20, 0)
        if more:
            self.stderr.write(f"... {more} more in {out / 'bad_lines.csv'}")
        stats = {k: v for k, v in result.stats.items() if k not in ("evidence", "price_medians")}
        # Counted, not listed: the contacts themselves are in leads.json, not on the terminal.
        stats["hub_contacts"] = len(stats.get("hub_contacts", []))
        self.stdout.write(json.dumps(stats))
        self.stdout.write(
            f"wrote {out / 'clusters.csv'}, {out / 'leads.json'}, {out / 'report.html'}"
        )

    def _evaluate(self, *, truth: Path, clusters: Path, **_: object) -> None:
        for path in (truth, clusters):
            if not path.is_file():
                raise CommandError(f"file not found: {path}")
        self.stdout.write(json.dumps(evaluate_files(truth, clusters).as_dict()))

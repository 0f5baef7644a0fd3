"""Starting and running a scan: the file kept under ONLINE_DATA_DIR, the engine through its public
runner API (``scan``, ``write_outputs``, ``make_engine``, ``Progress``), the leads kept as rows."""

from __future__ import annotations

import csv
import gzip
import json
import logging
import secrets
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samen.core import audit, policy
from samen.core.actor import Actor
from samen.online.engine import ScanConfig, make_engine, scan, write_outputs
from samen.online.engine.runner import Progress
from samen.online.into_chain import is_synthetic_lead, read_leads
from samen.online.models import (
    Lead,
    Scan,
    ScanStatus,
)
from samen.online.services.intake import validate_source, validate_upload

log = logging.getLogger(__name__)

MAX_LEADS = 500

SCAN_TASK = "samen.online_scan"
# Shown to the analyst in their language ({% translate %}); stored as the English source string.
FAILED_NO_ADS = gettext_noop("No ad in the file could be read.")

FAILED_ENGINE = gettext_noop("The scan stopped with an error. Try again or ask the administrator.")


def own_row(actor: Actor, rows: Any, pk: int, permission: str, object_type: str) -> Any:
    """One row of the actor's own organisation (``rows`` already filtered to it), after the
    permission check; anything else is refused exactly as a row that does not exist."""
    policy.require(actor, permission, object_type=object_type, object_id=str(pk))
    row = rows.filter(pk=pk).first()
    if row is None:
        raise policy.not_visible(actor, permission, object_type=object_type, object_id=str(pk))
    return row


def _touch(scan_row: Scan) -> None:
    """Work on a scan restarts its retention clock, rows and files alike (ADR 0012)."""
    now = timezone.now()
    Scan.objects.filter(pk=scan_row.pk).update(touched_at=now)
    Lead.objects.filter(scan=scan_row).update(touched_at=now)
    directory = settings.ONLINE_DATA_DIR / scan_row.directory
    if directory.is_dir():
        (directory / ".touched").write_text(now.isoformat(), encoding="utf-8")


def scan_start(*, actor: Actor, upload: UploadedFile | None = None, source: str = "") -> Scan:
    """Keep the file under ONLINE_DATA_DIR and start the scan: a job on PostgreSQL (the queue),
    in-line on SQLite. A bad file is refused before anything is kept."""
    policy.require(actor, "online.scan", object_type="online_scan")
    organisation = actor.organisation
    if organisation is None:  # an analyst always acts for an organisation; deny otherwise
        raise PermissionDenied("online.scan")
    if bool(upload) == bool(source):
        raise ValidationError({"upload": [_("Upload a file or choose one from the directory.")]})
    if upload is not None:
        try:
            suffix = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"upload": exc.messages}) from exc
        name = Path(upload.name or "ads").name
    else:
        try:
            path, suffix = validate_source(source)
        except ValidationError as exc:
            raise ValidationError({"source": exc.messages}) from exc
        name = path.name
    directory_name = f"scan-{secrets.token_hex(8)}"
    directory = settings.ONLINE_DATA_DIR / directory_name
    directory.mkdir(parents=True)
    input_name = "input" + suffix
    try:
        with open(directory / input_name, "wb") as out:
            if upload is not None:
                for chunk in upload.chunks():
                    out.write(chunk)
            else:
                with open(path, "rb") as handle:
                    shutil.copyfileobj(handle, out)
        with transaction.atomic():
            row = Scan.objects.create(
                organisation=organisation,
                started_by=actor.user,
                source_name=name[:200],
                directory=directory_name,
                input_name=input_name,
            )
            audit.record(
                actor,
                "online.scan.start",
                object_type="online_scan",
                object_id=str(row.pk),
                purpose=policy.purpose_of(actor),
                detail={"bytes": (directory / input_name).stat().st_size},
            )
            if getattr(settings, "JOBS_QUEUED", False):
                # Imported here: Procrastinate's app is installed only on PostgreSQL (ADR 0035).
                # The task is named, not imported: samen.online.tasks imports this module.
                from procrastinate.contrib.django import app

                task = app.configure_task(name=SCAN_TASK)
                transaction.on_commit(lambda: task.defer(scan_id=row.pk))
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if not getattr(settings, "JOBS_QUEUED", False):
        scan_run(scan_id=row.pk)
        row.refresh_from_db()
    return row


class _DatabaseProgress(Progress):
    """The engine's progress, written to the scan's row about once a second for the page."""

    def __init__(self, total_bytes: int, scan_id: int) -> None:
        super().__init__(total_bytes, None)
        self.scan_id = scan_id
        self.saved = 0.0

    def update(self, ads: int, nbytes: int) -> None:
        super().update(ads, nbytes)
        now = timezone.now().timestamp()
        if now - self.saved >= 1.0:
            self.saved = now
            Scan.objects.filter(pk=self.scan_id).update(
                progress=min(self.bytes / self.total, 0.99), ads=self.ads
            )


def scan_run(*, scan_id: int) -> Scan:
    """Run the engine over the scan's file and keep its leads. Idempotent: a scan that is done or
    failed is left as it is. Leads are kept in one transaction, so a scan is never half saved."""
    row = Scan.objects.get(pk=scan_id)
    if row.status in (ScanStatus.DONE, ScanStatus.FAILED):
        return row
    Scan.objects.filter(pk=row.pk).update(status=ScanStatus.RUNNING)
    directory = settings.ONLINE_DATA_DIR / row.directory
    paths = [directory / row.input_name]
    try:
        config = ScanConfig()
        engine = make_engine("local", max(1, settings.ONLINE_SCAN_WORKERS))
        try:
            progress = _DatabaseProgress(paths[0].stat().st_size, row.pk)
            result = scan(paths, config=config, engine=engine, progress=progress)
        finally:
            engine.close()
        if not result.stats.get("ads"):
            return _fail(row, FAILED_NO_ADS, bad_lines=int(result.stats.get("bad_lines", 0)))
        write_outputs(result, paths, directory, config)
        leads = read_leads(directory / "leads.json")
        timelines = cities_over_time(
            paths[0],
            directory / "clusters.csv",
            {c["cluster_id"] for c in leads.get("clusters", [])[:MAX_LEADS]},
        )
        _keep_leads(row, leads, timelines)
    except Exception:
        # No ad text, name or number in the log: the scan's id and the kind of error only.
        log.exception("online scan %s failed", row.pk)
        return _fail(row, FAILED_ENGINE)
    row.refresh_from_db()
    return row


def _fail(row: Scan, message: str, *, bad_lines: int = 0) -> Scan:
    Scan.objects.filter(pk=row.pk).update(
        status=ScanStatus.FAILED, failure=message, finished_at=timezone.now(), bad_lines=bad_lines
    )
    row.refresh_from_db()
    return row


def _persona_cities(leads: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for victim in leads.get("possible_victims", []):
        found[str(victim.get("cluster_id", ""))][str(victim.get("persona", ""))] = list(
            victim.get("cities", [])
        )
    return found


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _keep_leads(row: Scan, leads: dict[str, Any], timelines: dict[str, dict]) -> None:
    personas = _persona_cities(leads)
    stats = leads.get("stats", {})
    clusters = sorted(
        leads.get("clusters", [])[:MAX_LEADS], key=lambda c: -float(c.get("score", 0))
    )
    synthetic = bool(clusters) and all(is_synthetic_lead(leads, c) for c in clusters)
    with transaction.atomic():
        Lead.objects.bulk_create(
            Lead(
                scan=row,
                cluster_id=str(c["cluster_id"])[:32],
                rank=rank,
                score=float(c.get("score", 0)),
                size=int(c.get("size", 0)),
                first_seen=_date(c.get("first_seen")),
                last_seen=_date(c.get("last_seen")),
                data={
                    **c,
                    "persona_cities": personas.get(c["cluster_id"], {}),
                    "timeline": timelines.get(c["cluster_id"], {}),
                },
            )
            for rank, c in enumerate(clusters, start=1)
        )
        Scan.objects.filter(pk=row.pk).update(
            status=ScanStatus.DONE,
            progress=1.0,
            ads=int(stats.get("ads", 0)),
            bad_lines=int(stats.get("bad_lines", 0)),
            duplicate_ids=int(stats.get("duplicate_ids", 0)),
            lead_count=len(clusters),
            is_synthetic=synthetic,
            finished_at=timezone.now(),
            touched_at=timezone.now(),
        )


def _ads(path: Path) -> Iterator[dict[str, Any]]:
    """id, city and date of each ad, tolerant of every bad line (the engine reported those)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            if ".csv" in path.name:
                yield from csv.DictReader(handle)
            else:
                for line in handle:
                    try:
                        ad = json.loads(line)
                    except (json.JSONDecodeError, RecursionError):
                        continue
                    if isinstance(ad, dict):
                        yield ad
    except (OSError, EOFError, csv.Error):
        return  # a damaged end: the ads read before it count


def cities_over_time(
    input_path: Path, clusters_csv: Path, wanted: set[str]
) -> dict[str, dict[str, dict[str, int]]]:
    """Per lead cluster: ads per city per month ({"2026-03": {"Utrecht": 4}}), for the picture."""
    cluster_of: dict[str, str] = {}
    with open(clusters_csv, encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if record.get("cluster_id") in wanted:
                cluster_of[str(record.get("ad_id"))] = record["cluster_id"]
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for ad in _ads(input_path):
        cluster_id = cluster_of.get(str(ad.get("id")))
        posted = _date(ad.get("posted_at"))
        city = str(ad.get("city") or "").strip()[:60]
        if cluster_id and posted and city:
            counts[cluster_id][f"{posted.year:04d}-{posted.month:02d}"][city] += 1
    return {
        c: {month: dict(cities) for month, cities in sorted(months.items())}
        for c, months in counts.items()
    }

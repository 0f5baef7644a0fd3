"""Writes of the analyst's screen: start and run a scan, mark a lead, send it into the chain,
compose and follow notices to platforms. Each checks the policy and writes the audit entry.

The engine is called through its public runner API only (``scan``, ``write_outputs``,
``make_engine``, ``Progress``); its leads.json is read back like any consumer reads it.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import secrets
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samen.core import audit, policy
from samen.core.actor import Actor
from samen.online import explain
from samen.online.engine import ScanConfig, make_engine, scan, write_outputs
from samen.online.engine.runner import Progress
from samen.online.into_chain import LeadOutcome, is_synthetic_lead, lead_to_signal, read_leads
from samen.online.models import (
    Lead,
    LeadMark,
    LeadStatus,
    Notice,
    NoticeStatus,
    Scan,
    ScanStatus,
)

log = logging.getLogger(__name__)

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".csv.gz")
SNIFF_BYTES = 256 * 1024
MAX_LEADS = 500
SCAN_TASK = "samen.online_scan"
# Shown to the analyst in their language; stored in English (the source string).
FAILED_NO_ADS = gettext_noop("No ad in the file could be read.")
FAILED_ENGINE = gettext_noop("The scan stopped with an error. Try again or ask the administrator.")
MARKABLE = (LeadStatus.REVIEWED, LeadStatus.FALSE_POSITIVE, LeadStatus.SENT)
NEXT_NOTICE_STATUS: dict[str, set[str]] = {
    NoticeStatus.OPEN: {NoticeStatus.SENT},
    NoticeStatus.SENT: {NoticeStatus.ANSWERED, NoticeStatus.REMOVED, NoticeStatus.REFUSED},
    NoticeStatus.ANSWERED: {NoticeStatus.REMOVED, NoticeStatus.REFUSED},
    NoticeStatus.REMOVED: set(),
    NoticeStatus.REFUSED: set(),
}


# -- input --------------------------------------------------------------------------------


def _suffix(name: str) -> str:
    lower = name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), "")


def _head(stream: IO[bytes], compressed: bool) -> bytes:
    """The first bytes of the (decompressed) content, to check what kind of file it is."""
    stream.seek(0)
    if compressed:
        try:
            with gzip.GzipFile(fileobj=stream) as unzipped:
                return unzipped.read(SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ValidationError(_("The file is not a readable .gz file.")) from exc
    return stream.read(SNIFF_BYTES)


def _check_content(head: bytes, suffix: str) -> None:
    """The file must look like ads: JSON Lines with an object per line, or CSV with a header
    naming at least the ad's id and its text or title."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a character; only a broken start is an error.
        try:
            text = head[: max(len(head) - 4, 0)].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not text in UTF-8.")) from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError(_("The file is empty."))
    if ".csv" in suffix:
        header = {h.strip().lower() for h in next(csv.reader([lines[0]]))}
        if "id" not in header or not header & {"text", "title"}:
            raise ValidationError(
                _("The CSV file needs a header with the columns id and text (or title).")
            )
        return
    first = lines[0]
    try:
        ad = json.loads(first) if len(lines) > 1 or len(first) < SNIFF_BYTES else None
    except (json.JSONDecodeError, RecursionError):
        ad = None
    if not isinstance(ad, dict) or "id" not in ad or not ad.keys() & {"text", "title"}:
        raise ValidationError(
            _("The first line is not an ad: each line must be a JSON object with id and text.")
        )


def validate_upload(upload: UploadedFile) -> str:
    """The suffix of an acceptable upload, or a ValidationError saying what is wrong."""
    suffix = _suffix(upload.name or "")
    if not suffix:
        raise ValidationError(_("Choose a JSON Lines or CSV file (optionally .gz)."))
    if upload.size is not None and upload.size > settings.ONLINE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.ONLINE_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if upload.file is None:
        raise ValidationError(_("The file is empty."))
    _check_content(_head(upload.file, suffix.endswith(".gz")), suffix)
    return suffix


def scan_sources() -> list[tuple[str, Path]]:
    """The ad files in the configured scan directories, by a key the form offers (never a path
    typed by the user)."""
    found = []
    for number, directory in enumerate(settings.ONLINE_SCAN_DIRS):
        if not Path(directory).is_dir():
            continue
        for path in sorted(Path(directory).iterdir()):
            if path.is_file() and not path.is_symlink() and _suffix(path.name):
                found.append((f"{number}/{path.name}", path))
    return found


def validate_source(key: str) -> tuple[Path, str]:
    path = dict(scan_sources()).get(key)
    if path is None:
        raise ValidationError(_("This file is no longer in the scan directory."))
    suffix = _suffix(path.name)
    with open(path, "rb") as handle:
        _check_content(_head(handle, suffix.endswith(".gz")), suffix)
    return path, suffix


# -- scans --------------------------------------------------------------------------------


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


# -- leads --------------------------------------------------------------------------------


def _lead_for(actor: Actor, lead_id: int, permission: str) -> Lead:
    policy.require(actor, permission, object_type="online_lead", object_id=str(lead_id))
    lead = (
        Lead.objects.select_related("scan")
        .filter(pk=lead_id, scan__organisation=actor.organisation)
        .first()
    )
    if lead is None:
        raise policy.not_visible(
            actor, permission, object_type="online_lead", object_id=str(lead_id)
        )
    return lead


def lead_mark(*, actor: Actor, lead_id: int, status: str) -> Lead:
    lead = _lead_for(actor, lead_id, "online.mark")
    if status not in MARKABLE:
        raise ValidationError({"status": [_("Choose reviewed, false positive or sent.")]})
    with transaction.atomic():
        lead.status = status
        lead.save(update_fields=["status"])
        LeadMark.objects.create(lead=lead, status=status, by=actor.user)
        audit.record(
            actor,
            "online.lead.mark",
            object_type="online_lead",
            object_id=str(lead.pk),
            purpose=policy.purpose_of(actor),
            detail={"status": status},
        )
    _touch(lead.scan)
    return lead


def lead_send(*, actor: Actor, lead_id: int, municipality: str = "") -> LeadOutcome:
    """Send the lead into the chain as a signal (into_chain: once per lead, synthetic input marked
    synthetic), then mark it sent."""
    lead = _lead_for(actor, lead_id, "online.mark")
    leads_file = settings.ONLINE_DATA_DIR / lead.scan.directory / "leads.json"
    outcome = lead_to_signal(
        actor=actor, leads_file=leads_file, cluster_id=lead.cluster_id, municipality=municipality
    )
    with transaction.atomic():
        lead.status = LeadStatus.SENT
        lead.signal = outcome.signal
        lead.save(update_fields=["status", "signal"])
        LeadMark.objects.create(lead=lead, status=LeadStatus.SENT, by=actor.user)
        audit.record(
            actor,
            "online.lead.send",
            object_type="online_lead",
            object_id=str(lead.pk),
            purpose=policy.purpose_of(actor),
            detail={"signal": outcome.signal.pk, "already_sent": outcome.already_sent},
        )
    _touch(lead.scan)
    return outcome


# -- notices (DSA art. 16) ----------------------------------------------------------------


def lead_urls(lead: Lead) -> list[str]:
    """The ad URLs a lead names: its sample ads and its personas' ads."""
    urls = [str(e.get("url")) for e in lead.data.get("evidence", []) if e.get("url")]
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))


def platform_of(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0]
    return host.lower()[:200]


def notice_reasons(lead: Lead, url: str, language: str) -> str:
    """The substantiated explanation of the reasons (art. 16(2)(a)), in one language."""
    hits: list[dict[str, Any]] = next(
        (e.get("hits", []) for e in lead.data.get("evidence", []) if e.get("url") == url), []
    )
    with translation.override(language):
        lines = [
            _(
                "We have reason to believe that this advertisement offers sexual services of a "
                "person who may be a victim of human trafficking (Dutch Criminal Code art. 273f), "
                "which is illegal content."
            ),
            _("The advertisement belongs to a group of %(n)d ads that share:") % {"n": lead.size},
            *(
                f"- {line}"
                for line in explain.summary(lead.data, lead.data.get("persona_cities", {}))
            ),
            *(
                f"- {i.label}" + (f" ({i.share})" if i.share else "")
                for i in explain.indicators(lead.data)[:6]
            ),
        ]
        if hits:
            lines.append(_("Words in this advertisement that point to it:"))
            for hit in hits[:8]:
                label = explain.indicator_label(str(hit.get("indicator", "")))
                lines.append(f"- “{hit.get('evidence', '')}” ({label})")
        return "\n".join(str(line) for line in lines)


def notices_compose(
    *, actor: Actor, lead_id: int, urls: list[str], notifier_email: str
) -> list[Notice]:
    """One notice per URL (and so per platform), in Dutch and English; a URL that already has a
    notice for this lead keeps it."""
    lead = _lead_for(actor, lead_id, "online.notice")
    allowed = set(lead_urls(lead))
    chosen = [u for u in dict.fromkeys(urls) if u in allowed]
    if not chosen:
        raise ValidationError({"urls": [_("Choose at least one address of the lead's ads.")]})
    made = []
    with transaction.atomic():
        for url in chosen:
            notice, created = Notice.objects.get_or_create(
                lead=lead,
                url=url,
                defaults={
                    "organisation": actor.organisation,
                    "platform": platform_of(url),
                    "reasons_nl": notice_reasons(lead, url, "nl"),
                    "reasons_en": notice_reasons(lead, url, "en"),
                    "notifier_name": actor.organisation.name if actor.organisation else "",
                    "notifier_email": notifier_email,
                    "created_by": actor.user,
                },
            )
            if created:
                audit.record(
                    actor,
                    "online.notice.create",
                    object_type="online_notice",
                    object_id=str(notice.pk),
                    purpose=policy.purpose_of(actor),
                )
            made.append(notice)
    _touch(lead.scan)
    return made


def _notice_for(actor: Actor, notice_id: int, permission: str) -> Notice:
    policy.require(actor, permission, object_type="online_notice", object_id=str(notice_id))
    notice = (
        Notice.objects.select_related("lead__scan")
        .filter(pk=notice_id, organisation=actor.organisation)
        .first()
    )
    if notice is None:
        raise policy.not_visible(
            actor, permission, object_type="online_notice", object_id=str(notice_id)
        )
    return notice


def notice_update(
    *, actor: Actor, notice_id: int, status: str, at: datetime | None = None, answer: str = ""
) -> Notice:
    """Record a step: sent (when), the platform's answer (when, what), removed or refused."""
    notice = _notice_for(actor, notice_id, "online.notice")
    if status not in NEXT_NOTICE_STATUS.get(notice.status, set()):
        raise ValidationError({"status": [_("This step does not follow the notice's last one.")]})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": [_("This moment lies in the future.")]})
    if notice.sent_at and status != NoticeStatus.SENT and at < notice.sent_at:
        raise ValidationError({"at": [_("The answer cannot come before the notice was sent.")]})
    with transaction.atomic():
        if status == NoticeStatus.SENT:
            notice.sent_at = at
        else:
            notice.answered_at = notice.answered_at or at
            if answer:
                notice.answer = answer[:5000]
        if status in (NoticeStatus.REMOVED, NoticeStatus.REFUSED):
            notice.closed_at = at
        notice.status = status
        notice.updated_at = timezone.now()
        notice.save()
        audit.record(
            actor,
            "online.notice.update",
            object_type="online_notice",
            object_id=str(notice.pk),
            purpose=policy.purpose_of(actor),
            detail={"status": status},
        )
    _touch(notice.lead.scan)
    return notice

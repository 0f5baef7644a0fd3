"""Scraped online data under retention: ads and scan results are deleted a period after they were
collected; a lead sent into the chain is a signal and follows the case rules."""

import json
import os
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from samen.cases.models import Case
from samen.core.actor import Actor
from samen.core.models import AuditEntry
from samen.online.into_chain import signal_input_for
from samen.sharing import retention
from samen.sharing.tests.canary import Canary, database_text, links_left, links_of, marker
from samen.signalling.models import Signal
from samen.signalling.services import signal_record


def _run(now=None):
    now = now or timezone.now()
    return retention.apply(steps=retention.plan(now=now), actor=Actor(None, None, "test"), now=now)


def _scraped(tag: str) -> dict[str, str]:
    """What a scraped ad holds about a person: a name, a number, a handle, links."""
    return {
        "name": marker(f"{tag}-persona"),
        "phone": marker(f"{tag}-phone"),
        "handle": marker(f"{tag}-handle"),
        "url": f"https://ads.example/{marker(f'{tag}-url')}",
        "photo": f"https://img.example/{marker(f'{tag}-photo')}.jpg",
    }


def _cluster(tag: str, m: dict[str, str]) -> dict:
    return {
        "cluster_id": f"c-{tag}",
        "size": 4,
        "cities": ["Utrecht"],
        "last_seen": "2026-03-01",
        "personas": [f"{m['name']} (19)"],
        "shared_contacts": [{"contact": m["phone"]}, {"contact": f"telegram:{m['handle']}"}],
        "indicators": [{"id": "contact_many_personas", "contribution": 3.0}],
        "explanation": [f"One contact {m['phone']} behind many personas."],
        "evidence": [{"ad_id": "a1", "url": m["url"]}, {"ad_id": "a2", "url": m["photo"]}],
    }


def _age(path, days: int) -> None:
    stamp = (timezone.now() - timedelta(days=days)).timestamp()
    for p in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.utime(p, (stamp, stamp))


def _files_text(directory) -> str:
    return "\n".join(p.read_text() for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def online_dir(settings, tmp_path):
    settings.ONLINE_DATA_DIR = tmp_path / "online"
    settings.ONLINE_DATA_DIR.mkdir()
    return settings.ONLINE_DATA_DIR


def test_scraped_data_past_its_period_is_deleted_and_newer_data_kept(world, online_dir):
    period = retention.online().period_days
    old, new = _scraped("old"), _scraped("new")
    scan_old = online_dir / "scan-old"
    scan_old.mkdir()
    (scan_old / "leads.json").write_text(json.dumps({"clusters": [_cluster("old", old)]}))
    (scan_old / "report.html").write_text(f"<a href='{old['url']}'>{old['name']}</a>")
    ads_old = online_dir / "ads-old.jsonl"
    ads_old.write_text(json.dumps({"title": old["name"], "text": old["phone"]}) + "\n")
    scan_new = online_dir / "scan-new"
    scan_new.mkdir()
    (scan_new / "leads.json").write_text(json.dumps({"clusters": [_cluster("new", new)]}))
    _age(scan_old, period + 1)
    _age(ads_old, period + 1)
    _age(scan_new, period - 1)

    done = _run()

    assert done == {"online": 2}
    left = _files_text(online_dir) + database_text()
    assert not [k for k, v in old.items() if v in left]
    assert all(v in left for v in new.values())
    entry = AuditEntry.objects.get(action="online.retention")
    assert entry.detail["files"] == 2 and entry.purpose == "retention"
    assert not any(v in json.dumps(entry.detail) for v in old.values())  # counts only
    assert _run() == {}  # nothing left to do


def test_a_scan_still_written_to_is_kept_whole(world, online_dir):
    period = retention.online().period_days
    scan = online_dir / "scan-running"
    scan.mkdir()
    (scan / "ads.jsonl").write_text("{}\n")
    _age(scan, period + 30)
    (scan / "leads.json").write_text("{}")  # written today
    assert _run() == {}
    assert (scan / "ads.jsonl").exists()


def test_a_lead_sent_into_the_chain_follows_the_case_rules(world, actor_for, online_dir):
    actor = actor_for("demo-coordinator")
    longest = max(retention.periods().values())
    past = timezone.now() - timedelta(days=longest + 1)
    canaries = {}
    for tag in ("closed", "open"):
        m = _scraped(tag)
        outcome = signal_record(actor=actor, data=signal_input_for(_cluster(tag, m)))
        case = outcome.case
        canaries[tag] = Canary(person=case.person, cases=[case], markers=m)
    closed = canaries["closed"].cases[0]
    Signal.objects.filter(case=closed).update(created_at=past)
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_at=past, opened_at=past)
    before = database_text()
    for canary in canaries.values():
        assert all(v in before for v in canary.markers.values())  # the lead's evidence is held
    links = {tag: links_of(c) for tag, c in canaries.items()}

    _run()

    after = database_text()
    assert not [k for k, v in canaries["closed"].markers.items() if v in after]
    assert not links_left(links["closed"]), links_left(links["closed"])
    assert all(v in after for v in canaries["open"].markers.values())
    assert Case.objects.filter(pk=canaries["open"].cases[0].pk).exists()


def test_every_model_of_the_online_app_has_a_retention_treatment():
    """Scraped data stored in a model is deleted by its clock: a model added to the online app
    without a line in retention.json ("online" → "targets") fails here."""
    named = {t.model for t in retention.online().targets}
    for model in apps.get_app_config("online").get_models():
        assert model._meta.label in named, model._meta.label
    for target in retention.online().targets:
        fields = {f.name for f in target.model_class._meta.get_fields()}
        assert target.clock in fields and (target.delete or target.clear), target.model


def test_an_entry_that_cannot_be_deleted_now_is_counted_and_retried(world, online_dir, monkeypatch):
    period = retention.online().period_days
    (online_dir / "ads-old.jsonl").write_text("{}\n")
    stuck = online_dir / "scan-stuck"
    stuck.mkdir()
    (stuck / "leads.json").write_text("{}")
    for path in (online_dir / "ads-old.jsonl", stuck):
        _age(path, period + 1)

    def refuse(path, *args, **kwargs):
        raise PermissionError("busy")

    monkeypatch.setattr(retention.shutil, "rmtree", refuse)
    assert _run() == {"online": 1}
    entry = AuditEntry.objects.get(action="online.retention")
    assert entry.detail["files"] == 1 and entry.detail["files_failed"] == 1
    assert stuck.exists() and not (online_dir / "ads-old.jsonl").exists()
    monkeypatch.undo()
    assert _run() == {"online": 1} and not stuck.exists()

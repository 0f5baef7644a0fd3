"""The analyst's screen (issue #18, items 6 and 7): scans, leads, marks, sending into the chain,
notices to platforms; who may open it, and bad input."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samen.core.models import AuditEntry
from samen.online.engine.synth import write_synthetic
from samen.online.models import Lead, LeadStatus, Notice, NoticeStatus, Scan
from samen.organisations.models import Membership, Organisation, OrganisationType, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def online_dir(settings, tmp_path) -> Path:
    """Each test's scans in a directory of its own, run in the request on either engine (the
    queue's own test below turns the job queue on)."""
    settings.JOBS_QUEUED = False
    settings.ONLINE_DATA_DIR = tmp_path / "online"
    settings.ONLINE_SCAN_DIRS = [tmp_path / "online" / "inbox"]
    return settings.ONLINE_DATA_DIR


@pytest.fixture(scope="module")
def ads_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("screen") / "ads.jsonl"
    write_synthetic(800, seed=7, out=path)
    return path


def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def scanned(web_for, ads_path):
    client = web_for("demo-analyst")
    response = client.post("/online/", {"upload": _upload(ads_path)})
    assert response.status_code == 302, response.content.decode()[:2000]
    scan = Scan.objects.get()
    return client, scan


def test_an_analyst_scans_a_synthetic_file_and_sees_ranked_explained_leads(scanned):
    client, scan = scanned
    assert scan.status == "done" and scan.ads == 800 and scan.is_synthetic
    leads = list(scan.leads.all())
    assert leads and [lead.rank for lead in leads] == list(range(1, len(leads) + 1))
    assert [lead.score for lead in leads] == sorted((lead.score for lead in leads), reverse=True)
    page = client.get(f"/online/scan/{scan.pk}/").content.decode()
    assert leads[0].cluster_id in page and 'class="table-scroll"' in page
    top = client.get(f"/online/lead/{leads[0].pk}/").content.decode()
    # Dutch words for the engine's indicators, its slots and contact kinds; a picture of cities
    # over time; no engine code or English explanation on the page.
    assert "Eén contact achter veel persona" in top
    assert 'data-testid="timeline"' in top and "heat-" in top
    assert "[naam]" in top or "[stad]" in top
    assert "contact_many_personas" not in top and "One contact behind" not in top
    assert leads[0].data["timeline"], "cities over time are kept with the lead"
    actions = set(
        AuditEntry.objects.filter(actor_username="demo-analyst").values_list("action", flat=True)
    )
    assert {"online.scan.start", "online.scan.read", "online.lead.read"} <= actions


def test_other_roles_are_refused_and_the_refusal_is_audited(web_for):
    for username in ("demo-investigator", "demo-outreach", "demo-privacy"):
        response = web_for(username).get("/online/")
        assert response.status_code == 403, username
        assert AuditEntry.objects.filter(
            actor_username=username, action="online.read", result="denied"
        ).exists()


def test_an_analyst_of_another_organisation_finds_no_such_scan_or_lead(scanned, web_for):
    _, scan = scanned
    lead = scan.leads.first()
    nla = Organisation.objects.filter(type=OrganisationType.LABOUR_INSPECTORATE).first()
    other = Membership.objects.get(user__username="demo-analyst")
    other.pk = None
    other.organisation = nla
    other.save()
    from samen.accounts.models import User

    user = User.objects.create_user(username="nla-analyst", password="x" * 20)
    Membership.objects.filter(pk=other.pk).update(user=user)
    client = web_for("nla-analyst")
    for path in (
        f"/online/scan/{scan.pk}/",
        f"/online/lead/{lead.pk}/",
        f"/online/scan/{scan.pk}/leads.csv",
    ):
        assert client.get(path).status_code == 404, path
    assert AuditEntry.objects.filter(actor_username="nla-analyst", result="not_found").count() == 3

    # The same answer as for a lead that does not exist at all.
    def page(path: str) -> str:
        response = client.get(path)
        assert response.status_code == 404
        text = response.content.decode().replace(path, "PATH")  # the language switch's return
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page("/online/lead/999999/") == page(f"/online/lead/{lead.pk}/")
    assert str(lead.cluster_id) not in client.get("/online/").content.decode()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("ads.jsonl", b"this is not json\n", "geen advertentie"),
        ("ads.txt", b'{"id": "a", "text": "x"}\n', "JSON Lines- of CSV-bestand"),
        ("ads.jsonl.gz", b"not gzip at all", ".gz-bestand"),
        ("ads.csv", b"name;phone\nx;y\n", "kolommen id en text"),
        ("ads.jsonl", b"", "leeg"),
    ],
)
def test_a_bad_file_gives_a_field_error_and_keeps_no_scan(
    web_for, settings, name, content, message
):
    response = web_for("demo-analyst").post(
        "/online/", {"upload": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'id="id_upload_error"' in page
    assert not Scan.objects.exists()
    assert not list(Path(settings.ONLINE_DATA_DIR).glob("scan-*"))


def test_a_scan_from_the_scan_directory(web_for, settings, ads_path):
    inbox = settings.ONLINE_SCAN_DIRS[0]
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "week49.jsonl").write_bytes(ads_path.read_bytes())
    client = web_for("demo-analyst")
    assert "week49.jsonl" in client.get("/online/").content.decode()
    assert client.post("/online/", {"source": "0/week49.jsonl"}).status_code == 302
    assert Scan.objects.get().source_name == "week49.jsonl"
    assert client.post("/online/", {"source": "0/../../etc/passwd"}).status_code == 400


def test_mark_then_send_into_the_chain_once(scanned):
    client, scan = scanned
    lead = scan.leads.first()
    assert (
        client.post(f"/online/lead/{lead.pk}/markeren/", {"status": "reviewed"}).status_code == 302
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REVIEWED and lead.marks.count() == 1
    assert client.post(f"/online/lead/{lead.pk}/markeren/", {"status": "open"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REVIEWED  # "open" is no decision
    client.post(f"/online/lead/{lead.pk}/doorsturen/", {"municipality": ""})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.SENT and lead.signal is not None
    assert lead.signal.is_synthetic
    first = lead.signal_id
    client.post(f"/online/lead/{lead.pk}/doorsturen/", {"municipality": ""})
    lead.refresh_from_db()
    assert lead.signal_id == first
    assert AuditEntry.objects.filter(action="online.lead.send").count() == 2


def test_notices_per_url_with_the_dsa_elements_and_their_steps(scanned):
    client, scan = scanned
    lead = scan.leads.first()
    urls = [e["url"] for e in lead.data["evidence"]][:2]
    response = client.post(
        f"/online/lead/{lead.pk}/melden/",
        {"urls": urls, "notifier_email": "meldingen@politie.example"},
    )
    assert response.status_code == 302
    notices = list(Notice.objects.order_by("pk"))
    assert [n.url for n in notices] == urls and all(n.status == "open" for n in notices)
    first = notices[0]
    for lang, words in (
        ("nl", ["Verklaring", "te goeder trouw", "mensenhandel"]),
        ("en", ["good faith", "Exact electronic location", "human trafficking"]),
    ):
        text = client.get(f"/online/meldingen/{first.pk}/tekst/{lang}/?format=txt").content.decode()
        assert first.url in text and "meldingen@politie.example" in text, lang
        assert first.notifier_name in text and all(w in text for w in words), (lang, text)
    listed = client.get("/online/meldingen/").content.decode()
    assert first.url in listed
    # Steps in order: an answer before it was sent is refused with a field error.
    bad = client.post(f"/online/meldingen/{first.pk}/", {"status": "removed"})
    assert bad.status_code == 400
    sent = (timezone.now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"/online/meldingen/{first.pk}/", {"status": "sent", "at": sent}).status_code
        == 302
    )
    assert (
        client.post(
            f"/online/meldingen/{first.pk}/", {"status": "removed", "answer": "Verwijderd."}
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert first.status == NoticeStatus.REMOVED and first.sent_at and first.closed_at
    assert first.answer == "Verwijderd."
    listed = client.get("/online/meldingen/").content.decode()
    assert first.url not in listed and notices[1].url in listed
    foreign = client.post(
        f"/online/lead/{lead.pk}/melden/",
        {"urls": ["https://elsewhere.example/x"], "notifier_email": "meldingen@politie.example"},
    )
    assert foreign.status_code == 400 and Notice.objects.count() == 2


def test_the_export_has_plain_dutch_headers_in_csv_and_excel(scanned):
    client, scan = scanned
    response = client.get(f"/online/scan/{scan.pk}/leads.csv")
    text = response.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:5] == ["Rang", "Lead", "Score", "Advertenties", "Status"]
    assert "Niet beoordeeld" in text and "open" not in text.split("\n")[1].split(";")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/online/scan/{scan.pk}/leads.xlsx").content))
    assert [c.value for c in book.active[1]][:2] == ["Rang", "Lead"]
    assert book.active.max_row == scan.leads.count() + 1


def test_the_home_page_leads_the_analyst_to_the_screen(web_for):
    assert 'data-testid="home-online"' in web_for("demo-analyst").get("/").content.decode()
    assert Role.ONLINE_ANALYST.label
    assert not Lead.objects.exists()


def test_retention_deletes_a_scan_a_year_after_it_was_last_worked_on(scanned, settings):
    from samen.core.actor import Actor
    from samen.sharing import retention

    client, scan = scanned
    lead = scan.leads.first()
    client.post(f"/online/lead/{lead.pk}/markeren/", {"status": "reviewed"})
    directory = settings.ONLINE_DATA_DIR / scan.directory
    half_year = timezone.now() + timedelta(days=200)
    retention.apply(
        steps=retention.plan(now=half_year), actor=Actor(None, None, "test"), now=half_year
    )
    assert Scan.objects.filter(pk=scan.pk).exists() and directory.is_dir()
    later = timezone.now() + timedelta(days=366)
    retention.apply(steps=retention.plan(now=later), actor=Actor(None, None, "test"), now=later)
    assert not Scan.objects.exists() and not Lead.objects.exists()
    assert not directory.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_scan_runs_as_a_job_of_the_queue(web_for, ads_path, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the job queue runs on PostgreSQL only")
    from procrastinate.contrib.django.models import ProcrastinateJob

    from samen.jobs.tests.worker import run_worker_until_idle

    settings.JOBS_QUEUED = True
    client = web_for("demo-analyst")
    assert client.post("/online/", {"upload": _upload(ads_path)}).status_code == 302
    scan = Scan.objects.get()
    assert scan.status == "queued" and not scan.leads.exists()
    page = client.get(f"/online/scan/{scan.pk}/").content.decode()
    assert "Wacht op start" in page and 'http-equiv="refresh"' in page
    job = ProcrastinateJob.objects.get(task_name="samen.online_scan")
    assert job.args == {"scan_id": scan.pk}  # the id only, never a file name or an ad
    run_worker_until_idle(queues=["online"])
    scan.refresh_from_db()
    assert scan.status == "done" and scan.leads.exists() and scan.progress == 1.0


def test_every_page_of_the_screen_speaks_plain_dutch(scanned):
    """The plain-Dutch walk's search (codes of the domain, English months) over every page of the
    screen with a real scan in it: the canary world has no scan."""
    from samen.web.tests.canary.test_plain_dutch import code_pattern, findings, visible_text

    client, scan = scanned
    leads = list(scan.leads.all()[:3])
    client.post(
        f"/online/lead/{leads[0].pk}/melden/",
        {"urls": [leads[0].data["evidence"][0]["url"]], "notifier_email": "m@politie.example"},
    )
    notice = Notice.objects.get()
    paths = [
        "/online/",
        f"/online/scan/{scan.pk}/",
        f"/online/scan/{scan.pk}/leads.csv",
        *(f"/online/lead/{lead.pk}/" for lead in leads),
        "/online/meldingen/",
        f"/online/meldingen/{notice.pk}/",
        f"/online/meldingen/{notice.pk}/tekst/nl/",
        f"/online/meldingen/{notice.pk}/tekst/nl/?format=txt",
    ]
    pattern = code_pattern()
    found = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        kind = response["Content-Type"].split(";")[0]
        found += findings(pattern, path, visible_text(kind, response.content.decode("utf-8-sig")))
    assert not found, "\n".join(found)

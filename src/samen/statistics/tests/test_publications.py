"""Recorded publications: a release is archived as published, and the release of the next
period is checked against that archive (what readers hold), not against a recomputation."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.conf import settings

from samen.sharing.models import AuditEntry
from samen.signalling.services import PersonInput
from samen.statistics.archive import release_from_archive, release_to_archive
from samen.statistics.disclosure import CountTable, Dimension, check_differencing, protect
from samen.statistics.models import Publication
from samen.statistics.releases import release_for
from samen.statistics.selectors import Period

pytestmark = pytest.mark.django_db
NOW = Period(date(date.today().year - 3, 1, 1), date.today())
EARLIER = NOW.year_earlier()


def _register(record) -> None:
    for _ in range(12):
        record(forms=["sexual"], person=PersonInput(gender="female", age_band="23-29"))
    for _ in range(3):
        record(forms=["labour"], person=PersonInput(gender="male", age_band="12-17"))


def test_an_archived_release_comes_back_with_the_same_counts_and_pattern():
    forms = Dimension("form", ("sexual", "labour", "criminal"))
    years = Dimension("year", ("2023", "2024"), complete=False)
    counts = {("2023", "sexual"): 40, ("2023", "labour"): 3, ("2024", "sexual"): 35,
              ("2024", "labour"): 12, ("2024", "criminal"): 2}  # fmt: skip
    release = protect([CountTable("year x form", [years, forms], counts)])
    stored = json.loads(json.dumps(release_to_archive(release)))  # as the JSON field keeps it
    again = release_from_archive(stored)
    assert again.suppressed_keys == release.suppressed_keys and release.suppressed_keys
    assert [list(t.cells()) for t in again.source_tables] == [
        list(t.cells()) for t in release.source_tables
    ]
    assert again.rules == release.rules
    with pytest.raises(ValueError, match="format"):
        release_from_archive({**stored, "format": 99})


def test_publishing_records_the_release_and_hands_out_its_bundle(web_for, record):
    _register(record)
    client = web_for("demo-registrar")
    response = client.post(
        "/statistiek/publiceren/",
        {"start": EARLIER.start.isoformat(), "end": EARLIER.end.isoformat()},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "methods-nl.txt" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    publication = Publication.objects.get()
    assert (publication.period_start, publication.period_end) == (EARLIER.start, EARLIER.end)
    assert publication.published_by.username == "demo-registrar"
    assert publication.archive["tables"] and publication.cells > 0
    assert AuditEntry.objects.filter(
        action="statistics.publication.create", object_id=str(publication.pk)
    ).exists()
    bad = client.post("/statistiek/publiceren/", {"start": "1999-01-01"})
    assert bad.status_code == 400 and Publication.objects.count() == 1
    # Nothing is published by a role without the statistics purpose (web_for signs the one
    # test client in as another user).
    refused = web_for("demo-coordinator").post(
        "/statistiek/publiceren/", {"start": EARLIER.start.isoformat()}
    )
    assert refused.status_code == 403 and Publication.objects.count() == 1


def test_the_next_release_is_checked_against_the_publication(web_for, actor_for, record):
    _register(record)
    actor = actor_for("demo-registrar", "statistics")
    client = web_for("demo-registrar")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = client.get(f"/statistiek/?start={NOW.start}&end={NOW.end}").content.decode()
    assert "No publication of the period one year earlier is recorded" in before
    client.post("/statistiek/publiceren/", {"start": EARLIER.start, "end": EARLIER.end})
    publication = Publication.objects.get()

    release, against = release_for(actor, NOW)
    assert against == publication and release.safe
    report = check_differencing(release, release_from_archive(publication.archive))
    assert report.ok
    page = client.get(f"/statistiek/?start={NOW.start}&end={NOW.end}").content.decode()
    assert "Checked against the publication of" in page
    assert 'data-testid="publications"' in page and "demo-registrar" in page


def test_percentages_are_written_in_the_readers_language():
    from django.utils import translation

    from samen.statistics.publication import _percent
    from samen.statistics.tables import Change

    up = Change("sexual", "2024", 66, 72, 6, 9.0909)
    down = Change("sexual", "2024", 72, 66, -6, -8.3333)
    with translation.override("nl"):
        assert (_percent(up), _percent(down)) == ("+9,1%", "-8,3%")
    with translation.override("en"):
        assert _percent(up) == "+9.1%"

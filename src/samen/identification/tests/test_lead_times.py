"""Lead times on the dashboard: plain arithmetic, grouped per region and form, outcomes counted,
the page with its charts and tables, and who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from samen.core.models import AuditEntry
from samen.identification import leadtimes, services
from samen.identification.leadtimes import CaseRecord
from samen.identification.machine import local_date


def test_groups_medians_and_outcomes():
    d = date(2027, 1, 1)
    records = [
        CaseRecord(
            "Utrecht",
            ("Labour",),
            d,
            d + timedelta(days=4),
            d + timedelta(days=6),
            "accepted",
            "granted",
        ),
        CaseRecord("Utrecht", ("Labour", "Sexual"), d, d + timedelta(days=10), None, "declined"),
        CaseRecord("Groningen", ("Sexual",), d),  # signalled only: no lead time yet
        CaseRecord("Groningen", (), d, d + timedelta(days=1), None, "", "refused"),
    ]
    by_region = {g.label: g for g in leadtimes.group_by(records, "region")}
    assert by_region["Utrecht"].to_indication == [4, 10]
    assert by_region["Utrecht"].median_to_indication == 7
    assert by_region["Utrecht"].to_shelter == [2]
    assert by_region["Utrecht"].outcomes == {
        "reflection_accepted": 1, "reflection_declined": 1,
        "permit_granted": 1, "permit_refused": 0,
    }  # fmt: skip
    assert by_region["Groningen"].median_to_shelter is None
    by_form = {g.label: g for g in leadtimes.group_by(records, "form")}
    assert by_form["Labour"].to_indication == [4, 10]  # a case with two forms counts in both
    assert by_form["Sexual"].to_indication == [10]
    assert by_form[""].outcomes["permit_refused"] == 1
    total = leadtimes.total(records, "all")
    assert total.median_to_indication == 4 and len(total.to_indication) == 3


def test_the_chart_leaves_out_groups_without_a_value_and_scales_to_the_largest():
    chart = leadtimes.hbar_chart("c", "t", [("a", 10), ("b", None), ("c", 5)])
    assert [b.label for b in chart.bars] == ["a", "c"]
    assert chart.bars[1].width == chart.bars[0].width / 2
    assert chart.summary == "a: 10; c: 5"


@pytest.mark.django_db
def test_the_page_counts_the_path_and_the_shelter_placement(web_for, actor_for, case, monkeypatch):
    from samen.organisations.models import Municipality, Organisation
    from samen.shelter.models import (
        Location,
        Place,
        Placement,
        PlaceType,
        Provider,
        Referral,
        TargetGroup,
    )

    police = actor_for("demo-investigator")
    opened = local_date(case.opened_at)
    established = opened + timedelta(days=3)
    # The indication is recorded once it is established: the clock stands on that day.
    moment = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    services.transition_take(actor=police, case=case, code="assessment_start")
    services.transition_take(
        actor=police,
        case=case,
        code="indication_establish",
        values={"established_on": established.isoformat()},
    )
    # A placement, read-only from the shelter tables, five days after the indication.
    utrecht = Municipality.objects.get(code="GM0344")
    org = Organisation.objects.get(type="shelter", municipality__region__code="VR09")
    loc = Location.objects.create(
        provider=Provider.objects.create(organisation=org, name="P"),
        name="L",
        municipality=utrecht,
    )
    place = Place.objects.create(
        location=loc,
        name="Plek",
        type=PlaceType.SPECIALISED,
        target_group=TargetGroup.ALL,
        municipality=utrecht,
        funding_municipality=utrecht,
    )
    referral = Referral.objects.create(
        case=case,
        organisation=actor_for("demo-coordinator").organisation,
        created_at=timezone.now(),
    )
    Placement.objects.create(
        referral=referral,
        place=place,
        started_at=case.opened_at + timedelta(days=8),
    )
    client = web_for("demo-coordinator")
    page = client.get("/identificatie/doorlooptijden/")
    assert page.status_code == 200
    total = page.context["total"]
    assert total.to_indication == [3] and total.to_shelter == [5]
    [region] = next(s for s in page.context["sections"] if s["key"] == "region")["groups"]
    assert region.label == case.region.name
    html = page.content.decode()
    assert 'data-testid="chart-region-indication"' in html and "<table" in html
    assert case.number not in html  # figures only
    entry = AuditEntry.objects.filter(action="identification_lead_times.read").last()
    assert entry.detail == {"cases_counted": 1}


@pytest.mark.django_db
def test_only_authorised_roles_see_lead_times(web_for):
    assert web_for("demo-professional").get("/identificatie/doorlooptijden/").status_code == 403
    assert web_for("demo-programme").get("/identificatie/doorlooptijden/").status_code == 403
    dashboard = web_for("demo-registrar").get("/")
    assert 'data-testid="lead-times-link"' in dashboard.content.decode()

"""The shelter referral's Done-when path in a real browser (Debian's chromium via Playwright):
a coordinator opens a demo case, refers, sees ranked places with reasons and excluded places with
their rule, holds the last bed; a second coordinator racing for it is refused with the next-best
places; the shelter accepts and records the arrival; the placement shows on the dashboard."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from samen.cases.models import Case
from samen.organisations.models import Membership
from samen.shelter.models import Hold, Place, Placement, PlaceType

pytestmark = pytest.mark.browser


def last_bed_of_demo_shelter() -> Place:
    """One of demo-shelter's units as a first-reception place for adults with one free bed: it
    fits every adult's referral, so both coordinators want it."""
    org = Membership.objects.get(user__username="demo-shelter").organisation
    place = Place.objects.filter(location__provider__organisation=org).order_by("pk").first()
    assert place is not None, "the demo directory gives demo-shelter places"
    place.contra_indications.all().delete()
    Place.objects.filter(pk=place.pk).update(
        type=PlaceType.FIRST_RECEPTION, target_group="all", min_age=18, max_age=None,
        free=1, capacity=max(place.capacity, 1),
        availability_at=timezone.now(), is_active=True,
    )  # fmt: skip
    return Place.objects.get(pk=place.pk)


def refer(page, number: str) -> None:
    """From the case page to the referral's page with its matches."""
    page.goto(f"/zaken/{number}/")
    page.get_by_test_id("find-shelter").click()
    expect(page).to_have_url(re.compile(rf"/opvang/verwijzen/{number}/$"))
    page.locator("select[name=urgency]").select_option("immediate")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/opvang/verwijzingen/\d+/$"))


def test_coordinator_refers_holds_the_last_bed_shelter_accepts_dashboard_shows_it(
    new_page, sign_in, artifact_dir
):
    # Adults: a minor's referral never fits adult first reception.
    adults = Case.objects.filter(region__code="VR09", person__is_minor=False)
    cases = list(adults.exclude(person__age_band__in=["0-11", "12-17"]).order_by("pk")[:2])
    assert len(cases) == 2, "the demo world has cases in Utrecht (VR09)"
    bed = last_bed_of_demo_shelter()

    first = new_page()
    sign_in(first, "demo-coordinator")
    refer(first, cases[0].number)
    matches = first.get_by_test_id("matches")
    row = first.get_by_test_id(f"match-{bed.pk}")
    expect(row).to_be_visible()
    expect(row.locator("ul > li").first).to_be_visible()  # why it fits
    assert matches.locator("tbody tr").count() > 1, "several places ranked"
    # Excluded places are summed up by rule; each one, with its rule, is a click away.
    expect(first.get_by_test_id("excluded-by-rule").locator("tbody tr").first).to_be_visible()
    first.get_by_test_id("excluded-toggle").click()
    excluded = first.get_by_test_id("excluded").locator("tbody tr")
    expect(excluded.first.locator("td").first).to_be_visible()
    expect(excluded.first.locator("td").first).not_to_be_empty()  # the rule that excluded it
    assert excluded.count() > 1

    # A second person who refers (the national registrar: a second sign-in of the same user
    # would reuse the same one-time code) has the same place on screen before it is held.
    second = new_page()
    sign_in(second, "demo-registrar")
    refer(second, cases[1].number)
    expect(second.get_by_test_id(f"match-{bed.pk}")).to_be_visible()

    with first.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(first.get_by_test_id("current-hold")).to_contain_text(bed.name)
    hold = Hold.objects.get(place=bed, status="active")

    with second.expect_navigation():
        second.get_by_test_id(f"match-{bed.pk}").locator("button[type=submit]").click()
    taken = second.get_by_test_id("place-taken")
    expect(taken).to_be_visible()
    expect(taken).to_contain_text(bed.name)
    expect(second.get_by_test_id("alternatives").locator("li").first).to_be_visible()
    second.screenshot(path=str(artifact_dir / "shelter-race-lost.png"), full_page=True)
    assert Hold.objects.filter(place=bed, status="active").count() == 1

    shelter = new_page()
    sign_in(shelter, "demo-shelter")
    shelter.goto("/opvang/aanvragen/")
    card = shelter.get_by_test_id(f"hold-{hold.pk}")
    expect(card).not_to_contain_text(cases[0].number)  # the needs profile, not the identity
    with shelter.expect_navigation():
        card.locator(f"form[action$='/aanvragen/{hold.pk}/accepteren/'] button").click()
    shelter.goto("/opvang/plaatsingen/")
    with shelter.expect_navigation():
        shelter.get_by_test_id(f"arriving-{hold.pk}").locator("button[type=submit]").click()
    assert Placement.objects.filter(hold=hold, ended_at__isnull=True).exists()
    expect(shelter.get_by_test_id("running").locator("tbody tr")).to_have_count(1)

    first.goto("/opvang/dashboard/?region=VR09")
    expect(first.get_by_test_id("running-placements")).to_have_text("1")
    first.goto("/opvang/dashboard/")
    expect(first.get_by_test_id("running-placements")).to_have_text("1")
    expect(first.get_by_test_id("chart-free-by-type").locator("svg")).to_be_visible()
    first.screenshot(path=str(artifact_dir / "shelter-dashboard.png"), full_page=True)

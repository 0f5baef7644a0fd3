"""Issue #15 in a real browser: a presumed minor from the signal to a protected place for
minors. A hotel records a signal (age unknown); the coordinator records that the age is disputed
and presumes a minor, and Nidos is attached and shown; Nidos takes its own protection steps; the
coordinator refers with a high security need and sees only places that take minors, the adult
places excluded by the minors' rule; the shelter accepts the protected place."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from samen.identification.models import IdentificationPath
from samen.organisations.models import Membership
from samen.shelter.matching import MINOR_PLACE_TYPES
from samen.shelter.models import Hold, Place, PlaceType
from samen.signalling.models import Indicator, Signal

pytestmark = pytest.mark.browser
UTRECHT = "GM0344"


def protected_place_of_demo_shelter() -> Place:
    """One of demo-shelter's units as a protected place for minors at high security with a free
    bed, so the referral has its place in the region."""
    org = Membership.objects.get(user__username="demo-shelter").organisation
    place = Place.objects.filter(location__provider__organisation=org).order_by("pk").first()
    assert place is not None, "the demo directory gives demo-shelter places"
    place.contra_indications.all().delete()
    Place.objects.filter(pk=place.pk).update(
        type=PlaceType.PROTECTED_MINORS, target_group="minors", min_age=12, max_age=17,
        security_level="high", free=1, capacity=max(place.capacity, 1),
        availability_at=timezone.now(), is_active=True,
    )  # fmt: skip
    return Place.objects.get(pk=place.pk)


def take_step(page, code: str, **values: str) -> None:
    """Take a step of the identification path in the case page's block."""
    form = page.get_by_test_id(f"ident-next-{code}").locator("form")
    for name, value in values.items():
        field = form.locator(f"[name=v_{name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.get_by_test_id(f"ident-take-{code}").click()


def test_a_presumed_minor_goes_from_signal_to_a_protected_place_with_nidos_attached(
    new_page, sign_in, artifact_dir
):
    today = date.today().isoformat()
    place = protected_place_of_demo_shelter()

    # 1. The hotel signals; the age is not known.
    hotel = new_page()
    sign_in(hotel, "demo-hotel")
    hotel.goto("/signalen/nieuw/hospitality/")
    indicator = Indicator.objects.filter(
        signal_list__code="hospitality", concerns_minor=False, acute=False
    ).first()
    hotel.locator(f"input[type=checkbox][name='ind_{indicator.code}']").check()
    hotel.locator("input[name=observed_on]").fill((date.today() - timedelta(days=1)).isoformat())
    hotel.locator("select[name=municipality]").select_option(UTRECHT)
    with hotel.expect_navigation():
        hotel.locator("main form button[type=submit]").click()
    expect(hotel).to_have_url(re.compile(r"/signalen/ontvangstbewijs/"))
    case = Signal.objects.filter(recorded_by__username="demo-hotel").latest("pk").case
    number = case.number
    assert not IdentificationPath.objects.filter(
        case=case, guardian_organisation__isnull=False
    ).exists()

    # 2. The coordinator: the age is disputed, presumed a minor. Nidos follows and is shown.
    coordinator = new_page()
    sign_in(coordinator, "demo-coordinator")
    coordinator.goto(f"/identificatie/zaken/{number}/")
    coordinator.locator("select[name=foreign_national]").select_option("no")
    coordinator.locator("select[name=age_assessment]").select_option("disputed")
    coordinator.locator("input[name=presumed_minor]").check()
    with coordinator.expect_navigation():
        coordinator.locator("form[action$='/feiten/'] button[type=submit]").click()
    expect(coordinator.get_by_test_id("guardian")).to_contain_text("Nidos")
    path = IdentificationPath.objects.get(case=case)
    assert path.presumed_minor and path.guardian_organisation.type == "nidos"
    coordinator.goto(f"/zaken/{number}/")
    expect(coordinator.get_by_test_id("ident-guardian")).to_contain_text("Nidos")
    expect(coordinator.get_by_test_id("ident-minor")).to_be_visible()
    # Protection first: the guardian's own steps are there, but not the coordinator's to take.
    expect(coordinator.get_by_test_id("ident-next-guardianship_accept")).to_be_visible()
    expect(coordinator.get_by_test_id("ident-take-guardianship_accept")).to_have_count(0)

    # 3. Nidos is told, and takes its steps: guardianship and a safe placement.
    nidos = new_page()
    sign_in(nidos, "demo-nidos")
    expect(nidos.get_by_test_id("unread-count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    nidos.goto(f"/zaken/{number}/")
    take_step(nidos, "guardianship_accept", accepted_on=today)
    take_step(nidos, "safe_placement_arrange", placed_on=today, placement="protected_minors")
    steps = nidos.get_by_test_id("ident-steps")
    expect(steps).to_contain_text("Voogdij op zich nemen")
    expect(steps).to_contain_text("Veilige plaatsing regelen")

    # 4. The coordinator refers with a high security need: only places that take minors fit.
    coordinator.goto(f"/zaken/{number}/")
    coordinator.get_by_test_id("find-shelter").click()
    coordinator.locator("select[name=urgency]").select_option("immediate")
    coordinator.locator("select[name=security]").select_option("high")
    with coordinator.expect_navigation():
        coordinator.locator("main form button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(r"/opvang/verwijzingen/\d+/$"))
    row = coordinator.get_by_test_id(f"match-{place.pk}")
    expect(row).to_be_visible()
    ranked = coordinator.get_by_test_id("matches").locator("tbody tr[data-testid^=match-]")
    ids = [int(t.removeprefix("match-")) for t in ranked.evaluate_all(
        "rows => rows.map(r => r.dataset.testid)")]  # fmt: skip
    assert ids and all(
        Place.objects.get(pk=pk).type in MINOR_PLACE_TYPES
        or Place.objects.get(pk=pk).target_group == "minors"
        for pk in ids
    ), "a minor is ranked only at places that take minors"
    expect(coordinator.get_by_test_id("excluded-by-rule")).to_contain_text(
        "een minderjarige gaat alleen naar een plek die minderjarigen opneemt"
    )
    with coordinator.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(coordinator.get_by_test_id("current-hold")).to_contain_text(place.name)
    hold = Hold.objects.get(place=place, status="active")

    # 5. The shelter accepts the protected place.
    shelter = new_page()
    sign_in(shelter, "demo-shelter")
    shelter.goto("/opvang/aanvragen/")
    card = shelter.get_by_test_id(f"hold-{hold.pk}")
    with shelter.expect_navigation():
        card.locator(f"form[action$='/aanvragen/{hold.pk}/accepteren/'] button").click()
    assert Hold.objects.get(pk=hold.pk).status == "accepted"
    coordinator.goto(f"/zaken/{number}/")
    expect(coordinator.get_by_test_id("ident-guardian")).to_contain_text("Nidos")
    coordinator.screenshot(path=str(artifact_dir / "minor-protected-place.png"), full_page=True)

"""The generated access matrix: role x purpose x relation to the case x endpoint.

For every combination the test derives from the register which data categories the caller may
see, and checks that exactly the fields of those categories appear on the page and in the API,
and nothing else. A role or purpose added to the register is picked up automatically."""

from datetime import date

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.cases import crypto
from samen.cases.models import CaseNote
from samen.core import policy, register
from samen.core.actor import actor_for_membership
from samen.core.models import DataCategory
from samen.demo.builder import DEMO_USERS
from samen.organisations.models import Membership
from samen.sharing import services
from samen.signalling.services import PersonInput, signal_record

USERS = [u for u, *_ in DEMO_USERS if u not in ("demo-hotel", "demo-coordinator-noord")]
ROLE_OF = {u: role for u, _n, _o, role in DEMO_USERS}
RELATIONS = ("own", "shared", "unrelated")  # own: any relation of the register (RELATIONS)
IDENTITY = {"name": "Synthetische Persoon", "date_of_birth": date(1990, 2, 3), "nationality": "BG",
            "contact": "fictief adres"}  # fmt: skip

# Which response keys each category brings (checked against the API and the page).
KEYS_OF_CATEGORY = {
    "demographics": {
        "gender",
        "age_band",
        "minor",
        "minor_estimated",
        "age_is_estimate",
        "nationality_group",
    },
    "exploitation": {"forms", "signals"},
    "location": {"municipality", "region"},
}
ALWAYS = {
    "number",
    "status",
    "responsible_organisation",
    "opened_at",
    "is_synthetic",
    "access",
    "timeline",
}


def combinations() -> list[tuple[str, str, str]]:
    data = __import__("json").loads(register.REGISTER_FILE.read_text())
    combos = []
    for user in USERS:
        for purpose in data["role_purposes"][ROLE_OF[user]]:
            for relation in RELATIONS:
                combos.append((user, purpose, relation))
    return combos


def member(username: str) -> Membership:
    return Membership.objects.select_related("organisation__municipality__region", "user").get(
        user__username=username
    )


def make_case(username: str, municipality: str, born: date):
    m = member(username)
    outcome = signal_record(
        actor=actor_for_membership(m, origin="test"),
        data=__import__("samen.conftest", fromlist=["signal_input"]).signal_input(
            municipality=municipality,
            forms=["labour"],
            notes="synthetische notitie",
            person=PersonInput(**{**IDENTITY, "date_of_birth": born}),
        ),
    )
    case = outcome.case
    for kind in ("care", "investigation"):
        CaseNote.objects.create(
            case=case,
            kind=kind,
            created_at=case.opened_at,
            ciphertext=crypto.encrypt_json({"text": f"{kind} note"}, context=f"note:{case.number}"),
        )
    return case


def allowed_share(
    sender: str, sender_purpose: str, recipient: Membership, purpose: str
) -> list[str]:
    every = list(DataCategory.objects.values_list("code", flat=True))
    refused = register.share_refusals(
        from_type=member(sender).organisation.type,
        from_purpose=sender_purpose,
        to_type=recipient.organisation.type,
        to_purpose=purpose,
        categories=every,
    )
    return [c for c in every if c not in refused]


def expected_keys(
    categories: set[str], *, has_identity_view: bool
) -> tuple[set[str], set[str], set[str]]:
    keys = set(ALWAYS)
    for cat, k in KEYS_OF_CATEGORY.items():
        if cat in categories:
            keys |= k
    identity = set()
    if has_identity_view:
        identity = {k for k in ("name", "date_of_birth", "nationality") if "identity" in categories}
        identity |= {"contact"} if "contact" in categories else set()
    if identity:
        keys.add("identity")
    # Notes are free text: only with free_text and the kind's category, and a field professional
    # (no view beyond their own entries) never reads another organisation's note (issue #12).
    notes = {
        k
        for k in ("care", "investigation")
        if has_identity_view
        and "free_text" in categories
        and policy.FIELD_CATEGORIES[f"notes.{k}"] in categories
    }
    if notes:
        keys.add("notes")
    return keys, identity, notes


@pytest.mark.parametrize(("username", "purpose", "relation"), combinations())
def test_exactly_the_allowed_fields_appear(world, api_for, web_for, username, purpose, relation):
    me = member(username)
    own = make_case("demo-professional", "GM0344", date(1990, 2, 3))  # Utrecht, VR09: own region
    other = make_case("demo-field-vr01", "GM0014", date(1991, 4, 5))  # Groningen, VR01: not ours
    assert own.pk != other.pk
    actor = actor_for_membership(me, origin="test", purpose=purpose)
    if actor.purpose != purpose:
        pytest.skip("not a purpose of this role")
    may_read = policy.allows(actor, "case.read")
    reach = policy.case_access(actor, [own.pk, other.pk])

    if relation == "own":
        target = own if own.pk in reach and reach[own.pk].own else None
        categories = set(reach[own.pk].categories) if target else set()
    elif relation == "shared":
        target = other
        if other.pk in reach:
            pytest.skip("this role reaches every case by its own work")
        cats = allowed_share("demo-coordinator-noord", "care_coordination", me, purpose)
        if not cats or not policy.allows(actor, "case.read"):
            pytest.skip("the register allows no share to this organisation type for this purpose")
        services.share_create(
            actor=actor_for_membership(member("demo-coordinator-noord"), origin="test"),
            case=other,
            recipient=me.organisation,
            purpose=purpose,
            categories=cats,
        )
        categories = set(cats) & set(register.grants_for(me.organisation.type, purpose))
    else:
        target = other
        if other.pk in reach:
            pytest.skip("this role reaches every case by its own work")
        categories = set()

    api = api_for(username)
    web = web_for(username)
    session = web.session
    session["samen_purpose"] = purpose
    device = TOTPDevice.objects.filter(user=me.user, confirmed=True).first()
    if device:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    number = (target or own).number
    api_response = api.get(f"/api/v1/cases/{number}/", HTTP_X_SAMEN_PURPOSE=purpose)
    page = web.get(f"/zaken/{number}/")
    if not may_read:
        assert (api_response.status_code, page.status_code) == (403, 403)
        return
    if target is None or relation == "unrelated":
        assert (api_response.status_code, page.status_code) == (404, 404)
        return
    assert (api_response.status_code, page.status_code) == (200, 200)
    body = api_response.json()
    keys, identity, notes = expected_keys(
        categories, has_identity_view=policy.sees_all_of_case(actor)
    )
    assert set(body) == keys, (username, purpose, relation, sorted(categories))
    assert set(body.get("identity", {})) == identity
    assert {n["kind"] for n in body.get("notes", [])} == notes
    html = page.content.decode()
    assert ("Synthetische Persoon" in html) == ("name" in identity)
    assert ("fictief adres" in html) == ("contact" in identity)
    assert ("investigation note" in html) == ("investigation" in notes)
    assert ("care note" in html) == ("care" in notes)
    listed = api.get(f"/api/v1/cases/?number={number}", HTTP_X_SAMEN_PURPOSE=purpose).json()
    assert [set(r) for r in listed["results"]] == [
        keys - {"identity", "notes", "timeline", "signals"}
    ]

from pathlib import Path

import pytest

SEED_LETTER = Path(__file__).parent / "fixtures" / "voortgangsbrief_2025.txt"


def _actor(role: str, username: str):
    from samen.accounts.models import User
    from samen.core.actor import Actor
    from samen.organisations.models import Membership, Municipality, Organisation

    user = User.objects.create_user(username=username, password="x" * 16, is_synthetic=True)
    organisation, _ = Organisation.objects.get_or_create(
        name="Programmateam Samen tegen Mensenhandel",
        municipality=Municipality.objects.order_by("code").first(),
        defaults={"type": "ministry", "is_synthetic": True},
    )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    return Actor(user=user, membership=membership, origin="test")


@pytest.fixture
def programme_staff(db):
    return _actor("programme_staff", "pam")


@pytest.fixture
def field_professional(db):
    return _actor("field_professional", "fred")


@pytest.fixture
def seed_letter() -> Path:
    return SEED_LETTER

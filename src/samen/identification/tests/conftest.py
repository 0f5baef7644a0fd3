"""Fixtures for the identification tests: a signalled case and extra chain partners' users."""

from __future__ import annotations

import pytest

from samen.accounts.models import User
from samen.organisations.models import Membership, Organisation, OrganisationType, Role
from samen.sharing.actor import actor_for_membership


@pytest.fixture
def case(record):
    """A case in Utrecht (VR09), reachable by the demo investigator and coordinator."""
    return record().case


@pytest.fixture
def member_at(world):
    """An actor in the first organisation of a type, created on the fly."""

    def make(org_type: str, role: str, username: str, email: str = ""):
        org = Organisation.objects.filter(type=org_type).order_by("id").first()
        user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
        m, _ = Membership.objects.get_or_create(user=user, organisation=org, role=role)
        return actor_for_membership(m, origin="test")

    return make


@pytest.fixture
def ind(member_at):
    return member_at(OrganisationType.IND, Role.NATIONAL_REGISTRAR, "test-ind")

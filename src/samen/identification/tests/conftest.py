"""Fixtures for the identification tests: a signalled case and extra chain partners' users."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.accounts.models import User
from samen.core.actor import actor_for_membership
from samen.organisations.models import Membership, Organisation, OrganisationType, Role


@pytest.fixture
def case(record, actor_for):
    """A case in Utrecht (VR09): the coordinator's region, and the demo investigator reaches it
    because the coordinator asked the police to assess it (a share for investigation)."""
    from samen.identification.demo import ask_to_assess

    case = record().case
    ask_to_assess(case, investigator=actor_for("demo-investigator"))
    return case


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
    return member_at(OrganisationType.IND, Role.IND_OFFICER, "test-ind")


@pytest.fixture
def colleague_of(world):
    """A second member of a demo user's organisation, in the same role: reaches what the
    organisation reaches (a share is to the organisation) without sitting where the user sits."""

    def make(username: str, new_username: str):
        m = Membership.objects.get(user__username=username)
        user, _ = User.objects.get_or_create(username=new_username)
        colleague, _ = Membership.objects.get_or_create(
            user=user, organisation=m.organisation, role=m.role
        )
        # Like every member of a role that sees identity, the colleague has a second factor.
        TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        return actor_for_membership(colleague, origin="test")

    return make

"""The demo world holds a case ready for identification and an unaccompanied minor's case.

Both tests read the same demo world: it is built once for the module (with its on-commit
callbacks run, as each test did for its own) in a transaction rolled back at the end, and each
test runs in a savepoint inside it (ADR 0085)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import TestCase

from samen.demo.builder import build_demo_world
from samen.identification.models import IdentificationPath, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            build_demo_world(seed=1, signals=3)
        yield
        transaction.set_rollback(True)


def test_the_demo_has_a_case_ready_for_identification_and_a_minors_case(demo_world, db):
    ready = IdentificationPath.objects.get(
        unaccompanied=False, case__is_synthetic=True, state="signalled", foreign_national=True
    )
    assert ready.state == "signalled" and ready.foreign_national and not ready.lawful_residence
    minor = IdentificationPath.objects.get(unaccompanied=True)
    assert minor.case.person.is_minor and minor.guardian_organisation.type == "nidos"
    nidos = Notification.objects.get(kind="guardian", case=minor.case)
    assert nidos.user.username == "demo-nidos"


def test_the_demo_has_paths_under_way_with_deadlines_due(demo_world, db):
    """Deadlines, reminders and lead times have something to show in the demo: a reflection
    period ending within two weeks, a permit ending within a week, a rejected assessment."""
    from datetime import timedelta

    from django.utils import timezone

    from samen.identification.models import Deadline

    states = set(IdentificationPath.objects.values_list("state", flat=True))
    assert {"reflection_offered", "b83_granted", "indication_not_established"} <= states
    today = timezone.localdate()
    soon = Deadline.objects.filter(
        closed_at__isnull=True, due_on__gte=today, due_on__lte=today + timedelta(days=14)
    )
    assert {"reflection_end", "permit_end"} <= set(soon.values_list("kind", flat=True))

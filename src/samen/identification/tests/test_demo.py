"""The demo world holds a case ready for identification and an unaccompanied minor's case."""

from __future__ import annotations

import pytest

from samen.demo.builder import build_demo_world
from samen.identification.models import IdentificationPath, Notification

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_case_ready_for_identification_and_a_minors_case(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        build_demo_world(seed=1, signals=3)
    ready = IdentificationPath.objects.get(
        unaccompanied=False, case__is_synthetic=True, state="signalled", foreign_national=True
    )
    assert ready.state == "signalled" and ready.foreign_national and not ready.lawful_residence
    minor = IdentificationPath.objects.get(unaccompanied=True)
    assert minor.case.person.is_minor and minor.guardian_organisation.type == "nidos"
    nidos = Notification.objects.get(kind="guardian", case=minor.case)
    assert nidos.user.username == "demo-nidos"


def test_the_demo_has_paths_under_way_with_deadlines_due(db, django_capture_on_commit_callbacks):
    """Deadlines, reminders and lead times have something to show in the demo: a reflection
    period ending within two weeks, a permit ending within a week, a rejected assessment."""
    from datetime import timedelta

    from django.utils import timezone

    from samen.identification.models import Deadline

    with django_capture_on_commit_callbacks(execute=True):
        build_demo_world(seed=1, signals=3)
    states = set(IdentificationPath.objects.values_list("state", flat=True))
    assert {"reflection_offered", "b83_granted", "indication_not_established"} <= states
    today = timezone.localdate()
    soon = Deadline.objects.filter(
        closed_at__isnull=True, due_on__gte=today, due_on__lte=today + timedelta(days=14)
    )
    assert {"reflection_end", "permit_end"} <= set(soon.values_list("kind", flat=True))

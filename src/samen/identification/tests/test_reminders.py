"""`samen send_reminders`: each reminder stage once, however often the command runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from samen.accounts.models import User
from samen.core.models import AuditEntry
from samen.identification import services
from samen.identification.machine import local_date
from samen.identification.models import Deadline, IdentificationPath, Notification, Reminder
from samen.identification.reminders import reminders_send, stage_of


@pytest.mark.parametrize(
    "days,stage",
    [(30, None), (15, None), (14, "14"), (8, "14"), (7, "7"), (1, "7"), (0, "0"),
     (-1, "overdue")],
)  # fmt: skip
def test_the_stage_is_the_most_urgent_one_reached(days, stage):
    today = date(2026, 2, 27)
    assert stage_of(today + timedelta(days=days), today) == stage


@pytest.fixture
def deadline(actor_for, case):
    police = actor_for("demo-investigator")
    User.objects.filter(username__in=["demo-investigator", "demo-coordinator"]).update(
        email="x@example.test"
    )
    User.objects.filter(username="demo-coordinator").update(email="c@example.test")
    services.transition_take(actor=police, case=case, code="assessment_start")
    path = IdentificationPath.objects.get(case=case)
    path.deadlines.all().delete()  # only the one made here
    return Deadline.objects.create(
        path=path,
        kind="reflection_end",
        due_on=local_date(datetime(2027, 2, 28, 12, tzinfo=UTC)),
        organisation=police.organisation,
    )


@pytest.mark.django_db
def test_each_reminder_is_sent_once_however_often_the_command_runs(
    deadline, django_capture_on_commit_callbacks
):
    now = datetime(2027, 2, 21, 8, tzinfo=UTC)  # 7 days before
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 1
    # Police (owner) and the coordinator (responsible for the case) are told, in-app and by mail.
    assert Notification.objects.filter(kind="deadline").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["c@example.test", "x@example.test"]
    audit_before = AuditEntry.objects.filter(action="identification_reminder.create").count()
    assert audit_before == 1
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send(now=now + timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2
    assert AuditEntry.objects.filter(action="identification_reminder.create").count() == 1
    # The next stage is a new reminder, again once.
    later = datetime(2027, 3, 1, 8, tzinfo=UTC)
    assert reminders_send(now=later) == 1
    assert reminders_send(now=later) == 0
    assert list(Reminder.objects.values_list("stage", flat=True).order_by("id")) == [
        "7",
        "overdue",
    ]


@pytest.mark.django_db
def test_the_command_twice_sends_nothing_new(deadline, django_capture_on_commit_callbacks):
    deadline.due_on = local_date(datetime.now(UTC)) + timedelta(days=3)
    deadline.save()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    sent = len(mail.outbox)
    assert sent == 2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines() == ["1 reminder(s) sent", "0 reminder(s) sent"]
    assert len(mail.outbox) == sent
    assert Reminder.objects.count() == 1


@pytest.mark.django_db
def test_a_closed_deadline_is_not_reminded(deadline):
    deadline.closed_at = datetime(2027, 2, 1, tzinfo=UTC)
    deadline.save()
    assert reminders_send(now=datetime(2027, 2, 27, tzinfo=UTC)) == 0
    assert mail.outbox == []

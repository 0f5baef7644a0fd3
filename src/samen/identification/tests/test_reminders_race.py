"""Overlapping cron runs of send_reminders on PostgreSQL: each reminder is still sent once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.db import connection

from samen.accounts.models import User
from samen.identification import services
from samen.identification.demo import ask_to_assess
from samen.identification.models import Deadline, IdentificationPath, Notification, Reminder
from samen.identification.reminders import reminders_send

RUNS = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_send_each_reminder_once(actor_for, record):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with concurrent transactions")
    police = actor_for("demo-investigator")
    User.objects.filter(username="demo-coordinator").update(email="c@example.test")
    for _ in range(3):
        case = record().case
        ask_to_assess(case, investigator=police)  # the police reach it through the request
        services.transition_take(actor=police, case=case, code="assessment_start")
    Deadline.objects.update(due_on=date(2027, 3, 1))
    paths = IdentificationPath.objects.count()
    now = datetime(2027, 2, 22, 8, tzinfo=UTC)  # 7 days before
    barrier = threading.Barrier(RUNS)
    sent, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            sent.append(reminders_send(now=now))
        except Exception as exc:  # anything else is a failure of the test, kept for the assert
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(sent) == paths == Reminder.objects.count()
    # Police (owner) and the coordinator (responsible) per deadline, once.
    assert Notification.objects.filter(kind="deadline").count() == 2 * paths
    assert sorted(m.to[0] for m in mail.outbox) == ["c@example.test"] * paths

"""The job queue on PostgreSQL: a real Procrastinate worker runs the periodic reminder job, whose
e-mail goes through the queue as a job of its own and reaches the mail server once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from samen.accounts.models import User
from samen.identification import services
from samen.identification.demo import ask_to_assess
from samen.identification.models import Deadline, Reminder
from samen.jobs.models import OutgoingMail
from samen.jobs.tests.worker import run_worker_until_idle

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _job_runs(job: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("samen_job_runs_total", {"job": job}) or 0.0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(
    JOBS_QUEUED=True, EMAIL_BACKEND="samen.jobs.mail.JobEmailBackend", EMAIL_BACKEND_FINAL=LOCMEM
)
def test_worker_sends_a_due_reminder_through_the_mail_queue_once(actor_for, record):
    if connection.vendor != "postgresql":
        pytest.skip("the job queue runs on PostgreSQL only")
    from procrastinate.contrib.django.models import ProcrastinateJob

    from samen.jobs import tasks

    police = actor_for("demo-investigator")
    User.objects.filter(username="demo-coordinator").update(email="c@example.test")
    case = record().case
    ask_to_assess(case, investigator=police)
    services.transition_take(actor=police, case=case, code="assessment_start")
    Deadline.objects.update(due_on=timezone.localdate() + timedelta(days=7))

    from procrastinate.exceptions import AlreadyEnqueued

    runs_before = _job_runs("reminders"), _job_runs("send_mail")
    tasks.reminders.defer(timestamp=1)
    # A run still waiting in the queue is not queued twice (a slow run cannot pile up).
    with pytest.raises(AlreadyEnqueued):
        tasks.reminders.defer(timestamp=2)
    # The worker also defers the periodic jobs that are due now (reminders among them), so the
    # reminder job runs more than once: the later runs find the reminder sent.
    for _ in range(3):
        run_worker_until_idle()

    assert Reminder.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["c@example.test"]]
    stored = OutgoingMail.objects.get()
    assert stored.sent_at is not None and stored.attempts == 1
    runs = list(ProcrastinateJob.objects.values_list("task_name", "status", "args"))
    done = [(name, status) for name, status, _ in runs if status != "todo"]
    assert ("samen.reminders", "succeeded") in done
    assert [n for n, _ in done].count("samen.send_mail") == 1
    assert all(status == "succeeded" for _, status in done), done
    # The queue holds the message's id only, never an address.
    assert all("@" not in str(args) for _, _, args in runs)
    # Every run is counted for /metrics, per job.
    assert _job_runs("reminders") > runs_before[0] and _job_runs("send_mail") == runs_before[1] + 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND_FINAL=LOCMEM)
def test_a_mail_job_run_twice_sends_once(db):
    if connection.vendor != "postgresql":
        pytest.skip("the job queue runs on PostgreSQL only")
    from samen.jobs.services import mail_send

    stored = OutgoingMail.objects.create(
        created_at=timezone.now(), subject="s", body="b", recipients=["a@example.test"]
    )
    assert mail_send(mail_id=stored.pk) is True
    assert mail_send(mail_id=stored.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_functional_administrator_sees_job_runs_read_only(web_for):
    if connection.vendor != "postgresql":
        pytest.skip("the job queue runs on PostgreSQL only")
    from samen.jobs import tasks

    tasks.expire_holds.defer(timestamp=1)
    admin = web_for("demo-admin")
    page = admin.get("/admin/procrastinate/procrastinatejob/")
    assert page.status_code == 200 and "expire_holds" in page.content.decode()
    assert admin.get("/admin/procrastinate/procrastinatejob/add/").status_code == 403
    assert web_for("demo-coordinator").get(
        "/admin/procrastinate/procrastinatejob/"
    ).status_code in (
        302,
        403,
    )

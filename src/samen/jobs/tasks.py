"""The job queue's tasks (Procrastinate, PostgreSQL): `samen worker` runs them.

The periodic ones replace what used to be "for cron". Each runs under a lock of its own, so two
workers never run the same step at once, and a queueing lock, so a slow run does not pile up
copies; Procrastinate defers a periodic task once per due time across all workers. The steps
themselves are idempotent (samen.jobs.services).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from samen.jobs import services
from samen.observability.metrics import job_run

# Mail servers go away for minutes, not days: about 2 hours of retries, then the job fails
# visibly in the job list; the message stays stored and unsent.
MAIL_RETRY = RetryStrategy(max_attempts=10, exponential_wait=5)


def _own_connection(func: Callable[..., Any]) -> Callable[..., Any]:
    """A job runs in one of the worker's threads: it closes that thread's database connection
    when done, as a request does, so no connection outlives its job or goes stale in a pool."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return run


def _measured(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Each run counted and timed for /metrics (runs, failures, duration per job)."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with job_run(name):
            return func(*args, **kwargs)

    return run


@app.task(name="samen.send_mail", retry=MAIL_RETRY, queue="mail")
@_own_connection
@functools.partial(_measured, "send_mail")
def send_mail_job(mail_id: int) -> bool:
    return services.mail_send(mail_id=mail_id)


def _periodic(name: str, cron: str):  # type: ignore[no-untyped-def]
    def wrap(func):  # type: ignore[no-untyped-def]
        task = app.task(name=f"samen.{name}", lock=name, queueing_lock=name, pass_context=False)(
            _own_connection(_measured(name, func))
        )
        return app.periodic(cron=cron, periodic_id=name)(task)

    return wrap


@_periodic("reminders", "* * * * *")
def reminders(timestamp: int) -> int:
    return services.reminders_run()


@_periodic("expire_holds", "* * * * *")
def expire_holds(timestamp: int) -> int:
    return services.holds_expire_run()


@_periodic("capacity_check", "*/5 * * * *")
def capacity_check(timestamp: int) -> int:
    return services.capacity_check_run()


@_periodic("retention", "30 2 * * *")
def retention(timestamp: int) -> int:
    return services.retention_run()


@_periodic("audit_verify", "0 3 * * *")
def audit_verify(timestamp: int) -> bool:
    return services.audit_verify_run().ok


@_periodic("chat_purge", "7 * * * *")
def chat_purge(timestamp: int) -> int:
    return services.chat_purge_run()


@_periodic("outreach_purge", "45 4 * * *")
def outreach_purge(timestamp: int) -> int:
    return services.outreach_purge_run()


@_periodic("mail_purge", "15 4 * * *")
def mail_purge(timestamp: int) -> int:
    return services.mail_purge()

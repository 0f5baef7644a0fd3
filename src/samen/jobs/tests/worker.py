"""A Procrastinate worker run inside a test, as `samen worker` runs one, that leaves no database
connection open behind it."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.db import connections


def run_worker_until_idle(**options: object) -> None:
    """Runs the queue's jobs until none is left, with the worker's own connector (as `samen
    worker` does; the Django connector is for deferring only), then closes what it opened.

    The worker reaches the database through Django from threads of its own as well: the
    Django connector (the periodic jobs deferred by the worker) runs its queries through asgiref's
    thread-sensitive executor, one thread for the whole process, and every connection there is
    a persistent one (CONN_MAX_AGE) that nothing ever closes. In `samen worker` that is one
    connection for the process's life; in a test it outlives the test and the test database
    then cannot be dropped ("being accessed by other users"). So the connections of that thread
    are closed in that thread (a connection belongs to the thread that opened it)."""
    from procrastinate.contrib.django import app

    worker = app.with_connector(app.connector.get_worker_connector())
    try:
        worker.run_worker(wait=False, install_signal_handlers=False, listen_notify=False, **options)
    finally:
        asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())

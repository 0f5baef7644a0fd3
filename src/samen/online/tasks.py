"""The online scan as a job of the queue (Procrastinate, PostgreSQL; ADR 0035).

Autodiscovered by Procrastinate's Django app, which is installed only on PostgreSQL; on SQLite
`samen.online.services.scan_start` runs the scan in-line instead and nothing imports this.
The job's argument is the scan's id, never a file name or an ad.
"""

from __future__ import annotations

from django.db import connections
from procrastinate.contrib.django import app

from samen.online import services


@app.task(name=services.SCAN_TASK, queue="online", lock="online_scan")
def scan_job(scan_id: int) -> str:
    try:
        return str(services.scan_run(scan_id=scan_id).status)
    finally:
        # A job runs in one of the worker's threads: close its connection as a request does.
        connections.close_all()

"""/metrics: closed without the token, then request latency, job runs and the audit chain."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from samen.core import audit
from samen.core.actor import Actor
from samen.observability.metrics import job_record, job_run

TOKEN = "metrics-token-0123456789abcdef"


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_are_absent_unless_a_token_is_configured(client, db):
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_scraper_without_the_token(client, db, token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_request_latency_is_counted_by_url_pattern(client, db, token):
    key = (
        "samen_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "healthz"), ("status", "200")),
    )
    before = scrape(client).get(key, 0)
    client.get("/healthz")
    client.get("/healthz")
    assert scrape(client)[key] == before + 2


def test_job_runs_and_failures_are_counted(client, db, token):
    def value(name: str) -> float:
        return scrape(client).get((name, (("job", "test-job"),)), 0)

    runs, failures = value("samen_job_runs_total"), value("samen_job_failures_total")
    with job_run("test-job"):
        pass
    with pytest.raises(ValueError), job_run("test-job"):
        raise ValueError
    job_record("test-job", ok=False, seconds=0.5)
    assert value("samen_job_runs_total") == runs + 3
    assert value("samen_job_failures_total") == failures + 2


def test_the_audit_chain_length_is_the_number_of_entries(client, db, token):
    assert scrape(client)[("samen_audit_chain_length", ())] == 0
    for _ in range(3):
        audit.record(Actor(user=None, membership=None, origin="test"), "test.read")
    assert scrape(client)[("samen_audit_chain_length", ())] == 3

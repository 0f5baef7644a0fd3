"""Observability: structured JSON logs with a request id and no personal data, Prometheus
metrics, and optional error reporting with personal data scrubbed (issue #17)."""

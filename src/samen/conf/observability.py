"""Logs, metrics and error reporting (issue #17).

Environment variables:
  SAMEN_LOG_FORMAT        "json" (default: one JSON object per line, for a log collector) or
                          "console" (key=value lines for a developer).
  SAMEN_LOG_LEVEL         default INFO.
  SAMEN_METRICS_TOKEN     bearer token Prometheus sends to /metrics; unset: no /metrics (404).
  PROMETHEUS_MULTIPROC_DIR one directory shared by all web and worker processes, emptied at
                          each start, so /metrics adds up every process (prometheus_client).
  SAMEN_SENTRY_DSN        error reporting to Sentry (or GlitchTip); unset: off. Events are
                          scrubbed of personal data before they leave (samen.observability.sentry).
  SAMEN_SENTRY_ENVIRONMENT, SAMEN_RELEASE  labels of the reported errors.
"""

import os

from samen.observability import logs as _logs
from samen.observability import sentry as _sentry

LOGGING = _logs.logging_config(
    json=os.environ.get("SAMEN_LOG_FORMAT", "json").strip().lower() != "console",
    level=os.environ.get("SAMEN_LOG_LEVEL", "INFO"),
)
_logs.configure_structlog()

METRICS_TOKEN = os.environ.get("SAMEN_METRICS_TOKEN", "")

SENTRY_DSN = os.environ.get("SAMEN_SENTRY_DSN", "")
if SENTRY_DSN:
    _sentry.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SAMEN_SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SAMEN_RELEASE", ""),
    )

"""Structured logs: structlog renders both its own events and the standard library's records as
one JSON object per line, with the request id bound by the middleware.

Never personal data: Django's own loggers put request paths, host headers and exception messages
into their messages, where a name or a case detail typed into a form or URL can end up; their
records are reduced to a fixed event (`PrivacyFilter`), and exceptions are rendered as their type
and stack frames (file, line, function), never their message or local variables."""

from __future__ import annotations

import logging
import traceback
from types import TracebackType
from typing import Any

import structlog

# Django loggers whose messages quote the request (path, host header, exception text).
QUOTING_LOGGERS = ("django.request", "django.server", "django.security", "django.template")


class PrivacyFilter(logging.Filter):
    """Keeps only the kind of event of a quoting logger's record, not what it quotes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(QUOTING_LOGGERS):
            status = getattr(record, "status_code", None)
            record.msg = f"{record.name}.{record.levelname.lower()}"
            record.args = ()
            record.__dict__.pop("request", None)
            if status is not None:
                record.status_code = status
        return True


def _frames(tb: TracebackType | None) -> list[dict[str, Any]]:
    return [
        {"file": f.filename, "line": f.lineno, "function": f.name} for f in traceback.extract_tb(tb)
    ]


def exception_without_message(logger: object, name: str, event: dict) -> dict:
    """An exception as type and frames: its message may quote personal data."""
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        import sys

        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        event["exception"] = {"type": exc_info[0].__qualname__, "frames": _frames(exc_info[2])}
    event.pop("stack_info", None)
    return event


def _drop_foreign_noise(logger: object, name: str, event: dict) -> dict:
    # The stdlib record itself and Django's request object are not for the log line.
    for key in ("_record", "_from_structlog", "request", "server_time"):
        event.pop(key, None)
    return event


SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, json: bool, level: str) -> dict:
    """The LOGGING setting: every record through structlog's formatter, as JSON (or, for a
    developer's console, key=value lines)."""
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"privacy": {"()": "samen.observability.logs.PrivacyFilter"}},
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": [*SHARED, structlog.stdlib.ExtraAdder()],
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    _drop_foreign_noise,
                    exception_without_message,
                    renderer,
                ],
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "filters": ["privacy"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # 4xx answers are no events; errors are (without their path).
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[*SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

"""Optional error reporting to Sentry (or a compatible service such as GlitchTip): off unless
SAMEN_SENTRY_DSN is set, and every event scrubbed of personal data before it leaves."""

from __future__ import annotations

from typing import Any

SCRUBBED = "[scrubbed]"
# Request parts kept: the method only. URL, query, body, cookies and headers can carry names,
# case details or session keys.
KEEP_REQUEST = ("method",)
KEEP_CONTEXTS = ("runtime", "os", "trace")


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: keep what says where it broke (exception types, stack frames, release,
    environment), drop what may say about whom (messages, variables, request, user)."""
    event.pop("user", None)
    event.pop("extra", None)
    event.pop("breadcrumbs", None)  # log messages and SQL with its parameters
    event.pop("server_name", None)
    if "request" in event:
        event["request"] = {k: v for k, v in event["request"].items() if k in KEEP_REQUEST}
    if "contexts" in event:
        event["contexts"] = {k: v for k, v in event["contexts"].items() if k in KEEP_CONTEXTS}
    for exception in (event.get("exception") or {}).get("values", []):
        exception["value"] = SCRUBBED
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values", []):
        for frame in (thread.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if "logentry" in event:
        event["logentry"] = {"message": SCRUBBED}
    if "message" in event:
        event["message"] = SCRUBBED
    event.pop("tags", None)
    return event


def init(*, dsn: str, environment: str, release: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=0.0,
        before_send=scrub,  # type: ignore[arg-type]  # an Event is a TypedDict of a dict
        integrations=[DjangoIntegration()],
    )

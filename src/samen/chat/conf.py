"""The chat's settings, each read from the environment with a safe default (see docs/adr on
the chat). Kept here so the project settings stay untouched by the app."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

RETENTION_FILE = Path(settings.BASE_DIR) / "sharing" / "data" / "retention.json"


def _number(name: str, default: float) -> float:
    return float(getattr(settings, name, os.environ.get(f"SAMEN_{name}", default)))


def poll_seconds() -> float:
    """How long a stream waits for a wake-up before it reads anyway (other processes' writes)."""
    return _number("CHAT_POLL_SECONDS", 5.0)


def stream_seconds() -> float:
    """How long one event stream stays open; the browser reconnects (and resumes) after it, so a
    thread is never held for ever."""
    return _number("CHAT_STREAM_SECONDS", 55.0)


def max_message_chars() -> int:
    return int(_number("CHAT_MAX_MESSAGE_CHARS", 1000))


def rate_limit() -> tuple[int, float]:
    """At most n messages from one conversation per window of seconds."""
    return int(_number("CHAT_RATE_MESSAGES", 8)), _number("CHAT_RATE_WINDOW_SECONDS", 10.0)


def max_waiting() -> int:
    """Conversations that may wait for a counsellor at once; beyond it a new one is refused."""
    return int(_number("CHAT_MAX_WAITING", 500))


def quick_exit_url() -> str:
    return str(
        getattr(settings, "CHAT_QUICK_EXIT_URL", "")
        or os.environ.get("SAMEN_CHAT_QUICK_EXIT_URL", "https://www.google.com/")
    )


def retention_hours() -> float:
    """How long a conversation is kept after its last activity: retention.json's "chat" rule."""
    override = getattr(settings, "CHAT_RETENTION_HOURS", None)
    if override is not None:
        return float(override)
    data = json.loads(RETENTION_FILE.read_text(encoding="utf-8"))
    return float(data["chat"]["period_hours"])


def retention_statement(language: str) -> str:
    data = json.loads(RETENTION_FILE.read_text(encoding="utf-8"))
    return str(data["chat"]["en" if language == "en" else "nl"])

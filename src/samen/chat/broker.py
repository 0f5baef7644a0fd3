"""Wakes the event streams of this process when something is written (ADR 0032).

The database is the one source of truth: a stream reads what is new from it. The broker only
cuts the wait: a write calls `notify(topic)` after commit and every stream waiting on that topic
reads at once instead of at its next poll. Streams served by another process still see the write
at their next poll (CHAT_POLL_SECONDS), so several processes stay correct, only slower.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_versions: dict[str, int] = {}
_changed = threading.Condition(_lock)


def version(topic: str) -> int:
    with _lock:
        return _versions.get(topic, 0)


def notify(*topics: str) -> None:
    with _changed:
        for topic in topics:
            _versions[topic] = _versions.get(topic, 0) + 1
        _changed.notify_all()


def wait(topics: tuple[str, ...], seen: dict[str, int], timeout: float) -> dict[str, int]:
    """Wait until a topic's version moves past `seen` or the timeout passes; the new versions."""
    with _changed:
        _changed.wait_for(
            lambda: any(_versions.get(t, 0) != seen.get(t, 0) for t in topics), timeout=timeout
        )
        return {t: _versions.get(t, 0) for t in topics}


def conversation_topic(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


QUEUE_TOPIC = "queue"
ALERT_TOPIC = "alerts"

"""Wakes the event streams of this process when something is written (ADR 0038).

The database is the one source of truth: a stream reads what is new from it. The broker only
cuts the wait: a write calls `notify(topic)` after commit and the streams waiting on that topic
(and only those) read at once instead of at their next poll. Streams served by another process
still see the write at their next poll (CHAT_POLL_SECONDS), so several processes stay correct,
only slower.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_versions: dict[str, int] = {}
_conditions: dict[str, threading.Condition] = {}


def _condition(topic: str) -> threading.Condition:
    # Called with _lock held. One condition per topic, all on the one lock: a write wakes the
    # two streams of its conversation, not every open stream.
    condition = _conditions.get(topic)
    if condition is None:
        condition = _conditions[topic] = threading.Condition(_lock)
    return condition


def version(topic: str) -> int:
    with _lock:
        return _versions.get(topic, 0)


def notify(*topics: str) -> None:
    with _lock:
        for topic in topics:
            _versions[topic] = _versions.get(topic, 0) + 1
            condition = _conditions.get(topic)
            if condition is not None:
                condition.notify_all()


def wait(topic: str, seen: int, timeout: float) -> int:
    """Wait until the topic's version moves past `seen` or the timeout passes; the version."""
    with _lock:
        condition = _condition(topic)
        condition.wait_for(lambda: _versions.get(topic, 0) != seen, timeout=timeout)
        if not condition._waiters:  # type: ignore[attr-defined]  # nobody left: forget it
            _conditions.pop(topic, None)
        return _versions.get(topic, 0)


def conversation_topic(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


QUEUE_TOPIC = "queue"
ALERT_TOPIC = "alerts"

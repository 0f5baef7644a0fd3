"""Which world the outside attackers build (ADRs 0127, 0129).

A suite run attacks one fixed world, so it passes or fails the same way every day; the
environment chooses another, with which ``scripts/attack_worlds.sh`` walks many. Nothing here
reads the product: a world is the day it is built up to and the seeds of its generators."""

from __future__ import annotations

import os
from datetime import date

from django.utils import timezone


def today() -> date:
    """Today where the product counts it (Amsterdam), not on the machine's clock: between
    23:00 and midnight UTC the two are different days, and on 31 December different years."""
    return timezone.localdate()


def _number(name: str, default: int) -> int:
    chosen = os.environ.get(name)
    return int(chosen) if chosen else default


def world_day() -> date:
    """The day the demo world of scenarios (a) to (d) is built up to. The world moves with its
    day (its signals fall in the four years before it), so a world built "today" is another
    world every day, and a run could pass one day and fail the next. It is the last 8 December
    up to today -- the world in which an archive of yearly releases and a five-year release
    first gave a hidden cell away -- or the day in ``SAMEN_ATTACK_WORLD_DAY`` (ISO)."""
    chosen = os.environ.get("SAMEN_ATTACK_WORLD_DAY")
    if chosen:
        return date.fromisoformat(chosen)
    now = today()
    day = date(now.year, 12, 8)
    return day if day <= now else date(now.year - 1, 12, 8)


def world_seed() -> int:
    """The seed of the demo world of scenarios (a) to (d): ``SAMEN_ATTACK_WORLD_SEED``, else 1."""
    return _number("SAMEN_ATTACK_WORLD_SEED", 1)


def volume_seed() -> int:
    """The seed of the synthetic register of the HTCDS attackers and scenario (e)
    (``add_statistics_volume``): ``SAMEN_ATTACK_VOLUME_SEED``, else 3."""
    return _number("SAMEN_ATTACK_VOLUME_SEED", 3)


def volume_persons() -> int:
    """How many people that register holds: ``SAMEN_ATTACK_VOLUME_PERSONS``, else 700. Fewer
    people means more small cells, more suppression, and more for an attacker to difference."""
    return _number("SAMEN_ATTACK_VOLUME_PERSONS", 700)

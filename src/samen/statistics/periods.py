"""The fixed release periods readers choose among (issue #13).

Any start and end date would let a reader ask for two releases that differ by a day and read
the people of that day off the differences. So the module only ever releases periods the
configuration defines: the last complete calendar years together (the default), each of those
years. A year still running is released only when the configuration makes it a provisional
period; it is then recorded and audited like any other release (each change of its figures is
a correction of it).

Settings (``SAMEN_STATISTICS_PERIODS``, a dict, or in the environment ``years=5,provisional=1``;
all keys optional):

- ``years``: how many complete calendar years the default period spans and how many single
  years are offered (default 5, at least 1);
- ``provisional``: also offer the running year as a provisional period (default off).

Half-years and quarters are refused (``quarters`` or ``half_years`` in the setting stops the
site with a message, as does any unknown key): the tables count a person once per calendar
year (with the year's first signal), so the parts of a year would not add up to the year, and
a quarter and the year it lies in would be two counts of overlapping populations that no
equation of the audit ties together -- a reader could subtract them and the audit would not
see it. They need their own counting (a person once per quarter, and the year as the sum of
distinct persons, audited as overlapping periods) before they can be offered safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.statistics.selectors import Period

DEFAULTS = {"years": 5, "provisional": False}


@dataclass(frozen=True)
class ReleasePeriod:
    """A period the module may release: a code readers pass (``2025``, ``2021-2025``), its
    days, and whether it is the provisional running year."""

    code: str
    period: Period
    provisional: bool = False

    @property
    def label(self) -> str:
        if self.provisional:
            return _("%(year)s (provisional, year still running)") % {"year": self.code}
        return self.code.replace("-", " – ")

    @property
    def years(self) -> set[int]:
        return {int(y) for y in self.period.years}

    def overlaps(self, start: date, end: date) -> bool:
        return self.period.start <= end and start <= self.period.end


#: Keys that ask for parts of a year, which are refused (see the module's docstring).
PARTS_OF_A_YEAR = ("quarters", "half_years")


def config() -> dict[str, object]:
    """The period settings, checked: a configuration this module cannot release safely stops
    the site rather than being half applied."""
    given = dict(getattr(settings, "SAMEN_STATISTICS_PERIODS", None) or {})
    for key in PARTS_OF_A_YEAR:
        if key in given and _flag(given[key]):
            raise ImproperlyConfigured(
                f"SAMEN_STATISTICS_PERIODS: {key} are not offered. The tables count a person "
                "once per calendar year, so a part of a year and the year it lies in cannot be "
                "audited against each other; remove the key (see samen.statistics.periods)."
            )
        given.pop(key, None)
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"SAMEN_STATISTICS_PERIODS: unknown key {unknown[0]!r} (known: years, provisional)"
        )
    merged = {**DEFAULTS, **given}
    try:
        years = int(merged["years"])  # type: ignore[call-overload]
    except (TypeError, ValueError):
        years = 0
    if years < 1:
        raise ImproperlyConfigured("SAMEN_STATISTICS_PERIODS: years must be a whole number >= 1")
    return {"years": years, "provisional": _flag(merged["provisional"])}


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def release_periods(today: date | None = None) -> list[ReleasePeriod]:
    """Every period readers may choose, the default first."""
    today = today or timezone.localdate()
    conf = config()
    span = int(conf["years"])  # type: ignore[call-overload]
    last = today.year - 1
    first = last - span + 1
    periods = []
    if span > 1:
        whole = Period(date(first, 1, 1), date(last, 12, 31))
        periods.append(ReleasePeriod(f"{first}-{last}", whole))
    for year in range(last, first - 1, -1):
        periods.append(ReleasePeriod(str(year), Period(date(year, 1, 1), date(year, 12, 31))))
    if conf["provisional"]:
        running = today.year
        periods.append(
            ReleasePeriod(
                str(running), Period(date(running, 1, 1), date(running, 12, 31)), provisional=True
            )
        )
    return periods


def default_release_period(today: date | None = None) -> ReleasePeriod:
    return release_periods(today)[0]


def release_period(code: str, today: date | None = None) -> ReleasePeriod | None:
    for candidate in release_periods(today):
        if candidate.code == code:
            return candidate
    return None

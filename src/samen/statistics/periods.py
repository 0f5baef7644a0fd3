"""The fixed release periods readers choose among (issue #13).

Any start and end date would let a reader ask for two releases that differ by a day and read
the people of that day off the differences. So the module only ever releases periods the
configuration defines: the last complete calendar years together (the default), each of those
years. (Half-years and quarters are not offered yet: the tables count a person once per
calendar year, so parts of a year would not add up to it and need their own counting first.)
A year still running is released only when the configuration makes it a provisional period;
it is then recorded and audited like any other release (each change of its figures is a
correction of it).

Settings (``SAMEN_STATISTICS_PERIODS``, a dict; all keys optional):

- ``years``: how many complete calendar years the default period spans and how many single
  years are offered (default 5);
- ``provisional``: also offer the running year as a provisional period (default off).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
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


def config() -> dict[str, object]:
    return {**DEFAULTS, **getattr(settings, "SAMEN_STATISTICS_PERIODS", {})}


def release_periods(today: date | None = None) -> list[ReleasePeriod]:
    """Every period readers may choose, the default first."""
    today = today or date.today()
    conf = config()
    span = max(1, int(conf["years"]))  # type: ignore[call-overload]
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

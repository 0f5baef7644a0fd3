"""The reporting period, from the query string of the page, the downloads and the API."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.statistics.selectors import Period

EARLIEST = date(2000, 1, 1)
MAX_YEARS = 10


def default_period(today: date | None = None) -> Period:
    """The last five complete calendar years, like the yearly reports. Complete years also
    keep last year's release of the period a true earlier release: a year still running
    would change between the two and the difference would be a small group of people."""
    today = today or date.today()
    return Period(date(today.year - 5, 1, 1), date(today.year - 1, 12, 31))


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        default = default_period()
        start = data.get("start") or default.start
        end = data.get("end") or default.end
        if "start" in self.errors or "end" in self.errors:
            return data
        if start < EARLIEST:
            self.add_error("start", _("Choose a date from 2000 on."))
        elif end < start:
            self.add_error("end", _("The end date must not be before the start date."))
        elif end.year - start.year >= MAX_YEARS:
            self.add_error("end", _("Choose a period of at most ten calendar years."))
        else:
            data["period"] = Period(start, end)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

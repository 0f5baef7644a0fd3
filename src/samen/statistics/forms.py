"""The release period, from the query string of the page, the downloads and the API: one of
the fixed periods of ``samen.statistics.periods``, never arbitrary dates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.statistics.periods import ReleasePeriod, release_period, release_periods

#: Parameters of the old free period; refused by name so a reader learns why.
DATE_FIELDS = ("start", "end")


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.fields["period"].choices = [(p.code, p.label) for p in release_periods()]
        self._dates = [name for name in DATE_FIELDS if data is not None and data.get(name)]

    def clean(self) -> dict:
        data = super().clean()
        for name in self._dates:
            # Any start and end date would let two releases differ by a day: refused, with
            # the parameter named (it is no field of the form, so set the error directly).
            self._errors[name] = self.error_class(
                [_("Choose one of the fixed periods; free dates are not released.")]
            )
        if self.errors:
            return data
        code = data.get("period") or ""
        chosen = release_period(code) if code else release_periods()[0]
        if chosen is None:
            self.add_error("period", _("Choose one of the fixed periods."))
        else:
            data["release_period"] = chosen
        return data

    @property
    def release_period(self) -> ReleasePeriod:
        return self.cleaned_data["release_period"]

"""The scenario, from the query string of the planning page and its downloads."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.capacity.engine import PlaceChange, Scenario
from samen.capacity.services import MAX_PAGE_REPLICATIONS
from samen.shelter.models import PlaceType
from samen.statistics.selectors import region_names

YEARS_BACK = 5


class PlanForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Calibrate on the year"), coerce=int)
    region = forms.ChoiceField(label=_("Safety region"), required=False)
    place_type = forms.ChoiceField(
        label=_("Type of place"), choices=PlaceType.choices, required=False
    )
    places = forms.IntegerField(
        label=_("Places added (negative: removed)"),
        min_value=-500,
        max_value=500,
        initial=0,
        required=False,
    )
    first_reception = forms.IntegerField(
        label=_("First-reception capacity (percent of today)"),
        min_value=0,
        max_value=500,
        initial=100,
        required=False,
    )
    growth_all = forms.IntegerField(
        label=_("Growth of all referrals (percent)"),
        min_value=-90,
        max_value=500,
        initial=0,
        required=False,
    )
    growth_minors = forms.IntegerField(
        label=_("Extra growth of minors (percent)"),
        min_value=-90,
        max_value=500,
        initial=0,
        required=False,
        help_text=_("From 52 to 79 registered minors in a year is 52 percent more."),
    )
    replications = forms.IntegerField(
        label=_("Replications"),
        min_value=5,
        max_value=MAX_PAGE_REPLICATIONS,
        initial=20,
        required=False,
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        last = timezone.localdate().year - 1
        self.fields["year"].choices = [(y, str(y)) for y in range(last, last - YEARS_BACK, -1)]
        self.fields["year"].initial = last
        names = region_names()
        self.fields["region"].choices = [("", "—"), *sorted(names.items(), key=lambda kv: kv[0])]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("places") and not (data.get("region") and data.get("place_type")):
            self.add_error("region", _("Choose the region and the type of the places to add."))
        return data

    def scenario(self) -> Scenario:
        data = self.cleaned_data
        changes = ()
        if data.get("places"):
            changes = (PlaceChange(data["region"], data["place_type"], data["places"]),)
        return Scenario(
            label="scenario",
            changes=changes,
            first_reception_factor=1.0
            if data.get("first_reception") is None
            else data["first_reception"] / 100,
            growth_all=(data.get("growth_all") or 0) / 100,
            growth_minors=(data.get("growth_minors") or 0) / 100,
        )

    @classmethod
    def defaults(cls) -> dict[str, str]:
        """The query of a first visit: last year, no change."""
        form = cls()
        return {
            name: str(field.initial if field.initial is not None else "")
            for name, field in form.fields.items()
        }

    def replication_count(self) -> int:
        return self.cleaned_data.get("replications") or 20

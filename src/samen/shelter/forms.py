from django import forms
from django.utils.translation import gettext_lazy as _

from samen.shelter.models import (
    DeclineReason,
    OutflowDestination,
    SecurityLevel,
    Urgency,
    WithdrawReason,
)
from samen.widgets import DateInput

CARE_CHOICES = [
    ("addiction", _("Addiction care")),
    ("psychiatric", _("Psychiatric care")),
    ("medical", _("Medical care")),
]


class ReferralForm(forms.Form):
    """What the coordinator adds to what the case knows (age, gender, forms come from the case)."""

    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    languages = forms.CharField(
        label=_("Languages (codes, comma-separated)"), required=False, max_length=60
    )
    addiction = forms.BooleanField(label=_("Active addiction"), required=False)
    network_risk = forms.BooleanField(label=_("Active tie to a criminal network"), required=False)
    security = forms.ChoiceField(
        label=_("Security need"), choices=SecurityLevel.choices, initial="standard"
    )
    care = forms.MultipleChoiceField(
        label=_("Care needs"),
        choices=CARE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accessibility = forms.BooleanField(
        label=_("Needs a wheelchair-accessible place"), required=False
    )

    def language_codes(self) -> list[str]:
        raw = self.cleaned_data.get("languages", "")
        return [code.strip().lower()[:8] for code in raw.split(",") if code.strip()]


class HoldForm(forms.Form):
    place = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DeclineForm(forms.Form):
    # No reason is chosen for the user, and a decline is confirmed: it refuses a person a place.
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason")), *DeclineReason.choices]
    )
    confirm = forms.BooleanField(label=_("Yes, decline this request for this place"))


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you withdraw the refusal?"), choices=WithdrawReason.choices
    )


class ConfirmForm(forms.Form):
    referral = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    place = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DepartureForm(forms.Form):
    departed_on = forms.DateField(label=_("Departure date"), widget=DateInput())
    outflow = forms.ChoiceField(label=_("Outflow destination"), choices=OutflowDestination.choices)

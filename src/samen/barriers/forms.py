from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.barriers import selectors
from samen.barriers.models import BarrierModel, BarrierState
from samen.organisations.models import SafetyRegion


class BarrierChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.step.title}: {obj.title}"


class RaiseForm(forms.Form):
    barrier = BarrierChoice(label=_("Barrier"), queryset=None)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when the whole region raises the barrier."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("With which partners"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    state = forms.ChoiceField(label=_("State"), choices=BarrierState.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, model: BarrierModel, region: SafetyRegion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["barrier"].queryset = selectors.barriers_of(model=model)
        self.fields["municipality"].queryset = selectors.municipalities_of(region=region)
        self.fields["partners"].queryset = selectors.partner_candidates(region=region)


class ProgressForm(forms.Form):
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    state = forms.ChoiceField(label=_("State"), choices=BarrierState.choices)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))

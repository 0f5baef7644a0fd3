"""Forms of the identification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.identification.selectors import membership_label
from samen.organisations.models import Membership


class CommissionOpenForm(forms.Form):
    """Choose the commission's members and chair from the memberships eligible for the case.
    The rule on organisation types stays in the service; its error comes back on `members`."""

    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The chair sits on the commission too; members come from several types."),
    )
    chair = forms.TypedChoiceField(label=_("Chair"), coerce=int)

    def __init__(self, *args: object, candidates: list[Membership], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.candidates = {m.pk: m for m in candidates}
        choices = [(m.pk, membership_label(m)) for m in candidates]
        self.fields["members"].choices = choices
        self.fields["chair"].choices = [("", _("Choose the chair")), *choices]

    def chosen(self) -> tuple[list[Membership], Membership]:
        data = self.cleaned_data
        return [self.candidates[pk] for pk in data["members"]], self.candidates[data["chair"]]

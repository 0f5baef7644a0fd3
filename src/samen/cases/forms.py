from __future__ import annotations

from django import forms as djforms
from django.utils.translation import gettext_lazy as _

from samen.cases.models import CaseStatus, ExploitationForm
from samen.organisations.models import SafetyRegion
from samen.widgets import DateInput


class CaseFilterForm(djforms.Form):
    number = djforms.CharField(label=_("Case number"), required=False, max_length=20)
    status = djforms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *CaseStatus.choices]
    )
    form = djforms.ChoiceField(label=_("Form of exploitation"), required=False)
    region = djforms.ChoiceField(label=_("Safety region"), required=False)
    minor = djforms.ChoiceField(
        label=_("Minor"),
        required=False,
        choices=[("", _("all")), ("yes", _("minors only")), ("no", _("adults only"))],
    )
    mine = djforms.BooleanField(label=_("Only my cases"), required=False)
    opened_from = djforms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    opened_to = djforms.DateField(label=_("Opened up to"), required=False, widget=DateInput())

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", _("all"))] + [
            (f.code, str(f)) for f in ExploitationForm.objects.all()
        ]
        self.fields["region"].choices = [("", _("all"))] + [
            (r.code, r.name) for r in SafetyRegion.objects.all()
        ]


class NoteForm(djforms.Form):
    text = djforms.CharField(
        label=_("Note"), max_length=5000, widget=djforms.Textarea(attrs={"rows": 3})
    )


class MergeForm(djforms.Form):
    target = djforms.CharField(
        label=_("Merge into case (number)"), max_length=20,
        help_text=_("The case that stays; this case is closed and points to it."),
    )  # fmt: skip
    confirm = djforms.BooleanField(label=_("Yes, these two cases are about one person"))

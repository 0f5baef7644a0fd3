from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.widgets import DateInput

from .manual import COMMITMENT_FIELDS, MOTION_FIELDS, RECOMMENDATION_FIELDS
from .models import Action, ActionStatus, Commitment, Motion, Recommendation
from .services import EDITABLE

LETTER_SUFFIXES = (".txt", ".docx", ".pdf")
MAX_LETTER_BYTES = 20 * 1024 * 1024  # a long letter with annexes as PDF stays well below this


class LetterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Letter file"), help_text=_("The progress letter as .txt, .docx or .pdf.")
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    sent_on = forms.DateField(
        label=_("Sent on"),
        required=False,
        widget=DateInput(),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in LETTER_SUFFIXES:
            raise forms.ValidationError(_("Choose a .txt, .docx or .pdf file."))
        if upload.size > MAX_LETTER_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class SnapshotForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=200, required=False)


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = forms.CharField(
        label=_("Progress note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    on = forms.DateField(
        label=_("Date of the progress"),
        required=False,
        widget=DateInput(),
    )


DATE = DateInput()


class EditForm(forms.ModelForm):
    """Edits only the fields services.EDITABLE allows for the model, so the form and the service
    can never disagree about what programme staff may change."""

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class MotionEditForm(EditForm):
    class Meta:
        model = Motion
        fields = list(EDITABLE[Motion])
        widgets = {"status_date": DATE, "subject": forms.Textarea(attrs={"rows": 3})}


class CommitmentEditForm(EditForm):
    class Meta:
        model = Commitment
        fields = list(EDITABLE[Commitment])
        widgets = {
            "status_date": DATE,
            "due": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class RecommendationEditForm(EditForm):
    class Meta:
        model = Recommendation
        fields = list(EDITABLE[Recommendation])
        widgets = {
            "response_due": DATE,
            "government_response": forms.Textarea(attrs={"rows": 4}),
            "text": forms.Textarea(attrs={"rows": 4}),
        }


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, min_value=0)
    period = forms.CharField(
        label=_("Period"),
        max_length=60,
        help_text=_("As reported, e.g. '2025' or 'until 1 May 2026'."),
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE)
    is_lower_bound = forms.BooleanField(label=_("Lower bound ('ruim', 'meer dan')"), required=False)
    source = forms.CharField(label=_("Source"), max_length=300)


class ActionDetailsForm(EditForm):
    """Holders one per line: many (ECPAT, Spine, DSP-groep) are not organisations in Samen."""

    holders = forms.CharField(
        label=_("Action holders"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line."),
    )

    class Meta:
        model = Action
        fields = list(EDITABLE[Action])
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["holders"] = "\n".join(self.instance.holders)

    def clean_holders(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["holders"].splitlines())
        return list(dict.fromkeys(line for line in lines if line))


_SUBMITTER_RE = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<party>[^()]{1,40})\))?$")


class MotionCreateForm(forms.ModelForm):
    """A motion no letter names; the fields the parliamentary record gives, plus the status."""

    submitters = forms.CharField(
        label=_("Submitted by"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One member per line, with the party in brackets: 'Den Hartog (NSC)'."),
    )

    class Meta:
        model = Motion
        fields = [f for f in MOTION_FIELDS if f not in ("tk_number", "vote_outcome")]
        widgets = {"date": DATE, "subject": forms.Textarea(attrs={"rows": 3})}

    def clean_submitters(self) -> list[dict[str, str]]:
        members = []
        for line in self.cleaned_data["submitters"].splitlines():
            if not line.strip():
                continue
            match = _SUBMITTER_RE.match(line.strip())
            if not match:
                raise forms.ValidationError(_("Write each member as 'Name (Party)'."))
            members.append({"name": match["name"].strip(), "party": (match["party"] or "").strip()})
        return members

    def validate_unique(self) -> None:
        """The service checks that the motion is new, and says so on the number field."""

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        return {"submitters": data.pop("submitters"), **data}


class CommitmentCreateForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = [f for f in COMMITMENT_FIELDS if f != "tk_number"]
        widgets = {"made_on": DATE, "due": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Leave empty to have one made.")

    def values(self) -> dict:
        return dict(self.cleaned_data)


class RecommendationCreateForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = list(RECOMMENDATION_FIELDS)
        widgets = {
            "report_date": DATE,
            "response_due": DATE,
            "text": forms.Textarea(attrs={"rows": 4}),
            "government_response": forms.Textarea(attrs={"rows": 4}),
        }

    def values(self) -> dict:
        return dict(self.cleaned_data)


class ProgressCorrectForm(forms.Form):
    note = forms.CharField(
        label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    on = forms.DateField(label=_("Date of the progress"), required=False, widget=DATE)

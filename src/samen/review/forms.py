from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.review.models import ItemKind, Outcome
from samen.signalling.models import Advice


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is reviewed"), choices=ItemKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.ChoiceField(
        label=_("Advice"),
        choices=[("", "-"), *list(Advice.choices)],
        required=False,
        help_text=_("For an advice text: which advice."),
    )
    question = forms.CharField(
        label=_("Question to the group"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}))
    anonymous = forms.BooleanField(label=_("Hide my name from the other members"), required=False)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("Result"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    change = forms.CharField(
        label=_("What changed"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(
        label=_("Why nothing changed"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    new_text_nl = forms.CharField(
        label=_("New text in Dutch (one step per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    new_text_en = forms.CharField(
        label=_("New text in English (one step per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

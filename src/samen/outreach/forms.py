from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samen.outreach.models import ContactStatus
from samen.outreach.services import templates

LANGUAGES = [
    ("nl", "Nederlands"),
    ("en", "English"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("bg", "Български"),
    ("es", "Español"),
]


class ContactForm(forms.Form):
    lead = forms.CharField(label=_("Lead"), max_length=32)
    template = forms.ChoiceField(label=_("Approved message"))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    platform = forms.CharField(label=_("Sent through (platform and channel)"), max_length=60)
    contact_detail = forms.CharField(
        label=_("Contact detail from the ad"), max_length=200, required=False
    )
    sent_at = forms.DateTimeField(label=_("Sent at"), required=False)

    def __init__(self, *args: object, language: str = "nl", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        key = "en" if language == "en" else "nl"
        self.fields["template"].choices = [(t["code"], t["title"][key]) for t in templates()]


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Next step"), choices=[c for c in ContactStatus.choices if c[0] != "sent"]
    )

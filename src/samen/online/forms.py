from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samen.online.models import LeadStatus, NoticeStatus
from samen.online.services import MARKABLE, scan_sources


class ScanForm(forms.Form):
    upload = forms.FileField(
        label=_("Upload a file of ads"),
        required=False,
        help_text=_("JSON Lines or CSV, optionally compressed (.gz): one ad per line."),
    )
    source = forms.ChoiceField(label=_("Or choose a file from the scan directory"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["source"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (key, path.name) for key, path in scan_sources()
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("upload") and not data.get("source"):
            self.add_error("upload", _("Upload a file or choose one from the directory."))
        elif data.get("upload") and data.get("source"):
            self.add_error("source", _("Upload a file or choose one, not both."))
        return data


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Mark as"),
        choices=[(s.value, s.label) for s in LeadStatus if s in MARKABLE],
    )


class SendForm(forms.Form):
    municipality = forms.CharField(
        label=_("Municipality code (CBS), if none of the lead's cities is one"),
        max_length=6,
        required=False,
    )


class NoticeForm(forms.Form):
    urls = forms.MultipleChoiceField(
        label=_("Addresses of the ads to notify"), widget=forms.CheckboxSelectMultiple
    )
    notifier_email = forms.EmailField(
        label=_("Your organisation's e-mail address for the platform's answer"),
        help_text=_("A functional mailbox of the organisation, not a person's own address."),
    )

    def __init__(self, *args: object, urls: list[str], **kwargs: object) -> None:
        kwargs.setdefault("initial", {"notifier_email": settings.ONLINE_NOTICE_EMAIL})
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["urls"].choices = [(u, u) for u in urls]  # type: ignore[attr-defined]


STEPS = [
    (NoticeStatus.SENT.value, _("Sent to the platform")),
    (NoticeStatus.ANSWERED.value, _("Platform answered")),
    (NoticeStatus.REMOVED.value, _("Removed by the platform")),
    (NoticeStatus.REFUSED.value, _("Refused by the platform")),
]


class NoticeStepForm(forms.Form):
    status = forms.ChoiceField(label=_("Step"), choices=STEPS)
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
    answer = forms.CharField(
        label=_("The platform's answer"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

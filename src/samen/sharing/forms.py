"""Forms of sharing a case, emergency access and the privacy officer's pages."""

from __future__ import annotations

from django import forms as djforms
from django.utils.translation import gettext_lazy as _

from samen.core.models import DataCategory, ProcessingRule, Purpose
from samen.organisations.models import Organisation, OrganisationType
from samen.widgets import DateInput


class ShareForm(djforms.Form):
    recipient = djforms.ModelChoiceField(
        label=_("Share with organisation"), queryset=Organisation.objects.none()
    )
    purpose = djforms.ModelChoiceField(
        label=_("For the recipient's purpose"), queryset=Purpose.objects.all(), to_field_name="code"
    )
    categories = djforms.MultipleChoiceField(
        label=_("Data categories"), widget=djforms.CheckboxSelectMultiple
    )
    reason = djforms.CharField(label=_("Reason (optional)"), required=False, max_length=300)

    def __init__(
        self,
        *args: object,
        organisation: Organisation,
        org_type: str = "",
        name: str = "",
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)
        queryset = Organisation.objects.exclude(pk=organisation.pk).select_related("municipality")
        # The filter narrows what is offered, never what is valid: a posted choice is checked
        # against every organisation (the filter is a GET of the page, not part of the post).
        self.fields["recipient"].queryset = queryset
        shown = queryset
        if org_type:
            shown = shown.filter(type=org_type)
        if name:
            shown = shown.filter(name__icontains=name.strip())
        self.fields["recipient"].choices = grouped_organisations(shown)
        self.fields["categories"].choices = [(c.code, str(c)) for c in DataCategory.objects.all()]


def grouped_organisations(organisations) -> list:
    """Organisations as a pick list grouped by type (optgroups), types in their label order."""
    type_labels = dict(OrganisationType.choices)
    groups: dict[str, list[tuple[int, str]]] = {}
    for org in organisations.order_by("name"):
        groups.setdefault(org.type, []).append((org.pk, org.name))
    ordered = sorted(groups.items(), key=lambda item: str(type_labels.get(item[0], item[0])))
    return [("", "---------")] + [
        (str(type_labels.get(code, code)), rows) for code, rows in ordered
    ]


class ShareFilterForm(djforms.Form):
    """Narrows the organisations of the share form, without JavaScript (a GET of the page)."""

    org_type = djforms.ChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=[("", _("All types")), *OrganisationType.choices],
    )
    org_name = djforms.CharField(label=_("Name contains"), required=False, max_length=80)


class EmergencyForm(djforms.Form):
    number = djforms.CharField(label=_("Case number"), max_length=20)
    reason = djforms.CharField(
        label=_("Why do you need this case now?"),
        min_length=10,
        max_length=2000,
        widget=djforms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your access lasts a short time, is flagged, and is reviewed by the privacy officer."
        ),
    )


class ReviewForm(djforms.Form):
    verdict = djforms.ChoiceField(
        label=_("Verdict"),
        choices=[("justified", _("justified")), ("unjustified", _("unjustified"))],
    )
    note = djforms.CharField(label=_("Note"), required=False, max_length=2000)


class ProcessingRuleForm(djforms.ModelForm):
    share_with = djforms.MultipleChoiceField(
        label=_("May be shared with"),
        required=False,
        choices=OrganisationType.choices,
        widget=djforms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProcessingRule
        fields = ["legal_basis", "sector_law", "retention_days", "share_with"]


class AuditFilterForm(djforms.Form):
    case = djforms.CharField(label=_("Case number (person)"), required=False, max_length=20)
    user = djforms.CharField(label=_("User name"), required=False, max_length=150)
    organisation = djforms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.all()
    )
    purpose = djforms.CharField(label=_("Purpose"), required=False, max_length=40)
    date_from = djforms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = djforms.DateField(label=_("Up to"), required=False, widget=DateInput())
    emergency = djforms.BooleanField(label=_("Emergency access only"), required=False)

from __future__ import annotations

from django import forms as djforms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen import countries
from samen.cases.models import AgeBand, CaseStatus, ExploitationForm, Gender
from samen.core.models import DataCategory, ProcessingRule, Purpose
from samen.organisations.models import Organisation, OrganisationType, SafetyRegion
from samen.organisations.selectors import municipalities
from samen.signalling.models import SignalList
from samen.signalling.services import MAX_NOTES, PersonInput, SignalInput
from samen.widgets import DateInput


class SignalForm(djforms.Form):
    """The signal form for one signal list; indicator checkboxes grouped by category."""

    observed_on = djforms.DateField(
        label=_("Date of the observation"),
        widget=DateInput(),
    )
    municipality = djforms.ChoiceField(label=_("Municipality where you noticed it"))
    setting = djforms.CharField(
        label=_("Setting"),
        max_length=120,
        required=False,
        help_text=_("Where, in a few words, e.g. 'hotel reception'. No names."),
    )
    forms = djforms.MultipleChoiceField(
        label=_("Suspected forms of exploitation"),
        required=False,
        widget=djforms.CheckboxSelectMultiple,
    )
    notes = djforms.CharField(
        label=_("What did you notice?"),
        required=False,
        max_length=MAX_NOTES,
        widget=djforms.Textarea(attrs={"rows": 5}),
    )
    gender = djforms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    age_band = djforms.ChoiceField(
        label=_("Age (estimate)"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN
    )
    name = djforms.CharField(label=_("Name, if known"), required=False, max_length=200)
    date_of_birth = djforms.DateField(
        label=_("Date of birth, if known"),
        required=False,
        widget=DateInput(),
    )
    nationality = djforms.ChoiceField(label=_("Nationality, if known"), required=False)
    contact = djforms.CharField(
        label=_("Contact details, if known"), required=False, max_length=200
    )

    PERSON_FIELDS = ("gender", "age_band", "name", "date_of_birth", "nationality", "contact")

    def __init__(
        self, *args: object, signal_list: SignalList, municipality: str = "", **kwargs: object
    ):
        super().__init__(*args, **kwargs)
        # ISO 3166 countries by their name in the reader's language: one spelling per country.
        self.fields["nationality"].choices = [("", _("Unknown")), *countries.choices()]
        self.signal_list = signal_list
        self.fields["municipality"].choices = [("", "—")] + [
            (m.code, f"{m.name}") for m in municipalities()
        ]
        # Most signals are noticed where the professional works: start from there.
        self.fields["municipality"].initial = municipality
        self.fields["forms"].choices = [(f.code, str(f)) for f in ExploitationForm.objects.all()]
        self.fields["observed_on"].initial = timezone.localdate()
        self.groups: list[tuple[str, list[str]]] = []
        for ind in signal_list.indicators.all():
            name = f"ind_{ind.code}"
            self.fields[name] = djforms.BooleanField(
                label=ind.text,
                required=False,
                help_text=_("severity: %(s)s") % {"s": ind.get_severity_display()},
            )
            self.fields[name].indicator = ind
            if not self.groups or self.groups[-1][0] != ind.category:
                self.groups.append((ind.category, []))
            self.groups[-1][1].append(name)

    def indicator_groups(self) -> list[tuple[str, list[djforms.BoundField]]]:
        return [(title, [self[n] for n in names]) for title, names in self.groups]

    def field_list(self, *names: str) -> list[djforms.BoundField]:
        return [self[n] for n in names]

    def to_input(self) -> SignalInput:
        c = self.cleaned_data
        return SignalInput(
            signal_list=self.signal_list.code,
            indicators=[
                f.indicator.code
                for n, f in self.fields.items()
                if n.startswith("ind_") and c.get(n)
            ],
            observed_on=c["observed_on"],
            municipality=c["municipality"],
            setting=c.get("setting", ""),
            notes=c.get("notes", ""),
            forms=list(c.get("forms", [])),
            person=PersonInput(
                **{
                    k: c.get(k) or ("" if k != "date_of_birth" else None)
                    for k in self.PERSON_FIELDS
                }
            ),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if field == "indicators":
                target = None
            for message in messages:
                self.add_error(target, message)


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


class NoteForm(djforms.Form):
    text = djforms.CharField(
        label=_("Note"), max_length=5000, widget=djforms.Textarea(attrs={"rows": 3})
    )


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


class MergeForm(djforms.Form):
    target = djforms.CharField(
        label=_("Merge into case (number)"), max_length=20,
        help_text=_("The case that stays; this case is closed and points to it."),
    )  # fmt: skip
    confirm = djforms.BooleanField(label=_("Yes, these two cases are about one person"))

"""The signal form: one signal list's indicators as checkboxes, grouped by category."""

from __future__ import annotations

from django import forms as djforms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen import countries
from samen.cases.models import AgeBand, ExploitationForm, Gender
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

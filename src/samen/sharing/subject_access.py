"""The subject-access report (GDPR art. 15): what Samen holds about one person, by category and
source, who received or used it, for which purposes and on which legal bases, how long it is
kept, and every recorded use.

Everything is put in words here (labels from the register, the models' choices and
translations), so the HTML and PDF templates show no code names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.cases import crypto
from samen.cases.models import AgeBand, Case, CaseNote, CaseStatus, ExploitationForm, Gender, Person
from samen.cases.services import identity_read
from samen.core import audit
from samen.core.models import (
    AuditEntry,
    CaseShare,
    DataCategory,
    EmergencyAccess,
    ProcessingRule,
    Purpose,
)
from samen.core.register import FIELD_CATEGORIES
from samen.i18n import pick
from samen.identification.definitions import machine_of
from samen.identification.labels import choice_label, field_label
from samen.identification.models import (
    CommissionReview,
    IdentificationPath,
    NonPunishmentFlag,
    NonPunishmentReason,
)
from samen.organisations.models import Role, SafetyRegion
from samen.sharing import retention
from samen.shelter.forms import CARE_CHOICES
from samen.shelter.models import Hold, Placement, Referral, SecurityLevel
from samen.signalling.models import Signal
from samen.signalling.services import signal_notes

# The object of an audit action (the part before the last dot) and its verb, in words. An action
# another app adds later falls back to "data" and "used": never its code.
ACTION_OBJECTS = {
    "case": gettext_lazy("Case"),
    "case_note": gettext_lazy("Note on the case"),
    "signal": gettext_lazy("Signal"),
    "referral": gettext_lazy("Shelter referral"),
    "referral_hold": gettext_lazy("Shelter place held"),
    "placement": gettext_lazy("Shelter placement"),
    "identification_path": gettext_lazy("Identification path"),
    "identification_deadline": gettext_lazy("Deadlines of the identification path"),
    "identification_notification": gettext_lazy("Notifications about the case"),
    "identification_reminder": gettext_lazy("Reminder about a deadline"),
    "commission_review": gettext_lazy("Identification commission"),
    "non_punishment_flag": gettext_lazy("Non-punishment flag"),
    "share": gettext_lazy("Shares of the case"),
    "emergency": gettext_lazy("Emergency access"),
    "audit": gettext_lazy("Audit trail"),
    "subject": gettext_lazy("Subject-access report"),
    "statistics": gettext_lazy("Statistics"),
}
ACTION_VERBS = {
    "read": gettext_lazy("viewed"),
    "list": gettext_lazy("shown in a list"),
    "search": gettext_lazy("found by a search"),
    "create": gettext_lazy("recorded"),
    "update": gettext_lazy("changed"),
    "share": gettext_lazy("shared with another organisation"),
    "revoke": gettext_lazy("share withdrawn"),
    "emergency": gettext_lazy("opened with emergency access"),
    "export": gettext_lazy("downloaded"),
    "print": gettext_lazy("printed"),
    "report": gettext_lazy("report drawn up"),
    "retention": gettext_lazy("deleted after the retention period"),
    "delete": gettext_lazy("deleted"),
    "link": gettext_lazy("linked"),
    "note": gettext_lazy("note added"),
}
# Fields outside the register's field list, by their prefix.
FIELD_GROUPS = {
    "identification": gettext_lazy("Identification path"),
    "needs": gettext_lazy("Shelter needs profile"),
    "notes": gettext_lazy("Notes"),
    "audit": gettext_lazy("Audit trail"),
    "shares": gettext_lazy("Shares of the case"),
    "emergencies": gettext_lazy("Emergency access"),
}
OTHER_PURPOSES = {"retention": gettext_lazy("Deletion after the retention period")}


def action_label(action: str) -> str:
    obj, _dot, verb = action.rpartition(".")
    what = ACTION_OBJECTS.get(obj, gettext_lazy("Data about the person"))
    return _("%(what)s: %(verb)s") % {"what": what, "verb": ACTION_VERBS.get(verb, _("used"))}


def category_labels() -> dict[str, str]:
    return {c.code: str(c) for c in DataCategory.objects.all()}


def data_labels(fields: list[str], categories: dict[str, str]) -> list[str]:
    """The kinds of data an entry touched, in words: the register's category where the field has
    one, else the part of the case it belongs to."""
    labels = []
    for name in fields:
        if name in FIELD_CATEGORIES:
            label = categories.get(FIELD_CATEGORIES[name], "")
        else:
            label = str(FIELD_GROUPS.get(name.split(".", 1)[0], _("Other case details")))
        if label and label not in labels:
            labels.append(label)
    return labels


def purpose_label(code: str, purposes: dict[str, str]) -> str:
    if code in purposes:
        return purposes[code]
    return str(OTHER_PURPOSES.get(code, _("Other purpose"))) if code else "—"


@dataclass
class Item:
    label: str
    value: str
    category: str
    source: str = ""


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Recipient:
    organisation: str
    how: list[str] = field(default_factory=list)


@dataclass
class PurposeRow:
    purpose: str
    legal_bases: list[str]


@dataclass
class RetentionRow:
    category: str
    period: str
    ends: str
    treatment: str


@dataclass
class LogRow:
    at: datetime
    who: str
    organisation: str
    what: str
    data: str
    purpose: str
    legal_basis: str
    result: str
    emergency: bool


@dataclass
class SubjectReport:
    case: Case
    cases: list[Case]
    sections: list[Section]
    recipients: list[Recipient]
    purposes: list[PurposeRow]
    retention: list[RetentionRow]
    log: list[LogRow]


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return formats.date_format(value, "DATE_FORMAT")


def _yes_no(value: object) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


def _source(org: object, when: date | datetime | None) -> str:
    return ", ".join(p for p in (str(org) if org else "", _day(when)) if p)


def subject_report_build(*, case: Case) -> SubjectReport:
    """Everything about the person of this case, over all their cases."""
    person = case.person
    cases = list(
        Case.objects.filter(person=person)
        .select_related("responsible_organisation", "municipality", "region")
        .prefetch_related("forms")
        .order_by("opened_at", "pk")
    )
    cats = category_labels()
    sections = [
        _identity_section(person, cats),
        _cases_section(cases, cats),
        *_signal_sections(cases, cats),
        _notes_section(cases, cats),
        _shares_section(cases, cats),
        *_shelter_sections(cases, cats),
        *_identification_sections(cases, cats),
    ]
    numbers = [c.number for c in cases]
    entries = list(
        audit.about_cases(AuditEntry.objects.all(), numbers)
        .select_related("organisation")
        .order_by("seq")
    )
    purposes = {p.code: str(p) for p in Purpose.objects.all()}
    return SubjectReport(
        case=case,
        cases=cases,
        sections=[s for s in sections if s.items],
        recipients=_recipients(cases, entries),
        purposes=_purposes(cases, entries, purposes),
        retention=_retention(person, cats),
        log=[_log_row(e, cats, purposes) for e in entries],
    )


def _identity_section(person: Person, cats: dict[str, str]) -> Section:
    identity = identity_read(person)
    section = Section(_("Identity and contact details"))
    for key, label, category in (
        ("name", _("Name"), "identity"),
        ("date_of_birth", _("Date of birth"), "identity"),
        ("nationality", _("Nationality"), "identity"),
        ("contact", _("Contact details"), "contact"),
    ):
        if identity.get(key):
            section.items.append(Item(label, identity[key], cats.get(category, "")))
    facts = (
        (_("Gender"), person.get_gender_display(), "demographics"),
        (_("Age band"), person.get_age_band_display(), "demographics"),
        (_("Nationality group"), person.get_nationality_group_display(), "demographics"),
        (_("Minor"), _yes_no(person.is_minor), "minors"),
    )
    section.items += [Item(label, value, cats.get(c, "")) for label, value, c in facts]
    return section


def _cases_section(cases: list[Case], cats: dict[str, str]) -> Section:
    section = Section(_("Cases"))
    for case in cases:
        source = _source(case.responsible_organisation, case.opened_at)
        status = case.get_status_display()
        if case.status == CaseStatus.CLOSED and case.closed_at:
            status = _("%(status)s on %(day)s") % {"status": status, "day": _day(case.closed_at)}
        label = _("Case %(number)s") % {"number": case.number}
        section.items.append(Item(label, status, "", source))
        section.items.append(
            Item(_("Municipality"), case.municipality.name, cats.get("location", ""), source)
        )
        forms = ", ".join(str(f) for f in case.forms.all())
        if forms:
            section.items.append(
                Item(_("Forms of exploitation"), forms, cats.get("exploitation", ""), source)
            )
    return section


def _signal_sections(cases: list[Case], cats: dict[str, str]) -> list[Section]:

    sections = []
    signals = (
        Signal.objects.filter(case__in=cases)
        .select_related("case", "organisation", "municipality", "signal_list")
        .prefetch_related("indicators")
        .order_by("created_at", "pk")
    )
    for signal in signals:
        source = _source(signal.organisation, signal.observed_on)
        section = Section(_("Signal of %(day)s") % {"day": _day(signal.observed_on)})
        items = [
            (_("Signal list"), signal.signal_list.title, "exploitation"),
            (_("Indicators"), "; ".join(i.text for i in signal.indicators.all()), "exploitation"),
            (_("Advice"), signal.get_advice_display(), "exploitation"),
            (_("Municipality"), signal.municipality.name, "location"),
            (_("Setting"), signal.setting, "free_text"),
            (_("Notes"), signal_notes(signal) if signal.notes_ciphertext else "", "free_text"),
        ]
        section.items = [Item(lb, v, cats.get(c, ""), source) for lb, v, c in items if v]
        sections.append(section)
    return sections


def _notes_section(cases: list[Case], cats: dict[str, str]) -> Section:

    section = Section(_("Notes on the case"))
    notes = CaseNote.objects.filter(case__in=cases).select_related("case", "organisation")
    for note in notes.order_by("created_at", "pk"):
        text = crypto.decrypt_json(note.ciphertext, context=f"note:{note.case.number}")["text"]
        category = "criminal" if note.kind == CaseNote.Kind.INVESTIGATION else "free_text"
        section.items.append(
            Item(
                note.get_kind_display(),
                text,
                cats.get(category, ""),
                _source(note.organisation, note.created_at),
            )
        )
    return section


def _shares_section(cases: list[Case], cats: dict[str, str]) -> Section:
    section = Section(_("Shares and emergency access"))
    shares = CaseShare.objects.filter(case__in=cases).select_related(
        "recipient", "from_organisation", "purpose"
    )
    for share in shares.order_by("shared_at", "pk"):
        what = ", ".join(cats.get(c, _("Other case details")) for c in share.categories)
        value = _("%(categories)s shared with %(recipient)s for %(purpose)s") % {
            "categories": what,
            "recipient": share.recipient,
            "purpose": share.purpose,
        }
        if share.revoked_at:
            value += " " + _("(withdrawn on %(day)s)") % {"day": _day(share.revoked_at)}
        source = _source(share.from_organisation, share.shared_at)
        section.items.append(Item(_("Shared data"), value, "", source))
        if share.reason:
            section.items.append(
                Item(_("Reason for the share"), share.reason, cats.get("free_text", ""), source)
            )
    emergencies = EmergencyAccess.objects.filter(case__in=cases).select_related("organisation")
    for access in emergencies.order_by("started_at", "pk"):
        section.items.append(
            Item(
                _("Reason for emergency access"),
                access.reason,
                cats.get("free_text", ""),
                _source(access.organisation, access.started_at),
            )
        )
    return section


def _needs_items(needs: dict, cats: dict[str, str], source: str) -> list[Item]:

    care = dict(CARE_CHOICES)
    forms = dict(ExploitationForm.objects.values_list("code", "name_nl"))
    forms_en = dict(ExploitationForm.objects.values_list("code", "name_en"))
    regions = dict(SafetyRegion.objects.values_list("code", "name"))
    rows = [
        ("gender", _("Gender"), "demographics", lambda v: dict(Gender.choices).get(v, v)),
        ("age_band", _("Age band"), "demographics", lambda v: dict(AgeBand.choices).get(v, v)),
        ("minor", _("Minor"), "minors", _yes_no),
        ("languages", _("Languages"), "demographics", lambda v: ", ".join(v).upper()),
        ("addiction", _("Active addiction"), "health", _yes_no),
        ("care", _("Care needs"), "health", lambda v: ", ".join(str(care.get(c, c)) for c in v)),
        ("accessibility", _("Needs a wheelchair-accessible place"), "health", _yes_no),
        ("network_risk", _("Active tie to a criminal network"), "criminal", _yes_no),
        (
            "security",
            _("Security need"),
            "exploitation",
            lambda v: dict(SecurityLevel.choices).get(v, v),
        ),
        (
            "forms",
            _("Forms of exploitation"),
            "exploitation",
            lambda v: ", ".join(pick(forms.get(c, c), forms_en.get(c, c)) for c in v),
        ),
        ("region", _("Region"), "location", lambda v: regions.get(v, v)),
    ]
    items = []
    for key, label, category, show in rows:
        if key in needs and needs[key] not in ("", None, []):
            items.append(Item(label, str(show(needs[key])), cats.get(category, ""), source))
    return items


def _shelter_sections(cases: list[Case], cats: dict[str, str]) -> list[Section]:

    referrals = Section(_("Shelter referrals and needs profiles"))
    for r in Referral.objects.filter(case__in=cases).select_related("organisation"):
        source = _source(r.organisation, r.created_at)
        value = _("%(status)s, urgency %(urgency)s") % {
            "status": r.get_status_display(),
            "urgency": r.get_urgency_display(),
        }
        referrals.items.append(Item(_("Shelter referral"), value, "", source))
        referrals.items += _needs_items(r.needs, cats, source)
    placements = Section(_("Shelter placements"))
    rows = Placement.objects.filter(referral__case__in=cases).select_related(
        "place__location__provider"
    )
    for p in rows.order_by("started_at", "pk"):
        provider = p.place.location.provider
        value = _("%(place)s from %(start)s") % {"place": p.place.name, "start": _day(p.started_at)}
        if p.ended_at:
            value += " " + _("until %(end)s") % {"end": _day(p.ended_at)}
        placements.items.append(Item(_("Placement"), value, "", _source(provider, p.started_at)))
        if p.outflow:
            placements.items.append(
                Item(
                    _("Destination after the shelter"),
                    p.get_outflow_display(),
                    cats.get("location", ""),
                    _source(provider, p.ended_at),
                )
            )
    return [referrals, placements]


def _identification_sections(cases: list[Case], cats: dict[str, str]) -> list[Section]:

    section = Section(_("Identification path"))
    paths = IdentificationPath.objects.filter(case__in=cases).select_related(
        "definition", "guardian_organisation"
    )
    lang = "en" if pick("nl", "en") == "en" else "nl"
    for path in paths:
        machine = machine_of(path.definition)
        state = machine.states.get(path.state)
        title = state.title.get(lang, "") if state else ""
        section.items.append(Item(_("Where the path stands"), title or _("unknown"), ""))
        for label, value, category in (
            (_("Foreign national"), _yes_no(path.foreign_national), "immigration"),
            (_("Lawful residence"), _yes_no(path.lawful_residence), "immigration"),
            (_("Unaccompanied"), _yes_no(path.unaccompanied), "minors"),
            (_("Age assessment"), path.get_age_assessment_display(), "minors"),
            (_("Treated as a minor"), _yes_no(path.presumed_minor), "minors"),
            (_("Guardian"), str(path.guardian_organisation or ""), "minors"),
        ):
            if value:
                section.items.append(Item(label, value, cats.get(category, "")))
        for step in path.steps.select_related("organisation").order_by("at", "pk"):
            transition = machine.transitions.get(step.transition)
            name = transition.title.get(lang, "") if transition else ""
            values = "; ".join(
                f"{_step_label(k, field_label)}: {_step_value(v, choice_label)}"
                for k, v in step.values.items()
            )
            section.items.append(
                Item(
                    name or _("Step"),
                    values or "—",
                    cats.get(_STEP_CATEGORIES.get(step.transition, "immigration"), ""),
                    _source(step.organisation, step.at),
                )
            )
        for deadline in path.deadlines.all():
            section.items.append(
                Item(deadline.kind_display, _day(deadline.due_on), cats.get("immigration", ""))
            )
    reasons = dict(NonPunishmentReason.choices)
    for flag in NonPunishmentFlag.objects.filter(case__in=cases).select_related("organisation"):
        value = ", ".join(str(reasons.get(r, _("Other"))) for r in flag.reasons)
        section.items.append(
            Item(
                _("Non-punishment flag"),
                value,
                cats.get("criminal", ""),
                _source(flag.organisation, flag.set_at),
            )
        )
    for review in CommissionReview.objects.filter(case__in=cases):
        section.items.append(
            Item(
                _("Identification commission"),
                review.get_outcome_display() or _("not yet decided"),
                cats.get("exploitation", ""),
                _source(None, review.decided_at or review.opened_at),
            )
        )
    return [section]


def _step_label(name: str, field_label) -> str:
    label = field_label(name)
    return _("Value") if label == name else label  # a field a later definition adds


def _step_value(value: object, choice_label) -> str:
    try:
        return _day(date.fromisoformat(str(value)))
    except ValueError:
        return choice_label(str(value))


_STEP_CATEGORIES = {
    "report_record": "criminal",
    "indication_establish": "exploitation",
    "indication_reject": "exploitation",
}


def _recipients(cases: list[Case], entries: list[AuditEntry]) -> list[Recipient]:

    found: dict[str, Recipient] = {}

    def add(org: object, how: str) -> None:
        if org is None:
            return
        row = found.setdefault(str(org), Recipient(str(org)))
        if how not in row.how:
            row.how.append(how)

    for case in cases:
        add(case.responsible_organisation, _("responsible for the case"))
    for s in Signal.objects.filter(case__in=cases).select_related("organisation"):
        add(s.organisation, _("recorded a signal"))
    for share in CaseShare.objects.filter(case__in=cases).select_related("recipient"):
        add(share.recipient, _("received data through a share"))
    holds = Hold.objects.filter(referral__case__in=cases).select_related(
        "place__location__provider__organisation"
    )
    placements = Placement.objects.filter(referral__case__in=cases).select_related(
        "place__location__provider__organisation"
    )
    for row in [*holds, *placements]:
        add(row.place.location.provider.organisation, _("shelter: referral or placement"))
    for e in EmergencyAccess.objects.filter(case__in=cases).select_related("organisation"):
        add(e.organisation, _("emergency access"))
    for entry in entries:
        if entry.result == AuditEntry.Result.OK and entry.organisation:
            add(entry.organisation, _("viewed or used the data"))
    return sorted(found.values(), key=lambda r: r.organisation)


def _purposes(
    cases: list[Case], entries: list[AuditEntry], purposes: dict[str, str]
) -> list[PurposeRow]:

    used = {e.purpose for e in entries if e.result == AuditEntry.Result.OK and e.purpose}
    used |= set(CaseShare.objects.filter(case__in=cases).values_list("purpose__code", flat=True))
    org_types = {e.organisation.type for e in entries if e.organisation}
    org_types |= {c.responsible_organisation.type for c in cases}
    rows = []
    for code in sorted(used, key=lambda c: purpose_label(c, purposes)):
        rules = ProcessingRule.objects.filter(purpose__code=code)
        mine = rules.filter(organisation_type__in=org_types)
        bases = sorted(
            {
                f"{r.legal_basis}; {r.sector_law}" if r.sector_law else r.legal_basis
                for r in (mine if mine.exists() else rules)
            }
        )
        if code == "retention":
            bases = [retention.LEGAL_BASIS]
        rows.append(PurposeRow(purpose_label(code, purposes), bases))
    return rows


def _retention(person: Person, cats: dict[str, str]) -> list[RetentionRow]:
    rows = []
    for r in retention.person_retention(person=person):
        years = r.period_days / 365.25
        period = _("%(days)d days (about %(years)s years)") % {
            "days": r.period_days,
            "years": formats.number_format(round(years, 1)),
        }
        if r.ends_on is None:
            ends = _("while a case is open; then %(days)d days after the last case closes") % {
                "days": r.period_days
            }
        else:
            ends = _day(r.ends_on)
        treatment = r.treatment.description if r.treatment else ""
        label = _("The cases themselves") if r.category == retention.SKELETON else ""
        rows.append(RetentionRow(cats.get(r.category, label), period, ends, treatment))
    return sorted(rows, key=lambda r: r.category)


def _log_row(entry: AuditEntry, cats: dict[str, str], purposes: dict[str, str]) -> LogRow:

    role = dict(Role.choices).get(entry.role, "")
    who = entry.actor_username or _("the system")
    if role:
        who = f"{who} ({role})"
    return LogRow(
        at=entry.at,
        who=who,
        organisation=str(entry.organisation or "—"),
        what=action_label(entry.action),
        data=", ".join(data_labels(entry.fields, cats)),
        purpose=purpose_label(entry.purpose, purposes),
        legal_basis=entry.legal_basis,
        result=entry.get_result_display(),
        emergency=entry.emergency,
    )

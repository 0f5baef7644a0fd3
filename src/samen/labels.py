"""One place that turns a code of the domain into its label in the reader's language.

Every code a page, PDF, CSV/XLSX or notice may show (path states and steps, facts, purposes,
data categories, organisation types, roles, HTCDS values, needs profiles, reasons, verdicts,
audit actions, urgency, genders, age bands, forms of exploitation...) is looked up here, by its
*domain* (the kind of code it is: ``label("urgency", "high")``). The labels themselves stay
where the domain defines them (the models' choices, the path definition, the register), so a
new value is labelled where it is added; this module only gathers them. ``known_codes`` gives
the test that searches Dutch pages for codes the list of what to look for.

An unknown code is shown as itself only when no label exists anywhere: a later version's new
value never breaks a page, and the code test names it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.i18n import pick

Labels = Mapping[str, Any]

# HTCDS 2.0 values (vic_TraffickingStatus, vic_DecisionOrganisationType) that the path stores.
HTCDS_STATUS = {
    "PossibleVictimOfTrafficking": gettext_lazy("Possible victim of trafficking"),
    "NotAVictimOfTrafficking": gettext_lazy("Not a victim of trafficking"),
    "VictimOfTrafficking": gettext_lazy("Victim of trafficking"),
    "PresumedVictimOfTrafficking": gettext_lazy("Presumed victim of trafficking"),
}
HTCDS_DECISION_ORG = {
    "Police": gettext_lazy("Police"),
    "NonPoliceGovernmentalOrganization": gettext_lazy("Government body other than the police"),
    "CourtOrProsecution": gettext_lazy("Court or public prosecution"),
    "NGO": gettext_lazy("Non-governmental organisation"),
}
EMERGENCY_VERDICT = {
    "justified": gettext_lazy("Justified"),
    "unjustified": gettext_lazy("Not justified"),
}
# The keys of a shelter needs profile (the referral's JSON), as a reader names them.
NEEDS_KEYS = {
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age band"),
    "minor": gettext_lazy("Minor"),
    "forms": gettext_lazy("Forms of exploitation"),
    "languages": gettext_lazy("Languages"),
    "care": gettext_lazy("Care needs"),
    "addiction": gettext_lazy("Active addiction"),
    "accessibility": gettext_lazy("Needs a wheelchair-accessible place"),
    "network_risk": gettext_lazy("Active tie to a criminal network"),
    "security": gettext_lazy("Security need"),
    "region": gettext_lazy("Region"),
    "foreign": gettext_lazy("Foreign national"),
    "reflection": gettext_lazy("In the reflection period"),
    "needs.health": gettext_lazy("Care needs"),
    "needs.security": gettext_lazy("Security need"),
}
# Provenance notes the programme stores as data in English (samen.programme.services).
PROVENANCE = {
    "Entered in Samen by programme staff": gettext_lazy("Entered in Samen by programme staff"),
}
BOOLEAN = {"True": gettext_lazy("yes"), "False": gettext_lazy("no")}


def _choices(enum: Any) -> dict[str, Any]:
    return {str(v): lbl for v, lbl in enum.choices}


def _named(model: Any) -> dict[str, str]:
    """Reference data that carries both languages (name_nl, name_en) in the database."""
    return {
        row["code"]: pick(row["name_nl"], row["name_en"])
        for row in model.objects.values("code", "name_nl", "name_en")
    }


@functools.cache
def _static_domains() -> dict[str, Callable[[], Labels]]:
    # The models and tables of every app are imported here, when the labels are first used, so
    # that any app (models included) may import this module without an import cycle.
    from samen.cases.models import AgeBand, CaseStatus, Gender, NationalityGroup
    from samen.core.models import AuditEntry
    from samen.identification import definitions
    from samen.identification import labels as path_labels
    from samen.identification.models import (
        AgeAssessment,
        CommissionOutcome,
        DeadlineKind,
        NonPunishmentReason,
    )
    from samen.online import models as online
    from samen.online.explain import CONTACT_KINDS, INDICATOR_LABELS
    from samen.organisations.models import OrganisationType, Role
    from samen.programme.models import (
        ActionStatus,
        Chamber,
        ItemStatus,
        LetterStatus,
        RecommendationBody,
        RecommendationStatus,
        UpdateState,
    )
    from samen.shelter import models as shelter
    from samen.shelter.forms import CARE_CHOICES
    from samen.signalling.models import Advice, Severity
    from samen.statistics import tables

    def path_titles(kind: str) -> Labels:
        # Every version of the path definition: a case on an older version shows its own steps.
        out: dict[str, str] = {}
        for data in definitions.read_definition_files():
            for item in data.get(kind, []):
                title = item.get("title", {})
                out.setdefault(item["code"], pick(title.get("nl", ""), title.get("en", "")))
        return out

    return {
        "gender": lambda: _choices(Gender),
        "age_band": lambda: {**_choices(AgeBand), **tables.AGE_CLASS_LABELS},
        "nationality_group": lambda: _choices(NationalityGroup),
        "case_status": lambda: _choices(CaseStatus),
        "severity": lambda: _choices(Severity),
        "advice": lambda: _choices(Advice),
        "org_type": lambda: _choices(OrganisationType),
        "role": lambda: _choices(Role),
        "place_type": lambda: _choices(shelter.PlaceType),
        "target_group": lambda: _choices(shelter.TargetGroup),
        "security": lambda: _choices(shelter.SecurityLevel),
        "contra": lambda: _choices(shelter.ContraCode),
        "urgency": lambda: _choices(shelter.Urgency),
        "referral_status": lambda: _choices(shelter.ReferralStatus),
        "hold_status": lambda: _choices(shelter.HoldStatus),
        "decline_reason": lambda: _choices(shelter.DeclineReason),
        "withdraw_reason": lambda: _choices(shelter.WithdrawReason),
        "outflow": lambda: _choices(shelter.OutflowDestination),
        "action_status": lambda: _choices(ActionStatus),
        "letter_status": lambda: _choices(LetterStatus),
        "item_status": lambda: _choices(ItemStatus),
        "chamber": lambda: _choices(Chamber),
        "recommendation_body": lambda: _choices(RecommendationBody),
        "recommendation_status": lambda: _choices(RecommendationStatus),
        "update_state": lambda: _choices(UpdateState),
        "age_assessment": lambda: _choices(AgeAssessment),
        "deadline_kind": lambda: _choices(DeadlineKind),
        "non_punishment_reason": lambda: _choices(NonPunishmentReason),
        "commission_outcome": lambda: _choices(CommissionOutcome),
        "path_state": lambda: path_titles("states"),
        "path_step": lambda: path_titles("transitions"),
        "path_field": lambda: path_labels.FIELD_LABELS,
        "path_choice": lambda: path_labels.CHOICE_LABELS,
        "path_reason": lambda: path_labels.REASON_LABELS,
        "htcds_status": lambda: HTCDS_STATUS,
        "htcds_decision_org": lambda: HTCDS_DECISION_ORG,
        "verdict": lambda: EMERGENCY_VERDICT,
        "needs_key": lambda: NEEDS_KEYS,
        "care": lambda: dict(CARE_CHOICES),
        "audit_result": lambda: _choices(AuditEntry.Result),
        "form_group": lambda: tables.FORM_LABELS,
        "reporter": lambda: tables.REPORTER_LABELS,
        "outcome": lambda: tables.OUTCOME_LABELS,
        "wait": lambda: tables.WAIT_LABELS,
        "boolean": lambda: BOOLEAN,
        "provenance": lambda: PROVENANCE,
        # Online signals (issue #18): the screen's statuses and the engine's indicator codes.
        "online_scan_status": lambda: _choices(online.ScanStatus),
        "online_lead_status": lambda: _choices(online.LeadStatus),
        "online_notice_status": lambda: _choices(online.NoticeStatus),
        "online_indicator": lambda: INDICATOR_LABELS,
        "online_contact_kind": lambda: CONTACT_KINDS,
    }


def _db_domains() -> dict[str, Callable[[], Labels]]:
    # Reference data in the database: read per call (it is small and an administrator edits it).
    from samen.cases.models import ExploitationForm
    from samen.core.models import DataCategory, Purpose
    from samen.organisations.models import SafetyRegion

    return {
        "form": lambda: _named(ExploitationForm),
        "region": lambda: dict(SafetyRegion.objects.values_list("code", "name")),
        "category": lambda: _named(DataCategory),
        "purpose": lambda: _named(Purpose),
    }


def domains() -> dict[str, Callable[[], Labels]]:
    return {**_static_domains(), **_db_domains()}


def labels_of(domain: str) -> dict[str, str]:
    """Every code of one domain with its label in the active language."""
    source = domains().get(domain)
    return {k: str(v) for k, v in source().items()} if source else {}


def label(domain: str, code: object) -> str:
    """The label of one code. Audit actions and lists of codes have their own helpers."""
    if code is None or code == "":
        return ""
    if domain == "audit_action":
        return audit_action_label(str(code))
    key = str(code)
    source = domains().get(domain)
    if source is not None:
        found = source().get(key)
        if found is not None:
            return str(found)
    return key


def labels(domain: str, codes: Iterable[object], sep: str = ", ") -> str:
    return sep.join(label(domain, c) for c in codes)


def audit_action_label(action: str) -> str:
    """An audit action (``signal.create``) in words: its object and its verb."""
    from samen.sharing.subject_access import action_label  # the words live with the report

    return action_label(action)


def audit_fields(fields: Iterable[str]) -> str:
    """The fields an audit entry touched, as the kinds of data they are (the register's
    categories), not as ``identity.date_of_birth``."""
    from samen.sharing.subject_access import data_labels  # the words live with the report

    return ", ".join(data_labels(list(fields), labels_of("category")))


def needs_summary(needs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A shelter needs profile as (label, value) pairs in words, in a stable order."""
    value_domain = {"gender": "gender", "age_band": "age_band", "forms": "form",
                    "care": "care", "security": "security", "region": "region"}  # fmt: skip
    out = []
    for key, name in NEEDS_KEYS.items():
        if key not in needs or "." in key:
            continue
        value = needs[key]
        if value is None:
            shown = _("unknown")
        elif isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, list | tuple):
            if key == "languages":
                shown = ", ".join(language_name(v) for v in value)
            else:
                shown = labels(value_domain.get(key, ""), value) if value else _("none")
        else:
            shown = label(value_domain.get(key, ""), value)
        out.append((str(name), shown))
    return out


def language_name(code: str) -> str:
    """A language as a needs profile stores it (a Dutch word, lower case): as a name."""
    return str(code).capitalize()


def known_codes() -> dict[str, set[str]]:
    """Every code of every domain, for the test that searches pages for codes."""
    return {name: {str(k) for k in source()} for name, source in domains().items()}


def local_date(value: date | datetime | None) -> str:
    """A date (or the date of a moment) in Europe/Amsterdam, in the reader's format."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value.date(), "DATE_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")

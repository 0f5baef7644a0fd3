"""Readable labels for the codes the path definition uses as field names and choices.

The definition stays data; these are only how known codes are shown. An unknown code (a field a
later version adds) is shown as itself, so a new version never breaks a page. The app's domains
are registered with samen.labels at the end (samen.labels finds this module).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from samen.i18n import pick
from samen.identification import definitions
from samen.identification.models import (
    AgeAssessment,
    CommissionOutcome,
    DeadlineKind,
    NonPunishmentReason,
)
from samen.labels import Labels, register_choices, register_labels

FIELD_LABELS = {
    "established_on": _("Established on"),
    "decided_on": _("Decided on"),
    "starts_on": _("Starts on"),
    "reported_on": _("Reported on"),
    "applied_on": _("Applied on"),
    "permit_starts_on": _("Permit starts on"),
    "reason": _("Reason"),
    "kind": _("Kind"),
    "route": _("Route"),
    "accepted_on": _("Accepted on"),
    "placed_on": _("Placed on"),
    "placement": _("Placement"),
    "involved_on": _("Involved on"),
    "involved": _("Involved"),
    "ended_on": _("Ended on"),
    "police_unit": _("Police unit"),
    "ground": _("Ground"),
    "exemption_ground": _("Ground for the exemption"),
    "statement": _("Statement"),
    "statement_on": _("Date of the statement"),
    "filed_on": _("Filed on"),
    "outcome": _("Outcome"),
    "verdict_on": _("Date of the verdict"),
    "verdict": _("Verdict"),
}

CHOICE_LABELS = {
    "no_indicators": _("No indicators"),
    "insufficient_information": _("Insufficient information"),
    "other": _("Other"),
    "report": _("Report (aangifte)"),
    "cooperation": _("Cooperation with the investigation"),
    "humanitarian_residence": _("Humanitarian residence permit"),
    "return_support": _("Return support"),
    "care_without_residence": _("Care without residence permit"),
    "youth_protection": _("Youth protection"),
    "path_completed": _("Path completed"),
    "left_the_country": _("Left the country"),
    "no_contact": _("No contact"),
    "protected_minors": _("Protected shelter for minors"),
    "first_reception_minors": _("First reception for minors"),
    "foster_family": _("Foster family"),
    "veilig_thuis": _("Veilig Thuis"),
    "both": _("Veilig Thuis and youth protection"),
    "witness_reporter": _("Witness-reporter (no reflection period)"),
    "no_longer_victim": _("No longer a possible victim"),
    "public_order": _("Public order or national security"),
    "own_request": _("At the person's own request"),
    "serious_threat": _("Serious threat"),
    "medical": _("Medical grounds"),
    "police_statement": _("Statement by the police"),
    "medical_statement": _("Medical statement"),
    "technical": _("Technical dismissal"),
    "policy": _("Policy dismissal"),
    "prosecution_ordered": _("Prosecution ordered"),
    "rejected": _("Complaint rejected"),
    "conviction": _("Conviction"),
    "acquittal": _("Acquittal"),
    "new_information": _("New information"),
    "new_signal": _("New signal"),
    "closed_in_error": _("Closed in error"),
}

# What a step's condition asks, said as what is missing (the refusal and the step's offer).
CONDITION_LABELS = {
    ("nationality_known", True): _("the nationality is not recorded yet"),
    ("dutch", False): _("the person is Dutch"),
    ("eu_citizen_with_rights", False): _(
        "an EU citizen with rights under EU law, or whose rights are not yet established"
    ),
    ("foreign_without_lawful_residence", True): _(
        "only for a foreign national without lawful residence"
    ),
    ("continued_residence_ground", True): _("needs a conviction, or three years on a B8/3 permit"),
    ("dismissal_final", True): _("needs a dismissal that stands (no complaint running)"),
    ("dismissal_standing", True): _("needs a dismissal without a complaint"),
    ("complaint_running", True): _("needs a complaint that is running"),
    ("minor", True): _("only for a minor"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def choice_label(code: str) -> str:
    return str(CHOICE_LABELS.get(code, code))


def condition_label(name: str, value: object) -> str:
    return str(CONDITION_LABELS.get((name, value), _("a condition of this step is not met")))


REASON_LABELS = {
    "indicators_present": _("Indicators of trafficking present"),
    "credible_account": _("Credible account"),
    "corroborated": _("Corroborated by other information"),
    "insufficient_indicators": _("Insufficient indicators"),
    "other": _("Other"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


HTCDS_LABELS = {
    "PossibleVictimOfTrafficking": _("Possible victim of trafficking"),
    "ActualVictimOfTrafficking": _("Victim of trafficking (identified)"),
    "NotAVictimOfTrafficking": _("Not identified as a victim"),
}
HTCDS_ORG_LABELS = {
    "Police": _("police"),
    "NonPoliceGovernmentalOrganization": _("government organisation (not police)"),
    "CourtOrProsecution": _("court or prosecution"),
    "NGO": _("non-governmental organisation"),
    "Other": _("identification commission or other"),
}


def htcds_label(status: str, organisation: str) -> str:
    """The victim status in words, with who decided it (HTCDS codes stay in the export)."""
    if not status:
        return ""
    who = HTCDS_ORG_LABELS.get(organisation, "")
    text = str(HTCDS_LABELS.get(status, status))
    return f"{text} ({who})" if who else text


def _path_titles(kind: str) -> Labels:
    # Every version of the path definition: a case on an older version shows its own steps.
    out: dict[str, str] = {}
    for data in definitions.read_definition_files():
        for item in data.get(kind, []):
            title = item.get("title", {})
            out.setdefault(item["code"], pick(title.get("nl", ""), title.get("en", "")))
    return out


register_choices("age_assessment", AgeAssessment)
register_choices("deadline_kind", DeadlineKind)
register_choices("non_punishment_reason", NonPunishmentReason)
register_choices("commission_outcome", CommissionOutcome)
register_labels("path_state", lambda: _path_titles("states"))
register_labels("path_step", lambda: _path_titles("transitions"))
register_labels("path_field", lambda: FIELD_LABELS)
register_labels("path_choice", lambda: CHOICE_LABELS)
register_labels("path_reason", lambda: REASON_LABELS)

"""Readable labels for the codes the path definition uses as field names and choices.

The definition stays data; these are only how known codes are shown. An unknown code (a field a
later version adds) is shown as itself, so a new version never breaks a page.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def choice_label(code: str) -> str:
    return str(CHOICE_LABELS.get(code, code))


REASON_LABELS = {
    "indicators_present": _("Indicators of trafficking present"),
    "credible_account": _("Credible account"),
    "corroborated": _("Corroborated by other information"),
    "insufficient_indicators": _("Insufficient indicators"),
    "other": _("Other"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))

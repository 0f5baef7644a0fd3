"""Translated sentences for the matching engine's codes (the engine itself stays Django-free)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from samen import labels
from samen.shelter.models import ContraCode


def exclusion_text(rule: str) -> str:
    if rule.startswith("contra:"):
        code = rule.split(":", 1)[1]
        label = dict(ContraCode.choices).get(code, code)
        return _("Contra-indication: %(rule)s") % {"rule": label}
    if rule.startswith("care_not_on_site:"):
        care = labels.label("care", rule.split(":", 1)[1])
        return _("Care needed is not on site: %(care)s") % {"care": care}
    return {
        "no_free_place": _("No free place"),
        "target_group": _("Outside the target group"),
        "form_not_served": _("Does not serve this form of exploitation"),
        "security_too_low": _("Security level too low"),
        "not_accessible": _("Not wheelchair accessible"),
        "declined_for_referral": _("The shelter declined this referral for this place"),
        "minor_needs_minors_place": _(
            "Protection of minors: a minor only goes to a place that takes minors"
        ),
        "age_outside_place": _("Protection of minors: the place does not take minors of this age"),
        "adult_in_minors_place": _("Protection of minors: no adults in a place for minors"),
        "cosm_not_foreign": _("COSM eligibility: only for victims of foreign nationality"),
        "cosm_no_reflection_period": _(
            "COSM eligibility: only during, or on offer of, the reflection period"
        ),
        "cosm_not_via_national_centre": _(
            "COSM eligibility: referral through the national coordination centre (CoMensha)"
        ),
    }.get(rule, rule)


def reason_text(code: str) -> str:
    kind, _sep, value = code.partition(":")
    texts = {
        "form": _("Serves this form of exploitation: %(v)s"),
        "care": _("Care on site: %(v)s"),
        "language": _("Speaks the language: %(v)s"),
        "security": _("Security level: %(v)s"),
        "free": _("Free places: %(v)s"),
        "protected_minors": _("Protected shelter for minors"),
        "specialised": _("Specialised shelter"),
        "first_reception_takes_everyone": _("First reception takes everyone"),
        "first_reception_minors": _("First reception for minors"),
        "same_region": _("In the preferred safety region"),
        "same_province": _("In the preferred province"),
        "urgent_first_reception": _("Urgent: first reception can take in now"),
    }
    # The value is a code too (a form, a care need, a security level): shown as its label.
    domain = {"form": "form", "care": "care", "security": "security"}.get(kind, "")
    shown = labels.label(domain, value) if domain else value
    if kind == "language":
        shown = labels.language_name(value)
    text = texts.get(kind, code)
    return text % {"v": shown} if "%(v)s" in text else text

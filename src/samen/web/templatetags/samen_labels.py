"""The label filters for every template (a builtin: no ``{% load %}`` needed).

``{{ referral.urgency|label:"urgency" }}``, ``{{ forms|labels:"form" }}``,
``{{ entry.action|label:"audit_action" }}``: the words of ``samen.labels`` for a code.
"""

from collections.abc import Iterable

from django import template

from samen import labels as catalogue

register = template.Library()


@register.filter
def label(code: object, domain: str) -> str:
    return catalogue.label(domain, code)


@register.filter
def labels(codes: Iterable[object] | None, domain: str) -> str:
    if codes is None:
        return ""
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    return catalogue.labels(domain, codes)


@register.filter
def needs_summary(needs: dict | None) -> list[tuple[str, str]]:
    return catalogue.needs_summary(needs or {})


@register.filter
def audit_fields(fields: Iterable[str] | None) -> str:
    return catalogue.audit_fields(fields or [])

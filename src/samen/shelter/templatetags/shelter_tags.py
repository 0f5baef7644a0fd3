"""`{% case_referrals case.number as referrals %}` for the shelter block on the case page."""

from __future__ import annotations

from django import template

from samen.shelter.selectors import referrals_of_case

register = template.Library()


@register.simple_tag(takes_context=True)
def case_referrals(context: template.Context, number: str) -> list:
    """The case's referrals (status and date only) for someone who may refer."""
    actor = getattr(context.get("request"), "actor", None)
    if actor is None:
        return []
    return referrals_of_case(actor=actor, number=number)

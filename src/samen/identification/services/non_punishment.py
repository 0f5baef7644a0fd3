"""The non-punishment flag: set by the organisations that may, seen by those who must."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.cases.services import event_add
from samen.core import audited
from samen.core.actor import Actor
from samen.identification.models import (
    NonPunishmentFlag,
    NonPunishmentReason,
)
from samen.identification.services.common import TIMELINE_KIND, access_for
from samen.organisations.models import OrganisationType

NON_PUNISHMENT_VIEWERS = frozenset(
    {
        OrganisationType.POLICE,
        OrganisationType.KMAR,
        OrganisationType.LABOUR_INSPECTORATE,
        OrganisationType.PROSECUTION,
    }
)


def non_punishment_flag_set(*, actor: Actor, case: Case, reasons: list[str]) -> NonPunishmentFlag:
    """Flag that a suspect may also be a victim, with reason codes."""
    access = access_for(actor, case, "identification.transition")
    reasons = sorted(set(reasons))
    if not reasons or any(r not in NonPunishmentReason.values for r in reasons):
        raise ValidationError({"reasons": [_("Choose at least one valid reason.")]})
    now = timezone.now()
    with transaction.atomic():
        flag = NonPunishmentFlag.objects.create(
            case=case,
            reasons=reasons,
            set_by=actor.user,
            organisation=actor.organisation,
            set_at=now,
        )
        event_add(case=case, kind=TIMELINE_KIND, actor=actor, at=now, non_punishment=reasons)
        audited.record(
            actor,
            "non_punishment_flag.create",
            object_type="case",
            object_id=case.number,
            fields=["identification.non_punishment"],
            categories=access.categories,
            emergency=access.emergency,
            detail={"reasons": reasons},
        )
    return flag

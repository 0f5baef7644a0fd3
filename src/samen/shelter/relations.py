"""The shelter's relation to a case, as a condition of the access core's table
(samen.core.policy.RELATIONS): its resident."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from samen.core.policy import relation_condition
from samen.shelter.models import Hold, Placement


@relation_condition("its_resident")
def its_resident(org) -> Q:
    at_own_place = {"place__location__provider__organisation_id": org.pk}
    # Not while a place is only held: the shelter weighs the needs profile without learning
    # which case it is about; from its acceptance on the person is its resident.
    holds = Hold.objects.filter(referral__case_id=OuterRef("pk"), status="accepted", **at_own_place)
    placements = Placement.objects.filter(referral__case_id=OuterRef("pk"), **at_own_place)
    return Q(Exists(holds)) | Q(Exists(placements))

"""Writes of the shelter app, one module per topic; callers import from here
(`from samen.shelter import services`, `services.hold_place(...)`).

Each mutation is one transaction that checks the policy, writes the case timeline and one audit
entry.
"""

from samen.shelter.services.alarms import (
    alarm_regions,
    alarm_text,
    capacity_alarm_check,
    notices_mark_read,
    registrars,
)
from samen.shelter.services.availability import (
    availability_update,
    contra_indication_end,
    contra_indication_set,
)
from samen.shelter.services.common import (
    ACCEPT_SHARE_CATEGORIES,
    CARE_KINDS,
    NEEDS_CATEGORIES,
    NEEDS_FIELDS,
    PlaceTaken,
    hold_duration,
    organisation_of,
    reach_case,
    require_own_referral,
    stale_after,
)
from samen.shelter.services.directory import PLACE_FIELDS, location_save, place_save
from samen.shelter.services.holds import (
    hold_accept,
    hold_decline,
    hold_decline_withdraw,
    hold_place,
    holds_expire,
)
from samen.shelter.services.needs import (
    REFLECTION_STATES,
    case_facts,
    match_referral,
    needs_of,
    needs_profile,
    place_info,
    places_for_matching,
    referrals_for_matching,
    refused_places,
    via_centre,
)
from samen.shelter.services.placements import placement_end, placement_start
from samen.shelter.services.referrals import NeedsInput, referral_create
from samen.shelter.services.waiting import URGENCY_RANK, place_offer_to_waiting, waiting_referrals

__all__ = [
    "ACCEPT_SHARE_CATEGORIES",
    "CARE_KINDS",
    "NEEDS_CATEGORIES",
    "NEEDS_FIELDS",
    "PLACE_FIELDS",
    "REFLECTION_STATES",
    "URGENCY_RANK",
    "NeedsInput",
    "PlaceTaken",
    "alarm_regions",
    "alarm_text",
    "availability_update",
    "capacity_alarm_check",
    "case_facts",
    "contra_indication_end",
    "contra_indication_set",
    "hold_accept",
    "hold_decline",
    "hold_decline_withdraw",
    "hold_duration",
    "hold_place",
    "holds_expire",
    "location_save",
    "match_referral",
    "needs_of",
    "needs_profile",
    "notices_mark_read",
    "organisation_of",
    "place_info",
    "place_offer_to_waiting",
    "place_save",
    "placement_end",
    "placement_start",
    "places_for_matching",
    "reach_case",
    "referral_create",
    "referrals_for_matching",
    "refused_places",
    "registrars",
    "require_own_referral",
    "stale_after",
    "via_centre",
    "waiting_referrals",
]

"""The shelter app's codes in words, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.labels import register_choices, register_labels
from samen.shelter import models as shelter
from samen.shelter.forms import CARE_CHOICES

register_choices("place_type", shelter.PlaceType)
register_choices("target_group", shelter.TargetGroup)
register_choices("security", shelter.SecurityLevel)
register_choices("contra", shelter.ContraCode)
register_choices("urgency", shelter.Urgency)
register_choices("referral_status", shelter.ReferralStatus)
register_choices("hold_status", shelter.HoldStatus)
register_choices("decline_reason", shelter.DeclineReason)
register_choices("withdraw_reason", shelter.WithdrawReason)
register_choices("outflow", shelter.OutflowDestination)
register_labels("care", lambda: dict(CARE_CHOICES))

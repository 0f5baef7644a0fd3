"""The online app's codes in words (issue #18): the screen's statuses and the engine's indicator
and contact codes, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.labels import register_choices, register_labels
from samen.online import models as online
from samen.online.explain import CONTACT_KINDS, INDICATOR_LABELS

register_choices("online_scan_status", online.ScanStatus)
register_choices("online_lead_status", online.LeadStatus)
register_choices("online_notice_status", online.NoticeStatus)
register_labels("online_indicator", lambda: INDICATOR_LABELS)
register_labels("online_contact_kind", lambda: CONTACT_KINDS)

"""Reads of identification paths and deadlines, filtered by the policy, one audit entry each;
one module per topic, every name importable from here (`selectors.path_get`)."""

from samen.identification.selectors.case_block import case_block, case_block_fields
from samen.identification.selectors.commission import (
    commission_candidates,
    commission_candidates_audit,
    commission_config,
    commission_detail,
    commission_get,
    commission_of,
    commission_review_latest,
    commission_review_of_case,
    membership_label,
    victim_status,
)
from samen.identification.selectors.deadlines import (
    BUCKETS,
    HOLD_EXPIRY,
    bucket_of,
    deadlines_of_organisation,
)
from samen.identification.selectors.lead_times import (
    lead_time_records,
    lead_times_report,
    victim_statuses,
)
from samen.identification.selectors.notifications import (
    has_unread_notifications,
    notification_text,
    notifications_of,
    unread_notifications_count,
)
from samen.identification.selectors.path import (
    FACT_CONDITIONS,
    fact_groups_shown,
    org_type_labels,
    path_get,
    path_page,
    present,
    read_fields,
    steps_shown,
)

__all__ = [
    "BUCKETS",
    "FACT_CONDITIONS",
    "HOLD_EXPIRY",
    "bucket_of",
    "case_block",
    "case_block_fields",
    "commission_candidates",
    "commission_candidates_audit",
    "commission_config",
    "commission_detail",
    "commission_get",
    "commission_of",
    "commission_review_latest",
    "commission_review_of_case",
    "deadlines_of_organisation",
    "fact_groups_shown",
    "has_unread_notifications",
    "lead_time_records",
    "lead_times_report",
    "membership_label",
    "notification_text",
    "notifications_of",
    "org_type_labels",
    "path_get",
    "path_page",
    "present",
    "read_fields",
    "steps_shown",
    "unread_notifications_count",
    "victim_status",
    "victim_statuses",
]

"""Writes on the identification path: each checks the policy, lets the engine decide, writes the
step, its deadlines, one timeline event and exactly one audit entry, in one transaction. One
module per topic; every name importable from here (`services.transition_take`)."""

from samen.identification.services.common import (
    PATH_CODE,
    TIMELINE_KIND,
    access_for,
    current_definition,
    facts_of,
    field_error,
    history_of,
    is_minor,
    path_locked,
)
from samen.identification.services.facts import FACT_GROUPS, UNSET, path_facts_set
from samen.identification.services.guardians import (
    guardian_ensure,
    guardian_signal_notice,
    minors_turning_adult,
    recipients_of,
)
from samen.identification.services.non_punishment import (
    NON_PUNISHMENT_VIEWERS,
    non_punishment_flag_set,
)
from samen.identification.services.notifications import notifications_mark_read
from samen.identification.services.transitions import transition_take

__all__ = [
    "FACT_GROUPS",
    "NON_PUNISHMENT_VIEWERS",
    "PATH_CODE",
    "TIMELINE_KIND",
    "UNSET",
    "access_for",
    "current_definition",
    "facts_of",
    "field_error",
    "guardian_ensure",
    "guardian_signal_notice",
    "history_of",
    "is_minor",
    "minors_turning_adult",
    "non_punishment_flag_set",
    "notifications_mark_read",
    "path_facts_set",
    "path_locked",
    "recipients_of",
    "transition_take",
]

"""The statistics' codes in words, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.labels import register_labels
from samen.statistics import tables

# After the case app's age bands (INSTALLED_APPS order): the age classes win on "unknown".
register_labels("age_band", lambda: tables.AGE_CLASS_LABELS)
register_labels("form_group", lambda: tables.FORM_LABELS)
register_labels("reporter", lambda: tables.REPORTER_LABELS)
register_labels("outcome", lambda: tables.OUTCOME_LABELS)
register_labels("wait", lambda: tables.WAIT_LABELS)

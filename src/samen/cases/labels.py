"""The case app's codes in words, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.cases.models import AgeBand, CaseStatus, ExploitationForm, Gender, NationalityGroup
from samen.labels import register_choices, register_named

register_choices("gender", Gender)
register_choices("age_band", AgeBand)
register_choices("nationality_group", NationalityGroup)
register_choices("case_status", CaseStatus)
register_named("form", ExploitationForm)

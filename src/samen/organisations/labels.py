"""The organisations' codes in words, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.labels import register_choices, register_labels
from samen.organisations.models import OrganisationType, Role, SafetyRegion

register_choices("org_type", OrganisationType)
register_choices("role", Role)
# Reference data in the database: read per look-up (it is small and an administrator edits it).
register_labels("region", lambda: dict(SafetyRegion.objects.values_list("code", "name")))

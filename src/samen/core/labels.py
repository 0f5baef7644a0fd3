"""The access core's codes in words, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.core.models import AuditEntry, DataCategory, Purpose
from samen.labels import register_choices, register_named

register_choices("audit_result", AuditEntry.Result)
register_named("category", DataCategory)
register_named("purpose", Purpose)

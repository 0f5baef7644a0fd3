"""Audit actions and the fields of an audit entry in words, registered with samen.labels (which
finds this module). The words live with the subject-access report, which says the same."""

from __future__ import annotations

from collections.abc import Iterable

from samen.labels import labels_of, register_words
from samen.sharing.subject_access import action_label, data_labels


def _fields(fields: Iterable[str]) -> str:
    return ", ".join(data_labels(list(fields), labels_of("category")))


register_words("audit_action", action_label)
register_words("audit_fields", _fields)

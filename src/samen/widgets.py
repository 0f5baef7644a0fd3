"""Widgets every form shares."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (``2026-12-05``) whatever the language: a
    Dutch-formatted value (``05-12-2026``) shows as an empty field, and the form then fails on
    its first submit."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")

"""Forms that help (issue #16, item 2), the case page: back to the block after a form."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_after_a_note_the_page_returns_to_the_notes(web_for, record):
    number = record().case.number
    answer = web_for("demo-coordinator").post(f"/zaken/{number}/notitie/", {"text": "Gebeld."})
    assert answer.status_code == 302 and answer["Location"].endswith("#notes-title")

"""Possible duplicates: the registrar finds them on the home page, merges two cases of one person
and splits wrongly joined signals off; both histories and the audit trail stay (issue #16)."""

from __future__ import annotations

import pytest

from samen.cases.models import Case, CaseEvent
from samen.core import audit
from samen.core.models import AuditEntry
from samen.signalling.models import Signal
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db


def _two_thin_signals(record):
    # Same region, gender and age band, no identity: the match key cannot join them.
    person = PersonInput(gender="female", age_band="18-22")
    return record(person=person).case, record(person=person).case


def test_the_registrar_sees_possible_duplicates_and_merges_them(record, web_for):
    first, second = _two_thin_signals(record)
    assert first.pk != second.pk
    client = web_for("demo-registrar")
    home = client.get("/").content.decode()
    queue = home.split('data-testid="queue-duplicates"')[1].split("</section>")[0]
    assert first.number in queue and second.number in queue
    assert client.get(f"/zaken/{second.number}/samenvoegen/").status_code == 200

    unconfirmed = client.post(f"/zaken/{second.number}/samenvoegen/", {"target": first.number})
    assert unconfirmed.status_code == 400
    answer = client.post(
        f"/zaken/{second.number}/samenvoegen/", {"target": first.number, "confirm": "on"}
    )
    assert answer.status_code == 302
    second.refresh_from_db()
    assert second.status == "closed"
    assert Signal.objects.filter(case=first).count() == 2
    assert not Signal.objects.filter(case=second).exists()
    # Both histories stay, each pointing to the other, and the trail is indexed to both.
    assert CaseEvent.objects.filter(case=second, data__merged_into=first.number).exists()
    assert CaseEvent.objects.filter(case=first, data__merged_from=second.number).exists()
    subjects = audit.cases_of(AuditEntry.objects.filter(action="case.merge"))
    assert subjects == {first.number, second.number}


def test_the_registrar_splits_a_wrongly_joined_signal_off(record, web_for):
    person = PersonInput(name="Ana Pop", date_of_birth=__import__("datetime").date(2000, 1, 2),
                         nationality="RO")  # fmt: skip
    case = record(person=person).case
    wrong = record(person=person).signal
    assert wrong.case_id == case.pk
    client = web_for("demo-registrar")
    answer = client.post(f"/zaken/{case.number}/splitsen/", {"signals": [str(wrong.pk)]})
    assert answer.status_code == 302
    wrong.refresh_from_db()
    new = Case.objects.get(pk=wrong.case_id)
    assert new.pk != case.pk and new.person_id != case.person_id
    assert Signal.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, data__split_into=new.number).exists()
    everything = client.post(
        f"/zaken/{new.number}/splitsen/", {"signals": [str(wrong.pk)]}
    )  # the last signal of a case stays with it
    assert everything.status_code == 302 and Signal.objects.filter(case=new).count() == 1


def test_only_the_registrar_merges(record, web_for):
    first, second = _two_thin_signals(record)
    coordinator = web_for("demo-coordinator")
    assert coordinator.get(f"/zaken/{second.number}/samenvoegen/").status_code == 403
    refused = coordinator.post(
        f"/zaken/{second.number}/samenvoegen/", {"target": first.number, "confirm": "on"}
    )
    assert refused.status_code == 403
    second.refresh_from_db()
    assert second.status != "closed"

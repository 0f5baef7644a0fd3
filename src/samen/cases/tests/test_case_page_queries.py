"""The case page costs a bounded number of queries, however long the case's history."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.cases import services as case_services
from samen.cases.models import Case
from samen.signalling.services import PersonInput

PERSON = PersonInput(name="Synthetische Persoon", date_of_birth=date(1990, 1, 2), nationality="BG")
MOST = 50  # every block shown (44), plus the lifecycle block of issue #14 (5); counted by hand


def page_queries(client, number: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/zaken/{number}/").status_code == 200
    return len(ctx.captured_queries)


def test_the_case_page_takes_as_many_queries_with_a_longer_history(
    web_for, record, actor_for, django_assert_max_num_queries
):
    number = record(person=PERSON, notes="eerste").case.number
    client = web_for("demo-coordinator")
    page_queries(client, number)  # the first page of a session warms the session and register
    short = page_queries(client, number)
    case = Case.objects.get(number=number)
    for i in range(3):  # more signals, notes and timeline entries
        assert record("demo-hotel", person=PERSON, notes=f"notitie {i}").case.number == number
        case_services.note_add(actor=actor_for("demo-coordinator"), case=case, text=f"noot {i}")
    with django_assert_max_num_queries(MOST):
        longer = page_queries(client, number)
    assert longer == short

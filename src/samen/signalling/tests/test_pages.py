"""The signal pages without a browser: the form, its errors, the advice and the receipt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from samen.cases.models import Case
from samen.signalling.models import Indicator, Signal


def form_data(**extra: str) -> dict[str, str]:
    ind = Indicator.objects.filter(
        signal_list__code="hospitality", acute=False, concerns_minor=False
    ).first()
    return {
        f"ind_{ind.code}": "on",
        "observed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "municipality": "GM0344",
        "gender": "female",
        "age_band": "23-29",
        **extra,
    }


def test_recording_a_signal_shows_the_advice_and_a_receipt_not_the_case(web_for):
    # Was: ..._shows_the_advice_and_the_case. The case number told a signaller whether the
    # person was known (issue #12): the signaller now gets a receipt.
    client = web_for("demo-professional")
    response = client.post("/signalen/nieuw/hospitality/", form_data(), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="advice"' in html
    case = Case.objects.get()
    assert case.number not in html
    assert Signal.objects.get().receipt in html
    listing = client.get("/zaken/").content.decode()
    assert case.number not in listing  # the signaller reaches the signal, never the case
    assert client.get(f"/zaken/{case.number}/").status_code == 404


def test_the_form_shows_field_errors_and_saves_nothing(web_for):
    client = web_for("demo-professional")
    data = form_data(observed_on="2999-01-01", municipality="")
    response = client.post("/signalen/nieuw/hospitality/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and 'id="id_municipality_error"' in html
    assert Signal.objects.count() == 0


def test_no_indicator_ticked_is_an_error(web_for):
    client = web_for("demo-professional")
    data = {k: v for k, v in form_data().items() if not k.startswith("ind_")}
    response = client.post("/signalen/nieuw/hospitality/", data)
    assert response.status_code == 400
    assert Signal.objects.count() == 0


def test_a_linked_signal_is_not_announced_to_the_signaller(web_for):
    # Was: test_a_linked_signal_is_announced, which encoded the oracle of issue #12.
    client = web_for("demo-professional")
    person = {"name": "Synthetische Persoon", "date_of_birth": "1991-03-04", "nationality": "RO"}
    client.post("/signalen/nieuw/hospitality/", form_data(**person))
    response = client.post("/signalen/nieuw/hospitality/", form_data(**person), follow=True)
    number = Case.objects.get().number
    assert number not in response.content.decode()
    assert Signal.objects.filter(linked_to_existing=True).count() == 1


@pytest.mark.parametrize("path", ["/signalen/nieuw/", "/signalen/nieuw/general/", "/signalen/"])
def test_main_pages_render_for_the_professional(web_for, path):
    assert web_for("demo-professional").get(path).status_code == 200

"""The case pages without a browser: signing in, scoping, filters, headers."""

import pytest


def test_signed_out_users_are_sent_to_the_login_page(client, db):
    response = client.get("/zaken/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_region_coordinator_sees_the_professionals_case(web_for, record):
    number = record().case.number
    assert number in web_for("demo-coordinator").get("/zaken/").content.decode()


def test_case_filters_work_without_javascript(web_for, record):
    record(forms=["sexual"])
    record(forms=["labour"])
    client = web_for("demo-coordinator")
    html = client.get("/zaken/?form=labour").content.decode()
    assert html.count('<th scope="row">') == 1


def test_programme_staff_cannot_open_the_case_list(web_for):
    assert web_for("demo-programme").get("/zaken/").status_code == 403


def test_other_regions_case_is_not_found(web_for, record):
    number = record().case.number
    assert web_for("demo-coordinator-noord").get(f"/zaken/{number}/").status_code == 404


def test_pages_with_personal_data_are_not_cached_and_have_a_csp(web_for, record):
    number = record().case.number
    response = web_for("demo-coordinator").get(f"/zaken/{number}/")
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/zaken/"])
def test_main_pages_render_for_the_professional(web_for, path):
    assert web_for("demo-professional").get(path).status_code == 200

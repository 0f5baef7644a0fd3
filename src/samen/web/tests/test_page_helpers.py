"""The page helpers every app's pages share (samen/pages.py)."""

from django.test import RequestFactory

from samen.pages import back_to, page_number


def test_a_page_number_that_is_not_a_positive_number_is_the_first_page():
    factory = RequestFactory()
    assert page_number(factory.get("/zaken/", {"page": "3"})) == 3
    assert page_number(factory.get("/zaken/")) == 1
    assert page_number(factory.get("/zaken/", {"page": "drie"})) == 1
    assert page_number(factory.get("/zaken/", {"page": "-4"})) == 1


def test_back_to_returns_to_the_block_the_user_acted_on():
    response = back_to("/zaken/SA-1/", "notes-title")
    assert response.status_code == 302
    assert response["Location"] == "/zaken/SA-1/#notes-title"

"""The shared web pages without a browser: the home page, the language switch."""

import pytest


def test_language_switch_changes_the_page_language(client, db):
    assert 'lang="nl"' in client.get("/account/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/account/login/"})
    assert 'lang="en"' in client.get("/account/login/").content.decode()


@pytest.mark.parametrize("path", ["/"])
def test_main_pages_render_for_the_professional(web_for, path):
    assert web_for("demo-professional").get(path).status_code == 200

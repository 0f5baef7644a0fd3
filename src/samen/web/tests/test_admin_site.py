"""The functional administrator's /admin/ administers what is theirs (issue #16, item 3):
organisations, memberships, users and (read-only) signal lists; never case data."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_functional_administrator_administers_organisations_and_memberships(web_for):
    client = web_for("demo-admin")
    index = client.get("/admin/")
    assert index.status_code == 200
    page = index.content.decode()
    for model in ("organisation", "membership", "signallist", "user"):
        assert f"/{model}/" in page, model
    for absent in ("/cases/", "/signal/", "/auditentry/", "/caseshare/"):
        assert absent not in page, absent
    assert client.get("/admin/organisations/organisation/").status_code == 200
    assert client.get("/admin/organisations/membership/add/").status_code == 200
    # Signal lists are versioned files: shown, not edited here.
    assert client.get("/admin/signalling/signallist/add/").status_code == 403


def test_other_roles_are_kept_out_of_the_admin(web_for):
    assert web_for("demo-coordinator").get("/admin/").status_code in (302, 403)

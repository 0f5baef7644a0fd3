"""A list request makes its view's throttles once (ADR 0105): the token check's count ahead and
the throttle check ask the same instances, and each allows the call once. The counts and the
refusal are the throttle's tests' (api/tests/test_throttling.py, test_list_lean_dispatch.py)."""

import pytest
from rest_framework import throttling as drf_throttling

from samen.api import throttling

pytestmark = pytest.mark.django_db


def test_one_set_of_throttles_per_request(api_for, world, monkeypatch):
    made, allowed = [], []
    init = drf_throttling.SimpleRateThrottle.__init__
    allow = throttling._Counted.allow_request

    def counting_init(self):
        made.append(type(self))
        init(self)

    def counting_allow(self, request, view):
        allowed.append(type(self))
        return allow(self, request, view)

    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "__init__", counting_init)
    monkeypatch.setattr(throttling._Counted, "allow_request", counting_allow)
    api = api_for("demo-registrar")
    for _ in range(2):
        made.clear()
        allowed.clear()
        assert api.get("/api/v1/cases/").status_code == 200
        assert sorted(map(str, made)) == sorted(map(str, set(made)))  # each class once
        assert sorted(map(str, allowed)) == sorted(map(str, made))  # each allowed once
        assert made

"""The label module gathers what the apps register (issue #22): it imports no app, and an app's
domain is labelled by what that app's labels.py registered."""

from __future__ import annotations

import sys

import pytest
from django.utils import translation

from samen import labels


@pytest.fixture
def scratch_domain():
    yield "scratch_domain_for_a_test"
    labels._SOURCES.pop("scratch_domain_for_a_test", None)


def test_a_registered_domain_is_labelled_and_a_later_source_wins_on_the_same_code(scratch_domain):
    labels.register_labels(scratch_domain, lambda: {"a": "first", "b": "bee"})
    labels.register_labels(scratch_domain, lambda: {"a": "second"})
    assert labels.label(scratch_domain, "a") == "second"
    assert labels.label(scratch_domain, "b") == "bee"
    assert labels.label(scratch_domain, "c") == "c"


def test_each_app_registers_its_own_domains_found_in_its_labels_module():
    registered_by = {
        "urgency": "samen.shelter.labels",
        "case_status": "samen.cases.labels",
        "path_state": "samen.identification.labels",
        "role": "samen.organisations.labels",
    }
    labels.domains()
    for domain, module in registered_by.items():
        assert domain in labels._SOURCES
        assert module in sys.modules
    # The statistics' age classes come after the case's age bands (INSTALLED_APPS order).
    with translation.override("en"):
        assert labels.label("age_band", "unknown") == "Age unknown"

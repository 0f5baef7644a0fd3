"""A register loaded before path v4 gets the prosecution-decisions category and its rules."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from samen.core.models import DataCategory, ProcessingRule

pytestmark = pytest.mark.django_db
migration = importlib.import_module("samen.core.migrations.0008_prosecution_decisions_category")


def test_an_earlier_register_gets_the_category_for_investigation_and_the_ind(world):
    ProcessingRule.objects.filter(category__code="prosecution_decisions").delete()
    DataCategory.objects.filter(code="prosecution_decisions").delete()
    editor = SimpleNamespace(connection=SimpleNamespace(alias=connection.alias))
    migration.forwards(apps, editor)
    migration.forwards(apps, editor)  # twice: nothing doubles
    rules = ProcessingRule.objects.filter(category__code="prosecution_decisions")
    assert sorted(rules.values_list("organisation_type", "purpose__code")) == [
        ("ind", "residence"),
        ("kmar", "investigation"),
        ("labour_inspectorate", "investigation"),
        ("police", "investigation"),
    ]  # the OM has its own prosecution grant since sharing 0009 (ADR 0037), not investigation

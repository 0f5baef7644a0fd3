"""Migration sharing 0006 moves a register loaded before ADR 0017 onto the IND's own residence
grant, without overwriting what the privacy officer changed."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from samen.core.models import DataCategory, ProcessingRule, Purpose, RolePurpose
from samen.core.register import purposes_of_role

pytestmark = pytest.mark.django_db

migration = importlib.import_module("samen.core.migrations.0006_ind_residence_purpose")
OLD_BASIS = "AVG art. 6 lid 1 sub c en e; art. 9 lid 2 sub g"


def _as_before(extra_purpose: str = "") -> None:
    """The register as the file loaded it before: the IND officer under identification, the IND
    in the identification grant (with exploitation), no residence purpose."""
    ProcessingRule.objects.filter(purpose__code="residence").delete()
    RolePurpose.objects.filter(purpose__code="residence").delete()
    Purpose.objects.filter(code="residence").delete()
    identification = Purpose.objects.get(code="identification")
    RolePurpose.objects.create(role="ind_officer", purpose=identification, order=0)
    if extra_purpose:
        RolePurpose.objects.create(
            role="ind_officer", purpose=Purpose.objects.get(code=extra_purpose), order=1
        )
    for code in ("identity", "exploitation", "immigration"):
        ProcessingRule.objects.create(
            organisation_type="ind",
            purpose=identification,
            category=DataCategory.objects.get(code=code),
            legal_basis=OLD_BASIS,
            retention_days=1825,
        )


def _migrate() -> None:
    migration.forwards(apps, SimpleNamespace(connection=connection))


def test_an_untouched_register_moves_the_ind_onto_residence(world):
    _as_before()
    _migrate()
    assert purposes_of_role("ind_officer") == ["residence"]
    assert not ProcessingRule.objects.filter(
        organisation_type="ind", purpose__code="identification"
    )
    granted = set(
        ProcessingRule.objects.filter(
            organisation_type="ind", purpose__code="residence"
        ).values_list("category__code", flat=True)
    )
    assert granted == {"identity", "demographics", "immigration", "minors"}
    _migrate()  # twice is harmless
    assert (
        ProcessingRule.objects.filter(organisation_type="ind", purpose__code="residence").count()
        == 4
    )


def test_the_privacy_officers_edit_of_the_ind_role_is_kept(world):
    _as_before(extra_purpose="statistics")
    _migrate()
    assert purposes_of_role("ind_officer") == ["identification", "statistics"]
    assert ProcessingRule.objects.filter(organisation_type="ind", purpose__code="identification")
    assert Purpose.objects.filter(code="residence").exists()  # there for the officer to assign

"""Migrations sharing 0009 and organisations 0004 give the OM its own purpose, grant and role in
a database loaded before them, without overwriting what the privacy officer changed."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from samen.core.models import DataCategory, ProcessingRule, Purpose, RolePurpose
from samen.core.register import grants_for, purposes_of_role
from samen.organisations.models import Membership

pytestmark = pytest.mark.django_db

register_migration = importlib.import_module(
    "samen.core.migrations.0009_prosecution_purpose_prosecutor"
)
role_migration = importlib.import_module("samen.organisations.migrations.0004_role_prosecutor")
EDITOR = SimpleNamespace(connection=connection)
INVESTIGATION = {"identity", "contact", "demographics", "criminal", "prosecution_decisions",
                 "exploitation", "immigration", "location", "minors", "free_text"}  # fmt: skip


def _as_before() -> None:
    """The register as the file loaded it before: the OM in the police's investigation grant,
    no prosecution purpose, no prosecutor role."""
    ProcessingRule.objects.filter(purpose__code="prosecution").delete()
    RolePurpose.objects.filter(role="prosecutor").delete()
    Purpose.objects.filter(code="prosecution").delete()
    for rule in ProcessingRule.objects.filter(
        organisation_type="police", purpose__code="investigation"
    ):
        ProcessingRule.objects.create(
            organisation_type="prosecution",
            purpose=rule.purpose,
            category=rule.category,
            legal_basis=rule.legal_basis,
            sector_law=rule.sector_law,
            retention_days=rule.retention_days,
            share_with=rule.share_with,
        )


def test_an_untouched_register_gives_the_om_the_prosecution_grant_only(world):
    _as_before()
    assert set(grants_for("prosecution", "investigation")) == INVESTIGATION
    register_migration.forwards(apps, EDITOR)
    assert purposes_of_role("prosecutor") == ["prosecution"]
    assert set(grants_for("prosecution", "prosecution")) == {
        "identity",
        "demographics",
        "criminal",
        "prosecution_decisions",
        "immigration",
    }
    assert grants_for("prosecution", "investigation") == {}
    register_migration.forwards(apps, EDITOR)  # twice is harmless
    assert ProcessingRule.objects.filter(purpose__code="prosecution").count() == 5
    register_migration.backwards(apps, EDITOR)
    assert set(grants_for("prosecution", "investigation")) == INVESTIGATION
    assert not Purpose.objects.filter(code="prosecution").exists()


def test_a_rule_the_privacy_officer_changed_is_kept(world):
    _as_before()
    kept = ProcessingRule.objects.get(
        organisation_type="prosecution", purpose__code="investigation", category__code="criminal"
    )
    kept.legal_basis = "eigen grondslag van de privacy officer"
    kept.save()
    register_migration.forwards(apps, EDITOR)
    assert set(grants_for("prosecution", "investigation")) == {"criminal"}
    assert DataCategory.objects.filter(code="health").exists()
    assert "health" not in grants_for("prosecution", "prosecution")


def test_the_oms_investigators_become_prosecutors_and_back(world):
    om = Membership.objects.get(user__username="demo-om")
    police = Membership.objects.get(user__username="demo-investigator")
    Membership.objects.filter(pk=om.pk).update(role="investigator")
    role_migration.forwards(apps, EDITOR)
    assert Membership.objects.get(pk=om.pk).role == "prosecutor"
    assert Membership.objects.get(pk=police.pk).role == "investigator"  # the police stay
    role_migration.backwards(apps, EDITOR)
    assert Membership.objects.get(pk=om.pk).role == "investigator"
    assert Membership.objects.get(pk=police.pk).role == "investigator"

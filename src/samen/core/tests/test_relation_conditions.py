"""The access core's relation table names its conditions; the apps that own the data register
them (identification, shelter). A missing one is a start-up error, not a failed case read."""

from samen.core import checks, policy


def test_every_relation_in_the_table_has_its_condition_registered():
    assert checks.relation_conditions_registered() == []
    assert {r.condition for r in policy.RELATIONS} <= policy.CONDITIONS.keys()


def test_a_relation_without_its_condition_fails_the_system_check(monkeypatch):
    monkeypatch.delitem(policy.CONDITIONS, "its_resident")
    errors = checks.relation_conditions_registered()
    assert [e.id for e in errors] == ["samen_core.E001"]
    assert "its_resident" in errors[0].msg

"""Retention proven with canaries: every marker of a person past the period is gone from the whole
database, and every marker of a person within it, or with a case still open, is still there.
Past every period nothing links to the person any more either (case number, reference, rows)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone, translation

from samen.cases.models import Case, Person
from samen.core import audit
from samen.core.actor import Actor
from samen.core.models import AuditEntry, DataCategory, ProcessingRule
from samen.sharing import retention
from samen.sharing.tests.canary import (
    database_text,
    links_left,
    links_of,
    seed_person,
    structural_facts,
)


@pytest.fixture
def three_people(world):
    longest = max(retention.periods().values())
    now = timezone.now()
    past = now - timedelta(days=longest + 1)
    return {
        "past": seed_person("past", closed=[past, past - timedelta(days=400)]),
        "within": seed_person("within", closed=[now - timedelta(days=10)]),
        "open": seed_person("open", closed=[past, None]),
    }


def _run(now=None):
    now = now or timezone.now()
    return retention.apply(steps=retention.plan(now=now), actor=Actor(None, None, "test"), now=now)


def test_retention_leaves_nothing_of_a_closed_person_and_everything_of_the_others(
    three_people,
):
    before = database_text()
    links = {name: links_of(canary) for name, canary in three_people.items()}
    for name, canary in three_people.items():
        missing = [k for k, v in canary.markers.items() if v not in before]
        assert not missing, missing  # the seed itself must be findable
        assert all(links[name].rows.values())  # every kind of row is seeded
    _run()
    after = database_text()
    past = three_people["past"]
    left = sorted(k for k, v in past.markers.items() if v in after)
    assert not left, f"still held after the retention period: {left}"
    assert not any(structural_facts(past).values()), structural_facts(past)
    assert not links_left(links["past"]), links_left(links["past"])
    for name in ("within", "open"):
        canary = three_people[name]
        gone = sorted(k for k, v in canary.markers.items() if v not in after)
        assert not gone, f"removed from the {name} person: {gone}"
        assert all(structural_facts(canary).values()), structural_facts(canary)
        kept = links_left(links[name])
        expected = {f"{t}.id -> {t}" for t, ids in links[name].rows.items() if ids}
        assert expected <= set(kept), expected - set(kept)  # every row of theirs is still there
        numbers = {k for k in links[name].texts if k.startswith("case.number")}
        assert numbers <= set(kept)  # and the case numbers
        assert {"person.ref", "person.ref.hex"} & set(kept)  # and the reference (as stored)


def test_the_audit_trail_outlives_the_skeleton_and_still_verifies(three_people):
    _run()
    numbers = {c.number for c in three_people["past"].cases}
    # Kept under the audit's own retention: the chain names the numbers, which now point to
    # nothing; the subject index is part of what verify checks, so it stays too.
    indexed = audit.cases_of(AuditEntry.objects.all())
    assert numbers <= indexed
    entry = AuditEntry.objects.get(action="case.retention", fields=[retention.SKELETON])
    assert set(entry.detail["cases"]) == numbers and entry.detail["persons"] == 1
    assert audit.verify().ok  # chain and subject index alike
    assert not any(v in database_text() for v in three_people["past"].markers.values())


def test_the_skeleton_waits_while_the_statistics_may_still_publish_a_period_counting_it(
    world, capsys
):
    longest = max(retention.periods().values())
    now = timezone.now()
    past = now - timedelta(days=longest + 1)
    last_year = timezone.make_aware(datetime(timezone.localdate(now).year - 1, 6, 1))
    counted = seed_person("counted", closed=[past], at=last_year)
    links = links_of(counted)
    steps = retention.plan(now=now)
    skeleton = next(s for s in steps if s.category == retention.SKELETON)
    assert skeleton.person_ids == [] and skeleton.waiting == 1
    with translation.override("nl"):
        call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Zaakskelet: personen voorbij elke termijn die wachten zolang de statistiek" in out
    _run(now)
    after = database_text()
    assert not [k for k, v in counted.markers.items() if v in after]  # every category went
    assert Person.objects.filter(pk=counted.person.pk).exists()  # the skeleton waits
    # Once that period can no longer be released, it goes.
    _run(now + timedelta(days=6 * 366))
    assert not links_left(links), links_left(links)


def test_the_periods_the_statistics_may_release_are_counted_from_amsterdams_date(world, settings):
    """At 00:30 on New Year's Day in Amsterdam it is still 31 December in UTC. The statistics
    offer last year (Amsterdam's) from then on, so a person counted only the year before that
    no longer waits for them; the UTC date held the skeleton a year too long."""
    settings.SAMEN_STATISTICS_PERIODS = {"years": 1, "provisional": False}
    now = datetime(2027, 12, 31, 23, 30, tzinfo=UTC)  # 2028-01-01 00:30 in Amsterdam
    longest = max(retention.periods().values())
    past = now - timedelta(days=longest + 1)
    counted = seed_person("counted", closed=[past], at=datetime(2026, 6, 1, 12, tzinfo=UTC))
    skeleton = next(s for s in retention.plan(now=now) if s.category == retention.SKELETON)
    assert skeleton.person_ids == [counted.person.pk] and skeleton.waiting == 0


def test_every_row_that_protects_a_case_is_deleted_before_it(world):
    """A model added later with a protecting foreign key to the person's rows must be named in
    the skeleton's delete order, or the skeleton could never go."""
    for target in retention.skeleton().targets:
        retention._rows(target, [1]).exists()  # every lookup in the data file resolves
    named = {t.model for t in retention.skeleton().targets}
    owned = {apps.get_model(m) for m in named}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if not (f.concrete and f.is_relation and f.many_to_one) or f.related_model not in owned:
                continue
            if f.remote_field.on_delete in (models.PROTECT, models.RESTRICT):
                assert model._meta.label in named, (model._meta.label, f.name)


def test_every_category_the_register_keeps_has_a_treatment_on_real_fields(world):
    kept = set(ProcessingRule.objects.values_list("category__code", flat=True))
    treatments = retention.treatments()
    assert kept <= set(treatments), kept - set(treatments)
    assert set(treatments) <= set(DataCategory.objects.values_list("code", flat=True))
    for treatment in treatments.values():
        assert treatment.targets and treatment.description_nl and treatment.description_en
        for target in treatment.targets:
            model = target.model_class
            names = {f.name for f in model._meta.get_fields()} | {"pk"}
            touched = {f.split(".")[0] for f in target.fields()} - {"*"}
            assert touched <= names, (target.model, touched - names)
            model.objects.filter(**{f"{target.person}__isnull": False}, **target.where).exists()


def test_a_category_is_treated_only_after_its_own_period(three_people):
    # criminal data is kept for 5 years, the rest for 20: between the two only criminal goes
    criminal = max(
        ProcessingRule.objects.filter(category__code="criminal").values_list(
            "retention_days", flat=True
        )
    )
    now = timezone.now()
    within = three_people["within"]
    later = now + timedelta(days=criminal)
    _run(later)
    after = database_text()
    assert not [k for k, v in within.of("criminal").items() if v in after]
    assert all(v in after for k, v in within.markers.items() if not k.startswith("criminal:"))


def test_a_second_run_finds_nothing_left_and_each_run_is_audited(three_people):
    first = _run()
    assert sum(first.values()) > 0
    entries = AuditEntry.objects.filter(action="case.retention")
    categories = {e.fields[0] for e in entries}
    assert categories == set(first)
    past_numbers = {c.number for c in three_people["past"].cases}
    for entry in entries:
        assert set(entry.detail["cases"]) == past_numbers
        assert entry.purpose == "retention" and entry.result == "ok"
    assert _run() == {}
    assert AuditEntry.objects.filter(action="case.retention").count() == len(categories)


def test_dry_run_counts_per_category_in_dutch_and_changes_nothing(three_people, capsys):
    before = database_text()
    with translation.override("nl"):
        call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    lines = {line.split(" (")[0]: line for line in out.splitlines() if line.strip()}
    names = dict(DataCategory.objects.values_list("name_nl", "code"))
    assert set(retention.treatments()) <= {names.get(n) for n in lines}
    health = lines["Gezondheid"]
    assert "bewaartermijn 7300 dagen" in health and "personen: 1," in health
    assert "zouden worden verwijderd" in health and "proefdraai" in health
    assert "personen: 1, zaken: 2," in lines["Zaakskelet"]
    assert "Online gegevens" in lines
    assert "category" not in out and "records" not in out  # no English, no codes
    for canary in three_people.values():
        for value in canary.markers.values():
            assert value not in out  # counts only, never the data
    assert database_text() == before
    assert not AuditEntry.objects.filter(action="case.retention").exists()


def test_a_case_reopened_after_the_plan_stops_the_run_for_that_person(three_people):
    now = timezone.now()
    steps = retention.plan(now=now)
    past = three_people["past"]
    assert any(past.person.pk in s.person_ids for s in steps)
    Case.objects.filter(pk=past.cases[0].pk).update(status="in_assessment")
    before = database_text()
    retention.apply(steps=steps, actor=Actor(None, None, "test"), now=now)
    after = database_text()
    assert all(v in after for v in past.markers.values() if v in before)

"""A query compiled once (samen.core.statements, ADR 0057): its slots and the clock are read at
each call; a parameter that varies in any other way refuses the template."""

from datetime import timedelta

from django.utils import timezone

from samen.core import statements
from samen.core.models import EmergencyAccess, ThrottleCount


def test_a_template_reads_its_slot_and_the_clock_at_each_call(db):
    def build(values):
        return ThrottleCount.objects.filter(key=values["key"]).values("key", "hits")

    template = statements.compile_template(build, ({"key": "probe-a"}, {"key": "probe-b"}))
    assert template is not None and [name for _pos, name in template.slots] == ["key"]
    ThrottleCount.objects.create(key="k1", period=0, hits=3)
    assert template.dicts({"key": "k1"}) == [{"key": "k1", "hits": 3}]
    assert template.dicts({"key": "k2"}) == []
    expiring = statements.compile_template(
        lambda _v: EmergencyAccess.objects.filter(expires_at__gt=timezone.now()).values("pk"),
        ({}, {}),
    )
    assert expiring is not None and [n for _p, n in expiring.slots] == [statements.NOW]


def test_a_time_derived_from_the_clock_is_not_taken_for_the_clock(db):
    def build(_values):
        return EmergencyAccess.objects.filter(expires_at__gt=timezone.now() - timedelta(days=1))

    assert statements.compile_template(build, ({}, {})) is None


def test_the_cache_compiles_a_key_once_and_forgets_the_oldest(db):
    cache = statements.TemplateCache(size=2)
    made = []
    for key in ("a", "b", "a", "c", "b"):
        cache.get(key, lambda key=key: made.append(key))
    assert made == ["a", "b", "c", "b"] and len(cache) == 2

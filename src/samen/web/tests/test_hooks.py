"""Hooks (samen/hooks.py, ADR 0053): a lower app calls a higher app's code by a declared name;
a hook nobody provides fails start-up, not the first request that calls it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured

from samen import hooks


@pytest.fixture
def declared() -> Iterator[list[hooks.Hook | hooks.Sources]]:
    made: list[hooks.Hook | hooks.Sources] = []
    yield made
    for hook in made:
        hooks._DECLARED.remove(hook)


def test_every_hook_the_apps_declare_is_provided_once_the_apps_are_ready():
    names = {h.name for h in hooks._DECLARED}
    assert {"signals_of_case", "minor_signalled", "deadline_sources", "case_share_create"} <= names
    assert hooks.unprovided() == []
    assert hooks.hooks_provided() == []


def test_a_hook_without_a_provider_fails_the_system_check_and_the_call(declared):
    declared.append(hooks.Hook("nobody_provides_this"))
    [error] = hooks.hooks_provided()
    assert error.id == "samen.E001" and "nobody_provides_this" in error.msg
    with pytest.raises(ImproperlyConfigured):
        declared[0]()


def test_a_hook_has_one_provider_and_sources_answer_in_order(declared):
    hook: hooks.Hook = hooks.Hook("one")
    sources: hooks.Sources = hooks.Sources("many")
    declared += [hook, sources]
    hook.provide(lambda x: x + 1)
    with pytest.raises(ImproperlyConfigured):
        hook.provide(lambda x: x + 2)
    assert hook(1) == 2
    sources.provide(lambda: "first")
    sources.provide(lambda: "second")
    assert sources() == ["first", "second"]

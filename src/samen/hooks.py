"""Hooks: how an app low in the stack calls the code of an app above it without importing it.

The apps stack (docs/architecture.md, `.importlinter`): cases below signalling below
identification below shelter below sharing. Sometimes a lower app's use case needs a higher
app's data: a case's page shows its signals, a merge moves them, a minor's signal tells the
guardian, a work queue lists shelter holds beside the path's deadlines. The lower app then
*declares* a hook in its ``hooks.py`` (what it needs, by name) and calls it; the app that owns
the data *provides* it in its ``providers.py``, imported from its ``AppConfig.ready()``.

- ``Hook``: exactly one provider, called like the function it stands for.
- ``Sources``: any number of providers (at least one), each called in the order the apps are
  installed; the caller gets their answers as a list (the deadline sources of a work queue).

A hook that nobody provides fails start-up (system check ``samen.E001``) rather than the first
request that calls it, the way the access core checks its relation conditions. This module
imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

P = ParamSpec("P")
R = TypeVar("R")

_DECLARED: list[Hook[Any, Any] | Sources[Any, Any]] = []


class Hook(Generic[P, R]):
    """One function that the app owning the data provides."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.provider: Callable[P, R] | None = None
        _DECLARED.append(self)

    def provide(self, fn: Callable[P, R]) -> Callable[P, R]:
        if self.provider is not None and _key(self.provider) != _key(fn):
            raise ImproperlyConfigured(f"hook {self.name!r} is provided twice")
        self.provider = fn
        return fn

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.provider is None:
            raise ImproperlyConfigured(f"hook {self.name!r} has no provider")
        return self.provider(*args, **kwargs)

    @property
    def provided(self) -> bool:
        return self.provider is not None


class Sources(Generic[P, R]):
    """Functions that several apps may provide; calling it asks each, in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.providers: list[Callable[P, R]] = []
        _DECLARED.append(self)

    def provide(self, fn: Callable[P, R]) -> Callable[P, R]:
        self.providers = [p for p in self.providers if _key(p) != _key(fn)] + [fn]
        return fn

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        if not self.providers:
            raise ImproperlyConfigured(f"hook {self.name!r} has no provider")
        return [p(*args, **kwargs) for p in self.providers]

    @property
    def provided(self) -> bool:
        return bool(self.providers)


def _key(fn: Callable[..., Any]) -> tuple[str, str, int]:
    # The same function even when its module is imported again (a new function object).
    code = getattr(fn, "__code__", None)
    return (fn.__module__, fn.__qualname__, code.co_firstlineno if code else 0)


def unprovided() -> list[str]:
    """The names of the declared hooks that no app provides."""
    return sorted(h.name for h in _DECLARED if not h.provided)


@checks.register()
def hooks_provided(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"hook {name!r} has no provider",
            hint="provide it in the owning app's providers.py, imported from its ready()",
            id="samen.E001",
        )
        for name in unprovided()
    ]

"""System checks of the access core: every relation in the policy's table has its condition."""

from __future__ import annotations

from django.core import checks

from samen.core.policy import CONDITIONS, RELATIONS


@checks.register()
def relation_conditions_registered(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    # A relation whose app did not register its condition would raise at the first case read;
    # say so at start-up instead.
    missing = sorted({r.condition for r in RELATIONS} - CONDITIONS.keys())
    return [
        checks.Error(
            f"relation condition {name!r} is not registered",
            hint="register it with samen.core.policy.relation_condition in the owning app",
            id="samen_core.E001",
        )
        for name in missing
    ]

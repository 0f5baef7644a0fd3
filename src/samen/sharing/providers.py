"""What sharing provides to the apps below it (samen.hooks, cases/hooks.py): a share of a
case, which the shelter's acceptance and the identification demo make. Imported from
SharingConfig.ready()."""

from __future__ import annotations

from samen.cases import hooks as case_hooks
from samen.sharing.services import share_create

case_hooks.case_share_create.provide(share_create)

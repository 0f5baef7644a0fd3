"""What the case register needs from the apps above it (samen.hooks): the signals on a case,
which the case page shows and a merge or split moves, and a share of a case, which the shelter's
acceptance and the demo data make. Provided by signalling and sharing in their providers.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from samen.hooks import Hook

if TYPE_CHECKING:
    from samen.cases.models import Case

# signals_of_case(*, actor, case, access) -> the signals the reader may see, as dicts.
signals_of_case: Hook[..., list[dict[str, object]]] = Hook("signals_of_case")
# signal_ids_of_case(case) -> the primary keys of the case's signals.
signal_ids_of_case: Hook[[Case], list[int]] = Hook("signal_ids_of_case")
# signals_move(ids, to) -> None: the signals join another case (in the caller's transaction).
signals_move: Hook[[list[int], Case], None] = Hook("signals_move")
# case_share_create(*, actor, case, recipient, purpose, categories, reason) -> the CaseShare.
case_share_create: Hook[..., Any] = Hook("case_share_create")

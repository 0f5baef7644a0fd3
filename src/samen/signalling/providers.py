"""What signalling provides to the case register below it (samen.hooks, cases/hooks.py): the
case page's signals, and moving signals when cases are merged or split. Imported from
SignallingConfig.ready()."""

from __future__ import annotations

from samen.cases import hooks as case_hooks
from samen.cases.models import Case
from samen.signalling.models import Signal
from samen.signalling.selectors import signals_of_case

case_hooks.signals_of_case.provide(signals_of_case)


@case_hooks.signal_ids_of_case.provide
def signal_ids_of_case(case: Case) -> list[int]:
    return list(Signal.objects.filter(case=case).values_list("pk", flat=True))


@case_hooks.signals_move.provide
def signals_move(ids: list[int], to: Case) -> None:
    Signal.objects.filter(pk__in=ids).update(case=to)

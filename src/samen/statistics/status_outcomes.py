"""Which identification outcomes an HTCDS victim status can stand for (issue #13 item 4).

The export's ``vic_TraffickingStatus`` is the status the path set; the published table
"Identification outcomes by year" counts paths by the outcome group of their current state
(``tables.OUTCOMES``). The two are related only through the path's rules, which are public:
a step into a state with an ``htcds_status`` sets that status when it outranks the one held,
the status is never cleared (a reopened or reassessed path keeps it), and the commission sets
any of its outcomes on a path in any state (it is convened on an open path and may decide
after the path has moved on), moving the path where its ``moves_path`` step applies.

So the outcomes a status can stand for are those of every (state, status) pair reachable
under the definitions the paths follow; an empty status may also be a case without a path
(``NO_PATH``), which no outcome cell counts. For the definitions shipped (versions 2 to 5):
an empty status is in assessment, no indication established, other route or closed (only in
assessment under versions 2 and 3), or has no path; every decided status can be in every
outcome. The mapping is partial for the empty status and many-to-many for the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from samen.identification.definitions import machine_of
from samen.identification.machine import STAY, Machine
from samen.identification.models import IdentificationPath, PathDefinition
from samen.statistics.tables import OUTCOMES, outcome_of

#: A case without a path: its status is empty, and it is in no outcome cell.
NO_PATH = "no_path"
ALL_OUTCOMES = frozenset(OUTCOMES)


def reachable(machine: Machine, commission: Mapping) -> set[tuple[str, str]]:
    """Every (state, status) a path under these rules can be in."""
    decisions = list(dict(commission.get("outcomes", {})).items())
    moves = dict(commission.get("moves_path", {}))
    seen: set[tuple[str, str]] = set()
    todo = [(machine.initial, "")]
    while todo:
        state, status = todo.pop()
        if (state, status) in seen:
            continue
        seen.add((state, status))
        for step in machine.next_steps(state):
            target = state if step.target == STAY else step.target
            new = machine.states[target].htcds_status
            todo.append((target, new if new and machine.outranks(new, status) else status))
        for name, decided in decisions:
            move = machine.transitions.get(moves.get(name, ""))
            todo.append((move.target if move and state in move.sources else state, decided))
    return seen


def status_outcomes(definitions: Iterable[tuple[Machine, Mapping]]) -> dict[str, frozenset[str]]:
    """Per status value the outcome groups (and ``NO_PATH``) a record with it may be in."""
    found: dict[str, set[str]] = {"": {NO_PATH}}
    for machine, commission in definitions:
        for state, status in reachable(machine, commission):
            found.setdefault(status, set()).add(outcome_of(state))
    return {status: frozenset(outcomes) for status, outcomes in found.items()}


def status_outcomes_in_use() -> dict[str, frozenset[str]]:
    """The mapping under the definitions the register's paths follow."""
    used = PathDefinition.objects.filter(
        pk__in=IdentificationPath.objects.values("definition_id")
    ).order_by("pk")
    return status_outcomes((machine_of(d), dict(d.body.get("commission", {}))) for d in used)

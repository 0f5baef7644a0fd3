"""The identification block on the case page: what of the path the case's reader may see."""

from typing import Any

from samen.cases.models import Case
from samen.core import policy
from samen.core.actor import Actor
from samen.identification.definitions import machine_of
from samen.identification.models import (
    IdentificationPath,
    PathDefinition,
)
from samen.identification.selectors.commission import commission_of
from samen.identification.selectors.path import (
    form_choices,
    language,
    path_get,
    present,
    reachable_states,
    read_fields,
)
from samen.identification.services import (
    current_definition,
)


def case_block_fields(*, actor: Actor, number: str) -> list[str]:
    """The audit fields the case page's identification block shows, for the page's one entry
    (the case read): the page calls this before case_get and case_block after it."""
    if not policy.allows(actor, "identification.read"):
        return []
    has_path = IdentificationPath.objects.filter(case__number=number).exists()
    return read_fields(actor, has_path=has_path)


def case_block(*, actor: Actor, case: Case) -> dict[str, Any] | None:
    """The identification part of the case page: the whole path as a timeline (each state done,
    current, still possible or not taken), the steps taken, the next steps with the
    organisations that take them, and which of them the signed-in user may take. None when the
    actor may not read identification data, so the case page simply leaves the block out.
    Not audited by itself: the page's case read names these fields (case_block_fields)."""
    if not policy.allows(actor, "identification.read"):
        return None
    data = path_get(actor=actor, case=case, audit_read=False)
    definition = (
        IdentificationPath.objects.filter(case=case).values_list("definition", flat=True).first()
    )
    machine = machine_of(
        PathDefinition.objects.get(pk=definition) if definition else current_definition()
    )
    lang = language()
    state = str(data["state"])
    steps = list(data.get("steps", []))
    visited = {s["source"] for s in steps} | {s["target"] for s in steps}
    reachable = reachable_states(machine, state) if state else set()
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    timeline = []
    for code, st in machine.states.items() if state and access else ():
        if not access.shows_path_state(code):
            continue  # a state of a category not granted is not named at all
        if code == state:
            status = "current"
        elif code in visited:
            status = "done"
        elif code in reachable:
            status = "possible"
        else:
            status = "not_taken"
        timeline.append({"code": code, "title": st.title.get(lang, code), "status": status})
    present(data, machine)
    form_choices(data)
    data["timeline"] = timeline
    data["steps"] = steps
    # The commission's members and outcome (the victim status) are identification data: shown
    # only where the reader's relation grants them, like every other field (deny by default).
    shows_commission = access is not None and access.shows("identification.commission")
    data["commission"] = commission_of(actor=actor, case=case) if shows_commission else None
    data["may_act"] = policy.allows(actor, "identification.transition")
    return data

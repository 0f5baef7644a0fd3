"""A scenario applied to the directory's beds: places added or removed by type and region, the
first-reception capacity scaled."""

from __future__ import annotations

import dataclasses
import math

from samen.capacity.engine.model import Scenario, Unit

#: Ids of units a scenario adds: far above any database id.
NEW_UNIT_BASE = 10**9


def apply_scenario(units: tuple[Unit, ...], scenario: Scenario) -> tuple[Unit, ...]:
    """The units as the scenario has them. Added beds form a new unit that copies the intake
    profile of the region's (else the country's) first unit of that type, so the matching
    engine treats them as it would a real place of that type there; removed beds come off the
    region's largest units of the type first."""
    beds = {u.place.id: u.beds for u in units}
    by_id = {u.place.id: u for u in units}
    if scenario.first_reception_factor != 1.0:
        for u in units:
            if u.first_reception:
                beds[u.place.id] = max(
                    0, math.floor(u.beds * scenario.first_reception_factor + 0.5)
                )
    added: list[Unit] = []
    for n, change in enumerate(scenario.changes):
        same_type = [u for u in units if u.place.type == change.place_type]
        here = [u for u in same_type if u.place.region == change.region]
        if change.delta > 0:
            template = (here or same_type or [None])[0]
            if template is None:
                raise ValueError(f"no place of type {change.place_type!r} to copy")
            place = dataclasses.replace(
                template.place,
                id=NEW_UNIT_BASE + n,
                name=f"scenario {change.place_type} {change.region}",
                region=change.region,
                province=template.place.province if here else "",
            )
            added.append(Unit(place, change.delta))
        else:
            left = -change.delta
            for u in sorted(here, key=lambda u: (-beds[u.place.id], u.place.id)):
                take = min(left, beds[u.place.id])
                beds[u.place.id] -= take
                left -= take
                if not left:
                    break
    return tuple(Unit(by_id[i].place, b) for i, b in beds.items()) + tuple(added)

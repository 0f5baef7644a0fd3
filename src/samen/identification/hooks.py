"""What the identification app needs from the shelter above it (samen.hooks): a held shelter
place is a deadline on the work queue and a reminder an hour before it lapses, and the lead
times count a placement. Provided by shelter/providers.py; the identification app never reads
the shelter's tables itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from samen.hooks import Hook, Sources

# deadline_sources(*, actor, today) -> deadline rows beside the path's own (dicts with case_id,
# case, kind, kind_display, due_on, due_at, days_left, organisation, minor, minor_estimated),
# unaudited: the work queue audits and filters them with the rest of the list.
deadline_sources: Sources[..., list[dict[str, Any]]] = Sources("deadline_sources")
# holds_expiring(*, now, until, excluded) -> the active holds that expire in (now, until] and
# whose id is not in `excluded` (a query of ids), soonest first, with referral.case and
# referral.organisation loaded.
holds_expiring: Hook[..., Any] = Hook("holds_expiring")
# placement_starts(case_ids) -> (case id, start) of every placement of those cases.
placement_starts: Hook[[list[int]], list[tuple[int, datetime]]] = Hook("placement_starts")

"""Writes of the analyst's screen: start and run a scan, mark a lead, send it into the chain,
compose and follow notices to platforms. Each checks the policy and writes the audit entry.

The engine is called through its public runner API only; its leads.json is read back like any
consumer reads it."""

from samen.online.services.intake import scan_sources, validate_source, validate_upload
from samen.online.services.leads import MARKABLE, lead_mark, lead_send
from samen.online.services.notices import (
    NEXT_NOTICE_STATUS,
    lead_urls,
    notice_reasons,
    notice_update,
    notices_compose,
    platform_of,
)
from samen.online.services.scans import (
    SCAN_TASK,
    cities_over_time,
    scan_run,
    scan_start,
)

__all__ = [
    "MARKABLE",
    "NEXT_NOTICE_STATUS",
    "SCAN_TASK",
    "cities_over_time",
    "lead_mark",
    "lead_send",
    "lead_urls",
    "notice_reasons",
    "notice_update",
    "notices_compose",
    "platform_of",
    "scan_run",
    "scan_sources",
    "scan_start",
    "validate_source",
    "validate_upload",
]

"""Case-level export in IOM HTCDS 2.0 field names: fresh pseudonyms, k-anonymous, and checked
against every earlier export of an overlapping population before it leaves.

Reads cases only through the statistics selector, which applies the register for the statistics
purpose: identity never reaches this module. The victim status and its decision-making
organisation come from the identification path. Each export gets a random key that is used for
its pseudonyms and then forgotten, and its rows leave in random order, so two exports cannot be
joined on a pseudonym or a row number; what is left to combine are the group counts, which
``kanon`` checks (see docs/adr on unjoinable exports).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from samen.core import audit, policy
from samen.core.actor import Actor
from samen.identification.selectors import victim_statuses
from samen.statistics.crosscheck import (
    View,
    checker,
    possible_forms,
    published_views,
    release_views,
)
from samen.statistics.disclosure import ProtectedRelease
from samen.statistics.kanon import (
    K_FLOOR,
    NOT_RELEASED,
    Column,
    ExportRefused,
    Finding,
    Recoding,
    Release,
    recode,
)
from samen.statistics.models import HtcdsExport
from samen.statistics.selectors import FORM_RANKS, cases_for_statistics
from samen.statistics.status_outcomes import ALL_OUTCOMES, status_outcomes_in_use

#: Advisory lock serialising exports (an arbitrary constant of this module).
LOCK_ID = 0x4854_4344_5345_5850 % (2**63)
#: The year of a case is the year it was opened in the Netherlands.
ZONE = ZoneInfo("Europe/Amsterdam")

PSEUDONYM = "samen_ExportPseudonym"
YEAR = "samen_RegistrationYear"
AGE = "samen_AgeBand"
GENDER = "prs_Gender"
NATIONALITY = "samen_NationalityGroup"
FORMS = "vic_TypeOfExploitation"
STATUS = "vic_TraffickingStatus"
DECIDED_BY = "vic_TraffickingStatusDecisionMakingOrg"
CASE_STATUS = "cas_Status"

GENDERS = {"female": "Feminine", "male": "Masculine", "other": "NonConforming"}
UNKNOWN_GENDER = "NonSpecifiedUnknown"
FORM_VALUES = {
    "sexual": "SexualExploitation",
    "labour": "ForcedLabour",
    "criminal": "Other",  # HTCDS 2.0 has no criminal exploitation; "Other" as the standard says
    "organ_removal": "OrganRemoval",
    "forced_begging": "ForcedBegging",
    "forced_marriage": "ForcedMarriage",
    "other": "Other",
}
CASE_STATUSES = {
    "signalled": "Active",
    "in_assessment": "Active",
    "in_care": "FollowUp",
    "closed": "Closed",
    # The statuses before the lifecycle (cases migration 0006), for rows counted before it.
    "in_progress": "Active",
    "referred": "FollowUp",
}
#: Age bands as registered, labelled with what they hold; then minor / adult.
AGE_BANDS = {
    "0-11": "0-11 years",
    "12-17": "12-17 years",
    "18-22": "18-22 years",
    "23-29": "23-29 years",
    "30-49": "30-49 years",
    "50+": "50 years or older",
}
UNKNOWN = "unknown"
MINOR, ADULT = "0-17 years", "18 years or older"
NATIONALITY_GROUPS = {"NL": "NL", "EU": "EU", "non_EU": "non-EU"}


def _minor_or_adult(value: str) -> str:
    if value in (AGE_BANDS["0-11"], AGE_BANDS["12-17"]):
        return MINOR
    return UNKNOWN if value == UNKNOWN else ADULT


def _not_released(_: str) -> str:
    return NOT_RELEASED


#: Every column that varies between records is a quasi-identifier; only the pseudonym, unique
#: per record and new per export, is not. There is no flag column: a column is released at one
#: level for all records, and the notes say which.
QUASI = (
    Column(YEAR, fixed=True),
    Column(AGE, steps=(_minor_or_adult, _not_released)),
    Column(GENDER),
    Column(NATIONALITY),
    Column(FORMS),
    Column(STATUS),
    Column(DECIDED_BY),
    Column(CASE_STATUS),
)
COLUMNS = (PSEUDONYM, *(c.name for c in QUASI))
#: What each column is in the terms of the published tables: a dimension the check against
#: them compares (``crosscheck.COMPARED``), or one no published table is cut by
#: (``crosscheck.NO_TABLE``). There is no region and no reporting organisation.
TABLE_DIMENSION = {YEAR: "year", AGE: "age", GENDER: "gender", NATIONALITY: "nationality",
                   FORMS: "form", STATUS: "status", DECIDED_BY: "decided_by",
                   CASE_STATUS: "case_status"}  # fmt: skip

#: What the notes say of each column: an HTCDS 2.0 field or not, and what it holds.
NOT_HTCDS = "not an HTCDS 2.0 field"
DESCRIPTIONS = {
    PSEUDONYM: (
        NOT_HTCDS,
        "pseudonym of the case in this export only: keyed with a random key that was "
        "forgotten after the export, so it matches nothing in any other export or the register",
    ),
    YEAR: (NOT_HTCDS, "calendar year in which the case was opened, in Europe/Amsterdam time"),
    AGE: (
        f"{NOT_HTCDS} (HTCDS has vic_AgeWhenTrafficked, an exact age, which is not released)",
        "age band of the person as registered: 0-11 years, 12-17 years, 18-22 years, "
        "23-29 years, 30-49 years, 50 years or older, unknown; coarsened: 0-17 years, "
        "18 years or older, unknown",
    ),
    GENDER: ("HTCDS 2.0", "gender as registered; other / non-binary is NonConforming"),
    NATIONALITY: (
        f"{NOT_HTCDS} (HTCDS has prs_Citizenship, ISO 3166 codes, which are not released)",
        "nationality group: NL, EU (another EU member state), non-EU, unknown",
    ),
    FORMS: (
        "HTCDS 2.0",
        "forms of exploitation, several separated by ';'; criminal exploitation, which HTCDS "
        "lacks, is Other; empty when none is recorded",
    ),
    STATUS: (
        "HTCDS 2.0",
        "victim status as set on the identification path; empty when the path has not decided",
    ),
    DECIDED_BY: (
        "HTCDS 2.0",
        "who decided the victim status (from the organisation that took the step on the "
        "identification path, or the commission); empty when undecided",
    ),
    CASE_STATUS: ("HTCDS 2.0", "case status: Active, FollowUp, Closed"),
}


class HtcdsRefused(Exception):
    """The export does not leave; the message says why (never personal data)."""


@dataclass(frozen=True)
class HtcdsExportResult:
    record: HtcdsExport
    rows: list[dict[str, str]]
    notes: str


def export_k(requested: int | None) -> int:
    """k from the configuration; a caller may ask for more, never for less, and the
    configuration itself may not go under the floor."""
    configured = int(settings.HTCDS_K)
    if configured < K_FLOOR:
        raise HtcdsRefused(
            f"SAMEN_HTCDS_K is {configured}, below the floor of {K_FLOOR}: no export leaves "
            "until the configuration is corrected."
        )
    if requested is not None and requested < configured:
        raise HtcdsRefused(
            f"k = {requested} is below the configured k = {configured} (SAMEN_HTCDS_K, floor "
            f"{K_FLOOR}): an export is never less protected than the configuration says."
        )
    return configured if requested is None else requested


def registration_year(opened_at: datetime) -> int:
    return opened_at.astimezone(ZONE).year


def pseudonym(number: str, key: bytes) -> str:
    return "HT-" + hmac.new(key, f"htcds-export|{number}".encode(), hashlib.sha256).hexdigest()[:16]


def to_record(row: dict, status: tuple[str, str]) -> dict[str, str]:
    """A case summary in HTCDS terms at level 0, without pseudonym."""
    forms = sorted({FORM_VALUES.get(f, "Other") for f in row.get("forms", [])})
    return {
        YEAR: str(registration_year(row["opened_at"])),
        AGE: AGE_BANDS.get(str(row.get("age_band", "")), UNKNOWN),
        GENDER: GENDERS.get(str(row.get("gender", "")), UNKNOWN_GENDER),
        NATIONALITY: NATIONALITY_GROUPS.get(str(row.get("nationality_group", "")), UNKNOWN),
        FORMS: ";".join(forms),
        STATUS: status[0],
        DECIDED_BY: status[1] if status[0] else "",
        CASE_STATUS: CASE_STATUSES.get(str(row.get("status", "")), "Active"),
    }


def _release_of(export: HtcdsExport) -> Release:
    groups = {tuple(str(v) for v in g[:-1]): int(g[-1]) for g in export.groups}
    label = f"HTCDS export {export.pk} of {timezone.localtime(export.exported_at):%Y-%m-%d}"
    return Release(tuple(export.columns), dict(export.levels), groups, export.k, label)


def _one_export_at_a_time() -> None:
    """Two exports checked at the same time would each miss the other: the second waits for
    the first to commit (PostgreSQL; SQLite writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def _earlier(first_year: int, last_year: int) -> list[Release]:
    """Every earlier export sharing a year with this one, restricted to the shared years."""
    releases = []
    for export in HtcdsExport.objects.select_for_update().filter(
        first_year__lte=last_year, last_year__gte=first_year
    ):
        shared = range(max(first_year, export.first_year), min(last_year, export.last_year) + 1)
        release = _release_of(export)
        if release.columns != tuple(c.name for c in QUASI):
            raise HtcdsRefused(
                f"{release.label} has other columns than this export; it cannot be checked "
                "against it, so nothing leaves until the export is brought in line."
            )
        releases.append(release.restricted(YEAR, [str(y) for y in shared]))
    return releases


def published_check(first_year: int, last_year: int, k: int) -> Callable[[Release], Finding | None]:
    """The check of a candidate export against the tables published for these years (see
    ``crosscheck``): no group the export allows may differ from a published cell by 1..k-1
    or equal a hidden one."""
    views = published_views(first_year, last_year, _TABLE_COLUMNS)
    return _checker(views, k)


#: The export's column of each table dimension it holds.
_TABLE_COLUMNS = {dimension: name for name, dimension in TABLE_DIMENSION.items()}


def _checker(views: list[View], k: int) -> Callable[[Release], Finding | None]:
    by_name = {c.name: c for c in QUASI}

    def lift(name: str, value: str, start: int, end: int) -> str:
        return by_name[name].lift(value, start, end)

    return checker(
        views,
        year=YEAR,
        lift=lift,
        k=k,
        forms=(FORMS, table_forms),
        outcomes=record_outcomes(status_outcomes_in_use()),
    )


def exports_against(release: ProtectedRelease, start: date, end: date) -> Finding | None:
    """The first finding of an export already handed out against a table release of
    ``start``..``end`` that has not left yet, or None. An export is checked against the
    tables published before it (``published_check``); tables published after it must be
    checked against it here, or the order of the two decides what a reader can difference
    (ADR 0129). The same views and judge, per export, on the years it shares. Holds the
    exports' lock until the caller's transaction ends, so an export taken meanwhile waits
    and is then checked against these tables."""
    _one_export_at_a_time()
    for export in HtcdsExport.objects.filter(
        first_year__lte=end.year, last_year__gte=start.year
    ).order_by("pk"):
        earlier = _release_of(export)
        if earlier.columns != tuple(c.name for c in QUASI):
            return Finding(f"{earlier.label} has other columns than exports have now", 0, {})
        years = (export.first_year, export.last_year)
        views = release_views(release, "these tables", *years, _TABLE_COLUMNS)
        if finding := _checker(views, export.k)(earlier):
            label = f"{earlier.label} against {finding.label}"
            return Finding(label, finding.difference, finding.view)
    return None


def record_outcomes(
    meanings: Mapping[str, frozenset[str]],
) -> Callable[[Mapping[str, int], Mapping[str, str]], frozenset[str]]:
    """The outcome groups a record may be in, from its victim status where released, else
    from who decided (empty exactly when the status is, as the notes say), else any.
    ``meanings``: per status the outcomes (``status_outcomes``)."""
    anything = frozenset().union(ALL_OUTCOMES, *meanings.values())
    decided = (
        frozenset().union(*(v for s, v in meanings.items() if s)) if len(meanings) > 1 else anything
    )

    def outcomes(levels: Mapping[str, int], record: Mapping[str, str]) -> frozenset[str]:
        if levels.get(STATUS) == 0:
            return meanings.get(record[STATUS], anything)
        if levels.get(DECIDED_BY) == 0:
            return decided if record[DECIDED_BY] else meanings.get("", anything)
        return anything

    return outcomes


#: Each HTCDS word of the forms column and the form codes it may stand for.
FORM_MEANINGS = {
    word: tuple(code for code, value in FORM_VALUES.items() if value == word)
    for word in set(FORM_VALUES.values())
}


def table_forms(value: str) -> frozenset[str]:
    """The forms of the published tables a record's forms column may stand for."""
    words = [word for word in value.split(";") if word]
    return possible_forms(words, FORM_MEANINGS, FORM_RANKS)


def build_export(
    rows: list[dict],
    *,
    statuses: dict[str, tuple[str, str]],
    k: int,
    earlier: list[Release],
    published: Callable[[Release], Finding | None] | None = None,
) -> tuple[Recoding, list[dict[str, str]]]:
    """The recoding and the rows as they leave: fresh pseudonyms, random order."""
    records = [to_record(r, statuses.get(str(r["number"]), ("", ""))) for r in rows]
    numbers = [str(r["number"]) for r in rows]
    # The records go in in case order so that held-back newcomers are the newest cases.
    indexed = [{**rec, "_n": str(i)} for i, rec in enumerate(records)]
    recoding = recode(indexed, columns=QUASI, k=k, earlier=earlier, published=published)
    key = secrets.token_bytes(32)  # used for this export only, never stored
    out = [
        {PSEUDONYM: pseudonym(numbers[int(r["_n"])], key), **{c.name: r[c.name] for c in QUASI}}
        for r in recoding.released
    ]
    del key
    out.sort(key=lambda r: r[PSEUDONYM])  # the order of a random key: no row order to match
    return recoding, out


def notes_text(
    *, record: HtcdsExport, recoding: Recoding, columns: tuple[Column, ...] = QUASI
) -> str:
    lines = [
        "HTCDS 2.0 case-level export (Samen)",
        f"Exported at: {timezone.localtime(record.exported_at):%Y-%m-%d %H:%M %Z}",
        f"Years: {record.first_year}-{record.last_year} (year of opening, Europe/Amsterdam)",
        f"k: {record.k} (every combination of the values of all columns except "
        f"{PSEUDONYM} occurs at least k times)",
        f"Records: {record.released}. Not in this file: records in groups smaller than k, and "
        "records new or changed since an earlier export by fewer than k in their group (they "
        "leave with a later export). How many is not said: a count that differs between two "
        "exports by a few would single those people out.",
        "Checked against: "
        + (", ".join(recoding.checked_against) or "no earlier export of these years"),
        "",
        "Columns:",
    ]
    levels = recoding.levels
    for name in COLUMNS:
        status, meaning = DESCRIPTIONS[name]
        column = next((c for c in columns if c.name == name), None)
        if column is None:
            level = "released"
        elif levels[name] == 0:
            level = "released as registered"
        elif levels[name] == column.top:
            level = "not released in this export (empty in every row)"
        else:
            level = "coarsened"
        lines.append(f"- {name}: {status}. {meaning}. {level}.")
    lines += [
        "",
        "Rows are in random order. An empty value means unknown or undecided where the column "
        "is released, and not released where the column is not released.",
    ]
    return "\n".join(lines) + "\n"


def _audit_refusal(actor: Actor, reason: str, years: tuple[int, int]) -> None:
    audit.record(
        actor,
        "htcds.export",
        object_type="htcds_export",
        object_id="*",
        result="refused",
        purpose=policy.purpose_of(actor),
        detail={"years": list(years), "reason": reason},
    )


def htcds_export_create(
    *,
    actor: Actor,
    first_year: int,
    last_year: int,
    k: int | None = None,
    reason: str = "",
) -> HtcdsExportResult:
    """One HTCDS export of the cases opened in ``first_year``..``last_year``: k from the
    configuration (a caller may only ask for more), checked against every earlier export of
    an overlapping population, recorded and audited before it is handed back."""
    if first_year > last_year:
        raise HtcdsRefused("the first year comes after the last year")
    if last_year > timezone.localdate().year:
        raise HtcdsRefused(f"{last_year} has not begun yet")
    try:
        k = export_k(k)
    except HtcdsRefused as exc:
        _audit_refusal(actor, str(exc), (first_year, last_year))
        raise
    # Raises PermissionDenied for anyone without the statistics purpose (and audits it).
    rows = [
        r
        for r in cases_for_statistics(actor=actor)
        if first_year <= registration_year(r["opened_at"]) <= last_year
    ]
    # The victim status belongs to the exploitation data the register grants for statistics.
    statuses = (
        victim_statuses([str(r["number"]) for r in rows])
        if "exploitation" in policy.grants(actor)
        else {}
    )
    refusal = ""
    with transaction.atomic():
        _one_export_at_a_time()
        earlier = _earlier(first_year, last_year)
        try:
            recoding, out = build_export(
                rows,
                statuses=statuses,
                k=k,
                earlier=earlier,
                published=published_check(first_year, last_year, k),
            )
        except ExportRefused as exc:
            refusal = f"Refused: {exc}. Try again when more has changed, or with other years."
        else:
            record = _record(actor, first_year, last_year, k, reason, recoding, out, len(earlier))
    if refusal:
        _audit_refusal(actor, refusal, (first_year, last_year))
        raise HtcdsRefused(refusal)
    return HtcdsExportResult(record, out, notes_text(record=record, recoding=recoding))


def _record(
    actor: Actor,
    first_year: int,
    last_year: int,
    k: int,
    reason: str,
    recoding: Recoding,
    out: list[dict[str, str]],
    checked: int,
) -> HtcdsExport:
    names = [c.name for c in QUASI]
    groups: dict[tuple[str, ...], int] = {}
    for r in out:
        key = tuple(r[n] for n in names)
        groups[key] = groups.get(key, 0) + 1
    record = HtcdsExport.objects.create(
        exported_at=timezone.now(),
        exported_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,
        organisation=actor.organisation,
        reason=reason[:200],
        first_year=first_year,
        last_year=last_year,
        k=k,
        columns=names,
        levels=recoding.levels,
        groups=[[*g, n] for g, n in sorted(groups.items())],
        released=len(out),
        withheld=recoding.withheld,
        held_back=recoding.held_back,
    )
    audit.record(
        actor,
        "htcds.export",
        object_type="htcds_export",
        object_id=str(record.pk),
        fields=names,
        purpose=policy.purpose_of(actor),
        detail={
            "years": [first_year, last_year],
            "k": k,
            "released": record.released,
            "withheld": record.withheld,
            "held_back": record.held_back,
            "reason": record.reason,
            "checked_against": checked,
        },
    )
    return record

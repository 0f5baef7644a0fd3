"""Reads of the case register, filtered by the policy and audited. Views and API call only these."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BinaryField, BooleanField, Q, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samen import labels
from samen.cases import crypto, hooks
from samen.cases.lifecycle import CLOSE_REASONS, REOPEN_REASONS
from samen.cases.models import Case, CaseEvent, CaseNote, ExploitationForm, Identity, Person
from samen.core import audit, policy, statements
from samen.core.actor import Actor
from samen.core.models import RegisterVersion
from samen.core.policy import CaseAccess
from samen.core.register import register_version
from samen.i18n import current_language, pick
from samen.organisations.models import Membership

MAX_PAGE_SIZE = 100
LIST_FIELDS = ("municipality", "region", "forms", "minor", "age_band", "gender")


@dataclass
class CaseFilters:
    status: str = ""
    form: str = ""  # exploitation form code
    region: str = ""  # safety region code
    municipality: str = ""  # CBS code
    minor: bool | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    number: str = ""
    mine_of: int | None = None  # a user id: only the cases this person is responsible for
    open_only: bool = False  # leave closed cases out (work queues)
    unassigned_at: int | None = None  # an organisation id: its cases with no responsible person

    def as_detail(self) -> dict[str, object]:
        # Filter values are codes and dates, never personal data, so they may go in the trail.
        return {k: str(v) for k, v in vars(self).items() if v not in ("", None)}


def case_by_number(*, actor: Actor, number: str, permission: str) -> Case:
    """The case with this number (spelled in any case, spaces trimmed), or 404.

    The one look-up of a case by its number for views, API views and services. A number that
    names no case answers exactly like a case out of reach, and is audited the same way: a
    refusal under `permission`. Whether the actor reaches an existing case is still the
    service's or selector's check (which audits it too)."""
    number = (number or "").strip().upper()
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise policy.not_visible(actor, permission, object_type="case", object_id=number)
    return case


def _visible_cases(actor: Actor) -> QuerySet[Case]:
    return Case.objects.filter(policy.case_filter(actor))


def _apply(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    if f.status:
        qs = qs.filter(status=f.status)
    if f.form:
        # By id, not by joining the forms table on its code: PostgreSQL then plans a smaller join.
        # The id is a scalar subquery (evaluated once, in the list's own query); an unknown code
        # gives NULL, which matches no case.
        form_id = ExploitationForm.objects.filter(code=f.form).values("pk")[:1]
        qs = qs.filter(forms=Subquery(form_id))
    if f.region:
        qs = qs.filter(region__code=f.region)
    if f.municipality:
        qs = qs.filter(municipality__code=f.municipality)
    if f.minor is not None:
        minor = Q(person__is_minor=True) | Q(identification_path__presumed_minor=True)
        qs = qs.filter(minor) if f.minor else qs.exclude(minor)
    if f.opened_from:
        qs = qs.filter(opened_at__date__gte=f.opened_from)
    if f.opened_to:
        qs = qs.filter(opened_at__date__lte=f.opened_to)
    if f.number:
        qs = qs.filter(number__icontains=f.number.strip())
    if f.mine_of is not None:
        qs = qs.filter(responsible_user_id=f.mine_of)
    if f.open_only:
        qs = qs.exclude(status="closed")
    if f.unassigned_at is not None:
        qs = qs.filter(responsible_organisation_id=f.unassigned_at, responsible_user__isnull=True)
    return qs


# The orders a case list may be sorted in (a work queue's columns); newest first by default.
ORDERS = {
    "new": ("-opened_at", "-id"),
    "old": ("opened_at", "id"),
    "ref": ("number",),
}


def case_search(
    *, actor: Actor, filters: CaseFilters, page: int = 1, per_page: int = 25, order: str = "new"
) -> Page:
    """One page of the cases the actor may reach, each presented with only its allowed fields
    (`page.object_list` holds dicts); one audit entry naming the cases shown. Numbered pages
    with an exact count, for the web list; the API pages by cursor (case_search_after)."""
    policy.require(actor, "case.read", object_type="case")
    ids = _apply(_visible_cases(actor), filters).order_by(*ORDERS.get(order, ORDERS["new"]))
    paginator = Paginator(ids.values_list("pk", flat=True), max(1, min(per_page, MAX_PAGE_SIZE)))
    result = paginator.get_page(page)
    page_ids = list(result.object_list)
    # Page the ids first, then load just those rows with their joins and reach: deep numbered
    # pages stay cheap.
    values = {v["pk"]: v for v in _row_values(actor, Case.objects.filter(pk__in=page_ids))}
    result.object_list = _present_and_audit(
        actor, filters, [values[pk] for pk in page_ids if pk in values]
    )
    return result


@dataclass(frozen=True)
class CaseCursor:
    """Where a page ends in the list's order (newest first): the next page starts after it."""

    opened_at: datetime
    id: int


@dataclass
class CaseKeysetPage:
    rows: list[dict[str, object]]
    next: CaseCursor | None
    count: int | None  # only when asked for; cached for COUNT_SECONDS


COUNT_SECONDS = 60


def case_search_after(
    *,
    actor: Actor,
    filters: CaseFilters,
    after: CaseCursor | None = None,
    per_page: int = 25,
    with_count: bool = False,
) -> CaseKeysetPage:
    """The page of reachable cases after a cursor, without counting them all: the cost does not
    grow with the number of cases or the depth of the page. The count, when asked for, is
    cached per actor, purpose, filters and register version for COUNT_SECONDS (ADR 0028)."""
    policy.require(actor, "case.read", object_type="case")
    size = max(1, min(per_page, MAX_PAGE_SIZE))
    found = _page_values(actor, filters, after, size + 1)
    more = len(found) > size
    found = found[:size]
    rows = _present_and_audit(actor, filters, found)
    return CaseKeysetPage(
        rows=rows,
        next=CaseCursor(found[-1]["opened_at"], found[-1]["pk"]) if more else None,
        count=_cached_count(actor, filters) if with_count else None,
    )


# The keys of a case as the API's list presents it, in the order it presents them: the fields
# of samen.cases.serializers.CaseSerializer (a test holds the two equal).
API_KEYS = (
    "number", "access", "status", "forms", "municipality", "region", "responsible_organisation",
    "opened_at", "minor", "minor_estimated", "age_is_estimate", "age_band", "gender",
    "nationality_group", "is_synthetic",
)  # fmt: skip

# The block of _summary each key of the API's row belongs to (a key shows only when its block
# does, and then only when the policy shows the key itself); a key not here is in no block.
_API_BLOCKS = {
    "forms": "forms",
    "municipality": "municipality",
    "region": "municipality",
    "minor": "gender",
    "minor_estimated": "gender",
    "age_is_estimate": "gender",
    "age_band": "gender",
    "gender": "gender",
    "nationality_group": "gender",
}


def _api_keys(access: CaseAccess) -> tuple[str, ...]:
    """The keys of API_KEYS a row reached with this access shows: those _summary builds for it
    (its blocks by the policy's answers) and the policy shows (SUMMARY_KEYS by `shows`), which
    present_many then writes in the serializer's order."""
    return tuple(
        k
        for k in API_KEYS
        if access.shows(k) and (k not in _API_BLOCKS or access.shows(_API_BLOCKS[k]))
    )


def case_list_page(
    *,
    actor: Actor,
    filters: CaseFilters,
    after: CaseCursor | None = None,
    per_page: int = 25,
    with_count: bool = False,
) -> CaseKeysetPage:
    """case_search_after for the API's list, in one pass from the page's rows to the rows the
    API sends: each a dict of API_KEYS (only those shown, in that order), `opened_at` still a
    datetime for the API to write; no summary with labels the API does not send, and no second
    pass. The same statement, policy decisions, audit entry, cursor and count as
    case_search_after, and what present_many(CaseSerializer, …) makes of its rows (a test holds
    them equal for several roles, filters and pages)."""
    policy.require(actor, "case.read", object_type="case")
    size = max(1, min(per_page, MAX_PAGE_SIZE))
    found = _page_rows(actor, filters, after, size + 1, api=True)
    more = len(found) > size
    found = found[:size]
    reach_at = len(API_ROW_VALUES)
    access = policy.access_from_flags(actor, ((r[0], r[reach_at:-1]) for r in found))
    codes_of: dict[object, list[str]] = {}
    forms: _FormTable | None = None
    # Per kind of access (rows reached alike share one CaseAccess): its keys and its relation's
    # code, asked once, not per row.
    shapes: dict[int, tuple[tuple[str, ...], str]] = {}
    listed: set[str] = set()
    rows = []
    shown = []
    for r in found:
        a = access.get(r[0])
        if a is None:
            continue  # deny by default
        shape = shapes.get(id(a))
        if shape is None:
            shape = shapes[id(a)] = (_api_keys(a), a.relation.value)
            listed.update(k for k in shape[0] if k in LIST_FIELDS)
        keys, relation = shape
        # The forms' ids (an array on PostgreSQL, a JSON list on SQLite): a page's rows share a
        # few sets of them, each turned into codes once.
        column = r[-1]
        ids = tuple(json.loads(column) if isinstance(column, str) else column or ())
        codes = codes_of.get(ids)
        if codes is None:
            if forms is None:
                forms = _form_table()
            try:
                codes = forms.codes(ids)
            except KeyError:  # a form added after the version this request read: read again
                forms = _form_table_read()
                codes = forms.codes(ids)
            codes_of[ids] = codes
        (  # API_ROW_VALUES, in its order
            _pk, number, status, org_id, opened_at, synthetic, m_code, r_code, is_minor,
            estimate, age_band, gender, nationality, presumed,
        ) = r[:reach_at]  # fmt: skip
        is_minor, presumed = bool(is_minor), bool(presumed)
        row = {
            "number": number,
            "access": relation,
            "status": status,
            "forms": list(codes),
            "municipality": m_code,
            "region": r_code,
            "responsible_organisation": org_id,
            "opened_at": opened_at,
            "minor": is_minor or presumed,
            "minor_estimated": (is_minor and bool(estimate)) or presumed,
            "age_is_estimate": estimate,
            "age_band": age_band,
            "gender": gender,
            "nationality_group": nationality,
            "is_synthetic": synthetic,
        }
        if len(keys) != len(API_KEYS):
            row = {k: row[k] for k in keys}
        rows.append(row)
        shown.append(number)
    _audit_search(actor, filters, access, fields=listed, shown=shown)
    return CaseKeysetPage(
        rows=rows,
        next=CaseCursor(found[-1][4], found[-1][0]) if more else None,
        count=_cached_count(actor, filters) if with_count else None,
    )


def _keyset_query(
    actor: Actor, filters: CaseFilters, after: CaseCursor | None, limit: int, api: bool = False
) -> QuerySet[Case]:
    """The page's rows with their joins, reach and forms in one query: the keyset keeps it cheap
    at any depth. The reach's columns are the filter too (policy.reach: case_filter's rows).
    With `api`, what the API's list sends and no more (ADR 0099): API_ROW_VALUES (no names, so
    no join of the organisation) and the forms as their ids (_form_ids_column)."""
    columns, reached = policy.reach(actor)
    keyed = _apply(Case.objects.annotate(**columns).filter(reached), filters)
    if after is not None:
        keyed = keyed.filter(
            Q(opened_at__lt=after.opened_at) | Q(opened_at=after.opened_at, id__lt=after.id)
        )
    keyed = keyed.order_by("-opened_at", "-id")
    if api:
        keyed = keyed.annotate(forms_ids=_form_ids_column())
        return keyed.values(*API_ROW_VALUES, *columns, "forms_ids")[:limit]
    return keyed.annotate(forms_json=_forms_column()).values(*ROW_VALUES, *columns, "forms_json")[
        :limit
    ]


# The list's statement compiled once per process for each actor's scope, filters and page shape
# (samen.core.statements, ADR 0057); the cursor and the clock are its slots. Two probe cursors
# tell the cursor's parameters from the rest; they are never sent to the database.
LIST_TEMPLATES = statements.TemplateCache(size=512)
_PROBES = (
    {"after_at": datetime(2001, 2, 3, 4, 5, 6, 111111, tzinfo=UTC), "after_id": 1_000_000_001},
    {"after_at": datetime(2002, 3, 4, 5, 6, 7, 222222, tzinfo=UTC), "after_id": 1_000_000_002},
)


def _db_opened_at(value: object) -> object:
    return Case._meta.get_field("opened_at").get_db_prep_value(value, connection)


def _db_id(value: object) -> object:
    return Case._meta.get_field("id").get_db_prep_value(value, connection)


def _model_row(obj: object | None) -> tuple | None:
    """Every column of a row as read, to key what was built from it."""
    if obj is None:
        return None
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)  # type: ignore[attr-defined]


def scope_key(actor: Actor) -> tuple:
    """Everything the policy's reach is built from: the user, the membership, the purpose, the
    organisation's and its municipality's rows as this request read them (the relations'
    conditions are functions of the organisation and read no database; a test holds them to
    it), the register's version and the day. A change to any of them is another key, so a
    statement compiled for one scope never serves another."""
    org = actor.organisation
    return (
        actor.user.pk if actor.user is not None else None,
        _model_row(actor.membership),
        actor.purpose,
        _model_row(org),
        _model_row(org.municipality) if org is not None else None,
        register_version(),
        timezone.localdate(),
    )


def _page_values(
    actor: Actor, filters: CaseFilters, after: CaseCursor | None, limit: int
) -> list[dict]:
    """_keyset_query's rows (ROW_VALUES, the reach as `reach`, forms_json), by the compiled
    statement of this scope and shape where there is one."""
    found = []
    for row in _page_rows(actor, filters, after, limit):
        v = dict(zip(ROW_VALUES, row, strict=False))
        v["reach"] = list(row[len(ROW_VALUES) : -1])
        v["forms_json"] = row[-1]
        found.append(v)
    return found


def _page_rows(
    actor: Actor, filters: CaseFilters, after: CaseCursor | None, limit: int, api: bool = False
) -> list[tuple]:
    """_keyset_query's rows as tuples: ROW_VALUES, then the reach's columns, then forms_json
    (with `api`: API_ROW_VALUES, the reach's columns, the forms' ids); by the compiled statement
    of this scope and shape where there is one."""
    key = (scope_key(actor), tuple(vars(filters).items()), after is not None, limit, api)

    def build(values: dict[str, object]) -> QuerySet[Case]:
        cursor = CaseCursor(values["after_at"], values["after_id"]) if after else None  # type: ignore[arg-type]
        return _keyset_query(actor, filters, cursor, limit, api)

    template = LIST_TEMPLATES.get(
        key,
        lambda: statements.compile_template(
            build, _PROBES, {"after_at": _db_opened_at, "after_id": _db_id}
        ),
    )
    values = {"after_at": after.opened_at, "after_id": after.id} if after else _PROBES[0]
    if template is None:  # the statement cannot be templated: compiled for this call
        # values() puts the case's values first, then the annotations in order: the reach's
        # columns, then forms_json, as the template's columns are.
        return [tuple(v.values()) for v in build(values)]
    return template.rows(values)


def _cached_count(actor: Actor, filters: CaseFilters) -> int:
    key = (
        "samen:case-count:"
        + hashlib.sha256(
            repr(
                (
                    register_version(),
                    actor.membership.pk if actor.membership else None,
                    actor.purpose,
                    sorted(filters.as_detail().items()),
                )
            ).encode()
        ).hexdigest()
    )
    count = cache.get(key)
    if count is None:
        count = _apply(_visible_cases(actor), filters).count()
        cache.set(key, count, COUNT_SECONDS)
    return count


# What a list row is presented from: plain values of the case and its joined rows, read in
# one query together with the policy's reach (policy.access_columns), no model instances.
ROW_VALUES = (
    "pk", "number", "status", "responsible_organisation_id", "responsible_organisation__name",
    "opened_at", "is_synthetic", "municipality__code", "municipality__name", "region__code",
    "region__name", "person__is_minor", "person__age_is_estimate", "person__age_band",
    "person__gender", "person__nationality_group", "identification_path__presumed_minor",
)  # fmt: skip
# What the API's list reads of ROW_VALUES (case_list_page): not the names it does not send.
API_ROW_VALUES = tuple(v for v in ROW_VALUES if not v.endswith("__name"))


def _form_ids_column() -> RawSQL:
    """Each case's forms of exploitation as their ids, in no order (PostgreSQL: an array of
    integers; SQLite: a JSON list): no join of the forms and no JSON built per row. The codes and
    their order come from _form_table, kept under the register's version."""
    q = connection.ops.quote_name
    through = q(Case.forms.through._meta.db_table)
    of_case = f"FROM {through} cf WHERE cf.case_id = {q(Case._meta.db_table)}.id"
    sql = (
        f"ARRAY(SELECT cf.exploitationform_id {of_case})"
        if connection.vendor == "postgresql"
        else f"SELECT json_group_array(cf.exploitationform_id) {of_case}"
    )
    return RawSQL(sql, [], output_field=TextField())  # noqa: S611 (no parameters; names from the models)


@dataclass(frozen=True)
class _FormTable:
    """The forms of exploitation by id, (order, code), as read under one register version."""

    version: str | None
    by_id: Mapping[int, tuple[int, str]]

    def codes(self, ids: tuple[int, ...]) -> list[str]:
        """The codes of these forms in the forms' order, as _forms_from orders them (by order,
        then code; codes are unique, so the names never decide)."""
        return [code for _order, code in sorted(self.by_id[i] for i in ids)]


# The forms as this process last read them, under the register version read with them: the
# database renews that version on every write to the forms' table (migration cases 0007), as
# it does for the register's own tables (ADR 0028, 0099).
_forms_kept: _FormTable | None = None


def _form_table() -> _FormTable:
    """The forms by id, current for this request: kept while the request's register version is
    the one they were read under, else read again (with the version, in one statement, so the
    two are of one snapshot). An id a page shows and the table lacks (a form added after the
    version this request read) is looked up again by the caller's KeyError → _form_table_read."""
    global _forms_kept
    kept = _forms_kept
    token = register_version()
    if kept is not None and token is not None and kept.version == token:
        return kept
    table = _form_table_read()
    if table.version is not None:
        _forms_kept = table
    return table


def _form_table_read() -> _FormTable:
    q = connection.ops.quote_name
    meta, version = ExploitationForm._meta, q(RegisterVersion._meta.db_table)
    rows = statements.execute(
        f"SELECT (SELECT token FROM {version} WHERE id = 1), f.id, f.{q('order')}, f.code "  # noqa: S608 (names from the models)
        f"FROM {q(meta.db_table)} f",
        [],
    )
    return _FormTable(
        rows[0][0] if rows else None, MappingProxyType({r[1]: (r[2], r[3]) for r in rows})
    )


def _forms_column() -> RawSQL:
    """Each case's forms of exploitation as a JSON list of [order, code, name_nl, name_en], as a
    column of the query that reads the case (no query of its own)."""
    q = connection.ops.quote_name
    through, forms = Case.forms.through._meta.db_table, ExploitationForm._meta.db_table
    row = f"f.{q('order')}, f.code, f.name_nl, f.name_en"
    agg = (
        f"json_agg(json_build_array({row}))::text"
        if connection.vendor == "postgresql"
        else f"json_group_array(json_array({row}))"
    )
    return RawSQL(  # noqa: S611 (no parameters; names from the models)
        f"SELECT {agg} FROM {q(through)} cf INNER JOIN {q(forms)} f "  # noqa: S608 (model tables)
        f"ON f.id = cf.exploitationform_id WHERE cf.case_id = {q(Case._meta.db_table)}.id",
        [],
        output_field=TextField(),
    )


def _forms_from(column: object, english: bool | None = None) -> list[tuple[str, str]]:
    """(code, name) of a case's forms from _forms_column, in the forms' order; the names in
    English or Dutch as `english` says when given (a page decides once), else as `pick` does."""
    items = sorted(json.loads(str(column)) if column else [])
    if english is None:
        return [(code, pick(nl, en)) for _order, code, nl, en in items]
    return [(code, en if english else nl) for _order, code, nl, en in items]


def _row_values(
    actor: Actor,
    qs: QuerySet[Case],
    limit: int | None = None,
    columns: dict[str, object] | None = None,
) -> list[dict]:
    """Plain values of the cases in `qs` (ROW_VALUES), the policy's reach as columns
    (policy.access_columns; `columns` when `qs` is annotated with them already) and their forms,
    in one query, no model instances."""
    if columns is None:
        columns = policy.access_columns(actor)
        qs = qs.annotate(**columns)
    rows = qs.annotate(forms_json=_forms_column()).values(*ROW_VALUES, *columns, "forms_json")
    found = list(rows if limit is None else rows[:limit])
    for v in found:
        v["reach"] = [v.pop(c) for c in columns]
    return found


def _present_and_audit(actor: Actor, filters: CaseFilters, found: list[dict]) -> list[dict]:
    """The page's cases (_row_values, in the list's order) presented by the policy, and one
    audit entry naming those shown."""
    access = policy.access_from_flags(actor, ((v["pk"], v["reach"]) for v in found))
    found = [v for v in found if v["pk"] in access]  # deny by default
    # The language once per page, not per label; each distinct set of forms parsed once (most
    # rows of a page share one of a few).
    language = get_language()
    english = current_language() == "en"
    parsed: dict[object, list[tuple[str, str]]] = {}
    # The policy asked once per kind of access: rows reached alike share one CaseAccess
    # (policy.access_from_flags), so by identity, without hashing it per row.
    shown: dict[int, frozenset[str]] = {}
    rows = []
    for v in found:
        a = access[v["pk"]]
        if id(a) not in shown:
            shown[id(a)] = frozenset(k for k in SUMMARY_KEYS if a.shows(k))
        column = v["forms_json"]
        if column not in parsed:
            parsed[column] = _forms_from(column, english)
        rows.append(_summary(v, parsed[column], a, shown[id(a)], language))
    _audit_search(
        actor,
        filters,
        access,
        fields={f for row in rows for f in row if f in LIST_FIELDS},
        shown=[r["number"] for r in rows],
    )
    return rows


def _audit_search(
    actor: Actor,
    filters: CaseFilters,
    access: Mapping[int, CaseAccess],
    *,
    fields: set[str],
    shown: list[str],
) -> None:
    """The audit entry of a page of the case list: the fields and cases shown, by which
    relations, on which legal basis. One definition for the web's and the API's pages."""
    # Each kind of access once: rows reached alike share one CaseAccess (access_from_flags).
    kinds = list({id(a): a for a in access.values()}.values())
    categories = frozenset().union(*(a.categories for a in kinds)) if kinds else frozenset()
    audit.record(
        actor,
        "case.search",
        object_type="case",
        object_id="*",
        fields=sorted(fields),
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, categories),
        emergency=any(a.emergency for a in kinds),
        detail={
            "filters": filters.as_detail(),
            "shown": shown,
            "relations": sorted({a.relation.value for a in kinds}),
        },
    )


@functools.cache
def _choices(model: type, field: str) -> dict[object, object]:
    """A field's choices by value, built once (get_FOO_display rebuilds and hashes them on
    every call); the labels stay lazy, so each is translated when shown."""
    return dict(model._meta.get_field(field).flatchoices)


@functools.lru_cache(maxsize=1024)
def _display_in(language: str | None, model: type, field: str, value: object) -> str:
    # A label's text depends on the language only: translated once per language and value,
    # not on every row of every page.
    return str(_choices(model, field).get(value, value))


def case_summary(
    case: Case,
    access: CaseAccess,
    forms: list[tuple[str, str]] | None = None,
    presumed_minor: bool | None = None,
) -> dict[str, object]:
    """The case as the actor may see it: fields outside the allowed categories are absent.
    Related rows are touched only for the blocks shown (no query for what is not); `forms` and
    `presumed_minor`, when the caller read them already (forms as (code, name))."""
    values: dict[str, object] = {
        "number": case.number,
        "status": case.status,
        "responsible_organisation_id": case.responsible_organisation_id,
        "responsible_organisation__name": case.responsible_organisation.name,
        "opened_at": case.opened_at,
        "is_synthetic": case.is_synthetic,
    }
    if access.shows("municipality"):
        values.update(
            {
                "municipality__code": case.municipality.code,
                "municipality__name": case.municipality.name,
                "region__code": case.region.code,
                "region__name": case.region.name,
            }
        )
    if access.shows("gender"):
        person = case.person
        values.update(
            {
                "person__is_minor": person.is_minor,
                "person__age_is_estimate": person.age_is_estimate,
                "person__age_band": person.age_band,
                "person__gender": person.gender,
                "person__nationality_group": person.nationality_group,
                "identification_path__presumed_minor": _presumed_minor(case)
                if presumed_minor is None
                else presumed_minor,
            }
        )
    if not access.shows("forms"):
        forms = []
    elif forms is None:
        forms = [(f.code, str(f)) for f in case.forms.all()]
    return _summary(values, forms, access)


# Every key _summary may present; which of them an access shows is the policy's (CaseAccess.shows).
SUMMARY_KEYS = (
    "number", "status", "status_display", "responsible_organisation",
    "responsible_organisation_name", "opened_at", "is_synthetic", "access", "forms",
    "forms_display", "municipality", "municipality_name", "region", "region_name", "minor",
    "minor_estimated", "age_is_estimate", "age_band", "gender", "nationality_group",
    "gender_display", "age_band_display",
)  # fmt: skip


def _summary(
    v: dict[str, object],
    forms: list[tuple[str, str]],
    access: CaseAccess,
    shown: frozenset[str] | None = None,
    language: str | None = None,
) -> dict[str, object]:
    """A case row (ROW_VALUES) as the actor may see it: fields outside the allowed categories
    are absent. `shown`: the keys of SUMMARY_KEYS this access shows, when the caller asked the
    policy already (a page asks once per kind of access, not per row and key); `language`: the
    active language, when the caller read it already (once per page, not per label)."""
    if language is None:
        language = get_language()
    # The blocks below by the policy's own answers; with `shown` (SUMMARY_KEYS it shows, the
    # blocks' keys among them) without asking again per row.
    shows = access.shows if shown is None else shown.__contains__
    data: dict[str, object] = {
        "number": v["number"],
        "status": v["status"],
        "status_display": _display_in(language, Case, "status", v["status"]),
        "responsible_organisation": v["responsible_organisation_id"],
        "responsible_organisation_name": v["responsible_organisation__name"],
        "opened_at": v["opened_at"],
        "is_synthetic": v["is_synthetic"],
        "access": access.relation.value,
    }
    if shows("forms"):
        data["forms"] = [code for code, _name in forms]
        data["forms_display"] = [name for _code, name in forms]
    if shows("municipality"):
        data.update(
            municipality=v["municipality__code"],
            municipality_name=v["municipality__name"],
            region=v["region__code"],
            region_name=v["region__name"],
        )
    if shows("gender"):
        is_minor, estimate = bool(v["person__is_minor"]), bool(v["person__age_is_estimate"])
        presumed = bool(v["identification_path__presumed_minor"])
        data.update(
            # A person estimated or presumed to be under 18 is flagged as a minor everywhere;
            # minor_estimated says the age is not documented.
            minor=is_minor or presumed,
            minor_estimated=(is_minor and estimate) or presumed,
            age_is_estimate=v["person__age_is_estimate"],
            age_band=v["person__age_band"],
            gender=v["person__gender"],
            nationality_group=v["person__nationality_group"],
            gender_display=_display_in(language, Person, "gender", v["person__gender"]),
            age_band_display=_display_in(language, Person, "age_band", v["person__age_band"]),
        )
    # Deny by default: whatever the blocks above put in, only classified, granted fields leave.
    if shown is None:
        return access.only_shown(data)
    return {k: val for k, val in data.items() if k in shown}


def _presumed_minor(case: Case) -> bool:
    """Age uncertain and treated as a minor on the identification path (samen.identification)."""
    try:
        path = case.identification_path  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return False
    return bool(path.presumed_minor)


def _case_columns() -> dict[str, RawSQL]:
    """The one-to-one rows case_get shows besides the case, as scalar columns of the case's query
    (each planned on its own) rather than joins: with two more joins PostgreSQL spent longer
    planning the query than running it (ADR 0058). Built once per database vendor."""
    q = connection.ops.quote_name
    key = connection.vendor
    if key not in _CASE_COLUMNS:
        path = Case._meta.get_field("identification_path").related_model._meta
        identity = Identity._meta
        case_table = q(Case._meta.db_table)
        _CASE_COLUMNS[key] = (
            # Table and column names from the models, no parameters.
            f"SELECT {q(path.get_field('presumed_minor').column)} FROM {q(path.db_table)} "  # noqa: S608
            f"WHERE {q(path.get_field('case').column)} = {case_table}.{q(Case._meta.pk.column)}",
            f"SELECT {q(identity.get_field('ciphertext').column)} FROM {q(identity.db_table)} "  # noqa: S608
            f"WHERE {q(identity.get_field('person').column)} = "
            f"{case_table}.{q(Case._meta.get_field('person').column)}",
        )
    presumed, sealed = _CASE_COLUMNS[key]
    return {
        "presumed_minor_col": RawSQL(presumed, [], output_field=BooleanField()),  # noqa: S611
        "identity_col": RawSQL(sealed, [], output_field=BinaryField()),  # noqa: S611
    }


_CASE_COLUMNS: dict[str, tuple[str, str]] = {}


def case_get(
    *, actor: Actor, number: str, also_fields: list[str] | tuple[str, ...] = ()
) -> dict[str, object]:
    """Everything the actor may see of one case; fields the policy does not allow are absent.
    also_fields: what other blocks of the same page show of this case (e.g. the identification
    path), so the page's read is still one audit entry naming all it showed."""
    policy.require(actor, "case.read", object_type="case", object_id=number)
    # One query: the case with the rows every read shows, the reach (also the filter:
    # policy.reach), the forms, the presumed minority and, where it may be shown, the sealed
    # identity (ADR 0051, 0058).
    may_see_identity = "identity" in policy.grants(actor) and policy.sees_all_of_case(actor)
    columns, reached = policy.reach(actor)
    extra = _case_columns()
    if not may_see_identity:
        del extra["identity_col"]
    case = next(
        iter(
            Case.objects.select_related(
                "person", "municipality", "region", "responsible_organisation"
            )
            .annotate(**columns, **extra, forms_json=_forms_column())
            .filter(reached, number=number)
            .order_by()[:1]  # the number is unique: no sort
        ),
        None,
    )
    access = (
        policy.access_from_flags(actor, [(case.pk, [getattr(case, c) for c in columns])]).get(
            case.pk
        )
        if case
        else None
    )
    if case is None or access is None:
        raise policy.not_visible(actor, "case.read", object_type="case", object_id=number)
    data = case_summary(
        case,
        access,
        _forms_from(case.forms_json),  # type: ignore[attr-defined]
        presumed_minor=bool(case.presumed_minor_col),  # type: ignore[attr-defined]
    )
    shown = [f for f in LIST_FIELDS if f in data]
    identity_fields = [f for f in policy.FIELD_CATEGORIES if f.startswith("identity.")]
    if any(access.shows(f) for f in identity_fields) and may_see_identity:
        identity = {k: v for k, v in _identity(case).items() if access.shows(f"identity.{k}")}
        if identity:
            data["identity"] = identity
            shown += [f"identity.{k}" for k in identity]
    if access.shows("signals"):
        data["signals"] = hooks.signals_of_case(actor=actor, case=case, access=access)
        shown.append("signals")
        if any("notes" in s for s in data["signals"]):
            shown.append("signals.notes")
    notes = notes_of_case(actor=actor, case=case, access=access)
    if notes:
        data["notes"] = notes
        shown += sorted({f"notes.{n['kind']}" for n in notes})
    data["timeline"] = timeline(actor=actor, case=case, access=access)
    data = access.only_shown(data)
    shown += list(also_fields)
    audit.record(
        actor,
        "case.read",
        object_type="case",
        object_id=case.number,
        fields=shown,
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, access.categories),
        emergency=access.emergency,
        detail={"relation": access.relation.value},
    )
    return data


def _identity(case: Case) -> dict[str, str]:
    """The sealed identity read with the case (case_get), decrypted as identity_read does."""
    sealed = case.identity_col  # type: ignore[attr-defined]
    if sealed is None:
        return {}
    return crypto.decrypt_json(sealed, context=str(case.person.ref))


def notes_of_case(*, actor: Actor, case: Case, access: CaseAccess) -> list[dict[str, object]]:
    """The notes the actor may read. Notes are free text: only with the free_text category and
    the category of the note's kind, and a field professional, who reaches a case through their
    own signals, reads only their own entries (like the signals and the timeline)."""
    if not access.shows("notes"):
        return []
    kinds = [k for k in CaseNote.Kind.values if access.shows(f"notes.{k}")]
    notes = CaseNote.objects.filter(case=case, kind__in=kinds).select_related(
        "author", "organisation"
    )
    if not policy.sees_all_of_case(actor):
        notes = notes.filter(author_id=actor.user.pk)
    return [
        access.only_shown(
            {
                "kind": n.kind,
                "kind_display": n.get_kind_display(),
                "text": crypto.decrypt_json(n.ciphertext, context=f"note:{case.number}")["text"],
                "by": n.author.get_full_name() if n.author else "",
                "organisation": n.organisation.name if n.organisation else "",
                "at": n.created_at,
            },
            prefix="note.",
        )
        for n in notes
    ]


def timeline(*, actor: Actor, case: Case, access: CaseAccess) -> list[dict[str, object]]:
    """The case's timeline through the same field policy as the case: an entry shows only when
    the category of what it tells is granted (a note by its kind, an identification step by its
    transition), and its data only key by key (step values by their names)."""
    events = CaseEvent.objects.filter(case=case).select_related("actor", "organisation")
    if not policy.sees_all_of_case(actor):
        events = events.filter(actor_id=actor.user.pk)
    entries = []
    for e in events:
        raw = e.data if isinstance(e.data, dict) else {}
        if not access.shows_timeline_entry(e.kind, raw):
            continue
        data = access.only_shown(raw, prefix="timeline.data.")
        if e.kind == CaseEvent.Kind.IDENTIFICATION:
            data = access.shown_step(data)  # its values and states, each by its own category
        elif "values" in data:
            data["values"] = access.shown_step_values(data["values"])  # type: ignore[arg-type]
        entry = {
            "at": e.at,
            "kind": e.kind,
            "kind_display": e.get_kind_display(),
            "by": (e.actor.get_full_name() or e.actor.username) if e.actor else "",
            "organisation": e.organisation.name if e.organisation else "",
            "data": data,
        }
        entries.append(access.only_shown(entry, prefix="timeline."))
    return entries


def case_counts(*, actor: Actor) -> dict[str, int]:
    """Counts for the dashboard; no personal data, so it is not audited as a read of cases."""
    if not policy.allows(actor, "case.read") or not policy.sees_all_of_case(actor):
        # A signaller's counts of "their" cases would tell whether a signal joined a known
        # person's case (one more open case, or not one more newly signalled): none (#12).
        return {}
    qs = _visible_cases(actor)
    return {
        "total": qs.count(),
        "open": qs.exclude(status="closed").count(),
        "minors": qs.filter(
            Q(person__is_minor=True) | Q(identification_path__presumed_minor=True)
        ).count(),
        "signalled": qs.filter(status="signalled").count(),
        "in_assessment": qs.filter(status="in_assessment").count(),
        "in_care": qs.filter(status="in_care").count(),
        "closed": qs.filter(status="closed").count(),
        "mine": qs.filter(responsible_user_id=actor.user.pk).exclude(status="closed").count()
        if actor.user is not None
        else 0,
    }


def case_row(*, number: str) -> Case | None:
    """The case row by its number; whether the actor reaches it is the service's check."""
    return Case.objects.filter(number=number).select_related("responsible_user").first()


CLOSE_REASON_LABELS = {
    "care_completed": _("Care completed"),
    "left_the_country": _("Left the country"),
    "no_contact": _("No contact"),
    "no_victim": _("No indication of trafficking"),
    "other": _("Other"),
}
REOPEN_REASON_LABELS = {
    "new_signal": _("New signal"),
    "new_information": _("New information"),
    "closed_in_error": _("Closed in error"),
    "other": _("Other"),
}


def lifecycle_of(*, actor: Actor, number: str) -> dict[str, object] | None:
    """The lifecycle part of the case page: the responsible person, and for the registrar and
    the coordinator (case.update) the forms to close, reopen and choose the person. Names of
    the responsible organisation's members only, for its own members (no case data)."""
    case = case_row(number=number)
    if case is None or not policy.allows(actor, "case.read"):
        return None
    owner = case.responsible_user
    own_org = (
        actor.organisation is not None and actor.organisation.pk == case.responsible_organisation_id
    )
    members = []
    if own_org and policy.allows(actor, "case.update"):
        members = [
            (m.user_id, m.user.get_full_name() or m.user.get_username())
            for m in Membership.objects.filter(
                organisation_id=case.responsible_organisation_id, is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "id")
        ]
    return {
        "number": case.number,
        "closed": case.status == "closed",
        "owner_id": owner.pk if owner else None,
        "owner_name": (owner.get_full_name() or owner.get_username()) if owner else "",
        "may_update": policy.allows(actor, "case.update"),
        "members": members,
        "close_reasons": [(r, CLOSE_REASON_LABELS[r]) for r in CLOSE_REASONS],
        "reopen_reasons": [(r, REOPEN_REASON_LABELS[r]) for r in REOPEN_REASONS],
    }


DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_SCAN = 500  # the newest open cases looked at; older pairs are found by searching


def possible_duplicates(*, actor: Actor, limit: int = 8) -> list[tuple[str, str, str]]:
    """Pairs of open cases that may be one person: same region, gender and age band, opened
    within 30 days of each other, and at least one without a match key (its identity was too
    thin to join them when the signal came in). (newer, older, why) for the registrar, who
    merges them; one audit entry naming the cases shown."""
    policy.require(actor, "case.merge", object_type="case", object_id="*")
    rows = list(
        _visible_cases(actor)
        .exclude(status="closed")
        .exclude(person__gender="unknown")
        .exclude(person__age_band="unknown")
        .order_by("-opened_at")
        .values_list(
            "number", "region_id", "person__gender", "person__age_band", "opened_at",
            "person__match_key", "person_id",
        )[:DUPLICATE_SCAN]
    )  # fmt: skip
    groups: dict[tuple, list[tuple]] = {}
    for row in rows:
        groups.setdefault(row[1:4], []).append(row)
    pairs: list[tuple[str, str, str]] = []
    window = timedelta(days=DUPLICATE_WINDOW_DAYS)
    for (_region, gender, band), members in groups.items():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a[6] == b[6] or (a[5] and b[5]) or abs(a[4] - b[4]) > window:
                    continue
                why = _("same region, %(gender)s, %(band)s, opened within %(days)d days") % {
                    "gender": labels.label("gender", gender).lower(),
                    "band": labels.label("age_band", band),
                    "days": DUPLICATE_WINDOW_DAYS,
                }
                pairs.append((a[0], b[0], why))  # newer first: merged into the older one
                if len(pairs) >= limit:
                    break
            if len(pairs) >= limit:
                break
        if len(pairs) >= limit:
            break
    audit.record(
        actor,
        "case.search",
        object_type="case",
        object_id="*",
        fields=["gender", "age_band", "region"] if pairs else [],
        purpose=policy.purpose_of(actor),
        detail={"duplicates": True, "shown": sorted({n for p in pairs for n in p[:2]})},
    )
    return pairs


def exploitation_forms_all() -> QuerySet[ExploitationForm]:
    """Every exploitation form, unevaluated: the choices of a field that names forms by code."""
    return ExploitationForm.objects.all()

"""The register of processing: loading its initial content and asking it questions.

The register is data the privacy officer keeps (ProcessingRule, Purpose, DataCategory,
RolePurpose). The initial content comes from data/register.json and is loaded only into an empty
database, so later edits are never overwritten by a deploy.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save

from samen.core.models import DataCategory, ProcessingRule, Purpose, RegisterVersion, RolePurpose

REGISTER_FILE = Path(__file__).parent / "data" / "register.json"

# Facts about the case itself (its number, status, dates, responsible organisation) that anyone
# who reaches the case sees. Not a category of the register: no personal data of its own.
CASE_METADATA = "case_metadata"

# Which data category each presented field belongs to. Deny by default: a field that is not
# listed here is never shown (policy.CaseAccess.shows), so a field added later stays hidden until
# someone classifies it. Names are namespaced by what presents them: bare names for the case,
# "identity.", "signal.", "note.", "timeline.", "identification.", "notification.".
FIELD_CATEGORIES: dict[str, str] = {
    # The case (cases.selectors.case_summary / case_get)
    "number": CASE_METADATA,
    "status": CASE_METADATA,
    "status_display": CASE_METADATA,
    "responsible_organisation": CASE_METADATA,
    "responsible_organisation_name": CASE_METADATA,
    "opened_at": CASE_METADATA,
    "is_synthetic": CASE_METADATA,
    "access": CASE_METADATA,
    "timeline": CASE_METADATA,  # each entry is filtered by its own kind (TIMELINE_CATEGORIES)
    "identity": "identity",
    "identity.name": "identity",
    "identity.date_of_birth": "identity",
    "identity.nationality": "identity",
    "identity.contact": "contact",
    "gender": "demographics",
    "gender_display": "demographics",
    "age_band": "demographics",
    "age_band_display": "demographics",
    "minor": "demographics",
    "minor_estimated": "demographics",
    "age_is_estimate": "demographics",
    "nationality_group": "demographics",
    "forms": "exploitation",
    "forms_display": "exploitation",
    "signals": "exploitation",
    "municipality": "location",
    "municipality_name": "location",
    "region": "location",
    "region_name": "location",
    "notes": "free_text",  # each note also needs its kind's category (notes.<kind>)
    "signals.notes": "free_text",
    # A care note is about the person's care: care relations read it (health), not the
    # investigating or immigration services, whose register grants hold no health data.
    "notes.care": "health",
    "notes.investigation": "criminal",
    "notes.shelter": "free_text",
    # A signal (signalling.selectors.present); "signal.case" and "signal.linked_to_existing"
    # are the link to the person's case, which the signaller never sees (a one-way door).
    "signal.id": CASE_METADATA,
    "signal.receipt": CASE_METADATA,
    "signal.case": CASE_METADATA,
    "signal.linked_to_existing": CASE_METADATA,
    "signal.new_identity": "identity",
    "signal.signal_list": CASE_METADATA,
    "signal.signal_list_version": CASE_METADATA,
    "signal.signal_list_title": CASE_METADATA,
    "signal.observed_on": CASE_METADATA,
    "signal.organisation": CASE_METADATA,
    "signal.advice": "exploitation",
    "signal.advice_display": "exploitation",
    "signal.advice_reasons": "exploitation",
    "signal.created_at": CASE_METADATA,
    "signal.is_synthetic": CASE_METADATA,
    "signal.indicators": "exploitation",
    "signal.indicators_display": "exploitation",
    "signal.municipality": "location",
    "signal.municipality_name": "location",
    "signal.setting": "location",
    "signal.notes": "free_text",
    # A note (cases.selectors.notes_of_case): its text by its kind, the rest is who and when.
    "note.kind": CASE_METADATA,
    "note.kind_display": CASE_METADATA,
    "note.text": "free_text",
    "note.by": CASE_METADATA,
    "note.organisation": CASE_METADATA,
    "note.at": CASE_METADATA,
    # A timeline entry (cases.selectors.timeline): the entry by its kind, its data by key.
    "timeline.at": CASE_METADATA,
    "timeline.kind": CASE_METADATA,
    "timeline.kind_display": CASE_METADATA,
    "timeline.by": CASE_METADATA,
    "timeline.organisation": CASE_METADATA,
    "timeline.data": CASE_METADATA,
    "timeline.data.forms": "exploitation",
    "timeline.data.signal": "exploitation",
    "timeline.data.signal_list": "exploitation",
    "timeline.data.advice": "exploitation",
    "timeline.data.old": CASE_METADATA,
    "timeline.data.close_reason": CASE_METADATA,
    "timeline.data.reopen_reason": CASE_METADATA,
    "timeline.data.owner": CASE_METADATA,
    "timeline.data.condition_broken": "immigration",  # the step whose conditions now fail
    "timeline.data.new": CASE_METADATA,
    "timeline.data.note_kind": CASE_METADATA,
    "timeline.data.identity_new": "identity",  # which details a linked signal added (names)
    "timeline.data.transition": CASE_METADATA,  # the entry is already filtered by its transition
    "timeline.data.source": CASE_METADATA,
    "timeline.data.target": CASE_METADATA,
    "timeline.data.values": CASE_METADATA,  # each value by identification.value.<name>
    "timeline.data.facts": "minors",
    "timeline.data.guardian": "minors",
    "timeline.data.guardian_told": "minors",  # the guardian was told of a new signal
    "timeline.data.commission": "exploitation",
    "timeline.data.organisation_types": "exploitation",
    "timeline.data.outcome": "exploitation",
    "timeline.data.reasons": "exploitation",
    "timeline.data.referral": "location",
    "timeline.data.urgency": "health",
    "timeline.data.hold": "location",
    "timeline.data.place": "location",
    "timeline.data.placement": "location",
    "timeline.data.outflow": "location",
    "timeline.data.recipient": CASE_METADATA,
    "timeline.data.purpose": CASE_METADATA,
    "timeline.data.categories": CASE_METADATA,
    "timeline.data.share": CASE_METADATA,
    "timeline.data.expires_at": CASE_METADATA,
    # An identification path step (identification.selectors): the step by its transition,
    # each value by its name; the path's state by its own category (PATH_STATE_CATEGORIES).
    # The advice and the victim status (HTCDS) judge the person's exploitation as a whole.
    "identification.state": "exploitation",
    "identification.commission": "exploitation",  # members, assessments and the outcome
    "identification.guardian": "minors",
    "identification.residence": "immigration",  # nationality, residence, EU rights, Dublin
    "identification.step.assessment_start": "exploitation",
    "identification.step.indication_establish": "exploitation",
    "identification.step.indication_reject": "exploitation",
    "identification.step.reflection_offer": "immigration",
    "identification.step.reflection_accept": "immigration",
    "identification.step.reflection_decline": "immigration",
    "identification.step.report_record": "criminal",
    "identification.step.b83_apply": "immigration",
    "identification.step.b83_grant": "immigration",
    "identification.step.b83_refuse": "immigration",
    "identification.step.b83_renew": "immigration",
    "identification.step.other_route": "immigration",
    "identification.step.close": "exploitation",
    # A minor's protection steps (path v3): the guardian's and the minor's data.
    "identification.step.guardianship_accept": "minors",
    "identification.step.safe_placement_arrange": "minors",
    "identification.step.youth_protection_involve": "minors",
    "identification.value.accepted_on": "minors",
    "identification.value.placed_on": "minors",
    "identification.value.placement": "minors",
    "identification.value.involved_on": "minors",
    "identification.value.involved": "minors",
    "identification.value.established_on": "exploitation",
    "identification.value.decided_on": "exploitation",
    "identification.value.reason": "exploitation",
    "identification.value.starts_on": "immigration",
    "identification.value.reported_on": "criminal",
    "identification.value.kind": "criminal",
    "identification.value.applied_on": "immigration",
    "identification.value.permit_starts_on": "immigration",
    "identification.value.route": "immigration",
    # Path v4: the early end of the reflection period and the departure period, the exemption
    # from cooperation (its ground is health or criminal data), the criminal case beside the
    # path (the OM's decisions: a category of their own, which the IND reads because they decide
    # the permit, without the report itself), the end of the permit and continued residence.
    "identification.step.reflection_end_early": "immigration",
    "identification.step.cooperation_exempt": "immigration",
    "identification.step.investigation_start": "prosecution_decisions",
    "identification.step.prosecution_dismiss": "prosecution_decisions",
    "identification.step.complaint_file": "prosecution_decisions",
    "identification.step.complaint_decide": "prosecution_decisions",
    "identification.step.prosecution_start": "prosecution_decisions",
    "identification.step.verdict_record": "prosecution_decisions",
    "identification.step.b83_end": "immigration",
    "identification.step.continued_residence_apply": "immigration",
    "identification.step.continued_residence_grant": "immigration",
    "identification.step.continued_residence_refuse": "immigration",
    "identification.step.reopen": "exploitation",
    "identification.step.commission_identify": "exploitation",
    "identification.step.reassessment_start": "exploitation",
    "identification.value.ended_on": "immigration",
    "identification.value.police_unit": "criminal",
    "identification.value.ground": "prosecution_decisions",  # of a dismissal
    # The exemption from cooperation is the IND's to weigh (the B8/3 application without a
    # report): its ground and statement are residence data.
    "identification.value.exemption_ground": "immigration",
    "identification.value.statement": "immigration",
    "identification.value.statement_on": "immigration",
    "identification.value.filed_on": "prosecution_decisions",
    "identification.value.outcome": "prosecution_decisions",
    "identification.value.verdict_on": "prosecution_decisions",
    "identification.value.verdict": "prosecution_decisions",
    # A notification (identification.selectors.notifications_of): its kind says what it is about.
    "notification.deadline": CASE_METADATA,  # each by its deadline's kind (DEADLINE_CATEGORIES)
    "notification.guardian": "minors",
    "notification.adult": "minors",
    "notification.guardian_signal": "minors",
    "notification.hold": "location",
    "notification.condition": "immigration",
}

# What a timeline entry tells by the mere fact that it is there, by kind. Note entries take the
# category of the note's kind (notes.<kind>), identification entries that of their transition.
# Who else received a case tells what is going on ("the police investigate", "the IND decides
# on residence"): a share's timeline entry needs the category its purpose reveals. A purpose
# not listed here is never shown (deny by default).
SHARE_PURPOSE_CATEGORIES: dict[str, str] = {
    "care_coordination": CASE_METADATA,
    "national_registration": CASE_METADATA,
    "shelter_placement": "location",
    "identification": "exploitation",
    "investigation": "criminal",
    "residence": "immigration",
}

# Where an identification path stands tells what happened as much as the step that led there
# ("Aangifte of medewerking" is criminal data, "B8/3-vergunning verleend" immigration data): a
# state's code and title show only when its category is granted, and the states listed here are
# the only ones ever shown (deny by default: a state added by a new path definition stays hidden
# until it is classified). A state takes the category of the steps that lead into it.
PATH_STATE_CATEGORIES: dict[str, str] = {
    "signalled": "exploitation",
    "under_assessment": "exploitation",
    "indication_established": "exploitation",
    "indication_not_established": "exploitation",
    "reflection_offered": "immigration",
    "reflection_accepted": "immigration",
    "reflection_declined": "immigration",
    "report_made": "criminal",
    "b83_applied": "immigration",
    "b83_granted": "immigration",
    "b83_refused": "immigration",
    "other_route": "immigration",
    "closed": "exploitation",
    "reflection_ended": "immigration",
    "exempted": "immigration",
    "b83_ended": "immigration",
    "continued_residence_applied": "immigration",
    "continued_residence_granted": "immigration",
    "continued_residence_refused": "immigration",
}

# What a deadline tells by the mere fact that it is open: the category of the steps that open
# and close it. It is listed (on the path, under /identificatie/termijnen/, in reminders and
# their e-mails) only where the reader's relation to the case grants it; a kind not listed here
# is never shown (deny by default). A shelter hold's expiry tells where a place is held.
DEADLINE_CATEGORIES: dict[str, str] = {
    "assessment_decision": "exploitation",
    "reflection_end": "immigration",
    "b83_decision": "immigration",
    "permit_end": "immigration",
    "hold_expiry": "location",
    "departure": "immigration",
    "permit_end_dismissal": "prosecution_decisions",  # tells that the case was dismissed
    "continued_residence_due": "immigration",
    "continued_residence_decision": "immigration",
}

TIMELINE_CATEGORIES: dict[str, str] = {
    "created": CASE_METADATA,
    "signal_added": "exploitation",
    "linked": "exploitation",
    "status_changed": CASE_METADATA,
    "closed": CASE_METADATA,
    "reopened": CASE_METADATA,
    "owner_changed": CASE_METADATA,
    "forms_changed": "exploitation",
    "responsible_changed": CASE_METADATA,
    "note_added": "free_text",
    "shared": CASE_METADATA,
    "share_revoked": CASE_METADATA,
    "emergency_access": CASE_METADATA,
    "retention": CASE_METADATA,
    "identification": "exploitation",
    "shelter_referral": "location",
    "shelter_hold": "location",
    "shelter_accepted": "location",
    "shelter_identity": "identity",
    "shelter_declined": "location",
    "shelter_hold_expired": "location",
    "placement_started": "location",
    "placement_ended": "location",
}


def register_load_initial(using: str = "default") -> bool:
    """Load data/register.json into an empty register; returns whether it loaded."""
    if Purpose.objects.using(using).exists():
        return False
    data = json.loads(REGISTER_FILE.read_text(encoding="utf-8"))
    with transaction.atomic(using=using):
        purposes = {
            p["code"]: Purpose.objects.using(using).create(
                code=p["code"], name_nl=p["nl"], name_en=p["en"]
            )
            for p in data["purposes"]
        }
        categories = {
            c["code"]: DataCategory.objects.using(using).create(
                code=c["code"], name_nl=c["nl"], name_en=c["en"], special=c["special"]
            )
            for c in data["categories"]
        }
        for role, codes in data["role_purposes"].items():
            for order, code in enumerate(codes):
                RolePurpose.objects.using(using).create(
                    role=role, purpose=purposes[code], order=order
                )
        rules = [
            ProcessingRule(
                organisation_type=org_type,
                purpose=purposes[grant["purpose"]],
                category=categories[cat],
                legal_basis=grant["legal_basis"],
                sector_law=grant.get("sector_law", ""),
                retention_days=grant["retention_days"],
                share_with=grant.get("share_with", []),
            )
            for grant in data["grants"]
            for org_type in grant["organisation_types"]
            for cat in grant["categories"]
        ]
        ProcessingRule.objects.using(using).bulk_create(rules)
    return True


@dataclass(frozen=True)
class Grant:
    category: str
    legal_basis: str
    sector_law: str
    retention_days: int
    share_with: tuple[str, ...]

    @property
    def basis_text(self) -> str:
        return f"{self.legal_basis}; {self.sector_law}" if self.sector_law else self.legal_basis


@dataclass(frozen=True)
class _Snapshot:
    grants: dict[tuple[str, str], dict[str, Grant]]  # (organisation type, purpose) -> grants
    purposes: dict[str, tuple[str, ...]]  # role -> its purposes, the default first


# The register as this process last read it, under the version token it was read at. A request
# costs one look-up of the token instead of the register's joins (ADR 0028).
_cached: tuple[str, _Snapshot] | None = None


def _read_register() -> _Snapshot:
    grants: dict[tuple[str, str], dict[str, Grant]] = {}
    for org_type, purpose, code, basis, sector, days, share in ProcessingRule.objects.values_list(
        "organisation_type", "purpose__code", "category__code", "legal_basis", "sector_law",
        "retention_days", "share_with",
    ):  # fmt: skip
        grants.setdefault((org_type, purpose), {})[code] = Grant(
            code, basis, sector, days, tuple(share or ())
        )
    purposes: dict[str, list[str]] = {}
    for role, code in RolePurpose.objects.order_by("role", "order").values_list(
        "role", "purpose__code"
    ):
        purposes.setdefault(role, []).append(code)
    return _Snapshot(grants, {role: tuple(codes) for role, codes in purposes.items()})


# Within one request the version token is read once (ADR 0051): the first look-up (or the query
# that authenticated an API token, note_version) fixes it for the rest of the request, so a
# request costs at most one look-up, not one per question asked of the register. None outside a
# request (commands, jobs, tests calling selectors): there every look-up reads the token.
# A list, empty until read; cleared when this process writes to the register within the request,
# so the request sees its own change.
_request_version: ContextVar[list[str | None] | None] = ContextVar(
    "samen_register_version", default=None
)


def _request_begins(**kwargs: object) -> None:
    _request_version.set([])


def _request_ends(**kwargs: object) -> None:
    _request_version.set(None)


def _register_written(**kwargs: object) -> None:
    memo = _request_version.get()
    if memo:
        memo.clear()


request_started.connect(_request_begins, dispatch_uid="samen.register.request_begins")
request_finished.connect(_request_ends, dispatch_uid="samen.register.request_ends")
for _model in (ProcessingRule, RolePurpose, Purpose, DataCategory):
    post_save.connect(_register_written, sender=_model, dispatch_uid=f"samen.register.{_model}")
    post_delete.connect(_register_written, sender=_model, dispatch_uid=f"samen.register.{_model}-")


def follow_writes(model: type) -> None:
    """A table outside the register whose writes renew its version too (a trigger of the app's
    own migration, e.g. the forms of exploitation, ADR 0099): a request that writes it through
    the ORM reads the version again, as after a write to the register."""
    post_save.connect(_register_written, sender=model, dispatch_uid=f"samen.register.{model}")
    post_delete.connect(_register_written, sender=model, dispatch_uid=f"samen.register.{model}-")


def _read_version() -> str | None:
    # A plain cursor: the ORM spent ~0.25 ms of CPU building this one-row read (ADR 0058).
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.ops.quote_name))
        row = cursor.fetchone()
    return None if row is None else row[0]


def _version_sql(q) -> str:
    meta = RegisterVersion._meta
    return f"SELECT {q(meta.get_field('token').column)} FROM {q(meta.db_table)} WHERE id = 1"  # noqa: S608 (names from the model)


def register_version() -> str | None:
    """The register's current version token (None when the row is missing, e.g. after a flush);
    read once per request."""
    memo = _request_version.get()
    if memo:
        return memo[0]
    token = _read_version()
    if memo is not None:
        memo.append(token)
    return token


def version_column() -> RawSQL:
    """The version token as a column, for a query a request runs anyway (note_version)."""
    return RawSQL(  # noqa: S611 (no parameters; names from the model)
        _version_sql(connection.ops.quote_name), [], output_field=CharField()
    )


def note_version(token: str | None) -> None:
    """Take the version token read by another query of this request (version_column) as the
    request's, so the register costs the request no look-up of its own. Outside a request, or
    once the request has read it, nothing changes."""
    memo = _request_version.get()
    if memo is not None and not memo:
        memo.append(token)


def _snapshot() -> _Snapshot:
    global _cached
    token = register_version()
    if token is None:
        return _read_register()  # no version to check against: never cached
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    snapshot = _read_register()
    _cached = (token, snapshot)
    return snapshot


def grants_for(organisation_type: str, purpose: str) -> dict[str, Grant]:
    """What this organisation type may process for this purpose, by category code."""
    return dict(_snapshot().grants.get((organisation_type, purpose), {}))


def purposes_of_role(role: str) -> list[str]:
    return list(_snapshot().purposes.get(role, ()))


def share_refusals(
    *, from_type: str, from_purpose: str, to_type: str, to_purpose: str, categories: list[str]
) -> dict[str, str]:
    """Why each category may not be shared (empty when the share is lawful under the register)."""
    mine = grants_for(from_type, from_purpose)
    theirs = grants_for(to_type, to_purpose)
    refused: dict[str, str] = {}
    for cat in categories:
        if cat not in mine:
            refused[cat] = "sender_has_no_basis"
        elif to_type not in mine[cat].share_with:
            refused[cat] = "not_shareable_with_recipient"
        elif cat not in theirs:
            refused[cat] = "recipient_has_no_basis"
    return refused


def shareable_categories(
    *, from_type: str, from_purpose: str, to_type: str
) -> dict[str, list[str]]:
    """What the register lets this sender share with an organisation of `to_type`, per
    recipient purpose (purpose code -> category codes): shown before a share is made, so a
    professional does not learn the register's limits from a refusal."""
    mine = grants_for(from_type, from_purpose)
    sendable = {cat for cat, grant in mine.items() if to_type in grant.share_with}
    out: dict[str, list[str]] = {}
    rows = ProcessingRule.objects.filter(organisation_type=to_type).values_list(
        "purpose__code", "category__code"
    )
    for purpose, cat in rows.order_by("purpose__code", "category__code"):
        if cat in sendable:
            out.setdefault(purpose, []).append(cat)
    return out

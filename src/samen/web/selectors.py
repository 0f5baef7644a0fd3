"""The home page: for every role its own work, as queues (issue #16, item 3).

Each queue is read through the owning app's selector, which checks the policy (relation and
purpose) and writes its own audit entry indexed to the cases it shows; this module only picks
which queues a role gets and cuts them to the first few lines. The home itself writes one entry
("home.read") so that every opening of the page is in the trail, whatever it showed.

Every queue also has its own page (`queue_page`): all its lines, paged and sortable, read through
the same selectors (cases are paged and sorted by the case register itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen import labels
from samen.cases import selectors as case_selectors
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.identification import selectors as identification_selectors
from samen.organisations.models import Role
from samen.programme import selectors as programme_selectors
from samen.programme.models import Commitment, ItemStatus, ProposedUpdate, UpdateState
from samen.sharing import selectors as sharing_selectors
from samen.shelter import selectors as shelter_selectors

LINES = 8  # lines per queue on the home page; the queue's own page has the rest
PER_PAGE = 25  # lines per page of a queue's own page
SORTS = ("", "new", "old", "ref")  # as the queue comes, newest, oldest, by reference


@dataclass
class Line:
    text: str
    href: str = ""
    hint: str = ""
    urgent: bool = False
    when: date | datetime | None = None  # the line's date (opened, due, started), to sort on


@dataclass
class Queue:
    key: str
    title: str
    lines: list[Line] = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    more_label: str = ""
    empty: str = ""
    all_url: str = ""  # the queue's own page, with every line


@dataclass
class CaseQueue:
    """A queue of cases: the case register's own search, with fixed filters."""

    key: str
    title: str
    empty: str
    filters: dict[str, object]


def _cases(
    actor: Actor, spec: CaseQueue, *, page: int = 1, per_page: int = LINES, order: str = "new"
) -> tuple[Queue, Page]:
    found = case_selectors.case_search(
        actor=actor,
        filters=case_selectors.CaseFilters(**spec.filters),  # type: ignore[arg-type]
        page=page,
        per_page=per_page,
        order=order or "new",
    )
    lines = [
        Line(
            text=f"{row['number']} · {row['status_display']}",
            href=reverse("case-detail", args=[row["number"]]),
            hint=" · ".join(
                x
                for x in (
                    row.get("municipality_name", ""),
                    ", ".join(row.get("forms_display", []) or []),
                    labels.local_date(row["opened_at"]),
                )
                if x
            ),
            when=row["opened_at"],
        )
        for row in found.object_list
    ]
    queue = Queue(spec.key, spec.title, lines, found.paginator.count, empty=spec.empty)
    if lines:
        queue.all_url = reverse("queue", args=[spec.key])
    return queue, found


def _duplicates(actor: Actor, limit: int = LINES) -> Queue:
    pairs = case_selectors.possible_duplicates(actor=actor, limit=limit)
    lines = [
        Line(
            text=_("%(a)s and %(b)s") % {"a": newer, "b": older},
            href=reverse("case-merge", args=[newer]),
            hint=why,
        )
        for newer, older, why in pairs
    ]
    return Queue(
        "duplicates", _("Possible duplicates"), lines, len(lines), "", "",
        _("No possible duplicates."),
    )  # fmt: skip


def _all_duplicates(actor: Actor) -> list[Queue]:
    return [_duplicates(actor, limit=case_selectors.DUPLICATE_SCAN)]


def _deadlines(actor: Actor, title: str) -> Queue:
    buckets = identification_selectors.deadlines_of_organisation(actor=actor)
    rows = [row for bucket in buckets.values() for row in bucket]
    lines = [
        Line(
            text=f"{row['case']} · {row['kind_display']}",
            href=reverse("case-detail", args=[row["case"]]),
            hint=_("due %(day)s") % {"day": labels.local_date(row["due_on"])},
            urgent=row.get("days_left", 1) < 0,
            when=row["due_on"],
        )
        for row in rows
    ]
    return Queue(
        "deadlines", title, lines, len(rows), reverse("identification:deadlines"),
        _("All deadlines"), _("No open deadlines."),
    )  # fmt: skip


def _shelter(actor: Actor) -> list[Queue]:
    holds = shelter_selectors.holds_for_shelter(actor=actor)
    requests = Queue(
        "requests", _("Incoming requests for a place"),
        [
            Line(
                text=f"{h['place_name']} · {labels.label('urgency', h['urgency'])}",
                href=reverse("shelter:holds") + f"#hold-{h['hold']}",
                # The shelter sees the needs profile only (holds_for_shelter): no referral or
                # case number until it accepts, so the line says until when the place is held.
                hint=_("held until %(until)s")
                % {"until": labels.local_datetime(h["expires_at"])},
                urgent=h["urgency"] in ("high", "immediate"),
                when=h["expires_at"],
            )
            for h in holds
        ],
        len(holds), reverse("shelter:holds"), _("All requests"), _("No open requests."),
    )  # fmt: skip
    placed = shelter_selectors.placements_for_shelter(actor=actor)

    def line(row: dict, when: str) -> Line:
        text = _("referral %(n)s") % {"n": row["referral"]}
        case = row.get("case") or ""
        return Line(
            text=f"{text} · {case}" if case else text,
            href=reverse("case-detail", args=[case]) if case else reverse("shelter:placements"),
            hint=f"{row['place_name']} · {labels.local_datetime(row[when])}",
            when=row[when],
        )

    arriving = Queue(
        "arriving", _("Expected arrivals"),
        [line(r, "accepted_at") for r in placed["arriving"]],
        len(placed["arriving"]), reverse("shelter:placements"), _("Arrivals and departures"),
        _("Nobody is expected."),
    )  # fmt: skip
    residents = Queue(
        "residents", _("Residents and their cases"),
        [line(r, "started_at") for r in placed["running"]],
        len(placed["running"]), reverse("shelter:placements"), _("Arrivals and departures"),
        _("No running placements."),
    )  # fmt: skip
    return [requests, arriving, residents]


def _privacy(actor: Actor) -> list[Queue]:
    rows = sharing_selectors.emergencies(actor=actor)
    since = timezone.now() - timedelta(days=7)
    due = [e for e in rows if e.reviewed_at is None]
    recent = [e for e in rows if e.started_at >= since]

    def line(e) -> Line:
        return Line(
            text=f"{e.case.number} · {e.organisation} ({labels.label('role', e.role)})",
            href=reverse("privacy-emergencies"),
            hint=labels.local_datetime(e.started_at),
            urgent=e.reviewed_at is None,
            when=e.started_at,
        )

    return [
        Queue(
            "reviews", _("Emergency access to review"), [line(e) for e in due],
            len(due), reverse("privacy-emergencies"), _("Review emergency access"),
            _("Nothing to review."),
        ),
        Queue(
            "recent-emergency", _("Emergency access in the last 7 days"),
            [line(e) for e in recent], len(recent), reverse("privacy-emergencies"),
            _("All emergency access"), _("No emergency access in the last 7 days."),
        ),
        Queue(
            "audit", _("Audit trail"), [], 0, reverse("privacy-audit") + "?format=csv",
            _("Download the audit trail (CSV)"), "",
        ),
    ]  # fmt: skip


def _programme(actor: Actor) -> list[Queue]:
    today = timezone.localdate()
    late = list(
        Commitment.objects.filter(due__lt=today).exclude(status=ItemStatus.DONE).order_by("due")
    )
    waiting = list(
        ProposedUpdate.objects.filter(state=UpdateState.PROPOSED)
        .select_related("letter")
        .order_by("letter_id", "pk")
    )
    letters = {u.letter_id: u.letter for u in waiting}
    return [
        Queue(
            "late", _("Commitments past their date"),
            [
                Line(
                    text=c.description[:120],
                    href=reverse("programme:commitment-detail", args=[c.code]),
                    hint=_("due %(day)s") % {"day": labels.local_date(c.due)}, urgent=True,
                    when=c.due,
                )
                for c in late
            ],
            len(late), reverse("programme:overview"), _("Progress overview"),
            _("No commitment is past its date."),
        ),
        Queue(
            "changes", _("Proposed changes to review"),
            [
                Line(
                    text=letter.title,
                    href=reverse("programme:letter-review", args=[letter.pk]),
                    hint=_("%(n)d proposals")
                    % {"n": sum(1 for u in waiting if u.letter_id == pk)},
                )
                for pk, letter in letters.items()
            ],
            len(waiting), reverse("programme:letter-list"), _("Progress letters"),
            _("No proposals wait for review."),
        ),
    ]  # fmt: skip


@dataclass
class Group:
    """Queues read together by one app's selectors; `keys` names them without reading them."""

    keys: tuple[str, ...]
    build: Callable[[Actor], list[Queue]]


def _deadline_group(title: str) -> Group:
    return Group(("deadlines",), lambda actor: [_deadlines(actor, title)])


def _sources(actor: Actor) -> list[CaseQueue | Group]:
    """The queues of the actor's role, in the order the home shows them."""
    role = actor.role
    user_id = actor.user.pk if actor.user is not None else None
    org_id = actor.organisation.pk if actor.organisation is not None else None
    if role == Role.CARE_COORDINATOR:
        return [
            # Since #14 a case has a responsible person: the coordinator's own cases first,
            # then the organisation's open cases nobody has taken yet.
            CaseQueue(
                "mine", _("My cases"), _("No open cases of yours."),
                {"mine_of": user_id, "open_only": True},
            ),
            CaseQueue(
                "unassigned", _("Cases without a responsible person"),
                _("Every open case has a responsible person."),
                {"unassigned_at": org_id, "open_only": True},
            ),
            CaseQueue("new", _("Newly signalled"), _("No new signals."), {"status": "signalled"}),
            _deadline_group(_("Deadlines")),
        ]  # fmt: skip
    if role == Role.NATIONAL_REGISTRAR:
        return [
            CaseQueue(
                "register", _("New signals to register"), _("No new signals."),
                {"status": "signalled"},
            ),
            Group(("duplicates",), _all_duplicates),
        ]  # fmt: skip
    if role == Role.INVESTIGATOR:
        return [CaseQueue("assess", _("Cases to assess"), _("No cases for you."), {})]
    if role == Role.PROSECUTOR:
        return [
            CaseQueue("prosecution", _("Cases for the prosecution"), _("No cases."), {}),
            _deadline_group(_("Deadlines")),
        ]
    if role == Role.GUARDIAN:
        return [
            CaseQueue("minors", _("Minors in your guardianship"), _("No cases."), {}),
            _deadline_group(_("Deadlines")),
        ]
    if role == Role.IND_OFFICER:
        return [
            _deadline_group(_("Pending decisions and their deadlines")),
            CaseQueue("ind", _("Cases with a residence step"), _("No cases."), {}),
        ]
    if role == Role.SHELTER_STAFF:
        return [Group(("requests", "arriving", "residents"), _shelter)]
    if role == Role.PRIVACY_OFFICER:
        return [Group(("reviews", "recent-emergency"), _privacy)]
    if role == Role.PROGRAMME_STAFF:
        return [Group(("late", "changes"), _programme)]
    return []


def _cut(queue: Queue) -> Queue:
    """The home's view of a queue: its first lines, and a link to all of them."""
    if queue.lines:
        queue.all_url = reverse("queue", args=[queue.key])
    queue.lines = queue.lines[:LINES]
    return queue


def home_queues(*, actor: Actor) -> list[Queue]:
    """The queues of the actor's role, each read (and audited) by its own selector."""
    queues: list[Queue] = []
    for source in _sources(actor):
        if isinstance(source, CaseQueue):
            queues.append(_cases(actor, source)[0])
        else:
            queues += [_cut(q) for q in source.build(actor)]
    audit.record(
        actor,
        "home.read",
        object_type="home",
        object_id="*",
        fields=[],
        purpose=policy.purpose_of(actor),
        detail={"queues": [q.key for q in queues]},
    )
    return queues


def _sorted(lines: list[Line], sort: str) -> list[Line]:
    if sort == "ref":
        return sorted(lines, key=lambda line: line.text)
    if sort in ("new", "old"):
        dated = [line for line in lines if line.when is not None]
        undated = [line for line in lines if line.when is None]
        dated.sort(key=lambda line: _instant(line.when), reverse=sort == "new")
        return dated + undated
    return lines


def _instant(when: date | datetime | None) -> datetime:
    if isinstance(when, datetime):
        return when if timezone.is_aware(when) else timezone.make_aware(when)
    return timezone.make_aware(datetime.combine(when or date.min, datetime.min.time()))


@dataclass
class QueuePage:
    queue: Queue
    page: Page
    sort: str
    natural: bool = True  # has an order of its own ("as the queue comes"); cases do not


def queue_page(*, actor: Actor, key: str, page: int = 1, sort: str = "") -> QueuePage | None:
    """All of one of the actor's queues, a page of it, sorted; None when the actor's role has no
    queue of that name (deny by default: the page is a 404 then). Read through the same
    audited selectors as the home, plus one entry for the opening of the queue."""
    sort = sort if sort in SORTS else ""
    found: QueuePage | None = None
    for source in _sources(actor):
        if isinstance(source, CaseQueue) and source.key == key:
            queue, cases = _cases(actor, source, page=page, per_page=PER_PAGE, order=sort or "new")
            cases.object_list = queue.lines
            found = QueuePage(queue, cases, sort or "new", natural=False)
        elif isinstance(source, Group) and key in source.keys:
            for queue in source.build(actor):
                if queue.key == key:
                    paged = Paginator(_sorted(queue.lines, sort), PER_PAGE).get_page(page)
                    queue.lines = list(paged.object_list)
                    found = QueuePage(queue, paged, sort)
        if found is not None:
            break
    if found is None:
        return None
    if actor.role == Role.PROGRAMME_STAFF:
        programme_selectors.record_read(actor, "queue", key)
    audit.record(
        actor,
        "home.read",
        object_type="queue",
        object_id=key,
        fields=[],
        purpose=policy.purpose_of(actor),
        detail={"queue": key, "page": found.page.number, "sort": found.sort},
    )
    return found

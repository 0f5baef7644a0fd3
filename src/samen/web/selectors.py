"""The home page: for every role its own work, as queues (issue #16, item 3).

Each queue is read through the owning app's selector, which checks the policy (relation and
purpose) and writes its own audit entry indexed to the cases it shows; this module only picks
which queues a role gets and cuts them to the first few lines. The home itself writes one entry
("home.read") so that every opening of the page is in the trail, whatever it showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen import labels
from samen.cases import selectors as case_selectors
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.identification import selectors as identification_selectors
from samen.organisations.models import Role
from samen.programme.models import Commitment, ItemStatus, ProposedUpdate, UpdateState
from samen.sharing import selectors as sharing_selectors
from samen.shelter import selectors as shelter_selectors

LINES = 8  # lines per queue on the home page; the queue's own page has the rest


@dataclass
class Line:
    text: str
    href: str = ""
    hint: str = ""
    urgent: bool = False


@dataclass
class Queue:
    key: str
    title: str
    lines: list[Line] = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    more_label: str = ""
    empty: str = ""


def _cases(actor: Actor, key: str, title: str, empty: str, **filters: object) -> Queue:
    page = case_selectors.case_search(
        actor=actor, filters=case_selectors.CaseFilters(**filters), per_page=LINES
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
        )
        for row in page.object_list
    ]
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return Queue(
        key, title, lines, page.paginator.count,
        reverse("case-list") + (f"?{query}" if query else ""), _("All these cases"), empty,
    )  # fmt: skip


def _duplicates(actor: Actor) -> Queue:
    pairs = case_selectors.possible_duplicates(actor=actor)
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


def _deadlines(actor: Actor, title: str) -> Queue:
    buckets = identification_selectors.deadlines_of_organisation(actor=actor)
    rows = [row for bucket in buckets.values() for row in bucket]
    lines = [
        Line(
            text=f"{row['case']} · {row['kind_display']}",
            href=reverse("case-detail", args=[row["case"]]),
            hint=_("due %(day)s") % {"day": labels.local_date(row["due_on"])},
            urgent=row.get("days_left", 1) < 0,
        )
        for row in rows[:LINES]
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
                hint=_("referral %(n)s, held until %(until)s")
                % {"n": h["referral"], "until": labels.local_datetime(h["expires_at"])},
                urgent=h["urgency"] in ("high", "immediate"),
            )
            for h in holds[:LINES]
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
        )

    arriving = Queue(
        "arriving", _("Expected arrivals"),
        [line(r, "accepted_at") for r in placed["arriving"][:LINES]],
        len(placed["arriving"]), reverse("shelter:placements"), _("Arrivals and departures"),
        _("Nobody is expected."),
    )  # fmt: skip
    residents = Queue(
        "residents", _("Residents and their cases"),
        [line(r, "started_at") for r in placed["running"][:LINES]],
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
        )

    return [
        Queue(
            "reviews", _("Emergency access to review"), [line(e) for e in due[:LINES]],
            len(due), reverse("privacy-emergencies"), _("Review emergency access"),
            _("Nothing to review."),
        ),
        Queue(
            "recent-emergency", _("Emergency access in the last 7 days"),
            [line(e) for e in recent[:LINES]], len(recent), reverse("privacy-emergencies"),
            _("All emergency access"), _("No emergency access in the last 7 days."),
        ),
        Queue(
            "audit", _("Audit trail"), [], 0, reverse("privacy-audit") + "?format=csv",
            _("Download the audit trail (CSV)"), "",
        ),
    ]  # fmt: skip


def _programme() -> list[Queue]:
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
                )
                for c in late[:LINES]
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
                for pk, letter in list(letters.items())[:LINES]
            ],
            len(waiting), reverse("programme:letter-list"), _("Progress letters"),
            _("No proposals wait for review."),
        ),
    ]  # fmt: skip


def home_queues(*, actor: Actor) -> list[Queue]:
    """The queues of the actor's role, each read (and audited) by its own selector."""
    role = actor.role
    queues: list[Queue] = []
    if role == Role.CARE_COORDINATOR:
        queues.append(
            _cases(actor, "mine", _("My cases"), _("No open cases."), status="in_assessment")
        )
        queues.append(
            _cases(actor, "new", _("Newly signalled"), _("No new signals."), status="signalled")
        )
        queues.append(_deadlines(actor, _("Deadlines")))
    elif role == Role.NATIONAL_REGISTRAR:
        queues.append(
            _cases(
                actor, "register", _("New signals to register"), _("No new signals."),
                status="signalled",
            )
        )  # fmt: skip
        queues.append(_duplicates(actor))
    elif role == Role.INVESTIGATOR:
        queues.append(_cases(actor, "assess", _("Cases to assess"), _("No cases for you.")))
    elif role == Role.GUARDIAN:
        queues.append(_cases(actor, "minors", _("Minors in your guardianship"), _("No cases.")))
        queues.append(_deadlines(actor, _("Deadlines")))
    elif role == Role.IND_OFFICER:
        queues.append(_deadlines(actor, _("Pending decisions and their deadlines")))
        queues.append(_cases(actor, "ind", _("Cases with a residence step"), _("No cases.")))
    elif role == Role.SHELTER_STAFF:
        queues += _shelter(actor)
    elif role == Role.PRIVACY_OFFICER:
        queues += _privacy(actor)
    elif role == Role.PROGRAMME_STAFF:
        queues += _programme()
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

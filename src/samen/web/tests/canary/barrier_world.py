"""The barrier and review canary world (issue #24): the demo world plus two raised barriers with a
marker in every free field (the municipality they were raised for, a partner's name, the note
at raising, progress notes), one per region, and a review item whose comment hides its author.

Setup uses services and the ORM; what is under test is read over HTTP only.

  A  raised in Utrecht (VR09) by its care coordination (demo-coordinator), with the Utrecht
     police (demo-investigator) and a partner organisation of its own as partners.
  B  raised in Groningen (VR01) by its care coordination (demo-coordinator-noord), with the
     Groningen police (no demo user) as partner.

Signals planted in Utrecht give the region map counts to protect: a dozen on the one indicator
the criminal model's identity step rests on, and a few more that only the labour model's identity
step counts, so the two published counts differ by a small group (see test_barriers_outside).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from samen.accounts.models import User
from samen.barriers import services as barrier_services
from samen.barriers.models import Barrier, BarrierState, RaisedBarrier
from samen.core.actor import actor_for_membership
from samen.demo.builder import DEMO_PASSWORD, _demo_second_factor, build_demo_world
from samen.organisations.models import Membership, Municipality, Organisation, Role
from samen.review import services as review_services
from samen.review.models import ItemKind
from samen.signalling.services import PersonInput, SignalInput, signal_record

AMS = ZoneInfo("Europe/Amsterdam")
REGION_A, REGION_B = "VR09", "VR01"
UTRECHT = "GM0344"
# A second care coordinator in region A, seated at another organisation (the municipality's
# social team): the region's coordination, but not the owner of barrier A.
COORD_A2 = "canary-coordinator-a2"
# Review group: the member whose comment hides the name, and a third member, so that the hidden
# author is one of two for the observing member (demo-review), not trivially "the other one".
HIDDEN_AUTHOR = "canary-anon-member"
THIRD_MEMBER = "canary-third-member"


@dataclass
class BarrierWorld:
    raised: dict[str, int]  # "A"/"B" -> RaisedBarrier pk
    markers: dict[str, list[str]]  # "A"/"B" -> marker strings planted in that barrier
    # The hidden author's identity as any page could show it: name, username, e-mail, org.
    author_identity: list[str] = field(default_factory=list)
    hidden_text: str = ""
    items: dict[str, int] = field(default_factory=dict)  # review items by tag
    comments: dict[str, int] = field(default_factory=dict)


def _member(username: str) -> Membership:
    return (
        Membership.objects.select_related("user", "organisation__municipality__region")
        .filter(user__username=username)
        .order_by("id")
        .first()
    )


def _actor(username: str):
    return actor_for_membership(_member(username), origin="test:canary")


def _user(username: str, first: str, last: str, org: Organisation, role: str, email: str = ""):
    user = User.objects.create(
        username=username, first_name=first, last_name=last, email=email, is_synthetic=True
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation=org, role=role)
    _demo_second_factor(user)
    return user


def _barrier(form: str, step: str, code: str) -> Barrier:
    return Barrier.objects.get(
        step__model__form=form, step__model__is_current=True, step__code=step, code=code
    )


def _police(region: str) -> Organisation:
    return Organisation.objects.filter(type="police", municipality__region__code=region).first()


def _raise(tag: str, *, owner: str, region: str, partners: list[Organisation], world) -> None:
    mark = world.markers.setdefault(tag, [])
    near = Municipality.objects.filter(region__code=region).order_by("code").first()
    muni = Municipality.objects.create(
        code=f"GM98{ord(tag) % 100:02d}",
        name=f"CANARY-barrier-{tag}-municipality",
        region=near.region,
        province=near.province,
    )
    mark.append(muni.name)
    extra = Organisation.objects.create(
        name=f"CANARY-barrier-{tag}-partner", type="police", municipality=near, is_synthetic=True
    )
    mark.append(extra.name)
    raised = barrier_services.barrier_raise(
        actor=_actor(owner),
        barrier=_barrier("criminal", "housing", "premises_closure"),
        partners=[*partners, extra],
        state=BarrierState.PLANNED,
        municipality=muni,
        note=f"CANARY-barrier-{tag}-raisenote",
    )
    mark.append(f"CANARY-barrier-{tag}-raisenote")
    # Raised a while ago, so a progress note may carry an earlier date than today.
    RaisedBarrier.objects.filter(pk=raised.pk).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    raised.refresh_from_db()
    # The progress note is written by a partner with staff in the demo (the police of A), else
    # by the owner.
    staff = [p.memberships.first() for p in partners if p.memberships.exists()]
    note_by = staff[0].user.username if staff else owner
    barrier_services.barrier_progress(
        actor=_actor(note_by),
        raised=raised,
        state=BarrierState.ACTIVE,
        on=timezone.localdate() - timedelta(days=5),
        text=f"CANARY-barrier-{tag}-progress",
    )
    mark.append(f"CANARY-barrier-{tag}-progress")
    world.raised[tag] = raised.pk


def _signals(today: date) -> None:
    """Region A's signals for the map, last year: 12 on 'no documents' (criminal, labour and
    sexual identity steps), 3 only on 'documents held' (labour identity step alone), 4 on a
    hotel indicator."""
    actor = _actor("demo-professional")
    rows = (
        [("general", ["general.documents_money.no_documents"], ["criminal"])] * 12
        + [("labour", ["labour.control.documents_held"], ["labour"])] * 3
        + [("hospitality", ["hospitality.room.many_visitors"], ["sexual"])] * 4
    )
    for i, (code, indicators, forms) in enumerate(rows):
        # Last year: the map counts whole calendar years (ADR 0024, amended).
        on = date(today.year - 1, 3, 1) + timedelta(days=i)
        signal_record(
            actor=actor,
            data=SignalInput(
                signal_list=code,
                indicators=indicators,
                observed_on=on,
                municipality=UTRECHT,
                forms=forms,
                person=PersonInput(),
            ),
            synthetic=True,
            at=datetime.combine(on, time(10), AMS),
        )


def _review(world: BarrierWorld) -> None:
    ministry = Organisation.objects.get(type="ministry")
    org = Organisation.objects.create(
        name="CANARY-anon-organisation", type="ministry", municipality=ministry.municipality,
        is_synthetic=True,
    )  # fmt: skip
    _user(
        HIDDEN_AUTHOR, "CANARY-anon-first", "CANARY-anon-last", org, Role.REVIEW_MEMBER,
        email="canary-anon-mail@example.org",
    )  # fmt: skip
    world.author_identity = [
        "CANARY-anon-first", "CANARY-anon-last", HIDDEN_AUTHOR, "canary-anon-mail",
        "CANARY-anon-organisation",
    ]  # fmt: skip
    _user(THIRD_MEMBER, "Derde", "Lid", ministry, Role.REVIEW_MEMBER)
    staff = _actor("demo-programme")
    # Two items alike: on one the hidden author comments, on the other the third member, with
    # the same text. A member reading both must not be able to tell them apart.
    for tag, author in (("hidden", HIDDEN_AUTHOR), ("twin", THIRD_MEMBER)):
        item = review_services.review_item_open(
            actor=staff, kind=ItemKind.PAGE, title=f"Canary review {tag}", question="Helder?"
        )
        world.items[tag] = item.pk
        comment = review_services.review_comment(
            actor=_actor(author), item=item, text="CANARY-hidden-comment", anonymous=True
        )
        world.comments[tag] = comment.pk
    world.hidden_text = "CANARY-hidden-comment"
    # The control: the same author, name shown, on an item of its own; other members read it.
    item = review_services.review_item_open(
        actor=staff, kind=ItemKind.PROCEDURE, title="Canary review named", question=""
    )
    world.items["named"] = item.pk
    comment = review_services.review_comment(
        actor=_actor(HIDDEN_AUTHOR), item=item, text="CANARY-named-comment", anonymous=False
    )
    world.comments["named"] = comment.pk


def build_barrier_world() -> BarrierWorld:
    today = timezone.localdate()
    build_demo_world(seed=1, signals=20)
    world = BarrierWorld(raised={}, markers={})
    with transaction.atomic():
        social_team = Organisation.objects.filter(
            type="social_team", municipality__region__code=REGION_A
        ).first()
        _user(COORD_A2, "Tweede", "Coördinator", social_team, Role.CARE_COORDINATOR)
        _raise(
            "A", owner="demo-coordinator", region=REGION_A,
            partners=[_police(REGION_A)], world=world,
        )  # fmt: skip
        _raise(
            "B", owner="demo-coordinator-noord", region=REGION_B,
            partners=[_police(REGION_B)], world=world,
        )  # fmt: skip
        _signals(today)
        _review(world)
    return world

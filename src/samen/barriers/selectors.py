"""Reads of barrier models and raised barriers. A partner sees only the barriers its
organisation owns or is a partner in; the programme team sees all (programme monitoring)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from samen.barriers.models import Barrier, BarrierModel, BarrierState, RaisedBarrier, Step
from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.organisations.models import Organisation, OrganisationType, Role, SafetyRegion
from samen.signalling.models import Signal
from samen.statistics.disclosure import CountTable, Dimension, protect
from samen.statistics.services import disclosure_rules, statistics_actor

# Which signals count for "where signals cluster" on the map: those observed in the last two
# complete calendar years and recorded before the running year began. A fixed period, as the
# statistics module releases (samen.statistics.periods): a window that moved every day, or
# took in signals recorded today, would let two reads a day apart single out that day's signals.
SIGNAL_YEARS = 2


def signal_period(today: date) -> tuple[date, date]:
    """[first day, day after the last day) of the map's signal period."""
    return date(today.year - SIGNAL_YEARS, 1, 1), date(today.year, 1, 1)


def barrier_models_current() -> list[BarrierModel]:
    return list(BarrierModel.objects.filter(is_current=True).order_by("form"))


def barrier_model_get(*, form: str) -> BarrierModel | None:
    return (
        BarrierModel.objects.filter(form=form, is_current=True)
        .prefetch_related("steps__barriers")
        .first()
    )


def regions() -> list[SafetyRegion]:
    return list(SafetyRegion.objects.order_by("code"))


def region_get(*, code: str) -> SafetyRegion | None:
    return SafetyRegion.objects.filter(code=code).first()


def sees_every_barrier(actor: Actor) -> bool:
    return actor.role == Role.PROGRAMME_STAFF


def raised_visible(*, actor: Actor) -> QuerySet[RaisedBarrier]:
    """Deny by default: only barriers of the actor's own organisation (owner or partner)."""
    qs = RaisedBarrier.objects.select_related(
        "barrier__step__model", "region", "municipality", "owner"
    ).prefetch_related("partners")
    if sees_every_barrier(actor):
        return qs
    org = actor.organisation
    if org is None:
        return qs.none()
    return qs.filter(Q(owner=org) | Q(partners=org)).distinct()


def raised_get(*, actor: Actor, raised_id: int) -> RaisedBarrier:
    """One raised barrier the actor may see; a refusal is audited and looks like absence."""
    found = raised_visible(actor=actor).filter(pk=raised_id).first()
    if found is None:
        audited.record(
            actor,
            "barrier.read",
            object_type="raised_barrier",
            object_id=str(raised_id),
            result="denied",
        )
        raise RaisedBarrier.DoesNotExist
    return found


def may_update(*, actor: Actor, raised: RaisedBarrier) -> bool:
    """Only staff of an owning organisation; seeing every barrier is not owning it."""
    org = actor.organisation
    if org is None or not policy.allows(actor, "barrier.update"):
        return False
    return raised.owner_id == org.pk or raised.partners.filter(pk=org.pk).exists()


@dataclass
class MapCell:
    barrier: object
    raised: list[RaisedBarrier] = field(default_factory=list)

    @property
    def state(self) -> str:
        # The most advanced state among the region's raisings of this barrier.
        states = {r.state for r in self.raised}
        for s in (BarrierState.EVALUATED, BarrierState.ACTIVE, BarrierState.PLANNED):
            if s in states:
                return s
        return ""

    @property
    def state_label(self) -> str:
        return str(BarrierState(self.state).label) if self.state else ""


@dataclass
class MapRow:
    step: Step
    cells: list[MapCell]
    signals: int | None = None  # None: hidden by disclosure control, or not shown to this actor
    signals_shown: bool = False

    @property
    def has_barrier(self) -> bool:
        return any(c.state in (BarrierState.ACTIVE, BarrierState.EVALUATED) for c in self.cells)

    @property
    def gap(self) -> bool:
        """Signals cluster here (a published count of at least one) and no barrier stands."""
        return bool(self.signals) and not self.has_barrier


@dataclass
class BarrierMap:
    model: BarrierModel
    region: SafetyRegion
    rows: list[MapRow]
    signals_shown: bool
    since: date | None
    until: date | None = None  # the period's last day


def barrier_map(*, actor: Actor, model: BarrierModel, region: SafetyRegion) -> BarrierMap:
    steps = list(model.steps.prefetch_related("barriers").order_by("order"))
    raised = list(raised_visible(actor=actor).filter(region=region, barrier__step__model=model))
    by_barrier: dict[int, list[RaisedBarrier]] = {}
    for r in raised:
        by_barrier.setdefault(r.barrier_id, []).append(r)
    rows = [
        MapRow(step, [MapCell(b, by_barrier.get(b.pk, [])) for b in step.barriers.all()])
        for step in steps
    ]
    counts, since = step_signal_counts(actor=actor, model=model, region=region, steps=steps)
    until = None
    if counts is not None:
        until = signal_period(timezone.localdate())[1] - timedelta(days=1)
        for row in rows:
            row.signals_shown = True
            row.signals = counts.get(row.step.code)
    return BarrierMap(model, region, rows, counts is not None, since, until)


def step_signal_counts(
    *, actor: Actor, model: BarrierModel, region: SafetyRegion, steps: list[Step]
) -> tuple[dict[str, int | None] | None, date | None]:
    """Signals per step in the region, through the statistics grants and disclosure control.

    Only for an organisation the register grants exploitation data for statistics; counts are
    protected as one table per model (a signal can point at several steps, so the steps are not
    a partition: the dimension is marked incomplete). None when not granted.

    The maps of the other forms count the same signals over other indicator sets, and a step
    whose indicators are a subset of another step's counts a subset of its signals: the two
    published counts would differ by a small group of their own (the criminal model's identity
    step counts 12, the labour model's 15: 3 signals on "documents held" alone). So every map
    computes the counts of every current model, and hides the larger count of such a pair when
    they differ by fewer than the minimum; each map then shows its own model's part."""
    stats = statistics_actor(actor)
    if policy.purpose_of(stats) != "statistics" or "exploitation" not in policy.grants(stats):
        return None, None
    since, end = signal_period(timezone.localdate())
    published = _protected_step_counts(model=model, region=region, since=since, end=end)
    audit.record(
        stats,
        "statistics.export",
        object_type="barrier_map",
        object_id=f"{model.form}:{region.code}",
        fields=["exploitation", "location"],
        purpose="statistics",
        legal_basis=policy.legal_basis(stats, {"exploitation", "location"}),
        detail={"format": "aggregate", "since": since.isoformat(), "until": end.isoformat()},
    )
    return {s.code: published.get((model.form, s.code)) for s in steps}, since


def _protected_step_counts(
    *, model: BarrierModel, region: SafetyRegion, since: date, end: date
) -> dict[tuple[str, str], int]:
    """The published count of every step of every current model (and of `model`) in the region,
    by (form, step code); hidden counts are absent."""
    models = list(BarrierModel.objects.filter(is_current=True).prefetch_related("steps"))
    if model.pk not in {m.pk for m in models}:
        models.append(model)
    every = [(m, s) for m in models for s in m.steps.all()]
    linked = [(m, s) for m, s in every if s.indicator_codes]
    # One query: a distinct count per step over the signals' ticked indicators.
    found = (
        Signal.objects.filter(
            region=region,
            observed_on__gte=since,
            observed_on__lt=end,
            created_at__lt=timezone.make_aware(datetime.combine(end, time.min)),
        ).aggregate(
            **{
                f"s{i}": Count(
                    "pk", filter=Q(indicators__code__in=s.indicator_codes), distinct=True
                )
                for i, (_, s) in enumerate(linked)
            }
        )
        if linked
        else {}
    )
    raw = {(m.form, s.code): int(found.get(f"s{i}") or 0) for i, (m, s) in enumerate(linked)}
    rules = disclosure_rules()
    published: dict[tuple[str, str], int] = {}
    for m in models:
        codes = tuple(s.code for s in m.steps.all())
        table = CountTable(
            "signals by step",
            [Dimension("step", codes, complete=False)],
            {(code,): raw.get((m.form, code), 0) for code in codes},
            scope={"region": region.code, "form": m.form},
        )
        release = protect([table], rules, label=f"barrier map {region.code} {m.form}")
        protected = release.table("signals by step")
        for code in codes:
            value = protected.value((code,))
            if value is not None:
                published[(m.form, code)] = value
    indicators = {(m.form, s.code): frozenset(s.indicator_codes) for m, s in linked}
    nested = [
        (small, big)
        for small, big in itertools.permutations(indicators, 2)
        if indicators[small] < indicators[big]
    ]
    hidden = True
    while hidden:
        hidden = False
        for small, big in nested:
            if (
                small in published
                and big in published
                and 0 < published[big] - published[small] < rules.min_count
            ):
                del published[big]
                hidden = True
    return published


NATIONAL_PARTNER_TYPES = (
    "kmar",
    "labour_inspectorate",
    "prosecution",
    "ind",
    "nidos",
    "asylum_reception",
    "comensha",
)


def partner_candidates(*, region: SafetyRegion) -> QuerySet:
    """Organisations a region can raise a barrier with: its own, and the national services."""
    return Organisation.objects.filter(
        Q(municipality__region=region) | Q(type__in=NATIONAL_PARTNER_TYPES)
    ).order_by("name")


def municipalities_of(*, region: SafetyRegion) -> QuerySet:
    return region.municipalities.order_by("name")


def barriers_of(*, model: BarrierModel) -> QuerySet:
    return (
        Barrier.objects.filter(step__model=model)
        .select_related("step")
        .order_by("step__order", "order")
    )


def type_labels(codes: list[str]) -> list[str]:
    return [str(OrganisationType(c).label) for c in codes]


def model_outline(*, model: BarrierModel) -> list[tuple[Step, list[tuple[Barrier, list[str]]]]]:
    return [
        (step, [(b, type_labels(b.partner_types)) for b in step.barriers.all()])
        for step in model.steps.all()
    ]


def progress_notes(*, raised: RaisedBarrier) -> list:
    return list(raised.notes.select_related("organisation", "author"))

"""Reads of signals, filtered by the policy and audited."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from samen.cases.models import Case
from samen.sharing import audit, policy
from samen.sharing.actor import Actor
from samen.signalling.models import Signal, SignalList
from samen.signalling.services import signal_notes

MAX_PAGE_SIZE = 100


def signal_lists_current() -> list[SignalList]:
    return list(SignalList.objects.filter(is_current=True).prefetch_related("indicators"))


def signal_list_get(*, code: str) -> SignalList | None:
    return (
        SignalList.objects.filter(code=code, is_current=True).prefetch_related("indicators").first()
    )


def _present(signal: Signal, *, with_notes: bool) -> dict[str, object]:
    data = {
        "id": signal.pk,
        "case": signal.case.number,
        "signal_list": signal.signal_list.code,
        "signal_list_version": signal.signal_list.version,
        "signal_list_title": signal.signal_list.title,
        "indicators": [i.code for i in signal.indicators.all()],
        "indicators_display": [i.text for i in signal.indicators.all()],
        "observed_on": signal.observed_on,
        "municipality": signal.municipality.code,
        "municipality_name": signal.municipality.name,
        "organisation": signal.organisation.name,
        "setting": signal.setting,
        "advice": signal.advice,
        "advice_display": signal.get_advice_display(),
        "advice_reasons": signal.advice_reasons,
        "linked_to_existing": signal.linked_to_existing,
        "created_at": signal.created_at,
        "is_synthetic": signal.is_synthetic,
    }
    if with_notes:
        data["notes"] = signal_notes(signal)
    return data


def _notes_visible(actor: Actor, signal: Signal) -> bool:
    # Free-text notes are the author's and the case hub's, not everyone's in the region.
    return signal.recorded_by_id == actor.user.pk or policy.sees_identity(actor)


def _base():
    return Signal.objects.select_related(
        "case", "signal_list", "municipality", "organisation"
    ).prefetch_related("indicators")


def signals_of_case(*, actor: Actor, case: Case) -> list[dict[str, object]]:
    """The signals of a case the caller has already been allowed to read (audited there)."""
    qs = _base().filter(case=case).filter(policy.signal_filter(actor))
    if not policy.sees_all_of_case(actor):
        qs = qs.filter(recorded_by_id=actor.user.pk)
    return [_present(s, with_notes=_notes_visible(actor, s)) for s in qs]


def signal_search(
    *, actor: Actor, page: int = 1, per_page: int = 25, advice: str = "", signal_list: str = ""
) -> Page:
    policy.require(actor, "signal.read", object_type="signal")
    qs = _base().filter(policy.signal_filter(actor))
    if advice:
        qs = qs.filter(advice=advice)
    if signal_list:
        qs = qs.filter(signal_list__code=signal_list)
    paginator = Paginator(qs.order_by("-created_at", "-id"), max(1, min(per_page, MAX_PAGE_SIZE)))
    result = paginator.get_page(page)
    result.object_list = [_present(s, with_notes=False) for s in result.object_list]
    audit.record(
        actor,
        "signal.search",
        object_type="signal",
        fields=["summary"],
        purpose=policy.purpose_of(actor),
        detail={"shown": [s["id"] for s in result.object_list]},
    )
    return result


def signal_get(*, actor: Actor, signal_id: int) -> dict[str, object]:
    policy.require(actor, "signal.read", object_type="signal", object_id=str(signal_id))
    signal = _base().filter(policy.signal_filter(actor), pk=signal_id).first()
    if signal is None:
        raise policy.not_visible(
            actor, "signal.read", object_type="signal", object_id=str(signal_id)
        )
    with_notes = _notes_visible(actor, signal)
    audit.record(
        actor,
        "signal.read",
        object_type="signal",
        object_id=str(signal.pk),
        fields=["summary"] + (["notes"] if with_notes else []),
        purpose=policy.purpose_of(actor),
    )
    return _present(signal, with_notes=with_notes)

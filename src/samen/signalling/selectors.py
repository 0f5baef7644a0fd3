"""Reads of signals, filtered by the policy and audited."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from samen.cases.models import Case
from samen.sharing import audit, policy
from samen.sharing.actor import Actor
from samen.sharing.policy import CaseAccess
from samen.signalling.models import Signal, SignalList
from samen.signalling.services import signal_notes

MAX_PAGE_SIZE = 100


def signal_lists_current() -> list[SignalList]:
    return list(SignalList.objects.filter(is_current=True).prefetch_related("indicators"))


def signal_list_get(*, code: str) -> SignalList | None:
    return (
        SignalList.objects.filter(code=code, is_current=True).prefetch_related("indicators").first()
    )


def present(signal: Signal, *, access: CaseAccess | None, is_author: bool) -> dict[str, object]:
    """A signal as its reader may see it. The author always sees their own signal in full."""

    def shows(field: str) -> bool:
        return is_author or (access is not None and access.shows(field))

    data: dict[str, object] = {
        "id": signal.pk,
        "case": signal.case.number,
        "signal_list": signal.signal_list.code,
        "signal_list_version": signal.signal_list.version,
        "signal_list_title": signal.signal_list.title,
        "observed_on": signal.observed_on,
        "organisation": signal.organisation.name,
        "advice": signal.advice,
        "advice_display": signal.get_advice_display(),
        "advice_reasons": signal.advice_reasons,
        "linked_to_existing": signal.linked_to_existing,
        "created_at": signal.created_at,
        "is_synthetic": signal.is_synthetic,
    }
    if shows("signals"):
        indicators = list(signal.indicators.all())
        data["indicators"] = [i.code for i in indicators]
        data["indicators_display"] = [i.text for i in indicators]
    if shows("municipality"):
        data.update(
            municipality=signal.municipality.code,
            municipality_name=signal.municipality.name,
            setting=signal.setting,
        )
    if shows("signals.notes") and signal.notes_ciphertext:
        data["notes"] = signal_notes(signal)
    return data


def _base():
    return Signal.objects.select_related(
        "case", "signal_list", "municipality", "organisation"
    ).prefetch_related("indicators")


def signals_of_case(*, actor: Actor, case: Case, access: CaseAccess) -> list[dict[str, object]]:
    """The signals of a case the caller was already allowed to read (audited there)."""
    qs = _base().filter(case=case)
    if not policy.sees_all_of_case(actor):
        qs = qs.filter(recorded_by_id=actor.user.pk)
    return [present(s, access=access, is_author=s.recorded_by_id == actor.user.pk) for s in qs]


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
    signals = list(result.object_list)
    access = policy.case_access(actor, list({s.case_id for s in signals}))
    result.object_list = [
        {
            k: v
            for k, v in present(s, access=access.get(s.case_id), is_author=False).items()
            if k != "notes"  # lists never carry free text
        }
        for s in signals
    ]
    categories = (
        frozenset().union(*(a.categories for a in access.values())) if access else frozenset()
    )
    audit.record(
        actor,
        "signal.search",
        object_type="signal",
        object_id="*",
        fields=["signals", "municipality"],
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, categories),
        detail={
            "shown": [s["id"] for s in result.object_list],
            "cases": sorted({s["case"] for s in result.object_list}),
            "relations": sorted({_relation(actor, s, access.get(s.case_id)) for s in signals}),
        },
    )
    return result


def signal_get(*, actor: Actor, signal_id: int) -> dict[str, object]:
    policy.require(actor, "signal.read", object_type="signal", object_id=str(signal_id))
    signal = _base().filter(policy.signal_filter(actor), pk=signal_id).first()
    if signal is None:
        raise policy.not_visible(
            actor, "signal.read", object_type="signal", object_id=str(signal_id)
        )
    access = policy.case_access(actor, [signal.case_id]).get(signal.case_id)
    is_author = signal.recorded_by_id == actor.user.pk
    data = present(signal, access=access, is_author=is_author)
    # The author reads their own signal on their own basis (the register's, for signalling).
    categories = (
        access.categories if access else frozenset(policy.grants(actor) if is_author else ())
    )
    audit.record(
        actor,
        "signal.read",
        object_type="signal",
        object_id=str(signal.pk),
        fields=[f for f in ("indicators", "municipality", "notes") if f in data],
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, categories),
        detail={"case": signal.case.number, "relation": _relation(actor, signal, access)},
    )
    return data


def _relation(actor: Actor, signal: Signal, access: CaseAccess | None) -> str:
    """The relation the read went through: the case's, else having recorded the signal."""
    if access is not None:
        return access.relation.value
    return policy.Relation.SIGNALLER.value if signal.recorded_by_id == actor.user.pk else ""

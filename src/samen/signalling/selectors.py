"""Reads of signals, filtered by the policy and audited."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from samen.cases.models import Case
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.core.policy import CaseAccess
from samen.core.register import CASE_METADATA, FIELD_CATEGORIES
from samen.signalling.models import Signal, SignalList
from samen.signalling.services import signal_new_identity, signal_notes

MAX_PAGE_SIZE = 100


def signal_lists_current() -> list[SignalList]:
    return list(SignalList.objects.filter(is_current=True).prefetch_related("indicators"))


def signal_list_get(*, code: str) -> SignalList | None:
    return (
        SignalList.objects.filter(code=code, is_current=True).prefetch_related("indicators").first()
    )


def present(
    signal: Signal, *, access: CaseAccess | None, is_author: bool, sees_case: bool = False
) -> dict[str, object]:
    """A signal as its reader may see it. The author always sees what they recorded, but a
    signal is a one-way door: its case, whether it was linked to a known person and the
    identity details it added show only to a reader who reaches the case by another relation
    than having signalled it (`sees_case`: the coordinator, the registrar). Deny by default:
    keys without a category (signal.<key> in the register) are left out."""

    def shows(key: str) -> bool:
        name = f"signal.{key}"
        category = FIELD_CATEGORIES.get(name)
        if category is None:
            return False
        if category == CASE_METADATA:
            return True
        return is_author or (access is not None and access.shows(name))

    data: dict[str, object] = {
        "id": signal.pk,
        "receipt": signal.receipt or "",
        "signal_list": signal.signal_list.code,
        "signal_list_version": signal.signal_list.version,
        "signal_list_title": signal.signal_list.title,
        "observed_on": signal.observed_on,
        "organisation": signal.organisation.name,
        "advice": signal.advice,
        "advice_display": signal.get_advice_display(),
        "advice_reasons": signal.advice_reasons,
        "created_at": signal.created_at,
        "is_synthetic": signal.is_synthetic,
    }
    if sees_case and access is not None:
        data["case"] = signal.case.number
        data["linked_to_existing"] = signal.linked_to_existing
        if signal.identity_new and access.shows("identity"):
            added = {
                k: v
                for k, v in signal_new_identity(signal).items()
                if access.shows(f"identity.{k}")
            }
            if added:
                data["new_identity"] = added
    if shows("indicators"):
        indicators = list(signal.indicators.all())
        data["indicators"] = [i.code for i in indicators]
        data["indicators_display"] = [i.text for i in indicators]
    if shows("municipality"):
        data.update(
            municipality=signal.municipality.code,
            municipality_name=signal.municipality.name,
            setting=signal.setting,
        )
    if shows("notes") and signal.notes_ciphertext:
        data["notes"] = signal_notes(signal)
    return {k: v for k, v in data.items() if shows(k)}


def _sees_case(actor: Actor, access: CaseAccess | None) -> bool:
    """Whether the reader reaches the signal's case by more than having signalled it."""
    return access is not None and policy.sees_all_of_case(actor)


def _base():
    return Signal.objects.select_related(
        "case", "signal_list", "municipality", "organisation"
    ).prefetch_related("indicators")


def signals_of_case(*, actor: Actor, case: Case, access: CaseAccess) -> list[dict[str, object]]:
    """The signals of a case the caller was already allowed to read (audited there)."""
    qs = _base().filter(case=case)
    if not policy.sees_all_of_case(actor):
        qs = qs.filter(recorded_by_id=actor.user.pk)
    sees_case = _sees_case(actor, access)
    return [
        present(s, access=access, is_author=s.recorded_by_id == actor.user.pk, sees_case=sees_case)
        for s in qs
    ]


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
            for k, v in present(
                s,
                access=access.get(s.case_id),
                is_author=False,
                sees_case=_sees_case(actor, access.get(s.case_id)),
            ).items()
            if k not in ("notes", "new_identity")  # lists never carry free text or identity
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
            "cases": sorted({str(s["case"]) for s in result.object_list if "case" in s}),
            "relations": sorted({_relation(actor, s, access.get(s.case_id)) for s in signals}),
        },
    )
    return result


def signal_get(
    *, actor: Actor, signal_id: int | None = None, receipt: str = ""
) -> dict[str, object]:
    """One signal by its id or by its receipt (the reference its author was given)."""
    ref = str(signal_id) if signal_id is not None else receipt
    policy.require(actor, "signal.read", object_type="signal", object_id=ref)
    lookup = {"pk": signal_id} if signal_id is not None else {"receipt": receipt}
    signal = _base().filter(policy.signal_filter(actor), **lookup).first()
    if signal is None:
        raise policy.not_visible(actor, "signal.read", object_type="signal", object_id=ref)
    access = policy.case_access(actor, [signal.case_id]).get(signal.case_id)
    is_author = signal.recorded_by_id == actor.user.pk
    data = present(
        signal,
        access=access,
        is_author=is_author,
        sees_case=_sees_case(actor, access),
    )
    # The author reads their own signal on their own basis (the register's, for signalling).
    categories = (
        access.categories if access else frozenset(policy.grants(actor) if is_author else ())
    )
    audit.record(
        actor,
        "signal.read",
        object_type="signal",
        object_id=str(signal.pk),
        fields=[f for f in ("indicators", "municipality", "notes") if f in data]
        + [f"identity.{k}" for k in data.get("new_identity", {})],  # type: ignore[union-attr]
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

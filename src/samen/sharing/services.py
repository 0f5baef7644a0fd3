"""Sharing a case, revoking a share, emergency access and its review: each one transaction,
checked against the register and the policy, written to the case timeline and the audit trail."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case, CaseEvent
from samen.cases.services import event_add
from samen.core import audit, policy, register
from samen.core.actor import Actor
from samen.core.models import (
    CaseShare,
    DataCategory,
    EmergencyAccess,
    ProcessingRule,
    Purpose,
)
from samen.organisations.models import Organisation, OrganisationType

REFUSAL_TEXT = {
    "sender_has_no_basis": _("your organisation has no basis to process this for your purpose"),
    "not_shareable_with_recipient": _("the register does not allow sharing this with that type"),
    "recipient_has_no_basis": _("the recipient has no basis to process this for that purpose"),
}
MIN_REASON = 10


def _own_case(actor: Actor, case: Case, permission: str) -> None:
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    if access is None or not access.own:
        # Only the organisations that work the case may pass it on, not its recipients.
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)


def share_create(
    *,
    actor: Actor,
    case: Case,
    recipient: Organisation | None,
    purpose: str,
    categories: list[str],
    reason: str = "",
) -> CaseShare:
    policy.require(actor, "case.share", object_type="case", object_id=case.number)
    _own_case(actor, case, "case.share")
    errors: dict[str, list[str]] = {}
    purpose_obj = Purpose.objects.filter(code=purpose).first()
    if recipient is None:
        errors["recipient"] = [_("Choose the organisation to share with.")]
    elif recipient.pk == actor.organisation.pk:
        errors["recipient"] = [_("You cannot share a case with your own organisation.")]
    if purpose_obj is None:
        errors["purpose"] = [_("Choose a purpose from the register.")]
    known = set(DataCategory.objects.values_list("code", flat=True))
    categories = sorted(set(categories))
    if not categories:
        errors["categories"] = [_("Choose at least one data category.")]
    elif set(categories) - known:
        errors["categories"] = [_("Choose data categories from the register.")]
    if not errors:
        refused = register.share_refusals(
            from_type=actor.organisation.type,
            from_purpose=policy.purpose_of(actor),
            to_type=recipient.type,
            to_purpose=purpose,
            categories=categories,
        )
        if refused:
            errors["categories"] = [
                _("Not allowed by the register: %(category)s: %(why)s")
                % {"category": cat, "why": REFUSAL_TEXT[why]}
                for cat, why in sorted(refused.items())
            ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        share = CaseShare.objects.create(
            case=case,
            from_organisation=actor.organisation,
            recipient=recipient,
            purpose=purpose_obj,
            categories=categories,
            reason=reason.strip()[:300],
            shared_by=actor.user,
            shared_at=now,
        )
        event_add(
            case=case, kind=CaseEvent.Kind.SHARED, actor=actor, at=now,
            share=share.pk, recipient=recipient.pk, purpose=purpose, categories=categories,
        )  # fmt: skip
        audit.record(
            actor,
            "case.share",
            object_type="case",
            object_id=case.number,
            fields=categories,
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, set(categories)),
            detail={"share": share.pk, "recipient": recipient.pk, "recipient_purpose": purpose},
        )
    return share


def share_revoke(*, actor: Actor, share: CaseShare) -> CaseShare:
    """Revoke a share; the recipient loses access on its next request (nothing is cached)."""
    policy.require(actor, "case.share", object_type="case", object_id=share.case.number)
    if share.from_organisation_id != (actor.organisation.pk if actor.organisation else None):
        raise policy.not_visible(
            actor, "case.share", object_type="case", object_id=share.case.number
        )
    now = timezone.now()
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().get(pk=share.pk)
        if share.revoked_at is None:
            share.revoked_at, share.revoked_by = now, actor.user
            share.save(update_fields=["revoked_at", "revoked_by"])
            event_add(
                case=share.case, kind=CaseEvent.Kind.SHARE_REVOKED, actor=actor, at=now,
                share=share.pk, purpose=share.purpose.code,
            )  # fmt: skip
            audit.record(
                actor,
                "case.revoke",
                object_type="case",
                object_id=share.case.number,
                fields=share.categories,
                purpose=policy.purpose_of(actor),
                legal_basis=policy.legal_basis(actor, set(share.categories)),
                detail={"share": share.pk},
            )
    return share


def shares_of_organisation(*, actor: Actor) -> dict[str, list[CaseShare]]:
    """Shares given and received by the actor's organisation: both sides see every share."""
    org = actor.organisation
    base = CaseShare.objects.select_related("case", "recipient", "from_organisation", "purpose")
    shares = (
        {
            "given": list(base.filter(from_organisation=org)),
            "received": list(base.filter(recipient=org)),
        }
        if org is not None
        else {"given": [], "received": []}
    )
    shown = sorted({s.case.number for side in shares.values() for s in side})
    audit.record(
        actor,
        "case_share.list",
        object_type="case",
        object_id="*",
        fields=["case_number", "shares"] if shown else [],
        purpose=policy.purpose_of(actor),
        detail={"cases": shown},
    )
    return shares


def emergency_start(*, actor: Actor, case: Case, reason: str) -> EmergencyAccess:
    """Break the glass: open a case outside one's reach for a short time, with a reason."""
    policy.require(actor, "case.emergency", object_type="case", object_id=case.number)
    if len(reason.strip()) < MIN_REASON:
        raise ValidationError(
            {"reason": [_("Give the reason in at least %(n)d characters.") % {"n": MIN_REASON}]}
        )
    now = timezone.now()
    with transaction.atomic():
        access = EmergencyAccess.objects.create(
            case=case,
            user=actor.user,
            organisation=actor.organisation,
            role=actor.role,
            reason=reason.strip(),
            started_at=now,
            expires_at=now + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
        )
        event_add(
            case=case, kind=CaseEvent.Kind.EMERGENCY_ACCESS, actor=actor, at=now,
            emergency=access.pk, expires_at=access.expires_at.isoformat(),
        )  # fmt: skip
        audit.record(
            actor,
            "case.emergency",
            object_type="case",
            object_id=case.number,
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, set(policy.grants(actor))),
            emergency=True,
            detail={"emergency": access.pk},
        )
    return access


def case_by_number_for_emergency(*, number: str) -> Case | None:
    """Emergency access starts from a case number the user was given (e.g. by phone)."""
    return Case.objects.filter(number=number.strip().upper()).first()


VERDICTS = ("justified", "unjustified")


def emergency_review(
    *, actor: Actor, access: EmergencyAccess, verdict: str, note: str = ""
) -> EmergencyAccess:
    policy.require(actor, "audit.read", object_type="emergency", object_id=str(access.pk))
    if verdict not in VERDICTS:
        raise ValidationError({"verdict": [_("Choose justified or unjustified.")]})
    # The refusal below is raised inside the transaction; refusals_outlive writes its audit
    # entry after the rollback, so a refused second review is on the trail too.
    with audit.refusals_outlive(), transaction.atomic():
        # Locked and compared with what the reviewer saw: a review given meanwhile by someone
        # else is not silently overwritten (its verdict and audit entry would contradict).
        seen = access.reviewed_at
        access = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
        if access.reviewed_at != seen:
            audit.record(
                actor,
                "emergency.update",
                object_type="emergency",
                object_id=str(access.pk),
                fields=["review"],
                result="refused",
                purpose=policy.purpose_of(actor),
                detail={"verdict": verdict, "conflict": True},
            )
            raise ValidationError(
                {"verdict": [_("Someone else reviewed this access meanwhile; read their verdict.")]}
            )
        access.reviewed_at, access.reviewed_by = timezone.now(), actor.user
        access.review_verdict, access.review_note = verdict, note.strip()[:2000]
        access.save(update_fields=["reviewed_at", "reviewed_by", "review_verdict", "review_note"])
        audit.record(
            actor,
            "emergency.update",
            object_type="emergency",
            object_id=str(access.pk),
            fields=["review"],
            purpose=policy.purpose_of(actor),
            legal_basis="AVG art. 5 lid 2 en art. 32 (verantwoording en beveiliging)",
            detail={"verdict": verdict},
        )
    return access


def register_rule_update(
    *,
    actor: Actor,
    rule: ProcessingRule,
    legal_basis: str,
    sector_law: str,
    retention_days: int,
    share_with: list[str],
) -> ProcessingRule:
    """The privacy officer keeps the register; every change is audited with old and new values."""
    policy.require(actor, "register.edit", object_type="register", object_id=str(rule.pk))
    errors: dict[str, list[str]] = {}
    if not legal_basis.strip():
        errors["legal_basis"] = [_("Name the legal basis.")]
    if retention_days < 1 or retention_days > 36500:
        errors["retention_days"] = [_("Give a retention period between 1 and 36500 days.")]
    unknown = set(share_with) - set(OrganisationType.values)
    if unknown:
        errors["share_with"] = [_("Choose organisation types from the list.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = ProcessingRule.objects.select_for_update().get(pk=rule.pk)
        before = {
            "legal_basis": rule.legal_basis,
            "sector_law": rule.sector_law,
            "retention_days": rule.retention_days,
            "share_with": rule.share_with,
        }
        rule.legal_basis, rule.sector_law = legal_basis.strip(), sector_law.strip()
        rule.retention_days, rule.share_with = retention_days, sorted(share_with)
        rule.updated_by = actor.user
        rule.save()
        audit.record(
            actor,
            "register.update",
            object_type="register",
            object_id=str(rule.pk),
            fields=[k for k, v in before.items() if getattr(rule, k) != v],
            purpose=policy.purpose_of(actor),
            legal_basis="AVG art. 30 (register van verwerkingen)",
            detail={"before": before},
        )
    return rule

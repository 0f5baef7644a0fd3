"""Web pages of the identification path. Views parse input and present; the services and
selectors check the policy and write the audit entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.cases.selectors import Case, case_by_number
from samen.core import policy
from samen.core.access import access
from samen.core.requests import ActorRequest
from samen.i18n import current_language
from samen.identification import commission, leadtimes, selectors, services
from samen.identification.choices import AgeAssessment, NonPunishmentReason
from samen.identification.definitions import machine_of
from samen.identification.forms import CommissionOpenForm
from samen.identification.selectors.commission import CommissionReview


def _case(request: ActorRequest, number: str, permission: str) -> Case:
    return case_by_number(actor=request.actor, number=number, permission=permission)


def _errors(request: ActorRequest, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            messages.error(request, f"{field}: {error}" if field != "__all__" else error)


@access("identification.read")
def deadlines(request: ActorRequest) -> HttpResponse:
    """The organisation's open deadlines: overdue, due today, within 7 and within 14 days."""
    buckets = selectors.deadlines_of_organisation(actor=request.actor)
    sections = [
        ("overdue", _("Overdue")),
        ("due_0", _("Due today")),
        ("due_7", _("Due within 7 days")),
        ("due_14", _("Due within 14 days")),
        ("later", _("Later")),
    ]
    return render(
        request,
        "identification/deadlines.html",
        {"sections": [(key, title, buckets[key]) for key, title in sections]},
    )


@access("identification.read")
def path_detail(request: ActorRequest, number: str) -> HttpResponse:
    """The whole path of one case: current step, next steps and who takes them, deadlines."""
    return _path_page(request, number)


def _path_page(
    request: ActorRequest, number: str, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    case = _case(request, number, "identification.read")
    data = selectors.path_page(actor=request.actor, case=case)
    return render(
        request,
        "identification/path.html",
        {
            "path": data,
            "may_act": policy.allows(request.actor, "identification.transition"),
            "age_choices": AgeAssessment.choices,
            "reason_choices": NonPunishmentReason.choices,
            "step_errors": errors or {},
        },
        status=status,
    )


@access("identification.transition")  # outermost: the rule is checked before the method
@require_POST
def path_step(request: ActorRequest, number: str) -> HttpResponse:
    case = _case(request, number, "identification.transition")
    code = request.POST.get("transition", "")[:40]
    values = {k[2:]: v[:200] for k, v in request.POST.items() if k.startswith("v_")}
    try:
        path = services.transition_take(actor=request.actor, case=case, code=code, values=values)
    except ValidationError as exc:
        # The refusal at the field it concerns, on the step's own form (400, nothing saved).
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"transition": exc.messages}
        return _path_page(request, number, errors={"code": code, **errors}, status=400)
    else:
        state = machine_of(path.definition).states[path.state]
        title = state.title.get(current_language(), path.state)
        messages.success(request, _("Step recorded; the case is now at: %(s)s") % {"s": title})
    if request.POST.get("return_to") == "case":
        return redirect("case-detail", number=case.number)
    return redirect("identification:path", number=case.number)


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@access("identification.transition")  # outermost: the rule is checked before the method
@require_POST
def path_facts(request: ActorRequest, number: str) -> HttpResponse:
    case = _case(request, number, "identification.transition")
    post = request.POST
    # Only the groups of facts the reader may see, which are the ones the form shows: a fact
    # hidden from the reader is never read from the post, so it is neither overwritten nor
    # wiped by an absent select or an unchecked box.
    groups = selectors.fact_groups_shown(actor=request.actor, case=case)
    facts: dict[str, object] = {}
    if "residence" in groups:
        facts.update(
            foreign_national=_tri(post.get("foreign_national", "")),
            lawful_residence=_tri(post.get("lawful_residence", "")),
            unaccompanied=_tri(post.get("unaccompanied", "")),
            eu_citizen=_tri(post.get("eu_citizen", "")),
            eu_residence_rights=_tri(post.get("eu_residence_rights", "")),
            dublin_claimant=post.get("dublin_claimant") == "on",
        )
    if "age" in groups:
        facts.update(
            age_assessment=post.get("age_assessment", AgeAssessment.ESTIMATED),
            presumed_minor=post.get("presumed_minor") == "on",
        )
    try:
        services.path_facts_set(actor=request.actor, case=case, **facts)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Facts recorded."))
    if request.POST.get("return_to") == "case":
        return redirect("case-detail", number=case.number)
    return redirect("identification:path", number=case.number)


@access("identification.transition")  # outermost: the rule is checked before the method
@require_POST
def non_punishment(request: ActorRequest, number: str) -> HttpResponse:
    case = _case(request, number, "identification.transition")
    try:
        services.non_punishment_flag_set(
            actor=request.actor, case=case, reasons=request.POST.getlist("reasons")
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Non-punishment flag recorded."))
    return redirect("identification:path", number=case.number)


@access("identification.read")
def notifications(request: ActorRequest) -> HttpResponse:
    """The signed-in user's in-app notifications: deadline reminders, guardian attached."""
    rows = selectors.notifications_of(actor=request.actor)
    return render(request, "identification/notifications.html", {"rows": rows})


@access("identification.read")  # outermost: the rule is checked before the method
@require_POST
def notifications_read(request: ActorRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [int(v) for v in raw if v.isdigit()] if raw else None
    changed = services.notifications_mark_read(actor=request.actor, ids=ids)
    messages.success(request, _("%(n)d notification(s) marked as read.") % {"n": changed})
    return redirect("identification:notifications")


@access("identification.lead_times")
def lead_times(request: ActorRequest) -> HttpResponse:
    """Dashboard of lead times and outcomes per region and form of exploitation."""
    report = selectors.lead_times_report(actor=request.actor)
    sections = []
    for key, title in (("region", _("Per safety region")), ("form", _("Per form of exploitation"))):
        groups = report[key]
        sections.append(
            {
                "key": key,
                "title": title,
                "groups": groups,
                "charts": [
                    leadtimes.hbar_chart(
                        f"chart-{key}-indication",
                        _("Signal to slightest indication, median days"),
                        [(g.label or _("not recorded"), g.median_to_indication) for g in groups],
                        empty_text=_("No cases reached this step yet."),
                    ),
                    leadtimes.hbar_chart(
                        f"chart-{key}-shelter",
                        _("Slightest indication to shelter placement, median days"),
                        [(g.label or _("not recorded"), g.median_to_shelter) for g in groups],
                        empty_text=_("No cases reached this step yet."),
                    ),
                ],
            }
        )
    total = report["total"]
    outcome_chart = leadtimes.hbar_chart(
        "chart-outcomes",
        _("Outcomes, number of cases"),
        [
            (_("Reflection period accepted"), total.outcomes["reflection_accepted"]),
            (_("Reflection period declined"), total.outcomes["reflection_declined"]),
            (_("B8/3 permit granted"), total.outcomes["permit_granted"]),
            (_("B8/3 application refused"), total.outcomes["permit_refused"]),
        ],
        empty_text=_("No cases reached this step yet."),
    )
    return render(
        request,
        "identification/lead_times.html",
        {"total": total, "sections": sections, "outcome_chart": outcome_chart},
    )


def _review(request: ActorRequest, number: str) -> tuple[Case, CommissionReview]:
    case = _case(request, number, "identification.read")
    review = selectors.commission_review_of_case(case=case, pk=request.POST.get("review", ""))
    if review is None:
        raise policy.not_visible(
            request.actor, "identification.read", object_type="case", object_id=number
        )
    return case, review


@access("identification.read")  # outermost: the rule is checked before the method
@require_POST
def commission_assess(request: ActorRequest, number: str) -> HttpResponse:
    """A commission member records their assessment (the service checks the seat)."""
    case, review = _review(request, number)
    try:
        commission.commission_assess(
            actor=request.actor,
            review=review,
            assessment=request.POST.get("assessment", ""),
            reasons=request.POST.getlist("reasons"),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Assessment recorded."))
    return redirect("case-detail", number=case.number)


@access("identification.read")  # outermost: the rule is checked before the method
@require_POST
def commission_decide(request: ActorRequest, number: str) -> HttpResponse:
    """The chair records the decision with reasons (the service checks the chair's seat)."""
    case, review = _review(request, number)
    try:
        commission.commission_decide(
            actor=request.actor,
            review=review,
            outcome=request.POST.get("outcome", ""),
            reasons=request.POST.getlist("reasons"),
            text=request.POST.get("text", "")[:5000],
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("case-detail", number=case.number)


@access("identification.transition")
def commission_open(request: ActorRequest, number: str) -> HttpResponse:
    """Put the case before the commission: choose members and the chair. A refused choice
    (too few organisation types) comes back with the field named and the choices kept."""
    case = _case(request, number, "identification.transition")
    posted = request.method == "POST"
    # On POST the opening service writes the request's audit entry; a form sent back with
    # errors is a read of the candidates, audited below instead.
    candidates = selectors.commission_candidates(actor=request.actor, case=case)
    form = CommissionOpenForm(request.POST if posted else None, candidates=candidates)
    if posted and form.is_valid():
        members, chair = form.chosen()
        try:
            commission.commission_open(actor=request.actor, case=case, members=members, chair=chair)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The commission is opened."))
            return redirect("case-detail", number=case.number)
    selectors.commission_candidates_audit(actor=request.actor, case=case)
    return render(
        request,
        "identification/commission_open.html",
        {"form": form, "number": case.number},
        status=400 if posted else 200,
    )

"""Web pages of the shelter app. Views parse input and present; services and selectors check
the policy and write the audit trail."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.cases.selectors import case_by_number
from samen.core.access import access
from samen.core.requests import ActorRequest
from samen.downloads import csv_response
from samen.organisations import selectors as organisation_selectors
from samen.shelter import dashboard as shelter_dashboard
from samen.shelter import selectors, services
from samen.shelter.forms import (
    ConfirmForm,
    DeclineForm,
    DepartureForm,
    HoldForm,
    ReferralForm,
    WithdrawForm,
)
from samen.shelter.services import NeedsInput, PlaceTaken, stale_after


@access("shelter.read")
def places_overview(request: ActorRequest) -> HttpResponse:
    """The national overview of places: free counts and how fresh each count is."""
    region = request.GET.get("region", "")[:4]
    only_free = request.GET.get("free") == "1"
    rows = selectors.places_overview(actor=request.actor, region=region)
    totals = {
        "places": len(rows),
        "capacity": sum(r["capacity"] for r in rows),
        "free": sum(r["free"] for r in rows),
        "stale": sum(1 for r in rows if r["stale"]),
    }
    return render(
        request,
        "shelter/overview.html",
        {
            # Totals count every place; the list shows a page at a time, free places first
            # when asked (574 demo places on one page was a 59,000-pixel scroll on a phone).
            "page": Paginator(
                [r for r in rows if r["free"] > 0] if only_free else rows, 50
            ).get_page(request.GET.get("page")),
            "query": urlencode(
                {k: v for k, v in (("region", region), ("free", "1" if only_free else "")) if v}
            ),
            "only_free": only_free,
            "totals": totals,
            "region": region,
            "regions": organisation_selectors.safety_regions(),
            "stale_hours": int(stale_after().total_seconds() // 3600),
            "alarm": selectors.first_reception_alarm(region=region),
        },
    )


@access("referral.create")
def referral_new(request: ActorRequest, number: str) -> HttpResponse:
    case = case_by_number(actor=request.actor, number=number, permission="referral.create")
    # Another region's case answers 404 before the form shows, exactly like a missing one.
    services.reach_case(request.actor, case, "referral.create")
    form = ReferralForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            data = NeedsInput(
                urgency=c["urgency"],
                languages=form.language_codes(),
                addiction=c["addiction"],
                network_risk=c["network_risk"],
                security=c["security"],
                care=c["care"],
                accessibility=c["accessibility"],
            )
            try:
                referral = services.referral_create(actor=request.actor, case=case, data=data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Referral created."))
                return redirect("shelter:referral", pk=referral.pk)
    return render(
        request, "shelter/referral_new.html", {"form": form, "number": number}, status=status
    )


def _referral_page(
    request: ActorRequest,
    referral: selectors.Referral,
    *,
    taken: PlaceTaken | None = None,
    status: int = 200,
) -> HttpResponse:
    result = selectors.referral_matches(actor=request.actor, referral=referral)
    return render(
        request,
        "shelter/referral.html",
        {"referral": referral, "result": result, "taken": taken},
        status=status,
    )


@access("referral.create")
def referral_detail(request: ActorRequest, pk: int) -> HttpResponse:
    return _referral_page(request, selectors.referral_or_404(pk=pk))


@access("referral.create")
@require_POST
def hold_create(request: ActorRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_or_404(pk=pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _referral_page(request, referral, status=400)
    place = selectors.place_or_404(pk=form.cleaned_data["place"])
    try:
        services.hold_place(actor=request.actor, referral=referral, place=place)
    except PlaceTaken as taken:
        referral.refresh_from_db()
        return _referral_page(request, referral, taken=taken, status=409)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("shelter:referral", pk=referral.pk)
    messages.success(request, _("%(place)s is held for you.") % {"place": place.name})
    return redirect("shelter:referral", pk=referral.pk)


@access("referral.respond")
def offered_holds(request: ActorRequest) -> HttpResponse:
    return render(
        request,
        "shelter/holds.html",
        {
            # One prefix per hold: several decline forms on one page need distinct field ids.
            "holds": [
                {**h, "decline_form": DeclineForm(prefix=f"h{h['hold']}")}
                for h in selectors.holds_for_shelter(actor=request.actor)
            ]
        },
    )


@access("referral.respond")
@require_POST
def hold_accept(request: ActorRequest, pk: int) -> HttpResponse:
    try:
        services.hold_accept(actor=request.actor, hold=selectors.hold_or_404(pk=pk))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Accepted. The coordinator's details are now shared."))
    return redirect(reverse("shelter:holds") + f"#hold-{pk}")


@access("referral.respond")
@require_POST
def hold_decline(request: ActorRequest, pk: int) -> HttpResponse:
    form = DeclineForm(request.POST, prefix=f"h{pk}")
    if form.is_valid():
        try:
            services.hold_decline(
                actor=request.actor,
                hold=selectors.hold_or_404(pk=pk),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Declined."))
    elif "confirm" in form.errors and "reason" not in form.errors:
        messages.error(request, _("Confirm that you decline this request."))
    else:
        messages.error(request, _("Choose a reason from the list."))
    return redirect(reverse("shelter:holds") + f"#hold-{pk}")


def _refusals_page(
    request: ActorRequest, bound: WithdrawForm | None = None, status: int = 200
) -> HttpResponse:
    rows = []
    for r in selectors.refusals_for_shelter(actor=request.actor):
        # One prefix per refusal: several forms on one page need distinct field ids.
        form = bound if bound is not None and bound.prefix == f"w{r['hold']}" else None
        rows.append({**r, "form": form or WithdrawForm(prefix=f"w{r['hold']}")})
    return render(request, "shelter/refusals.html", {"refusals": rows}, status=status)


@access("referral.respond")
def refusals(request: ActorRequest) -> HttpResponse:
    """The organisation's standing refusals, each with a form to withdraw it."""
    return _refusals_page(request)


@access("referral.respond")
@require_POST
def hold_decline_withdraw(request: ActorRequest, pk: int) -> HttpResponse:
    form = WithdrawForm(request.POST, prefix=f"w{pk}")
    hold = selectors.hold_or_404(pk=pk)
    if not form.is_valid():
        return _refusals_page(request, form, status=400)
    try:
        services.hold_decline_withdraw(
            actor=request.actor, hold=hold, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            for text in texts:
                if field in form.fields:
                    form.add_error(field, text)
                else:
                    messages.error(request, text)
        if form.errors:
            return _refusals_page(request, form, status=400)
        return redirect("shelter:refusals")
    messages.success(
        request,
        _("Refusal withdrawn: %(place)s may be offered to this referral again.")
        % {"place": hold.place.name},
    )
    return redirect("shelter:refusals")


# --- dashboards ------------------------------------------------------------------------------


def _region_param(request: ActorRequest) -> str:
    region = request.GET.get("region", "")[:8]
    return region if organisation_selectors.safety_region_exists(code=region) else ""


@access("shelter.read")
def dashboard(request: ActorRequest) -> HttpResponse:
    data = shelter_dashboard.dashboard(actor=request.actor, region=_region_param(request))
    return render(
        request,
        "shelter/dashboard.html",
        {
            "data": data,
            "charts": shelter_dashboard.charts(data),
            "regions": organisation_selectors.safety_regions(),
            "alarm_texts": selectors.alarm_texts(regions=[a["region"] for a in data["alarms"]]),
        },
    )


@access("shelter.read")
def dashboard_csv(request: ActorRequest) -> HttpResponse:
    region = _region_param(request)
    data = shelter_dashboard.dashboard(actor=request.actor, region=region)
    header, rows = shelter_dashboard.dashboard_csv_rows(data)
    return csv_response(f"shelter-dashboard-{region or 'NL'}.csv", header, rows)


# --- allocation proposal and waiting list ----------------------------------------------------


@access("referral.create")
def allocation(request: ActorRequest) -> HttpResponse:
    proposal = selectors.allocation_proposal(actor=request.actor)
    taken = request.session.pop("shelter_taken", None)
    return render(request, "shelter/allocation.html", {"proposal": proposal, "taken": taken})


@access("referral.create")
@require_POST
def allocation_confirm(request: ActorRequest) -> HttpResponse:
    """Confirm one line of the proposal: hold that place for that referral. The bed may have
    gone meanwhile; then the person sees why and the next-best places."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a line of the proposal."))
        return redirect("shelter:allocation")
    referral = selectors.referral_or_404(pk=form.cleaned_data["referral"])
    place = selectors.place_or_404(pk=form.cleaned_data["place"])
    try:
        services.hold_place(actor=request.actor, referral=referral, place=place)
    except PlaceTaken as taken:
        # Shown once on the proposal page, names only (no case data in the session).
        request.session["shelter_taken"] = {
            "referral": referral.pk,
            "message": taken.messages[0],
            "alternatives": [
                {"place": m.place.id, "name": m.place.name, "free": m.place.free}
                for m in taken.alternatives
            ],
        }
        return redirect("shelter:allocation")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("shelter:allocation")
    messages.success(
        request,
        _("%(place)s is held for referral %(n)s.") % {"place": place.name, "n": referral.pk},
    )
    return redirect("shelter:allocation")


@access("referral.create")
def waiting(request: ActorRequest) -> HttpResponse:
    rows = selectors.waiting_list(actor=request.actor)
    return render(request, "shelter/waiting.html", {"rows": rows})


@access("shelter.read")
def notices(request: ActorRequest) -> HttpResponse:
    if request.method == "POST":
        services.notices_mark_read(user=request.user)
        messages.success(request, _("All notices are marked as read."))
        return redirect("shelter:notices")
    return render(
        request,
        "shelter/notices.html",
        {
            **selectors.notices_for(user=request.user),
            "alarm_text": services.alarm_text,
        },
    )


# --- arrivals and departures (shelter staff) -------------------------------------------------


@access("referral.respond")
def placements(request: ActorRequest) -> HttpResponse:
    data = selectors.placements_for_shelter(actor=request.actor)
    for row in data["running"]:
        row["form"] = DepartureForm(
            prefix=f"p{row['placement']}", initial={"departed_on": timezone.localdate()}
        )
    return render(request, "shelter/placements.html", data)


@access("referral.respond")
@require_POST
def placement_start(request: ActorRequest, pk: int) -> HttpResponse:
    try:
        services.placement_start(actor=request.actor, hold=selectors.hold_or_404(pk=pk))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Arrival recorded: the placement has started."))
    return redirect("shelter:placements")


@access("referral.respond")
@require_POST
def placement_end(request: ActorRequest, pk: int) -> HttpResponse:
    placement = selectors.placement_or_404(pk=pk)
    form = DepartureForm(request.POST, prefix=f"p{pk}")
    if form.is_valid():
        day = form.cleaned_data["departed_on"]
        at = timezone.make_aware(datetime.combine(day, time(12, 0)))
        if day == timezone.localdate():
            at = timezone.now()
        try:
            outflow = form.cleaned_data["outflow"]
            services.placement_end(actor=request.actor, placement=placement, outflow=outflow, at=at)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Departure recorded: the place is free again."))
            return redirect("shelter:placements")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in errors:
                messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect("shelter:placements")

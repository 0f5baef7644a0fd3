"""Web pages of the shelter app. Views parse input and present; services and selectors check
the policy and write the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.cases.models import Case
from samen.organisations.models import SafetyRegion
from samen.sharing.access import access
from samen.shelter import selectors, services
from samen.shelter.forms import DeclineForm, HoldForm, ReferralForm
from samen.shelter.models import Hold, Place, Referral
from samen.shelter.services import NeedsInput, PlaceTaken, stale_after


def _row(model: type, **lookup: object):
    # Missing and out-of-reach rows answer alike; the services decide the latter.
    row = model.objects.filter(**lookup).first()
    if row is None:
        raise Http404
    return row


@access("shelter.read")
def places_overview(request: HttpRequest) -> HttpResponse:
    """The national overview of places: free counts and how fresh each count is."""
    region = request.GET.get("region", "")[:4]
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
            "rows": rows,
            "totals": totals,
            "region": region,
            "regions": SafetyRegion.objects.all(),
            "stale_hours": int(stale_after().total_seconds() // 3600),
            "alarm": selectors.first_reception_alarm(region=region),
        },
    )


@access("referral.create")
def referral_new(request: HttpRequest, number: str) -> HttpResponse:
    case = _row(Case, number=number)
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
    request: HttpRequest, referral: Referral, *, taken: PlaceTaken | None = None, status: int = 200
) -> HttpResponse:
    result = selectors.referral_matches(actor=request.actor, referral=referral)
    return render(
        request,
        "shelter/referral.html",
        {"referral": referral, "result": result, "taken": taken},
        status=status,
    )


@access("referral.create")
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_page(request, _row(Referral, pk=pk))


@access("referral.create")
@require_POST
def hold_create(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _row(Referral, pk=pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _referral_page(request, referral, status=400)
    place = _row(Place, pk=form.cleaned_data["place"])
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
def offered_holds(request: HttpRequest) -> HttpResponse:
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
def hold_accept(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.hold_accept(actor=request.actor, hold=_row(Hold, pk=pk))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Accepted. The coordinator's details are now shared."))
    return redirect("shelter:holds")


@access("referral.respond")
@require_POST
def hold_decline(request: HttpRequest, pk: int) -> HttpResponse:
    form = DeclineForm(request.POST, prefix=f"h{pk}")
    if form.is_valid():
        try:
            services.hold_decline(
                actor=request.actor, hold=_row(Hold, pk=pk), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Declined."))
    else:
        messages.error(request, _("Choose a reason from the list."))
    return redirect("shelter:holds")

"""Barrier pages. Thin: selectors read (and filter by organisation), services write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.barriers import selectors, services
from samen.barriers.forms import ProgressForm, RaiseForm
from samen.core import policy
from samen.core.access import access


def _model_or_404(form: str):
    model = selectors.barrier_model_get(form=form)
    if model is None:
        raise Http404
    return model


def _own_region(request: HttpRequest):
    org = request.actor.organisation
    return org.municipality.region if org else None


@access("barrier.read")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "barriers/index.html",
        {
            "models": selectors.barrier_models_current(),
            "regions": selectors.regions(),
            "own_region": _own_region(request),
            "raised": selectors.raised_visible(actor=request.actor),
        },
    )


@access("barrier.read")
def model_detail(request: HttpRequest, form: str) -> HttpResponse:
    model = _model_or_404(form)
    return render(
        request,
        "barriers/model.html",
        {"model": model, "steps": selectors.model_outline(model=model)},
    )


@access("barrier.read")
def region_map(request: HttpRequest, form: str, region: str) -> HttpResponse:
    model = _model_or_404(form)
    found = selectors.region_get(code=region)
    if found is None:
        raise Http404
    the_map = selectors.barrier_map(actor=request.actor, model=model, region=found)
    return render(
        request,
        "barriers/map.html",
        {
            "map": the_map,
            "regions": selectors.regions(),
            "may_raise": policy.allows(request.actor, "barrier.raise")
            and _own_region(request) == found,
        },
    )


@access("barrier.raise")
def raise_barrier(request: HttpRequest, form: str) -> HttpResponse:
    model = _model_or_404(form)
    region = _own_region(request)
    bound = RaiseForm(request.POST or None, model=model, region=region)
    if request.method == "POST" and bound.is_valid():
        c = bound.cleaned_data
        try:
            services.barrier_raise(
                actor=request.actor,
                barrier=c["barrier"],
                partners=c["partners"],
                state=c["state"],
                municipality=c["municipality"],
                note=c["note"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for e in errors:
                    bound.add_error(field if field in bound.fields else None, e)
        else:
            messages.success(request, _("Barrier raised."))
            return redirect("barriers:map", form=model.form, region=region.code)
    return render(
        request,
        "barriers/raise.html",
        {"model": model, "region": region, "form": bound},
        status=400 if request.method == "POST" else 200,
    )


@access("barrier.read")
def raised_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        raised = selectors.raised_get(actor=request.actor, raised_id=pk)
    except ObjectDoesNotExist:  # out of reach or missing: raised_get audited it
        raise Http404 from None
    return _detail(request, raised, ProgressForm())


@access("barrier.update")
@require_POST
def raised_progress(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        raised = selectors.raised_get(actor=request.actor, raised_id=pk)
    except ObjectDoesNotExist:  # out of reach or missing: raised_get audited it
        raise Http404 from None
    bound = ProgressForm(request.POST)
    if bound.is_valid():
        c = bound.cleaned_data
        try:
            services.barrier_progress(
                actor=request.actor, raised=raised, state=c["state"], on=c["on"], text=c["text"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for e in errors:
                    bound.add_error(field if field in bound.fields else None, e)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("barriers:raised", pk=raised.pk)
    return _detail(request, raised, bound, status=400)


def _detail(request: HttpRequest, raised, form: ProgressForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "barriers/raised.html",
        {
            "raised": raised,
            "notes": selectors.progress_notes(raised=raised),
            "form": form,
            "may_update": selectors.may_update(actor=request.actor, raised=raised),
        },
        status=status,
    )

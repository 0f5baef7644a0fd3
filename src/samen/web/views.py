"""Web pages. Thin: forms parse, services and selectors decide and audit, templates show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from samen.cases import selectors as case_selectors
from samen.sharing.access import AUTHENTICATED, PUBLIC, access, declare
from samen.signalling import selectors as signal_selectors
from samen.signalling import services as signal_services
from samen.signalling import triage
from samen.web.forms import CaseFilterForm, SignalForm

set_language_view = declare(set_language, PUBLIC)


@access(AUTHENTICATED)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    context = {"counts": case_selectors.case_counts(actor=actor)}
    return render(request, "samen/dashboard.html", context)


@access("signal.create")
def signal_choose_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "samen/signal_choose.html",
        {"signal_lists": signal_selectors.signal_lists_current()},
    )


@access("signal.create")
def signal_new(request: HttpRequest, code: str) -> HttpResponse:
    signal_list = signal_selectors.signal_list_get(code=code)
    if signal_list is None:
        raise Http404
    form = SignalForm(request.POST or None, signal_list=signal_list)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = signal_services.signal_record(actor=request.actor, data=form.to_input())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if outcome.linked:
                messages.info(
                    request,
                    _("This person is already known: the signal was linked to case %(number)s.")
                    % {"number": outcome.case.number},
                )
            else:
                messages.success(
                    request,
                    _("Signal recorded. Case %(number)s was opened.")
                    % {"number": outcome.case.number},
                )
            return redirect("signal-detail", pk=outcome.signal.pk)
    return render(
        request,
        "samen/signal_form.html",
        {"form": form, "signal_list": signal_list},
        status=400 if request.method == "POST" else 200,
    )


@access("signal.read")
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signal = signal_selectors.signal_get(actor=request.actor, signal_id=pk)
    advice = triage.present_stored(
        signal["advice"], signal["advice_reasons"], get_language() or "nl"
    )
    return render(request, "samen/signal_detail.html", {"signal": signal, "advice": advice})


@access("signal.read")
def signal_list(request: HttpRequest) -> HttpResponse:
    page = signal_selectors.signal_search(actor=request.actor, page=_page_no(request))
    return render(request, "samen/signal_list.html", {"page": page})


def _page_no(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


@access("case.read")
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    filters = case_selectors.CaseFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = case_selectors.CaseFilters(
            number=c["number"],
            status=c["status"],
            form=c["form"],
            region=c["region"],
            minor={"yes": True, "no": False}.get(c["minor"]),
            opened_from=c["opened_from"],
            opened_to=c["opened_to"],
        )
    page = case_selectors.case_search(actor=request.actor, filters=filters, page=_page_no(request))
    rows = [case_selectors.case_summary(c) for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "samen/case_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@access("case.read")
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_selectors.case_get(actor=request.actor, number=number)
    return render(request, "samen/case_detail.html", {"case": case})

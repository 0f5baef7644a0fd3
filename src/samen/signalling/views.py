"""The signal pages: choosing a signal list, recording a signal, the signal and its advice, the
list. Thin: the form parses, the services and selectors decide and audit, templates show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samen.core.access import access
from samen.knowledge import selectors as knowledge_selectors
from samen.pages import page_number as _page_no
from samen.review import selectors as review_selectors
from samen.signalling import pacing, triage
from samen.signalling import selectors as signal_selectors
from samen.signalling import services as signal_services
from samen.signalling.forms import SignalForm


@access("signal.create")
def signal_choose_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "signalling/signal_choose.html",
        {"signal_lists": signal_selectors.signal_lists_current()},
    )


@access("signal.create")
def signal_new(request: HttpRequest, code: str) -> HttpResponse:
    since = pacing.started()
    signal_list = signal_selectors.signal_list_get(code=code)
    if signal_list is None:
        raise Http404
    org = request.actor.organisation
    home = org.municipality.code if org is not None and org.municipality_id else ""
    form = SignalForm(request.POST or None, signal_list=signal_list, municipality=home)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = signal_services.signal_record(actor=request.actor, data=form.to_input())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            pacing.answer_at_floor(since)
            # A one-way door: the same message and the same page whether or not the person was
            # known; only the receipt differs. The coordinator sees the link on the case.
            messages.success(
                request,
                _("Signal recorded. Your receipt: %(receipt)s.") % {"receipt": outcome.receipt},
            )
            return redirect("signal-receipt", receipt=outcome.receipt)
    return render(
        request,
        "signalling/signal_form.html",
        {
            "form": form,
            "signal_list": signal_list,
            "fits": knowledge_selectors.resources_for_setting(signal_list_code=signal_list.code),
        },
        status=400 if request.method == "POST" else 200,
    )


@access("signal.read")
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signal = signal_selectors.signal_get(actor=request.actor, signal_id=pk)
    return _signal_page(request, signal)


@access("signal.read")
def signal_receipt(request: HttpRequest, receipt: str) -> HttpResponse:
    """The signal by the receipt its author was given (where recording a signal leads)."""
    signal = signal_selectors.signal_get(actor=request.actor, receipt=receipt)
    return _signal_page(request, signal)


def _signal_page(request: HttpRequest, signal: dict) -> HttpResponse:
    language = get_language() or "nl"
    advice = triage.present_stored(signal["advice"], signal["advice_reasons"], language)
    # The next steps as the review group last changed them (else the rules file's).
    advice["next_steps"] = review_selectors.advice_steps(level=signal["advice"], language=language)
    fits = knowledge_selectors.resources_for_setting(signal_list_code=signal["signal_list"])
    return render(
        request, "signalling/signal_detail.html", {"signal": signal, "advice": advice, "fits": fits}
    )


@access("signal.read")
def signal_list(request: HttpRequest) -> HttpResponse:
    page = signal_selectors.signal_search(actor=request.actor, page=_page_no(request))
    return render(request, "signalling/signal_list.html", {"page": page})

"""Knowledge pages: search, the reach figures, and the signal-list cards (HTML and PDF)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from samen.core.access import access
from samen.knowledge import selectors
from samen.pdf import pdf_response

LANGUAGES = ("nl", "en")


@access("knowledge.read")
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = selectors.resource_search(query=query) if query.strip() else None
    return render(
        request,
        "knowledge/index.html",
        {
            "query": query,
            "results": results,
            "resources": selectors.resources_all(),
            "reach": selectors.reach_figures(),
        },
    )


@access("knowledge.read")
def card(request: HttpRequest, code: str) -> HttpResponse:
    signal_list = selectors.card_list(code=code)
    if signal_list is None:
        raise Http404
    return render(
        request,
        "knowledge/card.html",
        {
            "signal_list": signal_list,
            "groups": selectors.card_groups(signal_list),
            "fits": selectors.resources_for_setting(signal_list_code=code),
        },
    )


@access("knowledge.read")
def card_pdf(request: HttpRequest, code: str, language: str) -> HttpResponse:
    if language not in LANGUAGES:
        raise Http404
    signal_list = selectors.card_list(code=code)
    if signal_list is None:
        raise Http404
    # The card in the language asked for, whatever the page around it was in.
    with translation.override(language):
        return pdf_response(
            request,
            "knowledge/card_print.html",
            {"signal_list": signal_list, "groups": selectors.card_groups(signal_list)},
            filename=f"signalenkaart-{code}-{language}.pdf",
        )

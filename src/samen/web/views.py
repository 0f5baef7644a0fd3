"""The pages every role shares: the home page with the role's work queues, a queue in full, the
language switch. Each app's own pages are in its views.py (docs/architecture.md)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from samen.cases import selectors as case_selectors
from samen.core.access import AUTHENTICATED, PUBLIC, access, declare
from samen.pages import page_number as _page_no
from samen.web.selectors import home_queues, queue_page

set_language_view = declare(set_language, PUBLIC)


@access(AUTHENTICATED)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    context = {"counts": case_selectors.case_counts(actor=actor)}
    if actor.membership is not None:
        context["queues"] = home_queues(actor=actor)
    return render(request, "samen/dashboard.html", context)


@access(AUTHENTICATED)
def queue(request: HttpRequest, key: str) -> HttpResponse:
    """One of the role's work queues in full: paged and sortable (the home shows its top)."""
    sort = request.GET.get("sort", "")
    found = None
    if request.actor.membership is not None:
        found = queue_page(actor=request.actor, key=key, page=_page_no(request), sort=sort)
    if found is None:
        raise Http404
    sorts = [
        ("new", _("newest first")),
        ("old", _("oldest first")),
        ("ref", _("by reference")),
    ]
    if found.natural:
        sorts.insert(0, ("", _("as the queue comes")))
    return render(
        request,
        "samen/queue.html",
        {
            "queue": found.queue,
            "page": found.page,
            "sort": found.sort,
            "sorts": sorts,
            "query": f"sort={found.sort}" if found.sort else "",
        },
    )

"""Outreach pages. Thin: selectors read, services check, write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.access import access
from samen.outreach import selectors, services
from samen.outreach.forms import ContactForm, FollowUpForm


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "nl"


@access("outreach.read")
def overview(request: HttpRequest) -> HttpResponse:
    form = ContactForm(
        request.POST or None, initial={"lead": request.GET.get("lead", "")}, language=_language()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, _("First contact recorded."))
            return redirect("outreach:overview")
    return render(
        request,
        "outreach/overview.html",
        {
            "form": form,
            "contacts": selectors.contacts(actor=request.actor),
            "leads": selectors.leads(),
            "templates": services.templates(),
            "figures": selectors.monthly_figures(actor=request.actor),
            "follow_up": FollowUpForm(),
            "retention_days": services.retention_days(),
        },
    )


@access("outreach.record")
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.contact_follow_up(
                actor=request.actor, pk=pk, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Step recorded."))
    return redirect("outreach:overview")

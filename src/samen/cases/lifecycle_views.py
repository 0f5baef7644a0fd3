"""The case's lifecycle on the case page: close and reopen with a reason, the responsible
person. Thin: the rules are in samen.cases.lifecycle; refusals come back at their field (400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.cases import lifecycle
from samen.cases import selectors as case_selectors
from samen.core.access import access


def _refused(request: HttpRequest, number: str, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"reason": exc.messages}
    return render(
        request,
        "cases/lifecycle_refused.html",
        {"number": number, "errors": errors},
        status=400,
    )


def _case(number: str):
    case = case_selectors.case_row(number=number)
    if case is None:
        raise Http404
    return case


@access("case.update")
@require_POST
def case_close(request: HttpRequest, number: str) -> HttpResponse:
    try:
        lifecycle.case_close(
            actor=request.actor, case=_case(number), reason=request.POST.get("reason", "")[:40]
        )
    except ValidationError as exc:
        return _refused(request, number, exc)
    messages.success(request, _("The case is closed."))
    return redirect("case-detail", number=number)


@access("case.update")
@require_POST
def case_reopen(request: HttpRequest, number: str) -> HttpResponse:
    try:
        lifecycle.case_reopen(
            actor=request.actor, case=_case(number), reason=request.POST.get("reason", "")[:40]
        )
    except ValidationError as exc:
        return _refused(request, number, exc)
    messages.success(request, _("The case is open again."))
    return redirect("case-detail", number=number)


@access("case.update")
@require_POST
def case_owner(request: HttpRequest, number: str) -> HttpResponse:
    raw = request.POST.get("owner", "")
    try:
        user_id = int(raw) if raw else None
    except ValueError:
        user_id = -1  # not a member: refused at the field by the service
    try:
        lifecycle.case_owner_set(actor=request.actor, case=_case(number), user_id=user_id)
    except ValidationError as exc:
        return _refused(request, number, exc)
    messages.success(request, _("Responsible person recorded."))
    return redirect("case-detail", number=number)

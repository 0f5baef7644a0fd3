"""The analyst's screen of online signals and the notices to platforms. Thin: selectors read,
services check, write and audit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.access import access
from samen.downloads import csv_response, xlsx_response
from samen.online import selectors, services
from samen.online.forms import MarkForm, NoticeForm, NoticeStepForm, ScanForm, SendForm


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for e in errors:
            form.add_error(field if field in form.fields else None, e)


@access("online.read")
def overview(request: HttpRequest) -> HttpResponse:
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            scan = services.scan_start(
                actor=request.actor,
                upload=form.cleaned_data.get("upload"),
                source=form.cleaned_data.get("source", ""),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return redirect("online:scan", pk=scan.pk)
    return render(
        request,
        "online/overview.html",
        {
            "form": form,
            "scans": selectors.scans(actor=request.actor),
            "open_notices": len(selectors.notices_open(actor=request.actor)),
        },
        status=400 if form.errors else 200,
    )


@access("online.read")
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    row, leads = selectors.scan(actor=request.actor, pk=pk)
    return render(
        request,
        "online/scan.html",
        {
            "scan": row,
            "leads": leads,
            "running": row.status in selectors.RUNNING,
            "percent": round(row.progress * 100),
        },
    )


def _header() -> list[str]:
    return [
        _("Rank"),
        _("Lead"),
        _("Score"),
        _("Ads"),
        _("Status"),
        _("Personas"),
        _("Shared contacts"),
        _("Cities"),
        _("First seen"),
        _("Last seen"),
        _("Indicators"),
    ]


@access("online.read")
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    row, rows = selectors.export_rows(actor=request.actor, pk=pk)
    return csv_response(f"leads-scan-{row.pk}.csv", _header(), rows)


@access("online.read")
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    row, rows = selectors.export_rows(actor=request.actor, pk=pk)
    return xlsx_response(f"leads-scan-{row.pk}.xlsx", _("Leads"), _header(), rows)


@access("online.read")
def lead(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.lead(actor=request.actor, pk=pk)
    return render(
        request,
        "online/lead.html",
        {
            "v": view,
            "mark_form": MarkForm(),
            "send_form": SendForm(),
            "notice_form": NoticeForm(urls=view.urls),
        },
    )


@access("online.mark")
@require_POST
def lead_mark(request: HttpRequest, pk: int) -> HttpResponse:
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose reviewed, false positive or sent."))
        return redirect("online:lead", pk=pk)
    services.lead_mark(actor=request.actor, lead_id=pk, status=form.cleaned_data["status"])
    messages.success(request, _("Lead marked."))
    return redirect("online:lead", pk=pk)


@access("online.mark")
@require_POST
def lead_send(request: HttpRequest, pk: int) -> HttpResponse:
    form = SendForm(request.POST)
    municipality = form.cleaned_data["municipality"] if form.is_valid() else ""
    try:
        outcome = services.lead_send(actor=request.actor, lead_id=pk, municipality=municipality)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("online:lead", pk=pk)
    if outcome.already_sent:
        messages.info(request, _("This lead was sent before; nothing new was recorded."))
    else:
        messages.success(request, _("The lead is now a signal in the chain."))
    return redirect("online:lead", pk=pk)


@access("online.notice")
@require_POST
def notice_compose(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.lead(actor=request.actor, pk=pk)
    form = NoticeForm(request.POST, urls=view.urls)
    if form.is_valid():
        try:
            made = services.notices_compose(
                actor=request.actor,
                lead_id=pk,
                urls=form.cleaned_data["urls"],
                notifier_email=form.cleaned_data["notifier_email"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Notices composed: %(n)d.") % {"n": len(made)})
            return redirect("online:notices")
    return render(
        request,
        "online/lead.html",
        {"v": view, "mark_form": MarkForm(), "send_form": SendForm(), "notice_form": form},
        status=400,
    )


@access("online.read")
def notices(request: HttpRequest) -> HttpResponse:
    return render(
        request, "online/notices.html", {"notices": selectors.notices_open(actor=request.actor)}
    )


@access("online.read")
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.notice(actor=request.actor, pk=pk)
    form = NoticeStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(
                actor=request.actor,
                notice_id=pk,
                status=form.cleaned_data["status"],
                at=form.cleaned_data.get("at"),
                answer=form.cleaned_data.get("answer", ""),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("online:notice", pk=pk)
    return render(
        request,
        "online/notice.html",
        {"notice": row, "form": form, "closed": row.status in selectors.CLOSED_NOTICES},
        status=400 if form.errors else 200,
    )


@access("online.read")
def notice_text(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The notice in one language, printable (HTML) or as a text file to attach or paste."""
    row = selectors.notice(actor=request.actor, pk=pk)
    lang = "en" if language == "en" else "nl"
    with translation.override(lang):
        text = render_to_string("online/notice.txt", {"notice": row, "lang": lang})
    if request.GET.get("format") == "txt":
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="notice-{row.pk}-{lang}.txt"'
        return response
    return render(request, "online/notice_print.html", {"notice": row, "text": text, "lang": lang})

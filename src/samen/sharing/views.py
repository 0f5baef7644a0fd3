"""The privacy officer's pages: register, audit trail, shares, emergency access, subject access.
The register itself is readable by everyone: the lawful path should be visible to all."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.access import access
from samen.core.models import EmergencyAccess, ProcessingRule
from samen.pdf import pdf_response
from samen.sharing import selectors, services
from samen.spreadsheets import SafeWriter
from samen.web.forms import AuditFilterForm, ProcessingRuleForm, ReviewForm
from samen.web.views import _page_no

REGISTER_COLUMNS = [
    "organisation_type", "purpose", "category", "legal_basis", "sector_law", "retention_days",
    "share_with",
]  # fmt: skip


@access("register.read")
def register(request: HttpRequest) -> HttpResponse:
    rows = selectors.register_rows()
    export = request.GET.get("format", "")
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="samen-register.csv"'
        writer = SafeWriter(response)
        writer.writerow(REGISTER_COLUMNS)
        for r in rows:
            writer.writerow(
                [r.organisation_type, r.purpose.code, r.category.code, r.legal_basis,
                 r.sector_law, r.retention_days, " ".join(r.share_with)]
            )  # fmt: skip
        return response
    context = {"rows": rows}
    if export == "pdf":
        return pdf_response(
            request, "sharing/privacy/register_print.html", context, "samen-register.pdf"
        )
    return render(request, "sharing/privacy/register.html", context)


@access("register.edit")
def register_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = ProcessingRule.objects.select_related("purpose", "category").filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = ProcessingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.register_rule_update(
                actor=request.actor, rule=rule, legal_basis=c["legal_basis"],
                sector_law=c["sector_law"], retention_days=c["retention_days"],
                share_with=list(c["share_with"]),
            )  # fmt: skip
        except ValidationError as error:
            for field, msgs in error.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            messages.success(request, _("The register was updated."))
            return redirect("register")
    return render(
        request, "sharing/privacy/register_edit.html", {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )  # fmt: skip


@access("audit.read")
def privacy_home(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/privacy/home.html")


@access("audit.read")
def audit_trail(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = selectors.AuditFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = selectors.AuditFilters(
            case=c["case"], user=c["user"],
            organisation=c["organisation"].pk if c["organisation"] else None,
            purpose=c["purpose"], date_from=c["date_from"], date_to=c["date_to"],
            emergency=c["emergency"],
        )  # fmt: skip
    page = selectors.audit_search(actor=request.actor, filters=filters, page=_page_no(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sharing/privacy/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@access("audit.read")
def subject_access(request: HttpRequest, number: str) -> HttpResponse:
    export = "pdf" if request.GET.get("format") == "pdf" else ""
    report = selectors.subject_report(actor=request.actor, number=number, export=export)
    if export:
        return pdf_response(
            request,
            "sharing/privacy/subject_print.html",
            report,
            f"inzage-{report['case'].number}.pdf",
        )
    return render(request, "sharing/privacy/subject.html", report)


@access("audit.read")
def shares(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sharing/privacy/shares.html",
        {"shares": selectors.shares_all(actor=request.actor)},
    )


@access("audit.read")
def emergencies(request: HttpRequest) -> HttpResponse:
    rows = selectors.emergencies(actor=request.actor)
    return render(request, "sharing/privacy/emergencies.html", {"rows": rows, "form": ReviewForm()})


@access("audit.read")
@require_POST
def emergency_review(request: HttpRequest, pk: int) -> HttpResponse:
    item = EmergencyAccess.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.emergency_review(
            actor=request.actor, access=item, verdict=form.cleaned_data["verdict"],
            note=form.cleaned_data["note"],
        )  # fmt: skip
        messages.success(request, _("Review saved."))
    else:
        messages.error(request, _("Choose a verdict."))
    return redirect("privacy-emergencies")

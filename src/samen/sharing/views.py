"""The sharing pages: the organisation's shares, revoking one, emergency access; and the privacy
officer's pages: register, audit trail, shares, emergency reviews, subject access. The register
itself is readable by everyone: the lawful path should be visible to all."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen import labels
from samen.core.access import access
from samen.downloads import csv_response
from samen.pages import back_to as _back_to
from samen.pages import page_number as _page_no
from samen.pdf import pdf_response
from samen.sharing import selectors, services
from samen.sharing.forms import AuditFilterForm, EmergencyForm, ProcessingRuleForm, ReviewForm


@access("register.read")
def register(request: HttpRequest) -> HttpResponse:
    rows = selectors.register_rows()
    export = request.GET.get("format", "")
    if export == "csv":
        header = [_("Organisation type"), _("Purpose"), _("Data category"), _("Legal basis"),
                  _("Sector law"), _("Retention (days)"), _("May be shared with")]  # fmt: skip
        return csv_response(
            "samen-register.csv",
            header,
            (
                [
                    labels.label("org_type", r.organisation_type),
                    r.purpose,
                    r.category,
                    r.legal_basis,
                    r.sector_law,
                    r.retention_days,
                    labels.labels("org_type", r.share_with),
                ]
                for r in rows
            ),
        )
    context = {"rows": rows}
    if export == "pdf":
        return pdf_response(
            request, "sharing/privacy/register_print.html", context, "samen-register.pdf"
        )
    return render(request, "sharing/privacy/register.html", context)


@access("register.edit")
def register_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.register_rule_or_404(pk=pk)
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
    if request.GET.get("format") == "csv":
        return _audit_csv(selectors.audit_export(actor=request.actor, filters=filters))
    page = selectors.audit_search(actor=request.actor, filters=filters, page=_page_no(request))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "sharing/privacy/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _audit_csv(entries: list) -> HttpResponse:
    header = [_("Entry"), _("When"), _("User"), _("Organisation"), _("Role"), _("Action"),
              _("Object"), _("Which data"), _("Purpose"), _("Legal basis"), _("Result"),
              _("Emergency access")]  # fmt: skip
    rows = (
        [
            e.seq,
            labels.local_datetime(e.at),
            e.actor_username,
            e.organisation or "",
            labels.label("role", e.role),
            labels.audit_action_label(e.action),
            f"{e.object_type} {e.object_id}".strip(),
            labels.audit_fields(e.fields or []),
            labels.label("purpose", e.purpose),
            e.legal_basis,
            e.get_result_display(),
            _("yes") if e.emergency else "",
        ]
        for e in entries
    )
    return csv_response("samen-audit.csv", header, rows)


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
    item = selectors.emergency_access_or_404(pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.emergency_review(
                actor=request.actor, access=item, verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as exc:  # reviewed meanwhile by someone else
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Review saved."))
    else:
        messages.error(request, _("Choose a verdict."))
    return redirect("privacy-emergencies")


# --- sharing a case's data and emergency access (the chain's pages) ----------------------------


@access("case.share")
@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = selectors.share_or_404(pk=pk)
    services.share_revoke(actor=request.actor, share=share)
    messages.success(request, _("The share was revoked."))
    return _back_to(reverse("case-detail", kwargs={"number": share.case.number}), "shares-title")


@access("case.read")
def shares_overview(request: HttpRequest) -> HttpResponse:
    shares = services.shares_of_organisation(actor=request.actor)
    return render(request, "sharing/shares.html", shares)


@access("case.emergency")
def emergency_access(request: HttpRequest) -> HttpResponse:
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = services.case_by_number_for_emergency(number=form.cleaned_data["number"])
        if case is None:
            form.add_error("number", _("No case with this number."))
        else:
            try:
                services.emergency_start(
                    actor=request.actor, case=case, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error("reason", error.message_dict.get("reason", [str(error)])[0])
            else:
                messages.warning(
                    request,
                    _("Emergency access to %(number)s is open for %(minutes)d minutes and flagged.")
                    % {"number": case.number, "minutes": settings.EMERGENCY_ACCESS_MINUTES},
                )
                return redirect("case-detail", number=case.number)
    return render(
        request, "sharing/emergency.html", {"form": form}, status=400 if form.errors else 200
    )

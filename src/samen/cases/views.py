"""The case pages: the list, the case, notes, sharing, merging and splitting, the lifecycle.
Thin: forms parse, services and selectors decide and audit, templates show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.cases import lifecycle
from samen.cases import selectors as case_selectors
from samen.cases import services as case_services
from samen.cases.forms import CaseFilterForm, MergeForm, NoteForm
from samen.core import policy
from samen.core.access import access
from samen.core.register import purposes_of_role, shareable_categories
from samen.identification import selectors as identification_selectors
from samen.pages import back_to as _back_to  # the old names: the bodies read as before
from samen.pages import page_number as _page_no
from samen.sharing import selectors as sharing_selectors
from samen.sharing import services as sharing_services
from samen.sharing.forms import ShareFilterForm, ShareForm


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
            mine_of=request.actor.user.pk if c.get("mine") else None,
        )
    page = case_selectors.case_search(actor=request.actor, filters=filters, page=_page_no(request))
    rows = page.object_list
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


def _case_page(
    request: HttpRequest,
    number: str,
    *,
    share_form: ShareForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    ident_fields = identification_selectors.case_block_fields(actor=actor, number=number)
    case = case_selectors.case_get(actor=actor, number=number, also_fields=ident_fields)
    context = {
        "case": case,
        "shares": sharing_selectors.shares_of_case(actor=actor, case_number=number),
        "purposes": purposes_of_role(actor.role),
    }
    own = policy.Relation(case["access"]) in policy.OWN_RELATIONS
    if policy.allows(actor, "case.share") and own:
        narrow = ShareFilterForm(request.GET or None)
        org_type, name = "", ""
        if narrow.is_valid():
            org_type = narrow.cleaned_data["org_type"]
            name = narrow.cleaned_data["org_name"]
        context["share_filter"] = narrow
        context["share_form"] = share_form or ShareForm(
            organisation=actor.organisation, org_type=org_type, name=name
        )
        if org_type and actor.organisation is not None:
            context["share_allowed"] = shareable_categories(
                from_type=actor.organisation.type,
                from_purpose=policy.purpose_of(actor),
                to_type=org_type,
            )
    if policy.allows(actor, "case.note"):
        context["note_form"] = note_form or NoteForm()
    context["ident"] = identification_selectors.case_block(actor=actor, case=_case_or_404(number))
    context["lifecycle"] = case_selectors.lifecycle_of(actor=actor, number=number)
    return render(request, "cases/case_detail.html", context, status=status)


@access("case.read")
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, number)


def _case_or_404(number: str):
    # Whether the actor reaches it is the service's check; this only turns a number into a row.
    case = case_selectors.case_row(number=number)
    if case is None:
        raise Http404
    return case


@access("case.note")
@require_POST
def case_note_add(request: HttpRequest, number: str) -> HttpResponse:
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_services.note_add(
                actor=request.actor,
                case=case_selectors.case_by_number(
                    actor=request.actor, number=number, permission="case.note"
                ),
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Note added."))
            return _back_to(reverse("case-detail", kwargs={"number": number}), "notes-title")
    return _case_page(request, number, note_form=form, status=400)


@access("case.share")
@require_POST
def case_share(request: HttpRequest, number: str) -> HttpResponse:
    form = ShareForm(request.POST, organisation=request.actor.organisation)
    if form.is_valid():
        c = form.cleaned_data
        try:
            sharing_services.share_create(
                actor=request.actor,
                case=case_selectors.case_by_number(
                    actor=request.actor, number=number, permission="case.share"
                ),
                recipient=c["recipient"],
                purpose=c["purpose"].code,
                categories=c["categories"],
                reason=c["reason"],
            )
        except ValidationError as error:
            for field, msgs in error.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            messages.success(request, _("Shared with %(org)s.") % {"org": c["recipient"].name})
            return _back_to(reverse("case-detail", kwargs={"number": number}), "shares-title")
    return _case_page(request, number, share_form=form, status=400)


# --- duplicates: merge and split (the national registrar) -------------------------------------


def _merge_page(
    request: HttpRequest, number: str, form: MergeForm | None = None, status: int = 200
) -> HttpResponse:
    case = case_selectors.case_get(actor=request.actor, number=number)
    context = {"case": case, "form": form or MergeForm(initial={"target": ""})}
    return render(request, "cases/case_merge.html", context, status=status)


@access("case.merge")
def case_merge(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the case with its signals, a form to merge it into another and one to split
    signals off. POST: merge (confirmed)."""
    if request.method != "POST":
        return _merge_page(request, number)
    form = MergeForm(request.POST)
    if form.is_valid():
        target = case_selectors.case_row(number=form.cleaned_data["target"].strip().upper())
        if target is None:
            form.add_error("target", _("No case with this number."))
        else:
            try:
                case_services.case_merge(
                    actor=request.actor, source=_case_or_404(number), target=target
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error("target", text)
            else:
                messages.success(
                    request,
                    _("Case %(source)s merged into %(target)s; both histories are kept.")
                    % {"source": number, "target": target.number},
                )
                return redirect("case-detail", number=target.number)
    return _merge_page(request, number, form, status=400)


@access("case.merge")
@require_POST
def case_split(request: HttpRequest, number: str) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("signals") if v.isdigit()]
    try:
        new = case_services.case_split(
            actor=request.actor, case=_case_or_404(number), signal_ids=ids
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return _back_to(reverse("case-merge", kwargs={"number": number}), "split")
    messages.success(
        request,
        _("The chosen signals are now case %(new)s; both histories are kept.")
        % {"new": new.number},
    )
    return redirect("case-detail", number=new.number)


# --- the lifecycle: close, reopen, the responsible person -------------------------------------


def _refused(request: HttpRequest, number: str, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"reason": exc.messages}
    return render(
        request,
        "cases/lifecycle_refused.html",
        {"number": number, "errors": errors},
        status=400,
    )


@access("case.update")
@require_POST
def case_close(request: HttpRequest, number: str) -> HttpResponse:
    try:
        lifecycle.case_close(
            actor=request.actor,
            case=_case_or_404(number),
            reason=request.POST.get("reason", "")[:40],
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
            actor=request.actor,
            case=_case_or_404(number),
            reason=request.POST.get("reason", "")[:40],
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
        lifecycle.case_owner_set(actor=request.actor, case=_case_or_404(number), user_id=user_id)
    except ValidationError as exc:
        return _refused(request, number, exc)
    messages.success(request, _("Responsible person recorded."))
    return redirect("case-detail", number=number)

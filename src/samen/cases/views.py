"""Web pages. Thin: forms parse, services and selectors decide and audit, templates show."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from samen.cases import selectors as case_selectors
from samen.cases import services as case_services
from samen.core import policy
from samen.core.access import AUTHENTICATED, PUBLIC, access, declare
from samen.core.models import CaseShare
from samen.core.register import purposes_of_role, shareable_categories
from samen.identification import selectors as identification_selectors
from samen.knowledge import selectors as knowledge_selectors
from samen.review import selectors as review_selectors
from samen.sharing import selectors as sharing_selectors
from samen.sharing import services as sharing_services
from samen.signalling import pacing, triage
from samen.signalling import selectors as signal_selectors
from samen.signalling import services as signal_services
from samen.web.forms import (
    CaseFilterForm,
    EmergencyForm,
    MergeForm,
    NoteForm,
    ShareFilterForm,
    ShareForm,
    SignalForm,
)
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


def _back_to(url: str, anchor: str) -> HttpResponse:
    """After a step, back to the block the user acted on, not the top of the page."""
    return redirect(f"{url}#{anchor}")


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


@access("case.share")
@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = CaseShare.objects.select_related("case").filter(pk=pk).first()
    if share is None:
        raise Http404
    sharing_services.share_revoke(actor=request.actor, share=share)
    messages.success(request, _("The share was revoked."))
    return _back_to(reverse("case-detail", kwargs={"number": share.case.number}), "shares-title")


@access("case.read")
def shares_overview(request: HttpRequest) -> HttpResponse:
    shares = sharing_services.shares_of_organisation(actor=request.actor)
    return render(request, "sharing/shares.html", shares)


@access("case.emergency")
def emergency_access(request: HttpRequest) -> HttpResponse:
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = sharing_services.case_by_number_for_emergency(number=form.cleaned_data["number"])
        if case is None:
            form.add_error("number", _("No case with this number."))
        else:
            try:
                sharing_services.emergency_start(
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


# --- duplicates: merge and split (the national registrar) -------------------------------------


def _merge_page(
    request: HttpRequest, number: str, form: MergeForm | None = None, status: int = 200
) -> HttpResponse:
    case = case_selectors.case_get(actor=request.actor, number=number)
    context = {"case": case, "form": form or MergeForm(initial={"target": ""})}
    return render(request, "samen/case_merge.html", context, status=status)


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

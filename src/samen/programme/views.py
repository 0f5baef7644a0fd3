"""Pages of the programme monitor. Thin, like samen.web.views: forms parse, the programme's
services decide, check the policy and audit, templates show."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from samen.core.access import access
from samen.core.requests import ActorRequest
from samen.pdf import pdf_response
from samen.review import selectors as review_selectors

from . import manual, overview, selectors, services
from .charts import bar_chart
from .forms import (
    ActionDetailsForm,
    ActionUpdateForm,
    CommitmentCreateForm,
    CommitmentEditForm,
    EditForm,
    IndicatorValueForm,
    LetterUploadForm,
    MotionCreateForm,
    MotionEditForm,
    ProgressCorrectForm,
    RecommendationCreateForm,
    RecommendationEditForm,
    RejectForm,
    SnapshotForm,
)
from .letter.extract import UnsupportedFormat

logger = logging.getLogger(__name__)
READ = "programme.read"
UPDATE = "programme.update"
_LETTER_STATUS = dict(selectors.LetterStatus.choices)


def _saved(
    request: ActorRequest, form: Any, write: Callable[[dict], object], message: str, done: str
) -> HttpResponse | None:
    """Run the service on a valid form; its refusals become the form's errors. The redirect on
    success, or None so the caller shows the page again with the errors (400)."""
    if not form.is_valid():
        return None
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, message)
    return redirect(done)


@access(READ)
def progress_overview(request: ActorRequest) -> HttpResponse:
    selectors.record_read(request.actor, "overview")
    context = overview.overview_context(since=request.GET.get("since"))
    if request.GET.get("format") == "pdf":
        return pdf_response(
            request, "programme/overview_print.html", context, "voortgangsoverzicht.pdf"
        )
    context["snapshot_form"] = SnapshotForm()
    context["review"] = review_selectors.review_summary()
    return render(request, "programme/overview.html", context)


@access(UPDATE)
@require_POST
def snapshot_create(request: ActorRequest) -> HttpResponse:
    form = SnapshotForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    services.overview_snapshot_create(by=request.actor, label=label)
    messages.success(
        request, _("The overview was saved; the next one lists what changed since now.")
    )
    return redirect("programme:overview")


def _letters_page(
    request: ActorRequest, form: LetterUploadForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "programme/letters.html",
        {"letters": selectors.letters(), "form": form or LetterUploadForm()},
        status=status,
    )


@access(READ)
def letter_list(request: ActorRequest) -> HttpResponse:
    selectors.record_read(request.actor, "letter")
    return _letters_page(request)


def _safe_name(uploaded: str) -> str:
    try:
        return get_valid_filename(Path(uploaded).name)
    except SuspiciousFileOperation:  # nothing usable left of the name, e.g. ".."
        return "letter" + Path(uploaded).suffix.lower()


@access(UPDATE)
def letter_upload(request: ActorRequest) -> HttpResponse:
    if request.method == "GET":
        # The address of the upload form: show the form on a page of its own.
        return render(request, "programme/letter_new.html", {"form": LetterUploadForm()})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = LetterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _letters_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    # The reader works on a path and tells the format by the suffix; the original name is kept
    # (made safe) because the register records it.
    name = _safe_name(upload.name)
    with tempfile.TemporaryDirectory(prefix="samen-letter-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            letter, _reading, updates = services.letter_register(
                path=path,
                by=request.actor,
                title=form.cleaned_data["title"],
                sent_on=form.cleaned_data["sent_on"],
            )
        except PermissionDenied:
            raise
        except UnsupportedFormat:
            form.add_error("file", _("Choose a .txt, .docx or .pdf file."))
            return _letters_page(request, form, status=400)
        except Exception:  # a damaged .docx or .pdf fails in library-specific ways
            logger.exception("programme letter upload could not be read: %s", name)
            form.add_error("file", _("This file could not be read as a letter."))
            return _letters_page(request, form, status=400)

    messages.success(
        request,
        _("The letter was read: %(count)s proposed updates.") % {"count": len(updates)},
    )
    return redirect("programme:letter-review", pk=letter.pk)


def _present(update: Any, registered: dict[str, Any]) -> dict[str, Any]:
    """Flatten what the reader found for the review table, with the register's current entry
    beside it so the reviewer sees what accepting would change."""
    payload = update.payload
    members = payload.get("submitters") or payload.get("made_to") or []
    reference = payload.get("reference") or {}
    record = update.motion or update.commitment
    current = record or (registered.get(update.reference_key) if update.kind == "motion" else None)
    return {
        "pk": update.pk,
        "index": update.item_index,
        "kind": update.kind,
        "reference": reference.get("display", ""),
        "subject": payload.get("subject", ""),
        "members": members,
        "members_role": payload.get("members_role", "submitters"),
        "co_signers": payload.get("co_signers", False),
        "parties": payload.get("parties", []),
        "made_on": payload.get("made_on"),
        "proposed_status": update.proposed_status,
        "proposed_status_display": _LETTER_STATUS.get(update.proposed_status, ""),
        "evidence": update.evidence,
        "notes": payload.get("notes", []),
        "state": update.state,
        "state_display": update.get_state_display(),
        "decided_by": update.decided_by,
        "decided_at": update.decided_at,
        "reason": update.reason,
        "record": record,
        "current": current,
        "passage": payload.get("passage", ""),
        "confidence": payload.get("confidence"),
        "parliament": payload.get("parliament") or {},
        "open": update.state == selectors.UpdateState.PROPOSED,
    }


@access(READ)
def letter_review(request: ActorRequest, pk: int) -> HttpResponse:
    letter = selectors.letter(pk=pk)
    selectors.record_read(request.actor, "letter", str(pk))
    registered = selectors.motions_by_reference()
    updates = [
        _present(u, registered) for u in selectors.proposed_updates(letter=letter, state=None)
    ]
    counts = {
        state: sum(1 for u in updates if u["state"] == state)
        for state in selectors.UpdateState.values
    }
    return render(
        request,
        "programme/letter_review.html",
        {"letter": letter, "updates": updates, "counts": counts, "reject_form": RejectForm()},
    )


def _back_to(update: Any) -> HttpResponse:
    url = reverse("programme:letter-review", kwargs={"pk": update.letter_id})
    return redirect(f"{url}#update-{update.pk}")


@access(UPDATE)
@require_POST
def update_accept(request: ActorRequest, pk: int) -> HttpResponse:
    update = selectors.proposed_update(pk=pk)
    try:
        record = services.proposed_update_accept(update=update, by=request.actor)
    except services.UpdateAlreadyDecided:
        messages.warning(request, _("This update was already decided."))
    else:
        if record is None:
            messages.info(request, _("Accepted: the cited document changes no register record."))
        else:
            messages.success(request, _("Accepted: the register was updated."))
    return _back_to(update)


@access(UPDATE)
@require_POST
def update_reject(request: ActorRequest, pk: int) -> HttpResponse:
    update = selectors.proposed_update(pk=pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.proposed_update_reject(update=update, by=request.actor, reason=reason)
    except services.UpdateAlreadyDecided:
        messages.warning(request, _("This update was already decided."))
    else:
        messages.success(request, _("Rejected: the register was left as it was."))
    return _back_to(update)


def _indicators_page(
    request: ActorRequest, forms: dict[str, IndicatorValueForm] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    charts = [
        bar_chart(indicator, selectors.indicator_series(code=indicator.code))
        for indicator in selectors.indicators()
    ]
    panels = [
        (chart, forms.get(chart.indicator.code) or IndicatorValueForm(prefix=chart.indicator.code))
        for chart in charts
    ]
    return render(request, "programme/indicators.html", {"panels": panels}, status=status)


@access(READ)
def indicators(request: ActorRequest) -> HttpResponse:
    selectors.record_read(request.actor, "indicator")
    return _indicators_page(request)


def _action_page(
    request: ActorRequest,
    code: str,
    form: ActionUpdateForm | None = None,
    status: int = 200,
    details_form: ActionDetailsForm | None = None,
) -> HttpResponse:
    action = selectors.action_page(code=code)
    context = {
        "action": action,
        "form": form or ActionUpdateForm(initial={"status": action.status}),
        "details_form": details_form or ActionDetailsForm(instance=action),
    }
    return render(request, "programme/action.html", context, status=status)


@access(READ)
def action_detail(request: ActorRequest, code: str) -> HttpResponse:
    selectors.record_read(request.actor, "action", code)
    return _action_page(request, code)


@access(UPDATE)
@require_POST
def action_update(request: ActorRequest, code: str) -> HttpResponse:
    action = selectors.action(code=code)
    form = ActionUpdateForm(request.POST)
    done = _saved(
        request,
        form,
        lambda c: services.action_update(
            action=action, by=request.actor, status=c["status"], note=c["note"], on=c["on"]
        ),
        _("The action was updated."),
        reverse("programme:action-detail", kwargs={"code": code}),
    )
    if done:
        return done
    return _action_page(request, code, form, status=400)


# The three kinds of register record programme staff edit by hand, each found by its key in the
# URL: a motion by its parliamentary reference, the others by their code.
RECORD_KINDS: dict[str, tuple[Callable[[str], Any], type[EditForm], tuple[str, ...]]] = {
    "motion": (
        selectors.motion_by_key,
        MotionEditForm,
        (
            "date",
            "subject",
            "status",
            "status_date",
            "letter_status",
            "status_evidence",
            "notes",
            "tk_number",
            "vote_outcome",
        ),
    ),
    "commitment": (
        lambda code: selectors.commitment(code=code),
        CommitmentEditForm,
        (
            "made_by",
            "made_to",
            "made_on",
            "occasion",
            "description",
            "due",
            "status",
            "tk_number",
            "tk_status",
        ),
    ),
    "recommendation": (
        lambda code: selectors.recommendation(code=code),
        RecommendationEditForm,
        ("body", "round", "report_date", "text", "government_response", "response_due", "status"),
    ),
}


def _record_or_404(kind: str, key: str) -> Any:
    record = RECORD_KINDS[kind][0](key)
    if record is None:
        raise Http404
    return record


def _facts(record: Any, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Label and shown value of each field, labels from the model so they stay translated."""
    facts = []
    for name in names:
        field = record._meta.get_field(name)
        value = getattr(record, f"get_{name}_display")() if field.choices else getattr(record, name)
        facts.append((field.verbose_name, value))
    return facts


def _record_page(
    request: ActorRequest, kind: str, key: str, form: EditForm | None = None, status: int = 200
) -> HttpResponse:
    record = _record_or_404(kind, key)
    _find, form_class, shown = RECORD_KINDS[kind]
    context = {
        "record": record,
        "kind": kind,
        "key": key,
        "facts": _facts(record, shown),
        "form": form or form_class(instance=record),
        "update_url": reverse(f"programme:{kind}-update", kwargs={"key": key}),
    }
    return render(request, "programme/record.html", context, status=status)


@access(READ)
def record_detail(request: ActorRequest, kind: str, key: str) -> HttpResponse:
    selectors.record_read(request.actor, kind, key)
    return _record_page(request, kind, key)


@access(UPDATE)
@require_POST
def record_update(request: ActorRequest, kind: str, key: str) -> HttpResponse:
    record = _record_or_404(kind, key)
    form = RECORD_KINDS[kind][1](request.POST, instance=selectors.fresh(record))
    done = _saved(
        request,
        form,
        lambda _c: services.record_edit(record=record, by=request.actor, changes=form.changes()),
        _("The changes were saved."),
        reverse(f"programme:{kind}-detail", kwargs={"key": key}),
    )
    if done:
        return done
    return _record_page(request, kind, key, form, status=400)


@access(UPDATE)
@require_POST
def indicator_value_add(request: ActorRequest, code: str) -> HttpResponse:
    indicator = selectors.indicator(code=code)
    form = IndicatorValueForm(request.POST, prefix=code)
    done = _saved(
        request,
        form,
        lambda c: services.indicator_value_add(indicator=indicator, by=request.actor, **c),
        _("The value was added."),
        f"{reverse('programme:indicators')}#indicator-{code}",
    )
    if done:
        return done
    return _indicators_page(request, forms={code: form}, status=400)


@access(UPDATE)
@require_POST
def action_details_update(request: ActorRequest, code: str) -> HttpResponse:
    action = selectors.action(code=code)
    form = ActionDetailsForm(request.POST, instance=selectors.fresh(action))
    done = _saved(
        request,
        form,
        lambda _c: services.record_edit(record=action, by=request.actor, changes=form.changes()),
        _("The changes were saved."),
        reverse("programme:action-detail", kwargs={"code": code}),
    )
    if done:
        return done
    return _action_page(request, code, status=400, details_form=form)


# Records no letter or sync names, entered by hand: the form, the service, and the page the
# new record is shown on.
CREATE_KINDS: dict[str, tuple[type, Callable[..., Any], str]] = {
    "motion": (MotionCreateForm, manual.motion_create, "reference_key"),
    "commitment": (CommitmentCreateForm, manual.commitment_create, "code"),
    "recommendation": (RecommendationCreateForm, manual.recommendation_create, "code"),
}
CREATE_TITLES = {
    "motion": _lazy("New motion"),
    "commitment": _lazy("New commitment"),
    "recommendation": _lazy("New international recommendation"),
}


def _form_errors(form: Any, error: ValidationError) -> None:
    """The service's field errors on the form's fields; others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@access(UPDATE)
def record_create(request: ActorRequest, kind: str) -> HttpResponse:
    form_class, create, key_field = CREATE_KINDS[kind]
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = create(by=request.actor, **form.values())
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The record was saved."))
                return redirect(f"programme:{kind}-detail", key=getattr(record, key_field))
        status = 400
    context = {"form": form, "kind": kind, "title": CREATE_TITLES[kind]}
    return render(request, "programme/record_new.html", context, status=status)


@access(UPDATE)
@require_POST
def progress_correct(request: ActorRequest, code: str, pk: int) -> HttpResponse:
    action = selectors.action(code=code)
    progress = selectors.progress_note(pk=pk, action=action)
    form = ProgressCorrectForm(request.POST, prefix=f"progress-{pk}")
    done = _saved(
        request,
        form,
        lambda c: manual.progress_note_correct(
            progress=progress, by=request.actor, note=c["note"], on=c["on"]
        ),
        _("The progress note was corrected; the earlier wording is kept."),
        reverse("programme:action-detail", kwargs={"code": code}),
    )
    if done:
        return done
    return _action_page(request, code, status=400)

"""Review pages. Thin: selectors read, services check, write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core import policy
from samen.core.access import access
from samen.review import selectors, services
from samen.review.choices import ItemKind
from samen.review.forms import AnswerForm, CommentForm, ItemForm


def _errors_to(form: Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for e in errors:
            form.add_error(field if field in form.fields else None, e)


@access("review.read")
def item_list(request: HttpRequest) -> HttpResponse:
    return render(request, "review/list.html", {"items": selectors.items()})


@access("review.manage")
def item_new(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.review_item_open(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Put up for review."))
            return redirect("review:item", pk=item.pk)
    return render(
        request, "review/new.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@access("review.read")
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(item_id=pk)
    if item is None:
        raise Http404
    return _detail(request, item, CommentForm(), {})


def _detail(request, item, comment_form, answer_forms, status: int = 200) -> HttpResponse:
    comments = selectors.comments_for(actor=request.actor, item=item)
    manages = policy.allows(request.actor, "review.manage")
    for row in comments:
        row.form = answer_forms.get(row.comment.pk) or (
            AnswerForm(prefix=f"a{row.comment.pk}") if manages and row.answer is None else None
        )
    current = None
    if item.kind == ItemKind.ADVICE_TEXT:
        current = selectors.advice_text_current(level=item.reference)
    return render(
        request,
        "review/item.html",
        {
            "item": item,
            "comments": comments,
            "comment_form": comment_form
            if policy.allows(request.actor, "review.comment")
            else None,
            "current": current,
        },
        status=status,
    )


@access("review.comment")
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(item_id=pk)
    if item is None:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.review_comment(actor=request.actor, item=item, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Thank you, your comment was recorded."))
            return redirect("review:item", pk=item.pk)
    return _detail(request, item, form, {}, status=400)


@access("review.manage")
@require_POST
def answer_add(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get(comment_id=pk)
    if comment is None:
        raise Http404
    form = AnswerForm(request.POST, prefix=f"a{comment.pk}")
    if form.is_valid():
        try:
            services.review_answer(actor=request.actor, comment=comment, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Answer recorded."))
            return redirect("review:item", pk=comment.item_id)
    return _detail(request, comment.item, CommentForm(), {comment.pk: form}, status=400)

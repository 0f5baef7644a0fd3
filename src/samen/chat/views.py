"""Pages of the anonymous chat and the counsellors' queue. Thin: selectors read, services write.

The person's pages are public and keep no trace of who calls: the browser holds a random token
in a cookie scoped to /chat/ that lives only as long as the browser session; no address or
fingerprint is read. Real time is server-sent events (ADR 0038): `stream` answers a text/event-
stream that sends what is new and ends after CHAT_STREAM_SECONDS, when the browser reconnects.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from samen.chat import broker, conf, selectors, services
from samen.core.access import PUBLIC, access

COOKIE = "samen_chat"
COOKIE_PATH = "/chat/"


def _token(request: HttpRequest) -> str:
    return request.COOKIES.get(COOKIE, "")


def _errors(error: ValidationError, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": error.message_dict}, status=status)


def _after(request: HttpRequest) -> int:
    raw = request.META.get("HTTP_LAST_EVENT_ID") or request.GET.get("after") or "0"
    return int(raw) if raw.isdigit() else 0


def _release_connection() -> None:
    """A waiting stream holds no server connection (PostgreSQL's are few); SQLite's are files,
    cheaper kept than reopened."""
    if connection.vendor != "sqlite" and not connection.in_atomic_block:
        connection.close()


def _events(
    *,
    conversation_id: int,
    after: int,
    state: Callable[[int], dict[str, object]],
    holder: int | None = None,
) -> Iterator[str]:
    """Send what is new, wait for a wake-up or the poll interval, repeat; end after the stream's
    lifetime. The database connection is given back between reads so a waiting stream holds none.
    `holder`: the counsellor the stream was opened for; it ends before sending anything once the
    chat is no longer theirs (handed to a colleague), as access is checked only when it opens."""
    topic = broker.conversation_topic(conversation_id)
    deadline = time.monotonic() + conf.stream_seconds()
    seen = broker.version(topic)
    changed: object = None
    last_state: dict[str, object] | None = None
    yield "retry: 1000\n\n"
    while True:
        # One cheap read per wake-up; messages and state only when the conversation changed.
        now_changed = selectors.conversation_changed(conversation_id)
        if holder is not None and (now_changed is None or now_changed[2] != holder):  # type: ignore[index]
            return
        rows: list[dict[str, object]] = []
        if now_changed != changed:
            changed = now_changed
            rows = selectors.messages_after(conversation_id, after)
            now_state = state(conversation_id)
            for row in rows:
                after = int(row["id"])  # type: ignore[call-overload]
                yield f"id: {after}\nevent: message\ndata: {json.dumps(row)}\n\n"
            if now_state != last_state:
                last_state = now_state
                yield f"event: state\ndata: {json.dumps(now_state)}\n\n"
        _release_connection()
        if last_state is not None and last_state.get("status") == "closed" and not rows:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            return
        seen = broker.wait(topic, seen, min(conf.poll_seconds(), left))
        yield ": keep-alive\n\n"


def _stream_response(events: Iterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold events back
    return response


def _forget(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Strict")
    return response


@access(PUBLIC)
@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    conversation = selectors.conversation_by_token(_token(request))
    language = "en" if (get_language() or "").startswith("en") else "nl"
    response = render(
        request,
        "chat/person.html",
        {
            "conversation": conversation
            if conversation and conversation.status != "closed"
            else None,
            "statement": conf.retention_statement(language),
            "quick_exit_url": conf.quick_exit_url(),
            "max_chars": conf.max_message_chars(),
        },
    )
    if conversation is not None and conversation.status == "closed":
        _forget(response)
    return response


@access(PUBLIC)
@require_POST
def chat_start(request: HttpRequest) -> HttpResponse:
    language = "en" if (get_language() or "").startswith("en") else "nl"
    try:
        _, token = services.conversation_start(language=language)
    except ValidationError as error:
        flash.error(request, error.message_dict["chat"][0])
        return redirect("chat:page")
    response = redirect("chat:page")
    # A session cookie (gone with the browser), for /chat/ only, never sent cross-site.
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
    )
    return response


@access(PUBLIC)
@require_POST
def chat_send(request: HttpRequest) -> HttpResponse:
    try:
        message_id = services.person_send(token=_token(request), body=request.POST.get("body", ""))
    except services.RateLimited as error:
        return _errors(error, 429)
    except ValidationError as error:
        return _errors(error)
    return JsonResponse({"id": message_id}, status=201)


@access(PUBLIC)
@require_GET
def chat_stream(request: HttpRequest) -> HttpResponse:
    conversation = selectors.conversation_by_token(_token(request))
    if conversation is None:
        return HttpResponse(status=204)  # no conversation: the browser stops reconnecting
    return _stream_response(
        _events(
            conversation_id=conversation.pk, after=_after(request), state=selectors.person_state
        )
    )


@access(PUBLIC)
@require_POST
def chat_exit(request: HttpRequest) -> HttpResponse:
    services.person_exit(token=_token(request))
    return _forget(HttpResponse(status=204))


@access(PUBLIC)
@require_POST
def chat_consent(request: HttpRequest) -> HttpResponse:
    agree = request.POST.get("answer") == "yes"
    try:
        reference = services.handover_answer(
            token=_token(request), agree=agree, shown=request.POST.get("draft", "")
        )
    except ValidationError as error:
        return _errors(error)
    return JsonResponse({"reference": reference})


# The counsellors' side


@access("chat.counsel")
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/queue.html", selectors.queue(actor=request.actor))


@access("chat.counsel")
@require_GET
def queue_stream(request: HttpRequest) -> HttpResponse:
    def events() -> Iterator[str]:
        deadline = time.monotonic() + conf.stream_seconds()
        seen = broker.version(broker.QUEUE_TOPIC)
        first = selectors.queue_version()
        _release_connection()
        yield "retry: 2000\n\n"
        while time.monotonic() < deadline:
            seen = broker.wait(broker.QUEUE_TOPIC, seen, conf.poll_seconds())
            now = selectors.queue_version()
            _release_connection()
            if now != first:
                yield "event: changed\ndata: {}\n\n"
                return
            yield ": keep-alive\n\n"

    return _stream_response(events())


@access("chat.counsel")
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    services.presence_set(actor=request.actor, available=request.POST.get("available") == "1")
    return redirect("chat:queue")


@access("chat.counsel")
@require_GET
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.counsellor_view(actor=request.actor, pk=pk)
    return render(
        request,
        "chat/conversation.html",
        {
            "conversation": conversation,
            "mine": conversation.counsellor_id == request.actor.membership.pk,
            "canned": selectors.canned_answers(conversation.language),
            "colleagues": [
                p
                for p in selectors.on_duty(actor=request.actor)
                if p.membership_id != request.actor.membership.pk
            ],
            "choices": selectors.handover_choices(),
            "max_chars": conf.max_message_chars(),
        },
    )


@access("chat.counsel")
@require_GET
def conversation_stream(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.counsellor_view(actor=request.actor, pk=pk)
    return _stream_response(
        _events(
            conversation_id=pk,
            after=_after(request),
            state=selectors.counsellor_state,
            holder=request.actor.membership.pk,
        )
    )


def _act(
    request: HttpRequest, pk: int, do: Callable[[], object], *, done: str = "", failed: str = ""
) -> HttpResponse:
    """`done`/`failed`: where to go instead of the conversation when it is no longer (or not
    yet) the actor's, since only its counsellor may open it."""
    try:
        result = do()
    except ValidationError as error:
        if request.headers.get("Accept", "").startswith("application/json"):
            return _errors(error)
        for errors in error.message_dict.values():
            for e in errors:
                flash.error(request, e)
        return redirect(failed) if failed else redirect("chat:conversation", pk=pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, "id": result if isinstance(result, int) else None})
    return redirect(done) if done else redirect("chat:conversation", pk=pk)


@access("chat.counsel")
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: services.conversation_take(actor=request.actor, pk=pk),
        failed="chat:queue",
    )


@access("chat.counsel")
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: services.counsellor_send(
            actor=request.actor, pk=pk, body=request.POST.get("body", "")
        ),
    )


@access("chat.counsel")
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("to", "")
    return _act(
        request,
        pk,
        lambda: services.conversation_transfer(
            actor=request.actor, pk=pk, to_membership=int(raw) if raw.isdigit() else 0
        ),
        done="chat:queue",
    )


@access("chat.counsel")
@require_POST
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.safety_flag(actor=request.actor, pk=pk))


@access("chat.counsel")
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.conversation_close(actor=request.actor, pk=pk))


@access("chat.counsel")
@require_POST
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: services.handover_propose(
            actor=request.actor,
            pk=pk,
            indicators=request.POST.getlist("indicators"),
            municipality=request.POST.get("municipality", ""),
            gender=request.POST.get("gender", "unknown"),
            age_band=request.POST.get("age_band", "unknown"),
            notes=request.POST.get("notes", ""),
        ),
    )


@access("chat.supervise")
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    return render(
        request, "chat/alerts.html", {"alerts": selectors.alerts_open(actor=request.actor)}
    )


@access("chat.supervise")
@require_POST
def alert_seen(request: HttpRequest, pk: int) -> HttpResponse:
    services.alert_acknowledge(actor=request.actor, pk=pk)
    return redirect("chat:alerts")

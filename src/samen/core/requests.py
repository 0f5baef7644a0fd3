"""The request a view of Samen receives: Django's, with the actor `ActorMiddleware` put on it.
Views annotate `request: ActorRequest` so the type checker knows `request.actor`."""

from __future__ import annotations

from django.http import HttpRequest

from samen.core.actor import Actor


class ActorRequest(HttpRequest):
    actor: Actor

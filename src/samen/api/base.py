"""Shared plumbing for the API views: the actor, and the declared access rule as a permission."""

from __future__ import annotations

from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from samen.sharing import policy
from samen.sharing.access import AUTHENTICATED, PUBLIC
from samen.sharing.actor import Actor
from samen.sharing.middleware import build_actor


class PolicyPermission(permissions.BasePermission):
    """Enforces the view's `access_rule`; the object-level scope is the selectors' job."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        rule = getattr(view, "access_rule", None)
        if rule is None:
            return False  # a view without a rule is closed, and the URL walker test fails it
        if rule == PUBLIC:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if rule == AUTHENTICATED:
            return True
        policy.require(actor_of(request), rule)
        return True


def actor_of(request: Request) -> Actor:
    cached = getattr(request, "_samen_actor", None)
    if cached is None:
        cached = build_actor(request._request, user=request.user, channel="api")
        request._samen_actor = cached
    return cached


class SamenAPIView(APIView):
    permission_classes = [PolicyPermission]
    access_rule: str | None = None

    @property
    def actor(self) -> Actor:
        return actor_of(self.request)


class PresentSerializer(serializers.Serializer):
    """Output serializer for dicts from selectors: keys the policy left out stay absent."""

    def to_representation(self, instance: dict) -> dict:
        data = super().to_representation(instance)
        return {k: v for k, v in data.items() if k in instance}

    def get_attribute(self, instance: object) -> object:  # pragma: no cover - DRF hook
        return super().get_attribute(instance)

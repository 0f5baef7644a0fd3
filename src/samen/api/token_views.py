"""API tokens: issue (with the second factor), list and revoke one's own."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from samen.accounts.services import token_for_credentials
from samen.accounts.tokens import token_revoke_own, tokens_of_user
from samen.api.base import SamenAPIView
from samen.core.access import AUTHENTICATED, PUBLIC
from samen.core.actor import client_origin


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, style={"input_type": "password"})
    otp = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    membership = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="prefix")
    membership = serializers.IntegerField(source="membership_id")
    organisation = serializers.CharField(source="membership.organisation.name")
    role = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class TokenIssuedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="Shown once; only a hash is kept.")


class TokenView(SamenAPIView):
    """Exchange username, password (and the second-factor code where the role needs one) for an
    API token bound to one membership; the same lockout as the login page."""

    access_rule = PUBLIC
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenIssuedSerializer})
    def post(self, request: Request) -> Response:
        ser = TokenRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        token, key = token_for_credentials(request._request, **ser.validated_data)
        data = TokenSerializer(token).data
        data["token"] = key
        return Response(data, status=201)


class TokenListView(SamenAPIView):
    access_rule = AUTHENTICATED

    @extend_schema(responses=TokenSerializer(many=True), summary="Your API tokens")
    def get(self, request: Request) -> Response:
        return Response(TokenSerializer(tokens_of_user(user=request.user), many=True).data)


class TokenRevokeView(SamenAPIView):
    access_rule = AUTHENTICATED

    @extend_schema(responses={204: None}, summary="Revoke one of your API tokens")
    def delete(self, request: Request, token_id: str) -> Response:
        origin = client_origin(request.META, "api")
        if not token_revoke_own(user=request.user, token_id=token_id, origin=origin):
            raise Http404
        return Response(status=204)

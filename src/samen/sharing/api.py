"""REST endpoints of shares, emergency access and the register. Thin: parse, call a service or
selector, present."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.sharing import selectors as sharing_selectors
from samen.sharing import services as sharing_services
from samen.sharing.serializers import (
    EmergencyRequestSerializer,
    RegisterRuleSerializer,
    ShareSerializer,
)


class ShareListView(SamenAPIView):
    access_rule = "case.read"

    @extend_schema(responses=inline_serializer(
        "SharesOfOrganisation",
        {"given": ShareSerializer(many=True), "received": ShareSerializer(many=True)},
    ))  # fmt: skip
    def get(self, request: Request) -> Response:
        shares = sharing_services.shares_of_organisation(actor=self.actor)
        return Response({k: ShareSerializer(v, many=True).data for k, v in shares.items()})


class ShareRevokeView(SamenAPIView):
    access_rule = "case.share"

    @extend_schema(request=None, responses=ShareSerializer)
    def post(self, request: Request, pk: int) -> Response:
        share = sharing_selectors.share_or_404(pk=pk)
        return Response(
            ShareSerializer(sharing_services.share_revoke(actor=self.actor, share=share)).data
        )


class EmergencyView(SamenAPIView):
    access_rule = "case.emergency"

    @extend_schema(request=EmergencyRequestSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        ser = EmergencyRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        case = sharing_services.case_by_number_for_emergency(number=ser.validated_data["case"])
        if case is None:
            raise Http404
        access = sharing_services.emergency_start(
            actor=self.actor, case=case, reason=ser.validated_data["reason"]
        )
        return Response({"case": case.number, "expires_at": access.expires_at}, status=201)


class RegisterView(SamenAPIView):
    access_rule = "register.read"

    @extend_schema(responses=RegisterRuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(RegisterRuleSerializer(sharing_selectors.register_rows(), many=True).data)

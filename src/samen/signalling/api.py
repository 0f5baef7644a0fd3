"""REST endpoints of signals and signal lists. Thin: parse, call a service or selector, present."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.api.pagination import page_params, paged_response
from samen.signalling import pacing, triage
from samen.signalling import selectors as signal_selectors
from samen.signalling import serializers as s
from samen.signalling import services as signal_services
from samen.signalling.choices import Advice


class SignalListListView(SamenAPIView):
    access_rule = "signal_list.read"

    @extend_schema(responses=s.SignalListSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            s.SignalListSerializer(signal_selectors.signal_lists_current(), many=True).data
        )


class SignalListDetailView(SamenAPIView):
    access_rule = "signal_list.read"

    @extend_schema(responses=s.SignalListSerializer)
    def get(self, request: Request, code: str) -> Response:
        sl = signal_selectors.signal_list_get(code=code)
        if sl is None:
            raise Http404
        return Response(s.SignalListSerializer(sl).data)


class SignalListCreateView(SamenAPIView):
    access_rule = "signal.read"

    def get_permissions(self):
        # Recording needs signal.create, listing signal.read; the rule follows the method.
        self.access_rule = "signal.create" if self.request.method == "POST" else "signal.read"
        return super().get_permissions()

    @extend_schema(
        parameters=[
            OpenApiParameter("advice", str, enum=Advice.values),
            OpenApiParameter("signal_list", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=s.SignalSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page_no, size = page_params(request)
        page = signal_selectors.signal_search(
            actor=self.actor,
            page=page_no,
            per_page=size,
            advice=request.query_params.get("advice", ""),
            signal_list=request.query_params.get("signal_list", ""),
        )
        return paged_response(request, page, s.SignalSerializer(page.object_list, many=True).data)

    @extend_schema(request=s.SignalCreateSerializer, responses={201: s.SignalCreatedSerializer})
    def post(self, request: Request) -> Response:
        since = pacing.started()
        ser = s.SignalCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        outcome = signal_services.signal_record(actor=self.actor, data=ser.to_input())
        pacing.answer_at_floor(since)
        # A one-way door: the author gets what they recorded, the advice and a receipt, the same
        # whether or not the person was known (no case number, no "linked"); the signal.create
        # entry covers this response. The id and time come with the receipt in the signal list.
        signal = {
            k: v
            for k, v in signal_selectors.present(
                outcome.signal, access=None, is_author=True
            ).items()
            if k not in ("id", "created_at")
        }
        body = {
            "receipt": outcome.receipt,
            "signal": signal,
            "message": _("Signal recorded. Your receipt: %(receipt)s.")
            % {"receipt": outcome.receipt},
            "advice": triage.present(outcome.triage, get_language() or "nl"),
        }
        return Response(s.SignalCreatedSerializer(body).data, status=201)


class SignalDetailView(SamenAPIView):
    access_rule = "signal.read"

    @extend_schema(responses=s.SignalSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            s.SignalSerializer(signal_selectors.signal_get(actor=self.actor, signal_id=pk)).data
        )

"""Shelter API under /api/v1/shelter/: the overview, availability reports (providers report by
API too), referrals, matches, holds, responses and placements. Views parse input, call a service
or selector and present the result; the policy and audit live in those."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.cases.models import Case
from samen.shelter import selectors, services
from samen.shelter.models import (
    DeclineReason,
    Hold,
    OutflowDestination,
    Place,
    Placement,
    Referral,
    SecurityLevel,
    Urgency,
)
from samen.shelter.services import CARE_KINDS, NeedsInput, PlaceTaken

TAG = ["shelter"]


def _row(model: type, pk: int):
    # A missing row and one the caller may not reach answer alike; services decide the latter.
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


class PlaceOverviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    provider = serializers.CharField()
    type = serializers.CharField()
    target_group = serializers.CharField()
    region = serializers.CharField()
    municipality = serializers.CharField()
    capacity = serializers.IntegerField()
    free = serializers.IntegerField()
    availability_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField()


class PlaceListView(SamenAPIView):
    access_rule = "shelter.read"

    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("region", str, description="safety region code, e.g. VR09")],
        responses=PlaceOverviewSerializer(many=True),
        summary="National overview of places with free counts and their freshness",
    )
    def get(self, request: Request) -> Response:
        rows = selectors.places_overview(
            actor=self.actor, region=request.query_params.get("region", "")[:4]
        )
        return Response(PlaceOverviewSerializer(rows, many=True).data)


class AvailabilitySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(min_value=0, max_value=10000)
    free = serializers.IntegerField(min_value=0, max_value=10000)


class AvailabilityView(SamenAPIView):
    access_rule = "shelter.update"

    @extend_schema(tags=TAG, request=AvailabilitySerializer, responses=PlaceOverviewSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ser = AvailabilitySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        place = services.availability_update(
            actor=self.actor, place=_row(Place, pk), **ser.validated_data
        )
        return Response(
            {
                "id": place.pk,
                "capacity": place.capacity,
                "free": place.free,
                "availability_at": place.availability_at,
            }
        )


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=16)
    gender = serializers.CharField(max_length=8, required=False)
    age_band = serializers.CharField(max_length=8, required=False)
    minor = serializers.BooleanField(required=False, allow_null=True, default=None)
    forms = serializers.ListField(child=serializers.SlugField(), required=False, max_length=10)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=10
    )
    addiction = serializers.BooleanField(default=False)
    network_risk = serializers.BooleanField(default=False)
    security = serializers.ChoiceField(SecurityLevel.choices, default=SecurityLevel.STANDARD)
    care = serializers.ListField(
        child=serializers.ChoiceField(CARE_KINDS), required=False, max_length=3
    )
    accessibility = serializers.BooleanField(default=False)
    region = serializers.CharField(max_length=4, required=False)
    urgency = serializers.ChoiceField(Urgency.choices, default=Urgency.NORMAL)


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    status = serializers.CharField()
    urgency = serializers.CharField()
    needs = serializers.DictField()
    created_at = serializers.DateTimeField()


class ReferralCreateView(SamenAPIView):
    access_rule = "referral.create"

    @extend_schema(tags=TAG, request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def post(self, request: Request) -> Response:
        ser = ReferralCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        case = Case.objects.filter(number=data.pop("case")).first()
        if case is None:
            raise Http404
        referral = services.referral_create(actor=self.actor, case=case, data=NeedsInput(**data))
        return Response(ReferralSerializer(referral).data, status=201)


class MatchesView(SamenAPIView):
    access_rule = "referral.create"

    @extend_schema(
        tags=TAG,
        responses=OpenApiTypes.OBJECT,
        summary="Suitable places ranked with reasons, and excluded places with their rule",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.referral_matches(actor=self.actor, referral=_row(Referral, pk)))


class HoldCreateSerializer(serializers.Serializer):
    place = serializers.IntegerField(min_value=1)


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    place = serializers.IntegerField(source="place_id")
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()


class HoldCreateView(SamenAPIView):
    access_rule = "referral.create"

    @extend_schema(
        tags=TAG,
        request=HoldCreateSerializer,
        responses={201: HoldSerializer, 409: OpenApiTypes.OBJECT},
        summary="Hold a place; 409 with the next-best places when it was just taken",
    )
    def post(self, request: Request, pk: int) -> Response:
        ser = HoldCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        referral = _row(Referral, pk)
        try:
            hold = services.hold_place(
                actor=self.actor, referral=referral, place=_row(Place, ser.validated_data["place"])
            )
        except PlaceTaken as taken:
            return Response(
                {
                    "detail": taken.message_dict["place"][0],
                    "alternatives": [
                        {"place": m.place.id, "name": m.place.name, "free": m.place.free}
                        for m in taken.alternatives
                    ],
                },
                status=409,
            )
        return Response(HoldSerializer(hold).data, status=201)


class OfferedHoldsView(SamenAPIView):
    access_rule = "referral.respond"

    @extend_schema(
        tags=TAG,
        responses=OpenApiTypes.OBJECT,
        summary="Holds on the caller's places: the needs profile, not the identity",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.holds_for_shelter(actor=self.actor))


class HoldAcceptView(SamenAPIView):
    access_rule = "referral.respond"

    @extend_schema(tags=TAG, request=None, responses=HoldSerializer)
    def post(self, request: Request, pk: int) -> Response:
        hold = services.hold_accept(actor=self.actor, hold=_row(Hold, pk))
        return Response(HoldSerializer(hold).data)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(DeclineReason.choices)


class HoldDeclineView(SamenAPIView):
    access_rule = "referral.respond"

    @extend_schema(tags=TAG, request=DeclineSerializer, responses=HoldSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ser = DeclineSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        hold = services.hold_decline(
            actor=self.actor, hold=_row(Hold, pk), reason=ser.validated_data["reason"]
        )
        return Response(HoldSerializer(hold).data)


class PlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    place = serializers.IntegerField(source="place_id")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    outflow = serializers.CharField()


class PlacementStartView(SamenAPIView):
    access_rule = "referral.respond"

    @extend_schema(tags=TAG, request=None, responses={201: PlacementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        placement = services.placement_start(actor=self.actor, hold=_row(Hold, pk))
        return Response(PlacementSerializer(placement).data, status=201)


class PlacementEndSerializer(serializers.Serializer):
    outflow = serializers.ChoiceField(OutflowDestination.choices)
    at = serializers.DateTimeField(required=False)


class PlacementEndView(SamenAPIView):
    access_rule = "referral.respond"

    @extend_schema(tags=TAG, request=PlacementEndSerializer, responses=PlacementSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ser = PlacementEndSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        placement = services.placement_end(
            actor=self.actor, placement=_row(Placement, pk), **ser.validated_data
        )
        return Response(PlacementSerializer(placement).data)

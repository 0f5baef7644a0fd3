"""Shelter API under /api/v1/shelter/: the overview, availability reports (providers report by
API too), referrals, matches, holds, responses and placements. Views parse input, call a service
or selector and present the result; the policy and audit live in those."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.cases.selectors import case_by_number, exploitation_forms_all
from samen.core.actor import Actor
from samen.organisations import selectors as organisation_selectors
from samen.shelter import dashboard, selectors, services
from samen.shelter.choices import (
    ContraCode,
    DeclineReason,
    OutflowDestination,
    PlaceType,
    SecurityLevel,
    TargetGroup,
    Urgency,
    WithdrawReason,
)
from samen.shelter.services import CARE_KINDS, NeedsInput, PlaceTaken

TAG = ["shelter"]


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
    reported_at = serializers.DateTimeField(
        required=False, help_text="when the count was taken; default now"
    )


class AvailabilityView(SamenAPIView):
    access_rule = "shelter.update"

    @extend_schema(tags=TAG, request=AvailabilitySerializer, responses=PlaceOverviewSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ser = AvailabilitySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        place = services.availability_update(
            actor=self.actor, place=selectors.place_or_404(pk=pk), **ser.validated_data
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
        case = case_by_number(
            actor=self.actor, number=data.pop("case"), permission=self.access_rule
        )
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
        return Response(
            selectors.referral_matches(actor=self.actor, referral=selectors.referral_or_404(pk=pk))
        )


class HoldCreateSerializer(serializers.Serializer):
    place = serializers.IntegerField(min_value=1)


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    place = serializers.IntegerField(source="place_id")
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _hold(actor: Actor, referral: selectors.Referral, place: selectors.Place) -> Response:
    """Hold a place; the loser of a race gets 409 with why and the next-best places."""
    try:
        hold = services.hold_place(actor=actor, referral=referral, place=place)
    except PlaceTaken as taken:
        return Response(
            {
                "detail": taken.message_dict["place"][0],
                "fields": {"place": taken.message_dict["place"]},
                "alternatives": [
                    {
                        "place": m.place.id,
                        "name": m.place.name,
                        "free": m.place.free,
                        "score": m.score,
                    }
                    for m in taken.alternatives
                ],
            },
            status=409,
        )
    return Response(HoldSerializer(hold).data, status=201)


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
        return _hold(
            self.actor,
            selectors.referral_or_404(pk=pk),
            selectors.place_or_404(pk=ser.validated_data["place"]),
        )


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
        hold = services.hold_accept(actor=self.actor, hold=selectors.hold_or_404(pk=pk))
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
            actor=self.actor, hold=selectors.hold_or_404(pk=pk), reason=ser.validated_data["reason"]
        )
        return Response(HoldSerializer(hold).data)


class RefusalListView(SamenAPIView):
    access_rule = "referral.respond"

    @extend_schema(
        tags=TAG,
        responses=OpenApiTypes.OBJECT,
        summary="Standing refusals on the caller's places: place, when and why",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.refusals_for_shelter(actor=self.actor))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(WithdrawReason.choices)


class HoldDeclineWithdrawView(SamenAPIView):
    """Withdraw the shelter's refusal of a referral: the place may be offered to it again."""

    access_rule = "referral.respond"

    @extend_schema(tags=TAG, request=WithdrawSerializer, responses=HoldSerializer)
    def post(self, request: Request, pk: int) -> Response:
        ser = WithdrawSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        hold = services.hold_decline_withdraw(
            actor=self.actor, hold=selectors.hold_or_404(pk=pk), reason=ser.validated_data["reason"]
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
        placement = services.placement_start(actor=self.actor, hold=selectors.hold_or_404(pk=pk))
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
            actor=self.actor, placement=selectors.placement_or_404(pk=pk), **ser.validated_data
        )
        return Response(PlacementSerializer(placement).data)


# --- dashboards, waiting list and allocation proposal ----------------------------------------


class DashboardView(SamenAPIView):
    access_rule = "shelter.read"

    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("region", str, description="safety region code, e.g. VR09")],
        responses=OpenApiTypes.OBJECT,
        summary="Dashboard figures, national or for one region (aggregates only)",
    )
    def get(self, request: Request) -> Response:
        region = request.query_params.get("region", "")[:8]
        if region and not organisation_selectors.safety_region_exists(code=region):
            raise serializers.ValidationError({"region": [_("Unknown safety region.")]})
        data = dashboard.dashboard(actor=self.actor, region=region)
        data.pop("now")
        return Response(data)


class WaitingOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    place = serializers.IntegerField()
    place_name = serializers.CharField()
    free = serializers.IntegerField()
    rank = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    unread = serializers.BooleanField()


class WaitingSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    case = serializers.CharField()
    urgency = serializers.CharField()
    created_at = serializers.DateTimeField()
    days_waited = serializers.IntegerField()
    offers = WaitingOfferSerializer(many=True)


class WaitingListView(SamenAPIView):
    access_rule = "referral.create"

    @extend_schema(
        tags=TAG,
        responses=WaitingSerializer(many=True),
        summary="The caller's waiting referrals with days waited and the places offered",
    )
    def get(self, request: Request) -> Response:
        return Response(WaitingSerializer(selectors.waiting_list(actor=self.actor), many=True).data)


class ProposalRowSerializer(serializers.Serializer):
    referral = serializers.IntegerField()
    case = serializers.CharField()
    urgency = serializers.CharField()
    days_waited = serializers.IntegerField()
    place = serializers.IntegerField()
    place_name = serializers.CharField()
    provider = serializers.CharField()
    region = serializers.CharField()
    free = serializers.IntegerField()
    score = serializers.FloatField()
    stale = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class UnplacedSerializer(serializers.Serializer):
    referral = serializers.IntegerField()
    case = serializers.CharField()
    days_waited = serializers.IntegerField()


class ProposalSerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
    placed = serializers.IntegerField()
    free_beds = serializers.IntegerField()
    rows = ProposalRowSerializer(many=True)
    unplaced = UnplacedSerializer(many=True)


class AllocationView(SamenAPIView):
    access_rule = "referral.create"

    @extend_schema(
        tags=TAG,
        responses=ProposalSerializer,
        summary="Allocation proposal for the caller's waiting referrals over all free places",
    )
    def get(self, request: Request) -> Response:
        return Response(ProposalSerializer(selectors.allocation_proposal(actor=self.actor)).data)


class ConfirmSerializer(serializers.Serializer):
    referral = serializers.IntegerField(min_value=1)
    place = serializers.IntegerField(min_value=1)


class AllocationConfirmView(SamenAPIView):
    access_rule = "referral.create"

    @extend_schema(
        tags=TAG,
        request=ConfirmSerializer,
        responses={201: HoldSerializer, 409: OpenApiTypes.OBJECT},
        summary="Confirm one line of the proposal: hold the place (409 when it was just taken)",
    )
    def post(self, request: Request) -> Response:
        ser = ConfirmSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return _hold(
            self.actor,
            selectors.referral_or_404(pk=ser.validated_data["referral"]),
            selectors.place_or_404(pk=ser.validated_data["place"]),
        )


# --- directory management (providers and the registrar) --------------------------------------


class MunicipalityField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: object):
        super().__init__(
            slug_field="code", queryset=organisation_selectors.municipalities_all(), **kwargs
        )


class LocationWriteSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(
        queryset=selectors.providers_all(), required=False, help_text="registrar only"
    )
    name = serializers.CharField(max_length=200)
    municipality = MunicipalityField()


class LocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.IntegerField(source="provider_id")
    name = serializers.CharField()
    municipality = serializers.CharField(source="municipality.code")


class LocationCreateView(SamenAPIView):
    access_rule = "shelter.directory"

    @extend_schema(tags=TAG, request=LocationWriteSerializer, responses={201: LocationSerializer})
    def post(self, request: Request) -> Response:
        ser = LocationWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        provider = data.pop("provider", None)
        location = services.location_save(actor=self.actor, data=data, provider=provider)
        return Response(LocationSerializer(location).data, status=201)


class LocationUpdateView(SamenAPIView):
    access_rule = "shelter.directory"

    @extend_schema(
        tags=TAG, request=LocationWriteSerializer(partial=True), responses=LocationSerializer
    )
    def patch(self, request: Request, pk: int) -> Response:
        ser = LocationWriteSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = {k: v for k, v in ser.validated_data.items() if k != "provider"}
        location = services.location_save(
            actor=self.actor, data=data, location=selectors.location_or_404(pk=pk)
        )
        return Response(LocationSerializer(location).data)


class PlaceWriteSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(queryset=selectors.locations_all())
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(PlaceType.choices)
    target_group = serializers.ChoiceField(TargetGroup.choices)
    min_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    max_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    forms = serializers.SlugRelatedField(
        slug_field="code", queryset=exploitation_forms_all(), many=True, required=False
    )
    # Named as in a referral's needs, so the schema has one enum for security levels.
    security = serializers.ChoiceField(
        SecurityLevel.choices, required=False, source="security_level"
    )
    care_addiction = serializers.BooleanField(required=False)
    care_psychiatric = serializers.BooleanField(required=False)
    care_medical = serializers.BooleanField(required=False)
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,3}$"), required=False, max_length=30
    )
    wheelchair_accessible = serializers.BooleanField(required=False)
    municipality = MunicipalityField(required=False)
    funding_municipality = MunicipalityField(required=False)
    # Not min_value=0 here: the service names a negative count itself, with the same message
    # as an availability report.
    capacity = serializers.IntegerField(max_value=10000, default=0)
    free = serializers.IntegerField(max_value=10000, default=0)
    is_active = serializers.BooleanField(required=False)


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    location = serializers.IntegerField(source="location_id")
    name = serializers.CharField()
    type = serializers.CharField()
    target_group = serializers.CharField()
    capacity = serializers.IntegerField()
    free = serializers.IntegerField()
    availability_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class PlaceCreateView(SamenAPIView):
    access_rule = "shelter.directory"

    @extend_schema(tags=TAG, request=PlaceWriteSerializer, responses={201: PlaceSerializer})
    def post(self, request: Request) -> Response:
        ser = PlaceWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        location = data.pop("location")
        place = services.place_save(actor=self.actor, data=data, location=location)
        return Response(PlaceSerializer(place).data, status=201)


class PlaceUpdateView(SamenAPIView):
    access_rule = "shelter.directory"

    @extend_schema(tags=TAG, request=PlaceWriteSerializer(partial=True), responses=PlaceSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        ser = PlaceWriteSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        # Partial: DRF leaves out unsent fields and their creation defaults.
        data = dict(ser.validated_data)
        data.pop("location", None)
        place = services.place_save(
            actor=self.actor, data=data, place=selectors.place_or_404(pk=pk)
        )
        return Response(PlaceSerializer(place).data)


class ContraWriteSerializer(serializers.Serializer):
    code = serializers.ChoiceField(ContraCode.choices)
    reason = serializers.CharField(max_length=500)


class ContraSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    place = serializers.IntegerField(source="place_id")
    code = serializers.CharField()
    reason = serializers.CharField()
    version = serializers.IntegerField()
    valid_from = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)


class ContraCreateView(SamenAPIView):
    access_rule = "shelter.directory"

    @extend_schema(
        tags=TAG,
        request=ContraWriteSerializer,
        responses={201: ContraSerializer},
        summary="Set a contra-indication (a new version closes the previous one)",
    )
    def post(self, request: Request, pk: int) -> Response:
        ser = ContraWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rule = services.contra_indication_set(
            actor=self.actor, place=selectors.place_or_404(pk=pk), **ser.validated_data
        )
        return Response(ContraSerializer(rule).data, status=201)


class ContraEndView(SamenAPIView):
    access_rule = "shelter.directory"

    @extend_schema(tags=TAG, request=None, responses=ContraSerializer)
    def post(self, request: Request, pk: int) -> Response:
        rule = services.contra_indication_end(
            actor=self.actor, rule=selectors.contra_indication_or_404(pk=pk)
        )
        return Response(ContraSerializer(rule).data)

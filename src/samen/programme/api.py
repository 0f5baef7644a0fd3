"""Read API of the programme register under /api/v1/programme/: every signed-in role reads
(programme.read); the register holds no personal data of victims, only public parliamentary
records. Every record carries its provenance: the letter and passage it came from."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView

from . import manual, selectors, services
from .serializers import (
    ACTION_DETAILS,
    ActionUpdateSerializer,
    ProgrammeActionLineSerializer,
    ProgrammeActionSerializer,
    ProgrammeCommitmentCreateSerializer,
    ProgrammeCommitmentEditSerializer,
    ProgrammeCommitmentSerializer,
    ProgrammeIndicatorSerializer,
    ProgrammeIndicatorValueCreateSerializer,
    ProgrammeLetterSerializer,
    ProgrammeMotionCreateSerializer,
    ProgrammeMotionEditSerializer,
    ProgrammeMotionSerializer,
    ProgrammeProgressCorrectSerializer,
    ProgrammeProgressSerializer,
    ProgrammeProposedUpdateSerializer,
    ProgrammeRecommendationCreateSerializer,
    ProgrammeRecommendationEditSerializer,
    ProgrammeRecommendationSerializer,
    ProgrammeRejectRequestSerializer,
)

READ = "programme.read"
UPDATE = "programme.update"
TAG = ["programme"]


def _choice(request: Request, name: str, allowed: list[str]) -> str:
    """A filter value from the query; an unknown one is a 400 that names the parameter."""
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise ValidationError(
            {name: [_("Choose one of: %(values)s") % {"values": ", ".join(allowed)}]}
        )
    return value


def _found(obj: object | None) -> object:
    if obj is None:
        raise Http404
    return obj


class ProgrammeAPIView(SamenAPIView):
    """Everyone signed in reads, programme staff write: the rule follows the method. Every
    successful read leaves one audit entry naming what was read."""

    access_rule = READ
    audit_object = ""

    def get_permissions(self):
        self.access_rule = READ if self.request.method in SAFE_METHODS else UPDATE
        return super().get_permissions()

    def finalize_response(self, request, response, *args, **kwargs):
        if request.method == "GET" and response.status_code == 200:
            key = next(iter(kwargs.values()), "")
            selectors.record_read(self.actor, self.audit_object, str(key))
        return super().finalize_response(request, response, *args, **kwargs)


def _patch(
    view: ProgrammeAPIView,
    record: Any,  # a motion, commitment or recommendation
    editor: type[serializers.ModelSerializer],
) -> None:
    """Validate the fields with the model's own rules, refuse fields that are not editable,
    then let the service (policy, transaction, audit) make the change."""
    ser = editor(record, data=view.request.data, partial=True)
    ser.is_valid(raise_exception=True)
    unknown = sorted(set(view.request.data) - set(editor.Meta.fields))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    # The service's own refusals (model rules) become 400s naming the field in the API's
    # exception handler.
    services.record_edit(record=record, by=view.actor, changes=dict(ser.validated_data))


def _input(view: ProgrammeAPIView, serializer: type[serializers.Serializer]) -> dict:
    """Validated input; a field the serializer does not know is refused by name, not dropped."""
    if not isinstance(view.request.data, dict):
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    ser = serializer(data=view.request.data)
    ser.is_valid(raise_exception=True)
    unknown = sorted(set(view.request.data) - set(ser.fields))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    return dict(ser.validated_data)


class ActionLineListView(ProgrammeAPIView):
    audit_object = "action_line"

    @extend_schema(
        tags=TAG, responses=ProgrammeActionLineSerializer(many=True), summary="Action lines"
    )
    def get(self, request: Request) -> Response:
        return Response(ProgrammeActionLineSerializer(selectors.action_lines(), many=True).data)


class ActionLineDetailView(ProgrammeAPIView):
    audit_object = "action_line"

    @extend_schema(tags=TAG, responses=ProgrammeActionLineSerializer, summary="One action line")
    def get(self, request: Request, number: int) -> Response:
        line = selectors.action_line(number=number)
        return Response(ProgrammeActionLineSerializer(line).data)


class ActionListView(ProgrammeAPIView):
    audit_object = "action"

    @extend_schema(
        tags=TAG,
        parameters=[
            OpenApiParameter("action_line", int, description="action line number, 1 to 6"),
            OpenApiParameter("status", str, enum=selectors.ActionStatus.values),
        ],
        responses=ProgrammeActionSerializer(many=True),
        summary="Actions with status, holders and dated progress notes",
    )
    def get(self, request: Request) -> Response:
        status = _choice(request, "status", selectors.ActionStatus.values)
        line = _choice(request, "action_line", [str(n) for n in range(1, 10)])
        queryset = selectors.actions(status=status, line=int(line) if line else None)
        return Response(ProgrammeActionSerializer(queryset, many=True).data)


class ActionDetailView(ProgrammeAPIView):
    audit_object = "action"

    @extend_schema(tags=TAG, responses=ProgrammeActionSerializer, summary="One action")
    def get(self, request: Request, code: str) -> Response:
        return Response(ProgrammeActionSerializer(selectors.action_with_progress(code=code)).data)

    @extend_schema(
        tags=TAG,
        request=ActionUpdateSerializer,
        responses=ProgrammeActionSerializer,
        summary="Set an action's status, holders or period and/or add a dated progress note "
        "(programme staff)",
    )
    def patch(self, request: Request, code: str) -> Response:
        action = selectors.action(code=code)
        ser = ActionUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        details = {k: data[k] for k in ACTION_DETAILS if k in data}
        # Details and status in one request are one use case: both or neither.
        with transaction.atomic():
            if details:
                services.record_edit(record=action, by=self.actor, changes=details)
            if data.get("status") or data.get("note") or not details:
                services.action_update(
                    action=action,
                    by=self.actor,
                    status=data.get("status", ""),
                    note=data.get("note", ""),
                    on=data.get("on"),
                )
        return Response(
            ProgrammeActionSerializer(selectors.action_with_progress(code=action.code)).data
        )


STATUS_FILTER = OpenApiParameter("status", str, enum=selectors.ItemStatus.values)


class MotionListView(ProgrammeAPIView):
    audit_object = "motion"

    @extend_schema(
        tags=TAG,
        parameters=[STATUS_FILTER],
        responses=ProgrammeMotionSerializer(many=True),
        summary="Motions with reference, submitters, parties and status",
    )
    def get(self, request: Request) -> Response:
        motions = selectors.motions(
            status=_choice(request, "status", selectors.ItemStatus.values) or None
        )
        return Response(ProgrammeMotionSerializer(motions, many=True).data)

    @extend_schema(
        tags=TAG,
        request=ProgrammeMotionCreateSerializer,
        responses={201: ProgrammeMotionSerializer},
        summary="Enter a motion that no letter or sync has named (programme staff)",
    )
    def post(self, request: Request) -> Response:
        data = _input(self, ProgrammeMotionCreateSerializer)
        submitters = [dict(s) for s in data.pop("submitters", [])]
        motion = manual.motion_create(by=self.actor, submitters=submitters, **data)
        return Response(
            ProgrammeMotionSerializer(selectors.motion_by_key(motion.reference_key)).data,
            status=201,
        )


class MotionDetailView(ProgrammeAPIView):
    audit_object = "motion"

    @extend_schema(
        tags=TAG,
        responses=ProgrammeMotionSerializer,
        summary="One motion by its reference key, e.g. 36547-29 or 35570-VI-12",
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(ProgrammeMotionSerializer(_found(selectors.motion_by_key(key))).data)

    @extend_schema(
        tags=TAG,
        request=ProgrammeMotionEditSerializer,
        responses=ProgrammeMotionSerializer,
        summary="Change a motion's status, subject or notes (programme staff)",
    )
    def patch(self, request: Request, key: str) -> Response:
        _patch(self, _found(selectors.motion_by_key(key)), ProgrammeMotionEditSerializer)
        return Response(ProgrammeMotionSerializer(selectors.motion_by_key(key)).data)


class CommitmentListView(ProgrammeAPIView):
    audit_object = "commitment"

    @extend_schema(
        tags=TAG,
        parameters=[STATUS_FILTER],
        responses=ProgrammeCommitmentSerializer(many=True),
        summary="Commitments (toezeggingen) with status",
    )
    def get(self, request: Request) -> Response:
        status = _choice(request, "status", selectors.ItemStatus.values) or None
        return Response(
            ProgrammeCommitmentSerializer(selectors.commitments(status=status), many=True).data
        )

    @extend_schema(
        tags=TAG,
        request=ProgrammeCommitmentCreateSerializer,
        responses={201: ProgrammeCommitmentSerializer},
        summary="Enter a commitment that no letter or sync has named (programme staff)",
    )
    def post(self, request: Request) -> Response:
        commitment = manual.commitment_create(
            by=self.actor, **_input(self, ProgrammeCommitmentCreateSerializer)
        )
        return Response(
            ProgrammeCommitmentSerializer(selectors.commitment(code=commitment.code)).data,
            status=201,
        )


class CommitmentDetailView(ProgrammeAPIView):
    audit_object = "commitment"

    @extend_schema(tags=TAG, responses=ProgrammeCommitmentSerializer, summary="One commitment")
    def get(self, request: Request, code: str) -> Response:
        return Response(ProgrammeCommitmentSerializer(_found(selectors.commitment(code=code))).data)

    @extend_schema(
        tags=TAG,
        request=ProgrammeCommitmentEditSerializer,
        responses=ProgrammeCommitmentSerializer,
        summary="Change a commitment's status, description or due date (programme staff)",
    )
    def patch(self, request: Request, code: str) -> Response:
        _patch(self, _found(selectors.commitment(code=code)), ProgrammeCommitmentEditSerializer)
        return Response(ProgrammeCommitmentSerializer(selectors.commitment(code=code)).data)


class RecommendationListView(ProgrammeAPIView):
    audit_object = "recommendation"

    @extend_schema(
        tags=TAG,
        responses=ProgrammeRecommendationSerializer(many=True),
        summary="International recommendations (GRETA, OSCE) with the government's response",
    )
    def get(self, request: Request) -> Response:
        return Response(
            ProgrammeRecommendationSerializer(selectors.recommendations(), many=True).data
        )

    @extend_schema(
        tags=TAG,
        request=ProgrammeRecommendationCreateSerializer,
        responses={201: ProgrammeRecommendationSerializer},
        summary="Enter an international recommendation (programme staff)",
    )
    def post(self, request: Request) -> Response:
        record = manual.recommendation_create(
            by=self.actor, **_input(self, ProgrammeRecommendationCreateSerializer)
        )
        return Response(ProgrammeRecommendationSerializer(record).data, status=201)


class ProgressNoteView(ProgrammeAPIView):
    audit_object = "action"

    @extend_schema(
        tags=TAG,
        request=ProgrammeProgressCorrectSerializer,
        responses=ProgrammeProgressSerializer,
        summary="Correct a progress note; the earlier wording is kept in its history "
        "(programme staff)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        progress = selectors.progress_note(pk=pk)
        data = _input(self, ProgrammeProgressCorrectSerializer)
        progress = manual.progress_note_correct(progress=progress, by=self.actor, **data)
        return Response(ProgrammeProgressSerializer(progress).data)


class RecommendationDetailView(ProgrammeAPIView):
    audit_object = "recommendation"

    @extend_schema(
        tags=TAG, responses=ProgrammeRecommendationSerializer, summary="One recommendation"
    )
    def get(self, request: Request, code: str) -> Response:
        record = selectors.recommendation(code=code)
        return Response(ProgrammeRecommendationSerializer(_found(record)).data)

    @extend_schema(
        tags=TAG,
        request=ProgrammeRecommendationEditSerializer,
        responses=ProgrammeRecommendationSerializer,
        summary="Record the government's response or a recommendation's status (programme staff)",
    )
    def patch(self, request: Request, code: str) -> Response:
        _patch(
            self, _found(selectors.recommendation(code=code)), ProgrammeRecommendationEditSerializer
        )
        return Response(ProgrammeRecommendationSerializer(selectors.recommendation(code=code)).data)


class IndicatorListView(ProgrammeAPIView):
    audit_object = "indicator"

    @extend_schema(
        tags=TAG,
        responses=ProgrammeIndicatorSerializer(many=True),
        summary="Indicators with their dated values and sources",
    )
    def get(self, request: Request) -> Response:
        return Response(ProgrammeIndicatorSerializer(selectors.indicators(), many=True).data)


class IndicatorDetailView(ProgrammeAPIView):
    audit_object = "indicator"

    @extend_schema(tags=TAG, responses=ProgrammeIndicatorSerializer, summary="One indicator")
    def get(self, request: Request, code: str) -> Response:
        return Response(ProgrammeIndicatorSerializer(selectors.indicator(code=code)).data)


class IndicatorValuesView(ProgrammeAPIView):
    audit_object = "indicator"

    @extend_schema(
        tags=TAG,
        request=ProgrammeIndicatorValueCreateSerializer,
        responses={201: ProgrammeIndicatorSerializer},
        summary="Add a dated value with its source to an indicator (programme staff)",
    )
    def post(self, request: Request, code: str) -> Response:
        indicator = selectors.indicator(code=code)
        ser = ProgrammeIndicatorValueCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.indicator_value_add(indicator=indicator, by=self.actor, **ser.validated_data)
        return Response(ProgrammeIndicatorSerializer(selectors.indicator(code=code)).data, 201)


class LetterListView(ProgrammeAPIView):
    audit_object = "letter"

    @extend_schema(
        tags=TAG, responses=ProgrammeLetterSerializer(many=True), summary="Progress letters"
    )
    def get(self, request: Request) -> Response:
        return Response(ProgrammeLetterSerializer(selectors.letters(), many=True).data)


class LetterUpdatesView(ProgrammeAPIView):
    audit_object = "letter"

    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("state", str, enum=selectors.UpdateState.values)],
        responses=ProgrammeProposedUpdateSerializer(many=True),
        summary="The updates a letter proposes, with what was decided",
    )
    def get(self, request: Request, pk: int) -> Response:
        letter = selectors.letter(pk=pk)
        state = _choice(request, "state", selectors.UpdateState.values) or None
        updates = selectors.proposed_updates(letter=letter, state=state)
        return Response(ProgrammeProposedUpdateSerializer(updates, many=True).data)


def _decided(pk: int) -> Response:
    update = selectors.proposed_update_decided(pk=pk)
    return Response(ProgrammeProposedUpdateSerializer(update).data)


def _conflict() -> Response:
    return Response({"detail": _("This update was already decided.")}, status=409)


class UpdateAcceptView(SamenAPIView):
    access_rule = "programme.update"

    @extend_schema(
        tags=TAG,
        request=None,
        responses={200: ProgrammeProposedUpdateSerializer, 409: OpenApiTypes.OBJECT},
        summary="Accept a proposed update: the register takes it, with the letter as provenance",
    )
    def post(self, request: Request, pk: int) -> Response:
        update = selectors.proposed_update(pk=pk)
        try:
            services.proposed_update_accept(update=update, by=self.actor)
        except services.UpdateAlreadyDecided:
            return _conflict()
        return _decided(update.pk)


class UpdateRejectView(SamenAPIView):
    access_rule = "programme.update"

    @extend_schema(
        tags=TAG,
        request=ProgrammeRejectRequestSerializer,
        responses={200: ProgrammeProposedUpdateSerializer, 409: OpenApiTypes.OBJECT},
        summary="Reject a proposed update: the register stays as it was",
    )
    def post(self, request: Request, pk: int) -> Response:
        update = selectors.proposed_update(pk=pk)
        ser = ProgrammeRejectRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            services.proposed_update_reject(
                update=update, by=self.actor, reason=ser.validated_data.get("reason", "")
            )
        except services.UpdateAlreadyDecided:
            return _conflict()
        return _decided(update.pk)

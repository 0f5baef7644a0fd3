"""Read API of the programme register under /api/v1/programme/: every signed-in role reads
(programme.read); the register holds no personal data of victims, only public parliamentary
records. Every record carries its provenance: the letter and passage it came from."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
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
from .models import (
    Action,
    ActionLine,
    ActionProgress,
    ActionStatus,
    Chamber,
    Commitment,
    Indicator,
    IndicatorValue,
    ItemStatus,
    Letter,
    Motion,
    MotionSubmitter,
    ProposedUpdate,
    Recommendation,
    RecommendationBody,
    RecommendationStatus,
    UpdateState,
)

READ = "programme.read"
UPDATE = "programme.update"
TAG = ["programme"]
PROVENANCE = ("source_letter", "source_location", "source_passage", "source_note")


class ProgrammeProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionProgress
        fields = ("id", "on", "note", "history", *PROVENANCE)


class ProgrammeActionSerializer(serializers.ModelSerializer):
    action_line = serializers.IntegerField(source="action_line.number")
    progress = ProgrammeProgressSerializer(many=True)

    class Meta:
        model = Action
        fields = (
            "code", "number", "action_line", "title", "description", "holders", "start", "end",
            "period_note", "status", "progress", *PROVENANCE,
        )  # fmt: skip


class ProgrammeActionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ("code", "number", "title", "status")


class ProgrammeActionLineSerializer(serializers.ModelSerializer):
    actions = ProgrammeActionSummarySerializer(many=True)

    class Meta:
        model = ActionLine
        fields = ("number", "title", "title_nl", "description", "holders", "actions", *PROVENANCE)


class ProgrammeSubmitterSerializer(serializers.ModelSerializer):
    class Meta:
        model = MotionSubmitter
        fields = ("name", "party", "party_inferred")


REFERENCE = ("reference_key", "reference_display", "chamber", "dossier", "suffix")
STATUS = ("status", "letter_status", "status_date", "status_letter", "status_evidence")


class ProgrammeMotionSerializer(serializers.ModelSerializer):
    reference_key = serializers.CharField()
    reference_display = serializers.CharField()
    submitters = ProgrammeSubmitterSerializer(many=True)
    parties = serializers.SerializerMethodField()

    class Meta:
        model = Motion
        fields = (
            *REFERENCE, "document_number", "parliamentary_year", "date", "subject", "submitters",
            "parties", "co_signers", "notes", *STATUS, *PROVENANCE,
        )  # fmt: skip

    def get_parties(self, motion: Motion) -> list[str]:
        return sorted({s.party for s in motion.submitters.all() if s.party})


class ProgrammeCommitmentSerializer(serializers.ModelSerializer):
    reference_key = serializers.CharField()
    reference_display = serializers.CharField()
    related_motion = serializers.CharField(source="related_motion.reference_key", default=None)

    class Meta:
        model = Commitment
        fields = (
            "code", *REFERENCE, "document_number", "parliamentary_year", "made_by", "made_to",
            "made_to_members", "made_on", "occasion", "description", "due", "due_note",
            "related_motion", *STATUS, *PROVENANCE,
        )  # fmt: skip


class ProgrammeRecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = (
            "code", "body", "round", "report_date", "title", "text", "government_response",
            "response_due", "status", *PROVENANCE,
        )  # fmt: skip


class ProgrammeIndicatorValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = ("period", "as_of", "value", "is_lower_bound", "source", *PROVENANCE)


class ProgrammeIndicatorSerializer(serializers.ModelSerializer):
    action_line = serializers.IntegerField(source="action_line.number", default=None)
    values = ProgrammeIndicatorValueSerializer(many=True)

    class Meta:
        model = Indicator
        fields = ("code", "name", "unit", "description", "action_line", "values")


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
    record: Motion | Commitment | Recommendation,
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


class ProgrammeMotionEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Motion
        fields = services.EDITABLE[Motion]


class ProgrammeCommitmentEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = services.EDITABLE[Commitment]


class ProgrammeRecommendationEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = services.EDITABLE[Recommendation]


class ProgrammeIndicatorValueCreateSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    period = serializers.CharField(max_length=60)
    as_of = serializers.DateField(required=False, allow_null=True)
    is_lower_bound = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(max_length=300)


class ProgrammeSubmitterInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    party = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ProgrammeMotionCreateSerializer(serializers.Serializer):
    chamber = serializers.ChoiceField(choices=Chamber.choices, default=Chamber.TWEEDE_KAMER)
    dossier = serializers.CharField(max_length=8)
    suffix = serializers.CharField(max_length=8, required=False, allow_blank=True)
    document_number = serializers.CharField(max_length=8)
    parliamentary_year = serializers.CharField(max_length=9, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)
    subject = serializers.CharField(max_length=4000)
    submitters = ProgrammeSubmitterInputSerializer(many=True, required=False)
    co_signers = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    tk_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    vote_outcome = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ProgrammeCommitmentCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    made_by = serializers.CharField(max_length=200, required=False)
    made_to = serializers.CharField(max_length=200, required=False, allow_blank=True)
    made_on = serializers.DateField(required=False, allow_null=True)
    occasion = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000)
    due = serializers.DateField(required=False, allow_null=True)
    due_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    tk_number = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ProgrammeRecommendationCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=80)
    body = serializers.ChoiceField(choices=RecommendationBody.choices)
    round = serializers.CharField(max_length=120, required=False, allow_blank=True)
    report_date = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    government_response = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    response_due = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=RecommendationStatus.choices, required=False)


class ProgrammeProgressCorrectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    on = serializers.DateField(required=False, allow_null=True)


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
        lines = ActionLine.objects.prefetch_related("actions")
        return Response(ProgrammeActionLineSerializer(lines, many=True).data)


class ActionLineDetailView(ProgrammeAPIView):
    audit_object = "action_line"

    @extend_schema(tags=TAG, responses=ProgrammeActionLineSerializer, summary="One action line")
    def get(self, request: Request, number: int) -> Response:
        line = ActionLine.objects.prefetch_related("actions").filter(number=number).first()
        return Response(ProgrammeActionLineSerializer(_found(line)).data)


def _actions():
    return Action.objects.select_related("action_line").prefetch_related(
        Prefetch("progress", queryset=selectors.progress_in_order())
    )


class ActionListView(ProgrammeAPIView):
    audit_object = "action"

    @extend_schema(
        tags=TAG,
        parameters=[
            OpenApiParameter("action_line", int, description="action line number, 1 to 6"),
            OpenApiParameter("status", str, enum=ActionStatus.values),
        ],
        responses=ProgrammeActionSerializer(many=True),
        summary="Actions with status, holders and dated progress notes",
    )
    def get(self, request: Request) -> Response:
        queryset = _actions()
        status = _choice(request, "status", ActionStatus.values)
        line = _choice(request, "action_line", [str(n) for n in range(1, 10)])
        if status:
            queryset = queryset.filter(status=status)
        if line:
            queryset = queryset.filter(action_line__number=int(line))
        return Response(ProgrammeActionSerializer(queryset, many=True).data)


class ActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    on = serializers.DateField(required=False, allow_null=True)
    holders = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    period_note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ActionDetailView(ProgrammeAPIView):
    audit_object = "action"

    @extend_schema(tags=TAG, responses=ProgrammeActionSerializer, summary="One action")
    def get(self, request: Request, code: str) -> Response:
        return Response(
            ProgrammeActionSerializer(_found(_actions().filter(code=code).first())).data
        )

    @extend_schema(
        tags=TAG,
        request=ActionUpdateSerializer,
        responses=ProgrammeActionSerializer,
        summary="Set an action's status, holders or period and/or add a dated progress note "
        "(programme staff)",
    )
    def patch(self, request: Request, code: str) -> Response:
        action = _found(Action.objects.filter(code=code).first())
        ser = ActionUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        details = {k: data[k] for k in services.EDITABLE[Action] if k in data}
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
        return Response(ProgrammeActionSerializer(_actions().get(pk=action.pk)).data)


STATUS_FILTER = OpenApiParameter("status", str, enum=ItemStatus.values)


class MotionListView(ProgrammeAPIView):
    audit_object = "motion"

    @extend_schema(
        tags=TAG,
        parameters=[STATUS_FILTER],
        responses=ProgrammeMotionSerializer(many=True),
        summary="Motions with reference, submitters, parties and status",
    )
    def get(self, request: Request) -> Response:
        motions = selectors.motions(status=_choice(request, "status", ItemStatus.values) or None)
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
        status = _choice(request, "status", ItemStatus.values) or None
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
            ProgrammeCommitmentSerializer(_commitment(commitment.code)).data, status=201
        )


class CommitmentDetailView(ProgrammeAPIView):
    audit_object = "commitment"

    @extend_schema(tags=TAG, responses=ProgrammeCommitmentSerializer, summary="One commitment")
    def get(self, request: Request, code: str) -> Response:
        return Response(ProgrammeCommitmentSerializer(_found(_commitment(code))).data)

    @extend_schema(
        tags=TAG,
        request=ProgrammeCommitmentEditSerializer,
        responses=ProgrammeCommitmentSerializer,
        summary="Change a commitment's status, description or due date (programme staff)",
    )
    def patch(self, request: Request, code: str) -> Response:
        _patch(self, _found(_commitment(code)), ProgrammeCommitmentEditSerializer)
        return Response(ProgrammeCommitmentSerializer(_commitment(code)).data)


def _commitment(code: str) -> Commitment | None:
    return selectors.commitments().filter(code=code).first()


class RecommendationListView(ProgrammeAPIView):
    audit_object = "recommendation"

    @extend_schema(
        tags=TAG,
        responses=ProgrammeRecommendationSerializer(many=True),
        summary="International recommendations (GRETA, OSCE) with the government's response",
    )
    def get(self, request: Request) -> Response:
        return Response(
            ProgrammeRecommendationSerializer(Recommendation.objects.all(), many=True).data
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
        progress = _found(ActionProgress.objects.filter(pk=pk).first())
        data = _input(self, ProgrammeProgressCorrectSerializer)
        progress = manual.progress_note_correct(progress=progress, by=self.actor, **data)
        return Response(ProgrammeProgressSerializer(progress).data)


class RecommendationDetailView(ProgrammeAPIView):
    audit_object = "recommendation"

    @extend_schema(
        tags=TAG, responses=ProgrammeRecommendationSerializer, summary="One recommendation"
    )
    def get(self, request: Request, code: str) -> Response:
        record = Recommendation.objects.filter(code=code).first()
        return Response(ProgrammeRecommendationSerializer(_found(record)).data)

    @extend_schema(
        tags=TAG,
        request=ProgrammeRecommendationEditSerializer,
        responses=ProgrammeRecommendationSerializer,
        summary="Record the government's response or a recommendation's status (programme staff)",
    )
    def patch(self, request: Request, code: str) -> Response:
        record = _found(Recommendation.objects.filter(code=code).first())
        _patch(self, record, ProgrammeRecommendationEditSerializer)
        record.refresh_from_db()
        return Response(ProgrammeRecommendationSerializer(record).data)


def _indicators():
    return Indicator.objects.select_related("action_line").prefetch_related("values")


class IndicatorListView(ProgrammeAPIView):
    audit_object = "indicator"

    @extend_schema(
        tags=TAG,
        responses=ProgrammeIndicatorSerializer(many=True),
        summary="Indicators with their dated values and sources",
    )
    def get(self, request: Request) -> Response:
        return Response(ProgrammeIndicatorSerializer(_indicators(), many=True).data)


class IndicatorDetailView(ProgrammeAPIView):
    audit_object = "indicator"

    @extend_schema(tags=TAG, responses=ProgrammeIndicatorSerializer, summary="One indicator")
    def get(self, request: Request, code: str) -> Response:
        indicator = _indicators().filter(code=code).first()
        return Response(ProgrammeIndicatorSerializer(_found(indicator)).data)


class IndicatorValuesView(ProgrammeAPIView):
    audit_object = "indicator"

    @extend_schema(
        tags=TAG,
        request=ProgrammeIndicatorValueCreateSerializer,
        responses={201: ProgrammeIndicatorSerializer},
        summary="Add a dated value with its source to an indicator (programme staff)",
    )
    def post(self, request: Request, code: str) -> Response:
        indicator = _found(Indicator.objects.filter(code=code).first())
        ser = ProgrammeIndicatorValueCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.indicator_value_add(indicator=indicator, by=self.actor, **ser.validated_data)
        return Response(ProgrammeIndicatorSerializer(_indicators().get(pk=indicator.pk)).data, 201)


class ProgrammeLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = ("id", "title", "sent_on", "kamerstuk", "file_name", "sha256", "registered_at")


class ProgrammeProposedUpdateSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None)
    motion = serializers.CharField(source="motion.reference_key", default=None)
    commitment = serializers.CharField(source="commitment.code", default=None)

    class Meta:
        model = ProposedUpdate
        fields = (
            "id", "letter", "item_index", "kind", "reference_key", "proposed_status", "evidence",
            "payload", "state", "decided_by", "decided_at", "reason", "before", "motion",
            "commitment",
        )  # fmt: skip


class ProgrammeRejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class LetterListView(ProgrammeAPIView):
    audit_object = "letter"

    @extend_schema(
        tags=TAG, responses=ProgrammeLetterSerializer(many=True), summary="Progress letters"
    )
    def get(self, request: Request) -> Response:
        return Response(ProgrammeLetterSerializer(Letter.objects.all(), many=True).data)


class LetterUpdatesView(ProgrammeAPIView):
    audit_object = "letter"

    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("state", str, enum=UpdateState.values)],
        responses=ProgrammeProposedUpdateSerializer(many=True),
        summary="The updates a letter proposes, with what was decided",
    )
    def get(self, request: Request, pk: int) -> Response:
        letter = _found(Letter.objects.filter(pk=pk).first())
        state = _choice(request, "state", UpdateState.values) or None
        updates = selectors.proposed_updates(letter=letter, state=state).select_related(
            "decided_by"
        )
        return Response(ProgrammeProposedUpdateSerializer(updates, many=True).data)


def _update(pk: int) -> ProposedUpdate:
    return _found(ProposedUpdate.objects.select_related("letter").filter(pk=pk).first())


def _decided(pk: int) -> Response:
    update = ProposedUpdate.objects.select_related("decided_by", "motion", "commitment").get(pk=pk)
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
        update = _update(pk)
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
        update = _update(pk)
        ser = ProgrammeRejectRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            services.proposed_update_reject(
                update=update, by=self.actor, reason=ser.validated_data.get("reason", "")
            )
        except services.UpdateAlreadyDecided:
            return _conflict()
        return _decided(update.pk)

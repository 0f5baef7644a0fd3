"""Identification API under /api/v1/identification/: a case's path, its transitions, and the
organisation's deadlines. Views parse input and call a service or selector, which check the
policy and write the one audit entry."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.cases.models import Case
from samen.identification import selectors, services
from samen.sharing import policy

TAG = ["identification"]


def _case(view: SamenAPIView, number: str, permission: str) -> Case:
    case = Case.objects.filter(number=number).first()
    if case is None:
        # A missing case answers (and is audited) exactly like one the caller may not reach.
        raise policy.not_visible(view.actor, permission, object_type="case", object_id=number)
    return case


class NextStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    organisation_types = serializers.ListField(child=serializers.CharField())
    fields = serializers.ListField(child=serializers.CharField())
    yours = serializers.BooleanField()


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    due_on = serializers.DateField()


class PathSerializer(serializers.Serializer):
    case = serializers.CharField()
    definition = serializers.CharField()
    state = serializers.CharField()
    state_title = serializers.CharField()
    next_steps = NextStepSerializer(many=True)
    minor = serializers.BooleanField(required=False)
    age_assessment = serializers.CharField(required=False)
    age_uncertain = serializers.BooleanField(required=False)
    guardian = serializers.CharField(required=False)
    advice = serializers.ListField(child=serializers.CharField(), required=False)
    htcds_status = serializers.CharField(required=False)
    htcds_decision_org = serializers.CharField(required=False)
    deadlines = DeadlineSerializer(many=True, required=False)
    non_punishment = serializers.ListField(child=serializers.DictField(), required=False)


class PathView(SamenAPIView):
    access_rule = "identification.read"

    @extend_schema(tags=TAG, responses=PathSerializer, summary="A case's identification path")
    def get(self, request: Request, number: str) -> Response:
        case = _case(self, number, self.access_rule)
        data = selectors.path_get(actor=self.actor, case=case)
        data.pop("steps", None)
        return Response(PathSerializer(data).data)


class TransitionInputSerializer(serializers.Serializer):
    transition = serializers.SlugField(max_length=40)
    values = serializers.DictField(child=serializers.CharField(max_length=200), required=False)


class TransitionResultSerializer(serializers.Serializer):
    case = serializers.CharField()
    state = serializers.CharField()


class TransitionView(SamenAPIView):
    access_rule = "identification.transition"

    @extend_schema(
        tags=TAG,
        request=TransitionInputSerializer,
        responses={201: TransitionResultSerializer},
        summary="Take a step on a case's identification path",
        description="An invalid step answers 400 naming the allowed next steps.",
    )
    def post(self, request: Request, number: str) -> Response:
        case = _case(self, number, self.access_rule)
        ser = TransitionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        path = services.transition_take(
            actor=self.actor,
            case=case,
            code=ser.validated_data["transition"],
            values=ser.validated_data.get("values", {}),
        )
        return Response({"case": case.number, "state": path.state}, status=status.HTTP_201_CREATED)


class DeadlineRowSerializer(serializers.Serializer):
    case = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    due_on = serializers.DateField()
    due_at = serializers.DateTimeField(
        required=False, help_text="The moment a shelter hold expires (hold_expiry rows only)."
    )
    days_left = serializers.IntegerField()
    organisation = serializers.CharField()
    minor = serializers.BooleanField()
    minor_estimated = serializers.BooleanField()


class DeadlineBucketsSerializer(serializers.Serializer):
    overdue = DeadlineRowSerializer(many=True)
    due_0 = DeadlineRowSerializer(many=True)
    due_7 = DeadlineRowSerializer(many=True)
    due_14 = DeadlineRowSerializer(many=True)
    later = DeadlineRowSerializer(many=True)


class DeadlineListView(SamenAPIView):
    access_rule = "identification.read"

    @extend_schema(
        tags=TAG,
        responses=DeadlineBucketsSerializer,
        summary="Your organisation's open deadlines: overdue, due today, within 7 and 14 days",
    )
    def get(self, request: Request) -> Response:
        buckets = selectors.deadlines_of_organisation(actor=self.actor)
        return Response(DeadlineBucketsSerializer(buckets).data)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["deadline", "guardian", "hold"])
    kind_display = serializers.CharField()
    case = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListView(SamenAPIView):
    access_rule = "identification.read"

    @extend_schema(
        tags=TAG,
        responses=NotificationSerializer(many=True),
        summary="Your in-app notifications (deadline reminders, guardian notices), newest first",
    )
    def get(self, request: Request) -> Response:
        rows = selectors.notifications_of(actor=self.actor)
        return Response(NotificationSerializer(rows, many=True).data)


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=500,
        help_text="Notifications to mark read; all unread ones when left out.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationReadView(SamenAPIView):
    access_rule = "identification.read"
    # JSON only: a form body of a thousand ids would hit Django's field limit before DRF.
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAG,
        request=MarkReadInputSerializer,
        responses=MarkReadResultSerializer,
        summary="Mark your notifications as read",
    )
    def post(self, request: Request) -> Response:
        ser = MarkReadInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            actor=self.actor, ids=ser.validated_data.get("ids")
        )
        return Response({"marked": marked})

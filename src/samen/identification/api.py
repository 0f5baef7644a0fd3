"""Identification API under /api/v1/identification/: a case's path, its transitions, and the
organisation's deadlines. Views parse input and call a service or selector, which check the
policy and write the one audit entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.cases.selectors import Case, case_by_number
from samen.identification import commission, selectors, services
from samen.identification.choices import CommissionOutcome
from samen.identification.selectors.commission import CommissionReview
from samen.organisations.choices import OrganisationType, Role

TAG = ["identification"]


def _case(view: SamenAPIView, number: str, permission: str) -> Case:
    return case_by_number(actor=view.actor, number=number, permission=permission)


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
        try:
            path = services.transition_take(
                actor=self.actor,
                case=case,
                code=ser.validated_data["transition"],
                values=ser.validated_data.get("values", {}),
            )
        except DjangoValidationError as exc:
            # The refusal names fields and rules in words; a client also gets the codes of the
            # steps it may take next (only where the path's state may be shown to it).
            detail = (
                exc.message_dict if hasattr(exc, "error_dict") else {"transition": exc.messages}
            )
            shown = selectors.path_get(actor=self.actor, case=case, audit_read=False)
            detail["allowed"] = [n["code"] for n in shown["next_steps"]]
            raise DjangoValidationError(detail) from exc
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
    # Only where the reader's relation grants the person's demographics.
    minor = serializers.BooleanField(required=False)
    minor_estimated = serializers.BooleanField(required=False)


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
    kind = serializers.ChoiceField(
        choices=["deadline", "guardian", "hold", "adult", "guardian_signal"]
    )
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


class CommissionMemberSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    organisation = serializers.CharField()
    organisation_type = serializers.ChoiceField(choices=OrganisationType.choices)
    role = serializers.ChoiceField(choices=Role.choices)
    is_chair = serializers.BooleanField()
    assessment = serializers.CharField(help_text="An outcome code; empty until assessed.")
    assessment_reasons = serializers.ListField(child=serializers.CharField())
    assessed_at = serializers.DateTimeField(allow_null=True)


class CommissionReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(help_text="An outcome code; empty until decided.")
    reasons = serializers.ListField(child=serializers.CharField())
    members = CommissionMemberSerializer(many=True)


class CommissionSerializer(serializers.Serializer):
    case = serializers.CharField()
    htcds_status = serializers.CharField(help_text="HTCDS vic_TraffickingStatus; may be empty.")
    htcds_decision_org = serializers.CharField(
        help_text="HTCDS vic_TraffickingStatusDecisionMakingOrg; may be empty."
    )
    commission = CommissionReviewSerializer(
        allow_null=True, help_text="The latest commission on the case; null when there is none."
    )


class CommissionOpenInputSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=50,
        help_text="Membership ids (see the candidates endpoint); the chair sits on it too.",
    )
    chair = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class CommissionCandidateSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    label = serializers.CharField(help_text="Staff name, organisation and role.")
    organisation = serializers.CharField()
    organisation_type = serializers.ChoiceField(choices=OrganisationType.choices)
    role = serializers.ChoiceField(choices=Role.choices)


class CommissionView(SamenAPIView):
    """GET reads the case's commission; POST opens one (identification.transition)."""

    access_rule = "identification.read"

    def get_permissions(self):
        # The two methods need different rules; PolicyPermission reads access_rule.
        self.access_rule = (
            "identification.transition" if self.request.method == "POST" else "identification.read"
        )
        return super().get_permissions()

    @extend_schema(
        tags=TAG,
        responses=CommissionSerializer,
        summary="A case's identification commission: members, assessments, outcome, status",
        operation_id="identification_commission_read",
    )
    def get(self, request: Request, number: str) -> Response:
        case = _case(self, number, "identification.read")
        data = selectors.commission_get(actor=self.actor, case=case)
        return Response(CommissionSerializer(data).data)

    @extend_schema(
        tags=TAG,
        request=CommissionOpenInputSerializer,
        responses={201: CommissionSerializer},
        summary="Put a case before the identification commission",
        description="Members and chair are membership ids from the candidates endpoint; "
        "members from too few organisation types answer 400 naming `members`.",
        operation_id="identification_commission_open",
    )
    def post(self, request: Request, number: str) -> Response:
        case = _case(self, number, "identification.transition")
        ser = CommissionOpenInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        candidates = {m.pk: m for m in selectors.commission_candidates(actor=self.actor, case=case)}
        ids, chair = ser.validated_data["members"], ser.validated_data["chair"]
        errors = {}
        if any(pk not in candidates for pk in ids):
            errors["members"] = [_("Choose members from the candidates for this case.")]
        if chair not in candidates:
            errors["chair"] = [_("Choose the chair from the candidates for this case.")]
        if errors:
            raise DjangoValidationError(errors)
        review = commission.commission_open(
            actor=self.actor,
            case=case,
            members=[candidates[pk] for pk in ids],
            chair=candidates[chair],
        )
        data = {
            "case": case.number,
            **selectors.commission_detail(review, selectors.victim_status(case=case)),
        }
        return Response(CommissionSerializer(data).data, status=status.HTTP_201_CREATED)


class CommissionCandidateListView(SamenAPIView):
    access_rule = "identification.transition"

    @extend_schema(
        tags=TAG,
        responses=CommissionCandidateSerializer(many=True),
        summary="Staff who may sit on the case's commission",
        operation_id="identification_commission_candidates",
    )
    def get(self, request: Request, number: str) -> Response:
        case = _case(self, number, self.access_rule)
        rows = selectors.commission_candidates(actor=self.actor, case=case)
        selectors.commission_candidates_audit(actor=self.actor, case=case)
        data = [
            {
                "membership": m.pk,
                "label": selectors.membership_label(m),
                "organisation": m.organisation.name,
                "organisation_type": m.organisation.type,
                "role": m.role,
            }
            for m in rows
        ]
        return Response(CommissionCandidateSerializer(data, many=True).data)


def _open_review(view: SamenAPIView, number: str) -> CommissionReview:
    """The case's latest commission; out of reach looks missing, a reachable case without one
    answers 400 naming `commission`."""
    case = _case(view, number, "identification.read")
    services.access_for(view.actor, case, "identification.read")
    review = selectors.commission_review_latest(case=case)
    if review is None:
        raise DjangoValidationError({"commission": [_("This case has no commission.")]})
    return review


class AssessmentInputSerializer(serializers.Serializer):
    assessment = serializers.ChoiceField(choices=CommissionOutcome.choices)
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=20,
        help_text="Reason codes from the path definition's commission section.",
    )


class AssessmentResultSerializer(serializers.Serializer):
    case = serializers.CharField()
    assessment = serializers.ChoiceField(choices=CommissionOutcome.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    assessed_at = serializers.DateTimeField()


class CommissionAssessmentView(SamenAPIView):
    access_rule = "identification.read"

    @extend_schema(
        tags=TAG,
        request=AssessmentInputSerializer,
        responses={201: AssessmentResultSerializer},
        summary="Record your own assessment as a member of the case's commission",
        description="403 for anyone who does not sit on the commission.",
        operation_id="identification_commission_assess",
    )
    def post(self, request: Request, number: str) -> Response:
        review = _open_review(self, number)
        ser = AssessmentInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        seat = commission.commission_assess(
            actor=self.actor,
            review=review,
            assessment=ser.validated_data["assessment"],
            reasons=ser.validated_data["reasons"],
        )
        body = {
            "case": review.case.number,
            "assessment": seat.assessment,
            "reasons": seat.assessment_reasons,
            "assessed_at": seat.assessed_at,
        }
        return Response(AssessmentResultSerializer(body).data, status=status.HTTP_201_CREATED)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CommissionOutcome.choices)
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=20,
        help_text="Reason codes from the path definition's commission section.",
    )
    text = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="The reasons in words; stored encrypted, never returned.",
    )


class DecisionResultSerializer(serializers.Serializer):
    case = serializers.CharField()
    outcome = serializers.ChoiceField(choices=CommissionOutcome.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    decided_at = serializers.DateTimeField()
    htcds_status = serializers.CharField()
    htcds_decision_org = serializers.CharField()


class CommissionDecisionView(SamenAPIView):
    access_rule = "identification.read"

    @extend_schema(
        tags=TAG,
        request=DecisionInputSerializer,
        responses={201: DecisionResultSerializer},
        summary="Record the commission's decision (the chair only)",
        description="Every member must have assessed first; the outcome sets the HTCDS victim "
        "status. 403 for anyone but the chair.",
        operation_id="identification_commission_decide",
    )
    def post(self, request: Request, number: str) -> Response:
        review = _open_review(self, number)
        ser = DecisionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        review = commission.commission_decide(
            actor=self.actor,
            review=review,
            outcome=ser.validated_data["outcome"],
            reasons=ser.validated_data["reasons"],
            text=ser.validated_data.get("text", ""),
        )
        htcds_status, decision_org = selectors.victim_status(case=review.case)
        body = {
            "case": review.case.number,
            "outcome": review.outcome,
            "reasons": review.reasons,
            "decided_at": review.decided_at,
            "htcds_status": htcds_status,
            "htcds_decision_org": decision_org,
        }
        return Response(DecisionResultSerializer(body).data, status=status.HTTP_201_CREATED)

"""REST API v1. Thin: parse, call a service or selector, present. Rules live in the policy."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api import cursors
from samen.api import serializers as s
from samen.api.base import SamenAPIView
from samen.api.pagination import cursor_response, page_params, paged_response
from samen.cases import selectors as case_selectors
from samen.cases import services as case_services
from samen.cases.models import AgeBand, CaseStatus
from samen.core.access import AUTHENTICATED, PUBLIC, access
from samen.core.actor import active_memberships
from samen.core.health import readiness
from samen.core.models import CaseShare
from samen.organisations import selectors as org_selectors
from samen.organisations.models import Organisation
from samen.sharing import selectors as sharing_selectors
from samen.sharing import services as sharing_services
from samen.signalling import pacing, triage
from samen.signalling import selectors as signal_selectors
from samen.signalling import services as signal_services
from samen.signalling.models import Advice


@access(PUBLIC)
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, so a database outage does not make the
    orchestrator restart every web process; readiness (/readyz) says whether to send traffic."""
    return JsonResponse({"status": "ok"})


@access(PUBLIC)
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and every migration is applied."""
    checks = readiness()
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )


@csrf_exempt  # changes nothing; a POST to an unknown path must get the JSON 404, not a CSRF page
@access(PUBLIC)
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    return JsonResponse({"detail": _("Not found.")}, status=404)


class MeView(SamenAPIView):
    access_rule = AUTHENTICATED

    @extend_schema(responses=s.MeSerializer, summary="Who am I: memberships and the active one")
    def get(self, request: Request) -> Response:
        memberships = active_memberships(request.user)
        return Response(
            s.MeSerializer(
                {
                    "username": request.user.username,
                    "active_membership": self.actor.membership.pk
                    if self.actor.membership
                    else None,
                    "memberships": memberships,
                }
            ).data
        )


ORG_FILTERS = [
    OpenApiParameter("type", str, description="organisation type"),
    OpenApiParameter("region", str, description="safety region code, e.g. VR13"),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
]


class OrganisationListView(SamenAPIView):
    access_rule = "organisation.read"

    @extend_schema(parameters=ORG_FILTERS, responses=s.OrganisationSerializer(many=True))
    def get(self, request: Request) -> Response:
        page_no, size = page_params(request)
        page = org_selectors.organisation_page(
            type=request.query_params.get("type", ""),
            region=request.query_params.get("region", ""),
            page=page_no,
            per_page=size,
        )
        return paged_response(
            request, page, s.OrganisationSerializer(page.object_list, many=True).data
        )


class OrganisationDetailView(SamenAPIView):
    access_rule = "organisation.read"

    @extend_schema(responses=s.OrganisationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.OrganisationSerializer(org_selectors.organisation_get(pk=pk)).data)


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


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    form = serializers.SlugField(required=False, max_length=40)
    region = serializers.CharField(required=False, max_length=4)
    municipality = serializers.CharField(required=False, max_length=6)
    minor = serializers.BooleanField(required=False, allow_null=True, default=None)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False)
    opened_from = serializers.DateField(required=False)
    opened_to = serializers.DateField(required=False)
    number = serializers.CharField(required=False, max_length=20)
    cursor = serializers.CharField(
        required=False,
        max_length=120,
        help_text=(
            "Where the previous page ended: take it from that page's `next` link. Without a "
            "cursor (and without `page`) the list starts at the newest case."
        ),
    )
    count = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Also return the number of matching cases (cached for a minute); without it "
            "`count` is null, so a page costs the same at any size of the register."
        ),
    )
    page = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Numbered pages with an exact count (older clients); prefer `cursor`.",
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate_cursor(self, value: str) -> case_selectors.CaseCursor:
        cursor = cursors.decode(value)
        if cursor is None:
            raise serializers.ValidationError(_("Not a cursor of this list."))
        return cursor


CasePageSerializer = inline_serializer(
    "CasePage",
    {
        "count": serializers.IntegerField(
            allow_null=True, help_text="null unless `count=true` or `page` was asked for"
        ),
        "next": serializers.URLField(allow_null=True, help_text="the next page, by cursor"),
        "previous": serializers.URLField(
            allow_null=True, help_text="numbered pages only; null when paging by cursor"
        ),
        "results": s.CaseSerializer(many=True),
    },
)


class CaseListView(SamenAPIView):
    access_rule = "case.read"

    @extend_schema(
        operation_id="v1_cases_list",
        parameters=[CaseFilterSerializer],
        responses=CasePageSerializer,
    )
    def get(self, request: Request) -> Response:
        f = CaseFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        v = f.validated_data
        filters = case_selectors.CaseFilters(
            status=v.get("status", ""),
            form=v.get("form", ""),
            region=v.get("region", ""),
            municipality=v.get("municipality", ""),
            minor=v.get("minor"),
            opened_from=v.get("opened_from"),
            opened_to=v.get("opened_to"),
            number=v.get("number", ""),
        )
        page_no, size = page_params(request)
        if "page" in v and "cursor" not in v:
            page = case_selectors.case_search(
                actor=self.actor, filters=filters, page=page_no, per_page=size
            )
            return paged_response(request, page, s.CaseSerializer(page.object_list, many=True).data)
        keyset = case_selectors.case_search_after(
            actor=self.actor,
            filters=filters,
            after=v.get("cursor"),
            per_page=size,
            with_count=v["count"],
        )
        return cursor_response(
            request,
            count=keyset.count,
            next_cursor=cursors.encode(keyset.next) if keyset.next else None,
            results=s.CaseSerializer(keyset.rows, many=True).data,
        )


class CaseDetailView(SamenAPIView):
    access_rule = "case.read"

    @extend_schema(responses=s.CaseDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(
            s.CaseDetailSerializer(case_selectors.case_get(actor=self.actor, number=number)).data
        )


healthz_schema = extend_schema(responses=OpenApiTypes.OBJECT)


class NoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class CaseNoteView(SamenAPIView):
    access_rule = "case.note"

    @extend_schema(request=NoteCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, number: str) -> Response:
        ser = NoteCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        note = case_services.note_add(
            actor=self.actor,
            case=case_selectors.case_by_number(
                actor=self.actor, number=number, permission="case.note"
            ),
            text=ser.validated_data["text"],
        )
        return Response(
            {"case": number, "kind": note.kind, "created_at": note.created_at}, status=201
        )


class ShareCreateSerializer(serializers.Serializer):
    recipient = serializers.IntegerField(min_value=1)
    purpose = serializers.SlugField(max_length=40)
    categories = serializers.ListField(child=serializers.SlugField(max_length=40), max_length=20)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    from_organisation = serializers.IntegerField(source="from_organisation_id")
    recipient = serializers.IntegerField(source="recipient_id")
    purpose = serializers.CharField(source="purpose.code")
    categories = serializers.ListField(child=serializers.CharField())
    shared_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class CaseShareView(SamenAPIView):
    access_rule = "case.share"

    @extend_schema(request=ShareCreateSerializer, responses={201: ShareSerializer})
    def post(self, request: Request, number: str) -> Response:
        ser = ShareCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        v = ser.validated_data
        share = sharing_services.share_create(
            actor=self.actor,
            case=case_selectors.case_by_number(
                actor=self.actor, number=number, permission="case.share"
            ),
            recipient=Organisation.objects.filter(pk=v["recipient"]).first(),
            purpose=v["purpose"],
            categories=v["categories"],
            reason=v["reason"],
        )
        return Response(ShareSerializer(share).data, status=201)


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
        share = CaseShare.objects.select_related("case", "purpose").filter(pk=pk).first()
        if share is None:
            raise Http404
        return Response(
            ShareSerializer(sharing_services.share_revoke(actor=self.actor, share=share)).data
        )


class EmergencyRequestSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=2000)


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


class RegisterRuleSerializer(serializers.Serializer):
    organisation_type = serializers.CharField()
    purpose = serializers.CharField(source="purpose.code")
    category = serializers.CharField(source="category.code")
    legal_basis = serializers.CharField()
    sector_law = serializers.CharField()
    retention_days = serializers.IntegerField()
    share_with = serializers.ListField(child=serializers.CharField())


class RegisterView(SamenAPIView):
    access_rule = "register.read"

    @extend_schema(responses=RegisterRuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(RegisterRuleSerializer(sharing_selectors.register_rows(), many=True).data)

"""What the API shares across apps: health, the JSON 404, who am I, the organisation directory.
Each app's endpoints are in its api.py (docs/architecture.md)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api import serializers as s
from samen.api.base import SamenAPIView
from samen.api.pagination import page_params, paged_response
from samen.core.access import AUTHENTICATED, PUBLIC, access
from samen.core.actor import active_memberships
from samen.core.health import readiness
from samen.organisations import selectors as org_selectors


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


healthz_schema = extend_schema(responses=OpenApiTypes.OBJECT)

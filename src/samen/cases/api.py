"""REST endpoints of cases: the list, a case, notes, sharing a case. Thin: parse, call a service
or selector, present. Rules live in the policy."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api import cursors
from samen.api.base import LeanGetView, SamenAPIView, present_many, writer_of
from samen.api.pagination import cursor_response, page_params, paged_response
from samen.cases import selectors as case_selectors
from samen.cases import serializers as s
from samen.cases import services as case_services
from samen.cases.choices import AgeBand, CaseStatus
from samen.organisations.selectors import organisation_or_none
from samen.sharing import services as sharing_services
from samen.sharing.serializers import ShareCreateSerializer, ShareSerializer


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


# What CaseFilterSerializer validates an empty query to.
NO_FILTERS: Mapping[str, object] = MappingProxyType({"minor": None, "count": False})


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


@functools.lru_cache(maxsize=1024)
def _filters_of(query: str) -> Mapping[str, object]:
    """The list's query validated: a function of the query string alone (codes, dates, a cursor;
    no data is read), so a query seen before is not validated again. Only valid queries are kept
    (a refusal raises); the values are immutable. An empty query gives the defaults."""
    if not query:
        return NO_FILTERS
    f = CaseFilterSerializer(data=QueryDict(query))
    f.is_valid(raise_exception=True)
    return MappingProxyType(dict(f.validated_data))


class CaseListView(LeanGetView):
    access_rule = "case.read"
    lean_serializer = s.CaseSerializer

    @extend_schema(
        operation_id="v1_cases_list",
        parameters=[CaseFilterSerializer],
        responses=CasePageSerializer,
    )
    def get(self, request: Request) -> Response:
        v = _filters_of(request._request.META.get("QUERY_STRING", ""))
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
            return paged_response(request, page, present_many(s.CaseSerializer, page.object_list))
        # The rows come in CaseSerializer's shape (case_list_page): only the time is left to
        # write as present_many writes it (a test holds the page to present_many's).
        keyset = case_selectors.case_list_page(
            actor=self.actor,
            filters=filters,
            after=v.get("cursor"),
            per_page=size,
            with_count=v["count"],
        )
        write_time = writer_of(s.CaseSerializer, "opened_at")
        for row in keyset.rows:
            at = row.get("opened_at")
            if at is not None:
                row["opened_at"] = write_time(at)
        return cursor_response(
            request,
            count=keyset.count,
            next_cursor=cursors.encode(keyset.next) if keyset.next else None,
            results=keyset.rows,
            respond=self.respond,
        )


class CaseDetailView(SamenAPIView):
    access_rule = "case.read"

    @extend_schema(responses=s.CaseDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(
            s.CaseDetailSerializer(case_selectors.case_get(actor=self.actor, number=number)).data
        )


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
            recipient=organisation_or_none(pk=v["recipient"]),
            purpose=v["purpose"],
            categories=v["categories"],
            reason=v["reason"],
        )
        return Response(ShareSerializer(share).data, status=201)

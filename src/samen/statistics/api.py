"""Statistics API under /api/v1/statistics/: the protected yearly tables, never a count the
disclosure control suppressed (a suppressed cell has value null and says why). Statistics
purpose only, like the page; the selector checks the policy and writes the audit entry."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.statistics import publication, tables
from samen.statistics.forms import PeriodForm
from samen.statistics.selectors import region_names
from samen.statistics.services import UnsafeRelease, release_for

TAG = ["statistics"]
PERIOD = [
    OpenApiParameter(
        "period",
        str,
        description="one of the fixed release periods, e.g. 2025 or 2021-2025 (default: the "
        "last complete years); free dates (start, end) are refused",
    ),
]


class StatisticsSuppressionSerializer(serializers.Serializer):
    mark = serializers.CharField(help_text="x: one mark for every hidden cell")
    explanation = serializers.CharField()


class StatisticsCellSerializer(serializers.Serializer):
    coordinates = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    value = serializers.IntegerField(allow_null=True, help_text="null when suppressed")
    suppression = StatisticsSuppressionSerializer(allow_null=True)


class StatisticsDimensionSerializer(serializers.Serializer):
    name = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())


class StatisticsTableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField()
    scope = serializers.DictField(child=serializers.CharField())
    dimensions = StatisticsDimensionSerializer(many=True)
    cells = StatisticsCellSerializer(many=True)


class StatisticsReleaseSerializer(serializers.Serializer):
    label = serializers.CharField()
    period = serializers.CharField()
    version = serializers.IntegerField()
    notice = serializers.CharField(allow_blank=True)
    safe = serializers.BooleanField()
    rules = serializers.ListField(child=serializers.CharField())
    methods = serializers.CharField()
    tables = StatisticsTableSerializer(many=True)


class StatisticsAPIView(SamenAPIView):
    access_rule = "statistics.export"

    def release_data(self, request: Request) -> dict:
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        try:
            delivery = release_for(self.actor, form.release_period)
        except UnsafeRelease as exc:
            raise APIException("these tables could not be proven safe") from exc
        data = publication.release_dict(delivery.release, region_names())
        data.update(
            period=delivery.period.code,
            version=delivery.publication.version,
            notice=delivery.notice_text(),
        )
        return data


class StatisticsReleaseView(StatisticsAPIView):
    @extend_schema(
        tags=TAG,
        parameters=PERIOD,
        responses=StatisticsReleaseSerializer,
        operation_id="statistics_release_retrieve",
        summary="The protected yearly tables of a period, released together",
    )
    def get(self, request: Request) -> Response:
        return Response(StatisticsReleaseSerializer(self.release_data(request)).data)


class StatisticsTableView(StatisticsAPIView):
    @extend_schema(
        tags=TAG,
        parameters=PERIOD,
        responses=StatisticsTableSerializer,
        operation_id="statistics_table_retrieve",
        summary="One protected table (protected together with the whole set)",
    )
    def get(self, request: Request, slug: str) -> Response:
        if slug not in tables.SPEC_BY_SLUG:
            raise NotFound()
        for table in self.release_data(request)["tables"]:
            if table["slug"] == slug:
                return Response(StatisticsTableSerializer(table).data)
        raise NotFound()  # the register grants this role none of the table's categories

"""Statistics API under /api/v1/statistics/: the protected yearly tables, never a count the
disclosure control suppressed (a suppressed cell has value null and says why). Statistics
purpose only, like the page; the selector checks the policy and writes the audit entry."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from samen.api.base import SamenAPIView
from samen.statistics import publication, tables
from samen.statistics.forms import PeriodForm, default_period
from samen.statistics.releases import release_for
from samen.statistics.selectors import Period, region_names

TAG = ["statistics"]
PERIOD = [
    OpenApiParameter("start", str, description="first day of the period, YYYY-MM-DD"),
    OpenApiParameter("end", str, description="last day of the period, YYYY-MM-DD"),
]


class StatisticsSuppressionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["primary", "secondary"])
    rule = serializers.CharField()
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
        period: Period = form.cleaned_data.get("period") or default_period()
        release, _earlier = release_for(self.actor, period)
        return publication.release_dict(release, region_names())


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

"""The capacity-planning page and its downloads (CSV, XLSX). Thin: the run comes from the
service, the tables from report, the charts from charts."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from samen.capacity import charts, report
from samen.capacity.forms import PlanForm
from samen.capacity.selectors import region_names
from samen.capacity.services import plan_run
from samen.core.access import access
from samen.statistics.services import disclosure_config

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access("statistics.export")
def planning_page(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "")
    data = request.GET if "year" in request.GET else {**PlanForm.defaults(), "format": fmt}
    form = PlanForm(data)
    if fmt not in ("", "csv", "xlsx"):
        form.is_valid()
        form.add_error(None, _("Choose CSV or XLSX."))
    if not form.is_valid():
        return render(request, "capacity/page.html", {"form": form}, status=400)
    started = time.monotonic()
    result = plan_run(
        actor=request.actor,
        year=form.cleaned_data["year"],
        scenario=form.scenario(),
        replications=form.replication_count(),
    )
    found = report.tables(result, region_names())
    stamp = f"{result.year}-{result.replications}"
    if fmt == "csv":
        return _attachment(
            report.tables_csv(found), "text/csv; charset=utf-8", f"samen-capaciteit-{stamp}.csv"
        )
    if fmt == "xlsx":
        return _attachment(report.tables_xlsx(found), XLSX, f"samen-capaciteit-{stamp}.xlsx")
    series = (_("Baseline"), _("Scenario"))
    labels = report.metric_labels()
    waits = [
        charts.Group(labels[k], (result.baseline[k], result.scenario[k]))
        for k in ("wait_p50", "wait_p75", "wait_p90", "wait_p95")
    ]
    days = [
        charts.Group(labels[k], (result.baseline[k], result.scenario[k]))
        for k in ("overflow_days", "first_reception_full_days")
    ]
    types = [
        charts.Group(str(row.place_type_label), (row.base, row.scenario))
        for row in report.type_rows(result)
    ]
    context = {
        "form": form,
        "result": result,
        "tables": found,
        "query": urlencode({k: v for k, v in data.items() if k != "format"}),
        "charts": [
            (
                "waits",
                _("Waiting time percentiles (days)"),
                charts.grouped_bars(
                    "capacity-waits", _("Waiting time percentiles (days)"), series, waits
                ),
            ),
            (
                "days",
                _("Days without a place and days with first reception full"),
                charts.grouped_bars("capacity-days", _("Days without a place"), series, days),
            ),
            (
                "types",
                _("Places occupied by type of place (mean)"),
                charts.grouped_bars(
                    "capacity-types", _("Places occupied by type of place"), series, types
                ),
            ),
        ],
        "withheld_labels": [report.part_labels()[p] for p in result.read.withheld],
        "seconds": time.monotonic() - started,
        "min_count": disclosure_config()["min_count"],
    }
    return render(request, "capacity/page.html", context)

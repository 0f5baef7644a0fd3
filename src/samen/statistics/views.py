"""The statistics page: the protected yearly table beside the public national series."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samen.sharing.access import access
from samen.sharing.actor import actor_for_membership
from samen.statistics import tables
from samen.statistics.selectors import cases_for_statistics


@access("statistics.export")
def statistics_page(request: HttpRequest) -> HttpResponse:
    # Statistics are always made for the statistics purpose, whatever the user acts for now.
    actor = actor_for_membership(
        request.actor.membership, origin=request.actor.origin, purpose="statistics"
    )
    release = tables.year_form_release(cases_for_statistics(actor=actor))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="samen-year-form.csv"'
        rows = release.table(tables.TABLE).rows()
        writer = csv.DictWriter(response, fieldnames=list(rows[0]) if rows else ["value"])
        writer.writeheader()
        writer.writerows(rows)
        return response
    forms, grid = tables.grid(release)
    series = tables.public_series()["registered_possible_victims"]
    platform = {str(r["year"]): r["total"].value for r in grid if r["year"] != "total"}
    peak = max([*series.values(), *(v or 0 for v in platform.values()), 1])
    chart = [
        {
            "year": year,
            "published": series.get(year),
            "platform": platform.get(year),
            "published_pct": round(100 * (series.get(year) or 0) / peak, 1),
            "platform_pct": round(100 * (platform.get(year) or 0) / peak, 1),
        }
        for year in sorted(set(series) | set(platform))
    ]
    return render(
        request,
        "statistics/page.html",
        {"forms": forms, "grid": grid, "chart": chart, "methods": release.methods_note(),
         "safe": release.safe},
    )  # fmt: skip

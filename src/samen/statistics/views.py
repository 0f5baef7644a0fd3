"""The statistics page, its downloads (CSV, XLSX) and the publication bundle (ZIP). Thin: the
counts come from the selector, the protection from the engine, the files from publication."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samen.core.access import access
from samen.statistics import publication, tables
from samen.statistics.disclosure import ProtectedRelease
from samen.statistics.forms import PeriodForm
from samen.statistics.selectors import publications_recent, region_names
from samen.statistics.services import Delivery, UnsafeRelease, release_for


def _attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bundle(release: ProtectedRelease, stamp: str) -> HttpResponse:
    body = publication.bundle_zip(release, region_names())
    return _attachment(body, "application/zip", f"samen-statistics-{stamp}.zip")


def _delivery(request: HttpRequest, form: PeriodForm) -> Delivery | HttpResponse:
    if not form.is_valid():
        return render(request, "statistics/page.html", {"form": form}, status=400)
    try:
        return release_for(request.actor, form.release_period)
    except UnsafeRelease:
        messages.error(request, _("These tables could not be proven safe; nothing is released."))
        return render(request, "statistics/page.html", {"form": form}, status=503)


@access("statistics.export")
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """The bundle of a period's release (every delivery is recorded; kept for old links)."""
    delivery = _delivery(request, PeriodForm(request.POST))
    if isinstance(delivery, HttpResponse):
        return delivery
    return _bundle(delivery.release, _stamp(delivery))


def _stamp(delivery: Delivery) -> str:
    return f"{delivery.period.code}-v{delivery.publication.version}"


@access("statistics.export")
def statistics_page(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET)
    delivery = _delivery(request, form)
    if isinstance(delivery, HttpResponse):
        return delivery
    release = delivery.release
    regions = region_names()
    stamp = _stamp(delivery)
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        spec = _released_spec(release, request.GET.get("table", ""))
        body = publication.table_csv(release.table(spec.name), regions)
        return _attachment(body, "text/csv; charset=utf-8", f"samen-{spec.slug}-{stamp}.csv")
    if fmt == "xlsx":
        body = publication.release_xlsx(release, regions, _language())
        return _attachment(
            body,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"samen-statistics-{stamp}.xlsx",
        )
    if fmt == "zip":
        return _bundle(release, stamp)
    return render(
        request,
        "statistics/page.html",
        {
            "form": PeriodForm(initial={"period": delivery.period.code}),
            "period": delivery.period,
            "query": urlencode({"period": delivery.period.code}),
            "tables": [publication.page_table(t, regions) for t in release.tables],
            "national": _national_chart(release),
            "methods": publication.methods_note(release, _language()),
            "safe": release.safe,
            "counts": publication.hidden_counts(release),
            "min_count": release.rules.min_count,
            "delivery": delivery,
            "notice": delivery.notice_text(),
            "publications": publications_recent(limit=10),
        },
    )


def _language() -> str:
    return "nl" if (translation.get_language() or "nl").startswith("nl") else "en"


def _released_spec(release: ProtectedRelease, slug: str) -> tables.TableSpec:
    """The asked table, or the first released one when none or an unknown one is asked; 404
    when the reader's release does not hold the asked table (the register grants lack its
    data)."""
    released = [spec for spec in tables.SPECS if spec.name in {t.name for t in release.tables}]
    asked = tables.SPEC_BY_SLUG.get(slug)
    if (asked is not None and asked not in released) or not released:
        raise Http404
    return asked or released[0]


def _national_chart(release: ProtectedRelease) -> list[dict[str, object]]:
    """The published national series beside the platform's own yearly totals; nothing when the
    reader's release holds no victims by year (a reader without exploitation data)."""
    if tables.TABLE not in {t.name for t in release.tables}:
        return []
    table = release.table(tables.TABLE)
    platform = {
        year: table.cell([year, tables.TOTAL]).value for year in table.dimensions[0].categories
    }
    series = tables.public_series()["registered_possible_victims"]
    peak = max([*series.values(), *(v or 0 for v in platform.values()), 1])
    return [
        {
            "year": year,
            "published": series.get(year),
            "platform": platform.get(year),
            "in_period": year in platform,
            "published_pct": round(100 * (series.get(year) or 0) / peak, 1),
            "platform_pct": round(100 * (platform.get(year) or 0) / peak, 1),
        }
        for year in sorted(set(series) | set(platform))
    ]

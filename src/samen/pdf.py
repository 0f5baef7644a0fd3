"""HTML to PDF with WeasyPrint, from the same templates as the pages, so both always agree."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

PDF_VARIANT = "pdf/ua-1"


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    html = render_to_string(template, {**context, "as_pdf": True}, request=request)
    try:
        from weasyprint import HTML
    except OSError:  # Pango missing on this machine: say so instead of failing with a 500
        return HttpResponse(
            _("PDF rendering needs the Pango library (Debian: apt-get install libpango-1.0-0)."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    # No base URL: a report must not fetch anything, so it renders the same offline. PDF/UA-1:
    # a tagged PDF (structure, reading order, table headers) that screen readers can follow.
    pdf = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""CSV downloads in the reader's language, as Dutch Excel opens them.

Dutch Excel splits a line on the list separator of the Dutch locale, ``;`` (the comma is the
decimal sign), and reads a file as UTF-8 only when it starts with a byte-order mark; without
both, "Roemenië" and every column after the first comma come out wrong. English readers get the
comma. Every cell passes the formula guard of ``samen.spreadsheets``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from samen.i18n import current_language
from samen.spreadsheets import SafeWriter, safe_row

BOM = "\ufeff"


def csv_delimiter(language: str | None = None) -> str:
    return "," if (language or current_language()) == "en" else ";"


def csv_response(
    filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = SafeWriter(response, delimiter=csv_delimiter())
    writer.writerow([str(h) for h in header])
    writer.writerows(rows)
    return response


def xlsx_response(
    filename: str, sheet: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """The same table as an Excel workbook (one sheet, the header row bold and frozen); every
    cell through the formula guard."""
    from io import BytesIO

    # Imported here: openpyxl is heavy and only the XLSX downloads need it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([str(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(safe_row(row))
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

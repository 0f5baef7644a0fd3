"""Cells for CSV and XLSX files that a spreadsheet will not run as formulas (CSV injection).

Plain Python, no Django: the online engine writes CSV too. Every export routes its cell values
through `safe_cell` (or a writer below). The OWASP rule: text that starts with = + - @, a tab
or a carriage return gets a leading single quote, so Excel and LibreOffice show it as text.
Numbers stay numbers: ints and floats pass untouched, and text that is just a number ("-3",
"+1.5", "-9,1%") is left alone, so negative figures and changes still read as figures.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def safe_column(values: list[Any]) -> list[Any]:
    """`safe_row` of a long column, the list itself when no text cell could start a formula:
    one scan instead of a call per cell (a scan's ids, a million of them)."""
    if any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values):
        return safe_row(values)
    return values


def safe_mapping(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: safe_cell(v) for k, v in row.items()}


class SafeWriter:
    """`csv.writer` whose cells pass `safe_cell`."""

    def __init__(self, handle: IO[str], **kwargs: Any):
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """`csv.DictWriter` whose cells (and header) pass `safe_cell`."""

    def writeheader(self) -> Any:
        return self.writer.writerow(safe_row(self.fieldnames))

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow(safe_mapping(rowdict))

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)

"""A planning run as tables: the same rows for the page, the CSV and the XLSX. Hidden figures
(they rest on a group the disclosure control hides) are None and show as "x"."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook

from samen.capacity.engine import Estimate
from samen.capacity.services import PlanResult
from samen.shelter.models import PlaceType
from samen.spreadsheets import safe_row

HIDDEN = "x"


def metric_labels() -> dict[str, str]:
    return {
        "wait_p50": _("Median wait (days)"),
        "wait_p75": _("Wait, 75th percentile (days)"),
        "wait_p90": _("Wait, 90th percentile (days)"),
        "wait_p95": _("Wait, 95th percentile (days)"),
        "wait_mean": _("Mean wait (days)"),
        "overflow_days": _("Days on which someone waited without any place"),
        "first_reception_full_days": _("Days with first reception full"),
        "occupied_beds": _("Places occupied (mean)"),
        "still_waiting": _("Still waiting at the end of the year"),
        "arrivals": _("Referrals in the year"),
    }


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)

    def text_rows(self) -> list[list[str]]:
        return [[_text(v) for v in row] for row in self.rows]


def _text(value: object) -> str:
    if value is None:
        return HIDDEN
    if isinstance(value, float):
        return "—" if math.isnan(value) else number_format(value, 1)
    return str(value)


def _ci(e: Estimate | None) -> list[object]:
    if e is None:
        return [None, None, None]
    return [e.mean, e.low, e.high]


def _ci_headers(prefix: str) -> list[str]:
    return [
        prefix,
        _("%(what)s, 95%% lower bound") % {"what": prefix},
        _("%(what)s, 95%% upper bound") % {"what": prefix},
    ]


def tables(result: PlanResult, regions: dict[str, str]) -> list[Table]:
    labels = metric_labels()
    types = {code: str(label) for code, label in PlaceType.choices}
    out = []
    test = result.backtest
    if test is not None:
        title = _("Back-test: the year %(year)d replayed, calibrated on %(before)d") % {
            "year": test.year,
            "before": test.year - 1,
        }
        headers = [_("Figure"), _("Observed"), *_ci_headers(_("Simulated")), _("Error")]
        back = Table("backtest", title, headers)
        back.rows.append([labels["wait_p50"], test.observed_median_wait,
                          *_ci(test.simulated_median_wait), test.wait_error])  # fmt: skip
        back.rows.append(
            [
                labels["occupied_beds"],
                test.observed_occupied,
                *_ci(test.simulated_occupied),
                test.occupied_error,
            ]
        )
        out.append(back)
    out.append(_calibration_table(result, types))
    main = Table("scenario", _("Baseline and scenario, one year, %(n)d replications")
                 % {"n": result.replications},
                 [_("Figure"), *_ci_headers(_("Baseline")), *_ci_headers(_("Scenario")),
                  *_ci_headers(_("Change"))])  # fmt: skip
    for key, label in labels.items():
        main.rows.append(
            [
                label,
                *_ci(result.baseline[key]),
                *_ci(result.scenario[key]),
                *_ci(result.difference[key]),
            ]
        )
    out.append(main)
    by_region = Table(
        "regions",
        _("Median wait and days without a place, by safety region"),
        [
            _("Safety region"),
            *_ci_headers(_("Median wait, baseline")),
            *_ci_headers(_("Median wait, scenario")),
            *_ci_headers(_("Days without a place, baseline")),
            *_ci_headers(_("Days without a place, scenario")),
        ],
    )
    for row in result.regions:
        by_region.rows.append(
            [
                regions.get(row.region, row.region or _("unknown")),
                *_ci(row.base_wait),
                *_ci(row.scenario_wait),
                *_ci(row.base_overflow),
                *_ci(row.scenario_overflow),
            ]
        )
    out.append(by_region)
    occupancy = Table(
        "occupancy",
        _("Places occupied by safety region and type of place"),
        [
            _("Safety region"),
            _("Type of place"),
            _("Places, baseline"),
            *_ci_headers(_("Occupied, baseline")),
            _("Places, scenario"),
            *_ci_headers(_("Occupied, scenario")),
        ],
    )
    for row in result.occupancy:
        occupancy.rows.append(
            [
                regions.get(row.region, row.region),
                types.get(row.place_type, row.place_type),
                float(row.beds),
                *_ci(row.base),
                float(row.scenario_beds),
                *_ci(row.scenario),
            ]
        )
    out.append(occupancy)
    national = Table(
        "types",
        _("Places occupied by type of place, the whole country"),
        [
            _("Type of place"),
            _("Places, baseline"),
            *_ci_headers(_("Occupied, baseline")),
            _("Places, scenario"),
            *_ci_headers(_("Occupied, scenario")),
        ],
    )
    for row in result.occupancy_types:
        label = types.get(row.place_type, row.place_type)
        national.rows.append(
            [label, float(row.beds), *_ci(row.base), float(row.scenario_beds), *_ci(row.scenario)]
        )
    out.append(national)
    return out


def tables_csv(found: list[Table]) -> bytes:
    """Semicolon-separated with a byte-order mark, as Dutch spreadsheets open it; decimal
    commas follow the language of the request."""
    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=";")
    for table in found:
        writer.writerow(safe_row([table.title]))
        writer.writerow(safe_row(table.headers))
        writer.writerows(safe_row(r) for r in table.text_rows())
        writer.writerow([])
    return ("\ufeff" + handle.getvalue()).encode("utf-8")


def tables_xlsx(found: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in found:
        sheet = book.create_sheet(table.key[:31])
        sheet.append(safe_row([table.title]))
        sheet.append(safe_row(table.headers))
        for row in table.rows:
            sheet.append(safe_row(HIDDEN if v is None else ("" if isinstance(v, float)
                                  and math.isnan(v) else v) for v in row))  # fmt: skip
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


@dataclass(frozen=True)
class TypeRow:
    place_type_label: str
    base: Estimate | None
    scenario: Estimate | None


def type_rows(result: PlanResult) -> list[TypeRow]:
    types = dict(PlaceType.choices)
    return [
        TypeRow(str(types.get(r.place_type, r.place_type)), r.base, r.scenario)
        for r in result.occupancy_types
    ]


def part_labels() -> dict[str, str]:
    return {
        "gender": _("gender"),
        "minor": _("minor or adult"),
        "form": _("form of exploitation"),
        "region": _("safety region"),
        "network_risk": _("tie to a criminal network"),
        "security": _("security need"),
        "addiction": _("addiction"),
    }


def profile_label(profile: str) -> str:
    """A refusal profile key ("adult/female") in words."""
    words = {
        "minor": _("minor"),
        "adult": _("adult"),
        "female": _("woman"),
        "male": _("man"),
        "other": _("other gender"),
        "unknown": _("gender unknown"),
        "network": _("network tie"),
        "addiction": _("addiction"),
    }
    return ", ".join(words.get(part, part) for part in profile.split("/"))


def _calibration_table(result: PlanResult, types: dict[str, str]) -> Table:
    table = Table("calibration", _("Calibration on %(year)d, with 95%% intervals")
                  % {"year": result.year},
                  [_("Figure"), _("Observations"), *_ci_headers(_("Estimate"))])  # fmt: skip
    for row in result.calibration_rows:
        if row.kind == "arrivals":
            label = _("Referrals a year")
        elif row.kind == "refusal":
            label = _("Holds refused (percent): %(profile)s") % {"profile": profile_label(row.key)}
            if row.estimate is not None:
                e = row.estimate
                table.rows.append([label, row.n, e.mean * 100, e.low * 100, e.high * 100])
                continue
        else:
            label = _("Length of stay, median (days): %(type)s") % {
                "type": types.get(row.key, row.key)
            }
        table.rows.append([label, row.n, *_ci(row.estimate)])
    return table

"""HTCDS 2.0 export: pseudonymised, no identity, k-anonymous on the quasi-identifiers."""

import csv
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from samen.cases.models import Case
from samen.core.models import AuditEntry
from samen.identification.models import IdentificationPath
from samen.identification.selectors import victim_statuses
from samen.signalling.services import PersonInput
from samen.statistics.demo import add_statistics_volume
from samen.statistics.htcds import (
    AGE_BANDS,
    CASE_STATUS,
    COLUMNS,
    DECIDED_BY,
    FORMS,
    GENDER,
    PSEUDONYM,
    QUASI,
    STATUS,
    HtcdsRefused,
    build_export,
    export_k,
    notes_text,
    registration_year,
)
from samen.statistics.kanon import (
    K_FLOOR,
    Column,
    ExportRefused,
    Release,
    difference_finding,
    group_counts,
    k_anonymise,
    recode,
    smallest_group,
)
from samen.statistics.models import HtcdsExport

#: The HTCDS 2.0 reference, copied into the repository (reference/, see its README).
REFERENCE = Path(settings.PROJECT_DIR) / "reference/htcds-2.0/htcds-field-standards-2.0.csv"


def test_k_anonymise_generalises_then_withholds():
    records = [{"a": "x", "b": str(i % 2)} for i in range(6)] + [{"a": "y", "b": "0"}]
    result = k_anonymise(records, quasi=("a", "b"), ladder=[("b", lambda v: "*")], k=3)
    assert smallest_group(result.released, ("a", "b")) >= 3
    assert result.withheld == 1 and len(result.released) == 6 and result.generalised == 0


def test_k_anonymise_counts_generalised_records():
    records = [{"a": "x", "b": "1"}] * 2 + [{"a": "x", "b": "2"}] * 2
    result = k_anonymise(records, quasi=("a", "b"), ladder=[("b", lambda v: "*")], k=3)
    assert (len(result.released), result.generalised, result.withheld) == (4, 4, 0)


@pytest.fixture
def cases(record):
    for i in range(30):
        record(
            forms=["sexual" if i % 3 else "labour"],
            person=PersonInput(
                gender="female" if i % 2 else "male", age_band="23-29" if i % 4 else "12-17",
                name=f"Synthetisch {i}", date_of_birth=date(1990, 1, 1 + i % 28), nationality="RO",
            ),
        )  # fmt: skip


def test_the_export_is_k_anonymous_and_carries_no_identity(cases, tmp_path, capsys):
    out = tmp_path / "htcds.csv"
    call_command("statistics", "export-htcds", "--out", str(out), "--user", "demo-registrar")
    rows = list(csv.DictReader(out.open()))
    text = out.read_text()
    assert "Synthetisch" not in text and "MH-" not in text and "RO" not in text.split("\n", 1)[1]
    quasi = [c for c in rows[0] if c != "samen_ExportPseudonym"]
    assert min(Counter(tuple(r[q] for q in quasi) for r in rows).values()) >= 10
    reported = capsys.readouterr().out
    assert f"{len(rows)} records" in reported and "withheld" in reported
    entry = AuditEntry.objects.get(action="case.export")
    assert (
        entry.purpose == "statistics"
        and entry.operation == "E"
        and "identity" not in str(entry.fields)
    )


def test_only_statistics_roles_may_export(cases, tmp_path):
    with pytest.raises(CommandError, match="may not"):
        call_command(
            "statistics",
            "export-htcds",
            "--out",
            str(tmp_path / "x.csv"),
            "--user",
            "demo-coordinator",
        )


# -- k from the configuration, with a floor ----------------------------------------------------


def test_a_requested_k_below_the_configured_one_is_refused_and_audited(cases, tmp_path):
    with pytest.raises(CommandError, match="k = 5 is below the configured k = 10"):
        call_command("statistics", "export-htcds", "--out", str(tmp_path / "x.csv"),
                     "--user", "demo-registrar", "--k", "5")  # fmt: skip
    assert not (tmp_path / "x.csv").exists() and not HtcdsExport.objects.exists()
    assert AuditEntry.objects.get(action="htcds.export").result == "refused"


def test_a_configured_k_below_the_floor_refuses_every_export(settings):
    settings.HTCDS_K = K_FLOOR - 1
    with pytest.raises(HtcdsRefused, match="below the floor"):
        export_k(None)
    with pytest.raises(HtcdsRefused, match="below the floor"):
        export_k(50)


def test_a_caller_may_ask_for_more_than_the_configured_k(settings):
    settings.HTCDS_K = 12
    assert (export_k(None), export_k(15)) == (12, 15)


# -- what leaves ---------------------------------------------------------------------------------


def test_the_year_is_the_year_in_amsterdam():
    assert registration_year(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == 2025


def test_age_bands_say_what_they_hold():
    for band, label in AGE_BANDS.items():
        low, _, high = band.rstrip("+").partition("-")
        assert label.startswith(f"{low}-{high} years" if high else f"{low} years or older")


def _row(number: int, **fields: object) -> dict:
    return {"number": f"MH-{number}", "opened_at": datetime(2025, 5, 1, 12, tzinfo=UTC),
            "age_band": "23-29", "gender": "female", "nationality_group": "EU",
            "forms": ["sexual"], "status": "closed", **fields}  # fmt: skip


def test_victim_status_and_who_decided_come_from_the_identification_path():
    rows = [_row(i) for i in range(40)]
    statuses = {f"MH-{i}": ("ActualVictimOfTrafficking", "Police") for i in range(20)}
    _, out = build_export(rows, statuses=statuses, k=10, earlier=[])
    assert Counter((r[STATUS], r[DECIDED_BY]) for r in out) == {
        ("ActualVictimOfTrafficking", "Police"): 20,
        ("", ""): 20,
    }


def test_every_column_but_the_pseudonym_is_a_quasi_identifier_and_no_flag_is_added():
    assert set(COLUMNS) - {c.name for c in QUASI} == {PSEUDONYM}
    assert "generalised" not in COLUMNS


def test_pseudonyms_are_new_in_every_export_and_rows_are_in_random_order():
    rows = [_row(i) for i in range(30)]
    _, first = build_export(rows, statuses={}, k=10, earlier=[])
    _, second = build_export(rows, statuses={}, k=10, earlier=[])
    assert not {r[PSEUDONYM] for r in first} & {r[PSEUDONYM] for r in second}
    assert [r[PSEUDONYM] for r in first] == sorted(r[PSEUDONYM] for r in first)


def _reference() -> dict[str, set[str] | None]:
    """HTCDS 2.0 field names with their picklist values (None: not a picklist)."""
    fields: dict[str, set[str] | None] = {}
    with REFERENCE.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if name := r["Field Name including Prefix"].strip():
                values = {v.strip() for v in r["Value Names (if picklist)"].splitlines()}
                fields[name] = values - {""} if "Picklist" in r["Field Type"] else None
    return fields


def test_field_names_and_picklist_values_are_those_of_htcds_2_0():
    reference = _reference()
    rows = [_row(i, forms=["sexual", "labour"]) for i in range(12)]
    rows += [_row(100 + i, gender="other", age_band="50+", status="referred") for i in range(12)]
    statuses = {f"MH-{i}": ("PossibleVictimOfTrafficking", "NGO") for i in range(12)}
    recoding, out = build_export(rows, statuses=statuses, k=10, earlier=[])
    notes = notes_text(record=HtcdsExport(exported_at=timezone.now(), first_year=2025,
                                          last_year=2025, k=10, released=len(out), withheld=0,
                                          held_back=0), recoding=recoding)  # fmt: skip
    for column in COLUMNS:
        if column not in reference:
            assert f"- {column}: not an HTCDS 2.0 field" in notes
            continue
        picklist = reference[column]
        for row in out:
            assert picklist is None or set(filter(None, row[column].split(";"))) <= picklist
    assert {GENDER, FORMS, STATUS, DECIDED_BY, CASE_STATUS} <= set(reference)
    assert any(";" in r[FORMS] for r in out) and any(r[STATUS] for r in out)


# -- the check against earlier exports ---------------------------------------------------------


def _columns() -> tuple[Column, ...]:
    return (Column("year", fixed=True), Column("a"))


def _records(**counts: int) -> list[dict[str, str]]:
    return [{"year": "2025", "a": a} for a, n in counts.items() for _ in range(n)]


def test_newcomers_are_held_back_until_their_group_gains_k():
    first = recode(_records(x=10, y=10), columns=_columns(), k=10)
    earlier = Release(("year", "a"), first.levels, group_counts(first.released, _columns()), 10)
    again = recode(_records(x=13, y=10), columns=_columns(), k=10, earlier=[earlier])
    assert (again.levels, again.held_back, len(again.released)) == (first.levels, 3, 20)
    later = recode(_records(x=20, y=10), columns=_columns(), k=10, earlier=[earlier])
    assert (later.held_back, len(later.released)) == (0, 30)


def test_refused_when_every_recoding_differs_from_an_earlier_export_by_fewer_than_k():
    fine = Release(("year", "a"), {"year": 0, "a": 0}, {("2025", "x"): 10, ("2025", "y"): 10}, 10)
    coarse = Release(("year", "a"), {"year": 0, "a": 1}, {("2025", ""): 25}, 10)
    with pytest.raises(ExportRefused, match="fewer than 10"):
        recode(_records(x=10, y=15), columns=_columns(), k=10, earlier=[fine, coarse])


def test_a_difference_below_k_is_found_on_a_coarser_view_too():
    old = Release(("year", "a"), {"year": 0, "a": 0}, {("2025", "x"): 10, ("2025", "y"): 10}, 10)
    new = Release(("year", "a"), {"year": 0, "a": 0}, {("2025", "x"): 20, ("2025", "y"): 1}, 10)
    finding = difference_finding(new, old, _columns(), k=10)
    assert finding is not None and abs(finding.difference) == 9


@pytest.fixture
def volume(world):
    add_statistics_volume(seed=5, persons=400, years=2)


def test_the_export_passes_its_check_twice_in_a_row_and_is_recorded(volume, tmp_path):
    for name in ("first", "second"):
        call_command("statistics", "export-htcds", "--out", str(tmp_path / f"{name}.csv"),
                     "--user", "demo-registrar", "--reason", "IOM CTDC")  # fmt: skip
    first, second = HtcdsExport.objects.order_by("pk")
    assert (second.levels, second.groups, second.held_back) == (first.levels, first.groups, 0)
    assert "Checked against: HTCDS export" in (tmp_path / "second.csv.notes.txt").read_text()
    assert first.exported_by.username == "demo-registrar" and first.k == 10
    stored = json.dumps(first.groups)
    assert "MH-" not in stored and "HT-" not in stored
    assert all(n >= 10 for *_, n in first.groups)
    entries = AuditEntry.objects.filter(action="htcds.export", result="ok").order_by("seq")
    assert [e.object_id for e in entries] == [str(first.pk), str(second.pk)]
    assert {(e.purpose, e.actor_username, e.detail["reason"]) for e in entries} == {
        ("statistics", "demo-registrar", "IOM CTDC")
    }


def test_the_victim_status_of_a_case_is_read_from_its_identification_path(volume):
    path = IdentificationPath.objects.select_related("case").order_by("pk").first()
    IdentificationPath.objects.filter(pk=path.pk).update(
        htcds_status="ActualVictimOfTrafficking", htcds_decision_org="Police"
    )
    numbers = list(Case.objects.values_list("number", flat=True))
    assert victim_statuses(numbers) == {path.case.number: ("ActualVictimOfTrafficking", "Police")}

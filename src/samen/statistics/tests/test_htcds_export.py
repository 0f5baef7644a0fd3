"""HTCDS 2.0 export: pseudonymised, no identity, k-anonymous on the quasi-identifiers."""

import csv
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from samen.sharing.models import AuditEntry
from samen.signalling.services import PersonInput
from samen.statistics.kanon import k_anonymise, smallest_group


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

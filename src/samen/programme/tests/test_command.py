"""`samen programme read-letter` and `samen programme load-seed`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from samen.programme.models import Motion


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("programme", *args, stdout=out)
    return out.getvalue()


def test_read_letter_json(seed_letter):
    data = json.loads(_run("read-letter", str(seed_letter), "--json"))
    assert data["summary"]["references"] == 16
    assert data["summary"]["by_status"]["done"] == 6
    with_refs = [i for i in data["items"] if i["reference"]]
    assert len(with_refs) == 16
    first = with_refs[0]
    assert first["reference"]["display"] == "Kamerstukken II, 2024/25, 36 547, nr. 40"
    assert first["submitters"] == [{"name": "Tseggai", "party": "GL/PvdA", "party_inferred": False}]
    assert first["parties"] == ["GL/PvdA"]
    assert first["status"] == "done"
    assert first["evidence"].endswith("als afgedaan.")


def test_read_letter_text(seed_letter):
    out = _run("read-letter", str(seed_letter))
    assert "16 parliamentary references" in out
    assert "Kamerstukken II, 2020/21, 35 570 VI, nr. 85" in out


def test_read_letter_missing_file(tmp_path):
    with pytest.raises(CommandError):
        _run("read-letter", str(tmp_path / "nope.txt"))


@pytest.mark.django_db
def test_load_seed(seed_letter):
    out = _run("load-seed", "--letter", str(seed_letter), "--sent-on", "2025-11-20")
    assert "motion 15 (15 new)" in out
    assert Motion.objects.filter(status="done").count() == 6
    assert Motion.objects.filter(status_date="2025-11-20").count() == 15
    assert "motion 15 (0 new)" in _run("load-seed")

"""An HTCDS export and the tables of its years, in either order (ADR 0129). The export is
checked against the tables published before it; tables published after it were checked
against nothing of it, so a reader who exported first could set the later tables against the
export (the outside attacker found the published total of a year 4 people above the export's
count of it). Now a release is checked against the exports already out before it leaves, and
an export delivers the releases of its years first, so that it is checked against them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from samen.statistics.archive import release_from_archive
from samen.statistics.demo import add_statistics_volume
from samen.statistics.htcds import exports_against, htcds_export_create
from samen.statistics.models import HtcdsExport, Publication
from samen.statistics.periods import release_period, release_periods
from samen.statistics.services import UnsafeRelease, release_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world):
    # The register on which the outside attacker first found the difference (seed 3).
    add_statistics_volume(seed=3, persons=700, years=3)
    cache.clear()


def test_tables_that_an_earlier_export_differences_do_not_leave(register, actor_for):
    registrar = actor_for("demo-registrar", "statistics")
    last = timezone.localdate().year - 1
    # The export alone, as before the command released the tables first.
    htcds_export_create(actor=registrar, first_year=last - 4, last_year=last)
    assert not Publication.objects.exists()
    year = release_period(str(last - 2))
    assert year is not None
    with pytest.raises(UnsafeRelease):
        release_for(registrar, year)
    assert not Publication.objects.filter(period_code=year.code).exists()


def test_the_export_command_releases_the_tables_of_its_years_first(register, tmp_path):
    last = timezone.localdate().year - 1
    out = tmp_path / "htcds.csv"
    call_command("statistics", "export-htcds", "--out", str(out), "--user", "demo-registrar",
                 "--years", f"{last - 4}-{last}")  # fmt: skip
    start, end = date(last - 4, 1, 1), date(last, 12, 31)
    offered = {p.code for p in release_periods() if p.overlaps(start, end)}
    assert offered and set(Publication.objects.values_list("period_code", flat=True)) == offered
    assert HtcdsExport.objects.count() == 1
    # The export was checked against them: set against it, none of them gives anything away.
    for publication in Publication.objects.all():
        release = release_from_archive(publication.archive)
        assert exports_against(release, publication.period_start, publication.period_end) is None

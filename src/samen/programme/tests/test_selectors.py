import pytest

from samen.programme import selectors
from samen.programme.seed import load_seed

pytestmark = pytest.mark.django_db


def test_register_reads():
    load_seed()
    lines = list(selectors.action_lines_with_actions())
    assert [line.number for line in lines] == [1, 2, 3, 4, 5, 6]
    assert any(a.progress.all() for a in lines[4].actions.all())
    assert selectors.motions(status="done").count() == 6
    assert selectors.open_motions().count() == 9
    assert selectors.commitments().count() == 7
    series = selectors.indicator_series(code="registered-minor-victims")
    assert [(v.period, int(v.value)) for v in series] == [("2023", 52), ("2024", 79)]

"""The suite's order (src/samen/conftest.py, ADR 0067): the heaviest modules start at the front
of their pytest-django group, and no test leaves its group."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from samen.conftest import HEAVY_MODULES, django_group, heaviest_first, heavy_rank


def test_the_collected_suite_keeps_pytest_djangos_groups_with_the_heavy_modules_first(request):
    """On the session's own items, after every collection hook: the groups pytest-django sorted
    by are still in order (so django_group is its rule: were it not, heaviest_first would have
    left pytest-django's order alone and the groups, by this rule, would be out of order), and
    within each group a heavy module's tests come before every other test, heaviest first."""
    items = request.session.items
    groups = [django_group(item) for item in items]
    assert groups == sorted(groups)
    for group in set(groups):
        ranks = [heavy_rank(item) for item, g in zip(items, groups, strict=True) if g == group]
        assert ranks == sorted(ranks), f"group {group}: a heavy module after a lighter test"


def _item(nodeid: str, *, fixtures: tuple[str, ...] = (), db: bool = False) -> SimpleNamespace:
    marker = pytest.mark.django_db.mark if db else None
    return SimpleNamespace(
        nodeid=nodeid, cls=None, fixturenames=fixtures, get_closest_marker=lambda name: marker
    )


def test_heavy_modules_move_to_the_front_of_their_own_group_only():
    accessibility = f"src/{HEAVY_MODULES[0]}::test_walk"
    canary = f"src/{HEAVY_MODULES[3]}::test_crawl"
    items = [
        _item("src/samen/a/tests/test_x.py::test_one", db=True),  # 0
        _item(f"{canary}[a]", db=True),  # 0, heavy
        _item(f"{canary}[b]", db=True),  # 0, heavy
        _item("src/samen/b/tests/test_y.py::test_flush", fixtures=("transactional_db",)),  # 1
        _item(accessibility, fixtures=("live_server",)),  # 1, heaviest
        _item("src/samen/c/tests/test_z.py::test_pure"),  # 2
    ]
    assert [django_group(i) for i in items] == [0, 0, 0, 1, 1, 2]
    ordered = [i.nodeid for i in heaviest_first(items)]
    assert ordered == [
        f"{canary}[a]",
        f"{canary}[b]",
        "src/samen/a/tests/test_x.py::test_one",
        accessibility,
        "src/samen/b/tests/test_y.py::test_flush",
        "src/samen/c/tests/test_z.py::test_pure",
    ]


def test_an_order_that_is_not_pytest_djangos_is_left_alone():
    heavy = _item(f"src/{HEAVY_MODULES[0]}::test_walk", fixtures=("live_server",))
    items = [_item("src/samen/c/tests/test_z.py::test_pure"), heavy]  # 2 before 1
    assert heaviest_first(items) == items

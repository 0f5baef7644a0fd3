import json

import pytest

from samen.signalling.lists import LISTS_DIR, read_list_files, signal_lists_sync
from samen.signalling.models import SignalList

REQUIRED = {"general", "hospitality", "school", "asylum_minors", "labour", "online"}


def test_the_required_signal_lists_exist_with_both_languages():
    lists = {d["code"]: d for d in read_list_files()}
    assert set(lists) >= REQUIRED
    for data in lists.values():
        assert data["title"]["nl"] and data["title"]["en"]
        for cat in data["categories"]:
            for ind in cat["indicators"]:
                assert ind["text"]["nl"] and ind["text"]["en"], ind["code"]


def test_indicator_codes_are_unique_across_lists():
    codes = [i["code"] for d in read_list_files() for c in d["categories"] for i in c["indicators"]]
    assert len(codes) == len(set(codes))


@pytest.mark.django_db
def test_lists_are_loaded_after_migrate_and_sync_is_idempotent():
    assert (
        set(SignalList.objects.filter(is_current=True).values_list("code", flat=True)) >= REQUIRED
    )
    assert signal_lists_sync() == 0


@pytest.mark.django_db
def test_a_changed_list_without_new_version_is_refused(tmp_path, monkeypatch):
    for path in LISTS_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        if data["code"] == "general":
            data["categories"][0]["indicators"][0]["text"]["en"] = "changed"
        (tmp_path / path.name).write_text(json.dumps(data))
    monkeypatch.setattr("samen.signalling.lists.LISTS_DIR", tmp_path)
    with pytest.raises(ValueError, match="without a new version"):
        signal_lists_sync()


@pytest.mark.django_db
def test_a_new_version_becomes_current_and_the_old_one_stays(tmp_path, monkeypatch):
    for path in LISTS_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        if data["code"] == "general":
            data["version"] += 1
        (tmp_path / path.name).write_text(json.dumps(data))
    monkeypatch.setattr("samen.signalling.lists.LISTS_DIR", tmp_path)
    assert signal_lists_sync() == 1
    versions = SignalList.objects.filter(code="general").order_by("version")
    assert [v.is_current for v in versions] == [False, True]

"""The hard rules are data (data/hard_rules.json), read by plain functions: the file decides,
a broken file is refused when loaded, and an exclusion names the rule and version the file gives."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from samen.shelter import matching
from samen.shelter.matching import (
    HARD_RULES,
    HARD_RULES_FILE,
    Needs,
    PlaceInfo,
    hard_exclusion,
    load_hard_rules,
    parse_hard_rules,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
RAW = json.loads(HARD_RULES_FILE.read_text(encoding="utf-8"))
ADULT_FIRST_RECEPTION = PlaceInfo(1, "open", "first_reception", "all", "VR09", free=2)
GIRL = Needs(gender="female", minor=True, age=15, security="high")


def test_the_rules_in_force_are_the_ones_in_the_file():
    assert load_hard_rules() == HARD_RULES
    assert [(r.code, r.version) for r in HARD_RULES] == [
        (item["code"], item["version"]) for item in RAW["rules"]
    ]
    assert matching.exclusion_for(ADULT_FIRST_RECEPTION, GIRL).rule == "minor_needs_minors_place"


def test_a_changed_file_changes_the_decision_without_a_code_change(tmp_path):
    """Drop the minors' rule from a copy: the engine then lets the minor through to the
    security rule, which names itself with the file's version."""
    raw = copy.deepcopy(RAW)
    raw["rules"] = [r for r in raw["rules"] if r["code"] != "minor_needs_minors_place"]
    for rule in raw["rules"]:
        if rule["code"] == "security_too_low":
            rule["version"] = 3
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(raw))
    rules = load_hard_rules(path)
    refused = hard_exclusion(ADULT_FIRST_RECEPTION, GIRL, rules)
    assert (refused.code, refused.version) == ("security_too_low", 3)


@pytest.mark.parametrize(
    "broken,message",
    [
        ({"code": "x", "version": 1, "when": {"needs.shoe_size": 3}}, "unknown or no tests"),
        ({"code": "x", "version": 1, "when": {}}, "unknown or no tests"),
        ({"code": "security_too_low", "version": 1, "when": {"needs.minor": True}}, "twice"),
    ],
)
def test_a_broken_rule_file_is_refused_when_loaded(broken, message):
    raw = copy.deepcopy(RAW)
    raw["rules"].append(broken)
    with pytest.raises(ValueError, match=message):
        parse_hard_rules(raw)

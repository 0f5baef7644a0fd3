"""Each triage rule on its own, then how they combine."""

import pytest

from samen.signalling import triage
from samen.signalling.triage import TickedIndicator as T


def advise(*indicators: T, minor: bool = False) -> triage.TriageResult:
    return triage.advise(list(indicators), person_is_minor=minor)


def rules_fired(result: triage.TriageResult) -> set[str]:
    return {r.rule for r in result.reasons}


def test_acute_indicator_means_call_now():
    result = advise(T("a", "low", acute=True))
    assert result.advice == "call_now"
    assert rules_fired(result) == {"acute_indicator"}


def test_minor_person_means_call_now_even_with_one_weak_sign():
    result = advise(T("a", "low"), minor=True)
    assert result.advice == "call_now"
    assert rules_fired(result) == {"minor"}


def test_indicator_about_a_child_counts_as_minor():
    result = advise(T("a", "low", concerns_minor=True))
    assert result.advice == "call_now"
    assert "minor" in rules_fired(result)


def test_two_high_severity_signs_mean_report():
    result = advise(T("a", "high"), T("b", "high"))
    assert result.advice == "report"
    assert "several_high" in rules_fired(result)


def test_heavy_score_without_two_high_signs_means_report():
    result = advise(*(T(str(i), "medium") for i in range(4)))  # score 8, no high
    assert result.advice == "report"
    assert rules_fired(result) == {"high_score"}


def test_one_high_sign_means_consult():
    result = advise(T("a", "high"))
    assert result.advice == "consult"
    assert rules_fired(result) == {"one_high"}


def test_several_medium_signs_mean_consult():
    result = advise(T("a", "medium"), T("b", "medium"))  # score 4
    assert result.advice == "consult"
    assert rules_fired(result) == {"some_signs"}


def test_single_weak_sign_means_watch():
    result = advise(T("a", "low"))
    assert result.advice == "watch"
    assert rules_fired(result) == {"baseline"}


def test_most_urgent_advice_wins_and_keeps_only_its_reasons():
    result = advise(T("a", "high", acute=True), T("b", "high"), minor=True)
    assert result.advice == "call_now"
    assert rules_fired(result) == {"acute_indicator", "minor"}


def test_reasons_and_next_steps_come_in_the_users_language():
    result = advise(T("a", "high"), T("b", "high"))
    nl = triage.present(result, "nl")
    en = triage.present(result, "en")
    assert nl["label"] != en["label"]
    assert nl["reasons"] and en["reasons"] and nl["next_steps"] and en["next_steps"]
    assert "Two or more" in en["reasons"][0]


def test_stored_advice_is_presented_again_with_its_reasons():
    shown = triage.present_stored("consult", ["one_high"], "en")
    assert shown["level"] == "consult"
    assert shown["reasons"] == ["There is one strong sign, but the picture is not yet clear."]


def test_rule_set_without_fallback_rule_is_refused():
    with pytest.raises(ValueError, match="without conditions"):
        triage.parse_rules(
            {
                "version": 1,
                "rules": [
                    {
                        "code": "x",
                        "advice": "report",
                        "when": {"min_high": 1},
                        "reason": {"nl": "", "en": ""},
                    }
                ],
            }
        )


def test_rule_with_unknown_condition_is_refused():
    with pytest.raises(ValueError, match="unknown conditions"):
        triage.parse_rules(
            {
                "version": 1,
                "rules": [
                    {
                        "code": "x",
                        "advice": "watch",
                        "when": {"colour": "red"},
                        "reason": {"nl": "", "en": ""},
                    }
                ],
            }
        )


def test_a_custom_rule_set_is_used_when_given():
    rules = triage.parse_rules(
        {
            "version": 7,
            "rules": [
                {"code": "any", "advice": "consult", "when": {}, "reason": {"nl": "n", "en": "e"}}
            ],
        }
    )
    result = triage.advise([T("a", "high"), T("b", "high")], person_is_minor=False, rules=rules)
    assert (result.advice, result.rules_version) == ("consult", 7)

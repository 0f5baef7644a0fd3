"""Triage advice from indicators and what is known of the person, by rules kept as data.

Plain Python (no Django), so each rule can be tested on its own and the rule file swapped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).parent / "data" / "triage_rules.json"
ADVICE_RANK = ("call_now", "report", "consult", "watch")  # most urgent first
WEIGHT = {"low": 1, "medium": 2, "high": 3}
KNOWN_CONDITIONS = {"any_acute", "minor", "min_high", "min_score"}


@dataclass(frozen=True)
class TickedIndicator:
    code: str
    severity: str
    acute: bool = False
    concerns_minor: bool = False


@dataclass(frozen=True)
class Reason:
    rule: str
    advice: str
    text: dict[str, str]


@dataclass(frozen=True)
class TriageResult:
    advice: str
    reasons: tuple[Reason, ...]
    score: int
    rules_version: int
    facts: dict[str, object] = field(default_factory=dict)

    def reason_texts(self, language: str) -> list[str]:
        lang = "en" if language.startswith("en") else "nl"
        return [r.text[lang] for r in self.reasons]


@dataclass(frozen=True)
class Rule:
    code: str
    advice: str
    when: dict[str, object]
    text: dict[str, str]


@dataclass(frozen=True)
class RuleSet:
    version: int
    rules: tuple[Rule, ...]


def parse_rules(raw: dict) -> RuleSet:
    rules = []
    for item in raw["rules"]:
        unknown = set(item.get("when", {})) - KNOWN_CONDITIONS
        if unknown:
            raise ValueError(f"rule {item['code']}: unknown conditions {sorted(unknown)}")
        if item["advice"] not in ADVICE_RANK:
            raise ValueError(f"rule {item['code']}: unknown advice {item['advice']!r}")
        rules.append(Rule(item["code"], item["advice"], dict(item.get("when", {})), item["reason"]))
    if not any(not r.when for r in rules):
        raise ValueError("a rule set needs a rule without conditions, so there is always advice")
    return RuleSet(int(raw["version"]), tuple(rules))


@cache
def default_rules() -> RuleSet:
    return parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))


def _holds(rule: Rule, facts: dict[str, object]) -> bool:
    w = rule.when
    if w.get("any_acute") and not facts["any_acute"]:
        return False
    if w.get("minor") and not facts["minor"]:
        return False
    if "min_high" in w and facts["high"] < int(w["min_high"]):
        return False
    return not ("min_score" in w and facts["score"] < int(w["min_score"]))


def advise(
    indicators: Iterable[TickedIndicator],
    *,
    person_is_minor: bool,
    rules: RuleSet | None = None,
) -> TriageResult:
    """The most urgent advice among the rules that fire, with every reason of that advice."""
    rules = rules or default_rules()
    ticked = list(indicators)
    facts: dict[str, object] = {
        "score": sum(WEIGHT[i.severity] for i in ticked),
        "high": sum(1 for i in ticked if i.severity == "high"),
        "any_acute": any(i.acute for i in ticked),
        # An indicator that is itself about a child tells us the person is a minor.
        "minor": person_is_minor or any(i.concerns_minor for i in ticked),
    }
    fired = [r for r in rules.rules if _holds(r, facts)]
    best = min(fired, key=lambda r: ADVICE_RANK.index(r.advice)).advice
    reasons = tuple(Reason(r.code, r.advice, r.text) for r in fired if r.advice == best)
    return TriageResult(best, reasons, int(facts["score"]), rules.version, facts)


@cache
def advice_texts() -> dict[str, dict]:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))["advice"]


def present(result: TriageResult, language: str) -> dict[str, object]:
    """The advice as a person reads it: label, why, and what to do next, in their language."""
    lang = "en" if language.startswith("en") else "nl"
    texts = advice_texts()[result.advice]
    return {
        "level": result.advice,
        "label": texts["label"][lang],
        "reasons": result.reason_texts(lang),
        "next_steps": list(texts["steps"][lang]),
        "score": result.score,
    }


def present_stored(advice: str, rule_codes: list[str], language: str) -> dict[str, object]:
    """Re-present advice saved with a signal (its rule codes), e.g. when the signal is reopened."""
    rules = {r.code: r for r in default_rules().rules}
    reasons = tuple(Reason(c, advice, rules[c].text) for c in rule_codes if c in rules)
    return present(TriageResult(advice, reasons, 0, default_rules().version), language)

"""The identification path as a plain-Python state machine, built from a data definition.

No Django here: the rules (which step may follow which, who may take it, what it needs, which
deadlines it opens or closes, what advice applies) are data, so a fourth identifying party or a
longer reflection period is a change of the JSON file, and the rules can be tested and run
without a database. Services apply the result with the policy and the audit trail.
"""

from __future__ import annotations

import calendar
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIELD_TYPES = frozenset({"date", "choice", "text"})
PARTIES_REF = "@identifying_parties"
STAY = "@stay"  # a step that records something without moving the path (a protection step)


# --- date arithmetic -------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Same day `months` later; a day the target month lacks becomes its last day
    (30 November + 3 months = 28 or 29 February; 31 January + 1 month likewise)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_date(moment: datetime) -> date:
    """The calendar day in the Netherlands: deadlines are Dutch dates, not UTC dates, so a step
    taken at 00:30 Amsterdam time (23:30 UTC the day before) counts from the Dutch day."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed to find the Dutch calendar day")
    return moment.astimezone(AMSTERDAM).date()


# --- errors ----------------------------------------------------------------------------------


class TransitionError(Exception):
    """Base of the machine's refusals; services translate them into Django's errors."""


@dataclass
class UnknownTransition(TransitionError):
    code: str
    state: str
    allowed: list[str]

    def __str__(self) -> str:
        return f"unknown step {self.code!r}; allowed from {self.state!r}: {self.allowed}"


@dataclass
class NotAllowedFrom(TransitionError):
    code: str
    state: str
    allowed: list[str]

    def __str__(self) -> str:
        return f"step {self.code!r} is not possible from {self.state!r}; allowed: {self.allowed}"


@dataclass
class NotPermitted(TransitionError):
    code: str
    organisation_type: str
    role: str

    def __str__(self) -> str:
        return f"{self.role} at {self.organisation_type} may not take step {self.code!r}"


@dataclass
class ConditionNotMet(TransitionError):
    code: str
    unmet: dict[str, object]

    def __str__(self) -> str:
        return f"step {self.code!r} needs {self.unmet}"


@dataclass
class StepsMissing(TransitionError):
    """A step that must wait for others on this case (a minor's protection comes first)."""

    code: str
    missing: list[str]  # codes of the steps still to take, in the definition's order

    def __str__(self) -> str:
        return f"step {self.code!r} waits for {self.missing}"


@dataclass
class AlreadyTaken(TransitionError):
    code: str

    def __str__(self) -> str:
        return f"step {self.code!r} is taken once and was taken"


@dataclass
class FieldErrors(TransitionError):
    code: str
    errors: dict[str, str]  # field name -> error code: required / invalid_date / invalid_choice

    def __str__(self) -> str:
        return f"step {self.code!r}: {self.errors}"


# --- definition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class ActorSpec:
    organisation_type: str
    roles: frozenset[str]


@dataclass(frozen=True)
class DeadlineSpec:
    kind: str
    start: str  # a field name, "@today", or "@previous:<kind>" (the due date it replaces)
    days: int = 0
    months: int = 0
    # The organisation type that must act on it (the IND decides, whoever applied); empty:
    # the organisation that took the step.
    owner: str = ""
    when: dict[str, object] = field(default_factory=dict)  # opens only for these facts


@dataclass(frozen=True)
class Window:
    """A date field allowed only within `days` before an open deadline's due date (a renewal):
    a second renewal on the same day falls outside the window the first one moved."""

    field: str
    deadline: str
    days: int


@dataclass(frozen=True)
class FieldRule:
    """When the fields in `when` hold these choices, the fields in `then` must hold these."""

    when: dict[str, str]
    then: dict[str, str]


@dataclass(frozen=True)
class Prerequisite:
    """For cases whose facts match `when`, these steps must be taken first."""

    when: dict[str, object]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Transition:
    code: str
    sources: frozenset[str]
    target: str  # a state, or STAY: the path stays where it is
    title: dict[str, str]
    actors: tuple[ActorSpec, ...]
    fields: tuple[FieldSpec, ...]
    conditions: dict[str, object]
    opens: tuple[DeadlineSpec, ...]
    closes: frozenset[str]
    # Facts for which the step exists at all (a minor's protection steps): shown and possible
    # only then. `conditions` instead are shown to everyone and refused with the reason.
    applies_when: dict[str, object] = field(default_factory=dict)
    once: bool = False
    requires: tuple[Prerequisite, ...] = ()
    # Date rules: a field not before another field of the step; the step's dates not before
    # those of the steps in `after` (default: the step that led to the current state).
    not_before: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] | None = None
    window: Window | None = None
    field_rules: tuple[FieldRule, ...] = ()
    # A new start (reopening a closed path): not part of the path's course, so the states it
    # leads back to are not "still possible" on the way.
    restart: bool = False
    # "commission": taken by the commission's decision (commission.py), never through apply.
    by: str = ""

    def applies(self, facts: Mapping[str, object]) -> bool:
        return all(facts.get(k) == v for k, v in self.applies_when.items())

    def missing(self, facts: Mapping[str, object], taken: Iterable[str]) -> list[str]:
        done = set(taken)
        missing: list[str] = []
        for need in self.requires:
            if all(facts.get(k) == v for k, v in need.when.items()):
                missing += [c for c in need.steps if c not in done and c not in missing]
        return missing

    def permits(self, organisation_type: str, role: str) -> bool:
        return any(
            a.organisation_type == organisation_type and role in a.roles for a in self.actors
        )


@dataclass(frozen=True)
class State:
    code: str
    title: dict[str, str]
    terminal: bool = False
    htcds_status: str = ""


@dataclass(frozen=True)
class Advice:
    code: str
    when: dict[str, object]
    text: dict[str, str]


@dataclass(frozen=True)
class OpenDeadline:
    kind: str
    due_on: date
    owner: str = ""  # organisation type that must act; empty: the step's organisation


@dataclass(frozen=True)
class HistoryStep:
    """A step taken earlier on the path, as the rules read it: its code and its values."""

    code: str
    values: Mapping[str, object]

    def dates(self) -> list[date]:
        found = []
        for v in self.values.values():
            if isinstance(v, date):
                found.append(v)
            elif isinstance(v, str) and len(v) == 10 and v[4] == "-":
                with contextlib.suppress(ValueError):
                    found.append(date.fromisoformat(v))
        return found


@dataclass(frozen=True)
class Outcome:
    """What taking a step changes; the service writes it."""

    transition: Transition
    source: str
    target: str
    values: dict[str, str]  # cleaned field values, ISO dates and codes only
    opens: tuple[OpenDeadline, ...]
    closes: frozenset[str]  # deadline kinds; "*" closes all


@dataclass
class Machine:
    code: str
    version: int
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    settings: dict[str, object]
    decision_orgs: dict[str, str] = field(default_factory=dict)
    advice: tuple[Advice, ...] = ()
    htcds_rank: dict[str, int] = field(default_factory=dict)

    # -- building --

    @classmethod
    def from_definition(cls, data: Mapping) -> Machine:
        """Build and validate; a broken definition fails loudly at sync time, not mid-case."""
        settings = dict(data.get("settings", {}))
        parties = tuple(_actor(a) for a in data.get("identifying_parties", []))
        states = {
            s["code"]: State(
                code=s["code"],
                title=dict(s.get("title", {})),
                terminal=bool(s.get("terminal")),
                htcds_status=s.get("htcds_status", ""),
            )
            for s in data["states"]
        }
        transitions: dict[str, Transition] = {}
        for t in data["transitions"]:
            actors: list[ActorSpec] = []
            for a in t["actors"]:
                actors.extend(parties if a == PARTIES_REF else (_actor(a),))
            transitions[t["code"]] = Transition(
                code=t["code"],
                sources=frozenset(t["from"]),
                target=t["to"],
                title=dict(t.get("title", {})),
                actors=tuple(actors),
                fields=tuple(
                    FieldSpec(
                        f["name"],
                        f["type"],
                        tuple(f.get("choices", ())),
                        bool(f.get("required", True)),
                    )
                    for f in t.get("fields", [])
                ),
                conditions=dict(t.get("conditions", {})),
                opens=tuple(_deadline(d, settings) for d in t.get("opens_deadlines", [])),
                closes=frozenset(t.get("closes_deadlines", [])),
                applies_when=dict(t.get("applies_when", {})),
                once=bool(t.get("once", False)),
                requires=tuple(
                    Prerequisite(dict(r.get("when", {})), tuple(r["steps"]))
                    for r in t.get("requires_steps", [])
                ),
                not_before=dict(t.get("not_before", {})),
                after=tuple(t["after"]) if "after" in t else None,
                window=_window(t["window"], settings) if "window" in t else None,
                field_rules=tuple(
                    FieldRule(dict(r["if"]), dict(r["then"])) for r in t.get("field_rules", [])
                ),
                restart=bool(t.get("restart", False)),
                by=str(t.get("by", "")),
            )
        machine = cls(
            code=data["code"],
            version=int(data["version"]),
            initial=data.get("initial_state", data["states"][0]["code"]),
            states=states,
            transitions=transitions,
            settings=settings,
            decision_orgs=dict(data.get("htcds_decision_org", {})),
            htcds_rank={k: int(v) for k, v in data.get("htcds_rank", {}).items()},
            advice=tuple(
                Advice(a["code"], dict(a.get("when", {})), dict(a.get("text", {})))
                for a in data.get("advice", [])
            ),
        )
        machine.validate()
        return machine

    def validate(self) -> None:
        problems = []
        if self.initial not in self.states:
            problems.append(f"initial state {self.initial!r} is not a state")
        for t in self.transitions.values():
            for s in sorted(t.sources | ({t.target} - {STAY})):
                if s not in self.states:
                    problems.append(f"{t.code}: unknown state {s!r}")
            for need in t.requires:
                for code in need.steps:
                    if code not in self.transitions or code == t.code:
                        problems.append(f"{t.code}: requires unknown step {code!r}")
            if not t.actors and not t.by:
                problems.append(f"{t.code}: nobody may take it")
            for f in t.fields:
                if f.type not in FIELD_TYPES:
                    problems.append(f"{t.code}: field {f.name} has unknown type {f.type!r}")
                if f.type == "choice" and not f.choices:
                    problems.append(f"{t.code}: choice field {f.name} has no choices")
            names = {f.name for f in t.fields}
            dates = {f.name for f in t.fields if f.type == "date"}
            for a, b in t.not_before.items():
                if a not in dates or b not in dates:
                    problems.append(f"{t.code}: not_before names unknown dates {a!r}, {b!r}")
            if t.window and t.window.field not in dates:
                problems.append(f"{t.code}: window on unknown date {t.window.field!r}")
            for code in t.after or ():
                if code not in self.transitions:
                    problems.append(f"{t.code}: after unknown step {code!r}")
            for rule in t.field_rules:
                for name in [*rule.when, *rule.then]:
                    if name not in names:
                        problems.append(f"{t.code}: field rule on unknown field {name!r}")
            for d in t.opens:
                if not d.start.startswith("@") and d.start not in names:
                    problems.append(f"{t.code}: deadline {d.kind} counts from unknown {d.start!r}")
        if problems:
            raise ValueError(f"{self.code} v{self.version}: " + "; ".join(problems))

    # -- reading --

    def next_steps(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def available_steps(
        self, state: str, facts: Mapping[str, object], taken: Iterable[str] = ()
    ) -> list[Transition]:
        """The next steps this case can have: those for other facts (a minor's protection for
        an adult) and those taken once already are left out."""
        done = set(taken)
        return [
            t
            for t in self.next_steps(state)
            if t.applies(facts) and not (t.once and t.code in done) and not t.by
        ]

    def next_step_codes(self, state: str) -> list[str]:
        return [t.code for t in self.next_steps(state)]

    def steps_for(self, state: str, organisation_type: str, role: str) -> list[Transition]:
        return [t for t in self.next_steps(state) if t.permits(organisation_type, role)]

    def advice_for(self, facts: Mapping[str, object]) -> list[Advice]:
        return [a for a in self.advice if all(facts.get(k) == v for k, v in a.when.items())]

    def outranks(self, new: str, old: str) -> bool:
        """A later, weaker victim status does not replace a stronger one (the commission's
        finding stands against a later threshold decision). Without ranks: the latest wins."""
        if not old or not self.htcds_rank:
            return True
        return self.htcds_rank.get(new, 0) >= self.htcds_rank.get(old, 0)

    def decision_org(self, organisation_type: str) -> str:
        return self.decision_orgs.get(organisation_type, "Other")

    # -- deciding --

    def apply(
        self,
        *,
        state: str,
        code: str,
        organisation_type: str,
        role: str,
        values: Mapping[str, object],
        facts: Mapping[str, object] | None = None,
        today: date,
        open_deadlines: Mapping[str, date] | None = None,
        taken: Iterable[str] = (),
        history: Iterable[HistoryStep] = (),
    ) -> Outcome:
        """Check one step in order (exists, possible from here, who, conditions, steps that
        must come first, fields, dates) and return what it changes. `taken`: codes of the steps
        already taken on this path; `history`: those steps with their values, in order (the
        dates a new step may not precede, and the facts of the criminal case).
        Raises a TransitionError naming what is wrong."""
        history = list(history)
        taken = list(taken) or [h.code for h in history]
        facts = {**(facts or {}), **self.history_facts(history, today)}
        # The steps this case can have from here (not an adult's view of a minor's steps).
        allowed = [t.code for t in self.available_steps(state, facts or {}, taken)]
        transition = self.transitions.get(code)
        if transition is None:
            raise UnknownTransition(code, state, allowed)
        if state not in transition.sources:
            raise NotAllowedFrom(code, state, allowed)
        if not transition.permits(organisation_type, role):
            raise NotPermitted(code, organisation_type, role)
        unmet = {
            k: v
            for k, v in {**transition.applies_when, **transition.conditions}.items()
            if facts.get(k) != v
        }
        if unmet:
            raise ConditionNotMet(code, unmet)
        if transition.once and code in taken:
            raise AlreadyTaken(code)
        missing = transition.missing(facts, taken)
        if missing:
            raise StepsMissing(code, missing)
        cleaned = clean_fields(transition, values)
        self.check_dates(transition, cleaned, today, history, open_deadlines or {})
        opens = []
        # A deadline's `when` reads the facts and this step's own values (a rejected complaint).
        known = {**facts, **cleaned}
        for spec in transition.opens:
            if not all(known.get(k) == v for k, v in spec.when.items()):
                continue
            start = _start_of(spec, cleaned, today, open_deadlines or {})
            due = add_months(start, spec.months) + timedelta(days=spec.days)
            opens.append(OpenDeadline(spec.kind, due, spec.owner))
        return Outcome(
            transition=transition,
            source=state,
            target=state if transition.target == STAY else transition.target,
            values={k: v.isoformat() if isinstance(v, date) else v for k, v in cleaned.items()},
            opens=tuple(opens),
            closes=transition.closes,
        )

    # -- date rules --

    def tolerance_days(self) -> int:
        return int(self.settings.get("date_tolerance_days", 1))  # type: ignore[call-overload]

    def reference_step(
        self, transition: Transition, history: list[HistoryStep]
    ) -> HistoryStep | None:
        """The step whose dates this one may not precede: the latest of `after`, or else the
        step that led to the current state (a step that moves the path)."""
        for h in reversed(history):
            if transition.after is not None:
                if h.code in transition.after:
                    return h
            else:
                known = self.transitions.get(h.code)
                if known is not None and known.target != STAY:
                    return h
        return None

    def check_dates(
        self,
        transition: Transition,
        cleaned: Mapping[str, object],
        today: date,
        history: list[HistoryStep],
        open_deadlines: Mapping[str, date],
    ) -> None:
        errors: dict[str, str] = {}
        latest = today + timedelta(days=self.tolerance_days())
        reference = self.reference_step(transition, history)
        floor = max(reference.dates(), default=None) if reference else None
        for f in transition.fields:
            value = cleaned.get(f.name)
            if not isinstance(value, date):
                continue
            if value > latest:
                errors[f.name] = "in_future"
            elif floor is not None and value < floor:
                errors[f.name] = "before_previous"
        for later, earlier in transition.not_before.items():
            a, b = cleaned.get(later), cleaned.get(earlier)
            if isinstance(a, date) and isinstance(b, date) and a < b and later not in errors:
                errors[later] = "before_field"
        window = transition.window
        if window is not None:
            due = open_deadlines.get(window.deadline)
            value = cleaned.get(window.field)
            if due is None:
                errors.setdefault(window.field, "no_open_deadline")
            elif isinstance(value, date) and not (
                due - timedelta(days=window.days) <= value <= due
            ):
                errors.setdefault(window.field, "outside_window")
        for rule in transition.field_rules:
            if all(cleaned.get(k) == v for k, v in rule.when.items()):
                for name, wanted in rule.then.items():
                    if cleaned.get(name) != wanted:
                        errors.setdefault(name, "does_not_match")
        if errors:
            raise FieldErrors(transition.code, errors)

    # -- facts of the criminal case, read from the steps taken --

    def history_facts(self, history: list[HistoryStep], today: date) -> dict[str, object]:
        """What the prosecution's decisions mean for the permit, from the steps in order: a
        dismissal stands until a complaint (art. 12 Sv) or a prosecution; a rejected complaint
        makes it final; a conviction, or the configured years on B8/3, opens continued
        residence."""
        dismissal = complaint = rejected = convicted = False
        permit_start: date | None = None
        permit = False
        for h in history:
            if h.code == "prosecution_dismiss":
                dismissal, complaint, rejected = True, False, False
            elif h.code == "complaint_file" and dismissal:
                complaint = True
            elif h.code == "complaint_decide" and complaint:
                complaint = False
                rejected = h.values.get("outcome") == "rejected"
                dismissal = rejected
            elif h.code == "prosecution_start":
                dismissal = complaint = rejected = False
            elif h.code == "verdict_record" and h.values.get("verdict") == "conviction":
                convicted = True
            elif h.code == "b83_grant":
                permit = True
                start = h.values.get("permit_starts_on")
                permit_start = date.fromisoformat(str(start)) if start else None
            elif h.code in ("b83_end", "continued_residence_grant"):
                permit = False
        months = int(self.settings.get("continued_residence_after_months", 36))  # type: ignore[call-overload]
        long_enough = bool(permit and permit_start and add_months(permit_start, months) <= today)
        return {
            "permit_running": permit,
            "dismissal_standing": dismissal and not complaint,
            "complaint_running": complaint,
            "complaint_rejected": rejected,
            "dismissal_final": dismissal and not complaint,
            "convicted": convicted,
            "continued_residence_ground": bool(permit and (convicted or long_enough)),
        }

    def broken_conditions(
        self, history: list[HistoryStep], facts: Mapping[str, object], today: date
    ) -> tuple[str, dict[str, object]] | None:
        """After a change of facts: the step that led to the current state, if its conditions
        no longer hold (Dutch after all, lawful residence after all), with what fails."""
        if not history:
            return None
        step = self.reference_step(
            Transition("", frozenset(), "", {}, (), (), {}, (), frozenset()), history
        )
        if step is None or step.code not in self.transitions:
            return None
        transition = self.transitions[step.code]
        merged = {**facts, **self.history_facts(history, today)}
        unmet = {k: v for k, v in transition.conditions.items() if merged.get(k) != v}
        return (step.code, unmet) if unmet else None

    def unmet_conditions(
        self, transition: Transition, facts: Mapping[str, object]
    ) -> dict[str, object]:
        return {k: v for k, v in transition.conditions.items() if facts.get(k) != v}


def clean_fields(transition: Transition, values: Mapping[str, object]) -> dict[str, object]:
    """Required fields, typed: dates as dates, choices from their list. Unknown keys are dropped
    so that nothing but codes and dates reaches the timeline."""
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    for f in transition.fields:
        raw = values.get(f.name)
        if isinstance(raw, str):
            raw = raw.strip()  # blanks are no answer: a police unit of spaces is none
        if raw in (None, ""):
            if f.required:
                errors[f.name] = "required"
            continue
        if f.type == "date":
            try:
                cleaned[f.name] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
            except ValueError:
                errors[f.name] = "invalid_date"
        elif f.type == "choice":
            if str(raw) not in f.choices:
                errors[f.name] = "invalid_choice"
            else:
                cleaned[f.name] = str(raw)
        else:
            cleaned[f.name] = str(raw)[:200]
    if errors:
        raise FieldErrors(transition.code, errors)
    return cleaned


def _start_of(
    spec: DeadlineSpec, cleaned: Mapping[str, object], today: date, previous: Mapping[str, date]
) -> date:
    if spec.start == "@today":
        return today
    if spec.start.startswith("@previous:"):
        # A renewal counts on from the end it replaces, so no day of the permit is lost.
        return previous.get(spec.start.split(":", 1)[1], today)
    value = cleaned[spec.start]
    assert isinstance(value, date)
    return value


def _window(data: Mapping, settings: Mapping[str, object]) -> Window:
    days = data["days"]
    if isinstance(days, str) and days.startswith("@"):
        days = settings[days[1:]]
    return Window(field=data["field"], deadline=data["deadline"], days=int(days))


def _actor(data: Mapping) -> ActorSpec:
    return ActorSpec(data["organisation_type"], frozenset(data["roles"]))


def _deadline(data: Mapping, settings: Mapping[str, object]) -> DeadlineSpec:
    def number(value: object) -> int:
        # "@name" reads a setting, so one number (the reflection period) is configured once.
        if isinstance(value, str) and value.startswith("@"):
            value = settings[value[1:]]
        return int(value)  # type: ignore[call-overload]

    return DeadlineSpec(
        kind=data["kind"],
        start=data["from"],
        days=number(data.get("days", 0)),
        months=number(data.get("months", 0)),
        owner=str(data.get("owner", "")),
        when=dict(data.get("when", {})),
    )


def titles(items: Iterable[Transition], language: str) -> list[str]:
    lang = "en" if language.startswith("en") else "nl"
    # Titles only: the refusal is read on a page, and codes are not words (issue #14).
    return [t.title.get(lang, t.code) for t in items]

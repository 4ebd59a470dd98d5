"""Engagement score definitions: the typed model of a definition file, with every rule of the spec."""

from __future__ import annotations

import builtins
import functools
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from transforms.common.config import StrictConfig, validate_config

Operator = Literal[
    "equals",
    "not_equals",
    "is_any_of",
    "is_none_of",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_known",
    "is_unknown",
]
SINGLE_VALUE = {"equals", "not_equals"}
LIST_VALUE = {"is_any_of", "is_none_of"}
TEXT_VALUE = {"contains", "not_contains", "starts_with", "ends_with"}
NUMERIC = {"gt", "gte", "lt", "lte"}
NO_OPERAND = {"is_known", "is_unknown"}
# Operators whose several values can each be scored (individually) or met once (together).
MULTI_VALUE = {"is_any_of", "contains", "starts_with", "ends_with"}
# A null property fails every operator except these.
NULL_PASSES = {"not_equals", "is_none_of", "not_contains", "is_unknown"}


class DefinitionError(ValueError):
    """A definition file that breaks the rules: names the file, the path inside it and the reason."""


# Whole numbers a filter compares with fit the Int64 columns they are compared to.
Scalar = str | Annotated[int, Field(ge=-(2**63), le=2**63 - 1)] | float


class Filter(StrictConfig):
    property: str = Field(min_length=1)
    operator: Operator
    value: Scalar | None = None
    values: list[Scalar] | None = None

    @model_validator(mode="after")
    def _operand(self) -> Filter:
        op, has_value, has_values = self.operator, self.value is not None, self.values is not None
        if op in NO_OPERAND and (has_value or has_values):
            raise ValueError(f"{op} takes no value")
        if op in SINGLE_VALUE | NUMERIC and (not has_value or has_values):
            raise ValueError(f"{op} takes one `value`")
        if op in LIST_VALUE and (has_value or not has_values):
            raise ValueError(f"{op} takes a list `values`")
        if op in TEXT_VALUE and has_value == has_values:
            raise ValueError(f"{op} takes `value` or `values`")
        if has_values and not self.values:
            raise ValueError("`values` is empty")
        if op in NUMERIC and (isinstance(self.value, bool) or not isinstance(self.value, int | float)):
            raise ValueError(f"{op} takes a numeric value, got {self.value!r}")
        return self

    @builtins.property
    def operands(self) -> list[str]:
        """The operand(s) as trimmed, lower-cased text (how string operators compare)."""
        raw = self.values if self.values is not None else ([] if self.value is None else [self.value])
        return [str(v).strip().lower() for v in raw]

    @builtins.property
    def is_multi_value(self) -> bool:
        return self.operator in MULTI_VALUE and self.values is not None and len(self.values) > 1

    @builtins.property
    def label(self) -> str:
        """The filter as people read it: `meeting_outcome equals completed`, `to_stage is any of a, b`."""
        operand = ", ".join(str(v) for v in (self.values if self.values is not None else [self.value] if self.value is not None else []))
        return " ".join(part for part in (self.property, self.operator.replace("_", " "), operand) if part)


class Decay(StrictConfig):
    percent: int = Field(ge=1, le=100)
    every_months: Literal[1, 3, 6, 12]


# Bounds past any useful score (limits are at most 500): larger numbers are typing slips, and
# refusing them at load keeps every sum of a day's events far inside Int64.
MAX_POINTS = 10_000
MAX_LIMIT_TO = 1_000_000
MAX_WITHIN_DAYS = 36_500
Points = Annotated[int, Field(ge=-MAX_POINTS, le=MAX_POINTS)]


class FrequencyRange(StrictConfig):
    """Points for a number of matching events: `min` to `max` (inclusive; no `max`: and more)."""

    min: int = Field(ge=1, le=MAX_LIMIT_TO)
    max: int | None = Field(default=None, ge=1, le=MAX_LIMIT_TO)
    points: Points

    @model_validator(mode="after")
    def _ordered(self) -> FrequencyRange:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min})")
        if self.points == 0:
            raise ValueError("points must be non-zero")
        return self


class Rule(StrictConfig):
    # The event type an engagement rule counts; a fit rule has none (it reads the record's columns).
    event: str | None = Field(default=None, min_length=1)
    # Points per event, or (`frequency`) points by how many matching events there are.
    points: Points | dict[str, Points] | None = None
    frequency: list[FrequencyRange] | None = Field(default=None, min_length=1)
    filters: list[Filter] = []
    within_days: int | None = Field(default=None, ge=1, le=MAX_WITHIN_DAYS)
    limit_to: int | None = Field(default=None, ge=1, le=MAX_LIMIT_TO)
    scoring: Literal["together", "individually"] = "together"

    @field_validator("event")
    @classmethod
    def _event(cls, value: str | None) -> str | None:
        return None if value is None else value.strip().lower()

    @field_validator("points")
    @classmethod
    def _non_zero(cls, points: int | dict[str, int] | None) -> int | dict[str, int] | None:
        for value in points.values() if isinstance(points, dict) else [] if points is None else [points]:
            if value == 0:
                raise ValueError("points must be non-zero")
        return points

    @model_validator(mode="after")
    def _points_or_frequency(self) -> Rule:
        if (self.points is None) == (self.frequency is None):
            raise ValueError("a rule has `points` or `frequency` (points by the number of events), one of them")
        if self.frequency is None:
            return self
        for i, (low, high) in enumerate(zip(self.frequency, self.frequency[1:], strict=False)):
            if low.max is None or high.min <= low.max:
                raise ValueError(f"frequency[{i + 1}]: ranges go up without overlapping (min {high.min} after {low.min}..{low.max or ''})")
        # What a count of events means beside these has no one reading: refused rather than guessed.
        if self.limit_to is not None:
            raise ValueError("frequency and limit_to: the ranges already say how many events count")
        if self.scoring == "individually" or any(f.is_multi_value for f in self.filters):
            raise ValueError("frequency counts the events matching the rule: a filter with several values would need a count per value")
        return self

    @model_validator(mode="after")
    def _scoring(self) -> Rule:
        multi = [f for f in self.filters if f.is_multi_value]
        if self.scoring == "individually" and len(multi) != 1:
            raise ValueError(
                "scoring: individually needs exactly one filter with several values (is_any_of, contains, starts_with or ends_with)"
            )
        if isinstance(self.points, dict):
            if self.scoring != "individually":
                raise ValueError("a points map needs scoring: individually")
            named = {str(k).strip().lower() for k in self.points}
            wanted = set(multi[0].operands)
            if named != wanted:
                raise ValueError(
                    f"the points map must name every value of the filter exactly: missing {sorted(wanted - named)}, unknown {sorted(named - wanted)}"
                )
        return self

    @property
    def label(self) -> str:
        """The rule as people read it: its event type, filters and window
        (`call where duration_seconds gte 300, last 60 days`)."""
        where = " and ".join(f.label for f in self.filters)
        window = f", last {self.within_days} days" if self.within_days else ""
        if self.event is None:
            return where
        return f"{self.event}{' where ' + where if where else ''}{window}"

    @property
    def multi_value_filter(self) -> Filter | None:
        """The filter whose values are scored one by one (individually) or once (together)."""
        return next((f for f in self.filters if f.is_multi_value), None)

    def points_for(self, value: str | None) -> int:
        """A matching event's points (a frequency rule: 1, each event counts once toward its ranges)."""
        if self.points is None:
            return 1
        if isinstance(self.points, dict):
            if value is None:
                raise ValueError(f"{self.event}: points by value need the value scored")
            return {str(k).strip().lower(): v for k, v in self.points.items()}[value]
        return self.points


class Group(StrictConfig):
    name: str = Field(min_length=1)
    limit: int | None = Field(default=None, ge=1)
    decay: Decay | None = None
    rules: list[Rule] = Field(min_length=1)


class Thresholds(StrictConfig):
    medium: float = Field(gt=0)
    high: float

    @model_validator(mode="after")
    def _order(self) -> Thresholds:
        if not self.medium < self.high:
            raise ValueError("medium must be below high")
        return self


class Records(StrictConfig):
    include_lists: list[str] = []
    exclude_lists: list[str] = []


class Company(StrictConfig):
    aggregation: Literal["sum", "avg", "min", "max"] = "sum"
    association_labels: list[str] = []
    contact_filters: list[Filter] = []


SCORE_TYPES = ("engagement", "fit", "combined")


class ScorePart(StrictConfig):
    """One dimension of a combined score: its own groups and limits, its own bands (which give the
    matrix label), its own score limit (default: the combined score's) and, for engagement, decay."""

    score_limit: int | None = Field(default=None, ge=100, le=500, multiple_of=100)
    thresholds: Thresholds
    decay: Decay | None = None
    groups: list[Group] = Field(min_length=1)


class ScoreDefinition(StrictConfig):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    # engagement: points for events; fit: points for the record's own property values; combined:
    # a fit part and an engagement part, summed (see docs/fit-scores.md).
    type: Literal["engagement", "fit", "combined"] = "engagement"
    object: Literal["contact", "company"]
    status: Literal["active", "inactive", "draft"] = "active"
    score_limit: int = Field(ge=100, le=500, multiple_of=100)
    thresholds: Thresholds | None = None
    records: Records = Records()
    decay: Decay | None = None
    company: Company | None = None
    groups: list[Group] = []
    fit: ScorePart | None = None
    engagement: ScorePart | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ScoreDefinition:
        if self.type == "combined":
            self._combined_parts()
            return self
        if not self.groups:
            raise ValueError("groups: at least one group")
        if self.fit or self.engagement:
            raise ValueError("`fit` and `engagement` parts are for `type: combined`")
        if self.thresholds and self.thresholds.high > self.score_limit:
            raise ValueError(f"thresholds.high must be at most score_limit ({self.score_limit})")
        if self.object == "contact" and self.company is not None:
            raise ValueError("`company` is only for object: company")
        names = [g.name for g in self.groups]
        if len(set(names)) != len(names):
            raise ValueError("group names must be unique")
        for i, group in enumerate(self.groups):
            if group.limit is not None and group.limit > self.score_limit:
                raise ValueError(f"groups[{i}].limit must be at most score_limit ({self.score_limit})")
            if (group.decay or self.decay) and any(r.within_days for r in group.rules):
                raise ValueError(f"groups[{i}] has decay and a rule with within_days; a group cannot mix them")
            if (group.decay or self.decay) and any(r.frequency for r in group.rules):
                raise ValueError(f"groups[{i}] has decay and a frequency rule: a count of events does not decay (use within_days)")
        problems = self._fit_problems() if self.type == "fit" else self._engagement_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _engagement_problems(self) -> list[str]:
        return [
            f"groups[{g}].rules[{r}]: an engagement rule needs `event` (a fit rule reads properties: `type: fit`)"
            for g, group in enumerate(self.groups)
            for r, rule in enumerate(group.rules)
            if rule.event is None
        ]

    def _fit_problems(self) -> list[str]:
        """Why this fit definition cannot be scored: what only events have (an event type, a window,
        `limit_to`, decay) means nothing for a record's properties, and a rule without filters would
        give every record its points."""
        problems = ["decay: a fit score has no decay (properties do not age)"] if self.decay else []
        if self.company and (self.company.aggregation != "sum" or self.company.association_labels or self.company.contact_filters):
            problems.append("company: a company fit score reads the company's own properties, not its contacts")
        for g, group in enumerate(self.groups):
            if group.decay:
                problems.append(f"groups[{g}].decay: a fit score has no decay (properties do not age)")
            for r, rule in enumerate(group.rules):
                where = f"groups[{g}].rules[{r}]"
                kept = [
                    ("event", rule.event),
                    ("within_days", rule.within_days),
                    ("limit_to", rule.limit_to),
                    ("frequency", rule.frequency),
                ]
                problems += [
                    f"{where}.{name}: a fit rule has no {name} (it reads the record's properties)" for name, value in kept if value
                ]
                if not rule.filters:
                    problems.append(f"{where}.filters: a fit rule needs at least one filter on a property")
        return problems

    def _combined_parts(self) -> tuple[ScoreDefinition, ScoreDefinition]:
        """The fit and the engagement part as definitions of their own (`<id>__fit`, `<id>__engagement`)."""
        if self.fit is None or self.engagement is None or self.groups or self.decay:
            raise ValueError("a combined score has a `fit` and an `engagement` part, and no groups or decay of its own")
        made = []
        for kind, part in (("fit", self.fit), ("engagement", self.engagement)):
            data = {
                "id": f"{self.id}__{kind}",
                "name": f"{self.name} ({kind})",
                "type": kind,
                "object": self.object,
                "status": self.status,
                "score_limit": part.score_limit or self.score_limit,
                "thresholds": part.thresholds.model_dump(),
                "records": self.records.model_dump(),
                "decay": part.decay.model_dump() if part.decay else None,
                "company": self.company.model_dump() if self.company and kind == "engagement" else None,
                "groups": [g.model_dump(exclude_none=True) for g in part.groups],
            }
            try:
                made.append(ScoreDefinition.model_validate(data))
            except ValidationError as exc:
                raise ValueError(f"{kind}: {'; '.join(e['msg'].removeprefix('Value error, ') for e in exc.errors())}") from None
        return made[0], made[1]

    @functools.cached_property
    def parts(self) -> tuple[ScoreDefinition, ScoreDefinition]:
        """A combined score's fit and engagement parts, each a definition of its own (validated once:
        every engine step expands combined scores into them)."""
        return self._combined_parts()

    @property
    def rules(self) -> list[Rule]:
        """Every rule of every group (of both parts for a combined score), in reading order."""
        if self.type == "combined":
            return [rule for part in self.parts for rule in part.rules]
        return [rule for group in self.groups for rule in group.rules]

    @property
    def filters(self) -> list[Filter]:
        """Every filter of every rule, in reading order."""
        return [f for rule in self.rules for f in rule.filters]

    @property
    def company_settings(self) -> Company:
        return self.company or Company()

    def group_decay(self, group: Group) -> Decay | None:
        return group.decay or self.decay


def parse_definition(data: Any, source: str) -> ScoreDefinition:
    """Return the validated definition in `data`; errors name `source`, the path and the reason."""
    return validate_config(ScoreDefinition, data, source, DefinitionError, "a definition")


def unmatched_events(definitions: list[ScoreDefinition], event_types: set[str]) -> dict[str, list[str]]:
    """Per definition id, the event types its rules name that `event_types` (those a snapshot holds)
    does not: a misspelt type matches nothing and scores 0 without an error, so it is worth a warning."""
    unmatched = {d.id: sorted({r.event for r in d.rules if r.event is not None} - event_types) for d in definitions}
    return {score_id: events for score_id, events in unmatched.items() if events}

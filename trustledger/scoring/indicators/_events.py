"""What every indicator shares: events, their decay weights, and the result with evidence."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from trustledger.scoring.index import (
    Evidence,
    IndexSettings,
    IndicatorResult,
    decay_weight,
    weighted_mean,
)

NEUTRAL = 50.0


@dataclass(frozen=True, slots=True)
class _Event:
    day: date
    score: float
    description: str
    weight: float = 1.0


type _Weighed = list[tuple[_Event, float]]


def _pass_fail(day: date, passed: bool, description: str, weight: float = 1.0) -> _Event:
    return _Event(day, 100.0 if passed else 0.0, description, weight)


def _known(day: date | None, as_of: date) -> date | None:
    """The date if it was known on as_of, else None: a later fact does not exist yet."""
    return day if day is not None and day <= as_of else None


def _weigh(events: Iterable[_Event | None], as_of: date, settings: IndexSettings) -> _Weighed:
    weighed = []
    for event in filter(None, events):
        age = (as_of - event.day).days
        if 0 <= age <= settings.window_days:
            weighed.append((event, event.weight * decay_weight(age, settings.half_life_days)))
    return [(event, w) for event, w in weighed if w > 0]


def _balanced(parts: Iterable[_Weighed]) -> _Weighed:
    """Give every non-empty part the same total weight, so that e.g. weekly check-ins do not drown
    quarterly business reviews."""
    balanced: _Weighed = []
    for part in parts:
        total = math.fsum(w for _, w in part)
        balanced += [(event, w / total) for event, w in part]
    return balanced


def _result(key: str, weighed: _Weighed) -> IndicatorResult:
    weights = [w for _, w in weighed]
    score = weighted_mean([event.score for event, _ in weighed], weights)
    if score is None:
        return IndicatorResult(key, None)
    total = math.fsum(weights)
    evidence = tuple(
        Evidence(event.day, event.description, w / total * (event.score - NEUTRAL))
        for event, w in sorted(weighed, key=lambda pair: pair[0].day)
    )
    return IndicatorResult(key, min(100.0, max(0.0, score)), evidence)


def _indicator(
    key: str, events: Iterable[_Event | None], as_of: date, settings: IndexSettings
) -> IndicatorResult:
    return _result(key, _weigh(events, as_of, settings))


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something promised to the client by `due`: a commitment, action item or follow-up."""

    description: str
    due: date
    done: date | None = None


def _due_event(item: DueItem, as_of: date) -> _Event | None:
    done = _known(item.done, as_of)
    if item.due > as_of or (done is None and item.due == as_of):
        return None  # not due yet: judged once due
    in_time = done is not None and done <= item.due
    verdict = "done by its due date" if in_time else "not done by its due date"
    return _pass_fail(item.due, in_time, f"{item.description}: {verdict}")

"""The overall score of a relationship health check, its weakest areas, and its trend.

A health check scores questions 1-5, grouped into areas: the three pillars of trust (results,
integrity, concern) and the six trusted-advisor skills. An area's score is the mean of its
answered questions on 0-100 (1 is 0, 5 is 100). The overall score weighs the areas:

    overall = sum(w_a * area_a) / sum(w_a)      over the areas with at least one answer

An unanswered question is left out, never scored as 1 (as the trust index leaves out an indicator
with no data). By default each pillar weighs 2 and each skill 1, so trust and skills count half
each when all are answered. Pure Python: no Django.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from trustledger.scoring.display import round_half_up

MIN_ANSWER, MAX_ANSWER = 1, 5
PILLARS = ("results", "integrity", "concern")
SKILLS = (
    "strategic_thinking",
    "change_management",
    "communication",
    "business_acumen",
    "value",
    "relationships",
)
AREAS = PILLARS + SKILLS
DEFAULT_WEIGHTS: Mapping[str, float] = {**dict.fromkeys(PILLARS, 2.0), **dict.fromkeys(SKILLS, 1.0)}
# An area below this (a mean answer under 3.5 of 5) is a weak spot worth a conversation.
WEAK_BELOW = 62.5
STEADY_WITHIN = 5.0  # points: a smaller change between two checks is noise, not a trend
# The bands of an overall score: strong from 75, fair from 50, weak below (badges, timeline, chart)
STRONG_FROM, FAIR_FROM = 75.0, 50.0

type Direction = Literal["rising", "falling", "steady", "first"]
type HealthBand = Literal["strong", "fair", "weak"]


def health_band(score: float | None) -> HealthBand | None:
    """strong from `STRONG_FROM`, fair from `FAIR_FROM`, weak below; read from the score as shown
    (a whole number, half up), so that a check shown at 75 is strong. None when not scored."""
    if score is None:
        return None
    shown = round_half_up(score)
    return "strong" if shown >= STRONG_FROM else "fair" if shown >= FAIR_FROM else "weak"


def validate_answer(value: object) -> int:
    """``value`` if it is a whole number 1..5 (bools are not answers), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"an answer is a whole number from 1 to 5, got {value!r}")
    if not MIN_ANSWER <= value <= MAX_ANSWER:
        raise ValueError(f"an answer is a whole number from 1 to 5, got {value!r}")
    return value


def to_points(answer: float) -> float:
    """1..5 onto 0..100."""
    return (answer - MIN_ANSWER) / (MAX_ANSWER - MIN_ANSWER) * 100


@dataclass(frozen=True, slots=True)
class HealthScore:
    """``overall`` and ``areas`` on 0-100; None / absent where nothing was answered."""

    overall: float | None
    areas: Mapping[str, float]
    weakest: tuple[str, ...]


def area_scores(answers: Iterable[tuple[str, int | None]]) -> dict[str, float]:
    """Each area's mean answer on 0-100, from ``(area, answer)`` pairs (None: not assessed)."""
    sums: dict[str, list[int]] = {}
    for area, answer in answers:
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r}")
        if answer is not None:
            sums.setdefault(area, []).append(validate_answer(answer))
    return {a: to_points(sum(v) / len(v)) for a, v in sums.items()}


def health_score(
    answers: Iterable[tuple[str, int | None]],
    *,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    weak_below: float = WEAK_BELOW,
    most_weak: int = 3,
) -> HealthScore:
    """The overall score and the weakest areas (lowest first, at most ``most_weak``)."""
    areas = area_scores(answers)
    total = sum(weights.get(a, 0.0) for a in areas)
    overall = sum(weights.get(a, 0.0) * s for a, s in areas.items()) / total if total else None
    return HealthScore(overall, areas, weakest(areas, below=weak_below, most=most_weak))


def weakest(
    areas: Mapping[str, float], *, below: float = WEAK_BELOW, most: int = 3
) -> tuple[str, ...]:
    """The areas scored under ``below``, lowest first (ties in the order of ``AREAS``)."""
    weak = [a for a in AREAS if a in areas and areas[a] < below]
    return tuple(sorted(weak, key=lambda a: areas[a])[:most])


@dataclass(frozen=True, slots=True)
class Trend:
    direction: Direction
    change: float | None  # latest minus the one before, in points

    @property
    def size(self) -> float:
        """How far it moved, in points, whichever way."""
        return abs(self.change or 0.0)


def trend(scores: Sequence[float | None], *, steady_within: float = STEADY_WITHIN) -> Trend:
    """How the latest score compares with the one before it (oldest first; Nones skipped)."""
    known = [s for s in scores if s is not None]
    if len(known) < 2:
        return Trend("first", None)
    change = known[-1] - known[-2]
    if abs(change) < steady_within:
        return Trend("steady", change)
    return Trend("rising" if change > 0 else "falling", change)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 is
    28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])

"""Net Promoter Score with its margin of error, by group and over time.

Answers are whole numbers 0-10: promoters 9-10, passives 7-8, detractors 0-6. Treating each
answer as +1 (promoter), 0 (passive) or -1 (detractor), NPS is 100 times their mean:

    NPS      = 100 * (p_pro - p_det)                               on [-100, 100]
    variance = (p_pro + p_det - (p_pro - p_det) ** 2) / n          of the mean, on [-1, 1]
    MoE      = 1.96 * sqrt(variance) * 100                         95% margin, in NPS points

A small sample's NPS swings a lot, so it is never shown without its margin of error.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, Protocol

type Category = Literal["promoter", "passive", "detractor"]


def validate_score(score: object) -> int:
    """Return `score` if it is an int 0..10 (bools are not answers), else raise ValueError."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError(f"an NPS answer is a whole number from 0 to 10, got {score!r}")
    return score


# The one definition of the categories: every filter (SQL ranges included), badge, follow-up
# and alert reads it, through `category` or these inclusive ranges.
CATEGORY_SCORES: Mapping[Category, tuple[int, int]] = MappingProxyType(
    {"promoter": (9, 10), "passive": (7, 8), "detractor": (0, 6)}
)


def category(score: int) -> Category:
    """promoter for 9-10, passive for 7-8, detractor for 0-6 (`CATEGORY_SCORES`)."""
    validate_score(score)
    return next(name for name, (low, high) in CATEGORY_SCORES.items() if low <= score <= high)


@dataclass(frozen=True, slots=True)
class NpsResult:
    """Counts and NPS; `nps`, `variance` and `margin_of_error` are None when n == 0."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    variance: float | None
    margin_of_error: float | None


def compute_nps(scores: Iterable[int]) -> NpsResult:
    """NPS, its variance and 95% margin of error from 0-10 answers (see the module docstring)."""
    counts = dict.fromkeys(CATEGORY_SCORES, 0)
    for score in scores:
        counts[category(score)] += 1
    return nps_from_counts(counts["promoter"], counts["passive"], counts["detractor"])


def nps_from_counts(promoters: int, passives: int, detractors: int) -> NpsResult:
    """NPS, its variance and margin of error from the number of answers in each category (what
    a database counts with `CATEGORY_SCORES` ranges)."""
    n = promoters + passives + detractors
    if min(promoters, passives, detractors) < 0:
        raise ValueError("answer counts must not be negative")
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, None)
    p_pro, p_det = promoters / n, detractors / n
    variance = max(0.0, p_pro + p_det - (p_pro - p_det) ** 2) / n
    return NpsResult(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        nps=100 * (p_pro - p_det),
        variance=variance,
        margin_of_error=1.96 * math.sqrt(variance) * 100,
    )


def nps_by[K: Hashable](answers: Iterable[tuple[K, int]]) -> dict[K, NpsResult]:
    """NPS per key (client, segment, period...) from (key, score) pairs.

    Keys without answers are absent, never an NPS of zero.
    """
    groups: defaultdict[K, list[int]] = defaultdict(list)
    for key, score in answers:
        groups[key].append(score)
    return {key: compute_nps(scores) for key, scores in groups.items()}


class _Orderable(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


@dataclass(frozen=True, slots=True)
class TrendPoint[P]:
    """NPS of one period and its change in points since the previous period (None for the first)."""

    period: P
    result: NpsResult
    change: float | None


def nps_trend[P: _Orderable](answers: Iterable[tuple[P, int]]) -> list[TrendPoint[P]]:
    """NPS per period, oldest first, from (period, score) pairs.

    A period is any orderable key the caller buckets answers into (a month's first day, "2025-Q1").
    Periods without answers are absent rather than shown as zero.
    """
    points: list[TrendPoint[P]] = []
    previous: float | None = None
    for period, result in sorted(nps_by(answers).items(), key=lambda item: item[0]):
        nps = result.nps
        change = None if previous is None or nps is None else nps - previous
        points.append(TrendPoint(period, result, change))
        previous = nps
    return points

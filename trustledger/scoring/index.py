"""The trust index: indicator weights, time decay, bands, and the explained change.

    index = sum(w_i * s_i) / sum(w_i)   over the indicators i that have data (s_i in [0, 100])

An indicator without data in the window is left out, never scored as zero; confidence is the
share of the total weight that had data, and below `min_confidence` the index is withheld.
"""

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from trustledger.scoring.display import display_index

PILLARS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "results": ("on_time", "budget", "quality", "outcomes"),
        "integrity": ("scope_control", "no_surprises", "commitments"),
        "concern": ("responsiveness", "cadence", "closing_loop"),
        "voice": ("recommendation", "sentiment", "loyalty"),
    }
)
INDICATORS: tuple[str, ...] = tuple(key for keys in PILLARS.values() for key in keys)

type Band = Literal["healthy", "watch", "at_risk", "not_enough_data"]


def decay_weight(age_days: float, half_life_days: float) -> float:
    """Weight of an event `age_days` old: 0.5 ** (age_days / half_life_days).

    An event one half-life old counts half as much as today's, so the index follows the
    relationship as it is now without forgetting the past abruptly. Future events (negative age)
    are a caller bug: point-in-time scoring must have excluded them already.
    """
    if half_life_days <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_days}")
    if age_days < 0:
        raise ValueError(f"event age must not be negative, got {age_days}")
    return float(0.5 ** (age_days / half_life_days))


def weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float | None:
    """sum(w * v) / sum(w); None when the weights sum to zero (no data).

    With `decay_weight` weights this is the decayed mean every indicator uses; with indicator
    weights it is the index itself.
    """
    total = math.fsum(weights)
    if total <= 0:
        return None
    return math.fsum(w / total * v for v, w in zip(values, weights, strict=True))


@dataclass(frozen=True, slots=True)
class Evidence:
    """A dated event behind an indicator score, and how many points it moved the score.

    `impact` is signed: see `indicators` for how it is computed (the impacts of an indicator's
    evidence add up to its score minus the neutral 50).
    """

    date: dt.date
    description: str
    impact: float


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator for one client as of a date; `score` None means no data in the window."""

    key: str
    score: float | None
    evidence: tuple[Evidence, ...] = ()


def _default_weights() -> Mapping[str, float]:
    return MappingProxyType(dict.fromkeys(INDICATORS, 1.0))


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """A workspace's configuration of the index.

    `weights` may name only some indicators: the others keep the default weight 1, and a weight of
    0 switches an indicator off. Unknown keys are rejected, so that a typo cannot silently drop one.
    """

    weights: Mapping[str, float] = field(default_factory=_default_weights)
    window_days: int = 180
    half_life_days: float = 90
    healthy_at: float = 75
    at_risk_below: float = 50
    min_confidence: float = 0.5

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(INDICATORS)
        if unknown:
            raise ValueError(f"unknown indicators in weights: {sorted(unknown)}")
        weights = {**_default_weights(), **self.weights}
        if any(not math.isfinite(w) or w < 0 for w in weights.values()):
            raise ValueError("weights must be finite and non-negative")
        if not any(w > 0 for w in weights.values()):
            raise ValueError("at least one weight must be positive")
        if self.window_days <= 0 or self.half_life_days <= 0:
            raise ValueError("window and half-life must be positive")
        if not 0 <= self.at_risk_below <= self.healthy_at <= 100:
            raise ValueError("thresholds must satisfy 0 <= at_risk_below <= healthy_at <= 100")
        if not 0 <= self.min_confidence <= 1:
            raise ValueError("min_confidence must be within [0, 1]")
        object.__setattr__(self, "weights", MappingProxyType(weights))


@dataclass(frozen=True, slots=True)
class IndexResult:
    """The index for one client as of a date, with what it was computed from.

    `scores` and `weights` cover every indicator (score None = no data), so that two results are
    enough to explain the change between them, even after the weights were reconfigured.
    """

    index: float | None
    confidence: float
    band: Band
    pillar_scores: Mapping[str, float | None]
    scores: Mapping[str, float | None]
    weights: Mapping[str, float]

    def counted(self) -> dict[str, float]:
        """Scores of the indicators that count: with data and a positive weight."""
        return {k: s for k, s in self.scores.items() if s is not None and self.weights[k] > 0}


def band(index: float | None, settings: IndexSettings) -> Band:
    """healthy at or above `healthy_at`, at_risk below `at_risk_below`, watch in between.

    Read from the index as shown (a whole number, `display.display_index`), so that a client
    shown at 75 is healthy, never "75, watch", and anyone can check the band against the
    thresholds on the page.
    """
    shown = display_index(index)
    if shown is None:
        return "not_enough_data"
    if shown >= settings.healthy_at:
        return "healthy"
    if shown < settings.at_risk_below:
        return "at_risk"
    return "watch"


def _scores_by_key(results: Iterable[IndicatorResult]) -> dict[str, float | None]:
    scores: dict[str, float | None] = dict.fromkeys(INDICATORS)
    seen: set[str] = set()
    for result in results:
        if result.key not in scores or result.key in seen:
            raise ValueError(f"unknown or repeated indicator: {result.key!r}")
        if result.score is not None and not 0 <= result.score <= 100:
            raise ValueError(f"{result.key} score {result.score} is outside [0, 100]")
        seen.add(result.key)
        scores[result.key] = result.score
    return scores


def _mean_over(scores: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    keys = list(scores)
    mean = weighted_mean([scores[k] for k in keys], [weights[k] for k in keys])
    return None if mean is None else min(100.0, max(0.0, mean))


def _level(scores: Mapping[str, float], weights: Mapping[str, float], fallback: float) -> float:
    mean = _mean_over(scores, weights)
    return fallback if mean is None else mean


def compute_index(results: Iterable[IndicatorResult], settings: IndexSettings) -> IndexResult:
    """Combine indicator results (missing ones count as no data) into the index.

    confidence = (weight of the indicators with data) / (total weight); below
    `settings.min_confidence` the index is None and the band 'not_enough_data'. Pillar scores are
    the same weighted mean within each pillar (None when none of its indicators has data).
    """
    scores = _scores_by_key(results)
    weights = settings.weights
    counted = {k: s for k, s in scores.items() if s is not None and weights[k] > 0}
    confidence = math.fsum(weights[k] for k in counted) / math.fsum(weights.values())
    index = _mean_over(counted, weights) if confidence >= settings.min_confidence else None
    pillars = {
        name: _mean_over({k: counted[k] for k in keys if k in counted}, weights)
        for name, keys in PILLARS.items()
    }
    return IndexResult(
        index=index,
        confidence=confidence,
        band=band(index, settings),
        pillar_scores=MappingProxyType(pillars),
        scores=MappingProxyType(scores),
        weights=weights,
    )


def contributions(before: IndexResult, after: IndexResult) -> dict[str, float]:
    """Split after.index - before.index into per-indicator contributions that add up to it.

    Let C be the indicators that count in both snapshots, J those that gained data (or weight),
    L those that lost it; a_i = w_i / W over what counts after, b_i likewise before; m_a and m_b
    are the weighted means over C only (after and before), both equal to before.index if C is
    empty. Then, exactly:

        i in C:  a_i/a_C * (s_i' - m_b) - b_i/b_C * (s_i - m_b)   (a_C = sum of a_i over C)
        i in J:  a_i * (s_i' - m_a)    a joiner above the others' level lifts the index
        i in L:  -b_i * (s_i - m_b)    losing an indicator below the others' level lifts it

    The C terms add up to m_a - m_b, the J terms to after.index - m_a, the L terms to
    m_b - before.index. With unchanged weights an indicator in C contributes its share within C
    times its own change, so an indicator whose score did not move contributes exactly 0 even
    when others gained or lost data (the naive w_i*s_i/W_after - w_i*s_i/W_before would blame
    it for the renormalisation). Empty when either snapshot has no index: there is no change.
    """
    if before.index is None or after.index is None:
        return {}
    sb, sa = before.counted(), after.counted()
    wb, wa = before.weights, after.weights
    common = {k: sa[k] for k in sa if k in sb}
    m_b = _level({k: sb[k] for k in common}, wb, fallback=before.index)
    m_a = _level(common, wa, fallback=before.index)
    total_b, total_a = math.fsum(wb[k] for k in sb), math.fsum(wa[k] for k in sa)
    common_b, common_a = math.fsum(wb[k] for k in common), math.fsum(wa[k] for k in common)
    result: dict[str, float] = {}
    for k in sorted(sa.keys() | sb.keys(), key=INDICATORS.index):
        if k in common:
            result[k] = wa[k] / common_a * (sa[k] - m_b) - wb[k] / common_b * (sb[k] - m_b)
        elif k in sa:
            result[k] = wa[k] / total_a * (sa[k] - m_a)
        else:
            result[k] = -wb[k] / total_b * (sb[k] - m_b)
    return result

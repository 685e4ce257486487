"""Statistics for the backtest and the portfolio: ROC AUC, calibration, percentiles, survival."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata


def _scores_and_labels(
    scores: npt.ArrayLike, labels: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels).ravel()
    if s.shape != y.shape:
        raise ValueError(f"{s.size} scores but {y.size} labels")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    return s, y.astype(np.bool_)


def _auc(s: npt.NDArray[np.float64], y: npt.NDArray[np.bool_]) -> float | None:
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = np.asarray(rankdata(s), dtype=np.float64)  # ties get their average rank
    u = float(ranks[y].sum()) - n_pos * (n_pos + 1) / 2
    return u / (n_pos * n_neg)


def roc_auc(scores: npt.ArrayLike, labels: npt.ArrayLike) -> float | None:
    """Area under the ROC curve; None unless both classes are present.

    A higher score must mean "more likely positive" (label 1): to ask how well the trust index
    predicts churn, pass -index or 100 - index. Computed as the Mann-Whitney U statistic over
    n_pos * n_neg: the probability that a random positive outscores a random negative, a tie
    counting one half.
    """
    return _auc(*_scores_and_labels(scores, labels))


def bootstrap_auc_interval(
    scores: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval for the AUC (default 95%); None if no resample had an AUC.

    Resamples drawn with a single class have no AUC and are skipped rather than counted. The
    default seed makes the interval reproducible; pass a Generator to share one stream.
    """
    s, y = _scores_and_labels(scores, labels)
    rng = np.random.default_rng(seed)
    aucs = []
    for _ in range(n_resamples):
        picked = rng.integers(0, s.size, s.size)
        auc = _auc(s[picked], y[picked])
        if auc is not None:
            aucs.append(auc)
    if not aucs:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(aucs, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True, slots=True)
class BandCalibration:
    """How often the outcome happened among the cases in one band (rate None when empty)."""

    band: str
    count: int
    events: int
    rate: float | None


def calibration_by_band(
    bands: Sequence[str], outcomes: Sequence[int], order: Sequence[str] | None = None
) -> list[BandCalibration]:
    """Observed outcome rate per band, in `order` (default: sorted band names).

    With `order` every listed band appears, even with no cases; a band outside it is an error.
    """
    if len(bands) != len(outcomes):
        raise ValueError(f"{len(bands)} bands but {len(outcomes)} outcomes")
    names = list(order) if order is not None else sorted(set(bands))
    if set(bands) - set(names):
        raise ValueError(f"bands outside the order: {sorted(set(bands) - set(names))}")
    rows = []
    for name in names:
        hits = [int(o) for b, o in zip(bands, outcomes, strict=True) if b == name]
        rate = sum(hits) / len(hits) if hits else None
        rows.append(BandCalibration(name, len(hits), sum(hits), rate))
    return rows


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100, linear interpolation); None for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def median(values: Sequence[float]) -> float | None:
    """The median; None for no values."""
    return percentile(values, 50)


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile: what the slowest tenth of cases exceed. None for no values."""
    return percentile(values, 90)


@dataclass(frozen=True, slots=True)
class SurvivalPoint:
    """The survival estimate just after `time`, the number at risk at `time` and events there."""

    time: float
    survival: float
    at_risk: int
    events: int


def kaplan_meier(durations: Sequence[float], observed: Sequence[bool]) -> list[SurvivalPoint]:
    """Kaplan-Meier survival curve: one point per distinct duration, in time order.

    observed[i] is True if case i's event happened (a client was lost) at durations[i], False if it
    was censored (still a client when last seen). S(t) = product over event times t_j <= t of
    (1 - d_j / n_j), n_j being the cases with duration >= t_j. Survival is 1 before the first point;
    censored-only times keep the curve flat but still appear, so it runs to the last observation.
    """
    d = np.asarray(durations, dtype=np.float64)
    e = np.asarray(observed, dtype=np.bool_)
    if d.shape != e.shape or d.ndim != 1:
        raise ValueError("durations and observed must be two sequences of the same length")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError("durations must be finite and non-negative")
    points = []
    survival = 1.0
    for time in np.unique(d):
        at_risk = int(np.count_nonzero(d >= time))
        events = int(np.count_nonzero(e & (d == time)))
        survival *= 1 - events / at_risk
        points.append(SurvivalPoint(float(time), survival, at_risk, events))
    return points

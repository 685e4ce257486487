"""The honest test of the index: did it foresee the clients the firm lost? Pure: no Django.

Each observation is one client at one month end, scored from what was known then, labelled 1 if
the client was lost within the following horizon. The report gives ROC AUC of the risk
(100 - index) with a bootstrap interval, the churn rate by band, and the lead time: how long before
a loss the index first went below the at-risk line. Learned weights come from an L2-regularised
logistic regression on the indicator scores, validated forward in time (train on earlier months,
test on later ones) so no future leaks into the past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from trustledger.scoring.index import INDICATORS
from trustledger.scoring.stats import (
    BandCalibration,
    bootstrap_auc_interval,
    calibration_by_band,
    median,
    roc_auc,
)

BANDS = ("healthy", "watch", "at_risk", "not_enough_data")
NEUTRAL = 50.0


@dataclass(frozen=True)
class Observation:
    month_end: dt.date
    client_id: int
    index: float | None
    band: str
    scores: Mapping[str, float | None]
    lost_within_horizon: bool
    lost_on: dt.date | None


@dataclass(frozen=True)
class LearnedWeights:
    weights: Mapping[str, float]  # non-negative, mean 1 over the indicators that got weight
    auc_learned: float | None  # forward-validated AUC of the learned model
    auc_configured: float | None  # AUC of the configured index on the same test months
    test_observations: int


@dataclass(frozen=True)
class BacktestReport:
    months: int
    observations: int
    scored: int  # observations with an index (enough data)
    losses: int
    auc: float | None
    auc_interval: tuple[float, float] | None
    by_band: list[BandCalibration]
    lead_days_median: float | None
    flagged_before_loss: int  # lost clients that went below the at-risk line before leaving
    lost_clients: int
    learned: LearnedWeights | None = None
    notes: list[str] = field(default_factory=list)


def evaluate(observations: Sequence[Observation], *, seed: int = 0) -> BacktestReport:
    scored = [o for o in observations if o.index is not None]
    risk = [100 - float(o.index) for o in scored if o.index is not None]
    labels = [int(o.lost_within_horizon) for o in scored]
    lead = _lead_times(observations)
    lost_clients = {o.client_id for o in observations if o.lost_on is not None}
    return BacktestReport(
        months=len({o.month_end for o in observations}),
        observations=len(observations),
        scored=len(scored),
        losses=sum(labels),
        auc=roc_auc(risk, labels) if scored else None,
        auc_interval=bootstrap_auc_interval(risk, labels, n_resamples=1000, seed=seed)
        if scored
        else None,
        by_band=calibration_by_band(
            [o.band for o in observations],
            [int(o.lost_within_horizon) for o in observations],
            order=BANDS,
        ),
        lead_days_median=median([float(d) for d in lead.values()]),
        flagged_before_loss=len(lead),
        lost_clients=len(lost_clients),
    )


def _lead_times(observations: Sequence[Observation]) -> dict[int, int]:
    """Days between the first month end in the at-risk band and the loss, per lost client (the
    band as the index's own rule gave it, so the backtest flags what the pages showed)."""
    first_below: dict[int, Observation] = {}
    for o in sorted(observations, key=lambda o: o.month_end):
        if o.lost_on is not None and o.band == "at_risk" and o.client_id not in first_below:
            first_below[o.client_id] = o
    return {cid: (o.lost_on - o.month_end).days for cid, o in first_below.items() if o.lost_on}


def _features(observations: Sequence[Observation]) -> np.ndarray:
    """Indicator scores, a missing one read as neutral 50 plus a 'missing' flag."""
    rows = []
    for o in observations:
        values = [o.scores.get(k) for k in INDICATORS]
        rows.append(
            [NEUTRAL if v is None else float(v) for v in values]
            + [float(v is None) for v in values]
        )
    return np.asarray(rows, dtype=np.float64)


def learn_weights(observations: Sequence[Observation], *, folds: int = 3) -> LearnedWeights | None:
    """Weights from the firm's own history, with their forward-validated AUC.

    Months are split in order into folds + 1 blocks; each fold trains on all earlier blocks and
    tests on the next. None when there are too few losses to learn from.
    """
    from sklearn.linear_model import LogisticRegression

    months = sorted({o.month_end for o in observations})
    y_all = np.asarray([int(o.lost_within_horizon) for o in observations])
    if len(months) < folds + 1 or y_all.sum() < 5:
        return None
    blocks = np.array_split(np.asarray(months, dtype=object), folds + 1)
    learned_scores: list[float] = []
    configured_scores: list[float] = []
    test_labels: list[int] = []
    for k in range(1, folds + 1):
        train_months = {m for b in blocks[:k] for m in b}
        train = [o for o in observations if o.month_end in train_months]
        test = [o for o in observations if o.month_end in set(blocks[k])]
        y = [int(o.lost_within_horizon) for o in train]
        if not test or sum(y) == 0 or sum(y) == len(y):
            continue
        model = LogisticRegression(C=0.1, max_iter=1000).fit(_features(train) / 100, y)
        learned_scores += list(model.predict_proba(_features(test) / 100)[:, 1])
        configured_scores += [100 - (o.index if o.index is not None else NEUTRAL) for o in test]
        test_labels += [int(o.lost_within_horizon) for o in test]
    final = LogisticRegression(C=0.1, max_iter=1000).fit(_features(observations) / 100, y_all)
    return LearnedWeights(
        weights=_coefficients_to_weights(final.coef_[0][: len(INDICATORS)]),
        auc_learned=roc_auc(learned_scores, test_labels) if test_labels else None,
        auc_configured=roc_auc(configured_scores, test_labels) if test_labels else None,
        test_observations=len(test_labels),
    )


def _coefficients_to_weights(coef: np.ndarray) -> dict[str, float]:
    """A higher score should lower the risk of loss: weight = the size of a negative coefficient.

    Indicators whose higher scores went with more losses get weight 0 (not trusted as a signal).
    """
    raw = np.clip(-coef, 0, None)
    if raw.sum() <= 0:
        return dict.fromkeys(INDICATORS, 1.0)
    positive = raw[raw > 0]
    scale = positive.mean()
    return {k: round(float(w / scale), 2) for k, w in zip(INDICATORS, raw, strict=True)}

"""Our survival curves, repeat-purchase summary and AUC against independent implementations:
lifelines' Kaplan-Meier, lifetimes' summary_data_from_transaction_data on the CDNOW sample that
ships inside lifetimes, and scikit-learn's roc_auc_score (all test-only dependencies)."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import random

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifetimes.utils import summary_data_from_transaction_data
from sklearn.metrics import roc_auc_score

from trustledger.scoring import portfolio
from trustledger.scoring.repeat import repeat_summary
from trustledger.scoring.stats import kaplan_meier, roc_auc


def _lifelines_curve(durations, observed):
    fitted = KaplanMeierFitter().fit(durations, observed)
    return fitted.survival_function_["KM_estimate"]


@pytest.mark.parametrize("seed", range(5))
def test_kaplan_meier_matches_lifelines_on_random_client_lifespans(seed):
    rng = random.Random(seed)
    as_of = dt.date(2026, 6, 30)
    spans = []
    for _ in range(300):
        start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1900))
        lost = start + dt.timedelta(days=rng.randrange(1, 1500)) if rng.random() < 0.4 else None
        spans.append(portfolio.Lifespan(start, lost))
    durations, observed = portfolio.survival_inputs(spans, as_of)

    ours = kaplan_meier(durations, observed)
    theirs = _lifelines_curve(durations, observed)

    for point in ours:
        assert point.survival == pytest.approx(theirs.loc[point.time], abs=1e-12)
    assert len(ours) == len(theirs) - (0.0 not in {p.time for p in ours})  # lifelines adds t=0


def test_kaplan_meier_matches_lifelines_with_ties_and_censoring_at_the_same_time():
    durations = [5, 5, 5, 8, 8, 12, 12, 12, 20, 0]
    observed = [True, False, True, True, False, False, True, True, False, True]
    theirs = _lifelines_curve(durations, observed)
    for point in kaplan_meier(durations, observed):
        assert point.survival == pytest.approx(theirs.loc[point.time], abs=1e-12)


def _cdnow() -> pd.DataFrame:
    path = importlib.resources.files("lifetimes") / "datasets" / "CDNOW_sample.txt"
    with importlib.resources.as_file(path) as file:
        frame = pd.read_csv(
            file, sep=r"\s+", header=None, names=["customer", "index", "date", "qty", "amount"]
        )
    frame["date"] = pd.to_datetime(frame["date"].astype(str), format="%Y%m%d")
    return frame


@pytest.mark.parametrize(
    ("freq", "end"), [("D", "1997-09-30"), ("W", "1997-09-30"), ("D", "1997-06-30")]
)
def test_repeat_summary_matches_lifetimes_on_the_cdnow_sample(freq, end):
    frame = _cdnow()
    theirs = summary_data_from_transaction_data(
        frame, "customer", "date", observation_period_end=end, freq=freq
    )
    transactions = zip(frame["customer"], (d.date() for d in frame["date"]), strict=True)

    ours = repeat_summary(transactions, dt.date.fromisoformat(end), freq)

    assert len(theirs) > 2000
    assert set(ours) == set(theirs.index)
    for customer, row in theirs.iterrows():
        mine = ours[customer]
        expected = (row["frequency"], row["recency"], row["T"])
        assert (mine.frequency, mine.recency, mine.T) == expected


@pytest.mark.parametrize("seed", range(5))
def test_roc_auc_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 400)
    scores = np.round(rng.normal(labels * 0.8, 1.0), 1)  # rounded: plenty of ties
    assert roc_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)

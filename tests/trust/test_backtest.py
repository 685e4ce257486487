"""The backtest: pure evaluation on hand-made observations, and a run on the demo firm."""

import datetime as dt

import pytest

from trustledger.demo import generate_demo_firm
from trustledger.scoring.backtest import Observation, evaluate, learn_weights
from trustledger.scoring.index import IndexSettings, band
from trustledger.trust.backtest import month_ends, run_backtest


def obs(month, client, index, lost_on=None, horizon=180):
    end = dt.date(2026, month, 28)
    lost = lost_on is not None and end < lost_on <= end + dt.timedelta(days=horizon)
    shown = band(index, IndexSettings())
    return Observation(end, client, index, shown, {"on_time": index}, lost, lost_on)


def test_a_perfect_index_scores_an_auc_of_one_and_reports_lead_time():
    lost = dt.date(2026, 5, 1)
    observations = [obs(1, 1, 90), obs(1, 2, 30, lost), obs(2, 1, 85), obs(2, 2, 20, lost)]
    report = evaluate(observations)
    assert report.auc == 1.0
    assert report.losses == 2
    assert report.flagged_before_loss == 1
    assert report.lead_days_median == (lost - dt.date(2026, 1, 28)).days
    healthy = next(b for b in report.by_band if b.band == "healthy")
    assert (healthy.count, healthy.events) == (2, 0)


def test_a_lost_client_counts_as_flagged_only_when_its_band_was_at_risk():
    lost = dt.date(2026, 5, 1)
    report = evaluate([obs(1, 1, 49.6, lost), obs(2, 1, 49.5, lost), obs(3, 1, 49.4, lost)])
    # 49.6 and 49.5 show as 50, in the watch band: only March, shown as 49, was at risk
    assert report.flagged_before_loss == 1
    assert report.lead_days_median == (lost - dt.date(2026, 3, 28)).days


def test_observations_without_an_index_are_left_out_of_the_auc():
    report = evaluate([obs(1, 1, 90), obs(1, 2, None, dt.date(2026, 3, 1)), obs(1, 3, 40)])
    assert report.scored == 2


def test_month_ends_are_oldest_first_and_real_month_ends():
    assert month_ends(dt.date(2026, 3, 15), 3) == [
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
    ]
    assert month_ends(dt.date(2026, 3, 31), 1) == [dt.date(2026, 3, 31)]


def test_learning_needs_enough_losses():
    assert learn_weights([obs(m, 1, 80) for m in range(1, 9)]) is None


@pytest.mark.django_db
def test_on_the_demo_firm_the_index_foresees_losses_better_than_chance():
    workspace = generate_demo_firm(seed=7, today=dt.date(2026, 11, 1))
    report = run_backtest(workspace, months=24, today=dt.date(2026, 11, 1))
    assert report.losses > 0
    assert report.auc is not None and report.auc > 0.6
    assert report.auc_interval[0] <= report.auc <= report.auc_interval[1]
    assert report.learned is not None
    assert all(w >= 0 for w in report.learned.weights.values())

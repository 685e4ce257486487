"""The new portfolio measures on hand-computed examples (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from trustledger.scoring import portfolio as m
from trustledger.scoring.repeat import repeat_summary

D = dt.date


def test_revenue_retention_caps_each_client_for_gross_and_not_for_net():
    before = {1: 100.0, 2: 200.0, 3: 50.0, 4: 0.0}  # 4 brought nothing: not in the cohort
    now = {1: 150.0, 2: 120.0, 5: 999.0}  # 3 churned; 5 is new: in neither
    r = m.revenue_retention(before, now)
    assert (r.cohort, r.start_revenue, r.churned) == (3, 350, 1)
    assert r.kept_revenue == 220  # min(150,100) + min(120,200) + 0
    assert r.grr == pytest.approx(220 / 350)
    assert r.nrr == pytest.approx(270 / 350)  # 150 + 120 + 0


def test_revenue_retention_is_undefined_without_a_cohort():
    r = m.revenue_retention({}, {1: 10.0})
    assert (r.grr, r.nrr) == (None, None)


def test_repeat_business_shares_and_median_gap():
    r = m.repeat_business(
        clients=8, repeat_clients=3, gaps_days=[30, 90, 400], revenue=1000, existing_revenue=750
    )
    assert r.repeat_share == pytest.approx(3 / 8)
    assert r.median_days_to_next == 90
    assert r.existing_share == pytest.approx(0.75)
    assert (
        m.repeat_business(
            clients=0, repeat_clients=0, gaps_days=[], revenue=0, existing_revenue=0
        ).repeat_share
        is None
    )
    with pytest.raises(ValueError, match="repeat"):
        m.repeat_business(clients=1, repeat_clients=2, gaps_days=[], revenue=0, existing_revenue=0)


def test_referrals_conversion_and_revenue_share():
    r = m.referrals(given=4, received=5, converted=2, referred_revenue=300, revenue=1200)
    assert r.conversion_rate == pytest.approx(0.4)
    assert r.revenue_share == pytest.approx(0.25)
    assert m.referrals(given=0, received=0, converted=0, referred_revenue=0, revenue=0) == (
        m.Referrals(0, 0, 0, None, 0, None)
    )


def test_theme_shares_per_bucket_including_empty_ones():
    jan, feb, mar = D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)
    rows = [(jan, "deadlines", 3), (jan, "quality", 1), (mar, "praise", 2), (mar, "unknown", 9)]
    out = m.theme_shares(rows, ["deadlines", "quality", "praise"], [jan, feb, mar])
    assert [b.comments for b in out] == [4, 0, 2]
    assert out[0].shares == {"deadlines": 0.75, "quality": 0.25, "praise": 0.0}
    assert out[1].shares["deadlines"] == 0.0
    assert out[2].shares["praise"] == 1.0


def test_buckets_by_month_and_quarter():
    assert m.buckets(D(2025, 11, 24), D(2026, 2, 3), "month") == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]
    assert m.buckets(D(2025, 11, 24), D(2026, 4, 1), "quarter") == [
        D(2025, 10, 1),
        D(2026, 1, 1),
        D(2026, 4, 1),
    ]
    assert m.bucket_end(D(2025, 10, 1), "quarter") == D(2025, 12, 31)
    assert m.bucket_label(D(2026, 4, 1), "quarter") == "2026 Q2"
    assert m.bucket_label(D(2026, 4, 1), "month") == "Apr 2026"


def test_survival_inputs_censor_active_clients_and_ignore_later_losses():
    as_of = D(2026, 1, 1)
    spans = [
        m.Lifespan(D(2025, 1, 1), D(2025, 7, 1)),  # lost: event at 181 days
        m.Lifespan(D(2025, 1, 1), None),  # active: censored at 365
        m.Lifespan(D(2025, 6, 1), D(2026, 3, 1)),  # lost after as_of: censored at 214
        m.Lifespan(D(2026, 2, 1), None),  # starts later: left out
    ]
    assert m.survival_inputs(spans, as_of) == ([181.0, 365.0, 214.0], [True, False, False])


def test_success_by_group():
    ok = m.ProjectOutcome(on_time=True, within_budget=True, quality=True)
    late = m.ProjectOutcome(on_time=False, within_budget=None, quality=True)
    rates = m.success_by([("fixed", ok), ("fixed", late), ("retainer", late)])
    assert rates["fixed"].on_time == 0.5
    assert rates["fixed"].all_three == 1.0  # one budgeted engagement, successful
    assert rates["retainer"].within_budget is None


def test_repeat_summary_by_hand():
    txns = [
        ("a", D(2026, 1, 1)),
        ("a", D(2026, 1, 1)),  # same day: once
        ("a", D(2026, 1, 11)),
        ("a", D(2026, 1, 31)),
        ("b", D(2026, 1, 20)),
        ("c", D(2026, 3, 1)),  # after the end: left out
    ]
    out = repeat_summary(txns, D(2026, 2, 1))
    assert (out["a"].frequency, out["a"].recency, out["a"].T) == (2, 30, 31)
    assert (out["b"].frequency, out["b"].recency, out["b"].T) == (0, 0, 12)
    assert "c" not in out
    weekly = repeat_summary(txns, D(2026, 2, 1), "W")  # 1 Jan 2026 is a Thursday
    assert (weekly["a"].frequency, weekly["a"].recency) == (2, 4)

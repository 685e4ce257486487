"""Portfolio measures on hand-computed examples."""

from __future__ import annotations

import datetime as dt

import pytest

from trustledger.scoring.portfolio import (
    ClientEconomics,
    MilestoneFact,
    ProjectOutcome,
    delivered_on_time,
    effort_heavy,
    met_quality,
    pareto,
    profitability,
    quadrant,
    retention,
    success_rates,
    within_budget,
)


def test_crr_subtracts_new_clients_from_those_at_the_end():
    # 20 at the start, 5 new, 22 at the end: (22 - 5) / 20 = 0.85
    r = retention(at_start=20, new=5, at_end=22, retained=18)
    assert r.crr == pytest.approx(0.85)
    assert r.logo_retention == pytest.approx(0.9)


def test_crr_and_logo_retention_differ_when_a_new_client_is_lost_in_the_period():
    # 10 at start, 2 lost of them; 3 new, 1 of which also lost: E = 8 + 2 = 10
    r = retention(at_start=10, new=3, at_end=10, retained=8)
    assert r.crr == pytest.approx(0.7)
    assert r.logo_retention == pytest.approx(0.8)


def test_retention_is_unknown_without_clients_at_the_start():
    r = retention(at_start=0, new=4, at_end=4, retained=0)
    assert r.crr is None
    assert r.logo_retention is None


def test_retention_refuses_impossible_counts():
    with pytest.raises(ValueError, match="retained"):
        retention(at_start=2, new=0, at_end=2, retained=3)


ROWS = [
    ClientEconomics(1, hours=100, cost=8000, revenue=10000),
    ClientEconomics(2, hours=50, cost=4000, revenue=12000),
    ClientEconomics(3, hours=30, cost=2400, revenue=6000),
    ClientEconomics(4, hours=20, cost=1600, revenue=2000),
]


def test_profitability_gives_margin_and_shares_largest_effort_first():
    rows = profitability(ROWS)
    assert [r.client_id for r in rows] == [1, 2, 3, 4]
    first = rows[0]
    assert first.margin == 2000
    assert first.margin_pct == pytest.approx(20.0)
    assert first.effort_share == pytest.approx(0.5)  # 100 / 200 hours
    assert first.revenue_share == pytest.approx(10000 / 30000)
    assert rows[1].margin_pct == pytest.approx(100 * 8000 / 12000)


def test_profitability_without_billing_has_no_margin_percentage():
    (row,) = profitability([ClientEconomics(1, hours=0, cost=0, revenue=0)])
    assert row.margin_pct is None
    assert row.effort_share is None
    assert row.revenue_share is None


def test_effort_heavy_clients_take_far_more_effort_than_the_revenue_they_bring():
    # effort / revenue shares: 1: 0.5 / 0.333 (1.5x), 2: 0.25 / 0.4, 3: 0.15 / 0.2, 4: 0.1 / 0.067
    profits = profitability(ROWS)
    assert [p.client_id for p in effort_heavy(profits, ratio=1.4)] == [1, 4]
    assert effort_heavy(profits, ratio=1.6) == []
    assert [p.client_id for p in effort_heavy(profits, ratio=1.4, min_effort_share=0.2)] == [1]


def test_pareto_top_quarter_by_effort():
    # 4 clients: the top 25% is 1 client with 100 of 200 hours and 10000 of 30000 billed
    p = pareto(ROWS)
    assert (p.clients, p.top_clients) == (4, 1)
    assert p.effort_share == pytest.approx(0.5)
    assert p.revenue_share == pytest.approx(1 / 3)


def test_pareto_rounds_the_top_group_up():
    # 5 clients: ceil(1.25) = 2 clients, 150 of 205 hours, 22000 of 30500 billed
    p = pareto([*ROWS, ClientEconomics(5, hours=5, cost=0, revenue=500)])
    assert p.top_clients == 2
    assert p.effort_share == pytest.approx(150 / 205)
    assert p.revenue_share == pytest.approx(22000 / 30500)


def test_pareto_of_no_clients_is_empty():
    p = pareto([])
    assert (p.clients, p.top_clients, p.effort_share, p.revenue_share) == (0, 0, None, None)


@pytest.mark.parametrize(
    ("trust", "margin", "expected"),
    [
        (80, 40, "keep_and_grow"),
        (75, 30, "keep_and_grow"),  # both thresholds are inclusive
        (90, 10, "fix_the_economics"),
        (60, 50, "protect"),
        (40, 5, "rethink"),
        (None, 50, None),
        (80, None, None),
    ],
)
def test_quadrant_places_clients_by_trust_and_margin(trust, margin, expected):
    assert quadrant(trust, margin, margin_threshold=30) == expected


def test_quadrant_reads_trust_as_the_index_is_shown_like_the_band():
    # 74.5 shows as 75, in the healthy band: high trust here too
    assert quadrant(74.5, 40, margin_threshold=30) == "keep_and_grow"
    assert quadrant(74.4, 40, margin_threshold=30) == "protect"


def test_quadrant_needs_a_margin_threshold():
    assert quadrant(80, 40, margin_threshold=None) is None


D = dt.date


def test_on_time_allows_the_buffer_and_ignores_cancelled_milestones():
    milestones = [
        MilestoneFact(D(2026, 3, 2), 5, D(2026, 3, 7)),  # last day of the buffer
        MilestoneFact(D(2026, 4, 1), 0, None, cancelled=True),
    ]
    assert delivered_on_time(milestones, closed_on=D(2026, 5, 1), end_date=D(2026, 4, 30))


def test_a_milestone_late_past_its_buffer_or_undelivered_is_not_on_time():
    late = [MilestoneFact(D(2026, 3, 2), 5, D(2026, 3, 8))]
    missing = [MilestoneFact(D(2026, 3, 2), 5, None)]
    for milestones in (late, missing):
        assert not delivered_on_time(milestones, closed_on=None, end_date=D(2026, 4, 30))


def test_without_milestones_on_time_means_closed_by_the_planned_end():
    assert delivered_on_time([], closed_on=D(2026, 4, 30), end_date=D(2026, 4, 30))
    assert not delivered_on_time([], closed_on=D(2026, 5, 1), end_date=D(2026, 4, 30))


def test_budget_and_quality_rules():
    assert within_budget(60000, 60000) is True
    assert within_budget(60000.01, 60000) is False
    assert within_budget(100, 0) is None
    assert met_quality(severe_client_issues=0, first_reviews_returned=0)
    assert not met_quality(severe_client_issues=1, first_reviews_returned=0)
    assert not met_quality(severe_client_issues=0, first_reviews_returned=1)


def test_success_rates_count_budget_rates_over_budgeted_engagements_only():
    outcomes = [
        ProjectOutcome(on_time=True, within_budget=True, quality=True),
        ProjectOutcome(on_time=True, within_budget=False, quality=True),
        ProjectOutcome(on_time=False, within_budget=True, quality=False),
        ProjectOutcome(on_time=True, within_budget=None, quality=True),
    ]
    r = success_rates(outcomes)
    assert (r.engagements, r.with_budget) == (4, 3)
    assert r.on_time == pytest.approx(3 / 4)
    assert r.quality == pytest.approx(3 / 4)
    assert r.within_budget == pytest.approx(2 / 3)
    assert r.all_three == pytest.approx(1 / 3)


def test_success_rates_of_nothing_are_unknown():
    r = success_rates([])
    assert (r.on_time, r.within_budget, r.quality, r.all_three) == (None, None, None, None)

"""Claims count from when they were recorded, and overruns from the day they happened (issue 14).

Pure: the notice rule (`Told`) and the overrun timing (`overruns.first_overrun`), no database.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import SETTINGS, T, days
from trustledger.scoring import indicators as ind
from trustledger.scoring.overruns import Overrun, Spending, first_overrun

WHEN = {"as_of": T, "settings": SETTINGS}
WINDOW = days(-170, 0)


def ago(n: int) -> date:
    return T - timedelta(days=n)


def no_surprises(*slips: ind.Slip) -> float | None:
    return ind.no_surprises(slips, **WHEN).score


# Notices: the later of the day claimed and the day recorded


def test_a_notice_recorded_after_the_slip_and_dated_before_it_is_not_notice_in_advance():
    """The issue's case: recorded today, dated a month ago, for a slip 16 days ago."""
    told = ind.Told(claimed_on=ago(30), recorded_on=T)
    result = ind.no_surprises([ind.Slip("Go-live slipped", ago(16), told)], **WHEN)

    assert result.score == 0
    (evidence,) = result.evidence
    assert "client not told beforehand" in evidence.description
    assert "counted from its recording" in evidence.description


def test_a_notice_counts_from_its_recording_when_that_is_later_than_its_date():
    told = ind.Told(claimed_on=ago(30), recorded_on=ago(20))  # 4 days before the slip
    result = ind.no_surprises([ind.Slip("Slip", ago(16), told)], **WHEN)

    assert result.score == pytest.approx(50 + 50 * 4 / ind.FULL_NOTICE_DAYS)
    assert "client told 4 days before" in result.evidence[0].description


def test_a_notice_recorded_the_day_it_was_sent_counts_from_that_day():
    told = ind.Told(claimed_on=ago(30), recorded_on=ago(30))

    assert no_surprises(ind.Slip("Slip", ago(16), told)) == 100
    assert ind.Slip("Slip", ago(16), told).told_on == ago(30)


def test_the_first_notice_is_the_one_that_counts_first_not_the_one_dated_first():
    backdated = ind.Told(claimed_on=ago(40), recorded_on=ago(2))
    honest = ind.Told(claimed_on=ago(20), recorded_on=ago(20))

    assert ind.first_told([backdated, honest]) == honest
    assert ind.first_told([]) is None


@given(happened=WINDOW, claimed=WINDOW, recorded=WINDOW)
def test_a_claimed_date_earlier_than_its_recording_earns_no_extra_lead_time(
    happened, claimed, recorded
):
    claim = ind.Told(claimed_on=min(claimed, recorded), recorded_on=recorded)
    honest = ind.Told(claimed_on=recorded, recorded_on=recorded)

    assert no_surprises(ind.Slip("S", happened, claim)) == no_surprises(
        ind.Slip("S", happened, honest)
    )


@given(happened=WINDOW, claimed=WINDOW, recorded=WINDOW, earlier=st.integers(1, 60))
def test_once_a_notice_is_dated_before_its_recording_dating_it_earlier_changes_nothing(
    happened, claimed, recorded, earlier
):
    on_record = ind.Told(claimed_on=min(claimed, recorded), recorded_on=recorded)
    earlier_still = ind.Told(on_record.claimed_on - timedelta(days=earlier), recorded)

    assert no_surprises(ind.Slip("S", happened, earlier_still)) == no_surprises(
        ind.Slip("S", happened, on_record)
    )


@given(notices=st.lists(st.builds(ind.Told, WINDOW, WINDOW), max_size=5))
def test_the_first_notice_counts_from_the_earliest_recorded_claim(notices):
    first = ind.first_told(notices)

    if notices:
        assert first is not None
        assert first.counts_from == min(max(n.claimed_on, n.recorded_on) for n in notices)
    else:
        assert first is None


# Overruns: the day the cost passed the budget, or the forecast passed it by the threshold


def test_an_overrun_is_timed_from_the_day_the_cost_passed_the_budget_not_the_close():
    """The issue's case: billed twice the budget by 10 Sep; the cost passed it on 20 Aug."""
    costs = [(date(2026, 7, 20), 5_000.0), (date(2026, 8, 20), 5_001.0)]
    costs += [(date(2026, 9, 10), 10_000.0)]

    overrun = first_overrun(Spending(10_000.0, costs=costs), until=date(2026, 11, 30))

    assert overrun == Overrun(date(2026, 8, 20), forecast=False)


def test_spending_exactly_the_budget_is_not_an_overrun():
    costs = [(date(2026, 7, 20), 0.1)] * 3 + [(date(2026, 7, 21), 10_000.0 - 0.3)]

    assert first_overrun(Spending(10_000.0, costs=costs), until=date(2026, 12, 1)) is None


def test_a_forecast_past_the_threshold_times_the_overrun_before_the_cost_passes():
    # two milestones; the first delivered on 1 Jun when 6,000 of 10,000 is spent: EAC 12,000
    spending = Spending(
        10_000.0,
        costs=[(date(2026, 5, 15), 6_000.0), (date(2026, 7, 1), 5_000.0)],
        deliveries=[date(2026, 6, 1)],
        milestones=2,
    )

    assert first_overrun(spending, until=date(2026, 8, 1)) == Overrun(date(2026, 6, 1), True)
    assert first_overrun(spending, until=date(2026, 5, 31)) is None


def test_work_between_deliveries_is_not_a_forecast_overrun():
    # the first of two milestones earned 5,000 for 5,000 spent; 1,000 more before the second
    # would read as CPI 0.83 on any day before it is delivered, but nothing was earned yet
    spending = Spending(
        10_000.0,
        costs=[(date(2026, 5, 15), 5_000.0), (date(2026, 6, 10), 1_000.0)],
        deliveries=[date(2026, 6, 1)],
        milestones=2,
    )

    assert first_overrun(spending, until=date(2026, 6, 30)) is None


def test_a_forecast_under_the_threshold_is_not_an_overrun():
    spending = Spending(
        10_000.0,
        costs=[(date(2026, 5, 15), 5_400.0)],  # EAC 10,800: 8% over
        deliveries=[date(2026, 6, 1)],
        milestones=2,
    )

    assert first_overrun(spending, until=date(2026, 8, 1)) is None


def test_a_change_request_raises_the_budget_from_the_day_it_counts():
    costs = [(date(2026, 3, 1), 9_000.0), (date(2026, 4, 1), 2_000.0)]
    in_time = Spending(10_000.0, raises=[(date(2026, 3, 15), 5_000.0)], costs=costs)
    too_late = Spending(10_000.0, raises=[(date(2026, 4, 2), 5_000.0)], costs=costs)

    assert first_overrun(in_time, until=date(2026, 5, 1)) is None
    assert first_overrun(too_late, until=date(2026, 5, 1)) == Overrun(date(2026, 4, 1), False)


COSTS = st.lists(
    st.tuples(days(-300, 0), st.floats(0, 5_000, allow_nan=False)), min_size=1, max_size=12
)


@given(costs=COSTS, budget=st.floats(1, 20_000, allow_nan=False))
def test_without_deliveries_the_overrun_is_the_first_day_the_running_cost_passed_the_budget(
    costs, budget
):
    overrun = first_overrun(Spending(budget, costs=costs), until=T)

    running, expected = 0.0, None
    for day in sorted({d for d, _ in costs}):
        running += sum(amount for d, amount in costs if d == day)
        if running > budget + 0.005:
            expected = day
            break
    assert (overrun.day if overrun else None) == expected


@given(costs=COSTS, budget=st.floats(1, 20_000, allow_nan=False), until=days(-300, 0))
def test_an_overrun_never_comes_from_costs_after_the_date(costs, budget, until):
    known = [(d, a) for d, a in costs if d <= until]

    assert first_overrun(Spending(budget, costs=costs), until=until) == first_overrun(
        Spending(budget, costs=known), until=until
    )


@given(
    costs=COSTS,
    deliveries=st.lists(days(-300, 0), max_size=4),
    budget=st.floats(1, 20_000, allow_nan=False),
)
def test_a_forecast_overrun_is_dated_on_a_delivery_and_never_after_the_cost_passed(
    costs, deliveries, budget
):
    with_forecast = first_overrun(
        Spending(budget, costs=costs, deliveries=deliveries, milestones=4), until=T
    )
    cost_only = first_overrun(Spending(budget, costs=costs), until=T)

    if with_forecast is not None and with_forecast.forecast:
        assert with_forecast.day in deliveries
    if cost_only is not None:  # the forecast can only bring the overrun forward
        assert with_forecast is not None and with_forecast.day <= cost_only.day

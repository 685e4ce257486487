from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustledger.scoring.evm import (
    EvmInputs,
    PlannedMilestone,
    budget_verdict,
    burn_rate,
    compute_evm,
    linear_planned_value,
    milestone_planned_value,
    overrun_from_cpi,
    performance,
    schedule_verdict,
)


def test_the_textbook_example_gives_the_hand_computed_figures():
    # BAC 100,000; PV 50,000; EV 40,000; AC 45,000
    result = compute_evm(
        EvmInputs(bac=100_000, planned_value=50_000, earned_value=40_000, actual_cost=45_000)
    )

    assert result.cost_variance == -5_000  # 40,000 - 45,000
    assert result.schedule_variance == -10_000  # 40,000 - 50,000
    assert result.cpi == pytest.approx(0.888_889, abs=1e-6)  # 40,000 / 45,000
    assert result.spi == pytest.approx(0.8)  # 40,000 / 50,000
    assert result.eac == pytest.approx(112_500)  # 100,000 / (8/9)
    assert result.eac_atypical == pytest.approx(105_000)  # 45,000 + 60,000
    assert result.eac_cpi_spi == pytest.approx(129_375)  # 45,000 + 60,000 / (8/9 * 0.8)
    assert result.etc == pytest.approx(67_500)  # 112,500 - 45,000
    assert result.vac == pytest.approx(-12_500)  # 100,000 - 112,500
    assert result.tcpi == pytest.approx(1.090_909, abs=1e-6)  # 60,000 / 55,000
    assert result.forecast_overrun == pytest.approx(0.125)  # 112,500 / 100,000 - 1


def test_no_cost_booked_yet_leaves_every_cost_ratio_undefined():
    result = compute_evm(EvmInputs(bac=1_000, planned_value=100, earned_value=0, actual_cost=0))

    assert result.cpi is None
    assert result.eac is None
    assert result.etc is None
    assert result.vac is None
    assert result.eac_cpi_spi is None
    assert result.forecast_overrun is None
    assert result.spi == 0
    assert result.eac_atypical == 1_000


def test_nothing_earned_yet_makes_the_cpi_zero_and_the_forecast_undefined():
    result = compute_evm(EvmInputs(bac=1_000, planned_value=100, earned_value=0, actual_cost=50))

    assert result.cpi == 0
    assert result.eac is None
    assert result.eac_cpi_spi is None


def test_nothing_planned_yet_leaves_the_spi_undefined():
    result = compute_evm(EvmInputs(bac=1_000, planned_value=0, earned_value=10, actual_cost=10))

    assert result.spi is None
    assert result.eac_cpi_spi is None
    assert result.eac == pytest.approx(1_000)


def test_a_spent_budget_leaves_the_tcpi_undefined():
    result = compute_evm(
        EvmInputs(bac=1_000, planned_value=900, earned_value=800, actual_cost=1_000)
    )

    assert result.tcpi is None


def test_a_zero_budget_has_no_forecast_overrun():
    result = compute_evm(EvmInputs(bac=0, planned_value=0, earned_value=0, actual_cost=10))

    assert result.forecast_overrun is None


def test_negative_amounts_are_rejected():
    with pytest.raises(ValueError, match="negative"):
        EvmInputs(bac=100, planned_value=10, earned_value=-1, actual_cost=10)


@given(st.floats(1, 1e9), st.floats(0.01, 1))
def test_on_plan_and_on_cost_every_forecast_equals_the_budget(bac, done):
    amount = bac * done
    result = compute_evm(EvmInputs(bac, amount, amount, amount))

    assert result.eac == pytest.approx(bac)
    assert result.eac_atypical == pytest.approx(bac)
    assert result.eac_cpi_spi == pytest.approx(bac)
    assert result.forecast_overrun == pytest.approx(0, abs=1e-9)


def test_burn_rate_is_cost_per_elapsed_day():
    assert burn_rate(9_000, date(2025, 3, 1), date(2025, 3, 31)) == 300
    assert burn_rate(9_000, date(2025, 3, 1), date(2025, 3, 1)) is None


def test_linear_plan_spends_the_budget_evenly_between_start_and_finish():
    start, finish = date(2025, 1, 1), date(2025, 1, 31)

    assert linear_planned_value(100_000, start, finish, date(2024, 12, 1)) == 0
    assert linear_planned_value(100_000, start, finish, date(2025, 1, 16)) == 50_000
    assert linear_planned_value(100_000, start, finish, date(2025, 3, 1)) == 100_000


def test_a_one_day_linear_plan_is_all_or_nothing():
    day = date(2025, 1, 1)

    assert linear_planned_value(500, day, day, date(2024, 12, 31)) == 0
    assert linear_planned_value(500, day, day, day) == 500


def test_a_linear_plan_cannot_finish_before_it_starts():
    with pytest.raises(ValueError, match="finish before"):
        linear_planned_value(1, date(2025, 2, 1), date(2025, 1, 1), date(2025, 1, 15))


def test_milestone_plan_counts_the_milestones_due_by_the_date():
    plan = [
        PlannedMilestone(date(2025, 1, 31), 20_000),
        PlannedMilestone(date(2025, 2, 28), 30_000),
        PlannedMilestone(date(2025, 3, 31), 50_000),
    ]

    assert milestone_planned_value(plan, date(2025, 1, 30)) == 0
    assert milestone_planned_value(plan, date(2025, 2, 28)) == 50_000
    assert milestone_planned_value(plan, date(2025, 12, 31)) == 100_000


@pytest.mark.parametrize(
    ("overrun", "verdict"),
    [
        (None, "no_forecast"),
        (-0.2, "within_budget"),
        (0.0049, "within_budget"),  # shown as 0%
        (0.005, "over_budget"),  # shown as 1%
        (0.0949, "over_budget"),  # shown as 9%
        (0.095, "overrun"),  # shown as 10%
        (0.10, "overrun"),
        (1 / (10000 / 11000) - 1, "overrun"),  # exactly 10% through a CPI, float noise and all
        (0.5, "overrun"),
    ],
)
def test_the_budget_verdict_is_read_from_the_overrun_as_shown(overrun, verdict):
    assert budget_verdict(overrun) == verdict


def test_the_overrun_of_a_cpi_is_the_forecast_overrun_of_its_evm():
    result = compute_evm(
        EvmInputs(bac=10000, planned_value=5000, earned_value=5000, actual_cost=5500)
    )
    assert result.cpi is not None
    assert overrun_from_cpi(result.cpi) == pytest.approx(result.forecast_overrun)
    assert budget_verdict(overrun_from_cpi(result.cpi)) == budget_verdict(result.forecast_overrun)
    assert overrun_from_cpi(0) is None


@pytest.mark.parametrize(
    ("ratio", "verdict"),
    [
        (None, "unknown"),
        (1.2, "on_plan"),
        (0.995, "on_plan"),  # shown as 1.00
        (0.994, "behind"),
        (0.895, "behind"),  # shown as 0.90
        (0.894, "well_behind"),
        (0.64, "well_behind"),
    ],
)
def test_cpi_and_spi_verdicts_are_read_from_the_ratio_as_shown(ratio, verdict):
    assert performance(ratio) == verdict


def test_the_schedule_is_never_on_plan_while_a_milestone_is_late():
    assert schedule_verdict(1.1, milestones_late=0) == "on_plan"
    assert schedule_verdict(1.1, milestones_late=1) == "behind"
    assert schedule_verdict(None, milestones_late=1) == "behind"
    assert schedule_verdict(0.64, milestones_late=0) == "well_behind"
    assert schedule_verdict(0.64, milestones_late=2) == "well_behind"

from datetime import date, datetime, timedelta

import pytest

from trustledger.scoring import alerts
from trustledger.scoring.evm import EvmInputs, compute_evm
from trustledger.scoring.indicators import Inquiry, Milestone, NpsAnswer, ScopeWork

T = date(2025, 6, 30)


def ago(n):
    return T - timedelta(days=n)


@pytest.mark.parametrize(
    ("previous", "current", "fires"),
    [
        ("healthy", "watch", True),
        ("watch", "at_risk", True),
        ("healthy", "at_risk", True),
        ("watch", "healthy", False),
        ("watch", "watch", False),
        ("healthy", "not_enough_data", False),
        ("not_enough_data", "at_risk", False),
    ],
)
def test_a_band_drop_fires_only_when_the_band_gets_worse(previous, current, fires):
    alert = alerts.band_drop(previous, current, on=T)

    assert (alert is not None) == fires
    if alert:
        assert alert.cause == "band_drop"
        assert alert.evidence_date == T


def test_a_fall_of_ten_points_within_thirty_days_fires():
    series = [(T, 62.0), (ago(20), 73.0), (ago(40), 90.0), (ago(10), 70.0)]

    alert = alerts.index_fall(series)

    assert alert is not None
    assert alert.cause == "index_fall"
    assert alert.evidence_date == T
    assert "from 73" in alert.detail


def test_a_fall_is_judged_and_told_in_the_whole_points_the_page_shows():
    alert = alerts.index_fall([(ago(30), 80.5), (T, 70.5)])

    # shown as 81 and 71 (half up): a fall of 10, not "from 80 to 70" (ties to even)
    assert alert is not None
    assert f"fell 10 points, from 81 on {ago(30)} to 71" in alert.detail
    assert alerts.index_fall([(ago(30), 79.5), (T, 70.0)]) is not None  # 80 to 70


def test_a_forecast_overrun_is_named_as_the_page_shows_it():
    shown_as_ten = compute_evm(
        EvmInputs(bac=100, planned_value=50, earned_value=50, actual_cost=54.8)
    )
    alert = alerts.forecast_overrun("Audit", shown_as_ten.forecast_overrun, on=T)

    assert alert is not None and "10% over budget" in alert.detail


def test_a_slow_or_small_fall_does_not_fire():
    assert alerts.index_fall([(ago(31), 90.0), (T, 70.0)]) is None  # too long ago
    assert alerts.index_fall([(ago(30), 79.4), (T, 70.0)]) is None  # 79 to 70: 9 points
    assert alerts.index_fall([(ago(30), 80.0), (T, 70.0)]) is not None
    assert alerts.index_fall([]) is None


def test_a_detractor_answer_fires():
    assert alerts.detractor_answer(NpsAnswer("Ada", T, 6)).cause == "detractor_answer"
    assert alerts.detractor_answer(NpsAnswer("Ada", T, 7)) is None


def test_work_on_unapproved_scope_fires():
    assert alerts.unapproved_work(ScopeWork("Extra report", T, 3, False)).evidence_date == T
    assert alerts.unapproved_work(ScopeWork("Agreed work", T, 3, True)) is None


def test_unclassified_work_never_fires_as_unapproved_scope():
    assert alerts.unapproved_work(ScopeWork("Imported: Project Management", T, 30, None)) is None


def test_a_milestone_missed_without_notice_fires_on_its_committed_date():
    missed = Milestone("Design", ago(5), 10)

    alert = alerts.milestone_missed_without_notice(missed, as_of=T)

    assert alert.cause == "milestone_missed_without_notice"
    assert alert.evidence_date == ago(5)


@pytest.mark.parametrize(
    "milestone",
    [
        Milestone("Told", ago(5), 0, notice_sent=ago(6)),
        Milestone("On time", ago(5), 0, delivered=ago(5)),
        Milestone("Not due", T, 0),
    ],
)
def test_a_milestone_delivered_on_time_or_announced_does_not_fire(milestone):
    assert alerts.milestone_missed_without_notice(milestone, as_of=T) is None


def test_a_notice_after_the_miss_or_a_late_delivery_still_fires():
    told_late = Milestone("Told late", ago(5), 0, notice_sent=ago(4))
    delivered_late = Milestone("Delivered late", ago(5), 0, delivered=ago(2))

    assert alerts.milestone_missed_without_notice(told_late, as_of=T) is not None
    assert alerts.milestone_missed_without_notice(delivered_late, as_of=T) is not None


def test_an_inquiry_fires_only_after_its_due_instant_not_at_the_end_of_its_day():
    received = datetime(2025, 6, 30, 9)
    open_inquiry = Inquiry("Invoice?", received, received + timedelta(hours=4))  # due 13:00

    assert alerts.inquiry_past_sla([open_inquiry], now=received.replace(hour=12)) is None
    assert alerts.inquiry_past_sla([open_inquiry], now=received.replace(hour=13)) is None
    alert = alerts.inquiry_past_sla([open_inquiry], now=received.replace(hour=13, minute=1))
    assert "unanswered" in alert.detail and "2025-06-30 13:00" in alert.detail
    assert alert.evidence_date == received.date()


def test_an_inquiry_answered_even_late_no_longer_fires():
    received = datetime(2025, 6, 30, 9)
    answered_late = Inquiry(
        "Access?", received, received + timedelta(hours=4), received.replace(hour=14)
    )
    answered = Inquiry(
        "Invoice?", received, received + timedelta(hours=4), received.replace(hour=10)
    )

    assert alerts.inquiry_past_sla([answered_late], now=received.replace(hour=13, minute=30))
    assert alerts.inquiry_past_sla([answered_late, answered], now=received.replace(hour=15)) is None


def test_one_alert_names_the_most_overdue_inquiry_and_counts_the_others():
    received = datetime(2025, 6, 30, 9)
    older = Inquiry("Older", received - timedelta(days=1), received - timedelta(hours=2))
    newer = Inquiry("Newer", received, received + timedelta(hours=1))

    alert = alerts.inquiry_past_sla([newer, older], now=received.replace(hour=12))

    assert alert.detail.startswith("Inquiry 'Older'") and alert.detail.endswith("and 1 more.")
    assert alert.evidence_date == (received - timedelta(hours=2)).date()


def test_a_cadence_fires_after_twice_its_interval_without_a_touch():
    assert alerts.cadence_overdue("check-in", last_held=ago(13), interval_days=7, as_of=T) is None

    alert = alerts.cadence_overdue("check-in", last_held=ago(14), interval_days=7, as_of=T)

    assert alert.cause == "cadence_overdue"
    assert alert.evidence_date == T


def test_a_forecast_overrun_of_ten_percent_fires():
    at_ten = compute_evm(EvmInputs(bac=100, planned_value=50, earned_value=50, actual_cost=55))
    at_nine = compute_evm(EvmInputs(bac=100, planned_value=50, earned_value=50, actual_cost=54.5))

    assert (
        alerts.forecast_overrun("Audit", at_ten.forecast_overrun, on=T).cause == "forecast_overrun"
    )
    assert alerts.forecast_overrun("Audit", at_nine.forecast_overrun, on=T) is None

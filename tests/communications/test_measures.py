"""The pure measures: first-response statistics and rolling cadence periods."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from trustledger.communications.measures import (
    Response,
    adherence,
    cadence_periods,
    response_stats,
)
from trustledger.scoring.indicators import CadencePeriod

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 3, 9, tzinfo=UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
START = dt.date(2025, 1, 1)


def test_response_statistics_count_answers_breaches_and_open_past_sla():
    items = [
        Response(T0, T0 + 8 * H, T0 + 1 * H, 1.0),
        Response(T0, T0 + 8 * H, T0 + 2 * H, 2.0),
        Response(T0, T0 + 8 * H, T0 + 20 * H, 9.0),  # answered late
        Response(T0, T0 + 8 * H),  # open, past its SLA by now
        Response(T0 + 30 * H, T0 + 38 * H),  # open, still within its SLA
    ]
    stats = response_stats(items, now=T0 + 32 * H)

    assert (stats.inquiries, stats.answered, stats.judged, stats.within_sla) == (5, 3, 4, 2)
    assert stats.open_past_sla == 1
    assert stats.attainment == 0.5
    assert stats.median_hours == 2.0


def test_an_answer_after_now_is_not_known_yet():
    stats = response_stats([Response(T0, T0 + 8 * H, T0 + 5 * H, 5.0)], now=T0 + 4 * H)
    assert (stats.answered, stats.judged, stats.attainment) == (0, 0, None)


def test_a_check_in_within_the_interval_keeps_the_cadence_rolling():
    held = [START + 10 * D, START + 22 * D, START + 36 * D]
    periods = cadence_periods("check-in", 14, start=START, end=START + 40 * D, held=held)

    assert periods == [
        CadencePeriod("check-in", START + 15 * D, START + 10 * D),
        CadencePeriod("check-in", START + 25 * D, START + 22 * D),
        CadencePeriod("check-in", START + 37 * D, START + 36 * D),
        CadencePeriod("check-in", START + 51 * D, None),  # still running on the end date
    ]


def test_monthly_touches_on_the_first_of_each_month_all_count():
    held = [dt.date(2025, m, 1) for m in range(1, 13)]
    periods = cadence_periods(
        "update", 30, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 20), held=held
    )
    assert all(p.held_on for p in periods[:-1])


def test_a_long_silence_misses_one_period_per_interval_then_recovers():
    held = [START + 5 * D, START + 60 * D]
    periods = cadence_periods("check-in", 14, start=START, end=START + 70 * D, held=held)

    assert [p.held_on is not None for p in periods] == [True, False, False, False, True, False]
    assert periods[1].due == START + 20 * D
    assert periods[2].due == START + 34 * D


def test_adherence_counts_periods_due_and_days_overdue():
    held = [START + 5 * D, START + 18 * D]
    a = adherence("check_in", 14, start=START, as_of=START + 60 * D, held=held)

    assert (a.due, a.held, a.last_held, a.days_since) == (4, 2, START + 18 * D, 42)
    assert a.rate == 0.5
    assert a.overdue_days == 42 - 14 - 1
    assert a.badly_overdue


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 120),
    st.lists(st.integers(0, 400), max_size=40),
    st.integers(0, 400),
    st.integers(0, 400),
)
def test_later_touches_never_change_the_verdict_on_earlier_periods(every, offsets, cut, more):
    held = sorted({START + n * D for n in offsets})
    early_end = START + cut * D
    later_end = early_end + more * D
    known = [d for d in held if d <= early_end]
    before = cadence_periods("k", every, start=START, end=early_end, held=known)
    after = cadence_periods("k", every, start=START, end=later_end, held=held)
    settled = [p for p in before if p.held_on is not None or p.due < early_end]
    assert after[: len(settled)] == settled

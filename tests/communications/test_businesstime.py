"""Business-time arithmetic: SLA clocks across weekends, holidays, time zones and clock changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustledger.scoring.businesstime import OFFICE_HOURS, BusinessCalendar

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
H = dt.timedelta(hours=1)
OFFICE = BusinessCalendar("Europe/Berlin")
EASTER = BusinessCalendar.build(
    "Europe/Berlin", OFFICE_HOURS, [dt.date(2025, 4, 18), dt.date(2025, 4, 21)]
)


def berlin(day: dt.date | str, hour: int, minute: int = 0) -> dt.datetime:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


def test_time_within_a_business_day_counts_as_it_passes():
    assert OFFICE.add(berlin("2025-03-04", 10), 4 * H) == berlin("2025-03-04", 14)


def test_a_deadline_that_uses_up_the_day_falls_at_closing_time():
    assert OFFICE.add(berlin("2025-03-04", 9), 8 * H) == berlin("2025-03-04", 17)


def test_friday_afternoon_plus_a_day_is_monday_afternoon():
    assert OFFICE.add(berlin("2025-03-07", 15), 8 * H) == berlin("2025-03-10", 15)


def test_a_message_on_saturday_starts_its_clock_on_monday_morning():
    assert OFFICE.add(berlin("2025-03-08", 11), 2 * H) == berlin("2025-03-10", 11)


def test_holidays_stop_the_clock_for_the_whole_day():
    # Maundy Thursday 16:00 + 8 h: 1 h on Thursday, Good Friday and Easter Monday closed.
    assert EASTER.add(berlin("2025-04-17", 16), 8 * H) == berlin("2025-04-22", 16)


def test_business_hours_are_those_of_the_firm_not_of_the_sender():
    new_york = dt.datetime(2025, 3, 4, 11, 0, tzinfo=ZoneInfo("America/New_York"))  # 17:00 Berlin
    assert OFFICE.add(new_york, H) == berlin("2025-03-05", 10)
    tokyo = BusinessCalendar("Asia/Tokyo")  # 10:00 in Berlin is 18:00 in Tokyo: closed
    assert tokyo.add(berlin("2025-03-04", 10), H) == dt.datetime(
        2025, 3, 5, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )


def test_the_clock_change_shortens_a_round_the_clock_day():
    always = BusinessCalendar("Europe/Berlin", ((dt.time(0), dt.time(0)),) * 7)
    sunday = dt.date(2025, 3, 30)  # clocks go forward at 02:00
    assert always.between(berlin(sunday, 0), berlin(sunday + dt.timedelta(days=1), 0)) == 23 * H
    assert always.add(berlin(sunday, 1), 2 * H) == berlin(sunday, 4)


def test_between_counts_only_opening_hours_and_is_signed():
    start, end = berlin("2025-03-07", 16), berlin("2025-03-10", 10)
    assert OFFICE.between(start, end) == 2 * H
    assert OFFICE.between(end, start) == -2 * H
    assert OFFICE.business_hours(start, end) == 2.0


def test_a_calendar_needs_an_open_day_a_known_zone_and_aware_times():
    with pytest.raises(ValueError, match="at least one weekday"):
        BusinessCalendar("UTC", (None,) * 7)
    with pytest.raises(ValueError, match="not a known time zone"):
        BusinessCalendar("Mars/Olympus")
    with pytest.raises(ValueError, match="closing time must be after"):
        BusinessCalendar("UTC", ((dt.time(17), dt.time(9)),) + (None,) * 6)
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add(dt.datetime(2025, 3, 4, 10), H)
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add(berlin("2025-03-04", 10), -H)


# Properties, over random calendars, zones, holidays, starts and durations.

ZONES = st.sampled_from(
    ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
)
HOURS = st.one_of(
    st.none(),
    st.tuples(st.integers(0, 11), st.integers(1, 12)).map(
        lambda p: (dt.time(p[0]), dt.time(min(23, p[0] + p[1])))
    ),
)
WEEK = st.lists(HOURS, min_size=7, max_size=7).filter(lambda w: any(w))
HOLIDAYS = st.frozensets(st.dates(dt.date(2024, 12, 1), dt.date(2025, 12, 31)), max_size=40)
STARTS = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2025, 11, 30), timezones=st.just(UTC))
DURATIONS = st.integers(0, 120 * 60).map(lambda m: dt.timedelta(minutes=m))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    return BusinessCalendar(draw(ZONES), tuple(draw(WEEK)), draw(HOLIDAYS))


@settings(max_examples=300, deadline=None)
@given(calendars(), STARTS, DURATIONS)
def test_adding_business_time_then_measuring_it_gives_it_back(calendar, start, duration):
    end = calendar.add(start, duration)
    assert calendar.between(start, end) == duration
    assert end >= start + duration  # business time never runs faster than the wall clock


@settings(max_examples=300, deadline=None)
@given(calendars(), STARTS, DURATIONS)
def test_a_deadline_falls_within_opening_hours_and_never_on_a_holiday(calendar, start, duration):
    end = calendar.add(start, duration)
    if duration:
        day = calendar.local_day(end - dt.timedelta(microseconds=1))
        assert day not in calendar.holidays
        assert calendar.is_open(end - dt.timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(calendars(), STARTS, DURATIONS, DURATIONS)
def test_more_business_time_never_ends_sooner(calendar, start, a, b):
    assert calendar.add(start, min(a, b)) <= calendar.add(start, max(a, b))


@settings(max_examples=200, deadline=None)
@given(calendars(), STARTS, DURATIONS, DURATIONS)
def test_business_durations_add_up(calendar, start, a, b):
    middle, end = start + a, start + a + b
    assert calendar.between(start, middle) + calendar.between(middle, end) == calendar.between(
        start, end
    )

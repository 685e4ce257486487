"""Capacity check: would taking on an engagement over-commit anyone? Pure: no Django.

Each person has a weekly capacity; bookings give hours a week over a date range. The load of a
week is the sum of the bookings that overlap it (a booking counts fully in any week it touches).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Booking:
    person_id: int
    start: dt.date
    end: dt.date
    weekly_hours: float
    proposed: bool = False  # the engagement being checked, not yet accepted


@dataclass(frozen=True)
class PersonLoad:
    person_id: int
    capacity: float
    peak_hours: float  # the busiest week's booked hours, the proposal included
    peak_week: dt.date | None  # Monday of that week
    weeks_over: tuple[dt.date, ...]  # Mondays of the weeks booked beyond capacity

    @property
    def over_committed(self) -> bool:
        return bool(self.weeks_over)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of every week touched by [start, end]."""
    first, out = monday(start), []
    while first <= end:
        out.append(first)
        first += dt.timedelta(days=7)
    return out


def check_capacity(
    bookings: Iterable[Booking],
    capacities: Mapping[int, float],
    start: dt.date,
    end: dt.date,
) -> list[PersonLoad]:
    """Load per person over the weeks of [start, end], for everyone with a proposed booking."""
    window = weeks(start, end)
    load: dict[int, dict[dt.date, float]] = defaultdict(lambda: dict.fromkeys(window, 0.0))
    checked: set[int] = set()
    for booking in bookings:
        if booking.proposed:
            checked.add(booking.person_id)
        for week in weeks(max(booking.start, start), min(booking.end, end)):
            load[booking.person_id][week] += booking.weekly_hours
    result = []
    for person in sorted(checked):
        by_week = load[person]
        capacity = capacities.get(person, 0.0)
        peak_week = max(by_week, key=lambda w: by_week[w]) if by_week else None
        result.append(
            PersonLoad(
                person_id=person,
                capacity=capacity,
                peak_hours=by_week[peak_week] if peak_week else 0.0,
                peak_week=peak_week,
                weeks_over=tuple(w for w in window if by_week[w] > capacity + 1e-9),
            )
        )
    return result

"""Business time: clocks that run only while the firm is open.

An SLA of "one business day" or "4 business hours" counts only the opening hours of the firm's
calendar: its hours per weekday, in its time zone, minus its holidays. Pure Python (zoneinfo), no
Django, so the rules are tested in milliseconds and the demo generator can use them too.

Opening hours are wall-clock times in the calendar's zone, so on the day clocks change the
business day is an hour shorter or longer in real time, as it is for the people working it.
Arithmetic runs on UTC instants: Python subtracts two datetimes sharing a tzinfo as naive
wall-clock values, which would be wrong across a clock change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC
MIDNIGHT = dt.time(0, 0)
NINE, FIVE = dt.time(9, 0), dt.time(17, 0)
# Search at most this far ahead for opening hours (a calendar closed for ten years is an error).
HORIZON_DAYS = 3660

type Hours = tuple[dt.time, dt.time] | None

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OFFICE_HOURS: tuple[Hours, ...] = ((NINE, FIVE),) * 5 + (None, None)


def valid_zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name such as ``Europe/Berlin``), or ``ValueError``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(
            f"{name!r} is not a known time zone (use a name like Europe/Berlin)."
        ) from None


def _closing(day: dt.date, close: dt.time) -> dt.date:
    """A closing time of 00:00 means the end of the day (24:00)."""
    return day + dt.timedelta(days=1) if close == MIDNIGHT else day


@dataclass(frozen=True)
class BusinessCalendar:
    """When the firm works: ``hours[weekday]`` (Monday is 0) is ``(open, close)`` or None for a
    closed day; ``holidays`` are local dates when it is closed all day.

    A close of 00:00 means midnight at the end of the day, so ``(00:00, 00:00)`` is open all day.
    """

    time_zone: str = "UTC"
    hours: tuple[Hours, ...] = OFFICE_HOURS
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        valid_zone(self.time_zone)
        if len(self.hours) != 7:
            raise ValueError("hours needs one entry per weekday, Monday first")
        for name, hours in zip(WEEKDAYS, self.hours, strict=True):
            if hours is not None and hours[1] != MIDNIGHT and hours[1] <= hours[0]:
                raise ValueError(f"{name}: the closing time must be after the opening time")
        if all(hours is None for hours in self.hours):
            raise ValueError("the calendar must be open on at least one weekday")

    @classmethod
    def build(
        cls,
        time_zone: str,
        hours: Sequence[Hours] = OFFICE_HOURS,
        holidays: Iterable[dt.date] = (),
    ) -> BusinessCalendar:
        return cls(time_zone, tuple(hours), frozenset(holidays))

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The UTC instants the firm opens and closes on local ``day``; None when closed."""
        hours = self.hours[day.weekday()]
        if hours is None or day in self.holidays:
            return None
        opens = dt.datetime.combine(day, hours[0], tzinfo=self.zone).astimezone(UTC)
        closes = dt.datetime.combine(_closing(day, hours[1]), hours[1], tzinfo=self.zone)
        closes = closes.astimezone(UTC)
        return (opens, closes) if closes > opens else None

    def local_day(self, moment: dt.datetime) -> dt.date:
        return _aware(moment).astimezone(self.zone).date()

    def is_open(self, moment: dt.datetime) -> bool:
        instant = _aware(moment).astimezone(UTC)
        window = self.window(self.local_day(instant))
        return window is not None and window[0] <= instant < window[1]

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment ``duration`` of business time after ``start`` (in the calendar's zone).

        A start outside opening hours begins counting at the next opening; a deadline that uses
        up a day exactly falls at its closing time, not at the next opening.
        """
        if duration < dt.timedelta(0):
            raise ValueError("duration must not be negative")
        instant = _aware(start).astimezone(UTC)
        if not duration:
            return instant.astimezone(self.zone)
        remaining, day = duration, self.local_day(instant)
        for _ in range(HORIZON_DAYS):
            if window := self.window(day):
                begin = max(window[0], instant)
                if begin < window[1]:
                    if remaining <= window[1] - begin:
                        return (begin + remaining).astimezone(self.zone)
                    remaining -= window[1] - begin
            day += dt.timedelta(days=1)
        raise ValueError(f"no opening hours within {HORIZON_DAYS} days of {start:%Y-%m-%d}")

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        a, b = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
        if b < a:
            return -self.between(b, a)
        total, day, last = dt.timedelta(0), self.local_day(a), self.local_day(b)
        while day <= last:
            if window := self.window(day):
                overlap = min(window[1], b) - max(window[0], a)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += dt.timedelta(days=1)
        return total

    def business_hours(self, start: dt.datetime, end: dt.datetime) -> float:
        return self.between(start, end).total_seconds() / 3600


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business time needs time-zone-aware datetimes")
    return moment

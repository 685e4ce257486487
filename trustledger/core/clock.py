"""One clock: "now" is the real instant, read in the workspace's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone


class HasTimeZone(Protocol):
    time_zone: str


def zone(workspace: HasTimeZone) -> ZoneInfo:
    """The workspace's time zone (UTC when it names none or an unknown one)."""
    try:
        return ZoneInfo(workspace.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_now(workspace: HasTimeZone) -> dt.datetime:
    return timezone.localtime(timezone.now(), zone(workspace))


def local_today(workspace: HasTimeZone) -> dt.date:
    return local_now(workspace).date()


def local_day(workspace: HasTimeZone, moment: dt.datetime) -> dt.date:
    """The workspace's calendar date at the instant ``moment``."""
    return timezone.localtime(moment, zone(workspace)).date()


def day_starts(workspace: HasTimeZone, day: dt.date) -> dt.datetime:
    """The instant the workspace's local ``day`` begins (its midnight, in its zone)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone(workspace))


def judging_instant(workspace: HasTimeZone, as_of: dt.date) -> tuple[dt.datetime, bool]:
    """The instant a rule judges "as of" a day, and whether that is the present.

    As of today (or later) that is now, the actual instant, never the end of the day; as of a
    past day it is the last instant of that day.
    """
    now = local_now(workspace)
    if as_of >= now.date():
        return now, True
    return day_starts(workspace, as_of + dt.timedelta(days=1)) - dt.timedelta(microseconds=1), False

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

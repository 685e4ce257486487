"""Claims: the dates people state about what already happened.

A date typed into a form or sent to the API (when a milestone was delivered, when the client was
told, when the charter was signed, when a client answered) is a claim. Two rules keep claims
honest, and every service that takes one uses them from here:

- a claim cannot be in the future: a day after today in the workspace's time zone, or an instant
  after now (with a few minutes' grace for a caller's clock running ahead);
- a claim counts from when it was recorded: the index reads the later of the day claimed and the
  day recorded (``recorded_on``), so typing an earlier date earns nothing (see
  ``scoring.indicators.Told``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from trustledger.core.clock import HasTimeZone, local_today, zone
from trustledger.workspaces.services import DomainError

# A caller's clock may run a little ahead of ours; an instant within this of now is not "future".
CLOCK_GRACE = dt.timedelta(minutes=5)


def refuse_future_day(
    workspace: HasTimeZone, day: dt.date | None, *, field: str, what: str
) -> None:
    """Refuse a claimed day after today in the workspace's time zone (``what``: "The delivery")."""
    today = local_today(workspace)
    if day is not None and day > today:
        raise DomainError(f"{what} cannot be after today, {today.day} {today:%b %Y}.", field=field)


def refuse_future_moment(
    moment: dt.datetime, *, now: dt.datetime | None = None, field: str, what: str
) -> None:
    """Refuse a claimed instant after now (beyond ``CLOCK_GRACE``)."""
    if moment > (now or timezone.now()) + CLOCK_GRACE:
        raise DomainError(f"{what} cannot be in the future.", field=field)


def recorded_on(workspace: HasTimeZone, recorded_at: dt.datetime) -> dt.date:
    """The day a fact was recorded, on the workspace's calendar."""
    return timezone.localtime(recorded_at, zone(workspace)).date()

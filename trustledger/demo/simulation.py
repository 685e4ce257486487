"""The demo firm's hidden truth: how well the firm serves each client, month by month.

Every demo fact (late milestones, slow answers, survey scores, departures) is drawn from a client's
latent service quality, never from the trust index, so a backtest on the demo firm is an honest test
of whether the index notices what the simulation did. Pure Python: no Django.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import StrEnum

HISTORY_DAYS = 3 * 365
# A client leaves after its smoothed satisfaction has stayed below this for LEAVE_AFTER months.
LEAVE_BELOW = 0.45
LEAVE_AFTER = 3


class Archetype(StrEnum):
    LOYAL = "loyal"  # served well throughout; refers others
    STEADY = "steady"  # ordinary ups and downs
    ERODING = "eroding"  # service slips in recent months; still a client today
    DECLINING = "declining"  # service slipped earlier; the simulation decides whether they leave
    NEW = "new"  # started in the last year


ARCHETYPE_MIX = [
    (Archetype.LOYAL, 0.28),
    (Archetype.STEADY, 0.27),
    (Archetype.ERODING, 0.15),
    (Archetype.DECLINING, 0.18),
    (Archetype.NEW, 0.12),
]


@dataclass
class ClientStory:
    """One client's simulated relationship: when it starts, how service goes, whether it ends."""

    index: int
    archetype: Archetype
    start: dt.date
    today: dt.date
    base_quality: float
    decline_start: dt.date | None = None
    decline_rate: float = 0.0  # quality lost per 30 days once declining
    noise: list[float] = field(default_factory=list)
    lost_on: dt.date | None = None

    def quality(self, day: dt.date) -> float:
        """Latent service quality in [0.05, 0.98] on ``day``: 1 is flawless service."""
        q = self.base_quality
        if self.decline_start and day > self.decline_start:
            q -= self.decline_rate * (day - self.decline_start).days / 30
        month = max(0, (day - self.start).days // 30)
        if self.noise:
            q += self.noise[month % len(self.noise)]
        return min(0.98, max(0.05, q))

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.lost_on is None or day < self.lost_on)

    def months(self) -> list[dt.date]:
        """First day of each month the client was active, oldest first."""
        end = self.lost_on or self.today
        first = self.start.replace(day=1)
        out = []
        while first <= end:
            out.append(first)
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return out


def _pick_archetype(rng: random.Random) -> Archetype:
    roll, total = rng.random(), 0.0
    for archetype, share in ARCHETYPE_MIX:
        total += share
        if roll < total:
            return archetype
    return Archetype.STEADY


def simulate_stories(rng: random.Random, today: dt.date, count: int) -> list[ClientStory]:
    """Draw ``count`` client stories over the last three years, then decide who left."""
    first_day = today - dt.timedelta(days=HISTORY_DAYS)
    stories = []
    for i in range(count):
        archetype = _pick_archetype(rng)
        if archetype == Archetype.NEW:
            start = today - dt.timedelta(days=rng.randint(60, 330))
        else:
            start = first_day + dt.timedelta(days=rng.randint(0, HISTORY_DAYS - 420))
        story = ClientStory(
            index=i,
            archetype=archetype,
            start=start,
            today=today,
            base_quality=rng.uniform(0.8, 0.93)
            if archetype == Archetype.LOYAL
            else rng.uniform(0.66, 0.85),
            noise=[rng.gauss(0, 0.04) for _ in range(12)],
        )
        _plan_decline(story, rng)
        story.lost_on = _simulate_departure(story)
        stories.append(story)
    return stories


def _plan_decline(story: ClientStory, rng: random.Random) -> None:
    span = (story.today - story.start).days
    if story.archetype == Archetype.ERODING:
        story.decline_start = story.today - dt.timedelta(days=rng.randint(100, 200))
        story.decline_rate = rng.uniform(0.05, 0.08)
    elif story.archetype == Archetype.DECLINING:
        story.decline_start = story.start + dt.timedelta(
            days=rng.randint(150, max(200, span - 300))
        )
        story.decline_rate = rng.uniform(0.05, 0.11)


def _simulate_departure(story: ClientStory) -> dt.date | None:
    """The client leaves once its remembered satisfaction stays low for a few months.

    Satisfaction is an exponential moving average of experienced quality; tolerance differs by
    client (the noise), so two clients served alike may not both leave.
    """
    satisfaction, low_months = 0.8, 0
    day = story.start
    while day < story.today - dt.timedelta(days=30):
        satisfaction = 0.7 * satisfaction + 0.3 * story.quality(day)
        low_months = low_months + 1 if satisfaction < LEAVE_BELOW else 0
        if low_months >= LEAVE_AFTER and story.archetype != Archetype.ERODING:
            return day
        day += dt.timedelta(days=30)
    return None

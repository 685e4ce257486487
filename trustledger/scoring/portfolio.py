"""Portfolio measures a firm leader tracks: retention, client economics, project success.

Pure: plain values in, frozen results out; definitions in docs/analytics.md.

    CRR             = (E - N) / S        clients at the end minus new ones, over those at the start
    logo retention  = R / S              share of the clients at the start still served at the end
    effort share    = hours_c / hours    a client's share of the hours logged in the period
    revenue share   = billed_c / billed  a client's share of the value billed in the period
    margin %        = 100 * (billed - cost) / billed
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

type Quadrant = Literal["keep_and_grow", "fix_the_economics", "protect", "rethink"]

QUADRANT_LABELS: dict[Quadrant, str] = {
    "keep_and_grow": "Keep and grow",
    "fix_the_economics": "Fix the economics",
    "protect": "Protect",
    "rethink": "Rethink",
}
HIGH_TRUST = 75.0
PARETO_TOP = 0.25


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Retention:
    """Client counts for a period; the rates are None when no client was served at the start."""

    at_start: int  # S
    new: int  # N: relationships that began in the period
    at_end: int  # E
    retained: int  # R: of the S clients, those still served at the end
    crr: float | None
    logo_retention: float | None


def retention(*, at_start: int, new: int, at_end: int, retained: int) -> Retention:
    """CRR = (E - N) / S and logo retention R / S (both None when S == 0)."""
    if min(at_start, new, at_end, retained) < 0 or retained > at_start:
        raise ValueError("client counts are non-negative and retained <= at_start")
    crr = (at_end - new) / at_start if at_start else None
    logo = retained / at_start if at_start else None
    return Retention(at_start, new, at_end, retained, crr, logo)


# --- client economics -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientEconomics:
    """What one client took (hours, cost) and brought (billed revenue) in a period."""

    client_id: int
    hours: float
    cost: float
    revenue: float


@dataclass(frozen=True, slots=True)
class ClientProfit:
    client_id: int
    hours: float
    cost: float
    revenue: float
    margin: float
    margin_pct: float | None  # None when nothing was billed
    effort_share: float | None  # None when no hours were logged by anyone
    revenue_share: float | None  # None when nothing was billed to anyone


def profitability(rows: Iterable[ClientEconomics]) -> list[ClientProfit]:
    """Margin and effort vs revenue share per client, largest effort first."""
    rows = list(rows)
    total_hours = sum(r.hours for r in rows)
    total_revenue = sum(r.revenue for r in rows)
    out = [
        ClientProfit(
            client_id=r.client_id,
            hours=r.hours,
            cost=r.cost,
            revenue=r.revenue,
            margin=r.revenue - r.cost,
            margin_pct=100 * (r.revenue - r.cost) / r.revenue if r.revenue else None,
            effort_share=r.hours / total_hours if total_hours else None,
            revenue_share=r.revenue / total_revenue if total_revenue else None,
        )
        for r in rows
    ]
    return sorted(out, key=lambda p: (-p.hours, p.client_id))


def effort_heavy(
    profits: Iterable[ClientProfit], *, ratio: float = 1.5, min_effort_share: float = 0.05
) -> list[ClientProfit]:
    """Clients whose effort share far exceeds their revenue share.

    Far: effort share at least `ratio` times the revenue share, among clients that take at least
    `min_effort_share` of all effort (a client with 0.1% of the hours is no problem to fix).
    """
    return [
        p
        for p in profits
        if p.effort_share is not None
        and p.revenue_share is not None
        and p.effort_share >= min_effort_share
        and p.effort_share >= ratio * p.revenue_share
    ]


@dataclass(frozen=True, slots=True)
class Pareto:
    """The top `top_clients` clients by effort: their share of all effort and of all revenue."""

    clients: int
    top_clients: int
    effort_share: float | None
    revenue_share: float | None


def pareto(rows: Sequence[ClientEconomics], top: float = PARETO_TOP) -> Pareto:
    """The top `top` fraction of clients by hours (rounded up, at least one) and what they bring.

    Ties in hours are broken by client id, so the answer is deterministic.
    """
    if not 0 < top <= 1:
        raise ValueError("top is a fraction in (0, 1]")
    ranked = sorted(rows, key=lambda r: (-r.hours, r.client_id))
    n = len(ranked)
    k = math.ceil(n * top) if n else 0
    total_hours = sum(r.hours for r in ranked)
    total_revenue = sum(r.revenue for r in ranked)
    head = ranked[:k]
    return Pareto(
        clients=n,
        top_clients=k,
        effort_share=sum(r.hours for r in head) / total_hours if total_hours else None,
        revenue_share=sum(r.revenue for r in head) / total_revenue if total_revenue else None,
    )


def quadrant(
    trust_index: float | None,
    margin_pct: float | None,
    *,
    margin_threshold: float | None,
    trust_threshold: float = HIGH_TRUST,
) -> Quadrant | None:
    """Where a client sits on trust (x) and margin (y); None when any input is unknown.

    High trust is an index >= `trust_threshold`; high margin is >= `margin_threshold` (the
    workspace median margin in the dashboard).
    """
    if trust_index is None or margin_pct is None or margin_threshold is None:
        return None
    high_trust = trust_index >= trust_threshold
    high_margin = margin_pct >= margin_threshold
    if high_trust:
        return "keep_and_grow" if high_margin else "fix_the_economics"
    return "protect" if high_margin else "rethink"


# --- project success ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilestoneFact:
    committed: dt.date
    buffer_days: int
    delivered_on: dt.date | None
    cancelled: bool = False


def delivered_on_time(
    milestones: Sequence[MilestoneFact], *, closed_on: dt.date | None, end_date: dt.date
) -> bool:
    """Every milestone (cancelled ones aside) delivered by its committed date plus its buffer.

    An engagement without milestones is on time when it closed by its planned end date.
    """
    live = [m for m in milestones if not m.cancelled]
    if not live:
        return closed_on is not None and closed_on <= end_date
    return all(
        m.delivered_on is not None
        and m.delivered_on <= m.committed + dt.timedelta(days=m.buffer_days)
        for m in live
    )


def within_budget(billed: float, budget: float) -> bool | None:
    """Billed value at most the budget; None when the engagement has no budget amount."""
    return billed <= budget if budget > 0 else None


def met_quality(*, severe_client_issues: int, first_reviews_returned: int) -> bool:
    """No high or critical issue the client found, and every first review accepted."""
    return severe_client_issues == 0 and first_reviews_returned == 0


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    on_time: bool
    within_budget: bool | None  # None: no budget to be within
    quality: bool


@dataclass(frozen=True, slots=True)
class SuccessRates:
    """Shares of engagements; budget and all-three rates count only engagements with a budget."""

    engagements: int
    with_budget: int
    on_time: float | None
    within_budget: float | None
    quality: float | None
    all_three: float | None


def success_rates(outcomes: Iterable[ProjectOutcome]) -> SuccessRates:
    outcomes = list(outcomes)
    n = len(outcomes)
    budgeted = [o for o in outcomes if o.within_budget is not None]
    b = len(budgeted)
    return SuccessRates(
        engagements=n,
        with_budget=b,
        on_time=sum(o.on_time for o in outcomes) / n if n else None,
        within_budget=sum(bool(o.within_budget) for o in budgeted) / b if b else None,
        quality=sum(o.quality for o in outcomes) / n if n else None,
        all_three=(
            sum(o.on_time and bool(o.within_budget) and o.quality for o in budgeted) / b
            if b
            else None
        ),
    )

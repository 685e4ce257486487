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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from trustledger.scoring.display import display_index
from trustledger.scoring.stats import median

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

    High trust is an index >= `trust_threshold` as shown (a whole number, as `index.band` reads
    it); high margin is >= `margin_threshold` (the workspace median margin in the dashboard).
    """
    shown = display_index(trust_index)
    if shown is None or margin_pct is None or margin_threshold is None:
        return None
    high_trust = shown >= trust_threshold
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


# --- periods: buckets of a trend ------------------------------------------------------------

type Grain = Literal["month", "quarter"]
GRAINS: tuple[Grain, ...] = ("month", "quarter")


def bucket_start(day: dt.date, grain: Grain) -> dt.date:
    """The first day of the month or calendar quarter `day` falls in."""
    month = day.month if grain == "month" else 3 * ((day.month - 1) // 3) + 1
    return dt.date(day.year, month, 1)


def buckets(start: dt.date, end: dt.date, grain: Grain) -> list[dt.date]:
    """The first days of every month (or quarter) that overlaps [start, end], oldest first."""
    step = 1 if grain == "month" else 3
    out, current = [], bucket_start(start, grain)
    while current <= end:
        out.append(current)
        year, month = divmod(current.month - 1 + step, 12)
        current = dt.date(current.year + year, month + 1, 1)
    return out


def bucket_end(first: dt.date, grain: Grain) -> dt.date:
    """The last day of the month or quarter starting `first`."""
    year, month = divmod(first.month - 1 + (1 if grain == "month" else 3), 12)
    return dt.date(first.year + year, month + 1, 1) - dt.timedelta(days=1)


def bucket_label(first: dt.date, grain: Grain) -> str:
    """``Mar 2026`` or ``2026 Q1``."""
    if grain == "month":
        return first.strftime("%b %Y")
    return f"{first.year} Q{(first.month - 1) // 3 + 1}"


# --- revenue retention ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevenueRetention:
    """Revenue kept from the clients that brought revenue in the previous period (the cohort).

    GRR = sum over the cohort of min(now_c, before_c) / sum of before_c: shrinkage and churn only,
    never above 1. NRR = sum over the cohort of now_c / sum of before_c: expansion counts too.
    New clients' revenue is in neither. None when the cohort brought nothing.
    """

    cohort: int  # clients with revenue in the previous period
    start_revenue: float
    kept_revenue: float  # capped per client at its start revenue
    cohort_revenue: float  # what the cohort brought now, uncapped
    churned: int  # cohort clients with no revenue now
    grr: float | None
    nrr: float | None


def revenue_retention(before: Mapping[int, float], now: Mapping[int, float]) -> RevenueRetention:
    cohort = {c: r for c, r in before.items() if r > 0}
    start = sum(cohort.values())
    kept = sum(min(max(now.get(c, 0.0), 0.0), r) for c, r in cohort.items())
    after = sum(max(now.get(c, 0.0), 0.0) for c in cohort)
    churned = sum(1 for c in cohort if now.get(c, 0.0) <= 0)
    return RevenueRetention(
        cohort=len(cohort),
        start_revenue=start,
        kept_revenue=kept,
        cohort_revenue=after,
        churned=churned,
        grr=kept / start if start else None,
        nrr=after / start if start else None,
    )


# --- repeat business ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepeatBusiness:
    clients: int  # clients with at least one engagement started by the end of the period
    repeat_clients: int  # of those, clients with a second one started by then
    repeat_share: float | None
    next_engagements: int  # engagements started in the period that followed an earlier one
    median_days_to_next: float | None  # from the previous engagement's start to theirs
    revenue: float  # all revenue in the period
    existing_revenue: float  # from clients whose first engagement started before the period
    existing_share: float | None


def repeat_business(
    *,
    clients: int,
    repeat_clients: int,
    gaps_days: Sequence[float],
    revenue: float,
    existing_revenue: float,
) -> RepeatBusiness:
    """Shares and the median gap; each share None when its denominator is zero."""
    if repeat_clients > clients or existing_revenue > revenue + 1e-6:
        raise ValueError("repeat clients <= clients and existing revenue <= revenue")
    return RepeatBusiness(
        clients=clients,
        repeat_clients=repeat_clients,
        repeat_share=repeat_clients / clients if clients else None,
        next_engagements=len(gaps_days),
        median_days_to_next=median(gaps_days),
        revenue=revenue,
        existing_revenue=existing_revenue,
        existing_share=existing_revenue / revenue if revenue else None,
    )


# --- referrals ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Referrals:
    given: int  # referrals made in the period by clients (of the segment)
    received: int  # referrals in the period that brought clients (of the segment)
    converted: int  # of those received, referred clients that had an engagement
    conversion_rate: float | None
    referred_revenue: float  # revenue in the period from clients that came by referral
    revenue_share: float | None


def referrals(
    *, given: int, received: int, converted: int, referred_revenue: float, revenue: float
) -> Referrals:
    if converted > received:
        raise ValueError("converted <= received")
    return Referrals(
        given=given,
        received=received,
        converted=converted,
        conversion_rate=converted / received if received else None,
        referred_revenue=referred_revenue,
        revenue_share=referred_revenue / revenue if revenue else None,
    )


# --- feedback themes over time ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeBucket:
    """Comments of one month or quarter: how many, and each theme's count and share of them."""

    bucket: dt.date
    comments: int
    counts: dict[str, int]
    shares: dict[str, float]


def theme_shares(
    counts: Iterable[tuple[dt.date, str, int]], themes: Sequence[str], periods: Sequence[dt.date]
) -> list[ThemeBucket]:
    """Per bucket (every one of `periods`, even empty), each theme's share of its comments."""
    table: dict[dt.date, dict[str, int]] = {p: dict.fromkeys(themes, 0) for p in periods}
    for bucket, theme, n in counts:
        if bucket in table and theme in table[bucket]:
            table[bucket][theme] += n
    out = []
    for period in periods:
        row = table[period]
        total = sum(row.values())
        shares = {t: (row[t] / total if total else 0.0) for t in themes}
        out.append(ThemeBucket(period, total, row, shares))
    return out


# --- success by group ---------------------------------------------------------------------------


def success_by[K](outcomes: Iterable[tuple[K, ProjectOutcome]]) -> dict[K, SuccessRates]:
    """Success rates per key (engagement type, lead, month...); keys without outcomes absent."""
    groups: dict[K, list[ProjectOutcome]] = {}
    for key, outcome in outcomes:
        groups.setdefault(key, []).append(outcome)
    return {key: success_rates(group) for key, group in groups.items()}


# --- retention curves by start cohort ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lifespan:
    """A client relationship seen at `as_of`: lost (an event) or still active (censored)."""

    start: dt.date
    lost_on: dt.date | None


def cohort_key(day: dt.date, by: Literal["year", "quarter"]) -> str:
    return str(day.year) if by == "year" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


def survival_inputs(
    lifespans: Iterable[Lifespan], as_of: dt.date
) -> tuple[list[float], list[bool]]:
    """Durations in days and whether each ended in a loss by `as_of` (else censored at it).

    Relationships starting after `as_of` are left out; a loss after it is not known yet.
    """
    durations, observed = [], []
    for span in lifespans:
        if span.start > as_of:
            continue
        lost = span.lost_on is not None and span.lost_on <= as_of
        end = span.lost_on if lost and span.lost_on is not None else as_of
        durations.append(float(max((end - span.start).days, 0)))
        observed.append(lost)
    return durations, observed

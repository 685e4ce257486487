"""Portfolio measures over a period and a segment: a fixed handful of aggregate queries each.

The SQL gathers per-client, per-bucket or per-engagement totals for the whole workspace (or one
segment of it: a tier, an industry, an account manager's clients); the formulas live in
`trustledger.scoring` (definitions in docs/analytics.md). Nothing here queries per client.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lag, TruncMonth, TruncQuarter
from django.db.models.functions.datetime import TruncBase

from trustledger.analytics import rollup
from trustledger.analytics.models import TimeMonth
from trustledger.clients.models import Client, Referral, Tier
from trustledger.communications import measures as comms
from trustledger.communications import sla
from trustledger.communications.models import Channel, Inquiry
from trustledger.engagements.models import (
    DeliverableReview,
    Engagement,
    EngagementStatus,
    FoundBy,
    Milestone,
    MilestoneStatus,
    QualityIssue,
    ReviewOutcome,
    Severity,
    TimeEntry,
)
from trustledger.engagements.selectors import BILLED, COST
from trustledger.feedback.analysis.themes import THEMES
from trustledger.feedback.models import SurveyResponse
from trustledger.money import selectors as money
from trustledger.scoring import portfolio as measures
from trustledger.scoring.currency import MissingRate, Rates, month_rate_date
from trustledger.scoring.nps import NpsResult, compute_nps
from trustledger.scoring.stats import SurvivalPoint, kaplan_meier, median, p90
from trustledger.trust.models import SnapshotKind, TrustSnapshot
from trustledger.workspaces.models import User, Workspace

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=18, decimal_places=4)
PERIOD_MONTHS = (3, 6, 12, 24)


@dataclass(frozen=True)
class Period:
    """Both ends inclusive."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @classmethod
    def last_months(cls, months: int, *, today: dt.date) -> Period:
        """The `months` months ending `today`: from the day after the same date `months` ago."""
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        day = min(today.day, calendar.monthrange(year, month + 1)[1])  # 31 March -> 28 Feb
        return cls(dt.date(year, month + 1, day) + dt.timedelta(days=1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (revenue retention's start)."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def bounds(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, instant after the last day) in the workspace's time zone."""
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        return start, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


SEGMENT_KINDS = {"tier": "Tier", "industry": "Industry", "manager": "Account manager"}


@dataclass(frozen=True)
class Segment:
    """Part of the portfolio: clients of a tier, of an industry or of one account manager.

    The empty segment is the whole portfolio. Written ``tier:key``, ``industry:Legal`` or
    ``manager:<user id>`` in URLs and the API.
    """

    kind: str = ""
    value: str = ""

    @classmethod
    def parse(cls, raw: str) -> Segment:
        """Raises ValueError for an unknown kind, a tier that does not exist or a bad user id."""
        raw = raw.strip()
        if not raw:
            return ALL
        kind, _, value = raw.partition(":")
        if kind not in SEGMENT_KINDS or not value:
            raise ValueError("a segment is tier:<tier>, industry:<name> or manager:<user id>")
        if kind == "tier" and value not in Tier.values:
            raise ValueError(f"unknown tier {value!r}")
        if kind == "manager" and not value.isdigit():
            raise ValueError("manager:<user id> takes a number")
        return cls(kind, value[:100])

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}" if self.kind else ""

    def q(self, path: str = "") -> Q:
        """The filter on clients, through `path` (``engagement__client__`` from a time entry)."""
        if not self.kind:
            return Q()
        field = {"tier": "tier", "industry": "industry", "manager": "account_manager_id"}
        value: object = int(self.value) if self.kind == "manager" else self.value
        return Q(**{path + field[self.kind]: value})


ALL = Segment()


@dataclass(frozen=True)
class SegmentChoice:
    key: str
    label: str


def segment_choices(workspace: Workspace) -> list[SegmentChoice]:
    """Every segment the workspace has: tiers, industries in use, account managers (2 queries)."""
    choices = [SegmentChoice(f"tier:{value}", f"Tier: {label}") for value, label in Tier.choices]
    industries = (
        Client.objects.for_workspace(workspace)
        .exclude(industry="")
        .values_list("industry", flat=True)
        .distinct()
        .order_by("industry")
    )
    choices += [SegmentChoice(f"industry:{name}", f"Industry: {name}") for name in industries]
    managers = User.objects.filter(
        pk__in=Client.objects.for_workspace(workspace).values("account_manager_id")
    ).order_by("full_name", "email")
    choices += [SegmentChoice(f"manager:{u.pk}", f"Account manager: {u}") for u in managers]
    return choices


def _trunc(field: str, grain: measures.Grain, zone: dt.tzinfo | None = None) -> TruncBase:
    trunc = TruncMonth if grain == "month" else TruncQuarter
    return trunc(field, tzinfo=zone) if zone is not None else trunc(field)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _zone(workspace: Workspace) -> dt.tzinfo:
    return ZoneInfo(workspace.time_zone)


# --- retention ------------------------------------------------------------------------------


def _retention_counts(period: Period, suffix: str = "") -> dict[str, Count]:
    """S, N, E and R of one period as filtered counts (see docs/analytics.md)."""
    start, end = period.start, period.end
    at_start = Q(relationship_start__lt=start) & (Q(lost_on__isnull=True) | Q(lost_on__gte=start))
    kept = Q(lost_on__isnull=True) | Q(lost_on__gt=end)
    return {
        f"s{suffix}": Count("pk", filter=at_start),
        f"n{suffix}": Count("pk", filter=Q(relationship_start__range=(start, end))),
        f"e{suffix}": Count("pk", filter=Q(relationship_start__lte=end) & kept),
        f"r{suffix}": Count("pk", filter=at_start & kept),
    }


def _retention_of(counts: dict[str, int], suffix: str = "") -> measures.Retention:
    return measures.retention(
        at_start=counts[f"s{suffix}"],
        new=counts[f"n{suffix}"],
        at_end=counts[f"e{suffix}"],
        retained=counts[f"r{suffix}"],
    )


def retention(workspace: Workspace, period: Period, segment: Segment = ALL) -> measures.Retention:
    """S, N, E and R from relationship_start and lost_on, in one aggregate query.

    Served on a day: the relationship began by that day and the client was not lost before it
    (a client lost on the last day of the period is not served at its end).
    """
    clients = Client.objects.for_workspace(workspace).filter(segment.q())
    return _retention_of(clients.aggregate(**_retention_counts(period)))


def retention_clients(
    workspace: Workspace, period: Period, segment: Segment, which: str
) -> QuerySet[Client]:
    """The clients behind S, N, E, R or the lost (S - R plus new ones lost), for the drill-down."""
    start, end = period.start, period.end
    at_start = Q(relationship_start__lt=start) & (Q(lost_on__isnull=True) | Q(lost_on__gte=start))
    kept = Q(lost_on__isnull=True) | Q(lost_on__gt=end)
    served = Q(relationship_start__lte=end) & (Q(lost_on__isnull=True) | Q(lost_on__gte=start))
    lost = served & Q(lost_on__lte=end)
    condition = {
        "at_start": at_start,
        "new": Q(relationship_start__range=(start, end)),
        "at_end": Q(relationship_start__lte=end) & kept,
        "retained": at_start & kept,
        "lost": lost,
    }[which]
    return (
        Client.objects.for_workspace(workspace)
        .filter(segment.q())
        .filter(condition)
        .select_related("account_manager")
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class Bucket:
    start: dt.date
    label: str
    period: Period  # the bucket clipped to the period asked for


def trend_buckets(period: Period, grain: measures.Grain) -> list[Bucket]:
    return [
        Bucket(
            first,
            measures.bucket_label(first, grain),
            Period(max(first, period.start), min(measures.bucket_end(first, grain), period.end)),
        )
        for first in measures.buckets(period.start, period.end, grain)
    ]


def retention_trend(
    workspace: Workspace, buckets: list[Bucket], segment: Segment = ALL
) -> dict[dt.date, measures.Retention]:
    """CRR and logo retention of every bucket, in one aggregate query."""
    counts: dict[str, Count] = {}
    for i, bucket in enumerate(buckets):
        counts.update(_retention_counts(bucket.period, f"_{i}"))
    row = Client.objects.for_workspace(workspace).filter(segment.q()).aggregate(**counts)
    return {b.start: _retention_of(row, f"_{i}") for i, b in enumerate(buckets)}


# --- retention curves by start cohort -------------------------------------------------------

COHORT_BY = ("year", "quarter")
MAX_COHORTS = 6


@dataclass(frozen=True)
class Cohort:
    key: str
    clients: int
    lost: int
    curve: list[SurvivalPoint]  # durations in days

    def survival_at(self, days: float) -> float | None:
        """S(days); None beyond the last observation (the curve is unknown there)."""
        if not self.curve or days > self.curve[-1].time:
            return None
        value = 1.0
        for point in self.curve:
            if point.time > days:
                break
            value = point.survival
        return value


def cohort_curves(
    workspace: Workspace, as_of: dt.date, segment: Segment = ALL, by: str = "year"
) -> list[Cohort]:
    """Kaplan-Meier retention curve per start cohort (year or quarter of relationship_start),
    censoring clients still active at `as_of`; the newest `MAX_COHORTS` cohorts. One query."""
    cohort_by: Literal["year", "quarter"] = "quarter" if by == "quarter" else "year"
    rows = (
        Client.objects.for_workspace(workspace)
        .filter(segment.q(), relationship_start__lte=as_of)
        .values_list("relationship_start", "lost_on")
    )
    groups: dict[str, list[measures.Lifespan]] = {}
    for start, lost_on in rows:
        key = measures.cohort_key(start, cohort_by)
        groups.setdefault(key, []).append(measures.Lifespan(start, lost_on))
    cohorts = []
    for key in sorted(groups)[-MAX_COHORTS:]:
        durations, observed = measures.survival_inputs(groups[key], as_of)
        cohorts.append(
            Cohort(key, len(durations), sum(observed), kaplan_meier(durations, observed))
        )
    return cohorts


def cohort_clients(
    workspace: Workspace, as_of: dt.date, segment: Segment, cohort: str
) -> QuerySet[Client]:
    """The clients of one start cohort ("2024" or "2024 Q3"), for the drill-down."""
    year, _, quarter = cohort.partition(" Q")
    if not year.isdigit() or (quarter and quarter not in "1234"):
        return Client.objects.none()
    qs = Client.objects.for_workspace(workspace).filter(
        segment.q(), relationship_start__year=int(year), relationship_start__lte=as_of
    )
    if quarter:
        first = 3 * (int(quarter) - 1) + 1
        qs = qs.filter(relationship_start__month__range=(first, first + 2))
    return qs.select_related("account_manager").order_by("relationship_start", "name")


# --- revenue: profitability, revenue retention, existing clients, referred clients -----------

WON = (EngagementStatus.ACTIVE, EngagementStatus.ON_HOLD, EngagementStatus.CLOSED)


@dataclass(frozen=True)
class ProfitRow:
    client_id: int
    client: str
    profit: measures.ClientProfit
    trust_index: float | None
    quadrant: measures.Quadrant | None


@dataclass(frozen=True)
class Profitability:
    rows: list[ProfitRow]
    pareto: measures.Pareto
    median_margin_pct: float | None
    currency: str = "EUR"  # of every amount: the workspace's base
    missing: tuple[MissingRate, ...] = ()  # amounts of the period no rate converts (left out)

    @property
    def effort_heavy(self) -> list[ProfitRow]:
        """Clients whose share of the effort far exceeds their share of the revenue."""
        heavy = {p.client_id for p in measures.effort_heavy(row.profit for row in self.rows)}
        return [row for row in self.rows if row.client_id in heavy]

    @property
    def revenue(self) -> float:
        return sum(row.profit.revenue for row in self.rows)

    @property
    def cost(self) -> float:
        return sum(row.profit.cost for row in self.rows)

    @property
    def margin_pct(self) -> float | None:
        revenue = self.revenue
        return 100 * (revenue - self.cost) / revenue if revenue else None


@dataclass(frozen=True)
class Fx:
    """The rates sums were converted with and the dates they serve, so that reads of the same
    period (the dashboard's per-client and per-month sums) fetch them once."""

    rates: Rates
    currencies: frozenset[str]
    first: dt.date
    last: dt.date

    def covers(self, currencies: set[str], first: dt.date, last: dt.date) -> bool:
        return currencies <= self.currencies and self.first <= first and last <= self.last


@dataclass(frozen=True)
class ClientRevenue:
    """Per client, revenue in the period and in the one before it (one query feeds both), in the
    base currency."""

    names: dict[int, str]
    economics: list[measures.ClientEconomics]  # clients with time in the period
    before: dict[int, float]  # revenue in the previous period, by client
    currency: str = "EUR"
    missing: tuple[MissingRate, ...] = ()  # of both periods
    fx: Fx | None = None

    @property
    def now(self) -> dict[int, float]:
        return {e.client_id: e.revenue for e in self.economics}

    def missing_in(self, period: Period) -> tuple[MissingRate, ...]:
        """The amounts left out of the months overlapping ``period``."""
        return tuple(
            m for m in self.missing if m.month <= period.end and m.rate_date >= period.start
        )


MEASURES = ("hours", "cost", "billed")
_ROLLED: dict[str, Any] = {"hours": "hours", "cost": "cost", "billed": "revenue"}
_RAW: dict[str, Any] = {"hours": F("hours"), "cost": COST, "billed": BILLED}
Column = tuple[str, str]  # (period name, measure)
# A group of sums: its key (client id or month), its currency when not the base ("": the base),
# the month its amounts are dated in (None for the base), the sums in the order of the columns.
_Group = tuple[Any, str, dt.date | None, tuple[Any, ...]]


def _sum(value: Any, where: Q) -> Coalesce:
    return Coalesce(Sum(value, filter=where), ZERO, output_field=MONEY)


def _as_date(value: dt.date | str) -> dt.date:
    """A date column read without Django's converters (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _if_foreign(foreign: Q, value: Any, output_field: Any) -> Case:
    """``value`` for amounts in another currency than the base, NULL for the base's."""
    return Case(When(foreign, then=value), default=Value(None), output_field=output_field)


def _month_of(ranges: Iterable[rollup.DayRange]) -> Case:
    """The first day of the month of a raw day, without a date function per row."""
    months = {rollup.month_start(lo) for lo, _ in ranges}
    return Case(
        *[When(date__range=(m, rollup.next_month(m) - rollup.DAY), then=Value(m)) for m in months],
        output_field=DateField(),
    )


@dataclass
class _Totals:
    by_key: dict[Any, dict[Column, float]]
    names: dict[int, str]
    missing: tuple[MissingRate, ...]
    fx: Fx | None


def _time_totals(
    workspace: Workspace,
    segment: Segment,
    wanted: dict[str, tuple[Period, tuple[str, ...]]],
    *,
    by_client: bool,
    fx: Fx | None = None,
) -> _Totals:
    """Some of hours, cost and billed value of each named period, per client or per month: the
    whole months from the roll-up, the partial edge months from the time entries (see
    analytics.rollup). Two queries, one when every edge is a month boundary; the clients' names
    too; a third for the rates when some work is in another currency than the base (none when
    ``fx`` has them). Sums are exact to 4 decimal places, as a sum over the entries (round them
    to 4), and in the base currency: amounts in another are summed per currency and month in
    SQL, then converted at the month's rate (scoring.currency)."""
    cuts = {name: rollup.slices(p.start, p.end) for name, (p, _) in wanted.items()}
    columns = [(name, m) for name, (_, measures_) in wanted.items() for m in measures_]
    read = _Read(workspace, segment, cuts, columns, by_client)
    groups = read.rolled() + read.raw()
    fx = _rates_for(workspace, groups, fx)
    by_key, missing = _convert(groups, columns, fx, workspace.base_currency)
    return _Totals(by_key, read.names, missing, fx)


@dataclass
class _Read:
    """The two reads of ``_time_totals``: each gives its groups and notes the clients' names."""

    workspace: Workspace
    segment: Segment
    cuts: dict[str, rollup.Slices]
    columns: list[Column]
    by_client: bool
    names: dict[int, str] = dataclasses.field(default_factory=dict)

    def rolled(self) -> list[_Group]:
        """Whole months from the roll-up, grouped by currency and month when not the base."""
        months = frozenset().union(*(c.months for c in self.cuts.values()))
        if not months:
            return []
        foreign = ~Q(currency=self.workspace.base_currency)
        fields = ("client_id", "client__name") if self.by_client else ("month",)
        rolled = (
            TimeMonth.objects.for_workspace(self.workspace)
            .filter(self.segment.q("client__"), rollup.in_months(months))
            .annotate(
                fx_currency=_if_foreign(foreign, F("currency"), CharField()),
                fx_month=_if_foreign(foreign, F("month"), DateField()),
            )
            .values(*fields, "fx_currency", "fx_month")
            .annotate(
                **{
                    f"{n}_{m}": _sum(_ROLLED[m], rollup.in_months(self.cuts[n].months))
                    for n, m in self.columns
                }
            )
            .order_by()
        )
        n, groups = len(fields), []
        for row in _plain_rows(rolled):
            if self.by_client:
                self.names[row[0]] = row[1]
            key = row[0] if self.by_client else _as_date(row[0])
            month = _as_date(row[n + 1]) if row[n + 1] else None
            groups.append((key, row[n] or "", month, row[n + 2 :]))
        return groups

    def raw(self) -> list[_Group]:
        """The edge days from the time entries (signed: added or subtracted), likewise."""
        raw = [days for c in self.cuts.values() for days in c.raw]
        if not raw:
            return []
        foreign = ~Q(engagement__currency=self.workspace.base_currency)
        by_client = self.by_client
        fields = ("engagement__client_id", "engagement__client__name") if by_client else ("date",)
        of_month = (
            {"fx_month": _if_foreign(foreign, _month_of(raw), DateField())} if by_client else {}
        )
        signed = {
            f"{n}_{m}": ExpressionWrapper(
                _sum(_RAW[m], rollup.on_days(self.cuts[n].add))
                - _sum(_RAW[m], rollup.on_days(self.cuts[n].subtract)),
                output_field=MONEY,
            )
            for n, m in self.columns
        }
        entries = (
            TimeEntry.objects.for_workspace(self.workspace)
            .filter(self.segment.q("engagement__client__"), rollup.on_days(raw))
            .annotate(
                fx_currency=_if_foreign(foreign, F("engagement__currency"), CharField()),
                **of_month,
            )
            .values(*fields, "fx_currency", *of_month)
            .annotate(**signed)
            .order_by()
        )
        n, groups = len(fields) + 1 + len(of_month), []
        for row in _plain_rows(entries):
            currency = row[len(fields)] or ""
            if by_client:
                self.names[row[0]] = row[1]
                key, month = row[0], _as_date(row[n - 1]) if currency else None
            else:
                key = rollup.month_start(_as_date(row[0]))
                month = key if currency else None
            groups.append((key, currency, month, row[n:]))
        return groups


def _rates_for(workspace: Workspace, groups: list[_Group], fx: Fx | None) -> Fx | None:
    """The rates the groups in another currency need: ``fx`` when it has them, else one query."""
    dated = {(currency, month) for _, currency, month, _ in groups if currency and month}
    if not dated:
        return fx
    currencies = {currency for currency, _ in dated}
    first = month_rate_date(min(month for _, month in dated))
    last = month_rate_date(max(month for _, month in dated))
    if fx is not None and fx.covers(currencies, first, last):
        return fx
    rates = money.rates_for(workspace, currencies, first, last)
    return Fx(rates, frozenset(currencies), first, last)


def _convert(
    groups: list[_Group], columns: list[Column], fx: Fx | None, base: str
) -> tuple[dict[Any, dict[Column, float]], tuple[MissingRate, ...]]:
    """Add the groups up per key in the base currency. Amounts in another currency convert at
    their month's rate; those no rate converts are left out and returned, per currency and
    month (billed, cost). Hours are no money: they always count."""
    totals: dict[Any, dict[Column, float]] = {}
    gaps: dict[tuple[str, dt.date], list[Decimal]] = {}
    for key, currency, month, values in groups:
        per = totals.get(key) or totals.setdefault(key, dict.fromkeys(columns, 0.0))
        rate = None
        if currency and month and fx is not None:
            rate = fx.rates.rate(currency, month_rate_date(month))
        for column, value in zip(columns, values, strict=True):
            if currency and column[1] != "hours" and month:
                amount = Decimal(str(value or 0))
                if rate is None:
                    gap = gaps.setdefault((currency, month), [ZERO, ZERO])
                    gap[column[1] == "cost"] += amount
                    continue
                value = amount * rate
            per[column] += float(value or 0)
    missing = tuple(
        MissingRate(currency, base, month, round(billed, 2), round(cost, 2))
        for (currency, month), (billed, cost) in sorted(
            gaps.items(), key=lambda g: (g[0][1], g[0][0])
        )
        if billed or cost
    )
    return totals, missing


def client_revenue(workspace: Workspace, period: Period, segment: Segment = ALL) -> ClientRevenue:
    """Hours, cost and billed value per client in the period, and billed in the previous one,
    from the monthly roll-up (two queries, three with work in another currency)."""
    totals = _time_totals(
        workspace,
        segment,
        {"now": (period, MEASURES), "before": (period.previous(), ("billed",))},
        by_client=True,
    )
    economics, previous = [], {}
    for client_id, per in totals.by_key.items():
        hours = round(per[("now", "hours")], 4)
        previous[client_id] = round(per[("before", "billed")], 4)
        if hours:  # every time entry has hours: a client with none had no time in the period
            economics.append(
                measures.ClientEconomics(
                    client_id,
                    hours=hours,
                    cost=round(per[("now", "cost")], 4),
                    revenue=round(per[("now", "billed")], 4),
                )
            )
    return ClientRevenue(
        totals.names, economics, previous, workspace.base_currency, totals.missing, totals.fx
    )


def profitability(
    workspace: Workspace,
    period: Period,
    segment: Segment = ALL,
    revenue: ClientRevenue | None = None,
) -> Profitability:
    """Revenue (billed), cost and margin per client from time logged in the period: two queries
    (one when `revenue` is given)."""
    revenue = revenue or client_revenue(workspace, period, segment)
    names = revenue.names
    trust = dict(
        TrustSnapshot.objects.for_workspace(workspace)
        .filter(kind=SnapshotKind.CURRENT, client__in=Client.objects.filter(segment.q()))
        .values_list("client_id", "index")
    )
    profits = measures.profitability(revenue.economics)
    threshold = median([p.margin_pct for p in profits if p.margin_pct is not None])
    rows = [
        ProfitRow(
            client_id=p.client_id,
            client=names[p.client_id],
            profit=p,
            trust_index=trust.get(p.client_id),
            quadrant=measures.quadrant(
                trust.get(p.client_id), p.margin_pct, margin_threshold=threshold
            ),
        )
        for p in profits
    ]
    return Profitability(
        rows,
        measures.pareto(revenue.economics),
        threshold,
        revenue.currency,
        revenue.missing_in(period),
    )


def revenue_retention(
    workspace: Workspace,
    period: Period,
    segment: Segment = ALL,
    revenue: ClientRevenue | None = None,
) -> measures.RevenueRetention:
    """GRR and NRR of the clients that brought revenue in the previous period (one query)."""
    revenue = revenue or client_revenue(workspace, period, segment)
    return measures.revenue_retention(revenue.before, revenue.now)


@dataclass(frozen=True)
class RevenuePoint:
    hours: float
    revenue: float
    cost: float

    @property
    def margin_pct(self) -> float | None:
        return 100 * (self.revenue - self.cost) / self.revenue if self.revenue else None


def revenue_trend(
    workspace: Workspace,
    period: Period,
    segment: Segment,
    grain: measures.Grain,
    *,
    fx: Fx | None = None,
) -> dict[dt.date, RevenuePoint]:
    """Hours, revenue and cost per month or quarter of the period in the base currency (two
    queries, roll-up; a third for rates unless ``fx``, e.g. the client revenue's, has them).
    What no rate converts is left out as in ``client_revenue``, whose ``missing`` says so."""
    totals = _time_totals(workspace, segment, {"p": (period, MEASURES)}, by_client=False, fx=fx)
    buckets: dict[dt.date, list[float]] = {}
    for month, per in totals.by_key.items():
        bucket = buckets.setdefault(measures.bucket_start(month, grain), [0.0, 0.0, 0.0])
        for i, measure in enumerate(MEASURES):
            bucket[i] += per[("p", measure)]
    return {
        start: RevenuePoint(round(hours, 4), round(billed, 4), round(cost, 4))
        for start, (hours, cost, billed) in buckets.items()
        if round(hours, 4)  # only buckets with time, as before
    }


# --- repeat business ------------------------------------------------------------------------


def _won_engagements(workspace: Workspace, segment: Segment) -> QuerySet[Engagement]:
    return Engagement.objects.for_workspace(workspace).filter(segment.q("client__"), status__in=WON)


def first_engagement_starts(workspace: Workspace, segment: Segment = ALL) -> dict[int, dt.date]:
    """Each client's first engagement start (won work only: active, on hold or closed)."""
    return dict(
        _won_engagements(workspace, segment)
        .values("client_id")
        .annotate(first=Min("start_date"))
        .order_by()
        .values_list("client_id", "first")
    )


def repeat_business(
    workspace: Workspace,
    period: Period,
    segment: Segment = ALL,
    revenue: ClientRevenue | None = None,
    first_starts: dict[int, dt.date] | None = None,
) -> measures.RepeatBusiness:
    """Share of clients with a second engagement, median days to the next engagement, and the
    revenue share of existing clients. Three queries (one when the inputs are given)."""
    revenue = revenue or client_revenue(workspace, period, segment)
    firsts = first_starts if first_starts is not None else first_engagement_starts(workspace)
    won = _won_engagements(workspace, segment).filter(start_date__lte=period.end)
    counts = won.values("client_id").annotate(n=Count("pk")).order_by()
    tally = Client.objects.for_workspace(workspace).aggregate(
        clients=Count("pk", filter=Q(pk__in=counts.values("client_id"))),
        repeat=Count("pk", filter=Q(pk__in=counts.filter(n__gte=2).values("client_id"))),
    )
    with_previous = won.annotate(
        previous=Window(
            Lag("start_date"), partition_by=[F("client_id")], order_by=[F("start_date"), F("pk")]
        )
    ).order_by()
    gaps = [
        float((start - previous).days)
        for start, previous in with_previous.values_list("start_date", "previous")
        if previous is not None and period.start <= start <= period.end
    ]
    existing = sum(
        e.revenue
        for e in revenue.economics
        if e.client_id in firsts and firsts[e.client_id] < period.start
    )
    return measures.repeat_business(
        clients=tally["clients"],
        repeat_clients=tally["repeat"],
        gaps_days=gaps,
        revenue=sum(e.revenue for e in revenue.economics),
        existing_revenue=existing,
    )


def repeat_clients(workspace: Workspace, period: Period, segment: Segment) -> QuerySet[Client]:
    """Clients with won work started by the end of the period, for the drill-down."""
    return (
        Client.objects.for_workspace(workspace)
        .filter(segment.q())
        .annotate(
            won_engagements=Count(
                "engagements",
                filter=Q(engagements__status__in=WON, engagements__start_date__lte=period.end),
            )
        )
        .filter(won_engagements__gte=1)
        .order_by("-won_engagements", "name")
    )


def engagement_starts(
    workspace: Workspace, client_ids: list[int], as_of: dt.date
) -> list[tuple[int, dt.date]]:
    """(client id, start date) of the won engagements of a page of clients (one query)."""
    return list(
        Engagement.objects.for_workspace(workspace)
        .filter(client_id__in=client_ids, status__in=WON, start_date__lte=as_of)
        .values_list("client_id", "start_date")
    )


# --- referrals ------------------------------------------------------------------------------


def referrals(
    workspace: Workspace,
    period: Period,
    segment: Segment = ALL,
    revenue: ClientRevenue | None = None,
) -> measures.Referrals:
    """Referrals given (by the segment's clients) and received (by them) in the period; how many
    received turned into work; revenue in the period from referred clients. Two queries."""
    revenue = revenue or client_revenue(workspace, period, segment)
    in_period = Referral.objects.for_workspace(workspace).filter(
        referred_on__range=(period.start, period.end)
    )
    converted = Q(
        referred__engagements__status__in=WON,
        referred__engagements__start_date__gte=F("referred_on"),
    )
    tally = in_period.aggregate(
        given=Count("pk", filter=segment.q("referrer__"), distinct=True),
        received=Count("pk", filter=segment.q("referred__"), distinct=True),
        converted=Count("pk", filter=segment.q("referred__") & converted, distinct=True),
    )
    referred = set(
        Referral.objects.for_workspace(workspace)
        .filter(referred_on__lte=period.end)
        .values_list("referred_id", flat=True)
    )
    return measures.referrals(
        given=tally["given"],
        received=tally["received"],
        converted=tally["converted"],
        referred_revenue=sum(e.revenue for e in revenue.economics if e.client_id in referred),
        revenue=sum(e.revenue for e in revenue.economics),
    )


def referral_rows(workspace: Workspace, period: Period, segment: Segment) -> QuerySet[Referral]:
    """Referrals made in the period touching the segment (as referrer or referred)."""
    touches = segment.q("referrer__") | segment.q("referred__") if segment.kind else Q()
    return (
        Referral.objects.for_workspace(workspace)
        .filter(touches, referred_on__range=(period.start, period.end))
        .select_related("referrer", "referred")
        .annotate(
            converted=Count(
                "referred__engagements",
                filter=Q(
                    referred__engagements__status__in=WON,
                    referred__engagements__start_date__gte=F("referred_on"),
                ),
            )
        )
        .order_by("-referred_on", "pk")
    )


def referral_trend(
    workspace: Workspace, period: Period, segment: Segment, grain: measures.Grain
) -> dict[dt.date, int]:
    """Referrals received by the segment's clients per month or quarter (one query)."""
    return {
        _day(bucket): n
        for bucket, n in Referral.objects.for_workspace(workspace)
        .filter(segment.q("referred__"), referred_on__range=(period.start, period.end))
        .annotate(bucket=_trunc("referred_on", grain))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("bucket", "n")
    }


# --- response times -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseTimes:
    overall: comms.ResponseStats
    by_channel: dict[str, comms.ResponseStats]
    trend: dict[dt.date, comms.ResponseStats]

    @property
    def channels(self) -> list[tuple[str, comms.ResponseStats]]:
        labels = dict(Channel.choices)
        return [(labels.get(ch, ch), stats) for ch, stats in sorted(self.by_channel.items())]


class _Tally:
    """The figures of communications.measures.response_stats, counted from each inquiry's state
    (worked out by the database) and its business hours, without a datetime per row."""

    def __init__(self) -> None:
        self.count = self.judged = self.within = self.open_late = 0
        self.hours: list[float] = []

    def add(self, state: int, hours: float | None) -> None:
        self.count += 1
        if state == _OPEN:
            return
        self.judged += 1
        if state == _OPEN_PAST_SLA:
            self.open_late += 1
            return
        self.within += state == _ANSWERED_WITHIN
        if hours is not None:
            self.hours.append(hours)

    @classmethod
    def merged(cls, tallies: Iterable[_Tally]) -> _Tally:
        out = cls()
        for t in tallies:
            out.count += t.count
            out.judged += t.judged
            out.within += t.within
            out.open_late += t.open_late
            out.hours += t.hours
        return out

    def stats(self) -> comms.ResponseStats:
        hours = self.hours
        return comms.ResponseStats(
            self.count,
            len(hours),
            median(hours),
            p90(hours),
            self.judged,
            self.within,
            self.open_late,
        )


_OPEN, _ANSWERED_LATE, _ANSWERED_WITHIN, _OPEN_PAST_SLA = 0, 1, 2, 3


def _plain_rows(qs: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list of numbers and text, as the database driver returns them:
    Django's per-value converters cost more than the query on tens of thousands of rows."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def response_times(
    workspace: Workspace,
    period: Period,
    segment: Segment,
    grain: measures.Grain,
    *,
    now: dt.datetime,
) -> ResponseTimes:
    """Median and p90 first response (business hours) and SLA attainment over the inquiries
    received in the period, overall, by channel and per bucket: three queries (the inquiries,
    the firm's hours and its holidays).

    As communications.measures.response_stats counts them: answered means a first response by
    `now`; judged, answered or open past its SLA; within, answered by the SLA deadline. The
    database says which of these each inquiry is and its bucket; the business hours are those
    stored on the inquiry (sla.store_response_hours) when they still hold, otherwise counted
    here on the firm's calendar."""
    zone = _zone(workspace)
    calendar_ = sla.business_calendar(workspace)
    since, until = period.bounds(zone)
    until = min(until, now)
    buckets = trend_buckets(period, grain)
    bucket = Case(
        *[
            When(
                received_at__lt=dt.datetime.combine(
                    b.period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone
                ),
                then=Value(i),
            )
            for i, b in enumerate(buckets)
        ],
        default=Value(len(buckets) - 1),
        output_field=IntegerField(),
    )
    answered = Q(first_response_at__isnull=False, first_response_at__lte=now)
    state = Case(
        When(answered & Q(first_response_at__lte=F("sla_due")), then=Value(_ANSWERED_WITHIN)),
        When(answered, then=Value(_ANSWERED_LATE)),
        When(sla_due__lt=now, then=Value(_OPEN_PAST_SLA)),
        default=Value(_OPEN),
        output_field=IntegerField(),
    )
    fresh = sla.fresh_response_hours(sla.calendar_key(calendar_))
    inquiries = Inquiry.objects.for_workspace(workspace).filter(
        segment.q("client__"), received_at__gte=since, received_at__lt=until
    )
    rows = _plain_rows(
        inquiries.annotate(
            bucket=bucket,
            state=state,
            stored=Case(When(fresh, then=F("response_hours")), default=None),
            # answered, and the stored hours missing or stale: counted again below
            recount=Case(When(fresh, then=Value(0)), When(answered, then=Value(1)), default=0),
        )
        .order_by()
        .values_list("pk", "channel", "bucket", "state", "stored", "recount")
    )
    counted: dict[int, float] = {}
    if any(row[-1] for row in rows):  # only then: a fourth query, a datetime per such row
        counted = {
            pk: calendar_.business_hours(received, response)
            for pk, received, response in inquiries.filter(
                pk__in=[row[0] for row in rows if row[-1]]
            ).values_list("pk", "received_at", "first_response_at")
            if response is not None
        }
    groups: dict[tuple[str, int], _Tally] = {}  # by channel and bucket, merged below
    for pk, channel, index, state_, stored, recount in rows:
        key = (channel, index)
        tally = groups.get(key) or groups.setdefault(key, _Tally())
        tally.add(state_, counted.get(pk) if recount else stored)
    return ResponseTimes(
        _Tally.merged(groups.values()).stats(),
        {
            ch: _Tally.merged(t for (c, _), t in groups.items() if c == ch).stats()
            for ch in {c for c, _ in groups}
        },
        {
            buckets[i].start: _Tally.merged(t for (_, b), t in groups.items() if b == i).stats()
            for i in {b for _, b in groups}
        },
    )


def inquiry_rows(
    workspace: Workspace, period: Period, segment: Segment, channel: str = ""
) -> QuerySet[Inquiry]:
    since, until = period.bounds(_zone(workspace))
    qs = Inquiry.objects.for_workspace(workspace).filter(
        segment.q("client__"), received_at__gte=since, received_at__lt=until
    )
    if channel:
        qs = qs.filter(channel=channel)
    return qs.select_related("client").order_by("-received_at", "-pk")


# --- project success ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedEngagement:
    pk: int
    name: str
    client: str
    type: str
    lead: str
    closed_on: dt.date


@dataclass(frozen=True)
class Success:
    rates: measures.SuccessRates
    outcomes: dict[int, measures.ProjectOutcome]  # by engagement id
    engagements: dict[int, ClosedEngagement]

    def by(self, attribute: str) -> list[tuple[str, measures.SuccessRates]]:
        """Rates per engagement type or lead, largest group first."""
        groups = measures.success_by(
            (getattr(self.engagements[pk], attribute), o) for pk, o in self.outcomes.items()
        )
        return sorted(groups.items(), key=lambda item: (-item[1].engagements, item[0]))

    def trend(self, grain: measures.Grain) -> dict[dt.date, measures.SuccessRates]:
        return measures.success_by(
            (measures.bucket_start(self.engagements[pk].closed_on, grain), o)
            for pk, o in self.outcomes.items()
        )


def closed_engagements(
    workspace: Workspace, period: Period, segment: Segment = ALL
) -> QuerySet[Engagement]:
    return Engagement.objects.for_workspace(workspace).filter(
        segment.q("client__"),
        status=EngagementStatus.CLOSED,
        closed_on__range=(period.start, period.end),
    )


def success_rates(workspace: Workspace, period: Period, segment: Segment = ALL) -> Success:
    """On time, within budget and quality for engagements closed in the period: five queries."""
    closed = closed_engagements(workspace, period, segment)
    types = dict(Engagement._meta.get_field("type").choices or [])
    engagements = list(
        closed.values_list(
            "pk",
            "budget_amount",
            "closed_on",
            "end_date",
            "name",
            "client__name",
            "type",
            "lead__full_name",
            "lead__email",
        )
    )
    billed = dict(
        TimeMonth.objects.filter(engagement__in=closed)
        .values("engagement_id")
        .annotate(total_billed=Coalesce(Sum("revenue"), ZERO, output_field=MONEY))
        .order_by()
        .values_list("engagement_id", "total_billed")
    )
    milestones: dict[int, list[measures.MilestoneFact]] = {}
    for engagement_id, committed, buffer_days, delivered_on, status in Milestone.objects.filter(
        engagement__in=closed
    ).values_list("engagement_id", "committed_date", "buffer_days", "delivered_on", "status"):
        milestones.setdefault(engagement_id, []).append(
            measures.MilestoneFact(
                committed, buffer_days, delivered_on, status == MilestoneStatus.CANCELLED
            )
        )
    severe = dict(
        QualityIssue.objects.filter(
            engagement__in=closed,
            found_by=FoundBy.CLIENT,
            severity__in=(Severity.HIGH, Severity.CRITICAL),
        )
        .values("engagement_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("engagement_id", "n")
    )
    returned_first = _first_reviews_returned(closed)
    outcomes = {
        pk: measures.ProjectOutcome(
            on_time=measures.delivered_on_time(
                milestones.get(pk, []), closed_on=closed_on, end_date=end_date
            ),
            within_budget=measures.within_budget(float(billed.get(pk, ZERO)), float(budget)),
            quality=measures.met_quality(
                severe_client_issues=severe.get(pk, 0),
                first_reviews_returned=returned_first.get(pk, 0),
            ),
        )
        for pk, budget, closed_on, end_date, *_ in engagements
    }
    facts = {
        pk: ClosedEngagement(
            pk,
            name,
            client,
            str(types.get(kind, kind)),
            lead or email or "No lead",
            closed_on or period.end,
        )
        for pk, _, closed_on, _, name, client, kind, lead, email in engagements
    }
    return Success(measures.success_rates(outcomes.values()), outcomes, facts)


def _first_reviews_returned(closed: QuerySet[Engagement]) -> dict[int, int]:
    """Per engagement, how many deliverables were returned at their first client review."""
    seen: set[int] = set()
    returned: dict[int, int] = {}
    reviews = (
        DeliverableReview.objects.filter(deliverable__engagement__in=closed)
        .order_by("deliverable_id", "reviewed_on", "pk")
        .values_list("deliverable__engagement_id", "deliverable_id", "outcome")
    )
    for engagement_id, deliverable_id, outcome in reviews:
        if deliverable_id in seen:
            continue
        seen.add(deliverable_id)
        if outcome == ReviewOutcome.RETURNED:
            returned[engagement_id] = returned.get(engagement_id, 0) + 1
    return returned


# --- NPS ------------------------------------------------------------------------------------


def _answers(workspace: Workspace, period: Period, segment: Segment) -> QuerySet[SurveyResponse]:
    """Answers given in the period and recorded by its end (UTC days, as the voice pages)."""
    since = dt.datetime.combine(period.start, dt.time.min, tzinfo=dt.UTC)
    until = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return SurveyResponse.objects.for_workspace(workspace).filter(
        segment.q("client__"), answered_at__gte=since, answered_at__lt=until, recorded_at__lt=until
    )


def _nps_from_counts(rows: list[tuple[int, int]]) -> NpsResult:
    return compute_nps(score for score, n in rows for _ in range(n))


def nps(workspace: Workspace, period: Period, segment: Segment = ALL) -> NpsResult:
    """NPS with its margin of error over every answer given in the period (one query)."""
    rows = _answers(workspace, period, segment).values("score").annotate(n=Count("pk")).order_by()
    return _nps_from_counts(list(rows.values_list("score", "n")))


@dataclass(frozen=True)
class NpsGroup:
    label: str
    segment: str  # the segment key, for the drill-down
    result: NpsResult


def nps_by_segment(workspace: Workspace, period: Period, segment: Segment = ALL) -> list[NpsGroup]:
    """NPS and its margin per tier, industry and account manager (three grouped queries)."""
    answers = _answers(workspace, period, segment)
    tiers = dict(Tier.choices)
    groups: list[NpsGroup] = []
    for kind, field in (
        ("tier", "client__tier"),
        ("industry", "client__industry"),
        ("manager", "client__account_manager_id"),
    ):
        counts: dict[object, list[tuple[int, int]]] = {}
        for value, score, n in (
            answers.values(field, "score").annotate(n=Count("pk")).order_by()
        ).values_list(field, "score", "n"):
            counts.setdefault(value, []).append((score, n))
        names: dict[object, str] = (
            dict(User.objects.filter(pk__in=[v for v in counts if v]).values_list("pk", "email"))
            if kind == "manager"
            else {}
        )
        for value in sorted(counts, key=lambda v: str(v or "")):
            if value in (None, ""):
                label = f"{SEGMENT_KINDS[kind]}: none"
                key = ""
            else:
                shown = tiers.get(str(value)) or names.get(value) or str(value)
                label, key = f"{SEGMENT_KINDS[kind]}: {shown}", f"{kind}:{value}"
            groups.append(NpsGroup(label, key, _nps_from_counts(counts[value])))
    return groups


def nps_trend(
    workspace: Workspace, period: Period, segment: Segment, grain: measures.Grain
) -> dict[dt.date, NpsResult]:
    """NPS per month or quarter of the answer (UTC), one grouped query."""
    counts: dict[dt.date, list[tuple[int, int]]] = {}
    rows = (
        _answers(workspace, period, segment)
        .annotate(bucket=_trunc("answered_at", grain, dt.UTC))
        .values("bucket", "score")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("bucket", "score", "n")
    )
    for bucket, score, n in rows:
        counts.setdefault(_day(bucket), []).append((score, n))
    return {bucket: _nps_from_counts(rows_) for bucket, rows_ in counts.items()}


def answer_rows(
    workspace: Workspace, period: Period, segment: Segment, theme: str = ""
) -> QuerySet[SurveyResponse]:
    qs = _answers(workspace, period, segment)
    if theme:
        qs = qs.filter(theme=theme).exclude(comment="")
    return qs.select_related("client", "contact").order_by("-answered_at", "-pk")


# --- feedback themes over time --------------------------------------------------------------


def theme_trend(
    workspace: Workspace, buckets: list[Bucket], period: Period, segment: Segment, grain: str
) -> list[measures.ThemeBucket]:
    """Per bucket, each theme's share of the analysed comments (one grouped query)."""
    g: measures.Grain = "quarter" if grain == "quarter" else "month"
    rows = (
        _answers(workspace, period, segment)
        .exclude(comment="")
        .exclude(theme="")
        .annotate(bucket=_trunc("answered_at", g, dt.UTC))
        .values("bucket", "theme")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("bucket", "theme", "n")
    )
    return measures.theme_shares(
        ((_day(b), theme, n) for b, theme, n in rows), THEMES, [b.start for b in buckets]
    )

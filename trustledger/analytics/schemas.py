"""Shapes of the analytics API: every measure with its definition, period and segment."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class PeriodOut(Schema):
    start: dt.date
    end: dt.date


class MeasureOut(Schema):
    definition: str
    period: PeriodOut
    segment: str  # "" for the whole portfolio, else tier:<tier>, industry:<name>, manager:<id>


class MissingRateOut(Schema):
    """Amounts of a currency in a month that no exchange rate converts: left out of the sums."""

    currency: str
    base: str
    month: dt.date
    rate_date: dt.date  # no rate on or before this day
    billed: float  # in ``currency``
    cost: float
    text: str


class MoneyOut(MeasureOut):
    currency: str  # of every amount: the workspace's base currency
    missing_rates: list[MissingRateOut]


class RetentionPoint(Schema):
    bucket: dt.date
    at_start: int
    new: int
    at_end: int
    retained: int
    crr: float | None
    logo_retention: float | None


class RetentionOut(MeasureOut):
    at_start: int
    new: int
    at_end: int
    retained: int
    crr: float | None
    logo_retention: float | None
    trend: list[RetentionPoint]


class RevenueRetentionOut(MoneyOut):
    previous_period: PeriodOut
    cohort: int
    start_revenue: float
    kept_revenue: float
    cohort_revenue: float
    churned: int
    grr: float | None
    nrr: float | None


class ClientProfitOut(Schema):
    client_id: int
    client: str
    hours: float
    revenue: float
    cost: float
    margin: float
    margin_pct: float | None
    effort_share: float | None
    revenue_share: float | None
    trust_index: float | None
    quadrant: str | None


class ParetoOut(Schema):
    clients: int
    top_clients: int
    effort_share: float | None
    revenue_share: float | None


class RevenuePointOut(Schema):
    bucket: dt.date
    hours: float
    revenue: float
    cost: float
    margin_pct: float | None


class ProfitabilityOut(MoneyOut):
    median_margin_pct: float | None
    pareto: ParetoOut
    clients: list[ClientProfitOut]
    trend: list[RevenuePointOut]


class RepeatOut(MoneyOut):
    clients: int
    repeat_clients: int
    repeat_share: float | None
    next_engagements: int
    median_days_to_next: float | None
    revenue: float
    existing_revenue: float
    existing_share: float | None


class ReferralsOut(MoneyOut):
    given: int
    received: int
    converted: int
    conversion_rate: float | None
    referred_revenue: float
    revenue_share: float | None


class ResponseStatsOut(Schema):
    inquiries: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    judged: int
    within_sla: int
    open_past_sla: int
    attainment: float | None


class ChannelOut(ResponseStatsOut):
    channel: str


class ResponseBucketOut(ResponseStatsOut):
    bucket: dt.date


class ResponseTimesOut(MeasureOut):
    overall: ResponseStatsOut
    channels: list[ChannelOut]
    trend: list[ResponseBucketOut]


class RatesOut(Schema):
    engagements: int
    with_budget: int
    on_time: float | None
    within_budget: float | None
    quality: float | None
    all_three: float | None


class GroupRatesOut(RatesOut):
    group: str


class SuccessRatesOut(MeasureOut, RatesOut):
    by_type: list[GroupRatesOut]
    by_lead: list[GroupRatesOut]


class NpsOut(Schema):
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    margin_of_error: float | None


class NpsGroupOut(NpsOut):
    group: str
    segment_key: str


class NpsBucketOut(NpsOut):
    bucket: dt.date


class NpsMeasureOut(MeasureOut, NpsOut):
    by_segment: list[NpsGroupOut]
    trend: list[NpsBucketOut]


class ThemeBucketOut(Schema):
    bucket: dt.date
    comments: int
    counts: dict[str, int]
    shares: dict[str, float]


class ThemesOut(MeasureOut):
    grain: str
    buckets: list[ThemeBucketOut]


class SurvivalPointOut(Schema):
    days: float
    survival: float
    at_risk: int
    events: int


class CohortOut(Schema):
    cohort: str
    clients: int
    lost: int
    curve: list[SurvivalPointOut]


class CohortsOut(MeasureOut):
    cohort_by: str
    cohorts: list[CohortOut]

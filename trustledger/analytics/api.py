"""Portfolio measures in the REST API: each with its definition and the period it covers."""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from trustledger.analytics import selectors
from trustledger.api.auth import caller
from trustledger.api.errors import ERRORS

router = Router(tags=["analytics"])

RETENTION = (
    "CRR = (E - N) / S: clients served at the end of the period (E) minus clients whose "
    "relationship began in it (N), over clients served at its start (S). Logo retention = R / S, "
    "R being the clients served at the start still served at the end. None when S = 0."
)
PROFITABILITY = (
    "Per client, from time logged in the period: revenue = sum(hours x bill rate), cost = "
    "sum(hours x cost rate), margin = revenue - cost, margin % = 100 x margin / revenue; effort "
    "and revenue share = the client's hours and revenue over all clients'. Pareto: the top 25% of "
    "clients by hours (rounded up) and their share of hours and of revenue."
)
SUCCESS = (
    "Over engagements closed in the period: on time = every milestone not cancelled delivered by "
    "its committed date plus buffer (no milestones: closed by the planned end date); within "
    "budget = billed <= budget amount, among engagements with a budget; quality = no high or "
    "critical issue found by the client and every deliverable accepted at its first review; all "
    "three among engagements with a budget."
)


class PeriodOut(Schema):
    start: dt.date
    end: dt.date


class RetentionOut(Schema):
    definition: str
    period: PeriodOut
    at_start: int
    new: int
    at_end: int
    retained: int
    crr: float | None
    logo_retention: float | None


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


class ProfitabilityOut(Schema):
    definition: str
    period: PeriodOut
    median_margin_pct: float | None
    pareto: ParetoOut
    clients: list[ClientProfitOut]


class SuccessRatesOut(Schema):
    definition: str
    period: PeriodOut
    engagements: int
    with_budget: int
    on_time: float | None
    within_budget: float | None
    quality: float | None
    all_three: float | None


def _period(months: int) -> selectors.Period:
    months = months if months in selectors.PERIOD_MONTHS else 12
    return selectors.Period.last_months(months, today=timezone.localdate())


def _period_out(period: selectors.Period) -> dict[str, dt.date]:
    return {"start": period.start, "end": period.end}


@router.get("/analytics/retention", response={200: RetentionOut, **ERRORS})
def retention(request: HttpRequest, months: int = 12) -> Any:
    period = _period(months)
    r = selectors.retention(caller(request).workspace, period)
    return {
        "definition": RETENTION,
        "period": _period_out(period),
        "at_start": r.at_start,
        "new": r.new,
        "at_end": r.at_end,
        "retained": r.retained,
        "crr": r.crr,
        "logo_retention": r.logo_retention,
    }


@router.get("/analytics/profitability", response={200: ProfitabilityOut, **ERRORS})
def profitability(request: HttpRequest, months: int = 12) -> Any:
    period = _period(months)
    p = selectors.profitability(caller(request).workspace, period)
    clients = [
        {
            "client_id": row.client_id,
            "client": row.client,
            "hours": row.profit.hours,
            "revenue": row.profit.revenue,
            "cost": row.profit.cost,
            "margin": row.profit.margin,
            "margin_pct": row.profit.margin_pct,
            "effort_share": row.profit.effort_share,
            "revenue_share": row.profit.revenue_share,
            "trust_index": row.trust_index,
            "quadrant": row.quadrant,
        }
        for row in p.rows
    ]
    return {
        "definition": PROFITABILITY,
        "period": _period_out(period),
        "median_margin_pct": p.median_margin_pct,
        "pareto": asdict(p.pareto),
        "clients": clients,
    }


@router.get("/analytics/success-rates", response={200: SuccessRatesOut, **ERRORS})
def success_rates(request: HttpRequest, months: int = 12) -> Any:
    period = _period(months)
    r = selectors.success_rates(caller(request).workspace, period).rates
    return {
        "definition": SUCCESS,
        "period": _period_out(period),
        "engagements": r.engagements,
        "with_budget": r.with_budget,
        "on_time": r.on_time,
        "within_budget": r.within_budget,
        "quality": r.quality,
        "all_three": r.all_three,
    }

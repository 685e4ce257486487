"""The trust index in the REST API: portfolio, a client's explained index and history, alerts."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from trustledger.api.auth import caller
from trustledger.api.errors import ERRORS
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client
from trustledger.core.extensions import api_routers
from trustledger.scoring.display import display_index
from trustledger.trust import selectors, services
from trustledger.trust.models import Alert, SnapshotKind, TrustSnapshot
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["trust"])
api_routers.register(router)


INDEX = "The index as every page shows it: a whole number, rounded half up (None: not enough data)."
EXACT = "The index as stored, to two decimals (what `index` is rounded from)."
CHANGE = (
    "The change since the last weekly snapshot at least a week old, as shown: the difference of "
    "the two shown values."
)


class PortfolioRowOut(Schema):
    client_id: int
    client: str
    index: int | None = Field(description=INDEX)
    index_exact: float | None = Field(description=EXACT)
    band: str
    confidence: float | None
    change_since_last_week: int | None = Field(description=CHANGE)
    as_of: dt.date | None


@router.get("/trust/portfolio", response={200: list[PortfolioRowOut], **ERRORS})
@paginate(Pagination)
def portfolio(request: HttpRequest, band: str = "", sort: str = "index") -> Any:
    rows = selectors.portfolio(caller(request).workspace, band=band, sort=sort)
    return [
        {
            "client_id": r.client.pk,
            "client": r.client.name,
            "index": display_index(r.current.index) if r.current else None,
            "index_exact": r.current.index if r.current else None,
            "band": r.current.band if r.current else "not_enough_data",
            "confidence": r.current.confidence if r.current else None,
            "change_since_last_week": r.change,
            "as_of": r.current.as_of if r.current else None,
        }
        for r in rows
    ]


class EvidenceOut(Schema):
    date: dt.date
    description: str
    impact: float


class IndicatorOut(Schema):
    key: str
    score: float | None
    weight: float | None
    change_since_last_week: int | None = Field(
        description="This indicator's share of the index's change, in whole points: the shares "
        "of all indicators add up to the index's `change_since_last_week`."
    )
    evidence: list[EvidenceOut]


class ClientTrustOut(Schema):
    client_id: int
    as_of: dt.date
    index: int | None = Field(description=INDEX)
    index_exact: float | None = Field(description=EXACT)
    change_since_last_week: int | None = Field(description=CHANGE)
    band: str
    confidence: float
    config_version: int
    pillars: dict[str, float | None]
    indicators: list[IndicatorOut]


@router.get("/clients/{client_id}/trust", response={200: ClientTrustOut, **ERRORS})
def client_trust(request: HttpRequest, client_id: int) -> Any:
    client = get_for_workspace_or_404(Client, caller(request).workspace, pk=client_id)
    trust = selectors.client_trust(client)
    snap = trust.current or services.recompute_client(client)
    if snap is None:
        return 404, {"detail": "The client is not served on this date."}
    trust = selectors.client_trust(client) if trust.current is None else trust
    return {
        "client_id": client.pk,
        "as_of": snap.as_of,
        "index": display_index(snap.index),
        "index_exact": snap.index,
        "change_since_last_week": trust.change,
        "band": snap.band,
        "confidence": snap.confidence,
        "config_version": snap.config.version,
        "pillars": snap.pillar_scores,
        "indicators": [
            {
                "key": i["key"],
                "score": i["score"],
                "weight": i["weight"],
                "change_since_last_week": i["change"],
                "evidence": i["evidence"],
            }
            for p in trust.pillars
            for i in p["indicators"]
        ],
    }


class SnapshotOut(Schema):
    as_of: dt.date
    index: int | None = Field(description=INDEX)
    index_exact: float | None = Field(description=EXACT)
    band: str
    confidence: float
    pillars: dict[str, float | None] = Field(alias="pillar_scores")
    scores: dict[str, float | None]

    @staticmethod
    def resolve_index(snapshot: TrustSnapshot) -> int | None:
        return display_index(snapshot.index)

    @staticmethod
    def resolve_index_exact(snapshot: TrustSnapshot) -> float | None:
        return snapshot.index


@router.get("/clients/{client_id}/trust/history", response={200: list[SnapshotOut], **ERRORS})
def client_trust_history(request: HttpRequest, client_id: int, weeks: int = 52) -> Any:
    client = get_for_workspace_or_404(Client, caller(request).workspace, pk=client_id)
    return list(
        TrustSnapshot.objects.filter(client=client, kind=SnapshotKind.WEEKLY).order_by("-as_of")[
            : max(1, min(weeks, 260))
        ]
    )[::-1]


class AlertOut(Schema):
    id: int
    client_id: int
    cause: str
    detail: str
    suggested_step: str
    evidence_date: dt.date
    owner_id: int | None
    status: str
    created_at: dt.datetime


class AlertStatusIn(Schema):
    status: str = Field(pattern="^(acknowledged|resolved)$")


@router.get("/alerts", response={200: list[AlertOut], **ERRORS})
@paginate(Pagination)
def list_alerts(
    request: HttpRequest,
    status: str = "open",
    owner_id: int | None = None,
    client_id: int | None = None,
) -> Any:
    alerts = selectors.alerts_for(caller(request).workspace, owner_id=owner_id, status=status)
    return alerts.filter(client_id=client_id) if client_id else alerts


@router.post("/alerts/{alert_id}/status", response={200: AlertOut, **ERRORS})
def set_alert_status(request: HttpRequest, alert_id: int, payload: AlertStatusIn) -> Alert:
    who = caller(request)
    alert = get_for_workspace_or_404(Alert, who.workspace, pk=alert_id)
    who.require(Action.MANAGE_CLIENTS, alert.client)
    return services.set_alert_status(alert, payload.status, by=who.user)

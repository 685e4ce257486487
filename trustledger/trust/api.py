"""The trust index in the REST API: portfolio, a client's explained index and history, alerts,
and the configuration pages' work: settings and weights, recompute, backtest, adopting weights.

Roles as on the pages: reading the settings, changing them and adopting weights are an owner's
(signed in: API keys never manage the workspace); recomputing needs MANAGE_CLIENTS; anyone runs
the backtest.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.tasks.exceptions import TaskResultDoesNotExist
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate
from pydantic import field_validator

from trustledger.api.auth import caller
from trustledger.api.errors import ERRORS
from trustledger.api.fields import Storable, text
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client
from trustledger.core.extensions import api_routers
from trustledger.scoring.display import display_index, kept
from trustledger.scoring.explain import ROUNDING
from trustledger.scoring.index import INDICATORS
from trustledger.trust import explain, selectors, services, tasks
from trustledger.trust.forms import LABELS
from trustledger.trust.models import Alert, SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
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


class ExplainIndexOut(Schema):
    date: dt.date
    index: int | None = Field(description=INDEX)
    index_exact: float | None = Field(description=EXACT)
    source: str = Field(
        description="`stored`: the snapshot stored for that day, made from what was known then "
        "under the configuration in force then; `computed`: computed as of that day from what "
        "was known then; `none`: the firm did not serve the client on that day."
    )
    config_version: int | None


class ExplainIndicatorOut(Schema):
    key: str
    label: str
    change: int = Field(description="Whole points; with the other parts, adds up to `change`.")
    change_exact: float = Field(description="The exact part, from the two-decimal scores.")


class ExplainConfigChangeOut(Schema):
    from_version: int
    to_version: int
    changed_on: dt.date = Field(description="When the later version was saved.")
    changes: list[str]
    change: int = Field(description="Whole points; with the other parts, adds up to `change`.")
    change_exact: float | None = Field(
        description="The index as of `to` under the later configuration minus under the earlier "
        "one (the same facts); null when the earlier one gives not enough data."
    )


class ExplainEventOut(Schema):
    date: dt.date
    kind: str
    title: str
    detail: str
    tone: str


class ExplainOut(Schema):
    client_id: int
    before: ExplainIndexOut = Field(description="The index as of `from`.")
    after: ExplainIndexOut = Field(description="The index as of `to`.")
    change: int | None = Field(description="after.index - before.index: the shown change.")
    change_exact: float | None = Field(description="after.index_exact - before.index_exact.")
    indicators: list[ExplainIndicatorOut] = Field(
        description="The indicators that moved (an indicator whose score did not move is left "
        "out), largest first, scored under one configuration."
    )
    configuration_change: ExplainConfigChangeOut | None = Field(
        description="Present when the configuration in force differs between the two dates."
    )
    rounding: int = Field(
        description="A point no part carries (0 unless no part moved and the shown values still "
        "differ); indicators + configuration + rounding add up to `change` exactly."
    )
    events: list[ExplainEventOut] = Field(
        description="The client's timeline after `from` and up to `to`, newest first."
    )
    events_total: int


def _index_out(at: explain.IndexAt) -> dict[str, Any]:
    snap = at.snapshot
    return {
        "date": at.day,
        "index": display_index(snap.index) if snap else None,
        "index_exact": snap.index if snap else None,
        "source": at.source,
        "config_version": snap.config.version if snap else None,
    }


def _explain_out(result: explain.TrustExplanation, limit: int) -> dict[str, Any]:
    e, change = result.explanation, result.config_change
    return {
        "client_id": result.client.pk,
        "before": _index_out(result.start),
        "after": _index_out(result.end),
        "change": e.shown_change,
        "change_exact": e.change,
        "indicators": [
            {"key": k, "label": LABELS[k], "change": shown, "change_exact": kept(exact)}
            for k, exact, shown in result.indicators()
        ],
        "configuration_change": change
        and {
            "from_version": change.before.version,
            "to_version": change.after.version,
            "changed_on": change.changed_on,
            "changes": list(change.what),
            "change": e.shown_config_effect or 0,
            "change_exact": e.config_effect,
        },
        "rounding": e.shown.get(ROUNDING, 0),
        "events": [
            {"date": ev.on, "kind": ev.kind, "title": ev.title, "detail": ev.detail}
            | {"tone": ev.tone}
            for ev in result.events[:limit]
        ],
        "events_total": len(result.events),
    }


class ExplainQuery(Schema):
    start: dt.date | None = Field(
        None, alias="from", description="The first date (default: the Since line's date)."
    )
    end: dt.date | None = Field(None, alias="to", description="The second date (default: today).")
    events_limit: int = Field(100, ge=0, le=1000)


@router.get("/clients/{client_id}/trust/explain", response={200: ExplainOut, **ERRORS})
def explain_trust(request: HttpRequest, client_id: int, q: Query[ExplainQuery]) -> Any:
    """The change of the client's index between two dates, explained: exact and shown values,
    each indicator's part, the configuration change, and the events in between."""
    who = caller(request)
    who.require(Action.VIEW)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    try:
        first, last = explain.parse_dates(
            client.workspace, q.start, q.end, default_start=explain.default_start(client)
        )
    except DomainError as error:
        loc = ["query", error.field or "from"]
        raise ValidationError([{"loc": loc, "msg": error.message, "type": "value_error"}]) from None
    return _explain_out(explain.explain_between(client, first, last), q.events_limit)


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


# Configuration: the settings page's weights and thresholds (owners), each change a new version


Weight = Annotated[float, Field(ge=0, le=10)]


class TrustSettingsOut(Schema):
    version: int
    weights: dict[str, float]
    window_days: int
    half_life_days: float
    healthy_at: float
    at_risk_below: float
    min_confidence: float
    fall_alert_points: float
    fall_alert_days: int
    note: str
    created_by_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_weights(config: TrustConfig) -> dict[str, float]:
        return dict(config.index_settings().weights)


def _known_indicators(weights: dict[str, float] | None) -> dict[str, float] | None:
    unknown = sorted(set(weights or {}) - set(INDICATORS))
    if unknown:
        raise ValueError(f"unknown indicators: {', '.join(unknown)}")
    return weights


class TrustSettingsPatch(Schema):
    """What to change; weights left out keep their value. Bounds as on the settings page."""

    weights: dict[str, Weight] | None = None
    window_days: int | None = Field(None, ge=7, le=1095)
    half_life_days: float | None = Field(None, ge=1, le=1095)
    healthy_at: float | None = Field(None, ge=0, le=100)
    at_risk_below: float | None = Field(None, ge=0, le=100)
    min_confidence: float | None = Field(None, ge=0, le=1)
    fall_alert_points: float | None = Field(None, ge=1, le=100)
    fall_alert_days: int | None = Field(None, ge=1, le=365)
    note: Annotated[str, text(0, 300), Storable] = ""

    _known = field_validator("weights")(_known_indicators)


@router.get("/trust/settings", response={200: TrustSettingsOut, **ERRORS})
def get_trust_settings(request: HttpRequest) -> TrustConfig:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    return services.current_config(who.workspace)


@router.patch("/trust/settings", response={200: TrustSettingsOut, **ERRORS})
def update_trust_settings(request: HttpRequest, payload: TrustSettingsPatch) -> TrustConfig:
    """Save a new audited version (unchanged values make none); every client's index is then
    recomputed in the background."""
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    values = payload.dict(exclude_unset=True, exclude_none=True)
    note = values.pop("note", "")
    if "weights" in values:
        current = services.current_config(who.workspace).index_settings().weights
        values["weights"] = dict(current) | values["weights"]
    return services.update_config(who.workspace, by=who.user, note=note, **values)


@router.get("/trust/settings/versions", response={200: list[TrustSettingsOut], **ERRORS})
@paginate(Pagination)
def list_trust_settings_versions(request: HttpRequest) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    return TrustConfig.objects.for_workspace(who.workspace).order_by("-version")


class TrustTaskOut(Schema):
    task_id: str
    status: str


@router.post("/trust/recompute", response={202: TrustTaskOut, **ERRORS})
def recompute(request: HttpRequest) -> Any:
    """Recompute every client's current index (the portfolio page's button), in the worker."""
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    result = tasks.recompute_workspace_task.enqueue(who.workspace.pk)
    return Status(202, {"task_id": str(result.id), "status": str(result.status)})


# Backtest: how well the index foresaw lost clients, and the weights this history suggests


class TrustBacktestIn(Schema):
    months: int = Field(24, ge=1, le=120, description="Month ends to test.")


class TrustBacktestOut(Schema):
    task_id: str
    status: str
    report: dict[str, Any] | None = Field(
        description="When finished: months, observations, scored, losses, auc, auc_interval, "
        "by_band, lead_days_median, flagged_before_loss, lost_clients, learned (weights and "
        "their forward-validated AUC, or null), notes."
    )


def _backtest_out(result: Any) -> dict[str, Any]:
    done = result.status == "SUCCESSFUL"
    return {
        "task_id": str(result.id),
        "status": str(result.status),
        "report": result.return_value if done else None,
    }


@router.post("/trust/backtests", response={202: TrustBacktestOut, **ERRORS})
def run_backtest(request: HttpRequest, payload: TrustBacktestIn) -> Any:
    """Start the backtest the backtest page runs; read its report from the returned task."""
    who = caller(request)
    who.require(Action.VIEW)
    return Status(202, _backtest_out(tasks.backtest_task.enqueue(who.workspace.pk, payload.months)))


@router.get("/trust/backtests/{task_id}", response={200: TrustBacktestOut, **ERRORS})
def get_backtest(request: HttpRequest, task_id: str) -> Any:
    workspace = caller(request).workspace
    try:
        result = tasks.backtest_task.get_result(task_id)
    except TaskResultDoesNotExist:
        raise Http404("No backtest matches.") from None
    if result.task.name != tasks.backtest_task.name or result.args[:1] != [workspace.pk]:
        raise Http404("No backtest matches.")
    return _backtest_out(result)


class TrustWeightsIn(Schema):
    weights: dict[str, Weight] = Field(
        description="A weight for every indicator, e.g. a backtest's `learned.weights`."
    )

    _known = field_validator("weights")(_known_indicators)


@router.post("/trust/settings/adopt-weights", response={200: TrustSettingsOut, **ERRORS})
def adopt_weights(request: HttpRequest, payload: TrustWeightsIn) -> TrustConfig:
    """Adopt learned weights as a new, audited configuration version (owners)."""
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    return services.adopt_weights(who.workspace, payload.weights, by=who.user)

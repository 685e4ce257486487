"""Computing and storing the trust index: configuration versions, snapshots, alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.scoring.display import kept, round_half_up
from trustledger.scoring.facts import ClientFacts, ScoreCard, score_client
from trustledger.scoring.index import INDICATORS, IndicatorResult
from trustledger.trust import events, signals
from trustledger.trust.alerting import raise_alerts
from trustledger.trust.models import Alert, AlertStatus, SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, record_audit

EVIDENCE_PER_INDICATOR = 40
SNAPSHOT_VALUES = [
    "index",
    "confidence",
    "band",
    "pillar_scores",
    "scores",
    "weights",
    "evidence",
    "config",
    "computed_at",
]
CONFIG_FIELDS = (
    "weights",
    "window_days",
    "half_life_days",
    "healthy_at",
    "at_risk_below",
    "min_confidence",
    "fall_alert_points",
    "fall_alert_days",
)


def current_config(workspace: Workspace) -> TrustConfig:
    """The workspace's configuration in force (version 1, the defaults, on first use)."""
    config = TrustConfig.objects.for_workspace(workspace).order_by("-version").first()
    if config is None:
        config, _ = TrustConfig.objects.get_or_create(workspace=workspace, version=1)
    return config


@transaction.atomic
def update_config(
    workspace: Workspace, *, by: User | None, note: str = "", **values: Any
) -> TrustConfig:
    """Save a new version of the configuration (validated by the scoring rules), audited."""
    old = current_config(workspace)
    data = {f: getattr(old, f) for f in CONFIG_FIELDS} | values
    unknown = set(data["weights"]) - set(INDICATORS)
    if unknown:
        raise DomainError(f"Unknown indicators: {', '.join(sorted(unknown))}.", field="weights")
    new = TrustConfig(
        workspace=workspace, version=old.version + 1, created_by=by, note=note, **data
    )
    try:
        new.index_settings()
    except ValueError as error:
        raise DomainError(str(error).capitalize() + ".") from None
    changes = {f: [getattr(old, f), data[f]] for f in CONFIG_FIELDS if getattr(old, f) != data[f]}
    if not changes:
        return old
    new.save()
    record_audit(workspace, by, "trust_config.changed", new, changes)
    from trustledger.trust.tasks import recompute_workspace_task  # tasks import this module

    transaction.on_commit(lambda: recompute_workspace_task.enqueue(workspace.pk))
    return new


ADOPTED_NOTE = "Adopted weights learned by the backtest"


def adopt_weights(
    workspace: Workspace, weights: dict[str, float], *, by: User | None
) -> TrustConfig:
    """Adopt learned weights (the backtest page and the API): an owner's decision, saved as a new
    audited configuration. Every indicator needs its weight, as the backtest learns them all."""
    missing = sorted(set(INDICATORS) - set(weights))
    if missing:
        raise DomainError(f"Weights missing for: {', '.join(missing)}.", field="weights")
    return update_config(workspace, by=by, weights=dict(weights), note=ADOPTED_NOTE)


def clients_as_of(
    workspace: Workspace, as_of: dt.date, client_ids: Sequence[int] | None = None
) -> list[int]:
    """Clients the firm served on ``as_of``: started by then and not yet lost."""
    qs = (
        Client.objects.for_workspace(workspace)
        .filter(relationship_start__lte=as_of)
        .filter(Q(lost_on__isnull=True) | Q(lost_on__gt=as_of))
    )
    if client_ids is not None:
        qs = qs.filter(pk__in=client_ids)
    return list(qs.values_list("pk", flat=True))


def score_workspace(
    workspace: Workspace,
    as_of: dt.date,
    config: TrustConfig | None = None,
    client_ids: Sequence[int] | None = None,
) -> tuple[dict[int, ScoreCard], dict[int, ClientFacts]]:
    """Every served client's score card as of ``as_of``, from facts known by then."""
    config = config or current_config(workspace)
    settings = config.index_settings()
    facts = signals.collect(workspace, as_of, settings, client_ids)
    cards = {
        client_id: score_client(facts[client_id], as_of=as_of, settings=settings)
        for client_id in clients_as_of(workspace, as_of, client_ids)
    }
    return cards, facts


def _evidence(indicators: tuple[IndicatorResult, ...]) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for result in indicators:
        items = sorted(result.evidence, key=lambda e: (e.date, e.description), reverse=True)
        out[result.key] = [
            {"date": e.date.isoformat(), "description": e.description, "impact": kept(e.impact)}
            for e in items[:EVIDENCE_PER_INDICATOR]
        ]
    return out


def _snapshot(
    workspace: Workspace,
    client_id: int,
    card: ScoreCard,
    as_of: dt.date,
    kind: str,
    config: TrustConfig,
) -> TrustSnapshot:
    result = card.index
    return TrustSnapshot(
        workspace=workspace,
        client_id=client_id,
        as_of=as_of,
        kind=kind,
        index=None if result.index is None else kept(result.index),
        confidence=round_half_up(result.confidence, 4),
        band=result.band,
        pillar_scores={k: None if v is None else kept(v) for k, v in result.pillar_scores.items()},
        scores={k: None if v is None else kept(v) for k, v in result.scores.items()},
        weights=dict(result.weights),
        evidence=_evidence(card.indicators),
        config=config,
    )


def snapshot_as_of(client: Client, as_of: dt.date, config: TrustConfig) -> TrustSnapshot | None:
    """The client's index as of ``as_of`` under ``config``, computed and not stored (None when
    the firm did not serve the client then): what a stored snapshot of that day would hold."""
    cards, _ = score_workspace(client.workspace, as_of, config, [client.pk])
    card = cards.get(client.pk)
    if card is None:
        return None
    snapshot = _snapshot(client.workspace, client.pk, card, as_of, SnapshotKind.CURRENT, config)
    snapshot.client = client
    return snapshot


@transaction.atomic
def take_snapshots(
    workspace: Workspace,
    as_of: dt.date,
    *,
    kind: str = SnapshotKind.WEEKLY,
    client_ids: Sequence[int] | None = None,
    alerts: bool = True,
) -> list[TrustSnapshot]:
    """Compute and store the index of every client (or the chosen ones) as of ``as_of``.

    Storing is an upsert on (client, kind, date), so re-running, or two workers recomputing one
    client at once, is harmless; a client keeps one current snapshot, of its latest date.
    """
    config = current_config(workspace)
    cards, facts = score_workspace(workspace, as_of, config, client_ids)
    before = _current_bands(workspace, list(cards)) if kind == SnapshotKind.CURRENT else {}
    snapshots = TrustSnapshot.objects.bulk_create(
        [_snapshot(workspace, cid, card, as_of, kind, config) for cid, card in cards.items()],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["client", "kind", "as_of"],
        update_fields=SNAPSHOT_VALUES,
    )
    if kind == SnapshotKind.CURRENT:
        TrustSnapshot.objects.for_workspace(workspace).filter(
            kind=kind, client_id__in=list(cards)
        ).exclude(as_of=as_of).delete()
        events.bands_changed(workspace.pk, before, snapshots)
    if alerts:
        raise_alerts(workspace, snapshots, facts, as_of=as_of, config=config, client_ids=client_ids)
    return snapshots


def _current_bands(workspace: Workspace, client_ids: list[int]) -> dict[int, str]:
    """Each client's band before this recompute (a client keeps one current snapshot)."""
    rows = TrustSnapshot.objects.for_workspace(workspace).filter(
        kind=SnapshotKind.CURRENT, client_id__in=client_ids
    )
    return dict(rows.order_by("as_of").values_list("client_id", "band"))


def recompute_client(client: Client, as_of: dt.date | None = None) -> TrustSnapshot | None:
    """Refresh one client's current value after a new fact (a handful of queries)."""
    snapshots = take_snapshots(
        client.workspace,
        as_of or local_today(client.workspace),
        kind=SnapshotKind.CURRENT,
        client_ids=[client.pk],
    )
    return snapshots[0] if snapshots else None


@transaction.atomic
def set_alert_status(alert: Alert, status: str, *, by: User | None) -> Alert:
    """Acknowledge (someone is on it) or resolve an alert; resolving lets the cause fire again."""
    from django.utils import timezone

    if status not in (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED):
        raise DomainError("An alert can be acknowledged or resolved.", field="status")
    if alert.status == AlertStatus.RESOLVED:
        raise DomainError("This alert is already resolved.", field="status")
    old = alert.status
    alert.status = status
    alert.resolved_at = timezone.now() if status == AlertStatus.RESOLVED else None
    alert.save(update_fields=["status", "resolved_at"])
    record_audit(alert.workspace, by, f"alert.{status}", alert, {"status": [old, status]})
    if status == AlertStatus.RESOLVED:
        events.alerts_changed(alert.workspace_id, [], [alert])
    return alert

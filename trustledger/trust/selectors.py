"""Reads of the stored index shared by the trust pages, the API, reports and the CLI."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import QuerySet

from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.scoring.display import shown_change
from trustledger.scoring.explain import Explanation, explain_change
from trustledger.scoring.index import PILLARS, IndexResult
from trustledger.trust.models import Alert, AlertStatus, SnapshotKind, TrustSnapshot
from trustledger.trust.services import snapshot_as_of
from trustledger.workspaces.models import Workspace

SPARK_WEEKS = 12


@dataclass(frozen=True)
class PortfolioRow:
    client: Client
    current: TrustSnapshot | None
    change: int | None  # as shown, since the last weekly snapshot at least a week old
    history: list[float | None]


def portfolio(workspace: Workspace, *, band: str = "", sort: str = "index") -> list[PortfolioRow]:
    """Every active client with its current index, weekly change and sparkline: three queries."""
    clients = list(
        Client.objects.for_workspace(workspace)
        .filter(status="active")
        .select_related("account_manager")
    )
    current = {
        s.client_id: s
        for s in TrustSnapshot.objects.for_workspace(workspace)
        .filter(kind=SnapshotKind.CURRENT)
        .only("client_id", "as_of", "index", "band", "confidence")  # not the evidence
    }
    since = local_today(workspace) - dt.timedelta(weeks=SPARK_WEEKS + 1)
    weekly: dict[int, list[tuple[dt.date, float | None]]] = defaultdict(list)
    for client_id, as_of, index in (
        TrustSnapshot.objects.for_workspace(workspace)
        .filter(kind=SnapshotKind.WEEKLY, as_of__gte=since)
        .order_by("as_of")
        .values_list("client_id", "as_of", "index")
    ):
        weekly[client_id].append((as_of, index))
    rows = []
    for client in clients:
        snap = current.get(client.pk)
        history = weekly.get(client.pk, [])
        previous = [i for d, i in history if snap and d <= snap.as_of - dt.timedelta(days=7)]
        change = shown_change(snap.index, previous[-1]) if snap and previous else None
        if band and (snap.band if snap else "not_enough_data") != band:
            continue
        rows.append(PortfolioRow(client, snap, change, [i for _, i in history][-SPARK_WEEKS:]))
    return sorted(rows, key=_sort_key(sort))


def _sort_key(sort: str) -> Any:
    descending = sort.startswith("-")
    field = sort.lstrip("-")

    def key(row: PortfolioRow) -> tuple[Any, ...]:
        value: float | str | None = {
            "index": row.current.index if row.current else None,
            "change": row.change,
            "confidence": row.current.confidence if row.current else None,
            "name": row.client.name.lower(),
        }.get(field)
        if value is None:
            return (1, 0, row.client.name.lower())
        if isinstance(value, str):
            return (0, value, "")
        return (0, -value if descending else value, row.client.name.lower())

    return key


def current_snapshot(client: Client) -> TrustSnapshot | None:
    return TrustSnapshot.objects.filter(client=client, kind=SnapshotKind.CURRENT).first()


def as_index_result(snapshot: TrustSnapshot) -> IndexResult:
    return IndexResult(
        index=snapshot.index,
        confidence=snapshot.confidence,
        band=snapshot.band,  # type: ignore[arg-type]
        pillar_scores=MappingProxyType(snapshot.pillar_scores),
        scores=MappingProxyType(snapshot.scores),
        weights=MappingProxyType(snapshot.weights),
    )


@dataclass(frozen=True)
class ClientTrust:
    """A client's index, and its change since ``previous`` as shown: ``change`` is the
    difference of the shown (whole) values and ``shown_contributions`` split it into whole
    points per indicator that add up to it exactly; ``contributions`` are the exact parts."""

    current: TrustSnapshot | None
    previous: TrustSnapshot | None
    contributions: dict[str, float]
    trend: list[tuple[dt.date, float | None]]
    pillars: list[dict[str, Any]]
    alerts: QuerySet[Alert]
    change: int | None = None
    shown_contributions: dict[str, int] = field(default_factory=dict)

    def changes(self) -> list[tuple[str, int]]:
        """The indicators that moved the shown index, largest first: they add up to ``change``."""
        moved = [(k, v) for k, v in self.shown_contributions.items() if v]
        return sorted(moved, key=lambda kv: -abs(kv[1]))


def client_trust(client: Client, *, weeks: int = 26) -> ClientTrust:
    """The client's current index, its explanation, and what changed since a week ago."""
    snaps = TrustSnapshot.objects.filter(client=client)
    current = snaps.filter(kind=SnapshotKind.CURRENT).first()
    weekly = list(
        snaps.filter(kind=SnapshotKind.WEEKLY).order_by("-as_of").select_related("config")[:weeks]
    )[::-1]
    previous = None
    if current:
        older = [s for s in weekly if s.as_of <= current.as_of - dt.timedelta(days=7)]
        previous = older[-1] if older else None
    explained: dict[str, float] = {}
    shown: dict[str, int] = {}
    change = shown_change(current.index, previous.index) if current and previous else None
    if current and previous:
        result = _explain(current, previous)
        explained, shown = dict(result.contributions), dict(result.shown)
    pillars = []
    if current:
        for name, keys in PILLARS.items():
            pillars.append(
                {
                    "name": name,
                    "score": current.pillar_scores.get(name),
                    "indicators": [
                        {
                            "key": k,
                            "score": current.scores.get(k),
                            "weight": current.weights.get(k),
                            "evidence": current.evidence.get(k, []),
                            "change": shown.get(k),
                        }
                        for k in keys
                    ],
                }
            )
    return ClientTrust(
        current=current,
        previous=previous,
        contributions=explained,
        trend=[(s.as_of, s.index) for s in weekly],
        pillars=pillars,
        alerts=Alert.objects.filter(client=client).exclude(status=AlertStatus.RESOLVED),
        change=change,
        shown_contributions=shown,
    )


def _explain(current: TrustSnapshot, previous: TrustSnapshot) -> Explanation:
    """Under a new configuration, the current facts are scored again under the previous one,
    so that the reweighting is not blamed on indicators whose scores did not move."""
    under_previous = None
    if current.config_id != previous.config_id:
        again = snapshot_as_of(current.client, current.as_of, previous.config)
        under_previous = as_index_result(again) if again else None
    return explain_change(
        as_index_result(previous), as_index_result(current), after_under_before=under_previous
    )


def alerts_for(
    workspace: Workspace, *, owner_id: int | None = None, status: str = "open"
) -> QuerySet[Alert]:
    qs = Alert.objects.for_workspace(workspace).select_related("client", "owner")
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status == "open":
        qs = qs.exclude(status=AlertStatus.RESOLVED)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at")

"""The trust events integrators can subscribe to: alerts raised and resolved, bands changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trustledger.clients.models import Client
from trustledger.core.events import publish
from trustledger.trust.models import Alert, TrustSnapshot


def _names(client_ids: Iterable[int]) -> dict[int, str]:
    return dict(Client.objects.filter(pk__in=set(client_ids)).values_list("pk", "name"))


def alerts_changed(workspace_id: int, raised: Sequence[Alert], resolved: Sequence[Alert]) -> None:
    """``alert.raised`` / ``alert.resolved`` for each (one query for the clients' names)."""
    if not raised and not resolved:
        return
    names = _names(a.client_id for a in [*raised, *resolved])
    for kind, alerts in (("alert.raised", raised), ("alert.resolved", resolved)):
        for alert in alerts:
            client = names.get(alert.client_id, "")
            publish(
                workspace_id,
                kind,
                {
                    "summary": f"{client}: {alert.detail}",
                    "alert_id": alert.pk,
                    "client_id": alert.client_id,
                    "client": client,
                    "cause": alert.cause,
                    "detail": alert.detail,
                    "suggested_step": alert.suggested_step,
                    "evidence_date": alert.evidence_date.isoformat(),
                    "status": "resolved" if kind == "alert.resolved" else alert.status,
                },
            )


def bands_changed(
    workspace_id: int, before: dict[int, str], snapshots: Sequence[TrustSnapshot]
) -> None:
    """``band.changed`` for each client whose current band differs from the one it had."""
    moved = [s for s in snapshots if before.get(s.client_id, s.band) != s.band]
    names = _names(s.client_id for s in moved) if moved else {}
    for snapshot in moved:
        client = names.get(snapshot.client_id, "")
        old = before[snapshot.client_id]
        publish(
            workspace_id,
            "band.changed",
            {
                "summary": f"{client}: {old} → {snapshot.band}",
                "client_id": snapshot.client_id,
                "client": client,
                "from": old,
                "to": snapshot.band,
                "index": None if snapshot.index is None else float(snapshot.index),
                "as_of": snapshot.as_of.isoformat(),
            },
        )

"""Turning scores and facts into stored, deduplicated alerts with an owner and a next step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction

from trustledger.clients.models import Client
from trustledger.scoring import alerts as rules
from trustledger.scoring.evm import overrun_from_cpi
from trustledger.scoring.facts import ClientFacts
from trustledger.trust.models import Alert, AlertStatus, SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.workspaces.models import Workspace

# Event rules look at facts this recent; older ones were alerted on (or not) back then.
RECENT_DAYS = 14


def _event_candidates(facts: ClientFacts, as_of: dt.date) -> Iterable[rules.AlertCandidate | None]:
    since = as_of - dt.timedelta(days=RECENT_DAYS)
    for m in facts.milestones:
        if since <= m.committed <= as_of:
            yield rules.milestone_missed_without_notice(m, as_of=as_of)
    for w in facts.scope_work:
        if w.day >= since:
            yield rules.unapproved_work(w)
    for a in facts.nps_answers:
        if a.answered_on >= since:
            yield rules.detractor_answer(a)
    now = dt.datetime.combine(as_of, dt.time(23, 59), tzinfo=dt.UTC)
    for q in facts.inquiries:
        if q.sla_due.date() >= since:
            yield rules.inquiry_past_sla(q, now=now)
    for b in facts.active_budgets:
        yield rules.forecast_overrun(b.engagement, overrun_from_cpi(b.cpi), on=b.measured_on)


def _score_candidates(
    snapshot: TrustSnapshot, history: Sequence[tuple[dt.date, float, str]], config: TrustConfig
) -> Iterable[rules.AlertCandidate | None]:
    if history:
        yield rules.band_drop(history[-1][2], snapshot.band, on=snapshot.as_of)
    if snapshot.index is not None:
        series = [(d, i) for d, i, _ in history] + [(snapshot.as_of, snapshot.index)]
        yield rules.index_fall(series, points=config.fall_alert_points, days=config.fall_alert_days)


def _history(
    workspace: Workspace, client_ids: list[int], as_of: dt.date, days: int
) -> dict[int, list[tuple[dt.date, float, str]]]:
    rows = (
        TrustSnapshot.objects.for_workspace(workspace)
        .filter(
            kind=SnapshotKind.WEEKLY,
            client_id__in=client_ids,
            index__isnull=False,
            as_of__gte=as_of - dt.timedelta(days=max(days, 8)),
            as_of__lt=as_of,
        )
        .order_by("as_of")
        .values_list("client_id", "as_of", "index", "band")
    )
    out: dict[int, list[tuple[dt.date, float, str]]] = {}
    for client_id, day, index, band in rows:
        if index is not None:
            out.setdefault(client_id, []).append((day, index, band))
    return out


def raise_alerts(
    workspace: Workspace,
    snapshots: Sequence[TrustSnapshot],
    facts: dict[int, ClientFacts],
    *,
    as_of: dt.date,
    config: TrustConfig,
) -> list[Alert]:
    """Store new alerts; a cause already open (or acknowledged) for the client is not repeated."""
    ids = [s.client_id for s in snapshots]
    history = _history(workspace, ids, as_of, config.fall_alert_days)
    owners = dict(Client.objects.filter(pk__in=ids).values_list("pk", "account_manager_id"))
    open_causes = set(
        Alert.objects.for_workspace(workspace)
        .filter(client_id__in=ids)
        .exclude(status=AlertStatus.RESOLVED)
        .values_list("client_id", "cause")
    )
    new = []
    for snapshot in snapshots:
        candidates = [
            *_score_candidates(snapshot, history.get(snapshot.client_id, []), config),
            *_event_candidates(facts.get(snapshot.client_id, ClientFacts()), as_of),
        ]
        for c in filter(None, candidates):
            if (snapshot.client_id, c.cause) in open_causes:
                continue
            open_causes.add((snapshot.client_id, c.cause))
            new.append(
                Alert(
                    workspace=workspace,
                    client_id=snapshot.client_id,
                    cause=c.cause,
                    detail=c.detail[:500],
                    suggested_step=c.suggested_step[:500],
                    evidence_date=c.evidence_date,
                    owner_id=owners.get(snapshot.client_id),
                )
            )
    try:
        with transaction.atomic():
            return Alert.objects.bulk_create(new)
    except IntegrityError:  # raced with another run: keep the alerts that were already there
        return []

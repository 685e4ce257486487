"""Turning scores and facts into stored, deduplicated alerts with an owner and a next step.

One clock: event rules judge "now" as the actual instant in the workspace's time zone
(``core.clock``), never the end of the day. At most one alert per client and cause is
unresolved, so an alert whose condition can be checked again is resolved (audited, by the
system) as soon as it no longer holds; otherwise a later breach of the same kind would be
swallowed by the stale one:

- an inquiry past its SLA: holds while some inquiry of the client is unanswered past its
  deadline, exactly the Inbox's overdue set; checked on every recompute of the client and every
  ten minutes (``check_sla_alerts``), so it fires after the due instant and clears on the answer;
- a forecast overrun: holds while an active engagement's cost performance forecasts the overrun;
  checked when the client is recomputed as of today.

The other causes are events (a band drop, a fall, a detractor answer, a milestone missed
without notice, work on unapproved scope): what happened stays true, so a person resolves them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.communications import selectors as communications
from trustledger.core.clock import judging_instant, local_now
from trustledger.scoring import alerts as rules
from trustledger.scoring.evm import overrun_from_cpi
from trustledger.scoring.facts import ClientFacts
from trustledger.trust import events
from trustledger.trust.models import Alert, AlertStatus, SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.services import record_audit

# Event rules look at facts this recent; older ones were alerted on (or not) back then.
RECENT_DAYS = 14

INQUIRY_PAST_SLA = "inquiry_past_sla"
FORECAST_OVERRUN = "forecast_overrun"
# Causes whose condition the client's facts as of today can check again.
CHECKED_ON_RECOMPUTE = frozenset({FORECAST_OVERRUN})

type Key = tuple[int, str]  # (client id, cause)


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


def _unresolved(
    workspace: Workspace, client_ids: Collection[int] | None, causes: Collection[str] | None = None
) -> list[Alert]:
    qs = Alert.objects.for_workspace(workspace).exclude(status=AlertStatus.RESOLVED)
    if client_ids is not None:
        qs = qs.filter(client_id__in=list(client_ids))
    if causes is not None:
        qs = qs.filter(cause__in=list(causes))
    return list(qs)


def _new_alert(
    workspace: Workspace, client_id: int, c: rules.AlertCandidate, owner_id: int | None
) -> Alert:
    return Alert(
        workspace=workspace,
        client_id=client_id,
        cause=c.cause,
        detail=c.detail[:500],
        suggested_step=c.suggested_step[:500],
        evidence_date=c.evidence_date,
        owner_id=owner_id,
    )


def store_alerts(
    workspace: Workspace,
    new: list[Alert],
    cleared: list[Alert],
    *,
    actor_label: str = "alert check: the condition cleared",
) -> list[Alert]:
    """Resolve the alerts whose condition cleared (audited as the system's doing), then store
    the new ones; a run that raced with another keeps the alerts the other stored. Every check
    that raises and clears alerts (the index's, recovery's) stores them here."""
    with transaction.atomic():
        if cleared:
            resolved_at = timezone.now()
            Alert.objects.filter(pk__in=[a.pk for a in cleared]).update(
                status=AlertStatus.RESOLVED, resolved_at=resolved_at
            )
            for alert in cleared:
                record_audit(
                    workspace,
                    None,
                    "alert.resolved",
                    alert,
                    {"status": [alert.status, AlertStatus.RESOLVED]},
                    actor_label=actor_label,
                )
                alert.status, alert.resolved_at = AlertStatus.RESOLVED, resolved_at
        try:
            with transaction.atomic():
                created = Alert.objects.bulk_create(new)
        except IntegrityError:
            created = []
        events.alerts_changed(workspace.pk, created, cleared)
        return created


def raise_alerts(
    workspace: Workspace,
    snapshots: Sequence[TrustSnapshot],
    facts: dict[int, ClientFacts],
    *,
    as_of: dt.date,
    config: TrustConfig,
    client_ids: Sequence[int] | None = None,
) -> list[Alert]:
    """Store new alerts; a cause already open (or acknowledged) for the client is not repeated.

    As of today, the alerts of the checkable causes whose condition no longer holds are
    resolved, and the SLA alerts of ``client_ids`` (every client when None) follow the Inbox.
    """
    now, present = judging_instant(workspace, as_of)
    ids = [s.client_id for s in snapshots]
    history = _history(workspace, ids, as_of, config.fall_alert_days)
    owners = _owners(ids)
    unresolved = _unresolved(workspace, ids)
    open_causes = {(a.client_id, a.cause) for a in unresolved}
    holding: set[Key] = set()
    new = []
    for snapshot in snapshots:
        candidates = [
            *_score_candidates(snapshot, history.get(snapshot.client_id, []), config),
            *_event_candidates(facts.get(snapshot.client_id, ClientFacts()), as_of),
        ]
        for c in filter(None, candidates):
            key = (snapshot.client_id, c.cause)
            holding.add(key)
            if key in open_causes:
                continue
            open_causes.add(key)
            new.append(_new_alert(workspace, snapshot.client_id, c, owners.get(snapshot.client_id)))
    cleared = [
        a
        for a in unresolved
        if present and a.cause in CHECKED_ON_RECOMPUTE and (a.client_id, a.cause) not in holding
    ]
    created = store_alerts(workspace, new, cleared)
    if present:
        created += check_sla_alerts(workspace, now=now, client_ids=client_ids)[0]
    return created


def _owners(client_ids: Iterable[int]) -> dict[int, int | None]:
    rows = Client.objects.filter(pk__in=list(client_ids)).values_list("pk", "account_manager_id")
    return dict(rows)


def check_sla_alerts(
    workspace: Workspace,
    *,
    now: dt.datetime | None = None,
    client_ids: Sequence[int] | None = None,
) -> tuple[list[Alert], list[Alert]]:
    """Make the open SLA alerts of these clients (every client when None) the Inbox's overdue
    set at the instant ``now``: raise one for each client with an inquiry unanswered past its
    deadline, keep its text current, resolve the others. Returns (raised, resolved)."""
    now = now or local_now(workspace)
    overdue = communications.inquiries_past_sla(workspace, now=now, client_ids=client_ids)
    findings: dict[int, rules.AlertCandidate] = {}
    for client_id, inquiries in overdue.items():
        if (candidate := rules.inquiry_past_sla(inquiries, now=now)) is not None:
            findings[client_id] = candidate
    unresolved = _unresolved(workspace, client_ids, [INQUIRY_PAST_SLA])
    watched = {a.client_id: a for a in unresolved}
    _refresh([(a, findings[cid]) for cid, a in watched.items() if cid in findings])
    owners = _owners(cid for cid in findings if cid not in watched)
    new = [
        _new_alert(workspace, cid, c, owners.get(cid))
        for cid, c in findings.items()
        if cid not in watched
    ]
    cleared = [a for cid, a in watched.items() if cid not in findings]
    return store_alerts(workspace, new, cleared), cleared


def _refresh(pairs: Iterable[tuple[Alert, rules.AlertCandidate]]) -> None:
    """An open SLA alert names the inquiries overdue now, not those answered since."""
    stale: list[Alert] = []
    for alert, c in pairs:
        if (alert.detail, alert.evidence_date) != (c.detail[:500], c.evidence_date):
            alert.detail, alert.evidence_date = c.detail[:500], c.evidence_date
            stale.append(alert)
    Alert.objects.bulk_update(stale, ["detail", "evidence_date"])

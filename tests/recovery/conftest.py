"""Recovery tests run on a fixed day: 2 March 2026, a Monday, in a UTC workspace."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from trustledger.trust.models import Alert, SnapshotKind, TrustSnapshot
from trustledger.trust.services import current_config

TODAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def snapshot(client, as_of, index, band, kind=SnapshotKind.WEEKLY, evidence=None, scores=None):
    return TrustSnapshot.objects.create(
        workspace=client.workspace,
        client=client,
        as_of=as_of,
        kind=kind,
        index=index,
        confidence=0.9,
        band=band,
        pillar_scores={"results": index},
        scores=scores or {"on_time": 30.0, "quality": 60.0, "responsiveness": 45.0},
        weights={},
        evidence=evidence or {},
        config=current_config(client.workspace),
    )


def alert(client, cause="milestone_missed_without_notice", **extra):
    return Alert.objects.create(
        workspace=client.workspace,
        client=client,
        cause=cause,
        detail=extra.pop("detail", "Go-live missed on 20 Feb without notice."),
        suggested_step="Call the sponsor today.",
        evidence_date=extra.pop("evidence_date", dt.date(2026, 2, 20)),
        owner=client.account_manager,
        **extra,
    )

"""The fact seam: a service that changes a fact announces it; derived numbers subscribe.

A service (form, API, import, portal, worker job, edit or deletion) calls ``announce`` with the
workspace, the clients affected and what kind of fact changed. Announcements made inside one
transaction are merged and delivered once, after it commits, as one ``FactChange`` per workspace;
a rolled-back transaction announces nothing. Outside a transaction the change is delivered at
once. Subscribers (the trust recompute, the analytics roll-up) register in their app's
``AppConfig.ready`` and must only enqueue work: they run in the request that made the change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FactChange:
    """What changed in one workspace by one transaction."""

    workspace_id: int
    client_ids: frozenset[int]
    kinds: frozenset[str]
    engagement_ids: frozenset[int] = frozenset()


type Subscriber = Callable[[FactChange], None]

_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Call ``subscriber`` with every committed change (usable as a decorator)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


@dataclass
class _Pending:
    clients: dict[int, set[int]] = field(default_factory=dict)
    kinds: dict[int, set[str]] = field(default_factory=dict)
    engagements: dict[int, set[int]] = field(default_factory=dict)
    flush: Callable[[], None] | None = None

    def add(self, workspace_id: int, clients: set[int], kind: str, engagements: set[int]) -> None:
        self.clients.setdefault(workspace_id, set()).update(clients)
        self.kinds.setdefault(workspace_id, set()).add(kind)
        self.engagements.setdefault(workspace_id, set()).update(engagements)

    def changes(self) -> list[FactChange]:
        return [
            FactChange(
                workspace_id,
                frozenset(self.clients[workspace_id]),
                frozenset(self.kinds[workspace_id]),
                frozenset(self.engagements[workspace_id]),
            )
            for workspace_id in sorted(self.clients)
        ]


_local = threading.local()


def _pending(using: str) -> _Pending:
    by_alias: dict[str, _Pending] = _local.__dict__.setdefault("pending", {})
    return by_alias.setdefault(using, _Pending())


def announce(
    workspace_id: int,
    client_ids: Iterable[int | None],
    kind: str,
    *,
    engagement_ids: Iterable[int | None] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Tell subscribers, once the surrounding transaction commits, that ``kind`` facts changed."""
    clients = {pk for pk in client_ids if pk is not None}
    engagements = {pk for pk in engagement_ids if pk is not None}
    if not clients and not engagements:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        pending = _Pending()
        pending.add(workspace_id, clients, kind, engagements)
        _deliver(pending.changes())
        return
    pending = _pending(using)
    if pending.flush is None or not _still_scheduled(pending.flush, using):
        # First announcement of this transaction (an earlier one was committed, or rolled back
        # and its hooks discarded): start afresh and flush once when this one commits.
        pending = _local.pending[using] = _Pending()
        pending.flush = lambda: _flush(using)
        transaction.on_commit(pending.flush, using=using)
    pending.add(workspace_id, clients, kind, engagements)


def _still_scheduled(flush: Callable[[], None], using: str) -> bool:
    return any(hook[1] is flush for hook in connections[using].run_on_commit)


def _flush(using: str) -> None:
    pending = _local.pending.pop(using)
    _deliver(pending.changes())


def _deliver(changes: list[FactChange]) -> None:
    """Call every subscriber; one that fails is logged (the nightly recompute catches up)."""
    for change in changes:
        for subscriber in list(_subscribers):
            try:
                subscriber(change)
            except Exception:
                log.exception("fact subscriber %s failed for %s", subscriber, change)

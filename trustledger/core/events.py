"""Domain events: "something a person would want to hear about happened" (for webhooks).

Unlike the fact seam (``core.facts``), which tells derived numbers to recompute, an event is a
business moment with a name and a small JSON body: ``alert.raised``, ``band.changed``,
``report.sent``. A service calls ``publish`` inside its own transaction; every registered
subscriber is called at once, in that transaction, and must only write rows (the webhooks app
writes one outbox row per matching subscription). So an event and the change it describes commit
or roll back together, and nothing is lost if the process dies right after the commit; the
network is the worker's business, after commit.

Subscribers register in their app's ``AppConfig.ready``. Core never imports them, and facts apps
may publish without importing any derived or workflow app.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

# The events an integrator can subscribe to, with what a person reads in the settings page.
EVENT_TYPES: dict[str, str] = {
    "alert.raised": "A trust alert was raised",
    "alert.resolved": "A trust alert was resolved",
    "band.changed": "A client's trust band changed",
    "change_request.decided": "A change request was approved or rejected",
    "survey.answered": "A client answered a survey",
    "follow_up.opened": "A follow-up was opened (e.g. after a detractor's answer)",
    "follow_up.overdue": "A follow-up is overdue",
    "portal.question_asked": "A client asked a question in the portal",
    "report.sent": "A status report was sent",
    "recovery_plan.opened": "A recovery plan was opened",
    "recovery_plan.closed": "A recovery plan was closed",
}
TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class Event:
    """One published event: ``id`` is unique and stable (it names the event everywhere)."""

    workspace_id: int
    type: str
    data: Mapping[str, Any]
    id: str = field(default_factory=lambda: f"evt_{uuid.uuid4().hex}")
    occurred_at: dt.datetime = field(default_factory=timezone.now)

    def as_dict(self) -> dict[str, Any]:
        """The body integrators receive (the Standard Webhooks shape: type, timestamp, data)."""
        return {
            "id": self.id,
            "type": self.type,
            "timestamp": self.occurred_at.isoformat(),
            "data": dict(self.data),
        }


type Subscriber = Callable[[Event], None]

_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Call ``subscriber`` with every published event, in the publishing transaction."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


class UnknownEvent(ValueError):
    """A service published an event type nobody declared (a typo would go unnoticed)."""


def publish(workspace_id: int, type: str, data: Mapping[str, Any]) -> Event:
    """Record ``type`` with ``data`` (plain JSON values) for ``workspace_id``.

    Call it inside the service's transaction: subscribers write their rows in it, so a rolled
    back change publishes nothing. An error in a subscriber is the caller's error (the event
    would otherwise be lost silently).
    """
    if type not in EVENT_TYPES and type != TEST_EVENT:
        raise UnknownEvent(type)
    event = Event(workspace_id, type, data)
    for subscriber in list(_subscribers):
        subscriber(event)
    return event

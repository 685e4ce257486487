"""Set-ups the portal tests share: an open portal, a shared engagement, a signed-in contact."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tests.conftest import Personas
from tests.engagements.factories import (
    ChangeRequestFactory,
    EngagementFactory,
    MilestoneFactory,
    TimeEntryFactory,
)
from trustledger.clients.models import Client, Contact
from trustledger.engagements.models import ChangeRequest, Engagement
from trustledger.portal import services, session

LINK = re.compile(r"https?://\S+/portal/link/([\w-]+)/")


def open_portal(client: Client) -> None:
    services.set_client_portal(client, enabled=True, by=None)


def shared_engagement(client: Client, **fields: Any) -> Engagement:
    defaults: dict[str, Any] = {
        "name": f"{client.name} Shared Rollout",
        "portal_shared": True,
        "budget_amount": Decimal(60000),
        "budget_hours": Decimal(400),
        "currency": "GBP",
    }
    engagement = EngagementFactory(client=client, **(defaults | fields))
    MilestoneFactory(engagement=engagement, name=f"{client.name} Kick-off milestone")
    TimeEntryFactory(engagement=engagement, hours=Decimal(10), bill_rate=Decimal(150))
    return engagement


def submitted_change(engagement: Engagement, **fields: Any) -> ChangeRequest:
    defaults: dict[str, Any] = {
        "title": f"{engagement.name} extra reports",
        "status": "submitted",
        "effort_hours": Decimal(40),
        "cost_impact": Decimal(6000),
        "schedule_impact_days": 14,
    }
    cr: ChangeRequest = ChangeRequestFactory(engagement=engagement, **(defaults | fields))
    return cr


def sign_in_as(django_client: Any, contact: Contact) -> None:
    """Sign a contact in the way the link does, without the mail round trip."""
    issued = services.issue_link(contact)
    response = django_client.post(f"/portal/link/{issued.token}/")
    assert response.status_code == 302, response.content
    assert response["Location"] == "/portal/home/"


def token_in(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found[1]


__all__ = ["Personas", "session"]

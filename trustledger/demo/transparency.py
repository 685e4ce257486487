"""The demo firm's transparency: a few clients with the portal open, their current engagements
shared, and the status reports already sent to them."""

from __future__ import annotations

from trustledger.clients.models import Client
from trustledger.demo.context import DemoContext
from trustledger.engagements.models import Engagement, EngagementStatus
from trustledger.portal import services as portal
from trustledger.reports import services as reports

PORTAL_CLIENTS = 3


def portal_clients(ctx: DemoContext) -> list[Client]:
    """The active clients, with an engagement under way, whose portal the demo opens."""
    active = Engagement.objects.for_workspace(ctx.workspace).filter(
        status=EngagementStatus.ACTIVE, client__status="active", client__contacts__isnull=False
    )
    ids = list(active.order_by("client__name").values_list("client_id", flat=True).distinct())
    return list(Client.objects.filter(pk__in=ids[:PORTAL_CLIENTS]).order_by("name"))


def build(ctx: DemoContext) -> None:
    for client in portal_clients(ctx):
        manager = client.account_manager or ctx.owner
        portal.set_client_portal(client, enabled=True, by=manager)
        contact = client.contacts.order_by("-is_primary", "pk").first()
        current = client.engagements.filter(status=EngagementStatus.ACTIVE).order_by("pk")
        for engagement in current:
            portal.set_engagement_sharing(engagement, by=manager, portal_shared=True)
            draft = reports.draft_report(client, engagement=engagement, by=manager, today=ctx.today)
            reports.send_report(draft, by=manager, contacts=[contact] if contact else [])

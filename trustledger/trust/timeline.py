"""Early warnings in a client's timeline: alerts raised and resolved."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.clients.timeline import TimelineEvent
from trustledger.core.extensions import timeline_sources

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

from django.utils import timezone

from trustledger.trust.models import Alert


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """One query."""
    url = reverse("trust:client", args=[client.pk])
    for a in Alert.objects.for_workspace(workspace).filter(client=client):
        yield TimelineEvent(
            timezone.localdate(a.created_at), "Alert", a.detail, a.suggested_step, url, "bad"
        )
        if a.resolved_at:
            title = f"Resolved: {a.detail}"
            yield TimelineEvent(timezone.localdate(a.resolved_at), "Alert", title, "", url, "good")

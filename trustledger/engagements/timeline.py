"""Engagements in a client's timeline: starts, closes, milestones, notices, decisions, defects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.clients.timeline import TimelineEvent
from trustledger.core.extensions import timeline_sources

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

from trustledger.engagements.models import (
    ChangeRequest,
    DeliverableReview,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
)


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """Six queries, whatever the client's history."""
    for e in Engagement.objects.for_workspace(workspace).filter(client=client):
        url = reverse("engagements:detail", args=[e.pk])
        started = e.activated_on or (e.start_date if e.status != "proposed" else None)
        if started:
            yield TimelineEvent(
                started, "Engagement", f"Started {e.name}", e.get_type_display(), url
            )
        if e.closed_on:
            yield TimelineEvent(e.closed_on, "Engagement", f"Closed {e.name}", "", url, "good")
    milestones = Milestone.objects.for_workspace(workspace).filter(
        engagement__client=client, delivered_on__isnull=False
    )
    for m in milestones.select_related("engagement"):
        if m.delivered_on is None:
            continue
        late = (m.delivered_on - m.committed_date).days - m.buffer_days
        url = reverse("engagements:detail", args=[m.engagement_id])
        if late > 0:
            detail = f"{m.engagement.name}: {late} days past its committed date and buffer"
            yield TimelineEvent(
                m.delivered_on, "Slip", f"Delivered {m.name} late", detail, url, "bad"
            )
        else:
            detail = f"{m.engagement.name}: on time"
            yield TimelineEvent(
                m.delivered_on, "Milestone", f"Delivered {m.name}", detail, url, "good"
            )
    notices = Notice.objects.for_workspace(workspace).filter(engagement__client=client)
    for n in notices.select_related("engagement", "milestone"):
        url = reverse("engagements:detail", args=[n.engagement_id])
        about = n.milestone.name if n.milestone else n.engagement.name
        change = f" to {n.new_date:%-d %b %Y}" if n.new_date else ""
        title = f"Told the client of a {n.get_kind_display().lower()}: {about}{change}"
        yield TimelineEvent(n.sent_on, "Notice", title, n.message[:200], url)
    decided = ChangeRequest.objects.for_workspace(workspace).filter(
        engagement__client=client, decided_on__isnull=False
    )
    for c in decided.select_related("engagement"):
        url = reverse("engagements:detail", args=[c.engagement_id])
        title = f"Change request {c.get_status_display().lower()}: {c.title}"
        yield TimelineEvent(c.decided_on, "Change", title, c.engagement.name, url)  # type: ignore[arg-type]
    returned = DeliverableReview.objects.for_workspace(workspace).filter(
        deliverable__engagement__client=client, outcome="returned"
    )
    for r in returned.select_related("deliverable"):
        url = reverse("engagements:detail", args=[r.deliverable.engagement_id])
        title = f"Returned by the client: {r.deliverable.name}"
        yield TimelineEvent(r.reviewed_on, "Quality", title, r.reasons[:200], url, "bad")
    issues = QualityIssue.objects.for_workspace(workspace).filter(
        engagement__client=client, found_by="client"
    )
    for q in issues:
        url = reverse("engagements:detail", args=[q.engagement_id])
        title = f"Client found a {q.get_severity_display().lower()} issue: {q.title}"
        yield TimelineEvent(q.opened_on, "Quality", title, "", url, "bad")

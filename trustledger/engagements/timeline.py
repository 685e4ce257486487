"""Engagements in a client's timeline: starts, closes, milestones, notices, decisions, defects,
and corrections (an edit or deletion of a fact the index reads, shown as such)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.clients.timeline import TimelineEvent
from trustledger.core.extensions import timeline_sources

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

from trustledger.core import history
from trustledger.core.clock import local_day
from trustledger.core.models import FactVersion
from trustledger.engagements.models import (
    ChangeRequest,
    DeliverableReview,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    TimeEntry,
)

# How a correction names the field it changed.
FIELD_LABELS = {
    "delivered_on": "Delivery date",
    "committed_date": "Committed date",
    "buffer_days": "Buffer days",
    "status": "Status",
    "date": "Date",
    "hours": "Hours",
    "bill_rate": "Bill rate",
    "engagement": "Engagement",
    "scope_item": "Scope item",
    "change_request": "Change request",
    "classification": "Classification",
}


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """Seven queries, whatever the client's history."""
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
    yield from corrections(workspace, client)


def corrections(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """ "Delivery date of Build corrected on 3 Dec (was 12 Jun, now 14 Jun)": each edit of a fact
    the index reads, on the day it was recorded (the index before that day kept the old value)."""
    for version in history.corrections(workspace, client.pk, (Milestone, TimeEntry)):
        url = reverse("engagements:detail", args=[version.values["engagement_id"]])
        on = local_day(workspace, version.superseded_at)
        what = _what(version)
        if version.deleted:
            title = f"{what[:1].upper()}{what[1:]} deleted on {on:%-d %b}"
            yield TimelineEvent(on, "Correction", title, "", url, "bad")
            continue
        for field, (old, new) in version.changes.items():
            if old is None:  # recorded for the first time (a delivery), not corrected
                continue
            title = (
                f"{FIELD_LABELS.get(field, field)} of {what} corrected on {on:%-d %b} "
                f"(was {_shown(old)}, now {_shown(new)})"
            )
            yield TimelineEvent(on, "Correction", title, "", url)


def _what(version: FactVersion) -> str:
    values = version.values
    if version.model == history.label(Milestone):
        return f"milestone {values['name']}" if version.deleted else str(values["name"])
    return f"time entry of {values['hours']} h on {_shown(values['date'])}"


def _shown(value: object) -> str:
    """A stored value as a reader says it: dates as "12 Jun", nothing as "none"."""
    if value is None:
        return "none"
    if isinstance(value, str):
        try:
            return f"{dt.date.fromisoformat(value):%-d %b}"
        except ValueError:
            return value
    return str(value)

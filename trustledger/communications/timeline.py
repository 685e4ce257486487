"""Communications in a client's timeline: planned touches, late answers, broken promises."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.clients.timeline import TimelineEvent, Tone
from trustledger.core.extensions import timeline_sources

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from trustledger.communications.models import Commitment, Inquiry, Interaction, InteractionKind
from trustledger.relationships.models import BusinessReview

GOOD_KINDS = {InteractionKind.BUSINESS_REVIEW}  # routine check-ins and updates are neutral


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """Three queries. Everyday e-mail ("other") stays on the communications timeline; a business
    review recorded with its goals is told once, by the relationships source."""
    story = reverse("communications:timeline", args=[client.pk])
    detailed = BusinessReview.objects.filter(interaction=OuterRef("pk"))
    touches = Interaction.objects.for_workspace(workspace).filter(client=client)
    for i in (
        touches.exclude(kind=InteractionKind.OTHER)
        .exclude(Exists(detailed))
        .only("kind", "occurred_at", "subject", "summary")
    ):
        tone: Tone = "bad" if i.kind == InteractionKind.ESCALATION else "neutral"
        if i.kind in GOOD_KINDS:
            tone = "good"
        on = timezone.localdate(i.occurred_at)
        yield TimelineEvent(on, i.get_kind_display(), i.subject, i.summary[:200], story, tone)
    late = (
        Inquiry.objects.for_workspace(workspace)
        .filter(client=client)
        .filter(
            Q(first_response_at__gt=F("sla_due"))
            | Q(first_response_at__isnull=True, sla_due__lt=timezone.now())
        )
    )
    for q in late.only("subject", "sla_due", "first_response_at"):
        answered = "answered late" if q.first_response_at else "not answered in time"
        on = timezone.localdate(q.sla_due)
        yield TimelineEvent(on, "Late answer", f"{q.subject}: {answered}", "", story, "bad")
    broken = (
        Commitment.objects.for_workspace(workspace)
        .filter(client=client)
        .filter(Q(broken_on__isnull=False) | Q(done_on__gt=F("due_on")))
    )
    for c in broken.only("description", "due_on", "done_on", "broken_on"):
        if c.broken_on:
            yield TimelineEvent(
                c.broken_on, "Promise", f"Broke a promise: {c.description}", "", story, "bad"
            )
        else:
            title = f"Kept a promise late: {c.description}"
            yield TimelineEvent(c.done_on, "Promise", title, "", story, "bad")  # type: ignore[arg-type]

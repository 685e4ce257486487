"""The client's voice in its timeline: survey answers and the follow-ups they opened."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.clients.timeline import TimelineEvent, Tone
from trustledger.core.extensions import timeline_sources
from trustledger.scoring.nps import Category, category

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

from django.utils import timezone

from trustledger.feedback.models import FollowUp, SurveyResponse

TONES: dict[Category, Tone] = {"promoter": "good", "passive": "neutral", "detractor": "bad"}


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """Two queries."""
    url = reverse("clients:detail", args=[client.pk]) + "#voice"
    responses = SurveyResponse.objects.for_workspace(workspace).filter(client=client)
    for r in responses.only("score", "comment", "answered_at", "respondent"):
        tone = TONES[category(r.score)]
        title = f"Scored {r.score}/10" + (f" ({r.respondent})" if r.respondent else "")
        on = timezone.localdate(r.answered_at)
        yield TimelineEvent(on, "Survey", title, r.comment[:200], url, tone)
    for f in FollowUp.objects.for_workspace(workspace).filter(client=client, done_on__isnull=False):
        title = f"Closed the loop: {f.summary}"
        yield TimelineEvent(f.done_on, "Follow-up", title, f.outcome[:200], url, "good")  # type: ignore[arg-type]

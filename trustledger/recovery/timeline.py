"""What recovery plans add to a client's timeline (see trustledger/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.clients.timeline import TimelineEvent, Tone
from trustledger.core.extensions import timeline_sources
from trustledger.recovery.models import Action, ActionStatus, Outcome, RecoveryPlan, Update, Win

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

KIND = "Recovery"


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """Plans opened, acknowledged and closed, actions done, updates sent, wins: four queries."""
    plans = list(
        RecoveryPlan.objects.for_workspace(workspace)
        .filter(client=client)
        .only("pk", "title", "trigger", "opened_on", "meeting_held_on", "closed_on", "outcome")
    )
    urls = {p.pk: reverse("recovery:detail", args=[p.pk]) for p in plans}
    titles = {p.pk: p.title for p in plans}
    out: list[TimelineEvent] = []
    for p in plans:
        out.append(
            TimelineEvent(
                p.opened_on, KIND, f"Recovery plan opened: {p.title}", p.trigger, urls[p.pk], "bad"
            )
        )
        if p.meeting_held_on:
            out.append(
                TimelineEvent(
                    p.meeting_held_on,
                    KIND,
                    f"Acknowledged with the client: {p.title}",
                    url=urls[p.pk],
                )
            )
        if p.closed_on:
            tone: Tone = (
                "good"
                if p.outcome == Outcome.RECOVERED
                else "bad"
                if p.outcome == Outcome.LOST
                else "neutral"
            )
            out.append(
                TimelineEvent(
                    p.closed_on,
                    KIND,
                    f"Recovery plan closed ({p.get_outcome_display().lower()}): {p.title}",
                    url=urls[p.pk],
                    tone=tone,
                )
            )
    if not plans:
        return out
    ids = list(urls)
    for plan_id, title, done_on in (
        Action.objects.for_workspace(workspace)
        .filter(plan_id__in=ids, status=ActionStatus.DONE)
        .values_list("plan_id", "title", "done_on")
    ):
        if done_on is None:  # a done action always has its date (a constraint)
            continue
        out.append(
            TimelineEvent(
                done_on,
                KIND,
                f"Recovery action done: {title}",
                titles[plan_id],
                urls[plan_id],
                "good",
            )
        )
    for plan_id, sent_on, summary, shared in (
        Update.objects.for_workspace(workspace)
        .filter(plan_id__in=ids)
        .values_list("plan_id", "sent_on", "summary", "shared_in_portal")
    ):
        label = "Recovery update sent" + (" (shared in the portal)" if shared else "")
        out.append(TimelineEvent(sent_on, KIND, label, summary[:200], urls[plan_id]))
    for plan_id, on, what in (
        Win.objects.for_workspace(workspace)
        .filter(plan_id__in=ids)
        .values_list("plan_id", "on", "what")
    ):
        out.append(
            TimelineEvent(on, KIND, f"Small win: {what}", titles[plan_id], urls[plan_id], "good")
        )
    return out

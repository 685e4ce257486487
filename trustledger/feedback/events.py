"""The feedback events integrators can subscribe to: answers, follow-ups opened and overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.tasks import task

from trustledger.core.clock import local_today
from trustledger.core.events import publish
from trustledger.feedback.models import FollowUp, SurveyResponse
from trustledger.scoring.nps import category
from trustledger.workspaces.models import Workspace


def survey_answered(workspace_id: int, responses: Sequence[SurveyResponse]) -> None:
    for r in responses:
        client = r.client.name
        said = f": “{r.comment}”" if r.comment else ""
        publish(
            workspace_id,
            "survey.answered",
            {
                "summary": f"{client} scored {r.score}/10{said}",
                "response_id": r.pk,
                "client_id": r.client_id,
                "client": client,
                "respondent": r.respondent,
                "score": r.score,
                "category": str(category(r.score)),
                "comment": r.comment,
                "answered_at": r.answered_at.isoformat(),
                "source": r.source,
            },
        )


def _follow_up(follow_up: FollowUp) -> dict[str, object]:
    client = follow_up.client.name
    return {
        "summary": f"{client}: {follow_up.summary} (due {follow_up.due_on:%-d %b %Y})",
        "follow_up_id": follow_up.pk,
        "client_id": follow_up.client_id,
        "client": client,
        "reason": follow_up.reason,
        "due_on": follow_up.due_on.isoformat(),
        "owner_id": follow_up.owner_id,
        "response_id": follow_up.response_id,
    }


def follow_ups_opened(workspace_id: int, follow_ups: Sequence[FollowUp]) -> None:
    for follow_up in follow_ups:
        publish(workspace_id, "follow_up.opened", _follow_up(follow_up))


def publish_overdue_follow_ups(workspace: Workspace, today: dt.date | None = None) -> int:
    """``follow_up.overdue`` once for each open follow-up past its due date (in the workspace's
    time zone); the follow-up remembers it was announced, so each is published once."""
    today = today or local_today(workspace)
    with transaction.atomic():
        due = list(
            FollowUp.objects.for_workspace(workspace)
            .select_for_update()
            .select_related("client")
            .filter(done_on=None, due_on__lt=today, overdue_published_at=None)
        )
        for follow_up in due:
            publish(workspace.pk, "follow_up.overdue", _follow_up(follow_up))
        FollowUp.objects.filter(pk__in=[f.pk for f in due]).update(
            overdue_published_at=dt.datetime.now(dt.UTC)
        )
    return len(due)


@task()
def publish_overdue_follow_ups_task(workspace_id: int, period: str = "") -> int:
    """The periodic job: announce one workspace's newly overdue follow-ups."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return 0 if workspace is None else publish_overdue_follow_ups(workspace)

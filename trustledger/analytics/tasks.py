"""Background work of analytics: the monthly roll-up of time follows the facts it sums."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.tasks import task

from trustledger.analytics import rollup
from trustledger.core.facts import FactChange
from trustledger.engagements.models import Engagement

ROLLED_UP = {"timeentry", "engagement"}  # facts the roll-up sums or groups by


@task()
def rebuild_rollup_task(engagement_ids: Sequence[int]) -> None:
    """Rebuild under a lock of the engagements, so two workers never interleave delete/insert."""
    with transaction.atomic():
        list(
            Engagement.objects.select_for_update()
            .filter(pk__in=engagement_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rollup.rebuild_engagements(engagement_ids)


def rebuild_after_change(change: FactChange) -> None:
    """The fact seam's subscriber: rebuild the roll-up of the engagements whose time changed."""
    if change.engagement_ids and change.kinds & ROLLED_UP:
        rebuild_rollup_task.enqueue(sorted(change.engagement_ids))

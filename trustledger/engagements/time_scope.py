"""Imported time and scope: what a time tracker's task name counts as, and mapping task names.

One rule, used by the importers (row by row, in memory) and whenever it is applied again to rows
already imported (a mapping saved or removed, a scope item added): an engagement's own mapping of
the task first, then a scope item of the engagement with that title, then the firm-wide mapping.
A task none of them names is **unclassified**: counted neither for nor against the firm (not
scope creep) until someone maps it. Time logged by hand says what it is on and is never touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from trustledger.core.facts import announce
from trustledger.engagements.models import (
    Engagement,
    ScopeItem,
    TaskMapping,
    TaskTarget,
    TimeClassification,
    TimeEntry,
    normalise_task,
)
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, record_audit


@dataclass(frozen=True, slots=True)
class Classified:
    """What an imported row is on: a scope item, or none with its classification."""

    scope_item_id: int | None
    classification: str = TimeClassification.BY_WORK

    @property
    def unclassified(self) -> bool:
        return self.classification == TimeClassification.UNCLASSIFIED


UNCLASSIFIED = Classified(None, TimeClassification.UNCLASSIFIED)
MEMO_LIMIT = 50_000


def _target(target: str, scope_item_id: int | None) -> Classified:
    if target == TaskTarget.SCOPE_ITEM:
        return Classified(scope_item_id)
    if target == TaskTarget.OVERHEAD:
        return Classified(None, TimeClassification.OVERHEAD)
    return Classified(None)  # outside the approved scope: on nothing agreed


class TaskRules:
    """The workspace's scope item titles and task mappings (of the chosen engagements), loaded
    once so that a million rows are classified in memory."""

    def __init__(self, workspace_id: int, engagement_ids: Collection[int] | None = None) -> None:
        items = ScopeItem.objects.filter(workspace_id=workspace_id)
        mappings = TaskMapping.objects.filter(workspace_id=workspace_id)
        if engagement_ids is not None:
            items = items.filter(engagement_id__in=engagement_ids)
            mappings = mappings.filter(
                Q(engagement__isnull=True) | Q(engagement_id__in=engagement_ids)
            )
        # A title two scope items of one engagement share names neither (None): never a guess.
        self.titles: dict[tuple[int, str], int | None] = {}
        for pk, engagement_id, title in items.values_list("pk", "engagement_id", "title"):
            titled = (engagement_id, normalise_task(title))
            self.titles[titled] = None if titled in self.titles else pk
        self._seen: dict[tuple[int, str], Classified] = {}
        self.own: dict[tuple[int, str], Classified] = {}
        self.firm: dict[str, Classified] = {}
        for engagement_id, key, target, item in mappings.values_list(
            "engagement_id", "task_key", "target", "scope_item_id"
        ):
            if engagement_id is None:
                self.firm[key] = _target(target, item)
            else:
                self.own[(engagement_id, key)] = _target(target, item)

    def classify(self, engagement_id: int, task: str) -> Classified:
        # Exports repeat a few tasks on every row: remember the answers (bounded).
        found = self._seen.get((engagement_id, task))
        if found is None:
            found = self._classify(engagement_id, task)
            if len(self._seen) < MEMO_LIMIT:
                self._seen[(engagement_id, task)] = found
        return found

    def _classify(self, engagement_id: int, task: str) -> Classified:
        key = normalise_task(task)
        if (own := self.own.get((engagement_id, key))) is not None:
            return own
        if key and (item := self.titles.get((engagement_id, key))) is not None:
            return Classified(item)
        return self.firm.get(key, UNCLASSIFIED)


# --- applying the rule again to imported rows --------------------------------------------------


def reclassify_imported_time(
    workspace: Workspace,
    *,
    engagement_ids: Collection[int] | None = None,
    tasks: Iterable[str] | None = None,
) -> int:
    """Classify the imported rows of these engagements (all) and tasks (all) by the rule as it
    now stands; announce once, for the clients whose rows changed. Returns how many changed."""
    keys = None if tasks is None else {normalise_task(t) for t in tasks}
    rows = TimeEntry.objects.filter(workspace=workspace, import_key__isnull=False)
    if engagement_ids is not None:
        rows = rows.filter(engagement_id__in=engagement_ids)
    pairs = rows.order_by().values_list("engagement_id", "task").distinct()
    rules = TaskRules(workspace.pk, engagement_ids)
    now, changed, engagements = timezone.now(), 0, set()
    for engagement_id, task in list(pairs):
        if keys is not None and normalise_task(task) not in keys:
            continue
        to = rules.classify(engagement_id, task)
        count = _move(rows.filter(engagement_id=engagement_id, task=task), to, now)
        if count:
            changed += count
            engagements.add(engagement_id)
    if engagements:
        clients = Engagement.objects.filter(pk__in=engagements).values_list("client_id", flat=True)
        announce(workspace.pk, set(clients), "timeentry", engagement_ids=engagements)
    return changed


def _move(rows: QuerySet[TimeEntry], to: Classified, now: dt.datetime) -> int:
    """Classify ``rows`` as ``to``, recording when, except those already so."""
    already = Q(classification=to.classification) & (
        Q(scope_item_id=to.scope_item_id)
        if to.scope_item_id
        else Q(scope_item__isnull=True, change_request__isnull=True)
    )
    return rows.exclude(already).update(
        scope_item_id=to.scope_item_id,
        change_request=None,
        classification=to.classification,
        reclassified_at=now,
    )


# --- mapping task names ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapped:
    mapping: TaskMapping
    applied_to: int  # imported entries whose classification changed


def _check_target(
    engagement: Engagement | None, target: str, scope_item: ScopeItem | None
) -> ScopeItem | None:
    if target not in TaskTarget.values:
        raise DomainError("Choose what the task counts as.", field="target")
    if target != TaskTarget.SCOPE_ITEM:
        return None
    if engagement is None:
        raise DomainError(
            "A firm-wide task names no one engagement's scope: map it on the engagement, or "
            "make it overhead or work outside the approved scope.",
            field="target",
        )
    if scope_item is None or scope_item.engagement_id != engagement.pk:
        raise DomainError("Choose a scope item of this engagement.", field="scope_item")
    return scope_item


@transaction.atomic
def map_task(
    workspace: Workspace,
    *,
    engagement: Engagement | None,
    task: str,
    target: str,
    scope_item: ScopeItem | None = None,
    by: User | None,
) -> Mapped:
    """Say what a task name counts as on one engagement (or, without one, firm-wide), and apply
    it to the rows already imported. Mapping a task again replaces its mapping."""
    if engagement is not None and engagement.workspace_id != workspace.pk:
        raise DomainError("Choose an engagement of this workspace.", field="engagement")
    task = " ".join(task.split())[:200]
    scope_item = _check_target(engagement, target, scope_item)
    mapping = TaskMapping.objects.filter(
        workspace=workspace, engagement=engagement, task_key=normalise_task(task)
    ).first() or TaskMapping(workspace=workspace, engagement=engagement)
    old = None if mapping.pk is None else mapping.target_label
    mapping.task, mapping.target, mapping.scope_item = task, target, scope_item
    mapping.save()
    record_audit(
        workspace, by, "task_mapping.saved", mapping, {"maps_to": [old, mapping.target_label]}
    )
    applied = _apply(workspace, engagement, task)
    return Mapped(mapping, applied)


@transaction.atomic
def unmap_task(mapping: TaskMapping, *, by: User | None) -> int:
    """Remove a mapping; its rows are classified again without it (often: unclassified)."""
    workspace, engagement, task = mapping.workspace, mapping.engagement, mapping.task
    record_audit(workspace, by, "task_mapping.removed", mapping, {"maps_to": [str(mapping), None]})
    mapping.delete()
    return _apply(workspace, engagement, task)


def _apply(workspace: Workspace, engagement: Engagement | None, task: str) -> int:
    engagements = None if engagement is None else [engagement.pk]
    return reclassify_imported_time(workspace, engagement_ids=engagements, tasks=[task])


def reclassify_after_new_scope_item(item: ScopeItem) -> int:
    """A new scope item may now name tasks already imported on its engagement."""
    engagement: Any = item.engagement
    return reclassify_imported_time(
        engagement.workspace, engagement_ids=[engagement.pk], tasks=[item.title]
    )

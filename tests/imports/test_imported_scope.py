"""Imported time and scope: a tracker's task that names no scope item is unclassified, never
scope creep, until someone maps it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from tests.engagements.factories import ScopeItemFactory
from tests.imports.conftest import Firm
from trustledger.engagements import selectors, services
from trustledger.engagements.models import TaskMapping, TimeEntry
from trustledger.engagements.time_scope import map_task, unmap_task
from trustledger.imports.bulk import insert_rows, prepare_value
from trustledger.scoring.index import IndexSettings
from trustledger.trust import signals
from trustledger.trust.models import Alert, SnapshotKind, TrustSnapshot
from trustledger.trust.services import take_snapshots
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

HARVEST_HEADER = (
    "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
    "Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,"
    "Cost Amount,Currency,External Reference URL"
)


def harvest_file(tmp_path: Path, rows: list[tuple[dt.date, str, str]]) -> Path:
    """A Harvest report of Finance Transformation rows: (day, task, hours)."""
    lines = [HARVEST_HEADER] + [
        f"{day.isoformat()},Acme Secret Holdings,Finance Transformation,ACME-FT,{task},Work,"
        f"{hours},{hours},Yes,No,No,Dana,Delivery,Consultant,Yes,180.00,180.00,95.00,95.00,EUR,"
        for day, task, hours in rows
    ]
    path = tmp_path / "harvest.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def imported(firm: Firm, **filters: object) -> list[TimeEntry]:
    workspace = firm.personas.workspace_a
    return list(TimeEntry.objects.for_workspace(workspace).filter(**filters).order_by("date", "id"))


def test_an_imported_task_that_matches_no_scope_item_is_unclassified_not_scope_creep(firm):
    firm.run("harvest", "harvest_time_report.csv")

    (planning,) = imported(firm, engagement=firm.finance, scope_item__isnull=True)
    assert (planning.task, planning.note) == ("Project Management", "Plan, risks and RACI")
    assert planning.classification == "unclassified"
    assert selectors.burn(firm.finance).creep_hours == 0
    assert selectors.burn(firm.close).creep_hours == 0, "Reconciliation names no scope item"
    assert selectors.burn(firm.finance).unclassified_hours == Decimal("1.25")


def test_a_toggl_row_without_a_task_is_unclassified(firm):
    firm.run("toggl", "toggl_detailed.csv")

    rows = imported(firm)
    assert rows and {e.classification for e in rows} == {"unclassified"}
    assert all(selectors.burn(e).creep_hours == 0 for e in (firm.finance, firm.close))


def test_an_imported_task_naming_a_scope_item_is_on_approved_scope(firm):
    firm.run("harvest", "harvest_time_report.csv")

    (kickoff,) = imported(firm, engagement=firm.finance, scope_item__isnull=False)
    assert (kickoff.task, kickoff.scope_item.title) == ("Discovery", "Discovery")
    assert kickoff.classification == ""


def test_recent_time_on_firm_wide_tasks_raises_no_scope_alert_and_is_not_scored(firm, tmp_path):
    today = timezone.localdate()
    firm.finance.activated_on = today - dt.timedelta(days=60)
    firm.finance.save()
    path = harvest_file(
        tmp_path,
        [
            (today - dt.timedelta(days=3), "Discovery", "4"),
            (today - dt.timedelta(days=2), "Project Management", "3"),
            (today - dt.timedelta(days=1), "", "2"),
        ],
    )
    firm.run("harvest", path)

    take_snapshots(firm.personas.workspace_a, today, kind=SnapshotKind.CURRENT)

    assert not Alert.objects.filter(cause="unapproved_scope").exists()
    snapshot = TrustSnapshot.objects.get(client=firm.personas.client_a, as_of=today)
    assert snapshot.scores["scope_control"] == 100
    notes = [e["description"] for e in snapshot.evidence["scope_control"]]
    assert any("5 h unclassified" in note and "not counted" in note for note in notes), notes


def test_reimporting_after_a_task_came_to_name_a_scope_item_adds_nothing(firm):
    firm.run("harvest", "harvest_time_report.csv")
    services.add_scope_item(firm.finance, title="Project Management", by=firm.personas.alice)

    again = firm.run("harvest", "harvest_time_report.csv")

    assert (again.created, again.skipped_duplicates) == (0, 5)


@pytest.mark.parametrize("task", ["Discovery", "Project Management"])
def test_a_row_imported_before_tasks_were_kept_apart_is_recognised(firm, task, tmp_path):
    """Before, a task naming no scope item was kept at the start of the note, and the note
    (so written) was part of the row's identity; a re-import must still find those rows."""
    from trustledger.imports.keys import content_digest, import_key

    day = dt.date(2026, 1, 12)
    path = harvest_file(tmp_path, [(day, task, "2")])
    note = "Work" if task == "Discovery" else f"{task}: Work"
    legacy = "\x1f".join(
        ("harvest", str(firm.finance.pk), day.isoformat(), "2.00", "dana delivery", task, note)
    )
    TimeEntry.objects.create(
        workspace=firm.personas.workspace_a,
        engagement=firm.finance,
        date=day,
        hours=Decimal(2),
        note=note,
        import_key=import_key(content_digest(legacy), 0),
    )

    again = firm.run("harvest", path)

    assert (again.created, again.skipped_duplicates) == (0, 1)


# --- mapping task names ---------------------------------------------------------------------


def entry(firm: Firm, task: str) -> TimeEntry:
    return TimeEntry.objects.get(workspace=firm.personas.workspace_a, task=task)


def test_mapping_a_task_to_a_scope_item_books_its_imported_hours_on_it(firm):
    firm.run("harvest", "harvest_time_report.csv")
    discovery = firm.finance.scope_items.get(title="Discovery")

    done = map_task(
        firm.personas.workspace_a,
        engagement=firm.finance,
        task="Project Management",
        target="scope_item",
        scope_item=discovery,
        by=firm.personas.amir,
    )

    planning = entry(firm, "Project Management")
    assert done.applied_to == 1
    assert (planning.scope_item, planning.classification) == (discovery, "")
    assert planning.reclassified_at is not None
    assert selectors.burn(firm.finance).unclassified_hours == 0
    assert entry(firm, "Reconciliation").classification == "unclassified", "another engagement's"
    audit = AuditEntry.objects.get(action="task_mapping.saved")
    assert audit.changes == {"maps_to": [None, "Discovery"]}


def test_a_firm_wide_mapping_applies_to_every_engagement_and_to_later_imports(firm):
    workspace = firm.personas.workspace_a
    map_task(workspace, engagement=None, task="reconciliation", target="overhead", by=None)
    map_task(workspace, engagement=None, task="Development", target="unapproved", by=None)

    firm.run("harvest", "harvest_time_report.csv")

    assert entry(firm, "Reconciliation").classification == "overhead"
    assert selectors.burn(firm.close).creep_hours == 0
    assert selectors.burn(firm.close).unclassified_hours == 0
    platform = selectors.burn(firm.platform)
    assert platform.creep_hours == platform.hours == Decimal("15.5"), "outside the approved scope"


def test_an_engagements_own_mapping_comes_first_then_a_scope_item_then_the_firm_wide_one(firm):
    workspace = firm.personas.workspace_a
    map_task(workspace, engagement=None, task="Discovery", target="overhead", by=None)
    map_task(workspace, engagement=None, task="Project Management", target="overhead", by=None)
    map_task(
        workspace,
        engagement=firm.finance,
        task="Project Management",
        target="unapproved",
        by=None,
    )

    firm.run("harvest", "harvest_time_report.csv")

    assert entry(firm, "Discovery").scope_item.title == "Discovery", "its scope item, not overhead"
    assert entry(firm, "Project Management").classification == "", "outside the approved scope"
    assert selectors.burn(firm.finance).creep_hours == Decimal("1.25")


def test_mapping_a_task_again_replaces_its_mapping(firm):
    workspace = firm.personas.workspace_a
    first = map_task(workspace, engagement=None, task="Internal", target="overhead", by=None)
    again = map_task(workspace, engagement=None, task="  INTERNAL ", target="unapproved", by=None)

    assert again.mapping.pk == first.mapping.pk
    assert (again.mapping.task, again.mapping.target) == ("INTERNAL", "unapproved")
    assert TaskMapping.objects.filter(workspace=workspace).count() == 1


def test_removing_a_mapping_leaves_its_rows_unclassified_again(firm):
    firm.run("harvest", "harvest_time_report.csv")
    workspace = firm.personas.workspace_a
    done = map_task(workspace, engagement=None, task="Reconciliation", target="overhead", by=None)

    assert unmap_task(done.mapping, by=firm.personas.alice) == 1

    assert entry(firm, "Reconciliation").classification == "unclassified"
    assert not TaskMapping.objects.exists()
    assert AuditEntry.objects.filter(action="task_mapping.removed").count() == 1


def test_a_scope_item_added_later_takes_the_imported_time_of_its_name(firm):
    firm.run("harvest", "harvest_time_report.csv")

    item = services.add_scope_item(firm.close, title="reconciliation", by=firm.personas.amir)

    assert entry(firm, "Reconciliation").scope_item == item
    assert selectors.burn(firm.close).unclassified_hours == 0


def test_a_task_two_scope_items_share_names_neither(firm):
    ScopeItemFactory(engagement=firm.finance, title="Project management")
    ScopeItemFactory(engagement=firm.finance, title="Project Management")

    firm.run("harvest", "harvest_time_report.csv")

    assert entry(firm, "Project Management").classification == "unclassified"


def test_time_logged_by_hand_is_never_reclassified(firm):
    logged = services.log_time(
        firm.finance, by=firm.personas.sam, date=dt.date(2026, 1, 20), hours=Decimal(2)
    )

    map_task(firm.personas.workspace_a, engagement=None, task="", target="overhead", by=None)

    logged.refresh_from_db()
    assert (logged.classification, logged.reclassified_at) == ("", None)
    assert set(selectors.scope_creep_entries(firm.finance)) == {logged}


def test_mapping_as_outside_the_approved_scope_is_scope_creep_and_raises_its_alert(firm, tmp_path):
    today = timezone.localdate()
    firm.finance.activated_on = today - dt.timedelta(days=60)
    firm.finance.save()
    firm.run("harvest", harvest_file(tmp_path, [(today - dt.timedelta(days=2), "Extras", "3")]))
    map_task(
        firm.personas.workspace_a,
        engagement=firm.finance,
        task="Extras",
        target="unapproved",
        by=None,
    )

    take_snapshots(firm.personas.workspace_a, today, kind=SnapshotKind.CURRENT)

    alert = Alert.objects.get(cause="unapproved_scope")
    assert alert.detail.startswith("3 h logged on unapproved scope")
    snapshot = TrustSnapshot.objects.get(client=firm.personas.client_a, as_of=today)
    assert snapshot.scores["scope_control"] == 0


def test_the_index_as_of_a_day_before_a_mapping_still_counts_the_time_as_unclassified(firm):
    """Point in time: the mapping was not known then, so neither was what the time counts as."""
    today = timezone.localdate()
    firm.run("harvest", "harvest_time_report.csv")
    long_ago = timezone.now() - dt.timedelta(days=400)
    TimeEntry.objects.update(recorded_at=long_ago, date=today - dt.timedelta(days=30))
    map_task(
        firm.personas.workspace_a,
        engagement=firm.close,
        task="Reconciliation",
        target="unapproved",
        by=None,
    )

    def work(as_of: dt.date) -> list[bool | None]:
        facts = signals.collect(firm.personas.workspace_a, as_of, IndexSettings())
        return [w.approved for w in facts[firm.personas.client_a.pk].scope_work]

    assert sorted(work(today - dt.timedelta(days=1)), key=str) == [None, True]
    assert sorted(work(today), key=str) == [False, None, True]


@pytest.mark.parametrize(
    ("engagement", "target", "field"),
    [("none", "scope_item", "target"), ("other", "scope_item", "scope_item")],
)
def test_a_mapping_to_a_scope_item_needs_one_of_the_engagements_own(
    firm, engagement, target, field
):
    other_item = ScopeItemFactory(engagement=firm.close, title="Close")
    chosen = None if engagement == "none" else firm.finance

    with pytest.raises(DomainError) as refused:
        map_task(
            firm.personas.workspace_a,
            engagement=chosen,
            task="Project Management",
            target=target,
            scope_item=other_item,
            by=None,
        )

    assert refused.value.field == field
    assert not TaskMapping.objects.exists()


def test_a_bulk_writer_naming_no_task_still_writes_a_valid_entry(firm):
    """Benchmarks and other raw writers insert time without the newer columns."""
    columns = (
        *("workspace_id", "engagement_id", "person_name", "date", "hours"),
        *("cost_rate", "bill_rate", "note", "recorded_at"),
    )
    recorded = prepare_value(TimeEntry, "recorded_at", timezone.now())
    row = (firm.personas.workspace_a.pk, firm.finance.pk, "", dt.date(2026, 1, 5), 2, 80, 150)
    row += ("", recorded)

    insert_rows(TimeEntry, columns, [row])

    (written,) = imported(firm)
    assert (written.task, written.classification) == ("", "")
    assert set(selectors.scope_creep_entries(firm.finance)) == {written}

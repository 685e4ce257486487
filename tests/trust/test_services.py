import datetime as dt
from decimal import Decimal

import pytest

from tests.engagements.factories import EngagementFactory, MilestoneFactory, TimeEntryFactory
from trustledger.trust.models import Alert, TrustSnapshot
from trustledger.trust.services import (
    current_config,
    recompute_client,
    take_snapshots,
    update_config,
)
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

AS_OF = dt.date(2026, 4, 30)


def _at(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def troubled(personas):
    """Client A: a milestone missed without notice and work on unapproved scope, this month."""
    e = EngagementFactory(client=personas.client_a, activated_on=dt.date(2026, 1, 5))
    MilestoneFactory(
        engagement=e,
        committed_date=dt.date(2026, 4, 22),
        buffer_days=0,
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    TimeEntryFactory(
        engagement=e,
        date=dt.date(2026, 4, 27),
        hours=Decimal(6),
        recorded_at=_at(dt.date(2026, 4, 27)),
    )
    return e


@pytest.mark.django_db
def test_changing_the_configuration_makes_an_audited_new_version(personas):
    assert current_config(personas.workspace_a).version == 1
    new = update_config(
        personas.workspace_a, by=personas.alice, weights={"on_time": 3}, healthy_at=80
    )
    assert new.version == 2 and current_config(personas.workspace_a) == new
    entry = AuditEntry.objects.get(action="trust_config.changed")
    assert entry.changes["healthy_at"] == [75, 80]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [({"weights": {"vibes": 1}}, "weights"), ({"healthy_at": 40, "at_risk_below": 50}, None)],
)
def test_an_invalid_configuration_is_refused(personas, values, field):
    with pytest.raises(DomainError) as error:
        update_config(personas.workspace_a, by=None, **values)
    assert error.value.field == field
    assert current_config(personas.workspace_a).version == 1


@pytest.mark.django_db
def test_snapshots_record_the_config_version_and_replace_on_rerun(personas, troubled):
    first = take_snapshots(personas.workspace_a, AS_OF)
    take_snapshots(personas.workspace_a, AS_OF)
    snaps = TrustSnapshot.objects.filter(workspace=personas.workspace_a, as_of=AS_OF)
    assert snaps.count() == len(first) == 2  # client A and the other client of A
    snap = snaps.get(client=personas.client_a)
    assert snap.config.version == 1
    assert snap.scores["on_time"] == 0
    assert snap.evidence["on_time"][0]["description"].startswith(troubled.name)


@pytest.mark.django_db
def test_event_alerts_are_raised_once_per_cause_with_the_account_manager_as_owner(
    personas, troubled
):
    take_snapshots(personas.workspace_a, AS_OF)
    take_snapshots(personas.workspace_a, AS_OF + dt.timedelta(days=1))
    alerts = Alert.objects.filter(client=personas.client_a)
    causes = sorted(alerts.values_list("cause", flat=True))
    assert causes == ["milestone_missed_without_notice", "unapproved_scope"]
    assert {a.owner for a in alerts} == {personas.amir}


@pytest.mark.django_db
def test_a_resolved_alert_can_fire_again(personas, troubled):
    take_snapshots(personas.workspace_a, AS_OF)
    Alert.objects.update(status="resolved")
    take_snapshots(personas.workspace_a, AS_OF + dt.timedelta(days=1))
    assert Alert.objects.filter(status="open").count() == 2


@pytest.mark.django_db
def test_recomputing_one_client_touches_only_its_current_snapshot(personas, troubled):
    snap = recompute_client(personas.client_a, AS_OF)
    assert snap.client == personas.client_a and snap.kind == "current"
    recompute_client(personas.client_a, AS_OF + dt.timedelta(days=1))
    assert TrustSnapshot.objects.filter(kind="current").count() == 1


@pytest.mark.django_db
def test_weekly_snapshots_are_enqueued_once_per_workspace_and_week(personas):
    from django_tasks_db.models import DBTaskResult

    from trustledger.core.schedule import enqueue_due_jobs

    wednesday = dt.datetime(2026, 4, 29, 12, tzinfo=dt.UTC)
    enqueue_due_jobs(wednesday)
    weekly = DBTaskResult.objects.filter(task_path__endswith="weekly_snapshots_task")
    assert sorted(t.args_kwargs["args"] for t in weekly) == [
        [personas.workspace_a.pk, "2026-04-26"],
        [personas.workspace_b.pk, "2026-04-26"],
    ]
    enqueue_due_jobs(wednesday + dt.timedelta(days=2))  # the same week: nothing new
    assert weekly.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_snapshot_task(personas, troubled):
    from trustledger.core.worker import run_until_idle
    from trustledger.trust.tasks import weekly_snapshots_task

    weekly_snapshots_task.enqueue(personas.workspace_a.pk, AS_OF.isoformat())
    run_until_idle()
    assert TrustSnapshot.objects.filter(workspace=personas.workspace_a, as_of=AS_OF).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_refreshes_every_clients_index_as_time_passes(personas, troubled):
    from trustledger.core.clock import local_today
    from trustledger.core.schedule import enqueue_due_jobs
    from trustledger.core.worker import run_until_idle

    recompute_client(personas.client_a, AS_OF)  # computed once, then nobody pressed a button
    enqueue_due_jobs()
    run_until_idle()
    current = TrustSnapshot.objects.filter(kind="current", workspace=personas.workspace_a)
    today = local_today(personas.workspace_a)
    assert {s.as_of for s in current} == {today}
    assert {s.client_id for s in current} == {personas.client_a.pk, personas.other_client_a.pk}

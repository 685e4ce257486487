"""The worker's periodic jobs run against a real database without error and do their work."""

import pytest

from trustledger.scheduler import PERIODIC_JOBS


@pytest.mark.django_db
def test_every_periodic_job_runs(personas):
    from django_tasks_db.models import DBTaskResult

    for job in PERIODIC_JOBS:
        job()
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert any(path.endswith("weekly_snapshots_task") for path in queued)

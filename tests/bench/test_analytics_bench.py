"""The analytics dashboard at "large firm" scale (make bench): server time and a fixed number of
queries. Figures go to docs/benchmarks.md ("Analytics dashboard"); the target is under 500 ms."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bench.largefirm import build_large_firm
from tests.bench.test_trust_bench import SCALE, TODAY, report
from trustledger.workspaces.models import Membership, Role

# Sessions, membership, the workspace's currency and segment choices included; two more when
# a period starts or ends inside a month (its edge days are read from the time entries).
DASHBOARD_QUERIES = 36


@pytest.fixture(scope="module")
def large_firm(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        started = time.perf_counter()
        workspace = build_large_firm(TODAY, SCALE)
        report(
            "build large firm",
            time.perf_counter() - started,
            f"({SCALE.clients} clients, {SCALE.time_entries} time entries)",
        )
        yield workspace


@pytest.mark.bench
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["", "?months=24&grain=quarter", "?segment=tier:standard&cohort=quarter", "?months=3"],
)
def test_dashboard_server_time(large_firm, client, query):
    member = Membership.objects.filter(workspace=large_firm).first()
    member.role = Role.LEADER
    member.save()
    client.force_login(member.user)
    with time_machine.travel(dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC), tick=True):
        client.get("/analytics/" + query)  # warm
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get("/analytics/" + query)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    timings.sort()
    report(
        f"analytics dashboard {query or '(12 months, by month)'}",
        timings[2],
        f"(median of 5, max {timings[-1]:.3f} s) {len(ctx.captured_queries)} queries",
    )
    assert len(ctx.captured_queries) <= DASHBOARD_QUERIES

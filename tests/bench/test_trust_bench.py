"""Trust-index benchmarks at "large firm" scale (make bench): prints figures, asserts correctness.

Figures go to docs/benchmarks.md. Targets (issue 6): full recompute under 10 s, one client's
recompute under 50 ms, a 36-month backtest under 2 minutes, pages under 300 ms server time with a
fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bench.largefirm import Scale, build_large_firm
from trustledger.clients.models import Client
from trustledger.trust.backtest import observations
from trustledger.trust.models import SnapshotKind
from trustledger.trust.services import recompute_client, take_snapshots

TODAY = dt.date(2026, 11, 1)
SCALE = Scale(
    clients=int(os.environ.get("BENCH_CLIENTS", 2000)),
    time_entries=int(os.environ.get("BENCH_TIME_ENTRIES", 2_000_000)),
)


def report(name: str, seconds: float, extra: str = "") -> None:
    vendor = connection.vendor
    print(f"\nBENCH [{vendor}] {name}: {seconds:.3f} s {extra}", flush=True)


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
def test_full_recompute(large_firm):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        snapshots = take_snapshots(large_firm, TODAY, kind=SnapshotKind.CURRENT)
    report(
        "full recompute (current snapshots, alerts)",
        time.perf_counter() - started,
        f"{len(snapshots)} clients, {len(ctx.captured_queries)} queries",
    )
    assert len(snapshots) > SCALE.clients * 0.8


@pytest.mark.bench
@pytest.mark.django_db
def test_one_client_recompute(large_firm):
    client = Client.objects.filter(workspace=large_firm, status="active").first()
    recompute_client(client, TODAY)  # warm
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        recompute_client(client, TODAY)
        timings.append(time.perf_counter() - started)
    timings.sort()
    report("one client's recompute (median of 10)", timings[5], f"max {timings[-1]:.3f} s")


@pytest.mark.bench
@pytest.mark.django_db
def test_backtest_36_months(large_firm):
    started = time.perf_counter()
    obs = observations(large_firm, months=36, today=TODAY)
    report(
        "36-month backtest (scoring every month end)",
        time.perf_counter() - started,
        f"{len(obs)} client-months",
    )


@pytest.mark.bench
@pytest.mark.django_db
def test_pages_server_time(large_firm, client):
    from trustledger.workspaces.models import Membership

    take_snapshots(large_firm, TODAY, kind=SnapshotKind.CURRENT, alerts=False)
    for weeks in (2, 1):
        take_snapshots(large_firm, TODAY - dt.timedelta(weeks=weeks), alerts=False)
    member = Membership.objects.filter(workspace=large_firm).first()
    client.force_login(member.user)
    target = Client.objects.filter(workspace=large_firm, status="active").first()
    for name, url in [
        ("portfolio page", "/trust/"),
        ("client trust page", f"/trust/clients/{target.pk}/"),
        ("client page", f"/clients/{target.pk}/"),
    ]:
        client.get(url)  # warm
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        timings.sort()
        report(name, timings[2], f"(median of 5) {len(ctx.captured_queries)} queries")

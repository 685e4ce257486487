"""The analytics dashboard at "large firm" scale (make bench): server time and a fixed number of
queries. Figures go to docs/benchmarks.md ("Analytics dashboard"); the target is under 500 ms."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bench.largefirm import build_large_firm
from tests.bench.test_trust_bench import SCALE, TODAY, report
from trustledger.analytics import rollup
from trustledger.demo import money
from trustledger.demo.context import DemoContext
from trustledger.engagements.models import Engagement
from trustledger.workspaces.models import Membership, Role

# Sessions, membership, segment choices and (with work in another currency than the base) the
# exchange rates included; two more when a period starts or ends inside a month (its edge days
# are read from the time entries).
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


QUERIES = ["", "?months=24&grain=quarter", "?segment=tier:standard&cohort=quarter", "?months=3"]


@pytest.mark.bench
@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_dashboard_server_time(large_firm, client, query):
    _time_dashboard(large_firm, client, query)


@pytest.fixture(scope="module")
def three_currencies(large_firm, django_db_blocker):
    """The same firm with a third of its engagements billed in USD and a third in GBP, and a
    business-day history of their rates to EUR (as the demo has). Runs after the tests above."""
    with django_db_blocker.unblock():
        started = time.perf_counter()
        ids = list(
            Engagement.objects.for_workspace(large_firm).order_by("pk").values_list("pk", flat=True)
        )
        Engagement.objects.filter(pk__in=ids[1::3]).update(currency="USD")
        Engagement.objects.filter(pk__in=ids[2::3]).update(currency="GBP")
        owner = Membership.objects.filter(workspace=large_firm).first().user
        money.build(DemoContext(large_firm, owner, random.Random(1), TODAY))
        rollup.rebuild_workspace(large_firm)
        report("convert the large firm to three currencies", time.perf_counter() - started)
        yield large_firm


@pytest.mark.bench
@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_dashboard_server_time_in_three_currencies(three_currencies, client, query):
    _time_dashboard(three_currencies, client, query, label=" in EUR, GBP and USD")


def _time_dashboard(large_firm, client, query, label=""):
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
        f"analytics dashboard {query or '(12 months, by month)'}{label}",
        timings[2],
        f"(median of 5, max {timings[-1]:.3f} s) {len(ctx.captured_queries)} queries",
    )
    assert len(ctx.captured_queries) <= DASHBOARD_QUERIES

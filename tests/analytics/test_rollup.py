"""The monthly roll-up of time and the stored business-hours responses: whatever writes time or
inquiries, the dashboard reads exactly what the raw rows say."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from hypothesis import given
from hypothesis import strategies as st

from tests.communications.factories import InquiryFactory
from tests.engagements.factories import EngagementFactory
from tests.factories import ClientFactory, WorkspaceFactory
from tests.imports.conftest import firm  # noqa: F401 (the import tests' firm fixture)
from trustledger.analytics import rollup, selectors
from trustledger.analytics.models import TimeMonth
from trustledger.analytics.selectors import Period, Segment
from trustledger.communications import services as comms_services
from trustledger.communications import sla
from trustledger.communications.models import Inquiry
from trustledger.engagements.models import TimeEntry
from trustledger.engagements.selectors import BILLED, COST
from trustledger.engagements.services import log_time

D = dt.date
DAY = dt.timedelta(days=1)


def _q(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def assert_rollup_matches(workspace) -> None:
    raw = sorted(
        (e, _day(m), _q(h), _q(c), _q(r))
        for e, m, h, c, r in TimeEntry.objects.for_workspace(workspace)
        .annotate(m=TruncMonth("date"))
        .values("engagement_id", "m")
        .annotate(h=Sum("hours"), c=Sum(COST), r=Sum(BILLED))
        .order_by()
        .values_list("engagement_id", "m", "h", "c", "r")
    )
    rolled = sorted(
        (e, m, _q(h), _q(c), _q(r))
        for e, m, h, c, r in TimeMonth.objects.for_workspace(workspace).values_list(
            "engagement_id", "month", "hours", "cost", "revenue"
        )
    )
    assert rolled == raw


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- slicing a period -------------------------------------------------------------------------


@given(st.dates(D(2023, 1, 1), D(2027, 12, 31)), st.integers(0, 800))
def test_slices_count_every_day_of_the_period_once_and_no_other(start, length):
    end = start + dt.timedelta(days=length)
    cut = rollup.slices(start, end)

    def inside(day: dt.date, ranges: tuple[tuple[dt.date, dt.date], ...]) -> int:
        return sum(lo <= day <= hi for lo, hi in ranges)

    day = rollup.month_start(start) - DAY
    while day <= end + dt.timedelta(days=32):
        counted = (
            (rollup.month_start(day) in cut.months)
            + inside(day, cut.add)
            - inside(day, cut.subtract)
        )
        assert counted == (start <= day <= end), day
        day += DAY
    raw_days = sum((hi - lo).days + 1 for lo, hi in cut.raw)
    assert raw_days <= 2 * 15 + 1  # at most about half a month read raw at each edge


def test_a_period_of_whole_months_reads_nothing_raw():
    cut = rollup.slices(D(2026, 1, 1), D(2026, 6, 30))
    assert cut.raw == () and len(cut.months) == 6


# --- keeping the roll-up fresh ----------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.mark.django_db
def test_logging_time_keeps_the_rollup_equal_to_the_entries(personas, pipeline):
    ws = personas.workspace_a
    rng = random.Random(7)
    engagements = [EngagementFactory(client=personas.client_a) for _ in range(2)]
    engagements.append(EngagementFactory(client=personas.other_client_a))
    for _ in range(30):
        with pipeline():
            log_time(
                rng.choice(engagements),
                by=personas.alice,
                date=D(2025, 10, 1) + dt.timedelta(days=rng.randrange(200)),
                hours=Decimal(rng.randint(1, 40)) / 4,
                cost_rate=Decimal(rng.randint(50, 120)),
                bill_rate=Decimal(rng.randint(100, 250)),
            )
        assert_rollup_matches(ws)
    assert TimeMonth.objects.for_workspace(ws).count() > 6

    engagements[0].delete()  # the roll-up goes with the engagement's time
    assert_rollup_matches(ws)
    assert not TimeMonth.objects.filter(engagement_id=engagements[0].pk).exists()


@pytest.mark.django_db
def test_an_imported_time_file_is_rolled_up_once_imported(firm, pipeline):  # noqa: F811
    ws = firm.personas.workspace_a
    with pipeline():
        log_time(
            firm.finance, by=None, date=D(2026, 1, 5), hours=Decimal(2), bill_rate=Decimal(100)
        )
    with pipeline():
        result = firm.run("harvest", "harvest_time_report.csv")

    assert result.created == 5
    assert TimeMonth.objects.for_workspace(ws).count() >= 2
    assert_rollup_matches(ws)
    firm.run("harvest", "harvest_time_report.csv")  # again: nothing new, still equal
    assert_rollup_matches(ws)


@pytest.mark.django_db
def test_rebuilding_a_workspace_touches_no_other(personas, pipeline):
    with pipeline():
        for client, hours in ((personas.client_a, 1), (personas.client_b, 3)):
            engagement = EngagementFactory(client=client)
            log_time(engagement, by=None, date=D(2026, 1, 5), hours=Decimal(hours))
    TimeEntry.objects.filter(workspace=personas.workspace_b).update(hours=Decimal(4))

    rollup.rebuild_workspace(personas.workspace_a)

    assert TimeMonth.objects.get(workspace=personas.workspace_b).hours == 3  # not rebuilt
    rollup.rebuild_workspace(personas.workspace_b)
    assert_rollup_matches(personas.workspace_a)
    assert_rollup_matches(personas.workspace_b)


@pytest.mark.django_db
def test_revenue_from_the_rollup_equals_the_entries_for_any_period(personas):
    """Property-style: random time, random periods (edges anywhere in a month), one segment."""
    ws = personas.workspace_a
    rng = random.Random(11)
    clients = [personas.client_a, personas.other_client_a, ClientFactory(workspace=ws)]
    engagements = [EngagementFactory(client=c) for c in clients for _ in range(2)]
    for _ in range(120):
        TimeEntry.objects.create(
            workspace=ws,
            engagement=rng.choice(engagements),
            date=D(2025, 1, 1) + dt.timedelta(days=rng.randrange(600)),
            hours=Decimal(rng.randint(1, 32)) / 4,
            cost_rate=Decimal(rng.randint(5000, 9000)) / 100,
            bill_rate=Decimal(rng.randint(10000, 20000)) / 100,
        )
    rollup.rebuild_workspace(ws)
    entries = list(
        TimeEntry.objects.for_workspace(ws).values_list(
            "engagement__client_id", "date", "hours", "cost_rate", "bill_rate"
        )
    )

    def expected(period: Period) -> dict[int, tuple[float, float, float]]:
        sums: dict[int, list[Decimal]] = {}
        for client_id, day, hours, cost_rate, bill_rate in entries:
            if period.start <= day <= period.end:
                s = sums.setdefault(client_id, [Decimal(0)] * 3)
                s[0] += hours
                s[1] += hours * cost_rate
                s[2] += hours * bill_rate
        return {c: (float(h), float(co), float(b)) for c, (h, co, b) in sums.items()}

    for _ in range(40):
        start = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(500))
        period = Period(start, start + dt.timedelta(days=rng.randrange(1, 300)))
        revenue = selectors.client_revenue(ws, period)
        got = {e.client_id: (e.hours, e.cost, e.revenue) for e in revenue.economics}
        assert got == expected(period), period  # exact: Decimal sums, to cents and beyond
        before = {c: b for c, (_, _, b) in expected(period.previous()).items()}
        assert {c: b for c, b in revenue.before.items() if b} == pytest.approx(before)
        trend = selectors.revenue_trend(ws, period, selectors.ALL, "month")
        assert sum(p.revenue for p in trend.values()) == pytest.approx(
            sum(b for _, _, b in expected(period).values())
        )
    tier = selectors.client_revenue(ws, period, Segment("tier", personas.client_a.tier))
    assert {e.client_id for e in tier.economics} <= {
        c.pk for c in clients if c.tier == personas.client_a.tier
    }


# --- stored business-hours responses ----------------------------------------------------------

MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)  # office hours 9-17 on weekdays
H1 = Period(D(2026, 1, 1), D(2026, 6, 30))
NOW = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_recorded_response_stores_its_business_hours(personas):
    inquiry = comms_services.record_inquiry(
        personas.client_a,
        by=personas.alice,
        channel="email",
        received_at=MONDAY,
        subject="Where is the report?",
        first_response_at=MONDAY + dt.timedelta(days=1),  # Tuesday 10:00: 8 business hours
    )
    inquiry.refresh_from_db()
    assert inquiry.response_hours == 8
    later = comms_services.record_inquiry(
        personas.client_a, by=None, channel="email", received_at=MONDAY, subject="And then?"
    )
    assert Inquiry.objects.get(pk=later.pk).response_hours is None
    comms_services.record_inquiry_response(
        later, at=MONDAY + dt.timedelta(hours=3), by=personas.alice
    )
    assert Inquiry.objects.get(pk=later.pk).response_hours == 3


@pytest.mark.django_db
def test_a_new_holiday_recounts_the_stored_hours(personas):
    ws = personas.workspace_a
    ws.time_zone = "UTC"
    ws.save()
    inquiry = comms_services.record_inquiry(
        personas.client_a,
        by=None,
        channel="email",
        received_at=MONDAY,
        subject="Q",
        first_response_at=MONDAY + dt.timedelta(days=1),
    )
    sla.add_holiday(ws, by=personas.alice, date=D(2026, 3, 3), name="Closed")
    inquiry.refresh_from_db()
    assert inquiry.response_hours == 7  # Monday 10-17; Tuesday is now a holiday
    assert (
        selectors.response_times(ws, H1, selectors.ALL, "month", now=NOW).overall.median_hours == 7
    )


@pytest.mark.django_db
def test_the_dashboard_counts_again_what_is_missing_or_stale(personas):
    """Rows written without storing (bulk importers, a raw update) are counted at read time."""
    ws = WorkspaceFactory(time_zone="UTC")
    c = ClientFactory(workspace=ws)
    answered = [
        InquiryFactory(
            client=c,
            received_at=MONDAY,
            sla_due=MONDAY + dt.timedelta(hours=8),
            first_response_at=MONDAY + dt.timedelta(hours=h),
        )
        for h in (1, 2, 6)
    ]
    sla.store_response_hours(ws)
    assert Inquiry.objects.get(pk=answered[0].pk).response_hours == 1
    # moved behind the store's back: Monday 10:00 to Tuesday 12:00 is 10 business hours
    Inquiry.objects.filter(pk=answered[0].pk).update(
        first_response_at=MONDAY + dt.timedelta(hours=26)
    )
    Inquiry.objects.filter(pk=answered[1].pk).update(response_hours=99.0)  # read as stored
    InquiryFactory(  # never stored
        client=c,
        received_at=MONDAY,
        sla_due=MONDAY + dt.timedelta(hours=8),
        first_response_at=MONDAY + dt.timedelta(hours=4),
    )

    r = selectors.response_times(ws, H1, selectors.ALL, "month", now=NOW)

    assert r.overall.answered == 4
    # 10 (recounted), 99 (stored, as computed by the store), 6, 4 (counted at read time)
    assert r.overall.median_hours == pytest.approx((6 + 10) / 2)
    assert sla.store_response_hours(ws) == 2  # the stale and the missing one
    assert sla.store_response_hours(ws) == 0

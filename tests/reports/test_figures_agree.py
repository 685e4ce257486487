"""A status report says what its figures say, and what the rest of the product says.

The forecast overrun rule had three edges (the alert fired at exactly 10%, the report's risks
only above it); the narrative said "every open milestone is on track" beside SPI 0.64. Each rule
now has one definition (`scoring/evm.py`) that the alert, the engagement page, the report's
figures and its sentences all read.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.engagements.factories import EngagementFactory, MilestoneFactory, TimeEntryFactory
from trustledger.reports import services
from trustledger.trust.models import Alert, SnapshotKind
from trustledger.trust.services import take_snapshots

TODAY = timezone.localdate()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def engagement_billed(personas, amount: Decimal, *, delivered: int = 1, total: int = 2):
    """A 10,000 budget over 100 days, half elapsed; ``delivered`` of ``total`` milestones done
    (earned value 10,000 x delivered / total) and ``amount`` billed (actual cost)."""
    e = EngagementFactory(
        client=personas.client_a,
        name="Data platform",
        start_date=day(-50),
        end_date=day(50),
        activated_on=day(-50),
        budget_amount=Decimal(10000),
    )
    for n in range(total):
        done = n < delivered
        MilestoneFactory(
            engagement=e,
            name=f"Step {n + 1}",
            committed_date=day(-40 + 10 * n) if done else day(20 + 10 * n),
            delivered_on=day(-41 + 10 * n) if done else None,
            status="delivered" if done else "planned",
        )
    TimeEntryFactory(engagement=e, date=day(-2), hours=amount / 100, bill_rate=Decimal(100))
    return e


def surfaces(client, personas, engagement):
    """What each surface makes of the engagement's forecast overrun."""
    take_snapshots(personas.workspace_a, TODAY, kind=SnapshotKind.CURRENT)
    alert = Alert.objects.filter(client=personas.client_a, cause="forecast_overrun").first()
    client.force_login(personas.amir)
    page = client.get(reverse("engagements:detail", args=[engagement.pk])).content.decode()
    forecast = re.search(r'<div class="stat([^"]*)">\s*<dt>Forecast at completion', page)
    assert forecast is not None
    report = services.draft_report(personas.client_a, engagement=engagement, by=personas.amir)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    return {
        "alert": alert.detail if alert else None,
        "page in red": "stat-bad" in forecast.group(1),
        "report risk": "Budget: at the current pace the work would finish" in body,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("billed", "shown"),
    [(Decimal(5500), "10%"), (Decimal(5480), "10%")],  # exactly 10%; 9.6%, shown as 10%
)
def test_an_overrun_shown_as_ten_percent_is_one_on_every_surface(client, personas, billed, shown):
    seen = surfaces(client, personas, engagement_billed(personas, billed))

    assert seen["alert"] == f"Data platform is forecast to end {shown} over budget."
    assert seen["page in red"] and seen["report risk"]


@pytest.mark.django_db
def test_an_overrun_shown_as_nine_percent_is_one_nowhere(client, personas):
    seen = surfaces(client, personas, engagement_billed(personas, Decimal(5470)))  # 9.4%

    assert seen == {"alert": None, "page in red": False, "report risk": False}


@pytest.mark.django_db
def test_a_report_behind_plan_never_says_every_milestone_is_on_track(client, personas):
    # 1 of 3 milestones done half-way through: SPI = (10,000 / 3) / 5,000 = 0.67, yet no open
    # milestone has reached its committed date
    e = engagement_billed(personas, Decimal(3000), delivered=1, total=3)
    report = services.draft_report(personas.client_a, engagement=e, by=personas.amir)

    assert "on track" not in report.narrative
    assert "behind plan" in report.narrative and "SPI 0.67" in report.narrative
    client.force_login(personas.amir)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    schedule = re.search(r'<div class="([^"]*)"><dt>Schedule</dt><dd>(.*?)</dd>', body)
    assert schedule is not None
    assert "figure-bad" in schedule.group(1) and "Well behind plan" in schedule.group(2)
    assert "0.67" in schedule.group(2)


@pytest.mark.django_db
def test_a_report_on_plan_says_so_in_its_figure_and_its_sentence(client, personas):
    e = engagement_billed(personas, Decimal(5000), delivered=1, total=2)  # SPI 1.00
    report = services.draft_report(personas.client_a, engagement=e, by=personas.amir)

    assert "Every open milestone is on track for its committed date." in report.narrative
    client.force_login(personas.amir)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert re.search(r'<div class="figure-ok"><dt>Schedule</dt><dd>On plan', body)

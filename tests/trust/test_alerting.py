"""One clock for alerts: an SLA alert fires after the due instant, agrees with the Inbox, and
clears when the inquiry is answered, so a later breach raises a new one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.background import run_job
from tests.communications.factories import InquiryFactory
from tests.engagements.factories import EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.factories import ClientFactory
from tests.smtp import delivered
from trustledger.communications import selectors, services, sla
from trustledger.scoring.businesstime import OFFICE_HOURS
from trustledger.trust.alerting import check_sla_alerts
from trustledger.trust.digest import send_alert_digests
from trustledger.trust.models import Alert, AlertStatus
from trustledger.trust.services import recompute_client, take_snapshots
from trustledger.workspaces.models import AuditEntry

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = dt.date(2026, 3, 2)
UTC = dt.UTC


def berlin(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def firm(personas):
    """Workspace A works 9 to 5 in Berlin, in Berlin's time."""
    ws = personas.workspace_a
    ws.time_zone = "Europe/Berlin"
    ws.save(update_fields=["time_zone"])
    sla.update_business_calendar(ws, by=None, time_zone="Europe/Berlin", hours=OFFICE_HOURS)
    return personas


def ask(client, at: dt.datetime, subject: str = "Where is the invoice?"):
    """An e-mail (8 business hours) received at ``at``, recorded then."""
    with time_machine.travel(at, tick=False):
        return services.record_inquiry(
            client, by=None, channel="email", received_at=at, subject=subject
        )


def sla_alerts(**filters):
    return Alert.objects.filter(cause="inquiry_past_sla", **filters)


def overdue_in_inbox(personas, now):
    box = selectors.inbox(personas.workspace_a, personas.alice, now=now, all_clients=True)
    return {c.inquiry.client_id for c in box.inquiries if c.state == "breached"}


def open_sla_alert_clients(personas):
    unresolved = sla_alerts(workspace=personas.workspace_a).exclude(status=AlertStatus.RESOLVED)
    return set(unresolved.values_list("client_id", flat=True))


def test_an_inquiry_is_not_past_its_sla_before_its_due_instant(firm):
    inquiry = ask(firm.client_a, berlin(MONDAY, 9))  # due Monday 17:00

    with time_machine.travel(berlin(MONDAY, 10), tick=False):
        recompute_client(firm.client_a)
        assert not sla_alerts().exists()
        assert overdue_in_inbox(firm, berlin(MONDAY, 10)) == set()
    with time_machine.travel(berlin(MONDAY, 17, 1), tick=False):
        recompute_client(firm.client_a)

    (alert,) = sla_alerts()
    assert inquiry.sla_due == berlin(MONDAY, 17)
    assert "2026-03-02 17:00" in alert.detail and alert.owner == firm.amir
    assert overdue_in_inbox(firm, berlin(MONDAY, 17, 1)) == {firm.client_a.pk}


def test_the_morning_digest_does_not_call_an_inquiry_due_later_that_day_late(
    firm, mail_through_outbox
):
    ask(firm.client_a, berlin(MONDAY - dt.timedelta(days=3), 16))  # Friday 16:00: due Monday 16:00
    firm.amir.email = "amir@firm.example"
    firm.amir.save(update_fields=["email"])
    Alert.objects.create(  # something else Amir must hear of this morning
        workspace=firm.workspace_a,
        client=firm.client_a,
        cause="detractor_answer",
        owner=firm.amir,
        detail="Ada answered 3 to the NPS survey.",
        suggested_step="Call Ada.",
        evidence_date=MONDAY,
    )

    with time_machine.travel(berlin(MONDAY, 2), tick=False):
        take_snapshots(firm.workspace_a, MONDAY, kind="current")  # the nightly recompute
    with time_machine.travel(berlin(MONDAY, 7), tick=False):
        run_job("trust.sla_alerts", firm.workspace_a)
        send_alert_digests(firm.workspace_a, MONDAY)

    (digest,) = delivered()
    assert "Ada answered 3" in digest.body
    assert "SLA" not in digest.body
    assert not sla_alerts().exists()


def test_the_alert_resolves_when_the_inquiry_is_answered_and_a_later_breach_fires_again(
    firm, pipeline
):
    first = ask(firm.client_a, berlin(MONDAY, 9))
    with time_machine.travel(berlin(MONDAY, 17, 30), tick=False):
        run_job("trust.sla_alerts", firm.workspace_a)
        assert sla_alerts(status="open").count() == 1
        with pipeline():  # the answer is a fact: the client is recomputed after commit
            services.record_inquiry_response(first, at=berlin(MONDAY, 17, 20), by=firm.amir)

    (resolved,) = sla_alerts()
    assert resolved.status == AlertStatus.RESOLVED and resolved.resolved_at is not None
    audit = AuditEntry.objects.get(action="alert.resolved", object_id=str(resolved.pk))
    assert audit.actor is None and audit.actor_label.startswith("alert check")

    ask(firm.client_a, berlin(MONDAY + dt.timedelta(days=1), 9), "Second question")
    with time_machine.travel(berlin(MONDAY + dt.timedelta(days=1), 17, 5), tick=False):
        run_job("trust.sla_alerts", firm.workspace_a)

    assert sla_alerts(status="open").get().detail.startswith("Inquiry 'Second question'")


def test_the_inboxs_overdue_set_equals_the_set_of_open_sla_alerts(firm):
    ws = firm.workspace_a
    quiet = ClientFactory(workspace=ws, name="Quiet Client")
    lost = ClientFactory(
        workspace=ws, name="Lost Client", status="lost", lost_on=MONDAY - dt.timedelta(days=1)
    )
    due_soon = ClientFactory(workspace=ws, name="Due Soon Client")
    now = berlin(MONDAY, 15)

    def inquiry(client, received, **extra):
        return InquiryFactory(
            client=client, received_at=received, sla_due=received + dt.timedelta(hours=4), **extra
        )

    inquiry(firm.client_a, now - dt.timedelta(hours=5))  # overdue
    inquiry(firm.client_a, now - dt.timedelta(hours=6))  # overdue too: one alert
    inquiry(  # answered late: a breach for the index, no longer overdue
        firm.other_client_a,
        now - dt.timedelta(hours=9),
        first_response_at=now - dt.timedelta(hours=1),
    )
    inquiry(quiet, now - dt.timedelta(hours=8), resolved_at=now - dt.timedelta(hours=7))
    inquiry(lost, now - dt.timedelta(days=2))  # a lost client's question is still overdue
    inquiry(due_soon, now - dt.timedelta(hours=3, minutes=59))  # due in a minute
    inquiry(due_soon, now - dt.timedelta(hours=4))  # due exactly now: not past it yet
    Alert.objects.create(  # stale: its inquiry was answered since
        workspace=ws,
        client=firm.other_client_a,
        cause="inquiry_past_sla",
        detail="old",
        suggested_step="",
        evidence_date=MONDAY,
    )

    with time_machine.travel(now, tick=False):
        take_snapshots(ws, MONDAY, kind="current")  # the recompute of every served client
        check_sla_alerts(ws)  # and the ten-minute check, for all of them

    assert overdue_in_inbox(firm, now) == {firm.client_a.pk, lost.pk}
    assert open_sla_alert_clients(firm) == overdue_in_inbox(firm, now)
    assert "and 1 more" in sla_alerts(client=firm.client_a).get().detail

    later = now + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        run_job("trust.sla_alerts", ws)
    assert open_sla_alert_clients(firm) == overdue_in_inbox(firm, later)
    assert due_soon.pk in overdue_in_inbox(firm, later)


def test_a_recompute_of_a_past_day_neither_raises_nor_clears_sla_alerts(firm):
    ask(firm.client_a, berlin(MONDAY, 9))  # due Monday 17:00
    sunday, tuesday = MONDAY - dt.timedelta(days=1), MONDAY + dt.timedelta(days=1)

    with time_machine.travel(berlin(tuesday, 1), tick=False):
        take_snapshots(firm.workspace_a, sunday)  # the weekly snapshot, taken late
        assert open_sla_alert_clients(firm) == set()
        take_snapshots(firm.workspace_a, tuesday, kind="current")
        assert open_sla_alert_clients(firm) == {firm.client_a.pk}
        take_snapshots(firm.workspace_a, sunday)

    assert open_sla_alert_clients(firm) == {firm.client_a.pk}


def test_a_forecast_overrun_alert_resolves_when_the_forecast_recovers(personas):
    with time_machine.travel(dt.datetime(2026, 4, 30, 12, tzinfo=UTC), tick=False):
        engagement = EngagementFactory(client=personas.client_a, activated_on=dt.date(2026, 1, 5))
        MilestoneFactory(  # half the milestones delivered: half the 60,000 budget earned
            engagement=engagement,
            committed_date=dt.date(2026, 3, 2),
            delivered_on=dt.date(2026, 3, 2),
            status="delivered",
        )
        second = MilestoneFactory(engagement=engagement, committed_date=dt.date(2026, 6, 1))
        TimeEntryFactory(  # 40,000 billed: a CPI of 0.75
            engagement=engagement, date=dt.date(2026, 4, 20), hours=Decimal(100), bill_rate=400
        )
        recompute_client(personas.client_a)
        assert Alert.objects.get(cause="forecast_overrun").status == AlertStatus.OPEN

        second.delivered_on, second.status = dt.date(2026, 4, 30), "delivered"
        second.save()
        recompute_client(personas.client_a)  # all of it earned: a CPI of 1.5

    assert Alert.objects.get(cause="forecast_overrun").status == AlertStatus.RESOLVED

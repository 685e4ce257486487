"""The cadence job: drafts a report for each active engagement whose client's budget update is
due under the communication plan, tells the account manager, never sends, and drafts once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.background import run_job
from tests.communications.factories import InteractionFactory, PlanFactory
from tests.engagements.factories import EngagementFactory
from tests.factories import ClientFactory, MembershipFactory
from trustledger.reports import services
from trustledger.reports.models import StatusReport

TODAY = timezone.localdate()


def days(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def engagement(client, name, **extra):
    defaults = {"start_date": days(-90), "end_date": days(90), "status": "active"}
    return EngagementFactory(client=client, name=name, **{**defaults, **extra})


@pytest.fixture
def due(personas):
    """Acme's plan asks for a budget update every 30 days; the last was 40 days ago."""
    PlanFactory(client=personas.client_a, budget_update_days=30, starts_on=days(-100))
    InteractionFactory(
        client=personas.client_a,
        kind="budget_update",
        occurred_at=timezone.now() - dt.timedelta(days=40),
    )
    return engagement(personas.client_a, "ERP selection")


def test_a_due_budget_update_drafts_a_report_and_tells_the_account_manager(
    due, personas, mailoutbox
):
    drafted = services.draft_due_reports(TODAY)
    (report,) = drafted
    assert report.engagement == due and report.is_draft
    assert report.cadence_due_on == days(-10)  # 30 days after the last update
    assert report.created_by is None and report.narrative
    (mail,) = mailoutbox
    assert mail.to == [personas.amir.email]
    assert "awaits your review: ERP selection" in mail.subject
    assert f"/reports/{report.pk}/" in mail.body
    assert "Nothing has gone to the client" in mail.body
    # never sent to the client unreviewed
    assert all(personas.contact_a.email not in m.to for m in mailoutbox)


def test_running_the_job_twice_drafts_once(due, mailoutbox):
    services.draft_due_reports(TODAY)
    assert services.draft_due_reports(TODAY) == []
    assert services.draft_due_reports(days(1)) == []  # the draft still awaits review
    assert StatusReport.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_draft_for_one_due_date_is_made_once_even_without_the_draft_check(due, personas):
    services.draft_due_reports(TODAY)
    # the database refuses a second draft for the same due date
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusReport.objects.create(
            workspace=personas.workspace_a,
            client=personas.client_a,
            engagement=due,
            title="Twin",
            period_start=TODAY,
            period_end=TODAY,
            cadence_due_on=days(-10),
        )


def test_nothing_is_drafted_before_the_update_is_nearly_due(personas, mailoutbox):
    PlanFactory(client=personas.client_a, budget_update_days=30, starts_on=days(-100))
    InteractionFactory(
        client=personas.client_a,
        kind="budget_update",
        occurred_at=timezone.now() - dt.timedelta(days=20),
    )
    engagement(personas.client_a, "ERP selection")
    assert services.draft_due_reports(TODAY) == []
    # two days before it falls due, the draft is ready for review
    (report,) = services.draft_due_reports(days(8))
    assert report.cadence_due_on == days(10)


def test_only_active_engagements_of_active_clients_with_a_budget_cadence_are_drafted(
    due, personas, mailoutbox
):
    engagement(personas.client_a, "Proposal", status="proposed")
    engagement(personas.client_a, "Paused", status="on_hold")
    lost = ClientFactory(workspace=personas.workspace_a, status="lost", lost_on=days(-5))
    PlanFactory(client=lost, budget_update_days=30, starts_on=days(-100))
    engagement(lost, "Lost work")
    no_cadence = ClientFactory(workspace=personas.workspace_a)
    PlanFactory(client=no_cadence, budget_update_days=None, starts_on=days(-100))
    engagement(no_cadence, "No cadence")
    other_firm = ClientFactory(workspace=personas.workspace_b)
    PlanFactory(client=other_firm, budget_update_days=14, starts_on=days(-100))
    engagement(other_firm, "Beta work")
    drafted = services.draft_due_reports(TODAY)
    assert sorted(r.engagement.name for r in drafted) == ["Beta work", "ERP selection"]
    beta = next(r for r in drafted if r.engagement.name == "Beta work")
    assert beta.workspace == personas.workspace_b  # each draft in its own workspace


def test_sending_the_draft_answers_the_cadence(due, personas, mailoutbox):
    (report,) = services.draft_due_reports(TODAY)
    services.send_report(report, by=personas.amir, contacts=[personas.contact_a])
    assert services.draft_due_reports(TODAY) == []
    assert services.draft_due_reports(days(27)) == []
    (next_one,) = services.draft_due_reports(days(28))
    assert next_one.cadence_due_on == days(30)


def test_without_an_account_manager_the_engagement_lead_is_told(personas, mailoutbox):
    lead = MembershipFactory(workspace=personas.workspace_a, user__full_name="Lee Lead").user
    PlanFactory(client=personas.other_client_a, budget_update_days=30, starts_on=days(-100))
    engagement(personas.other_client_a, "Unmanaged", lead=lead)
    services.draft_due_reports(TODAY)
    assert [m.to for m in mailoutbox] == [[lead.email]]


def test_the_job_is_one_of_the_workers_periodic_jobs(due):
    assert run_job("reports.draft_due", due.workspace) == 1
    assert StatusReport.objects.filter(engagement=due).count() == 1
